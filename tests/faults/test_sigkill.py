"""Issue 11, faults 5: a worker killed with SIGKILL mid-stream and started again; nothing may be lost, and the extra
copies on `enriched` (and copies that differ) are counted."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from streams import kafka_local
from tests.faults.harness import collect, create_topics, make_articles, send, start_worker, wait_ready

pytestmark = [pytest.mark.integration]


def run_sigkill(tmp_path: Path, articles: int) -> dict[str, object]:
    """Send every article, SIGKILL the worker once about a quarter is on `enriched`, start it again on the same data
    dir, and read what came out; asserts that nothing is lost and returns the figures."""
    state = tmp_path / "kafka"
    info = kafka_local.start(0, state_dir=state)  # a private broker: the scenario's load disturbs no other test
    workers = []
    try:
        prefix = "faults."
        create_topics(info.bootstrap, prefix)
        first = start_worker(info.bootstrap, prefix, tmp_path, name="w0")
        workers.append(first)
        wait_ready(first)
        records = make_articles(articles, tag="kill")
        send(info.bootstrap, f"{prefix}articles", records)
        from streams.admin import topic_reader

        reader = topic_reader(info.bootstrap, f"{prefix}enriched")
        seen = 0
        deadline = time.monotonic() + 300
        try:
            while seen < articles // 4 and time.monotonic() < deadline:
                seen += sum(len(r) for r in reader.poll(timeout_ms=200).values())
        finally:
            reader.close()
        assert seen, "nothing enriched before the kill:\n" + first.output()[-4000:]
        first.kill()
        second = start_worker(info.bootstrap, prefix, tmp_path, name="w0")  # the same data dir, as a supervisor would
        workers.append(second)
        want = {k.decode() for k, _ in records}
        out = collect(info.bootstrap, prefix, want, second, timeout=180 + articles / 10)
        lost = want - out.ids()
        figures: dict[str, object] = {
            "articles": articles, "enriched_at_kill": seen, "lost": len(lost), "extra_enriched": out.extra_copies(),
            "ids_with_extra_copies": sum(1 for v in out.enriched.values() if len(v) > 1),
            "ids_differing": out.ids_differing(), "fields_differing": dict(out.differing()),
            "deadletter": sum(out.deadletter.values()),
        }
        print("figures:", figures)
        assert not lost, f"{len(lost)} lost, e.g. {sorted(lost)[:5]}"
        assert not out.deadletter, dict(out.deadletter)  # every input is valid
        return figures
    finally:
        for w in workers:
            w.stop()
        kafka_local.stop(state)


@pytest.mark.timeout(600)
def test_sigkill_mid_stream_loses_nothing(tmp_path: Path) -> None:
    run_sigkill(tmp_path, 400)


@pytest.mark.faults
@pytest.mark.timeout(1500)  # a stalled worker shows as a timeout of `collect`, not of pytest
def test_sigkill_mid_stream_2000(tmp_path: Path) -> None:
    run_sigkill(tmp_path, 2000)
