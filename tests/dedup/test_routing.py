"""Routed dedup without Kafka: partitions as dicts; the routed verdicts equal one process's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from streams.dedup import Deduplicator, ParagraphVerdict
from streams.dedup.fingerprint import EXACT_PREFIX
from streams.dedup.routing import (
    WATERMARK,
    owner_of,
    probes_for,
    sweep_keys,
    unpack_owned,
)
from tests.dedup.harness import Batched, Routed

DATA = Path(__file__).parent.parent / "data" / "dedup"
SEED = (DATA / "seed-000_59858f91a7a8876a.txt").read_text(encoding="utf-8").splitlines()
NOW = 1_728_800_000.0
WEEK = 7 * 86400.0


def _articles() -> list[tuple[str, list[str]]]:
    rows = [json.loads(line) for line in (DATA / "devset.jsonl").read_text("utf-8").splitlines() if line.strip()]
    return [(r["id"], r["paragraphs"]) for r in rows[:150]]


def test_routed_verdicts_equal_one_process_on_the_dev_set() -> None:
    articles = _articles()
    single, routed = Deduplicator(), Routed(4)
    flagged = 0
    for i, (article_id, paragraphs) in enumerate(articles):
        want = single.process(article_id, paragraphs, NOW + i)
        got = routed.process(article_id, paragraphs, NOW + i)
        assert got == want, article_id
        flagged += sum(v.duplicate is not None for v in want)
    assert flagged > 50  # the set really exercises exact, near and boilerplate
    # At most partitions probes (and as many fetches) per article, not one message per key.
    assert routed.messages <= len(articles) * 4 * 4


@pytest.mark.parametrize("size", [1, 7, 40])
def test_overlapping_batches_give_one_process_verdicts(size: int) -> None:
    articles = [(a, ps, NOW + i, i) for i, (a, ps) in enumerate(_articles())]
    single = Deduplicator()
    want = [single.process(a, ps, now) for a, ps, now, _ in articles]
    batched = Batched(4)
    batches = [articles[k:k + size] for k in range(0, len(articles), size)]
    got: list[list[ParagraphVerdict]] = []
    previous: tuple[str, list[tuple[str, list[str], float, int]], list[dict[bytes, bytes | None]]] | None = None
    for k, batch in enumerate(batches):
        answered = batched.round_one(f"b{k}", batch)
        if previous is not None:  # the previous batch's round two comes after this batch's round one
            got.extend(batched.round_two(*previous))
        previous = (f"b{k}", batch, answered)
    assert previous is not None
    got.extend(batched.round_two(*previous))
    for (article_id, *_), w, g in zip(articles, want, got, strict=True):
        assert g == w, article_id
    assert batched.fetches > 0  # the set really needs round two


def test_seed_sent_twice_points_at_the_first_and_boilerplate_stays() -> None:
    routed = Routed(4)
    routed.process("seed", SEED, NOW, token=1)
    second = routed.process("seed", SEED, NOW, token=2)  # same id, same second, but a new Kafka record
    for v in second:
        assert v.duplicate is not None
        if v.index == 11:
            assert v.duplicate.kind == "boilerplate"
        else:
            assert (v.duplicate.kind, v.duplicate.article_id, v.duplicate.index) == ("exact", "seed", v.index)


def test_redelivery_is_not_duplication() -> None:
    routed = Routed(4)
    first = routed.process("seed", SEED, NOW, token=7)
    other = routed.process("other", SEED[:3], NOW + 5, token=8)
    again = routed.process("seed", SEED, NOW, token=7)  # the same Kafka record, re-read after a crash
    assert again == first
    assert [v.duplicate.article_id for v in other if v.duplicate] == ["seed", "seed", "seed"]
    # The carrier counted before the redelivery is still counted.
    key = Deduplicator().plan("seed", SEED, NOW).prints[0]
    assert key is not None
    owner = routed.stores[owner_of(key.exact_key, 4)]
    assert unpack_owned(owner[key.exact_key])[1].articles == 2


def test_replay_in_the_same_order_gives_the_same_flags() -> None:
    articles = _articles()[:60]
    runs = []
    for _ in range(2):
        routed = Routed(4)
        runs.append([routed.process(a, ps, NOW + i, token=i) for i, (a, ps) in enumerate(articles)])
    assert runs[0] == runs[1]


def test_expired_records_are_not_matched_and_the_sweep_bounds_the_store() -> None:
    routed = Routed(4)
    routed.process("old", SEED, NOW)
    later = routed.process("new", SEED, NOW + WEEK + 1)
    assert all(v.duplicate is None or v.duplicate.article_id in (None, "new") for v in later)
    sizes = [len(s) for s in routed.stores]
    for store in routed.stores:
        for key in sweep_keys(store.items(), NOW + WEEK + 1, WEEK):
            del store[key]
    # The old article's records were overwritten by the new one; nothing of "old" is left.
    assert all(unpack_owned(v)[1].article_id == "new" for s in routed.stores for k, v in s.items()
               if k[:1] == EXACT_PREFIX)
    for store in routed.stores:
        for key in sweep_keys(store.items(), NOW + 3 * WEEK, WEEK):
            del store[key]
    assert [set(s) - {WATERMARK} for s in routed.stores] == [set()] * 4
    assert sum(sizes) > 4


@pytest.mark.parametrize("partitions", [1, 2, 3, 4, 8])
def test_ownership_is_stable_and_spread(partitions: int) -> None:
    plan = Deduplicator().plan("seed", SEED, NOW)
    keys = [*plan.exact_keys(), *plan.band_keys()]
    owners = [owner_of(k, partitions) for k in keys]
    assert owners == [owner_of(k, partitions) for k in keys]
    assert set(owners) == set(range(partitions))
    assert len(probes_for(plan, 1, 0, partitions)) == partitions


def test_round_two_reads_the_owner_as_the_article_saw_it() -> None:
    # X's paragraph has expired for A (a near copy of it); B, a batch later, copies it exactly and so claims its
    # exact key anew. Read after B's claim, A's band candidate would be B's paragraph: an article after A.
    text = max(SEED, key=len)
    words = text.split()
    near = " ".join([*words[:4], "berbeda", *words[5:]])
    batched = Batched(4)
    x = [("X", [text], NOW, 1)]
    a = [("A", [near], NOW + WEEK + 100, 2)]
    b = [("B", [text], NOW + WEEK + 101, 3)]
    batched.round_two("x", x, batched.round_one("x", x))
    answered_a = batched.round_one("a", a)
    batched.round_one("b", b)
    [verdicts] = batched.round_two("a", a, answered_a)
    assert verdicts[0].duplicate is None  # as one process: X's paragraph is forgotten, B has not come yet
    assert batched.fetches == 1


def test_a_late_earlier_original_takes_over_and_its_redelivery_corrects_again() -> None:
    text = max(SEED, key=len)
    routed = Routed(4)
    routed.process_article("copy", [text], NOW + 60, token=1)
    first = routed.process_article("orig", [text], NOW + 120, token=2, published=NOW)
    assert first.verdicts[0].duplicate is None
    [c] = first.corrections
    assert (c.article_id, c.index, c.duplicate.kind, c.duplicate.article_id, c.duplicate.index) == (
        "copy", 0, "exact", "orig", 0)
    # The same Kafka record read again after a crash: the owner answers what the first delivery saw.
    again = routed.process_article("orig", [text], NOW + 120, token=2, published=NOW)
    assert again.verdicts == first.verdicts and again.corrections == first.corrections
    # The carriers of both are counted: a third article carrying the line makes it repetition boilerplate.
    third = routed.process_article("third", [text], NOW + 180, token=3)
    assert third.verdicts[0].duplicate is not None and third.verdicts[0].duplicate.kind == "boilerplate"
    fp = Deduplicator().plan("x", [text], NOW).prints[0]
    assert fp is not None
    record = unpack_owned(routed.stores[owner_of(fp.exact_key, 4)][fp.exact_key])[1]
    # Furniture now: the original keeps its time key, and the line stays known a window after its newest sighting.
    assert (record.article_id, record.articles, record.key) == ("orig", 3, (int(NOW), int(NOW + 120) * 1000, "orig"))
    assert record.newest == int(NOW + 180)
