"""Paragraph deduplication: exact, near and boilerplate, within an article and across a retention window.

Rules (the contract is ``docs/DESIGN.md``):

- Patterns first. Inline boilerplate ("(Baca juga: …)", "ADVERTISEMENT") is cut out of ``clean_text``; a
  paragraph that is a boilerplate line, or nothing once cut, is ``boilerplate`` with similarity 1.0.
- Short lines are structure, not content: a paragraph of fewer than ``min_words`` (5) normalized words
  ("Bahan:", "Pasal 28:", "Foto:", a name) is never flagged exact or near, in any scope, and is not
  remembered; only the pattern files can make it boilerplate. Five words is where a 3-shingle set (3
  shingles) starts to carry a sentence rather than a label.
- ``exact``: same word sequence after normalization (NFKC, case, punctuation, quotes, spacing), found under
  one exact key. Similarity 1.0; it points at the paragraph's first sighting.
- ``near``: 3-shingle Jaccard estimated from b-bit MinHash signatures of LSH candidates, at or above
  ``near_threshold``, and shingle counts compatible with it. It points at the remembered paragraph it
  resembles most (ties: the earliest seen), and is itself remembered, so its own copies match exactly.
- Repetition boilerplate: an exact paragraph carried by ``repeat_articles`` (3) or more distinct
  articles is site furniture, unless this article also copies other content of the article where the
  line first appeared (then it is a republished copy and stays ``exact``). Three: two articles sharing a
  paragraph is ordinary republication; a third unrelated one makes a line a template.
- The earliest article is the original, whatever the arrival order. An article's time is its publication
  time (capped at its record time: it cannot be published after it arrived), else its record time; its
  time key is (time in seconds, record time in milliseconds, id). A record keeps the carrier with the
  earliest key: an article that arrives after a paragraph's original but has an earlier key takes its
  place, its own paragraph is not flagged, and the decision returns a ``Correction``: the former
  original's paragraph now repeats it (``exact``). Likewise a remembered paragraph with a later key that
  resembles the article's is corrected to ``near`` of it, instead of the article being flagged near of a
  later copy. Every hash has a fixed seed, so replaying the same input gives the same verdicts.
  Paragraphs of one article are checked in order and remembered as they go, so an article can repeat
  itself.
- Retention: two times more than ``window_seconds`` apart (7 days: a news cycle, after which a
  republished story is news again) never see each other, either way round: a record too old for the
  article is treated as absent and overwritten (lazy expiry; ``expire()`` deletes it), a record too new
  for it is left alone and the article's paragraph is not remembered. A line that has become repetition
  boilerplate stays known up to a window after its newest sighting (``last``), while it keeps appearing.

Three phases, shared with the routed stream (``streams.dedup.routing``, docs/dedup.md): ``plan_article``
is local (patterns, fingerprints); the store is read; ``decide`` replays the rules above over a read-only
view of the store as it was before the article, writing the article's own records to an overlay, so
paragraphs of one article still see each other. ``Deduplicator.process`` chains the three over one store;
the stream fetches the view from the partitions that own each key and gets the same verdicts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeAlias

from streams.dedup.boilerplate import BoilerplatePatterns, load_patterns
from streams.dedup.fingerprint import ParagraphPrint, fingerprint_words, similarity
from streams.dedup.normalize import words
from streams.dedup.records import (
    ExactRecord,
    article_hash,
    band_target,
    expire,
    expired,
    is_live,
    pack_band,
    pack_record,
    unpack_record,
)

__all__ = [
    "ArticlePlan",
    "Correction",
    "Decision",
    "DedupConfig",
    "Deduplicator",
    "Duplicate",
    "DuplicateKind",
    "ParagraphVerdict",
    "clean_text",
    "count_exact",
    "decide",
    "plan_article",
    "relation",
    "take_over",
    "time_key",
]

DuplicateKind = Literal["exact", "near", "boilerplate"]
# How an article stands to the record under one of its exact keys (see `relation`).
Relation = Literal["absent", "ahead", "repeat", "displace"]
TimeKey: TypeAlias = tuple[int, int, str]

WEEK = 7 * 24 * 3600.0


@dataclass(frozen=True, slots=True)
class DedupConfig:
    """Tunables of the deduplicator; the defaults are the measured ones (bench/results/dedup.md)."""

    window_seconds: float = WEEK
    # Estimated-Jaccard cut for `near`; chosen on the precision/recall curve in bench/results/dedup.md.
    near_threshold: float = 0.70
    min_words: int = 5
    repeat_articles: int = 3
    boilerplate_max_words: int = 60
    extra_patterns: str | Path | None = None  # a user pattern file, same format as the built-in ones
    builtin_patterns: bool = True


@dataclass(frozen=True, slots=True)
class Duplicate:
    """Why a paragraph is dropped; article_id/index are None for boilerplate."""

    kind: DuplicateKind
    article_id: str | None
    index: int | None
    similarity: float

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-friendly form."""
        return {
            "kind": self.kind,
            "article_id": self.article_id,
            "index": self.index,
            "similarity": round(self.similarity, 4),
        }


