"""Issue 11, faults 2: the broker stops mid-stream, stays away ~10 s and comes back on the same port; the worker
carries on by itself, nothing is lost, and its log stays quiet while the broker is away."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from streams import kafka_local
from tests.faults.harness import (
    collect,
    create_topics,
    log_lines,
    make_articles,
    noisy_lines,
    send,
    start_worker,
    wait_ready,
)

pytestmark = [pytest.mark.integration]

OUTAGE_S = 10.0


def run_restart(tmp_path: Path, articles: int) -> dict[str, float]:
    """One broker restart under load on a private broker (the session's broker is shared by other tests); returns
    the figures and asserts what must hold."""
    state = tmp_path / "kafka"
    info = kafka_local.start(0, state_dir=state)
    worker = None
    try:
        prefix = "faults."
        create_topics(info.bootstrap, prefix)
        worker = start_worker(info.bootstrap, prefix, tmp_path)
        wait_ready(worker)
        records = make_articles(articles, tag="restart")
        half = len(records) // 2
        # The first half is a backlog the worker is working through when the broker stops; the second half is sent
        # once it is back, so the worker must consume again (not only finish what it had fetched).
        send(info.bootstrap, f"{prefix}articles", records[:half])
        from streams.admin import topic_reader

        reader = topic_reader(info.bootstrap, f"{prefix}enriched")
        seen = 0
        deadline = time.monotonic() + 120
        try:
            while seen < max(1, half // 10) and time.monotonic() < deadline:
                seen += sum(len(r) for r in reader.poll(timeout_ms=200).values())
        finally:
            reader.close()
        assert seen, "nothing enriched before the outage:\n" + worker.output()[-4000:]
        down_at = time.time()
        assert kafka_local.stop(state)
        time.sleep(OUTAGE_S)
        assert worker.proc.poll() is None, "the worker died while the broker was away:\n" + worker.output()[-4000:]
        back = kafka_local.start(info.port, state_dir=state)  # the same port, at once (SO_REUSEADDR)
        up_at = time.time()
        assert back.bootstrap == info.bootstrap
        send(info.bootstrap, f"{prefix}articles", records[half:])
        want = {k.decode() for k, _ in records}
        out = collect(info.bootstrap, prefix, want, worker, timeout=120 + articles / 10)
        lost = want - out.ids()
        docs, other = log_lines(worker)
        noisy = noisy_lines(docs, down_at, up_at)
        window = up_at - down_at
        by_logger = Counter(d["logger"] for d in noisy)
        figures = {"articles": articles, "lost": len(lost), "extra_enriched": out.extra_copies(),
                   "differing": out.ids_differing(), "deadletter": sum(out.deadletter.values()),
                   "outage_s": round(window, 1), "noisy_lines": len(noisy),
                   "max_lines_per_logger": max(by_logger.values(), default=0), "non_json_lines": len(other)}
        print("figures:", figures)
        print("warning/error lines during the outage by logger:", dict(by_logger))
        print("by template:", Counter((d["logger"], d["message"][:60]) for d in noisy).most_common(20))
        assert not lost, f"{len(lost)} lost, e.g. {sorted(lost)[:5]}"
        assert not out.deadletter, dict(out.deadletter)  # every input is valid
        assert worker.proc.poll() is None
        # Quiet while away: about one line a second per logger (the RepeatFilter), with room for the seconds at
        # each end of the window; a burst of identical lines was 2,500 a second before the filter.
        for logger, count in by_logger.items():
            assert count <= window + 5, (logger, count, window)
        assert not other, other[:10]
        return figures
    finally:
        if worker is not None:
            worker.stop()
        kafka_local.stop(state)


@pytest.mark.timeout(600)
def test_broker_restart_under_load_loses_nothing_and_stays_quiet(tmp_path: Path) -> None:
    run_restart(tmp_path, 500)


@pytest.mark.faults
@pytest.mark.timeout(1500)  # a stalled worker shows as a timeout of `collect`, not of pytest
def test_broker_restart_under_load_5000(tmp_path: Path) -> None:
    run_restart(tmp_path, 5000)
