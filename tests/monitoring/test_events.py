"""Events and latencies as the dashboard shows them, from the seed's real records; readiness."""

from __future__ import annotations

import json
from typing import Any

import pytest

from streams.monitoring.events import LatestEvents, event_keys, event_row
from streams.monitoring.latency import stage_latencies
from streams.monitoring.readiness import readiness
from tests.conftest import ROOT

MESSAGES = ROOT / "tests" / "data" / "messages"
EVENT: dict[str, Any] = json.loads((MESSAGES / "event.v1--seed-assault.json").read_text())
ENRICHED: dict[str, Any] = json.loads((MESSAGES / "enriched-article.v1--seed.json").read_text())


def test_an_event_counts_by_type_and_by_the_country_of_its_place() -> None:
    assert event_keys(EVENT) == ["events", "events.type.ASSAULT", "events.country.UKR"]
    assert event_keys({**EVENT, "location": None})[-1] == "events.country.unknown"


def test_an_event_row_reads_who_did_what_to_whom_where_and_when() -> None:
    row = event_row(EVENT, 1_700_000_000_000)
    assert row["type"] == "ASSAULT" and row["actors"] == ["Ukraine (UKR)"]
    assert row["recipients"] == ["North Korea (PRK)"]
    assert (row["place"], row["country"], row["time"]) == ("Donetsk", "UKR", "2024-10-03")
    assert row["source"] == "tribunnews.com" and row["url"] is None and row["confidence"] == 0.8
    assert row["seen_at"] == 1_700_000_000.0


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", " http://x", 42])
def test_only_web_links_are_links(url: Any) -> None:
    assert event_row({**EVENT, "url": url})["url"] is None
    assert event_row({**EVENT, "url": "https://example.org/a"})["url"] == "https://example.org/a"


def test_the_latest_events_are_newest_first_bounded_and_each_once() -> None:
    latest = LatestEvents(size=3)
    for i in range(10):
        latest.add({**EVENT, "id": f"e{i}"}, 1000 * i)
    latest.add({**EVENT, "id": "e9"}, 1000 * 9)  # redelivered (at-least-once)
    assert [r["id"] for r in latest.rows()] == ["e9", "e8", "e7"]


def test_stage_latencies_come_from_the_stamps_the_documents_carry() -> None:
    assert stage_latencies(ENRICHED, "dedup") == {"dedup": pytest.approx(0.001, abs=1e-6)}
    assert stage_latencies(ENRICHED, "tag") == {"tag": pytest.approx(0.016, abs=1e-6)}
    assert stage_latencies(ENRICHED, "time") == {"time": pytest.approx(0.018, abs=1e-6),
                                                 "end_to_end": pytest.approx(0.035, abs=1e-6)}
    assert stage_latencies({"stage_times": {}}, "tag") == {}


def test_ready_only_with_partitions_and_recovered_tables_outside_a_rebalance() -> None:
    parts = {"p.articles": [0, 1]}
    assert readiness(recovered=True, rebalancing=False, assignment=parts) == (True, "ready")
    assert not readiness(recovered=False, rebalancing=False, assignment=parts)[0]
    assert not readiness(recovered=True, rebalancing=True, assignment=parts)[0]
    assert readiness(recovered=True, rebalancing=False, assignment={"p.articles": []}) == (
        False, "no partitions assigned")
