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
- First occurrence wins, deterministically: every hash has a fixed seed, so replaying the same input in
  the same order gives the same verdicts. Paragraphs of one article are checked in order and remembered
  as they go, so an article can repeat itself.
- Retention: records older than ``window_seconds`` (7 days: a news cycle, after which a republished story
  is news again) are treated as absent and overwritten (lazy expiry); ``expire()`` deletes them. A
  line that has become repetition boilerplate has its time refreshed each sighting, so it stays known.

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
from typing import Literal

from streams.dedup.boilerplate import BoilerplatePatterns, load_patterns
from streams.dedup.fingerprint import ParagraphPrint, fingerprint_words, similarity
from streams.dedup.normalize import words
from streams.dedup.records import (
    ExactRecord,
    article_hash,
    band_target,
    expire,
    is_live,
    pack_band,
    pack_record,
    unpack_record,
)
from streams.errors import InvalidMessage

__all__ = [
    "ArticlePlan",
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
]

DuplicateKind = Literal["exact", "near", "boilerplate"]

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
    now: float
    texts: tuple[str, ...]
    cleans: tuple[str, ...]  # inline boilerplate cut out
    boilerplate: tuple[bool, ...]  # a pattern line, or nothing left once inline boilerplate is cut
    prints: tuple[ParagraphPrint | None, ...]  # None: boilerplate, too short or no words

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


def plan_article(
    article_id: str, paragraphs: Sequence[str], now: float, patterns: BoilerplatePatterns, config: DedupConfig
) -> ArticlePlan:
    """Cut inline boilerplate, flag pattern lines and fingerprint the rest (pure, no store)."""
    if len(article_id.encode()) > 255:
        raise InvalidMessage("article_id", f"article id {article_id[:40]!r}…: expected at most 255 bytes")
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
    return ArticlePlan(article_id, now, tuple(paragraphs), tuple(cleans), tuple(flags), tuple(prints))


def count_exact(record: ExactRecord, me: int, now: float, limit: int) -> tuple[ExactRecord | None, bool]:
    """Count article `me` as a carrier of `record`: (the record to store, or None if unchanged; repeated)."""
    known = article_hash(record.article_id) == me or me in record.others
    articles, others = record.articles, record.others
    if not known and articles < 0xFF:
        articles += 1
        if len(others) < limit - 1:
            others = (*others, me)
    if articles >= limit:
        # Furniture stays remembered as long as it keeps appearing.
        return ExactRecord(int(now), record.article_id, record.index, record.n_words, record.signature,
                           articles, others), True
    if articles != record.articles:
        return ExactRecord(record.seen, record.article_id, record.index, record.n_words, record.signature,
                           articles, others), False
    return None, False


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdicts of one article and the store writes they imply (key -> value)."""

    verdicts: list[ParagraphVerdict]
    writes: dict[bytes, bytes]


class _Overlay(MutableMapping[bytes, bytes]):
    """The article's own writes over a read-only view of the store (reads fall through)."""

    def __init__(self, view: Mapping[bytes, bytes]) -> None:
        self.view = view
        self.writes: dict[bytes, bytes] = {}

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

    def plan(self, article_id: str, paragraphs: Sequence[str], now: float) -> ArticlePlan:
        """The local phase: patterns and fingerprints."""
        return plan_article(article_id, paragraphs, now, self.patterns, self.config)

    def process(self, article_id: str, paragraphs: Sequence[str], now: float) -> list[ParagraphVerdict]:
        """Return one verdict per paragraph and remember the article's new paragraphs."""
        decision = decide(self.plan(article_id, paragraphs, now), self.store, self.config)
        self.store.update(decision.writes)
        return decision.verdicts


class _Decider:
    """One run of the rules over an overlay; the same code for one process and for the routed stream."""

    def __init__(self, store: _Overlay, config: DedupConfig) -> None:
        self.store = store
        self.config = config

    def run(self, plan: ArticlePlan) -> Decision:
        """Check every fingerprinted paragraph in order, then settle repetition boilerplate."""
        pending = [
            _Pending(text, clean, _BOILERPLATE if flag else None)
            for text, clean, flag in zip(plan.texts, plan.cleans, plan.boilerplate, strict=True)
        ]
        me = plan.me
        for index, (item, fp) in enumerate(zip(pending, plan.prints, strict=True)):
            if fp is not None:
                self._check(plan.article_id, me, index, item, fp, plan.now)
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
        return Decision(verdicts, self.store.writes)

    def _record(self, key: bytes, now: float) -> ExactRecord | None:
        """Return the live record under `key`, or None (absent or expired)."""
        value = self.store.get(key)
        if value is None:
            return None
        record = unpack_record(value)
        return record if is_live(record, now, self.config.window_seconds) else None

    def _check(self, article_id: str, me: int, index: int, item: _Pending, fp: ParagraphPrint, now: float) -> None:
        """Match one fingerprinted paragraph against the store, set its duplicate, remember it if new."""
        cfg = self.config
        record = self._record(fp.exact_key, now)
        if record is not None:
            item.duplicate = Duplicate("exact", record.article_id, record.index, 1.0)
            self._count(fp.exact_key, record, me, now, item)
            return
        best: tuple[float, int, ExactRecord] | None = None
        seen_keys: set[bytes] = set()
        for band_key in fp.band_keys:
            value = self.store.get(band_key)
            if value is None:
                continue
            target = band_target(value)
            if target in seen_keys:
                continue
            seen_keys.add(target)
            candidate = self._record(target, now)
            if candidate is None:
                continue
            # Jaccard can never exceed the ratio of the shingle counts: skip hopeless pairs cheaply.
            small, large = sorted((fp.n_words - 2, candidate.n_words - 2))
            if small < cfg.near_threshold * large:
                continue
            score = similarity(fp.signature, candidate.signature)
            if score >= cfg.near_threshold and (best is None or (score, -candidate.seen) > best[:2]):
                best = (score, -candidate.seen, candidate)
        if best is not None:
            item.duplicate = Duplicate("near", best[2].article_id, best[2].index, best[0])
        self._remember(article_id, index, fp, now)

    def _count(self, key: bytes, record: ExactRecord, me: int, now: float, item: _Pending) -> None:
        """Count a new distinct article for an exact record; mark repetition-boilerplate candidates."""
        updated, repeated = count_exact(record, me, now, self.config.repeat_articles)
        if repeated:
            item.repeated_from = record.article_id
        if updated is not None:
            self.store[key] = pack_record(updated)

    def _remember(self, article_id: str, index: int, fp: ParagraphPrint, now: float) -> None:
        """Store a new exact record and claim its band entries (an entry held by a live record stays)."""
        self.store[fp.exact_key] = pack_record(ExactRecord(int(now), article_id, index, fp.n_words, fp.signature))
        pointer = pack_band(fp.exact_key)
        for band_key in fp.band_keys:
            value = self.store.get(band_key)
            if value is None or self._record(band_target(value), now) is None:
                self.store[band_key] = pointer