@dataclass(frozen=True, slots=True)
class Correction:
    """A paragraph of an article decided earlier that now repeats this article: an earlier original came late."""

    article_id: str  # the article decided earlier
    index: int  # its paragraph
    duplicate: Duplicate  # what it repeats now: a paragraph of the article being decided

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-friendly form."""
        return {"article_id": self.article_id, "index": self.index, "duplicate": self.duplicate.to_dict()}


@dataclass(frozen=True, slots=True)
class ParagraphVerdict:
    """One paragraph's verdict; clean_text is "" when the paragraph is dropped whole."""

    index: int
    text: str
    clean_text: str
    duplicate: Duplicate | None

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-friendly form."""
        return {
            "index": self.index,
            "text": self.text,
            "clean_text": self.clean_text,
            "duplicate": None if self.duplicate is None else self.duplicate.to_dict(),
        }


def clean_text(verdicts: Sequence[ParagraphVerdict]) -> str:
    """Return the article without duplicates and boilerplate, paragraphs joined by newlines."""
    return "\n".join(v.clean_text for v in verdicts if v.duplicate is None and v.clean_text)


_BOILERPLATE = Duplicate("boilerplate", None, None, 1.0)


@dataclass(frozen=True, slots=True)
class ArticlePlan:
    """The local part of deduplicating one article: pattern boilerplate and fingerprints, no store access."""

    article_id: str
    now: float  # the record time (epoch s)
    texts: tuple[str, ...]
    cleans: tuple[str, ...]  # inline boilerplate cut out
    boilerplate: tuple[bool, ...]  # a pattern line, or nothing left once inline boilerplate is cut
    prints: tuple[ParagraphPrint | None, ...]  # None: boilerplate, too short or no words
    published: float | None = None  # the publication time (epoch s), if the article gives one

    @property
    def time(self) -> float:
        """The article's time: its publication time, capped at its record time; else its record time."""
        return self.now if self.published is None else min(self.published, self.now)

    @property
    def key(self) -> TimeKey:
        """The article's time key (time s, record time ms, id): the carrier with the earliest is the original."""
        return time_key(self.time, self.now, self.article_id)

    @property
    def me(self) -> int:
        """The article's hash in the distinct-article counter."""
        return article_hash(self.article_id)

    def exact_keys(self) -> dict[bytes, int]:
        """Each distinct exact key with the index of its first paragraph, in paragraph order."""
        keys: dict[bytes, int] = {}
        for index, fp in enumerate(self.prints):
            if fp is not None:
                keys.setdefault(fp.exact_key, index)
        return keys

    def band_keys(self) -> dict[bytes, list[bytes]]:
        """Each distinct band key with the exact keys of the paragraphs carrying it, in paragraph order."""
        bands: dict[bytes, list[bytes]] = {}
        for fp in self.prints:
            if fp is not None:
                for band_key in fp.band_keys:
                    holders = bands.setdefault(band_key, [])
                    if fp.exact_key not in holders:
                        holders.append(fp.exact_key)
        return bands


def time_key(time: float, now: float, article_id: str) -> TimeKey:
    """An article's time key from its time and record time (epoch s): Kafka record times have milliseconds, so
    of two articles recorded one after the other in the same second the first stays first."""
    return int(time), max(round(now * 1000), int(time) * 1000), article_id


def plan_article(
    article_id: str,
    paragraphs: Sequence[str],
    now: float,
    patterns: BoilerplatePatterns,
    config: DedupConfig,
    published: float | None = None,
) -> ArticlePlan:
    """Cut inline boilerplate, flag pattern lines and fingerprint the rest (pure, no store)."""
    cleans = [patterns.cut_inline(text) for text in paragraphs]
    flags: list[bool] = []
    tokens: list[list[str]] = []
    for text, clean in zip(paragraphs, cleans, strict=True):
        ws = words(clean)
        if clean != text.strip() and not ws and words(text):
            flag = True  # nothing left once inline boilerplate is cut
        else:
            flag = bool(ws) and len(ws) <= config.boilerplate_max_words and patterns.is_line(clean)
        flags.append(flag)
        tokens.append(ws if not flag and len(ws) >= config.min_words else [])
    prints = fingerprint_words(tokens)
    return ArticlePlan(article_id, now, tuple(paragraphs), tuple(cleans), tuple(flags), tuple(prints), published)


