"""Paragraph deduplication core: exact, near-duplicate and boilerplate detection (never imports faust)."""

from __future__ import annotations

from streams.dedup.boilerplate import BoilerplatePatterns, load_patterns
from streams.dedup.deduplicator import (
    Correction,
    Decision,
    DedupConfig,
    Deduplicator,
    Duplicate,
    DuplicateKind,
    ParagraphVerdict,
    clean_text,
)
from streams.dedup.fingerprint import ParagraphPrint, fingerprint, fingerprint_words, jaccard, similarity
from streams.dedup.normalize import normalize, words
from streams.dedup.records import ExactRecord, expire, pack_record, unpack_record

__all__ = [
    "BoilerplatePatterns",
    "Correction",
    "Decision",
    "DedupConfig",
    "Deduplicator",
    "Duplicate",
    "DuplicateKind",
    "ExactRecord",
    "ParagraphPrint",
    "ParagraphVerdict",
    "clean_text",
    "expire",
    "fingerprint",
    "fingerprint_words",
    "jaccard",
    "load_patterns",
    "normalize",
    "pack_record",
    "similarity",
    "unpack_record",
    "words",
]
