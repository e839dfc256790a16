"""The gazetteer on real names: exonyms, affixes, regions at their seats, ambiguity settled by country or language."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import orjson
import pycountry
import pytest

from streams.geo import Gazetteer, gazetteer, normalize
from streams.geo.outlines import Outlines
from streams.tagging import tag

DATA = Path(__file__).resolve().parents[1] / "data"


@lru_cache(maxsize=1)
def outlines() -> Outlines:
    """Natural Earth 1:50m country outlines (world-atlas 2.0.2, ISC; Natural Earth is public domain)."""
    return Outlines(orjson.loads((DATA / "geo" / "countries-50m.json").read_bytes()))


# Natural Earth draws who holds a place (de facto); GeoNames and Warta name the country it belongs to.
DE_FACTO = {"Crimea": "RUS"}


def country_at(lat: float, lon: float) -> str | None:
    """ISO3 of the country whose outline holds the point, or holds land a quarter degree away (coasts at 1:50m)."""
    code = outlines().country_at(lon, lat, reach=0.25)
    found = pycountry.countries.get(numeric=code) if code else None
    return found.alpha_3 if found else None


@pytest.mark.parametrize(
    ("name", "country", "language", "want_name", "want_country", "precision"),
    [
        ("Surabaya", None, "id", "Surabaya", "IDN", "place"),
        ("Moskow", None, "id", "Moscow", "RUS", "place"),
        ("Kairo", None, "id", "Cairo", "EGY", "place"),
        ("Den Haag", None, "id", "The Hague", "NLD", "place"),
        ("Kiev", None, "en", "Kyiv", "UKR", "place"),
        ("Tripoli", "LBN", "en", "Tripoli", "LBN", "place"),
        ("Tripoli", None, "en", "Tripoli", "LBY", "place"),  # no context: the larger one
        ("Hyderabad", "PAK", "en", "Hyderabad", "PAK", "place"),
        ("Kabupaten Intan Jaya", None, "id", "Intan Jaya", "IDN", "region"),
        ("Kabupaten Garut", None, "id", "Kabupaten Garut", "IDN", "region"),  # a regency at its seat town
        ("Kota Bogor", None, "id", "Bogor", "IDN", "place"),
        ("Papua Tengah", None, "id", "Papua Tengah", "IDN", "region"),
        ("East Java", None, "en", "Jawa Timur", "IDN", "region"),
        ("Jalur Gaza", None, "id", "Gaza Strip", "PSE", "region"),
        ("Kharkiv region", None, "en", "Kharkiv Oblast", "UKR", "region"),
        ("Pasar Minggu", "IDN", "id", "Indonesia", "IDN", "country"),  # unknown name, known country
        ("Kota Pinang", None, "id", "Kota Pinang", "IDN", "place"),  # not Penang ("Pinang")
        ("Desa Manchester", None, "id", "Indonesia", "IDN", "country"),  # "Desa": in Indonesia, not England
    ],
)
def test_resolves(
    name: str, country: str | None, language: str, want_name: str, want_country: str, precision: str
) -> None:
    spot = gazetteer().resolve(name, country, language)
    assert spot is not None
    assert (spot.name, spot.country, spot.precision()) == (want_name, want_country, precision)
    assert spot.id.startswith("geonames:")
    assert country_at(spot.lat, spot.lon) == want_country


def test_an_unknown_name_without_a_country_stays_unresolved() -> None:
    assert gazetteer().resolve("Zzyzxburg Heights", None, "en") is None


def test_an_indonesian_article_prefers_the_indonesian_place() -> None:
    # "Depok" is a city of two million in West Java and a town near Yogyakarta; "Sampang" exists twice.
    g = gazetteer()
    assert g.resolve("Depok", None, "id").population > 1_000_000  # type: ignore[union-attr]
    spot = g.resolve("Padang", None, "en")
    assert spot is not None and spot.country == "IDN"


def test_names_match_without_case_accents_or_marks() -> None:
    assert normalize("Dar‘a") == normalize("Dara") == "dara"
    assert normalize("  Zaporízhzhia-Oblast ") == "zaporizhzhia oblast"


def test_every_region_sits_at_a_seat_in_its_own_country() -> None:
    text = resources.files("streams.data").joinpath("geo", "regions.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    g = Gazetteer()
    for name, iso3, _seat, _others in rows:
        spot = g.resolve(name, None, "en")
        assert spot is not None and spot.country == iso3 and spot.precision() == "region", name
        assert country_at(spot.lat, spot.lon) == DE_FACTO.get(name, iso3), name


def test_country_points_lie_inside_their_country() -> None:
    g = gazetteer()
    drawn = {pycountry.countries.get(numeric=n).alpha_3 for n in outlines().codes()}  # type: ignore[union-attr]
    outside = [c for c, spot in g.countries.items() if c in drawn and country_at(spot.lat, spot.lon) != c]
    assert outside == []
    assert len(g.countries) > 240


def test_seed_events_are_placed_in_the_right_country() -> None:
    seed = (DATA / "tagging" / "seed_000_59858f91a7a8876a.txt").read_text("utf-8")
    result = tag(seed.split("\n\n"), article_id="seed", language="id")
    placed = [e.location for e in result.events if e.location is not None and e.location.gazetteer_id]
    assert {p.name for p in placed} >= {"Ukraine", "Donetsk"}
    for place in placed:
        assert place.lat is not None and place.lon is not None
        assert country_at(place.lat, place.lon) == place.country