def relation(record: ExactRecord | None, key: TimeKey, window: float, limit: int) -> Relation:
    """How an article with time key `key` stands to the record stored under one of its exact keys.

    ``absent``: no record, or one more than a window older than the article (it is overwritten); ``ahead``: a
    record more than a window newer (left alone, the article's paragraph is not remembered); ``repeat``: the
    article repeats the record's original (an earlier key, or the same article); ``displace``: the article's key
    is earlier, it becomes the original.
    """
    if record is None or record.newest < key[0] - window:
        return "absent"
    if record.seen > key[0] + window:
        return "ahead"
    if record.article_id == key[2] or record.key <= key:
        return "repeat"
    return "displace"


def count_exact(record: ExactRecord, me: int, time: float, limit: int) -> tuple[ExactRecord | None, bool]:
    """Count article `me` (of time `time`) as a carrier of `record`: (the record to store, or None; repeated)."""
    known = article_hash(record.article_id) == me or me in record.others
    articles, others = record.articles, record.others
    if not known and articles < 0xFF:
        articles += 1
        if len(others) < limit - 1:
            others = (*others, me)
    if articles >= limit:
        # Furniture stays remembered as long as it keeps appearing.
        last = max(record.newest, int(time))
        if articles == record.articles and last == record.newest:
            return None, True
        return ExactRecord(record.seen, record.article_id, record.index, record.n_words, record.signature,
                           articles, others, record.at, last), True
    if articles != record.articles:
        return ExactRecord(record.seen, record.article_id, record.index, record.n_words, record.signature,
                           articles, others, record.at, record.last), False
    return None, False


def take_over(record: ExactRecord, article_id: str, index: int, key: TimeKey, limit: int) -> ExactRecord:
    """The record once article `article_id` (time key `key`, earlier than the original's) is the original."""
    me, previous = article_hash(article_id), article_hash(record.article_id)
    articles = record.articles
    if me not in record.others and articles < 0xFF:
        articles += 1
    others = tuple(h for h in record.others if h != me)
    if previous not in others and len(others) < limit - 1:
        others = (previous, *others)
    last = record.newest if articles >= limit else None  # furniture: known up to a window after its newest sighting
    return ExactRecord(key[0], article_id, index, record.n_words, record.signature, articles, others, key[1], last)


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdicts of one article, the store writes they imply (key -> value), and the earlier articles'
    paragraphs that now repeat this one (an article with an earlier time key arrived after them)."""

    verdicts: list[ParagraphVerdict]
    writes: dict[bytes, bytes]
    corrections: list[Correction] = field(default_factory=list)


class _Overlay(MutableMapping[bytes, bytes]):
    """The article's own writes over a read-only view of the store (reads fall through)."""

    def __init__(self, view: Mapping[bytes, bytes]) -> None:
        self.view = view
        self.writes: dict[bytes, bytes] = {}
        self.local: set[bytes] = set()  # written for the article's own paragraphs only, never stored

    def committed(self) -> dict[bytes, bytes]:
        """The writes to store."""
        if not self.local:
            return self.writes
        return {k: v for k, v in self.writes.items() if k not in self.local}

    def __getitem__(self, key: bytes) -> bytes:
        if key in self.writes:
            return self.writes[key]
        return self.view[key]

    def get(self, key: bytes, default: bytes | None = None) -> bytes | None:  # type: ignore[override]
        """Look in the writes, then in the view."""
        value = self.writes.get(key)
        return value if value is not None else self.view.get(key, default)

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self.writes[key] = value

    def __delitem__(self, key: bytes) -> None:
        raise NotImplementedError("decide never deletes")

    def __iter__(self) -> Iterator[bytes]:
        raise NotImplementedError("decide never iterates")

    def __len__(self) -> int:
        raise NotImplementedError("decide never counts")


@dataclass(slots=True)
class _Pending:
    """A paragraph between the two passes of `decide`."""

    text: str
    clean: str
    duplicate: Duplicate | None = None
    repeated_from: str | None = None  # set when the line is a repetition-boilerplate candidate
    refs: set[str] = field(default_factory=set)


