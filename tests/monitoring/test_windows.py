"""One worker's windows and the cluster's merge of them: counts, restarts, rates, lag, latency percentiles."""

from __future__ import annotations

import json
import math
from typing import Any

from streams.monitoring.cluster import ClusterView, dedup_ratio, status_key, status_record
from streams.monitoring.histogram import Histogram
from streams.monitoring.windows import HORIZON_S, WindowRecorder, window_key, window_start

T0 = 1_728_800_000.0
START = window_start(T0)


class Clock:
    def __init__(self, t: float) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def publish(recorder: WindowRecorder, view: ClusterView) -> list[tuple[str, dict[str, Any]]]:
    """What the shell does: send the changed windows, and the topic hands them to every view (as JSON)."""
    records = recorder.changed()
    for _key, record in records:
        view.apply(json.loads(json.dumps(record)))
    return records


def test_a_window_record_carries_the_whole_window_and_is_keyed_by_window_and_worker() -> None:
    clock = Clock(START + 5)
    rec = WindowRecorder("w1", clock=clock)
    rec.count("articles", 2)
    rec.count("paragraphs", 30)
    rec.observe("dedup", 0.012)
    [(key, record)] = rec.changed()
    assert key == window_key(START, "w1") == f"window|{int(START)}|w1"
    assert record["counts"] == {"articles": 2, "paragraphs": 30} and record["start"] == START
    assert record["latency_ms"]["dedup"]["count"] == 1
    assert rec.changed() == []  # nothing new: nothing to send
    rec.count("articles")
    [(_, again)] = rec.changed()
    assert again["counts"]["articles"] == 3  # the whole window, not the increment: a replaced record loses nothing


def test_two_workers_merge_into_the_same_totals_whichever_view_reads_them() -> None:
    clock = Clock(START + 10)
    w1, w2 = WindowRecorder("w1", clock=clock), WindowRecorder("w2", clock=clock)
    w1.count("articles", 3)
    w1.count("events.type.ASSAULT", 2)
    w2.count("articles", 4)
    w2.count("events.type.ASSAULT")
    w2.count("events.type.PROTEST")
    clock.t += 60  # the next window
    w1.count("articles", 1)
    records = [r for _key, r in w1.changed() + w2.changed()]
    views = [ClusterView(), ClusterView()]
    for r in records:
        views[0].apply(r)
    for r in reversed(records):  # another partition order: another worker reads them in another order
        views[1].apply(r)
    a, b = (v.snapshot(clock.t) for v in views)
    assert a == b
    assert a["totals_last_hour"]["articles"] == 8
    assert a["events_by_type"] == {"ASSAULT": 3, "PROTEST": 1}
    assert [w["start"] for w in a["windows"]] == [START, START + 60]
    assert a["windows"][0]["counts"]["articles"] == 7
    assert [(w["worker"], w["articles_last_hour"]) for w in a["workers"]] == [("w1", 4), ("w2", 4)]


def test_a_newer_record_of_a_window_replaces_the_older_and_an_older_one_is_ignored() -> None:
    clock = Clock(START + 1)
    rec, view = WindowRecorder("w1", clock=clock), ClusterView()
    rec.count("articles")
    [(_, first)] = rec.changed()
    clock.t += 2
    rec.count("articles")
    [(_, second)] = rec.changed()
    view.apply(second)
    view.apply(first)  # late and stale
    assert view.snapshot(clock.t)["totals_last_hour"]["articles"] == 2


def test_a_restarted_worker_goes_on_from_its_published_windows() -> None:
    clock = Clock(START + 1)
    view = ClusterView()
    before = WindowRecorder("host:6066", clock=clock)
    before.count("articles", 5)
    publish(before, view)
    # Killed; the new process (same host and port) counts while it reads `stats` back, then restores.
    clock.t += 20
    after = WindowRecorder("host:6066", clock=clock)
    after.count("articles", 2)
    after.restore(view.own_windows("host:6066"))
    publish(after, view)
    assert view.snapshot(clock.t)["totals_last_hour"]["articles"] == 7
    # Another worker's windows are not this one's to restore.
    other = WindowRecorder("host:6067", clock=clock)
    other.restore(view.own_windows("host:6066"))
    assert other.changed() == []


def test_windows_older_than_the_horizon_are_dropped_by_recorder_and_view() -> None:
    clock = Clock(START + 1)
    rec, view = WindowRecorder("w1", clock=clock), ClusterView()
    rec.count("articles")
    publish(rec, view)
    clock.t += HORIZON_S - 30
    assert view.snapshot(clock.t)["totals_last_hour"] == {"articles": 1}
    clock.t += 60
    rec.count("paragraphs")
    publish(rec, view)
    assert rec.windows.keys() == {window_start(clock.t)}
    assert view.snapshot(clock.t)["totals_last_hour"] == {"paragraphs": 1}


