"""Routed dedup on the real broker: two workers, SIGKILL with a fresh data dir, the seed twice, expiry, and the
earliest article staying the original whatever partition reaches a key's owner first."""

from __future__ import annotations

import itertools
import json
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from streams import codec
from tests.acceptance import SEED_ID, assert_seed_dedup
from tests.conftest import ROOT, SEED, WorkerProcess, consume_until

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("dedup-cluster")]

PARAS = SEED.read_text("utf-8").splitlines()
DAY_MS = 86_400_000


def send(bootstrap: str, topic: str, records: list[tuple[str, list[str], int | None, int | None]]) -> None:
    """Send (article id, paragraphs, partition, timestamp_ms) records, in order, and wait for the broker."""
    from streams.admin import producer

    p = producer(bootstrap)
    for article_id, paragraphs, partition, ts in records:
        value = codec.dumps({"id": article_id, "paragraphs": paragraphs})
        p.send(topic, key=article_id.encode(), value=value, partition=partition, timestamp_ms=ts)
        p.flush()  # one at a time: the order of the input is the order of first occurrence
    p.close()


def final_flags(deduped: Iterable[dict[str, Any]], duplicates: Iterable[dict[str, Any]]
                ) -> dict[str, dict[int, tuple[str, str | None, int | None]]]:
    """Each article's flags on `deduped` (its last copy), with the correction records of `duplicates` applied: a
    correction supersedes the article's own flag whenever it comes (docs/dedup.md)."""
    out = {d["id"]: flags(d) for d in deduped}
    for audit in duplicates:
        if audit.get("correction") and audit["article_id"] in out:
            out[audit["article_id"]][audit["index"]] = (audit["kind"], audit["first_article_id"], audit["first_index"])
    return out


def docs(bootstrap: str, topic: str, done: Callable[[list[dict[str, Any]]], bool], *workers: WorkerProcess,
         timeout: float = 120) -> list[dict[str, Any]]:
    """Read a topic until `done` holds for the decoded records; print the workers' logs on failure."""
    try:
        recs = consume_until(bootstrap, topic, lambda got: done([codec.loads(r.value) for r in got]),
                             timeout=timeout, workers=workers)
    except AssertionError:
        for w in workers:
            print(w.output()[-6000:])
        raise
    return [codec.loads(r.value) for r in recs]


def ready(*workers: WorkerProcess, times: tuple[int, ...] = (), timeout: float = 90) -> None:
    """Wait until each worker has logged "Worker ready" (at least `times[i]` times: after a rebalance)."""
    deadline = time.monotonic() + timeout
    wanted = times or (1,) * len(workers)
    while time.monotonic() < deadline:
        if all(w.output().count("Worker ready") >= n for w, n in zip(workers, wanted, strict=True)):
            return
        for w in workers:
            assert w.proc.poll() is None, w.output()[-4000:]
        time.sleep(0.3)
    raise AssertionError("workers not ready:\n" + "\n".join(w.output()[-3000:] for w in workers))


def emitted_by(worker: WorkerProcess) -> set[str]:
    """Article ids this worker's assembler emitted (its log line per article)."""
    return set(re.findall(r"dedup emitted (\S+) from partition", worker.output()))


def flags(doc: dict[str, Any]) -> dict[int, tuple[str, str | None, int | None]]:
    """index -> (kind, first article, first index) of the flagged paragraphs."""
    return {p["index"]: (d["kind"], d["article_id"], d["index"])
            for p in doc["paragraphs"] if (d := p["duplicate"]) is not None}


def near_copy(text: str, n: int) -> str:
    """One word changed in a long paragraph (at a place of its own per `n`): a near duplicate of it."""
    words = text.split()
    words[4 * n] = f"kata{n}"
    return " ".join(words)