def decide(plan: ArticlePlan, view: Mapping[bytes, bytes], config: DedupConfig) -> Decision:
    """Verdicts of a planned article against `view`, the store as it was before the article (read-only)."""
    return _Decider(_Overlay(view), config).run(plan)


class Deduplicator:
    """Flags exact, near and boilerplate paragraphs against everything remembered in `store`."""

    def __init__(self, store: MutableMapping[bytes, bytes] | None = None, *, config: DedupConfig | None = None) -> None:
        self.store: MutableMapping[bytes, bytes] = {} if store is None else store
        self.config = config or DedupConfig()
        self.patterns: BoilerplatePatterns = load_patterns(
            self.config.extra_patterns, builtin=self.config.builtin_patterns
        )

    def expire(self, now: float) -> int:
        """Delete records older than the retention window; return how many keys were removed."""
        return expire(self.store, now, self.config.window_seconds)

    def plan(
        self, article_id: str, paragraphs: Sequence[str], now: float, *, published: float | None = None
    ) -> ArticlePlan:
        """The local phase: patterns and fingerprints."""
        return plan_article(article_id, paragraphs, now, self.patterns, self.config, published)

    def process(
        self, article_id: str, paragraphs: Sequence[str], now: float, *, published: float | None = None
    ) -> list[ParagraphVerdict]:
        """Return one verdict per paragraph and remember the article's new paragraphs."""
        return self.process_article(article_id, paragraphs, now, published=published).verdicts

    def process_article(
        self, article_id: str, paragraphs: Sequence[str], now: float, *, published: float | None = None
    ) -> Decision:
        """`process`, returning the whole decision: verdicts and corrections of articles decided earlier."""
        decision = decide(self.plan(article_id, paragraphs, now, published=published), self.store, self.config)
        self.store.update(decision.writes)
        return decision


