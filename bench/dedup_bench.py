"""Dedup dev set builder, precision/recall curve, speed and store-footprint benchmark, arrival-order figures."""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streams.dedup import (  # noqa: E402
    DedupConfig,
    Deduplicator,
    Duplicate,
    fingerprint_words,
    normalize,
    unpack_record,
    words,
)
from streams.dedup.fingerprint import shingles  # noqa: E402
from tests.dedup.devset import DEVSET, NOW, evaluate, load_devset  # noqa: E402

__all__ = ["build_devset", "evaluate", "main"]

DATA = ROOT / "tests" / "data" / "dedup"
MIN_WORDS = DedupConfig().min_words
NEAR = 0.7  # the target definition: Jaccard of word 3-shingles >= 0.7


def _sources(ecbplus: Path) -> Iterator[tuple[str, list[str], set[int]]]:
    """Yield (article id, paragraphs, hand-labelled boilerplate indices) in stream order."""
    seed = (DATA / "seed-000_59858f91a7a8876a.txt").read_text(encoding="utf-8").splitlines()
    yield "seed", seed, {11}
    yield "seed-copy", seed, {11}
    for line in (DATA / "id-articles.jsonl").read_text(encoding="utf-8").splitlines():
        article = json.loads(line)
        yield article["id"], article["paragraphs"], set(article["boilerplate"])
    for line in ecbplus.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        yield doc["id"], doc["body"].split("\n"), set()


def build_devset(ecbplus: Path, out: Path) -> None:
    """Label every paragraph by brute force: exact by normalized text, near by true 3-shingle Jaccard."""
    by_text: dict[str, tuple[str, int]] = {}
    postings: dict[tuple[str, ...], list[int]] = defaultdict(list)
    remembered: list[tuple[str, int, set[tuple[str, ...]]]] = []
    with out.open("w", encoding="utf-8") as sink:
        for article_id, paragraphs, boilerplate in _sources(ecbplus):
            labels: list[dict[str, object]] = []
            for index, text in enumerate(paragraphs):
                ws = words(text)
                label: dict[str, object] = {"kind": None, "ref": None, "jaccard": None}
                if index in boilerplate:
                    label["kind"] = "boilerplate"
                elif len(ws) >= MIN_WORDS:
                    key = normalize(text)
                    if key in by_text:
                        label.update(kind="exact", ref=list(by_text[key]), jaccard=1.0)
                    else:
                        mine = shingles(ws)
                        overlap: dict[int, int] = defaultdict(int)
                        for s in mine:
                            for j in postings[s]:
                                overlap[j] += 1
                        best, best_j = -1, 0.0
                        for j, common in sorted(overlap.items()):
                            score = common / (len(mine) + len(remembered[j][2]) - common)
                            if score > best_j:
                                best, best_j = j, score
                        if best_j >= NEAR:
                            ref = remembered[best]
                            label.update(kind="near", ref=[ref[0], ref[1]], jaccard=round(best_j, 4))
                        elif best >= 0:
                            label["jaccard"] = round(best_j, 4)  # closest non-duplicate, for the curve
                        by_text[key] = (article_id, index)
                        for s in mine:
                            postings[s].append(len(remembered))
                        remembered.append((article_id, index, mine))
                labels.append(label)
            record = {"id": article_id, "paragraphs": paragraphs, "labels": labels}
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")


