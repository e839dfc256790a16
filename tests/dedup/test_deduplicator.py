"""Tests for the deduplicator on the seed article and small realistic cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.dedup import DedupConfig, Deduplicator, clean_text, expire, jaccard

DATA = Path(__file__).parent.parent / "data" / "dedup"
SEED = (DATA / "seed-000_59858f91a7a8876a.txt").read_text(encoding="utf-8").splitlines()
NOW = 1_728_800_000.0


def test_seed_flags_p6_near_p4_and_p12_boilerplate() -> None:
    verdicts = Deduplicator().process("seed", SEED, NOW)
    flagged = {v.index: v.duplicate for v in verdicts if v.duplicate is not None}
    assert sorted(flagged) == [5, 11]
    near = flagged[5]
    assert near is not None and (near.kind, near.article_id, near.index) == ("near", "seed", 3)
    assert abs(near.similarity - jaccard(SEED[5], SEED[3])) < 0.1
    assert flagged[11] is not None and flagged[11].kind == "boilerplate" and flagged[11].index is None
    assert len(clean_text(verdicts).split("\n")) == 13


@pytest.mark.parametrize("second_id", ["seed", "seed-copy"])
def test_seed_sent_twice_every_paragraph_repeats_the_first(second_id: str) -> None:
    dedup = Deduplicator()
    dedup.process("seed", SEED, NOW)
    verdicts = dedup.process(second_id, SEED, NOW + 60)
    for v in verdicts:
        assert v.duplicate is not None
        if v.index == 11:
            assert v.duplicate.kind == "boilerplate"
        else:
            assert (v.duplicate.kind, v.duplicate.article_id, v.duplicate.index) == ("exact", "seed", v.index)
    assert clean_text(verdicts) == ""


def test_replay_gives_identical_verdicts() -> None:
    runs = []
    for _ in range(2):
        dedup = Deduplicator()
        runs.append([dedup.process(f"a{i}", SEED[i:] + SEED[:i], NOW + i) for i in range(4)])
    assert runs[0] == runs[1]


def test_records_outside_the_window_are_absent_then_expired() -> None:
    store: dict[bytes, bytes] = {}
    week = DedupConfig().window_seconds
    Deduplicator(store).process("old", SEED, NOW)
    later = Deduplicator(store).process("new", SEED, NOW + week + 1)
    # Nothing points at the expired article; p6 is still near p4, now within the new one.
    assert all(v.duplicate is None or v.duplicate.article_id in (None, "new") for v in later)
    assert [v.index for v in later if v.duplicate is not None] == [5, 11]
    before = len(store)
    assert expire(store, NOW + week + 1, week) == 0
    assert expire(store, NOW + 2 * week + 2, week) == before
    assert store == {}


def test_an_older_article_arriving_late_does_not_change_what_a_newer_one_matches() -> None:
    # Issue 11: "old" is 8 days older than "new", "recent" in between. Whatever the order of old and recent,
    # new decides the same; recent and old (exactly a window apart) see each other, and old is the original.
    day = 86400.0
    paragraphs = [p for p in SEED if len(p) > 80]
    old, recent = paragraphs, paragraphs[6:9]
    new = [paragraphs[0], paragraphs[1], paragraphs[7]]

    Flag = tuple[str, str | None, int | None] | None

    def decisions(order: list[tuple[str, list[str], float]]) -> dict[str, list[Flag]]:
        dedup = Deduplicator()
        flags: dict[str, list[Flag]] = {}
        for article_id, paras, at in [*order, ("new", new, NOW)]:
            decision = dedup.process_article(article_id, paras, at)
            flags[article_id] = [None if (d := v.duplicate) is None else (d.kind, d.article_id, d.index)
                                 for v in decision.verdicts]
            for c in decision.corrections:
                flags[c.article_id][c.index] = (c.duplicate.kind, c.duplicate.article_id, c.duplicate.index)
        return flags

    in_order = decisions([("old", old, NOW - 8 * day), ("recent", recent, NOW - day)])
    swapped = decisions([("recent", recent, NOW - day), ("old", old, NOW - 8 * day)])
    assert in_order == swapped
    assert in_order["new"] == [None, None, None]  # old's records are 8 days old: new remembers them afresh
    assert in_order["recent"] == [("exact", "old", 6), ("exact", "old", 7), ("exact", "old", 8)]


def test_an_article_more_than_a_window_older_neither_matches_nor_replaces_a_newer_record() -> None:
    day = 86400.0
    text = max(SEED, key=len)
    dedup = Deduplicator()
    dedup.process("recent", [text], NOW)
    assert dedup.process("ancient", [text], NOW - 9 * day)[0].duplicate is None
    # The newer record stays: an article a day after "recent" still repeats it.
    later = dedup.process("later", [text], NOW + day)[0].duplicate
    assert later is not None and (later.kind, later.article_id) == ("exact", "recent")


@pytest.mark.parametrize("swapped", [False, True])
def test_in_the_same_second_the_first_recorded_is_the_original_then_the_id(swapped: bool) -> None:
    text = max(SEED, key=len)
    articles = [("zeta", NOW + 0.1), ("alpha", NOW + 0.2)]  # record times in milliseconds, as Kafka's
    dedup = Deduplicator()
    corrections = []
    for article_id, at in reversed(articles) if swapped else articles:
        corrections += dedup.process_article(article_id, [text], at).corrections
    flags = {c.article_id: c.duplicate.article_id for c in corrections}
    assert flags == ({"alpha": "zeta"} if swapped else {})
    dedup = Deduplicator()
    dedup.process("zeta", [text], NOW + 0.5)
    same = dedup.process_article("alpha", [text], NOW + 0.5)  # the same millisecond: the id decides
    assert [(c.article_id, c.duplicate.article_id) for c in same.corrections] == [("zeta", "alpha")]