def test_two_workers_recognize_each_others_paragraphs(kafka_bootstrap: str, prefix: str,
                                                      worker_factory: Any) -> None:
    w1 = worker_factory(prefix, agents="dedup", name="w1")
    ready(w1)
    w2 = worker_factory(prefix, agents="dedup", name="w2")
    ready(w1, w2, times=(2, 1))
    time.sleep(2)
    a = [p for p in PARAS if len(p.split()) > 20][:6]
    # A first, on partition 0, and done before the copies are sent (it is the earliest by time key anyway:
    # docs/dedup.md); then one copy per other partition: the other worker owns some.
    send(kafka_bootstrap, f"{prefix}articles", [("A", a, 0, None)])
    docs(kafka_bootstrap, f"{prefix}deduped", lambda got: len(got) >= 1, w1, w2)
    records: list[tuple[str, list[str], int | None, int | None]] = []
    for part in (1, 2, 3):
        records.append((f"copy{part}", [f"Paragraf baru nomor {part} tentang hal lain sama sekali.", a[1], a[2],
                                        near_copy(a[3], part)], part, None))
    send(kafka_bootstrap, f"{prefix}articles", records)
    out = docs(kafka_bootstrap, f"{prefix}deduped", lambda got: len({d["id"] for d in got}) >= 4, w1, w2)
    by_id = {d["id"]: d for d in out}
    assert flags(by_id["A"]) == {}
    for part in (1, 2, 3):
        got = flags(by_id[f"copy{part}"])
        assert got[1] == ("exact", "A", 1) and got[2] == ("exact", "A", 2), got
        assert got[3] == ("near", "A", 3), got
        assert 0 not in got
    # Proof that the memory crossed workers: A and some copy were emitted by different workers.
    first = w1 if "A" in emitted_by(w1) else w2
    other = w2 if first is w1 else w1
    assert "A" not in emitted_by(other)
    assert emitted_by(other) & {"copy1", "copy2", "copy3"}, (emitted_by(w1), emitted_by(w2))
    # The memory's changelogs are compaction-only (no time retention that could cut recovery short).
    from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        for name in ("dedup-index",):  # the stage's only table: in-flight articles are not stored
            topic = f"{prefix}workers-{name}-changelog"
            described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)],
                                               config_filter="all")
            configs = next(iter(described.values()))[topic]
            policy = configs["cleanup.policy"]
            policy = policy.get("value", policy) if isinstance(policy, dict) else policy
            assert policy == "compact", (topic, configs["cleanup.policy"])
    finally:
        admin.close()


# Behind `make test-faults` for now: in a fresh-clone `make test` on 2 loaded cores (2026-12-03, one run in three)
# the worker that took over after the SIGKILL was assigned every partition, emitted one dedup batch, then nothing
# for two minutes (the same stall as the stories and poison kill tests; passes alone, 3 of 3 in parallel). Open
# under issue 11: the stream must not stall after a takeover.
@pytest.mark.faults
def test_sigkill_and_fresh_data_dir_remember_and_lose_nothing(kafka_bootstrap: str, prefix: str,
                                                              worker_factory: Any) -> None:
    w1 = worker_factory(prefix, name="w1")
    ready(w1)
    batch = [(f"k{i:02d}", [f"Artikel nomor {i} dengan isi yang sama sekali berbeda dari lainnya.", *PARAS[i % 5:][:4]],
              None, None) for i in range(12)]
    batch.insert(0, ("orig", PARAS, None, None))
    send(kafka_bootstrap, f"{prefix}articles", batch)
    docs(kafka_bootstrap, f"{prefix}deduped", lambda got: len(got) >= 6, w1)
    w1.kill()  # SIGKILL, mid-stream or just after
    w2 = worker_factory(prefix, name="w2")  # a fresh --data-dir: the memory comes back from the changelogs
    started = time.monotonic()
    ready(w2)
    send(kafka_bootstrap, f"{prefix}articles", [("after", [PARAS[0], PARAS[3], "Kalimat penutup yang baru saja "
                                                           "ditulis untuk artikel ini."], None, None)])
    ids = {r[0] for r in batch} | {"after"}
    out = docs(kafka_bootstrap, f"{prefix}enriched", lambda got: {d["id"] for d in got} >= ids, w2, timeout=150)
    print(f"recovered and answered after {time.monotonic() - started:.1f}s")
    by_id: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in out:
        by_id[d["id"]].append(d)
    assert flags(by_id["after"][-1])[0] == ("exact", "orig", 0)
    assert flags(by_id["after"][-1])[1] == ("exact", "orig", 3)
    for article_id, copies in by_id.items():
        # Redelivered after the kill: same flags every time, and never against its own paragraph.
        assert all(flags(c) == flags(copies[0]) for c in copies), article_id
        for index, (_, first, first_index) in flags(copies[0]).items():
            assert (first, first_index) != (article_id, index), (article_id, index)
    assert flags(by_id["orig"][0]).keys() == {5, 11}


