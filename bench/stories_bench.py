"""Stories on ECB+: how the story core groups documents, next to a same type + day + country baseline.

    .venv/bin/python bench/stories_bench.py [--split dev|heldout|all] [--repeat 20]

Each ECB+ document (../shared/eval/ecbplus/ecbplus-odd-topics.jsonl) goes through Warta's real cores in file
order with one dedup memory, as `warta enrich` does (no publication date: the time stage infers one from the
text or falls back to one fixed ingest time), and its events through the story core. Gold: topic + sub-corpus
(`ecb`/`ecbplus` ending of the id). A document's cluster is its *main story*: of the stories its events joined,
the one holding the most articles (ties: its earliest event's); a document without events is alone. Reports
B³ F1 over documents (all, and those with events), the merge rate of each topic's two sub-corpora, and the
core's speed. Topics ≡ 1 (mod 4) are the dev part, topics ≡ 3 (mod 4) the held-out part.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streams.article import parse_article  # noqa: E402
from streams.dedup import DedupConfig, Deduplicator  # noqa: E402
from streams.pipeline import enrich_one  # noqa: E402
from streams.stories import StoryLinker, view_of  # noqa: E402

CORPUS = ROOT.parent / "shared" / "eval" / "ecbplus" / "ecbplus-odd-topics.jsonl"
# 2023-11-14T22:13:20Z: one fixed ingest time, so the run is the same every time (the corpus has no dates).
INGEST = 1_700_000_000.0


def split_of(topic: int) -> str:
    """The dev part (tuned on) or the held-out part (never tuned on)."""
    return "dev" if topic % 4 == 1 else "heldout"


def gold_of(doc_id: str, topic: int) -> str:
    """The gold cluster: topic and sub-corpus."""
    return f"{topic}:{'ecbplus' if doc_id.endswith('ecbplus') else 'ecb'}"


def enrich(docs: list[dict[str, Any]]) -> tuple[dict[str, list[dict[str, Any]]], float]:
    """Every document's events through the real cores; and the seconds the cores took."""
    dedup = Deduplicator(config=DedupConfig(window_seconds=7 * 86400))
    events: dict[str, list[dict[str, Any]]] = {}
    start = time.perf_counter()
    for doc in docs:
        raw = json.dumps({"id": doc["id"], "language": doc.get("language", "en"), "body": doc["body"]}).encode()
        _, evs, _ = enrich_one(parse_article(raw), dedup, record_time=INGEST, clock=lambda: INGEST)
        events[doc["id"]] = evs
    return events, time.perf_counter() - start


