"""The labelled dedup dev set and its scorer, shared by tests/dedup/test_evaluation.py and bench/dedup_bench.py."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from streams.dedup import DedupConfig, Deduplicator

DEVSET = Path(__file__).resolve().parent.parent / "data" / "dedup" / "devset.jsonl"
# Record times one second apart from a fixed start: replays are deterministic and stay inside the window.
NOW = 1_728_800_000.0


def load_devset(path: Path = DEVSET) -> list[dict[str, Any]]:
    """Read the labelled dev set (one article per line, a label per paragraph)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def evaluate(articles: list[dict[str, Any]], config: DedupConfig | None = None) -> dict[str, float]:
    """Run the deduplicator over the dev set in order; return precision and per-kind recall."""
    dedup = Deduplicator(config=config)
    flagged = correct = 0
    truth: dict[str, int] = defaultdict(int)
    hits: dict[str, int] = defaultdict(int)
    flags: dict[str, int] = defaultdict(int)
    right: dict[str, int] = defaultdict(int)
    for n, article in enumerate(articles):
        verdicts = dedup.process(str(article["id"]), list(article["paragraphs"]), NOW + n)
        for verdict, label in zip(verdicts, article["labels"], strict=True):
            kind = label["kind"]
            if kind is not None:
                truth[kind] += 1
            if verdict.duplicate is not None:
                flagged += 1
                correct += kind is not None
                hits[kind] += verdict.duplicate.kind == kind
                flags[verdict.duplicate.kind] += 1
                right[verdict.duplicate.kind] += kind is not None
    result: dict[str, float] = {"flagged": flagged, "precision": correct / flagged if flagged else 1.0}
    result["near_flags"] = flags["near"]
    result["near_precision"] = right["near"] / flags["near"] if flags["near"] else 1.0
    for kind in ("exact", "near", "boilerplate"):
        result[f"{kind}_n"] = truth[kind]
        result[f"{kind}_recall"] = hits[kind] / truth[kind] if truth[kind] else 1.0
    return result
