"""Cluster-wide stats on the real broker: two workers publish their windows to `stats`, and each serves the merged
view of both; a worker started after both stopped reads the same totals back from the topic."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import urlopen

import pytest
from prometheus_client.parser import text_string_to_metric_families

from streams import codec
from tests.agents.test_dedup_cluster import ready
from tests.conftest import ROOT, WorkerProcess, consume_until, produce
from tests.monitoring.test_grafana import SCRAPE_LABELS, grouping_labels, metric_names, queries, sample_names

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("stats-cluster")]

EXAMPLES = ROOT / "examples"
BAD = [b"not json {", b'{"id": "no-body"}', b'{"id": "empty", "body": " "}']


def articles() -> list[tuple[str, bytes]]:
    """The seed, the examples and each wire article twice under another id (duplicates), by id."""
    out = [(p.stem, codec.dumps({"id": p.stem, "body": p.read_text("utf-8")})) for p in sorted(EXAMPLES.glob("*.txt"))]
    for line in (EXAMPLES / "002_wire_en.jsonl").read_text("utf-8").splitlines():
        doc = json.loads(line)
        out.append((doc["id"], codec.dumps(doc)))
        out.append((doc["id"] + "-copy", codec.dumps({**doc, "id": doc["id"] + "-copy"})))
    return out


def get(worker: WorkerProcess, path: str) -> tuple[int, Any]:
    try:
        with urlopen(f"http://127.0.0.1:{worker.web_port}{path}", timeout=10) as r:
            body = r.read()
            return r.status, json.loads(body) if r.headers.get_content_type() == "application/json" else body
    except HTTPError as exc:
        return exc.code, json.loads(exc.read())


def stats_until(workers: list[WorkerProcess], done: Callable[[list[dict[str, Any]]], bool],
                timeout: float = 60) -> list[dict[str, Any]]:
    """Poll every worker's /warta/stats until `done` holds for all their answers."""
    deadline = time.monotonic() + timeout
    while True:
        got = [get(w, "/warta/stats")[1] for w in workers]
        if done(got):
            return got
        if time.monotonic() > deadline:
            for w in workers:
                print(w.output()[-3000:])
            raise AssertionError(json.dumps([{k: s.get(k) for k in ("worker", "caught_up", "totals_last_hour",
                                                                    "workers")} for s in got], indent=1))
        time.sleep(1)