def test_seed_sent_twice_points_every_paragraph_at_the_first(kafka_bootstrap: str, prefix: str,
                                                             worker_factory: Any) -> None:
    w1 = worker_factory(prefix, agents="dedup", name="w1")
    ready(w1)
    seed = [(SEED_ID, PARAS, None, None)] * 2
    send(kafka_bootstrap, f"{prefix}articles", seed)
    out = docs(kafka_bootstrap, f"{prefix}deduped", lambda got: len(got) >= 2, w1)
    first, second = sorted(out, key=lambda d: len(flags(d)))
    assert_seed_dedup(first)
    got = flags(second)
    assert got[11] == ("boilerplate", None, None)
    assert {i: f for i, f in got.items() if i != 11} == {i: ("exact", SEED_ID, i) for i in range(15) if i != 11}


@pytest.mark.parametrize("partition", [0, None], ids=["one-partition", "spread"])
def test_records_older_than_the_window_are_not_matched_and_are_swept(kafka_bootstrap: str, prefix: str,
                                                                      worker_factory: Any, partition: int | None
                                                                      ) -> None:
    w1 = worker_factory(prefix, agents="dedup", name="w1")
    ready(w1)
    now_ms = int(time.time() * 1000)
    # Spread over partitions they are processed in any order (issue 11): an article more than a window older
    # than another neither sees nor replaces it, whichever comes first; a late earlier one corrects.
    send(kafka_bootstrap, f"{prefix}articles", [
        ("old", PARAS, partition, now_ms - 9 * DAY_MS),
        ("recent", PARAS[6:9], partition, now_ms - 1 * DAY_MS),
        ("new", [PARAS[0], PARAS[1], PARAS[7], "Satu paragraf baru yang belum pernah muncul di mana pun."], partition,
         now_ms),
    ])
    out = docs(kafka_bootstrap, f"{prefix}deduped", lambda got: len(got) >= 3, w1)
    audits = docs(kafka_bootstrap, f"{prefix}duplicates",
                  lambda got: final_flags(out, got).get("new") == {2: ("exact", "recent", 1)}, w1, timeout=30)
    final = final_flags(out, audits)
    assert final["new"] == {2: ("exact", "recent", 1)}  # p0, p1 of "old" are 9 days old: forgotten
    assert final["recent"] == {}
    # A sweep on every partition deletes what is out of the window.
    from streams.admin import producer

    p = producer(kafka_bootstrap)
    for part in range(4):
        p.send(f"{prefix}dedup-probes", key=b"tick", value=codec.dumps({"kind": "tick", "sent_at": time.time()}),
               partition=part)
    p.flush()
    p.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and w1.output().count("dedup sweep of partition") < 4:
        time.sleep(0.3)
    swept = [int(n) for n in re.findall(r"dedup sweep of partition \d+ at \d+: (\d+) index keys", w1.output())]
    assert len(swept) == 4 and sum(swept) > 0, w1.output()[-3000:]


