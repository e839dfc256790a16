"""The dashboard's map of the last hour: points per place and type, counts, expiry, the cap, the seed's places."""

from __future__ import annotations

import json
from typing import Any

import pytest

from streams.article import parse_article
from streams.dedup import DedupConfig, Deduplicator
from streams.monitoring.eventmap import EventMap, place_key
from streams.monitoring.events import LatestEvents
from streams.pipeline import enrich_one
from tests.conftest import ROOT

SEED: dict[str, Any] = json.loads((ROOT / "tests" / "data" / "messages" / "event.v1--seed-assault.json").read_text())
# The seed's Donetsk as the gazetteer resolves it (streams.geo).
DONETSK = {**SEED["location"], "lat": 48.023, "lon": 37.8022, "gazetteer_id": "geonames:709717", "precision": "place"}
T0 = 1_700_000_000_000  # record time, ms (a minute boundary: 1_700_000_000 = 28_333_333 min + 20 s)


def event(n: int, *, location: dict[str, Any] | None = DONETSK, type_: str = "ASSAULT",
          when: str | None = "2024-10-03") -> dict[str, Any]:
    return {**SEED, "id": f"e{n}", "type": type_, "location": location,
            "time": {**SEED["time"], "value": when} if when else None}


def test_events_at_one_place_of_one_type_are_one_point_with_their_count() -> None:
    m = EventMap()
    for i in range(3):
        assert m.add(event(i, when=f"2024-10-0{i + 1}"), T0 + 1000 * i)
    assert m.add(event(3, type_="PROTEST"), T0 + 5000)
    state = m.state(T0 / 1000 + 10)
    assert [(p["type"], p["count"]) for p in state["points"]] == [("ASSAULT", 3), ("PROTEST", 1)]
    assault = state["points"][0]
    assert (assault["place"], assault["country"], assault["lat"], assault["lon"]) == ("Donetsk", "UKR", 48.023, 37.8022)
    assert assault["gazetteer_id"] == "geonames:709717" and assault["precision"] == "place"
    assert assault["time"] == "2024-10-03" and assault["seen_at"] == (T0 + 2000) / 1000  # the latest of each
    assert (state["placed"], state["unplaced"]) == (4, 0)


def test_events_without_coordinates_are_counted_but_not_drawn() -> None:
    m = EventMap()
    assert not m.add(event(1, location=None), T0)
    assert not m.add(event(2, location=SEED["location"]), T0)  # a place the gazetteer did not resolve
    bad = [{"lat": 91.0, "lon": 0.0}, {"lat": 10.0, "lon": float("nan")}, {"lat": True, "lon": 1},
           {"lat": "48.0", "lon": "37.8"}, {"lat": 48.0}]  # would draw off the map, or nowhere
    for i, coordinates in enumerate(bad):
        assert not m.add(event(3 + i, location={"name": "X", "country": None, **coordinates}), T0)
    state = m.state(T0 / 1000)
    assert state["points"] == [] and (state["placed"], state["unplaced"]) == (0, 2 + len(bad))


def test_a_redelivered_event_counts_once() -> None:
    m = EventMap()
    assert m.add(event(1), T0) and not m.add(event(1), T0 + 50)  # at-least-once: the same id again
    assert m.state(T0 / 1000)["points"][0]["count"] == 1


def test_without_a_gazetteer_id_nearby_coordinates_share_a_point() -> None:
    here = {"name": "Kota Baru", "country": "IDN", "lat": -3.2948, "lon": 116.1649}
    assert place_key(here) == "-3.29,116.16" == place_key({**here, "lat": -3.2912})
    assert place_key({**here, "gazetteer_id": "geonames:1"}) == "geonames:1"
    m = EventMap()
    m.add(event(1, location=here), T0)
    m.add(event(2, location={**here, "lat": -3.2912}), T0)
    assert [p["count"] for p in m.state(T0 / 1000)["points"]] == [2]


