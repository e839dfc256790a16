"""Run articles through the real cores (dedup, tagging, timing) and the story core; score pairwise."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path
from typing import Any

from streams.article import parse_article
from streams.dedup import DedupConfig, Deduplicator
from streams.pipeline import enrich_one
from streams.stories import StoryLinker

ROOT = Path(__file__).resolve().parents[2]
SET = ROOT / "tests" / "data" / "stories" / "articles.jsonl"


def load_set(path: Path = SET) -> list[dict[str, Any]]:
    """The bilingual story set: articles with their gold `story` label."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run(articles: list[dict[str, Any]], linker: StoryLinker | None = None) -> tuple[StoryLinker, dict[str, list[str]],
                                                                                     list[dict[str, Any]]]:
    """Each article through `enrich_one` then each event through the linker: (linker, article -> story ids, events)."""
    linker = linker or StoryLinker()
    dedup = Deduplicator(config=DedupConfig(window_seconds=7 * 86400))
    stories: dict[str, list[str]] = {}
    events: list[dict[str, Any]] = []
    for item in articles:
        raw = json.dumps({k: v for k, v in item.items() if k != "story"}).encode()
        article = parse_article(raw)
        _, evs, _ = enrich_one(article, dedup, record_time=0.0, clock=lambda: 0.0)
        stories[article.id] = [linker.link(ev).story_id for ev in evs]
        events.extend(evs)
    return linker, stories, events


def main_story(stories: dict[str, list[str]]) -> dict[str, str]:
    """Each article's main story: of the stories its events joined, the one holding the most articles."""
    size = Counter(s for ids in stories.values() for s in set(ids))
    return {a: max(ids, key=lambda s: size[s]) if ids else f"alone|{a}" for a, ids in stories.items()}


def pairwise(system: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 over article pairs."""
    tp = fp = fn = 0
    for a, b in itertools.combinations(sorted(gold), 2):
        same_sys, same_gold = system[a] == system[b], gold[a] == gold[b]
        tp += same_sys and same_gold
        fp += same_sys and not same_gold
        fn += same_gold and not same_sys
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0
