"""Geocoding accuracy: how often an event's coordinates land in the country its place lies in.

Usage (from the repo root):

    .venv/bin/python bench/geo_bench.py                     # both languages, held-out part
    .venv/bin/python bench/geo_bench.py --split dev -v      # the part that may be looked at, with the misses

Data: `tests/data/geo/places_{en,id}.tsv` (sentence, place, gold country, kind), written by a helper who saw
neither the gazetteer nor its data. A fixed third of the rows (blake2b of the sentence) is `dev`, the rest
`held-out`. Two measures per row:
- gazetteer: a city or region name alone (country names are the tagging lexicon's), resolved with the article's
  language and no country; right when the point lies in the gold country (Natural Earth 1:50m outlines, a
  quarter degree of reach for coasts);
- pipeline: the sentence through the tagger; right when the first event that has a located place has its point
  in the gold country (rows where the tagger finds no event are counted apart: a tagging miss, not a geo one).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import Counter
from pathlib import Path

import orjson
import pycountry

from streams.geo import gazetteer
from streams.geo.outlines import Outlines
from streams.tagging import tag

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "geo"
# Natural Earth draws who holds a place (de facto); the gold names the country it belongs to.
DE_FACTO = {("UKR", "RUS")}


def split_of(sentence: str) -> str:
    """A fixed third ("dev") may be looked at while developing; the rest is held out."""
    return "dev" if hashlib.blake2b(sentence.encode(), digest_size=2).digest()[0] % 3 == 0 else "held-out"


def rows(language: str, split: str) -> list[tuple[str, str, str, str]]:
    """(sentence, place, country, kind) of one language file and split ("dev", "held-out", "all")."""
    out = []
    for line in (DATA / f"places_{language}.tsv").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            sentence, place, country, kind = line.split("\t")
            if split in ("all", split_of(sentence)):
                out.append((sentence, place, country, kind))
    return out


class Judge:
    """Is a point in a given country? (by the outlines, allowing de facto control where gold and map differ)."""

    def __init__(self) -> None:
        self.outlines = Outlines(orjson.loads((DATA / "countries-50m.json").read_bytes()))

    def country(self, lat: float, lon: float) -> str | None:
        code = self.outlines.country_at(lon, lat, reach=0.25)
        found = pycountry.countries.get(numeric=code) if code else None
        return found.alpha_3 if found else None

    def right(self, lat: float, lon: float, gold: str) -> bool:
        got = self.country(lat, lon)
        return got == gold or (gold, got) in DE_FACTO


def score(language: str, split: str, judge: Judge, verbose: bool = False) -> dict[str, int]:
    """Counts: rows, gazetteer right, events with a located place, those right, rows with no event."""
    counts: Counter[str] = Counter()
    places = gazetteer()
    for sentence, place, country, kind in rows(language, split):
        counts["rows"] += 1
        counts[f"rows.{kind}"] += 1
        if kind != "country":  # country names are the tagging lexicon's (every language's aliases), not its
            spot = places.resolve(place, None, language)
            ok = spot is not None and judge.right(spot.lat, spot.lon, country)
            counts["places"] += 1
            counts["gazetteer"] += ok
            counts[f"gazetteer.{kind}"] += ok
            if verbose and not ok:
                print(f"  gazetteer miss [{kind}] {place!r} gold {country}: {spot}")
        events = tag([sentence], article_id="geo", language=language).events
        if not events:
            counts["no_event"] += 1
            continue
        located = [e.location for e in events if e.location is not None and e.location.lat is not None]
        if not located:
            counts["no_place"] += 1
            if verbose:
                print(f"  no located place ({place!r} gold {country}): {sentence}")
            continue
        loc = located[0]
        assert loc.lat is not None and loc.lon is not None
        counts["located"] += 1
        hit = judge.right(loc.lat, loc.lon, country)
        counts["pipeline"] += hit
        if verbose and not hit:
            print(f"  pipeline miss: {loc.name!r} -> {judge.country(loc.lat, loc.lon)} gold {country}: {sentence}")
    return dict(counts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="held-out", choices=["dev", "held-out", "all"])
    parser.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    args = parser.parse_args(argv)
    judge = Judge()
    print(
        "| language | split | rows | gazetteer (cities, regions): right country | events with a located place"
        " | their point in the right country | no event |"
    )
    print("|---|---|---|---|---|---|---|")
    for language in ("en", "id"):
        c = score(language, args.split, judge, args.verbose)
        n, located = c.get("rows", 0), c.get("located", 0)
        print(
            f"| {language} | {args.split} | {n} | {c.get('gazetteer', 0)}/{c.get('places', 0)} = "
            f"{c.get('gazetteer', 0) / max(c.get('places', 0), 1):.3f}"
            f" | {located} (+{c.get('no_place', 0)} unplaced) | {c.get('pipeline', 0)}/{located} = "
            f"{c.get('pipeline', 0) / max(located, 1):.3f} | {c.get('no_event', 0)} |"
        )
        kinds = sorted(k.split(".")[1] for k in c if k.startswith("rows.") and k != "rows.country")
        by_kind = ", ".join(f"{k} {c.get('gazetteer.' + k, 0)}/{c['rows.' + k]}" for k in kinds)
        print(f"|  | by kind | {by_kind} |||||")
    return 0


if __name__ == "__main__":
    sys.exit(main())