def test_only_the_last_hour_by_record_time_counts() -> None:
    m = EventMap()
    m.add(event(1), T0)  # at 28_333_333 min + 20 s
    m.add(event(2), T0 + 1800_000)
    m.add(event(3, location={**DONETSK, "gazetteer_id": "geonames:2"}), T0)
    m.add(event(4, location=None), T0)
    now = T0 / 1000
    assert [p["count"] for p in m.state(now + 3539)["points"]] == [2, 1]  # the first minute is still inside
    # An hour later that minute is gone: its points keep what came later, or go.
    state = m.state(now + 3600)
    assert [(p["gazetteer_id"], p["count"]) for p in state["points"]] == [("geonames:709717", 1)]
    assert (state["placed"], state["unplaced"]) == (1, 0)
    assert m.state(now + 1800 + 3600)["points"] == [] and len(m) == 0


def test_the_number_of_points_is_capped_and_the_least_recently_seen_go_first() -> None:
    m = EventMap(max_points=100)
    for i in range(1000):
        m.add(event(i, location={**DONETSK, "gazetteer_id": f"geonames:{i}"}), T0 + i)
        assert len(m) <= 100
    ids = {int(p["gazetteer_id"].split(":")[1]) for p in m.state(T0 / 1000 + 10)["points"]}
    assert 999 in ids and min(ids) >= 1000 - 100
    # A full map that takes an old record of a new place drops that one, not a newer one.
    m = EventMap(max_points=10)
    for i in range(10):
        m.add(event(i, location={**DONETSK, "gazetteer_id": f"geonames:{i}"}), T0 + 1000 * i)
    m.add(event(99, location={**DONETSK, "gazetteer_id": "geonames:99"}), T0 - 1000)
    ids = {int(p["gazetteer_id"].split(":")[1]) for p in m.state(T0 / 1000 + 10)["points"]}
    assert ids == set(range(1, 10))  # it and the oldest of the rest: eviction goes in batches of a tenth


def test_the_ids_remembered_against_redelivery_are_bounded_too() -> None:
    m = EventMap(seen_ids=10)
    for i in range(50):
        m.add(event(i), T0)
    assert len(m._ids) == 10
    assert not m.add(event(49), T0) and m.add(event(0), T0)  # only the oldest ids are forgotten


def test_the_latest_events_table_feeds_the_map() -> None:
    latest = LatestEvents()
    latest.add(event(1), T0)
    latest.add(event(2, location=None), T0)
    assert {r["id"] for r in latest.rows()} == {"e1", "e2"}  # the table shows both
    state = latest.map.state(T0 / 1000)
    assert [p["place"] for p in state["points"]] == ["Donetsk"] and state["unplaced"] == 1


@pytest.fixture(scope="module")
def seed_events() -> list[dict[str, Any]]:
    """The seed article's events from the real cores (dedup, tagging with the gazetteer, timing)."""
    path = ROOT / "examples" / "000_59858f91a7a8876a.txt"
    article = parse_article(json.dumps({"id": path.stem, "body": path.read_text("utf-8")}).encode())
    dedup = Deduplicator(config=DedupConfig(window_seconds=86400))
    return enrich_one(article, dedup, record_time=0.0, clock=lambda: 0.0)[1]


def test_the_seeds_geocoded_events_are_on_the_map(seed_events: list[dict[str, Any]]) -> None:
    m = EventMap()
    for i, ev in enumerate(seed_events):
        m.add(ev, T0 + i)
    state = m.state(T0 / 1000)
    placed = [e for e in seed_events if (e.get("location") or {}).get("gazetteer_id")]
    assert placed, "the seed has no geocoded event"
    assert state["placed"] == len(placed) and state["unplaced"] == len(seed_events) - len(placed)
    donetsk = next(p for p in state["points"] if p["place"] == "Donetsk")
    assert donetsk["type"] == "ASSAULT" and donetsk["country"] == "UKR"
    assert 47 < donetsk["lat"] < 49 and 37 < donetsk["lon"] < 39
