"""First-seen by time key (issues 11 and 16): within the window, what is flagged does not depend on arrival order.

An article's time key is (publication time, capped at its record time, else record time; record time in
milliseconds; id). The
reference is one process fed in time-key order, where nothing is ever corrected. Any other arrival order, in one
process, routed one article at a time, or routed with batches of several partitions racing to each owner, must
end with the same flags once the corrections are applied (a pointer at a paragraph that is itself an exact
repeat stands for that paragraph's original: that is what an exact flag says).

The random article sets (fixed seeds: every run is the same) draw paragraphs from "families": a news paragraph
and its near variants (one word changed), each family carried by at most two articles, since repetition
boilerplate (a third carrier) is judged when an article is decided and not revised (docs/dedup.md); plus
paragraphs of their own, boilerplate lines and short lines, repeats inside an article, equal times and
publication times.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pytest

from streams.dedup import Deduplicator, Duplicate
from streams.dedup.deduplicator import Decision, time_key
from tests.dedup.devset import load_devset
from tests.dedup.harness import Racing, Routed

NOW = 1_728_800_000.0
DAY = 86400.0
WEEK = 7 * DAY

Flag = tuple[str, str | None, int | None, float] | None


@dataclass(frozen=True)
class Art:
    id: str
    paragraphs: tuple[str, ...]
    now: float  # record time
    published: float | None

    @property
    def key(self) -> tuple[int, int, str]:
        return time_key(self.now if self.published is None else min(self.published, self.now), self.now, self.id)


def _pool() -> list[str]:
    """Distinct news paragraphs of 32-45 words, nothing like each other (one per dev-set article)."""
    texts = []
    for article in load_devset()[2:120]:
        for text, label in zip(article["paragraphs"], article["labels"], strict=True):
            if label["kind"] is None and 32 <= len(text.split()) <= 45 and (label["jaccard"] or 0) < 0.3:
                texts.append(text)
                break
    return texts[:12]


POOL = _pool()
BOILERPLATE = "Baca juga: Harga Cabai Rawit di Pasar Induk Naik Lagi"
SHORT = "Foto: dokumentasi"


def variant(text: str, n: int) -> str:
    """Family member n: 0 is the paragraph itself, 1 and 2 change one word each (near it, not near each other)."""
    if n == 0:
        return text
    words = text.split()
    words[4 + 11 * n] = f"katabaru{n}"
    return " ".join(words)


def random_set(rng: random.Random, articles: int, carriers: int = 2) -> list[Art]:
    """Articles within one window, sharing families of paragraphs (each family with at most `carriers` articles)."""
    users: dict[int, set[int]] = {}
    base = NOW + rng.randrange(0, 3600)
    times = [base + rng.choice([0, 0, rng.randrange(0, int(WEEK))]) for _ in range(articles)]
    out = []
    ids = rng.sample(["a", "b", "c", "d", "e", "f"], articles)
    for j in range(articles):
        paragraphs: list[str] = []
        for _ in range(rng.randint(1, 4)):
            roll = rng.random()
            if roll < 0.65:
                free = [f for f in range(len(POOL)) if j in users.get(f, set()) or len(users.get(f, set())) < carriers]
                family = rng.choice(free)
                users.setdefault(family, set()).add(j)
                paragraphs.append(variant(POOL[family], rng.choice([0, 0, 1, 2])))
            elif roll < 0.75 and paragraphs:
                paragraphs.append(rng.choice(paragraphs))  # the article repeats itself
            elif roll < 0.85:
                paragraphs.append(f"Paragraf milik artikel {ids[j]} sendiri, nomor {len(paragraphs)}, tanpa salinan.")
            elif roll < 0.93:
                paragraphs.append(BOILERPLATE)
            else:
                paragraphs.append(SHORT)
        t = times[j] + rng.choice([0, 0, rng.randrange(1000) / 1000])  # two in the same second: ms, then id
        if rng.random() < 0.4:  # a publication time, and the record some hours after it
            out.append(Art(ids[j], tuple(paragraphs), t + rng.randrange(0, 6 * 3600), float(int(t))))
        else:
            out.append(Art(ids[j], tuple(paragraphs), t, None))
    return out


def _flag(d: Duplicate | None) -> Flag:
    return None if d is None else (d.kind, d.article_id, d.index, round(d.similarity, 4))


def settle(decided: Iterable[tuple[str, Decision]]) -> dict[str, list[Flag]]:
    """Every article's flags once the corrections are applied, pointers resolved.

    A correction supersedes the article's own flag whenever it comes (batches racing on several partitions can
    emit it before the article it corrects); of two corrections of one paragraph, exact beats near and a higher
    similarity a lower one.
    """
    flags: dict[str, list[Flag]] = {}
    corrections: dict[tuple[str, int], Flag] = {}
    for article_id, decision in decided:
        flags[article_id] = [_flag(v.duplicate) for v in decision.verdicts]
        for c in decision.corrections:
            old = corrections.get((c.article_id, c.index))
            new = _flag(c.duplicate)
            if old is None or (new is not None and (new[0] == "exact", new[3]) > (old[0] == "exact", old[3])):
                corrections[c.article_id, c.index] = new
    for (article_id, index), flag in corrections.items():
        flags[article_id][index] = flag
    for article_id, row in flags.items():
        for i, flag in enumerate(row):
            hops = 0
            while flag is not None and flag[1] is not None and hops < 10:
                target = flags[flag[1]][flag[2] or 0]
                if target is None or target[0] != "exact" or (flag[1], flag[2]) == (article_id, i):
                    break
                flag = (flag[0], target[1], target[2], flag[3])
                hops += 1
            row[i] = flag
    return flags


def reference(articles: Sequence[Art]) -> dict[str, list[Flag]]:
    """One process in time-key order: nothing is ever corrected there."""
    dedup = Deduplicator()
    decided = []
    for a in sorted(articles, key=lambda a: a.key):
        decision = dedup.process_article(a.id, a.paragraphs, a.now, published=a.published)
        assert decision.corrections == [], a.id
        decided.append((a.id, decision))
    return settle(decided)


def one_process(order: Sequence[Art]) -> dict[str, list[Flag]]:
    dedup = Deduplicator()
    return settle((a.id, dedup.process_article(a.id, a.paragraphs, a.now, published=a.published)) for a in order)


def routed(order: Sequence[Art]) -> dict[str, list[Flag]]:
    r = Routed(4)
    return settle((a.id, r.process_article(a.id, a.paragraphs, a.now, published=a.published)) for a in order)


CASES = [random_set(random.Random(seed), 2 + seed % 3) for seed in range(240)]


def test_the_random_sets_exercise_every_relation() -> None:
    kinds: dict[str, int] = {"exact": 0, "near": 0, "boilerplate": 0}
    corrected = 0
    for articles in CASES:
        for row in reference(articles).values():
            for flag in row:
                if flag is not None:
                    kinds[flag[0]] += 1
        dedup = Deduplicator()
        corrected += sum(len(dedup.process_article(a.id, a.paragraphs, a.now, published=a.published).corrections)
                         for a in sorted(articles, key=lambda a: a.key, reverse=True))
    assert min(kinds.values()) > 50, kinds
    assert corrected > 100


@pytest.mark.parametrize("chunk", range(8))
def test_one_process_decisions_do_not_depend_on_arrival_order(chunk: int) -> None:
    for articles in CASES[chunk::8]:
        want = reference(articles)
        for order in itertools.permutations(articles):
            assert one_process(order) == want, [a.id for a in order]


@pytest.mark.parametrize("chunk", range(4))
def test_routed_decisions_do_not_depend_on_arrival_order(chunk: int) -> None:
    for articles in CASES[chunk::8]:
        want = reference(articles)
        for order in itertools.permutations(articles):
            assert routed(order) == want, [a.id for a in order]


@pytest.mark.parametrize("chunk", range(4))
def test_batches_racing_to_the_owners_decide_as_in_time_order(chunk: int) -> None:
    # Each article in a batch of its own (its own partition), or two batches of several; every owner partition
    # sees the batches' probe messages in an order of its own.
    rng = random.Random(chunk)
    for articles in CASES[chunk::4]:
        want = reference(articles)
        for _ in range(6):
            shuffled = list(articles)
            rng.shuffle(shuffled)
            cut = rng.randint(0, len(shuffled))
            halves = [g for g in (shuffled[:cut], shuffled[cut:]) if g]
            groups = [[a] for a in shuffled] if rng.random() < 0.5 else halves
            racing = Racing(4)
            decided = racing.run([[(a.id, a.paragraphs, a.now, a.published) for a in g] for g in groups], rng)
            got = settle(pair for batch in decided for pair in batch)
            assert got == want, [[a.id for a in g] for g in groups]


def _unresolved(decided: Iterable[tuple[str, Decision]]) -> dict[str, list[Flag]]:
    """Final flags as emitted (corrections applied, pointers not followed)."""
    flags: dict[str, list[Flag]] = {}
    corrections = []
    for article_id, decision in decided:
        flags[article_id] = [_flag(v.duplicate) for v in decision.verdicts]
        corrections += decision.corrections
    for c in sorted(corrections, key=lambda c: (c.duplicate.kind == "exact", c.duplicate.similarity)):
        flags[c.article_id][c.index] = _flag(c.duplicate)
    return flags


@pytest.mark.parametrize("chunk", range(4))
def test_with_many_copies_no_flag_points_later_and_every_copy_is_flagged(chunk: int) -> None:
    # Families carried by up to four articles: repetition boilerplate and chains of near copies, which are judged
    # when an article is decided and not all revised (docs/dedup.md). What holds in every order even so: no flag
    # points at an article with a later time key, every copy of a paragraph is flagged, and its earliest carrier
    # is never flagged exact.
    rng = random.Random(100 + chunk)
    for seed in range(40):
        articles = random_set(random.Random(1000 * chunk + seed), 4, carriers=4)
        keys = {a.id: a.key for a in articles}
        for order in rng.sample(list(itertools.permutations(articles)), 8):
            dedup = Deduplicator()
            flags = _unresolved((a.id, dedup.process_article(a.id, a.paragraphs, a.now, published=a.published))
                                for a in order)
            carriers: dict[str, list[tuple[tuple[int, int, str], str, int]]] = {}
            for a in articles:
                for i, text in enumerate(a.paragraphs):
                    flag = flags[a.id][i]
                    if flag is not None and flag[1] is not None:
                        assert keys[flag[1]] <= keys[a.id], (a.id, i, flag, [o.id for o in order])
                    if len(text.split()) > 20 and text not in a.paragraphs[:i]:
                        carriers.setdefault(text, []).append((a.key, a.id, i))
            for held in carriers.values():
                (_, first, index), *copies = sorted(held)
                assert flags[first][index] is None or flags[first][index][0] == "near", (first, index)
                for _, article_id, i in copies:
                    assert flags[article_id][i] is not None, (article_id, i, [o.id for o in order])


def test_the_dev_set_in_reverse_never_points_at_a_later_article() -> None:
    articles = load_devset()
    dedup = Deduplicator()
    decided = [(f"{n:04d}", dedup.process_article(f"{n:04d}", list(a["paragraphs"]), NOW + n))
               for n, a in reversed(list(enumerate(articles)))]
    flags = _unresolved(decided)
    later = [(a, i) for a, row in flags.items() for i, f in enumerate(row) if f and f[1] is not None and f[1] > a]
    assert later == []
    assert sum(len(d.corrections) for _, d in decided) > 500
