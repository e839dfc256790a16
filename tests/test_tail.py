"""`warta tail`'s filters and table rows on the seed's real events (no broker: tests/agents/test_consumers.py runs
the command on the broker)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import pytest

from streams import codec
from streams.errors import ConfigError
from streams.tail import EventFilter, event_rows, parse_choice, parse_country, parse_since, split_values
from tests.conftest import ROOT
from tests.test_cli import _warta

SAMPLES = [ROOT / "examples" / "000_59858f91a7a8876a.txt", ROOT / "examples" / "002_wire_en.jsonl"]


@cache
def _enriched() -> list[dict[str, Any]]:
    out = subprocess.run([sys.executable, "-m", "streams", "enrich", *map(str, SAMPLES)], capture_output=True,
                         check=True, cwd=ROOT).stdout
    return [codec.loads(line) for line in out.splitlines()]


def _where(ev: dict[str, Any]) -> set[str | None]:
    return {a.get("country") for a in [*ev["actors"], *ev["recipients"], ev["location"] or {}]}


def _events() -> list[dict[str, Any]]:
    return [{"schema": "warta.event/v1", "article_id": a["id"], "source": a["source"], "language": a["language"],
             **ev} for a in _enriched() for ev in a["events"]]


def test_event_filters_combine_and_each_takes_any_of_its_values() -> None:
    events = _events()
    assert all(EventFilter().passes(e) for e in events)
    assault = EventFilter(types=frozenset({"ASSAULT"}))
    assert {e["type"] for e in events if assault.passes(e)} == {"ASSAULT"}
    prk = EventFilter(countries=frozenset({"PRK"}))
    for e in events:
        assert prk.passes(e) == ("PRK" in _where(e)), e
    both = EventFilter(types=frozenset({"ASSAULT", "AID"}), countries=frozenset({"PRK"}),
                       modalities=frozenset({"reported"}))
    assert [e for e in events if both.passes(e)] == [
        e for e in events if e["type"] in ("ASSAULT", "AID") and prk.passes(e) and e["modality"] == "reported"]
    assert any(both.passes(e) for e in events) and not all(both.passes(e) for e in events)
    english = EventFilter(languages=frozenset({"en"}))
    assert {e["article_id"] for e in events if english.passes(e)} == {"wire-en-0001", "wire-en-0002"}


def test_an_article_passes_when_one_of_its_events_does() -> None:
    articles = {a["id"]: a for a in _enriched()}
    flt = EventFilter(countries=frozenset({"JPN"}))
    assert [i for i, a in articles.items() if flt.passes(a)] == ["wire-en-0002"]
    assert flt.events_of(articles["wire-en-0002"]) == [e for e in articles["wire-en-0002"]["events"]
                                                       if "JPN" in _where(e)]
    # The language is the article's own: an article without events passes on it alone.
    quake = {**articles["wire-en-0001"], "events": []}
    assert EventFilter(languages=frozenset({"en"})).passes(quake)
    assert not EventFilter(languages=frozenset({"en"}), types=frozenset({"AID"})).passes(quake)
    assert not EventFilter(languages=frozenset({"id"})).passes(articles["wire-en-0001"])
    assert not EventFilter(types=frozenset({"AID"})).passes({"_raw": "not json"})


def test_table_rows_show_type_actors_place_time_and_source() -> None:
    seed = _enriched()[0]
    flt = EventFilter(types=frozenset({"ASSAULT"}), countries=frozenset({"PRK"}))
    rows = event_rows(seed, flt)
    assert ("ASSAULT", "PRK, RUS → UKR", "Ukraine, UKR", "2024-10", "tribunnews.com · 000_59858f91a7a8876a") in rows
    assert rows == [row for e in _events() if e["article_id"] == seed["id"] for row in event_rows(e, flt)]
    quiet = {**_enriched()[1], "events": []}
    assert event_rows(quiet, EventFilter()) == [("-", "(no event)", "-", "-", "example-wire.com · wire-en-0001")]
    assert event_rows({"schema": "warta.duplicate/v1"}, EventFilter()) == []


def test_since_takes_an_age_or_a_date_time() -> None:
    now = datetime(2024, 10, 13, 12, 0, tzinfo=UTC)
    assert parse_since("1h", now) == now - timedelta(hours=1)
    assert parse_since("30m", now) == now - timedelta(minutes=30)
    assert parse_since(" 2d ", now) == now - timedelta(days=2)
    assert parse_since("1.5h", now) == now - timedelta(minutes=90)
    assert parse_since("2024-10-13T00:00+07:00", now) == datetime(2024, 10, 12, 17, 0, tzinfo=UTC)
    assert parse_since("2024-10-13", now).tzinfo is not None  # local time, made aware
    with pytest.raises(ConfigError, match="expected an age such as 30m"):
        parse_since("yesterday", now)


def test_option_values() -> None:
    assert split_values(["ASSAULT,COERCE", " AID ", ""]) == ["ASSAULT", "COERCE", "AID"]
    assert parse_choice(["assault,Aid"], ["AID", "ASSAULT"], "--type", upper=True) == {"ASSAULT", "AID"}
    with pytest.raises(ConfigError, match="--type RIOT: choose from AID, ASSAULT"):
        parse_choice(["RIOT"], ["AID", "ASSAULT"], "--type", upper=True)
    assert parse_country("prk") == "PRK" and parse_country("KP") == "PRK" and parse_country("id") == "IDN"
    for bad in ("XX", "Korea", "ZZZ"):
        with pytest.raises(ConfigError, match="ISO 3166"):
            parse_country(bad)


def test_tail_help_explains_each_filter_and_its_variable() -> None:
    out = _warta("tail", "--help").stdout.decode()
    flat = " ".join(line.strip(" │") for line in out.splitlines())
    for hint in ["--type", "--country", "--language", "--modality", "--since", "--format", "30m, 1h, 2d",
                 "alpha-3 such as PRK", "asserted, reported, denied", "[env: WARTA_TAIL_FORMAT; default: json]",
                 "[env: WARTA_TOPIC_PREFIX; default: warta.]", "an article passes when one of its events does"]:
        assert hint in flat, (hint, out)