class _Decider:
    """One run of the rules over an overlay; the same code for one process and for the routed stream."""

    def __init__(self, store: _Overlay, config: DedupConfig) -> None:
        self.store = store
        self.config = config
        self.corrections: dict[tuple[str, int], Correction] = {}
        self.key: TimeKey = (0, 0, "")
        # This article's remembered paragraphs, in order: in time order the first of them carrying a band would
        # hold it, unless an earlier article's paragraph did.
        self.remembered: list[ParagraphPrint] = []

    def run(self, plan: ArticlePlan) -> Decision:
        """Check every fingerprinted paragraph in order, then settle repetition boilerplate."""
        self.key = plan.key
        pending = [
            _Pending(text, clean, _BOILERPLATE if flag else None)
            for text, clean, flag in zip(plan.texts, plan.cleans, plan.boilerplate, strict=True)
        ]
        me = plan.me
        for index, (item, fp) in enumerate(zip(pending, plan.prints, strict=True)):
            if fp is not None:
                self._check(plan.article_id, me, index, item, fp)
        # Second pass: a line repeated across many articles is furniture, unless this article is a copy of
        # the article where the line first appeared: then the line is republished content and stays exact.
        # A copy shows as another duplicate pointing there that is not itself a repeated line, or as a third
        # or more of the article's fingerprinted paragraphs pointing there (a third full copy of a story).
        firm: dict[str, int] = defaultdict(int)
        every: dict[str, int] = defaultdict(int)
        for item in pending:
            if item.duplicate is not None and item.duplicate.article_id is not None:
                every[item.duplicate.article_id] += 1
                firm[item.duplicate.article_id] += item.repeated_from is None
        fingerprinted = sum(fp is not None for fp in plan.prints)
        verdicts = []
        for index, item in enumerate(pending):
            duplicate = item.duplicate
            origin = item.repeated_from
            if origin is not None and not (firm[origin] or every[origin] >= max(2, fingerprinted / 3)):
                duplicate = _BOILERPLATE
            verdicts.append(ParagraphVerdict(index, item.text, "" if duplicate else item.clean, duplicate))
        return Decision(verdicts, self.store.committed(), list(self.corrections.values()))

    def _record(self, key: bytes) -> ExactRecord | None:
        """Return the record under `key` if this article can see it (within the window either way), or None."""
        value = self.store.get(key)
        if value is None:
            return None
        record = unpack_record(value)
        return record if is_live(record, self.key[0], self.config.window_seconds) else None

    def _check(self, article_id: str, me: int, index: int, item: _Pending, fp: ParagraphPrint) -> None:
        """Match one fingerprinted paragraph against the store, set its duplicate, remember it if new."""
        cfg = self.config
        value = self.store.get(fp.exact_key)
        record = None if value is None else unpack_record(value)
        how = relation(record, self.key, cfg.window_seconds, cfg.repeat_articles)
        if how == "repeat":
            assert record is not None
            item.duplicate = Duplicate("exact", record.article_id, record.index, 1.0)
            self._count(fp.exact_key, record, me, item)
            return
        best: tuple[float, ExactRecord] | None = None
        own = fp.exact_key
        seen_keys: set[bytes] = {own}
        for band_key in fp.band_keys:
            # Each band is read as it would be in time order, where it is held by its earliest claimer: a record
            # of an earlier article holding it is a candidate; else this article's first paragraph carrying it
            # would hold it; else this paragraph will, and a later article's record holding it now is compared
            # the other way round (it may repeat this paragraph). A free band has no earlier carrier here either
            # (it would have claimed it).
            value = self.store.get(band_key)
            if value is None:
                continue
            target = band_target(value)
            if target in seen_keys and target != own:
                continue
            held = None if target == own else self._record(target)
            later = False
            if held is None or not held.key < self.key:
                mine = self._first_carrier(band_key)
                if mine is not None:
                    if mine in seen_keys:
                        continue
                    target, held = mine, self._record(mine)
                elif held is not None:
                    later = held.key > self.key
            seen_keys.add(target)
            if held is None:
                continue
            # Jaccard can never exceed the ratio of the shingle counts: skip hopeless pairs cheaply.
            small, large = sorted((fp.n_words - 2, held.n_words - 2))
            if small < cfg.near_threshold * large:
                continue
            score = similarity(fp.signature, held.signature)
            if score < cfg.near_threshold:
                continue
            if later:  # remembered from an article with a later key: it resembles this paragraph, not the reverse
                self._correct(held, Duplicate("near", article_id, index, score))
            elif best is None or score > best[0] or (
                score == best[0] and (held.key, held.index) < (best[1].key, best[1].index)
            ):
                best = (score, held)
        if best is not None:
            item.duplicate = Duplicate("near", best[1].article_id, best[1].index, best[0])
        if how == "displace":
            assert record is not None
            self._correct(record, Duplicate("exact", article_id, index, 1.0))
            self.store[fp.exact_key] = pack_record(take_over(record, article_id, index, self.key, cfg.repeat_articles))
        else:
            t, r, _ = self.key
            self.store[fp.exact_key] = pack_record(ExactRecord(t, article_id, index, fp.n_words, fp.signature, at=r))
            if how == "ahead":  # a newer original lives there: seen by this article's own paragraphs only
                self.store.local.add(fp.exact_key)
        self.remembered.append(fp)
        self._claim_bands(fp)

    def _first_carrier(self, band_key: bytes) -> bytes | None:
        """The exact key of this article's first remembered paragraph carrying `band_key`, if any."""
        return next((fp.exact_key for fp in self.remembered if band_key in fp.band_keys), None)

    def _correct(self, record: ExactRecord, duplicate: Duplicate) -> None:
        """Re-flag the original of `record`: exact beats near, a nearer match beats a farther one."""
        where = (record.article_id, record.index)
        old = self.corrections.get(where)
        if old is None or (old.duplicate.kind == "near" and (
            duplicate.kind == "exact" or duplicate.similarity > old.duplicate.similarity
        )):
            self.corrections[where] = Correction(record.article_id, record.index, duplicate)

    def _count(self, key: bytes, record: ExactRecord, me: int, item: _Pending) -> None:
        """Count a new distinct article for an exact record; mark repetition-boilerplate candidates."""
        updated, repeated = count_exact(record, me, self.key[0], self.config.repeat_articles)
        if repeated:
            item.repeated_from = record.article_id
        if updated is not None:
            self.store[key] = pack_record(updated)

    def _claim_bands(self, fp: ParagraphPrint) -> None:
        """Point the paragraph's band entries at it, unless one is held by a record this article cannot replace."""
        pointer = pack_band(fp.exact_key)
        window = self.config.window_seconds
        for band_key in fp.band_keys:
            value = self.store.get(band_key)
            if value is None:
                self.store[band_key] = pointer
                continue
            held = self.store.get(band_target(value))
            if held is None or expired(unpack_record(held), self.key[0], window):
                self.store[band_key] = pointer