def link_all(docs: list[dict[str, Any]], events: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """Event id -> story id through the story core."""
    linker = StoryLinker()
    return {ev["id"]: linker.link(ev).story_id for doc in docs for ev in events[doc["id"]]}


def baseline_key(event: dict[str, Any]) -> str:
    """Same type + same day + same country (the location's, else the first participant's)."""
    view = view_of(event)
    country = (event.get("location") or {}).get("country") or next(
        (a["country"] for a in (*event["actors"], *event["recipients"]) if a.get("country")), None)
    return f"{view.type}|{view.window[0]}|{country}" if country else f"alone|{view.id}"


def main_story(docs: list[dict[str, Any]], events: dict[str, list[dict[str, Any]]],
               story_of: Callable[[dict[str, Any]], str]) -> dict[str, str]:
    """Each document's main story: the one of its stories holding the most articles; alone without events."""
    articles: dict[str, set[str]] = defaultdict(set)
    for doc in docs:
        for ev in events[doc["id"]]:
            articles[story_of(ev)].add(doc["id"])
    out = {}
    for doc in docs:
        ids = [story_of(ev) for ev in events[doc["id"]]]
        # max keeps the first of equals: the story of the document's earliest event wins ties.
        out[doc["id"]] = max(ids, key=lambda s: len(articles[s])) if ids else f"doc|{doc['id']}"
    return out


def b_cubed(items: Iterable[str], system: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    """B³ precision, recall and F1 over `items` (clusters restricted to them)."""
    items = list(items)
    by_sys: dict[str, set[str]] = defaultdict(set)
    by_gold: dict[str, set[str]] = defaultdict(set)
    for i in items:
        by_sys[system[i]].add(i)
        by_gold[gold[i]].add(i)
    p = statistics.fmean(len(by_sys[system[i]] & by_gold[gold[i]]) / len(by_sys[system[i]]) for i in items)
    r = statistics.fmean(len(by_sys[system[i]] & by_gold[gold[i]]) / len(by_gold[gold[i]]) for i in items)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def merge_rates(docs: list[dict[str, Any]], system: dict[str, str]) -> dict[int, float]:
    """Per topic: the share of its articles whose story also holds an article of the topic's other sub-corpus."""
    subs: dict[tuple[int, str], set[str]] = defaultdict(set)
    for doc in docs:
        subs[(doc["topic"], system[doc["id"]])].add(gold_of(doc["id"], doc["topic"]))
    rates: dict[int, list[bool]] = defaultdict(list)
    for doc in docs:
        rates[doc["topic"]].append(len(subs[(doc["topic"], system[doc["id"]])]) > 1)
    return {t: sum(v) / len(v) for t, v in sorted(rates.items())}


def speed(docs: list[dict[str, Any]], events: dict[str, list[dict[str, Any]]], repeat: int) -> tuple[float, int]:
    """Events per second through a fresh story core, best of `repeat` passes over all events; and the count."""
    flat = [ev for doc in docs for ev in events[doc["id"]]]
    best = float("inf")
    for _ in range(repeat):
        linker = StoryLinker()
        start = time.perf_counter()
        for ev in flat:
            linker.link(ev)
        best = min(best, time.perf_counter() - start)
    return len(flat) / best, len(flat)


def main() -> None:
    """Run the measurement and print a Markdown report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="speed passes (best is kept)")
    args = parser.parse_args()
    docs = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    gold = {d["id"]: gold_of(d["id"], d["topic"]) for d in docs}
    events, core_seconds = enrich(docs)
    story = link_all(docs, events)
    systems = {
        "stories": main_story(docs, events, lambda ev: story[ev["id"]]),
        "baseline (type+day+country)": main_story(docs, events, baseline_key),
    }
    print(f"ECB+ odd topics: {len(docs)} documents, {len({d['topic'] for d in docs})} topics, "
          f"{sum(map(len, events.values()))} events, {sum(1 for e in events.values() if e)} documents with events\n")
    print("| part | system | B³ P | B³ R | B³ F1 | F1 (docs with events) | max merge | topics > 10% |")
    print("|---|---|---|---|---|---|---|---|")
    for part in ("dev", "heldout", "all"):
        part_docs = [d for d in docs if part == "all" or split_of(d["topic"]) == part]
        with_events = [d["id"] for d in part_docs if events[d["id"]]]
        for name, system in systems.items():
            p, r, f = b_cubed((d["id"] for d in part_docs), system, gold)
            _, _, fe = b_cubed(with_events, system, gold)
            rates = merge_rates(part_docs, system)
            over = [t for t, v in rates.items() if v > 0.10]
            print(f"| {part} ({len(part_docs)} docs) | {name} | {p:.3f} | {r:.3f} | {f:.3f} | {fe:.3f} | "
                  f"{max(rates.values()):.2f} | {len(over)} {over if over else ''} |")
    rate, n = speed(docs, events, args.repeat)
    print(f"\nstory core: {n} events, {rate:,.0f} events/s ({1e6 / rate:.1f} µs/event); "
          f"stories opened: {len(set(story.values()))}")
    print(f"the three cores on the same documents: {core_seconds:.2f} s ({len(docs) / core_seconds:.0f} articles/s); "
          f"the story core adds {100 * (n / rate) / core_seconds:.2f}% of that time")


if __name__ == "__main__":
    main()