def test_the_demos_wire_articles_sent_at_once_in_every_order_flag_as_enrich_does(kafka_bootstrap: str, prefix: str,
                                                                                   worker_factory: Any) -> None:
    """Issue 16: the four wire articles of the demo, produced at once in every order over the partitions: the final
    flags (`deduped` with the corrections on `duplicates`) equal `warta enrich`'s on the file.

    Each round is the same four articles under ids of their own, 30 days (over a window) after the previous
    round, so rounds do not see each other; a round is sent once the previous one is out. (Rounds going back in
    time, or sent all at once, would meet the window's designed limit instead: an article more than a window
    older than a paragraph's stored original neither matches nor replaces it; docs/dedup.md.)"""
    from streams.admin import producer, topic_reader
    from streams.article import article_from_dict
    from streams.dedup import Deduplicator
    from streams.pipeline import dedup_stage

    rows = [json.loads(line) for line in (ROOT / "examples" / "002_wire_en.jsonl").read_text("utf-8").splitlines()
            if line.strip()]
    enrich = Deduplicator()  # what `warta enrich examples/002_wire_en.jsonl` decides, in file order
    want = {}
    for row in rows:
        doc, _ = dedup_stage(article_from_dict(row, None), enrich, record_time=time.time(), clock=time.time)
        want[row["id"]] = flags(doc)
    assert want["wire-en-0004"] and not want["wire-en-0001"].keys() - {2}

    # Round n: a permutation, each article on a partition of its own (position j -> partition j), or the same 50 ms
    # apart (each decided before the next comes: a late original corrects), or all four on one partition in that
    # order; the record time is a day after the round's last publication time.
    rounds = [(perm, placement) for placement in ("spread", "staggered", "one")
              for perm in itertools.permutations(range(4))]
    first = datetime(2024, 10, 18, tzinfo=UTC) - timedelta(days=30 * len(rounds))

    def shifted(row: dict[str, Any], n: int) -> dict[str, Any]:
        published = datetime.fromisoformat(row["published_at"].replace("Z", "+00:00")) - timedelta(
            days=30 * (len(rounds) - n))
        return {**row, "id": f"{row['id']}-r{n:02d}", "published_at": published.isoformat()}

    w1 = worker_factory(prefix, agents="dedup", name="w1")
    ready(w1)
    p = producer(kafka_bootstrap)
    reader = topic_reader(kafka_bootstrap, f"{prefix}deduped")
    out: list[dict[str, Any]] = []
    try:
        for n, (perm, placement) in enumerate(rounds):
            ts = int((first + timedelta(days=30 * n)).timestamp() * 1000)
            for j, k in enumerate(perm):
                row = shifted(rows[k], n)
                p.send(f"{prefix}articles", key=row["id"].encode(), value=codec.dumps(row),
                       partition=n % 4 if placement == "one" else j, timestamp_ms=ts + j)
                if placement == "staggered":
                    p.flush()
                    time.sleep(0.05)
            p.flush()  # the round at once: its articles race to the keys' owners from four partitions
            deadline = time.monotonic() + 60
            while sum(d["id"].endswith(f"-r{n:02d}") for d in out) < 4:
                assert time.monotonic() < deadline, f"round {n}: {len(out)} articles out\n{w1.output()[-3000:]}"
                for records in reader.poll(timeout_ms=200).values():
                    out.extend(codec.loads(r.value) for r in records)
    finally:
        reader.close()
        p.close()

    def base(flagged: dict[int, tuple[str, str | None, int | None]]) -> dict[int, tuple[str, str | None, int | None]]:
        return {i: (kind, None if first is None else first.rsplit("-r", 1)[0], index)
                for i, (kind, first, index) in flagged.items()}

    def wrong(audits: list[dict[str, Any]]) -> list[str]:
        final = final_flags(out, audits)
        return [f"round {n} {rounds[n]}: {a} {base(final[f'{a}-r{n:02d}'])}" for n in range(len(rounds))
                for a in want if base(final[f"{a}-r{n:02d}"]) != want[a]]

    audits: list[dict[str, Any]] = []

    def settled(got: list[Any]) -> bool:
        audits[:] = [codec.loads(r.value) for r in got]
        return not wrong(audits)

    try:
        consume_until(kafka_bootstrap, f"{prefix}duplicates", settled, timeout=30, workers=(w1,))
    except AssertionError:
        raise AssertionError("\n".join(wrong(audits))) from None
    corrected = {a["article_id"].rsplit("-r", 1)[1] for a in audits if a.get("correction")}
    print(f"{len(rounds)} rounds, {len(corrected)} of them corrected a copy decided before its original")
    assert len(corrected) >= 6  # the staggered rounds with the copy first (12 of 24) mostly need a correction
    # The originals are never flagged as copies, not even for a moment on `deduped`.
    for d in out:
        if d["id"].startswith("wire-en-0001"):
            assert set(flags(d)) == {2}, d["id"]