def test_every_worker_serves_the_merged_stats_of_all_and_they_survive_restarts(
    kafka_bootstrap: str, prefix: str, worker_factory: Any, tmp_path: Path
) -> None:
    w1 = worker_factory(prefix, name="w1")
    # /warta/ready: 503 from the moment the web server answers until partitions are assigned and tables recovered.
    answers = readiness_until_ready(w1)
    assert answers[0][0] == 503 and answers[-1][0] == 200, answers
    assert {why for status, why in answers if status == 503} <= {"tables not recovered yet", "rebalancing",
                                                                  "no partitions assigned"}, answers
    ready(w1)
    w2 = worker_factory(prefix, name="w2")
    ready(w1, w2, times=(2, 1))
    sent = articles()
    # Round-robin over the partitions, so both workers have some of the work to count.
    from streams.admin import producer

    p = producer(kafka_bootstrap)
    for i, (key, value) in enumerate(sent):
        p.send(f"{prefix}articles", key=key.encode(), value=value, partition=i % 4)
    p.flush()
    p.close()
    produce(kafka_bootstrap, f"{prefix}articles", [(b"bad", raw) for raw in BAD])
    enriched = consume_until(kafka_bootstrap, f"{prefix}enriched", lambda got: len({r.key for r in got}) >= len(sent),
                             workers=(w1, w2))
    n_events = sum(len(codec.loads(r.value)["events"]) for r in enriched)

    def complete(got: list[dict[str, Any]]) -> bool:
        return all(s["totals_last_hour"].get("enriched", 0) >= len(sent)
                   and s["totals_last_hour"].get("deadletters", 0) >= len(BAD)
                   and sum(w["alive"] for w in s["workers"]) == 2 for s in got) \
            and got[0]["totals_last_hour"] == got[1]["totals_last_hour"]

    one, two = stats_until([w1, w2], complete)
    assert one["worker"] != two["worker"]
    totals = one["totals_last_hour"]
    assert totals["articles"] == len(sent) and totals["enriched"] == len(sent), totals
    assert totals["events"] == n_events > 0 and sum(one["events_by_type"].values()) == n_events
    assert sum(one["events_by_country"].values()) == n_events
    assert one["deadletters_by_reason"] == {"not_json": 1, "schema": 1, "empty_body": 1}
    assert one["deadletters_by_stage"] == {"dedup": 3}
    assert one["duplicates_by_kind"].get("exact", 0) > 0 and 0 < one["dedup_ratio"] < 1
    # Merged, not one worker's own: both did part of the work, and each sees the other's share.
    shares = {w["worker"]: w["articles_last_hour"] for w in one["workers"]}
    assert sorted(shares) == sorted([one["worker"], two["worker"]]) and all(shares.values()), shares
    assert sum(shares.values()) == len(sent)
    for stats in (one, two):
        # Lag of every partition of every input topic, from both workers' status records.
        for topic in ("articles", "deduped", "tagged"):
            assert {f"{prefix}{topic}[{p}]" for p in range(4)} <= stats["lag"].keys(), stats["lag"]
        assert set(stats["latency_ms"]) == {"dedup", "tag", "time", "end_to_end"}
        assert stats["latency_ms"]["end_to_end"]["count"] == len(sent)
        assert stats["rates"]["articles_per_min"] > 0
        assert {row["id"] for row in stats["latest_events"]} and len(stats["latest_events"]) == min(50, n_events)
    # Readiness and the scrape.
    status, body = get(w1, "/warta/ready")
    assert status == 200 and body["ready"] and body["assignment"][f"{prefix}articles"], body
    status, metrics = get(w1, "/warta/metrics")
    assert status == 200
    text = metrics.decode()
    for family in ("warta_stage_latency_seconds_bucket{", "warta_end_to_end_latency_seconds_count",
                   "warta_events_total{", "warta_duplicates_total{", "warta_table_keys{table=\"dedup-index\"}",
                   "process_resident_memory_bytes", "process_cpu_seconds_total", "warta_ready 1.0"):
        assert family in text, family
    # Every Grafana query names series this scrape has, grouped by labels they carry.
    scraped = sample_names(text_string_to_metric_families(text))
    for title, expr in queries():
        names = metric_names(expr)
        assert names <= scraped.keys(), (title, sorted(names - scraped.keys()))
        labels = set().union(*(scraped[n] for n in names)) | SCRAPE_LABELS
        assert grouping_labels(expr) <= labels, (title, expr, labels)
    # The dashboard and its assets come from the worker itself.
    page = urlopen(f"http://127.0.0.1:{w2.web_port}/warta/dashboard", timeout=10).read().decode()
    for asset in re.findall(r'(?:src|href)="(/warta/static/[^"]+)"', page):
        assert urlopen(f"http://127.0.0.1:{w2.web_port}{asset}", timeout=10).status == 200
    # Both stop; a third worker (new name, new state) has counted nothing itself, yet serves the same hour.
    w1.stop()
    w2.stop()
    w3 = worker_factory(prefix, name="w3")
    assert get_when_up(w3) == (200, {"live": True})
    # The stories stage's own counts are left out: under load it lags the other stages (it had linked 12 of 25
    # events when they were done, in one run of three; open under issue 14), so a new worker may still add to them.
    def _staged(t: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in t.items() if not k.startswith("stories.")}

    [three] = stats_until([w3], lambda got: got[0]["caught_up"]
                          and _staged(got[0]["totals_last_hour"]) == _staged(totals))
    assert three["latency_ms"]["end_to_end"]["count"] == len(sent)
    assert {w["worker"] for w in three["workers"]} >= {one["worker"], two["worker"]}
    # The map reads `events` back from an hour ago: the new worker draws every event of the hour, as they did.
    drawn = three["event_map"]
    assert drawn["placed"] + drawn["unplaced"] == n_events, drawn
    def places(state: dict[str, Any]) -> list[tuple[str, str, int]]:
        return sorted((p["type"], p["place"], p["count"]) for p in state["points"])

    assert places(drawn) == places(one["event_map"]) != []


def readiness_until_ready(worker: WorkerProcess, timeout: float = 90) -> list[tuple[int, str]]:
    """(status, why) of /warta/ready, polled from the worker's start until it says ready; repeats collapsed."""
    deadline = time.monotonic() + timeout
    seen: list[tuple[int, str]] = []
    while time.monotonic() < deadline:
        try:
            status, body = get(worker, "/warta/ready")
        except OSError:  # the web server is not up yet
            assert worker.proc.poll() is None, worker.output()[-4000:]
            time.sleep(0.1)
            continue
        if not seen or seen[-1] != (status, body["why"]):
            seen.append((status, body["why"]))
        if status == 200:
            return seen
        time.sleep(0.1)
    raise AssertionError(f"never ready: {seen}\n{worker.output()[-4000:]}")


def get_when_up(worker: WorkerProcess, timeout: float = 60) -> tuple[int, Any]:
    """/warta/live once the web server answers."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return get(worker, "/warta/live")
        except OSError:
            if time.monotonic() > deadline or worker.proc.poll() is not None:
                raise AssertionError(worker.output()[-4000:]) from None
            time.sleep(0.5)
