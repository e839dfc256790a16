"""Tagging benchmark: PLOVER gold precision/recall per type, and articles per second."""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import time
from collections import Counter
from pathlib import Path

from streams.tagging import EVENT_TYPES, tag

__all__ = ["main"]

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "tagging"
# The gold file predates PLOVER 2021: these old names map onto today's 16 types.
OLD_NAMES = {"DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "INVESTIGATE": "ACCUSE", "FIGHT": "ASSAULT"}


def split_of(record_id: str) -> str:
    """A fixed third of the gold ("dev") may be looked at while developing; the rest is held out."""
    return "dev" if hashlib.blake2b(record_id.encode(), digest_size=2).digest()[0] % 3 == 0 else "held-out"


def plover_scores(split: str) -> tuple[dict[str, tuple[int, int, int]], int, int]:
    """Per-type (tp, fp, fn) over the gold records of `split` ("dev", "held-out" or "all")."""
    records = json.loads((DATA / "plover_gsr.json").read_text("utf-8"))["records"]
    counts: dict[str, list[int]] = {t: [0, 0, 0] for t in EVENT_TYPES}
    n = hit = 0
    for rec in records:
        if split != "all" and split_of(rec["id"]) != split:
            continue
        gold = OLD_NAMES.get(rec["event"], rec["event"])
        found = {e.type for e in tag([rec["text"]], article_id=rec["id"], language="en").events}
        n += 1
        hit += gold in found
        for t in found:
            counts[t][0 if t == gold else 1] += 1
        if gold not in found:
            counts[gold][2] += 1
    return {t: (c[0], c[1], c[2]) for t, c in counts.items()}, n, hit


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.2f}" if b else "-"


def report_plover(split: str) -> str:
    """A markdown table of per-type precision and recall."""
    scores, n, hit = plover_scores(split)
    lines = [
        f"### PLOVER gold, split `{split}` ({n} sentences; gold type among found: {hit}/{n} = {_ratio(hit, n)})",
        "",
        "| type | gold | precision | recall | tp | fp | fn |",
        "|---|---|---|---|---|---|---|",
    ]
    tot = Counter[str]()
    for t, (tp, fp, fn) in scores.items():
        lines.append(f"| {t} | {tp + fn} | {_ratio(tp, tp + fp)} | {_ratio(tp, tp + fn)} | {tp} | {fp} | {fn} |")
        tot.update(tp=tp, fp=fp, fn=fn)
    lines.append(
        f"| **micro** | {tot['tp'] + tot['fn']} | {_ratio(tot['tp'], tot['tp'] + tot['fp'])} | "
        f"{_ratio(tot['tp'], tot['tp'] + tot['fn'])} | {tot['tp']} | {tot['fp']} | {tot['fn']} |"
    )
    return "\n".join(lines)


def speed(rounds: int, articles: int) -> str:
    """Median articles/s over `rounds` runs of `articles` 15-paragraph articles (seed paragraphs, varied)."""
    seed = (DATA / "seed_000_59858f91a7a8876a.txt").read_text("utf-8").splitlines()
    corpus = [[f"{p} ({i})" for p in seed] for i in range(articles)]  # distinct text, typical length
    tag(corpus[0], article_id="warm", language="id")  # load lexicons outside the timing
    rates = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for i, paragraphs in enumerate(corpus):
            tag(paragraphs, article_id=str(i), language="id", skip=(11,))
        rates.append(articles / (time.perf_counter() - t0))
    chars = sum(len(p) for p in corpus[0])
    return (
        f"speed: median {statistics.median(rates):,.0f} articles/s (min {min(rates):,.0f}, max {max(rates):,.0f}),"
        f" {rounds} rounds x {articles} articles of 15 paragraphs ({chars} chars), one process"
    )


def main() -> None:
    """Print the PLOVER tables and/or the speed line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plover", action="store_true", help="per-type precision/recall on the PLOVER gold")
    parser.add_argument("--speed", action="store_true", help="articles per second")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()
    if args.plover or not args.speed:
        for split in ("held-out", "dev", "all"):
            print(report_plover(split), end="\n\n")
    if args.speed or not args.plover:
        print(speed(args.rounds, args.articles))


if __name__ == "__main__":
    main()