def test_articles_per_minute_falls_to_zero_once_a_minute_has_passed_without_articles() -> None:
    """The old dashboard showed the last non-empty window: 6 articles/min three minutes after the last one."""
    clock = Clock(START + 50)
    rec, view = WindowRecorder("w1", clock=clock), ClusterView()
    rec.count("articles", 6)
    publish(rec, view)
    assert view.snapshot(clock.t)["rates"]["articles_per_min"] == 6
    clock.t = START + 60 + 30  # half of the last minute's span still holds the six
    assert view.snapshot(clock.t)["rates"]["articles_per_min"] == 3
    clock.t = START + 60 + 60
    assert view.snapshot(clock.t)["rates"]["articles_per_min"] == 0
    clock.t = START + 60 * 3 + 50
    snap = view.snapshot(clock.t)
    assert snap["rates"]["articles_per_min"] == 0
    assert snap["totals_last_hour"]["articles"] == 6  # still in the hour's total
    # The series for the line chart: one slot per minute, the current one last.
    assert len(snap["series"]["start"]) == 60 and snap["series"]["start"][-1] == START + 180
    assert snap["series"]["articles"][-4:] == [6, 0, 0, 0]


def test_dedup_ratio_counts_an_articles_own_flags_not_corrections_of_earlier_ones() -> None:
    assert dedup_ratio({}) is None
    counts = {"paragraphs": 20, "duplicates.exact": 3, "duplicates.near": 2, "duplicates.boilerplate": 1,
              "duplicates.corrections": 1}
    assert dedup_ratio(counts) == 0.25  # (3 + 2 + 1 - 1) / 20


def test_lag_comes_from_live_workers_and_the_newer_claim_of_a_partition_wins() -> None:
    view = ClusterView(status_ttl_s=15)
    view.apply(status_record("w1", T0, web="", ready=True, assignment={"p.articles": [0, 1]},
                             lag={"p.articles[0]": 5, "p.articles[1]": 7}))
    view.apply(status_record("w2", T0 + 3, web="", ready=True, assignment={"p.articles": [1, 2]},
                             lag={"p.articles[1]": 2, "p.articles[2]": 1, "p.tagged[2]": 4}))
    snap = view.snapshot(T0 + 5)
    assert snap["lag"] == {"p.articles[0]": 5, "p.articles[1]": 2, "p.articles[2]": 1, "p.tagged[2]": 4}
    assert snap["lag_by_topic"] == {"p.articles": 8, "p.tagged": 4} and snap["lag_total"] == 12
    # w1 goes silent: its partitions' figures go with it.
    view.apply(status_record("w2", T0 + 20, web="", ready=True, assignment={}, lag={"p.articles[1]": 0}))
    snap = view.snapshot(T0 + 21)
    assert snap["lag"] == {"p.articles[1]": 0}
    assert [(w["worker"], w["alive"]) for w in snap["workers"]] == [("w1", False), ("w2", True)]
    # A worker that says it stopped is gone at once.
    view.apply(status_record("w2", T0 + 22, web="", ready=False, assignment={}, lag={}, stopped=True))
    assert view.snapshot(T0 + 23)["lag_total"] == 0
    assert status_key("w2") == "status|w2"


def test_latency_percentiles_merge_across_workers() -> None:
    clock = Clock(START + 1)
    w1, w2, view = WindowRecorder("w1", clock=clock), WindowRecorder("w2", clock=clock), ClusterView()
    for ms in range(1, 101):  # 1..100 ms over two workers
        (w1 if ms % 2 else w2).observe("tag", ms / 1000)
    publish(w1, view)
    publish(w2, view)
    lat = view.snapshot(clock.t)["latency_ms"]["tag"]
    assert lat["count"] == 100 and lat["mean"] == 50.5
    assert 40 <= lat["p50"] <= 60 and 85 <= lat["p90"] <= 100 and 95 <= lat["p99"] <= 100


def test_histogram_percentiles_and_wire_form() -> None:
    h = Histogram()
    assert h.percentile(0.5) is None
    for ms in (0.5, 3, 3, 3, 900_000):
        h.observe(ms)
    assert h.percentile(0.5) is not None and 2 < h.percentile(0.5) <= 3  # type: ignore[operator]
    assert h.percentile(1.0) == 600_000  # beyond the last bound: the last finite one, as Prometheus does
    back = Histogram.from_dict(json.loads(json.dumps(h.to_dict())))
    assert back == h and math.inf in back.buckets
    h.observe(-5)  # clock skew between hosts
    assert h.buckets[1] == 2