def _curve(articles: list[dict[str, object]]) -> None:
    """Print the near-duplicate precision/recall curve over the verification threshold."""
    print(
        "| threshold | flagged | precision (all flags) | near flags | near precision | near recall | exact recall "
        "| boilerplate recall |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for t in (0.5, 0.55, 0.6, 0.62, 0.64, 0.66, 0.68, 0.7, 0.72, 0.75, 0.8, 0.85, 0.9):
        r = evaluate(articles, DedupConfig(near_threshold=t))
        print(
            f"| {t:.2f} | {r['flagged']} | {r['precision']:.4f} | {r['near_flags']} | {r['near_precision']:.4f} "
            f"| {r['near_recall']:.4f} "
            f"| {r['exact_recall']:.4f} | {r['boilerplate_recall']:.4f} |"
        )


def _speed(articles: list[dict[str, object]], runs: int) -> None:
    """Time the whole core (patterns, fingerprints, store) over the dev set; report the median rate."""
    n = sum(len(a["paragraphs"]) for a in articles)  # type: ignore[arg-type]
    rates, fp_rates = [], []
    for _ in range(runs):
        dedup = Deduplicator()
        start = time.perf_counter()
        for i, article in enumerate(articles):
            dedup.process(str(article["id"]), list(article["paragraphs"]), NOW + i)  # type: ignore[call-overload]
        rates.append(n / (time.perf_counter() - start))
        tokens = [[words(p) for p in a["paragraphs"]] for a in articles]  # type: ignore[attr-defined]
        start = time.perf_counter()
        for ws in tokens:
            fingerprint_words(ws)
        fp_rates.append(n / (time.perf_counter() - start))
    print(f"paragraphs: {n}, runs: {runs}")
    print(
        f"Deduplicator.process: median {statistics.median(rates):,.0f} paragraphs/s "
        f"(min {min(rates):,.0f}, max {max(rates):,.0f})"
    )
    print(f"fingerprint_words alone: median {statistics.median(fp_rates):,.0f} paragraphs/s")
    # Footprint: every key and value in the store, over the paragraphs it remembers (exact records), with
    # the dev set's own ids (mean 13 bytes) and with every id replaced by a 36-byte one: a canonical UUID
    # (stored as 16 bytes) and an opaque 36-character string (stored as is).
    for label, rename in (
        ("dev-set ids", str),
        ("36-byte UUID ids", lambda i: str(uuid.uuid5(uuid.NAMESPACE_URL, i))),
        ("36-byte opaque ids", lambda i: i.ljust(36, "_")[:36]),
    ):
        dedup = Deduplicator()
        for i, article in enumerate(articles):
            dedup.process(rename(str(article["id"])), list(article["paragraphs"]), NOW + i)  # type: ignore[call-overload]
        store = dedup.store
        records = [v for k, v in store.items() if k[:1] == b"x"]
        total = sum(len(k) + len(v) for k, v in store.items())
        ids = statistics.mean(len(rename(str(a["id"])).encode()) for a in articles)
        print(
            f"store ({label}, mean {ids:.1f} B): {len(store)} keys, {len(records)} remembered paragraphs, "
            f"{total} bytes, {total / len(records):.1f} bytes per remembered paragraph"
        )
    signatures = [unpack_record(v).signature for v in records]
    sizes = [len(sig) for sig in signatures]
    sampled = sum(sig[0] >= 0x80 for sig in signatures)
    print(
        f"signatures: mean {statistics.mean(sizes):.1f} B, max {max(sizes)} B, "
        f"{sampled} of {len(sizes)} sampled (the rest exact sets)"
    )


def _final(articles: list[dict[str, object]], order: list[int]) -> tuple[list[list[Duplicate | None]], int]:
    """Each article's flags once every correction is applied, fed in `order` (article n keeps time NOW + n)."""
    dedup = Deduplicator()
    flags: list[list[Duplicate | None]] = [[] for _ in articles]
    corrections = 0
    for n in order:
        decision = dedup.process_article(f"{n:05d}", list(articles[n]["paragraphs"]), NOW + n)  # type: ignore[call-overload]
        flags[n] = [v.duplicate for v in decision.verdicts]
        for c in decision.corrections:
            old = flags[int(c.article_id)][c.index]
            if old is None or old.kind != "exact" or c.duplicate.kind == "exact":
                flags[int(c.article_id)][c.index] = c.duplicate
            corrections += 1
    return flags, corrections


def _order(articles: list[dict[str, object]]) -> None:
    """The dev set fed out of time order: how the final flags (corrections applied) compare with time order."""
    n = len(articles)
    reference, _ = _final(articles, list(range(n)))
    orders = {
        "time order": list(range(n)),
        "reverse": list(range(n))[::-1],
        "shuffled (seed 1)": random.Random(1).sample(range(n), n),
        "shuffled in blocks of 8": [i + d for i in range(0, n, 8) for d in random.Random(i).sample(range(8), 8)
                                    if i + d < n],
    }
    print("| order | corrections | paragraphs whose kind differs from time order | flags pointing at a later article "
          "| precision | exact recall | near recall | boilerplate recall |")
    print("|---|---|---|---|---|---|---|---|")
    for label, order in orders.items():
        flags, corrections = _final(articles, order)
        differ = later = flagged = correct = 0
        truth: dict[str, int] = defaultdict(int)
        hits: dict[str, int] = defaultdict(int)
        for k, article in enumerate(articles):
            for got, want, label_ in zip(flags[k], reference[k], article["labels"], strict=True):  # type: ignore[call-overload]
                kind = label_["kind"]
                differ += (got and got.kind) != (want and want.kind)
                later += got is not None and got.article_id is not None and int(got.article_id) > k
                if kind is not None:
                    truth[kind] += 1
                if got is not None:
                    flagged += 1
                    correct += kind is not None
                    hits[kind] += got.kind == kind
        print(f"| {label} | {corrections} | {differ} | {later} | {correct / flagged:.4f} | "
              + " | ".join(f"{hits[k] / truth[k]:.4f}" for k in ("exact", "near", "boilerplate")) + " |")


def main(argv: list[str] | None = None) -> int:
    """Command line: build | curve | speed | eval | order."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["build", "curve", "speed", "eval", "order"])
    parser.add_argument("--ecbplus", type=Path, default=ROOT.parent / "shared/eval/ecbplus/ecbplus-odd-topics.jsonl")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    if args.command == "build":
        build_devset(args.ecbplus, DEVSET)
        return 0
    articles = load_devset()
    if args.command == "curve":
        _curve(articles)
    elif args.command == "speed":
        _speed(articles, args.runs)
    elif args.command == "order":
        _order(articles)
    else:
        print(json.dumps(evaluate(articles, DedupConfig()), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
