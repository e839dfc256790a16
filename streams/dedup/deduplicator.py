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
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import MutableMapping, Sequence
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

__all__ = ["DedupConfig", "Deduplicator", "Duplicate", "DuplicateKind", "ParagraphVerdict", "clean_text"]

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


@dataclass(slots=True)
class _Pending:
    """A paragraph between the two passes of `process`."""

    text: str
    clean: str
    duplicate: Duplicate | None = None
    repeated_from: str | None = None  # set when the line is a repetition-boilerplate candidate
    refs: set[str] = field(default_factory=set)


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

    def process(self, article_id: str, paragraphs: Sequence[str], now: float) -> list[ParagraphVerdict]:
        """Return one verdict per paragraph and remember the article's new paragraphs."""
        if len(article_id.encode()) > 255:
            raise InvalidMessage("article_id", f"article id {article_id[:40]!r}…: expected at most 255 bytes")
        cfg = self.config
        pending = [_Pending(text, self.patterns.cut_inline(text)) for text in paragraphs]
        tokens: list[list[str]] = []
        for item in pending:
            ws = words(item.clean)
            if item.clean != item.text.strip() and not ws and words(item.text):
                item.duplicate = _BOILERPLATE  # nothing left once inline boilerplate is cut
            elif ws and len(ws) <= cfg.boilerplate_max_words and self.patterns.is_line(item.clean):
                item.duplicate = _BOILERPLATE
            tokens.append(ws if item.duplicate is None and len(ws) >= cfg.min_words else [])
        prints = fingerprint_words(tokens)
        me = article_hash(article_id)
        for index, (item, fp) in enumerate(zip(pending, prints, strict=True)):
            if fp is not None:
                self._check(article_id, me, index, item, fp, now)
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
        fingerprinted = sum(fp is not None for fp in prints)
        verdicts = []
        for index, item in enumerate(pending):
            duplicate = item.duplicate
            origin = item.repeated_from
            if origin is not None and not (firm[origin] or every[origin] >= max(2, fingerprinted / 3)):
                duplicate = _BOILERPLATE
            verdicts.append(ParagraphVerdict(index, item.text, "" if duplicate else item.clean, duplicate))
        return verdicts

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
        limit = self.config.repeat_articles
        known = article_hash(record.article_id) == me or me in record.others
        articles, others = record.articles, record.others
        if not known and articles < 0xFF:
            articles += 1
            if len(others) < limit - 1:
                others = (*others, me)
        if articles >= limit:
            item.repeated_from = record.article_id
            # Furniture stays remembered as long as it keeps appearing.
            self.store[key] = pack_record(
                ExactRecord(
                    int(now),
                    record.article_id,
                    record.index,
                    record.n_words,
                    record.signature,
                    articles,
                    others,
                )
            )
        elif articles != record.articles:
            self.store[key] = pack_record(
                ExactRecord(
                    record.seen,
                    record.article_id,
                    record.index,
                    record.n_words,
                    record.signature,
                    articles,
                    others,
                )
            )

    def _remember(self, article_id: str, index: int, fp: ParagraphPrint, now: float) -> None:
        """Store a new exact record and claim its band entries (an entry held by a live record stays)."""
        self.store[fp.exact_key] = pack_record(ExactRecord(int(now), article_id, index, fp.n_words, fp.signature))
        pointer = pack_band(fp.exact_key)
        for band_key in fp.band_keys:
            value = self.store.get(band_key)
            if value is None or self._record(band_target(value), now) is None:
                self.store[band_key] = pointer
