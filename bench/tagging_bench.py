"""Tagging benchmark: PLOVER gold precision/recall per type, and articles per second."""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from streams.tagging import EVENT_TYPES, tag

ROOT = Path(__file__).resolve().parent.parent

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


EVAL = Path("/work/shared/eval")


def _detokenize(tokens: list[str]) -> str:
    text = re.sub(r" ([.,:;!?%)\]])", r"\1", " ".join(tokens))
    return re.sub(r'" (.*?) "', r'"\1"', re.sub(r"([(\[]) ", r"\1", text))


def _paragraphs(sentences: Iterator[str]) -> list[str]:
    """15 paragraphs of sentences, each at least 140 characters or 3 sentences (news paragraph length)."""
    paras: list[str] = []
    while len(paras) < 15:
        para: list[str] = []
        while sum(map(len, para)) < 140 and len(para) < 3:
            para.append(next(sentences))
        paras.append(" ".join(para))
    return paras


def build_corpus(count: int = 40) -> None:
    """Write bench_articles.jsonl: `count` Indonesian (idner) and `count` English (ECB+) 15-paragraph articles."""
    sentences, tokens = [], []
    for name in ("train.txt", "dev.txt"):
        for line in (EVAL / "idner" / name).read_text("utf-8").splitlines():
            if line.strip():
                tokens.append(line.split(" ")[0])
            elif tokens:
                sentences.append(_detokenize(tokens))
                tokens = []
    id_stream = iter(s for s in sentences if len(s) > 30)
    docs = [
        json.loads(line) for line in (EVAL / "ecbplus" / "ecbplus-odd-topics.jsonl").read_text("utf-8").splitlines()
    ]
    random.Random(7).shuffle(docs)  # mix topics: sport, crime, disasters, business, politics ...
    en_stream = iter(s.strip() for d in docs for s in d["body"].splitlines() if s.strip() and not s.startswith("http"))
    rows = [{"id": f"idner-{k:02d}", "language": "id", "paragraphs": _paragraphs(id_stream)} for k in range(count)]
    rows += [{"id": f"ecbplus-{k:02d}", "language": "en", "paragraphs": _paragraphs(en_stream)} for k in range(count)]
    with (DATA / "bench_articles.jsonl").open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def typical_corpus() -> list[tuple[str, list[str]]]:
    """The typical-news corpus: (language, 15 paragraphs) from idner (Indonesian) and ECB+ (English) sentences."""
    rows = [json.loads(line) for line in (DATA / "bench_articles.jsonl").read_text("utf-8").splitlines() if line]
    return [(row["language"], row["paragraphs"]) for row in rows]


def seed_corpus() -> list[tuple[str, list[str]]]:
    """The seed article alone: a dense case (13 events, ~40 entities in 15 paragraphs)."""
    return [("id", (DATA / "seed_000_59858f91a7a8876a.txt").read_text("utf-8").splitlines())]


def speed(corpus_name: str, rounds: int, articles: int) -> str:
    """Median articles/s over `rounds` runs of `articles` articles cycled from a corpus, one process."""
    base = typical_corpus() if corpus_name == "typical" else seed_corpus()
    corpus = _corpus(corpus_name, articles)
    for language in ("id", "en"):
        tag(["warm up"], article_id="warm", language=language)  # load lexicons outside the timing
    rates = []
    cpu_rates = []  # CPU seconds of this process: steadier than wall time on a shared, loaded machine
    for _ in range(rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        for i, (language, paragraphs) in enumerate(corpus):
            tag(paragraphs, article_id=str(i), language=language)
        rates.append(articles / (time.perf_counter() - t0))
        cpu_rates.append(articles / (time.process_time() - c0))
    chars = statistics.median(sum(len(p) for p in paras) for _, paras in base)
    events = sum(len(tag(paras, article_id="n", language=lang).events) for lang, paras in base) / len(base)
    wall, cpu = statistics.median(rates), statistics.median(cpu_rates)
    return (
        f"speed [{corpus_name}]: median {wall:,.0f} articles/s wall (min {min(rates):,.0f}, max {max(rates):,.0f}); "
        f"median {cpu:,.0f} articles per CPU second; {rounds} rounds x {articles} articles of 15 paragraphs "
        f"(median {chars:,.0f} chars, {events:.1f} events/article), one process"
    )


def _corpus(corpus_name: str, articles: int) -> list[tuple[str, list[str]]]:
    """`articles` articles cycled from a corpus, each paragraph suffixed by the article number.

    Distinct text per article so nothing could be served from a cache; same length and content otherwise.
    """
    base = typical_corpus() if corpus_name == "typical" else seed_corpus()
    return [(base[i % len(base)][0], [f"{p} ({i})" for p in base[i % len(base)][1]]) for i in range(articles)]


def _core_at(rev: str, into: Path) -> Any:
    """`streams.tagging` as committed at `rev`, imported side by side as a renamed package."""
    package = into / "tagging_at_rev"
    package.mkdir()
    names = subprocess.run(
        ["git", "ls-tree", "--name-only", f"{rev}:streams/tagging"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    for name in names:
        if name.endswith(".py"):
            source = subprocess.run(
                ["git", "show", f"{rev}:streams/tagging/{name}"], cwd=ROOT, check=True, capture_output=True, text=True
            ).stdout
            (package / name).write_text(source.replace("streams.tagging", "tagging_at_rev"), "utf-8")
    sys.path.insert(0, str(into))
    return importlib.import_module("tagging_at_rev")


def compare(rev: str, corpus_name: str, rounds: int, articles: int) -> str:
    """This core against the one committed at `rev`, alternating rounds in one process (load hits both alike)."""
    with tempfile.TemporaryDirectory() as tmp:
        old = _core_at(rev, Path(tmp))
    corpus = _corpus(corpus_name, articles)
    cores = {"old": old.tag, "new": tag}
    for run in cores.values():
        for language in ("id", "en"):
            run(["warm up"], article_id="warm", language=language)
    cpu: dict[str, list[float]] = {"old": [], "new": []}
    for round_ in range(rounds):
        # Alternate which core goes first, so a load change within a round does not favour one side.
        for name in ("old", "new") if round_ % 2 == 0 else ("new", "old"):
            run = cores[name]
            c0 = time.process_time()
            for i, (language, paragraphs) in enumerate(corpus):
                run(paragraphs, article_id=str(i), language=language)
            cpu[name].append(articles / (time.process_time() - c0))
    ratios = [n / o for n, o in zip(cpu["new"], cpu["old"], strict=True)]
    med = statistics.median
    return (
        f"compare [{corpus_name}] against {rev}: old median {med(cpu['old']):,.0f}, new median {med(cpu['new']):,.0f} "
        f"articles per CPU second; new/old per round: median {med(ratios):.2f} (min {min(ratios):.2f}, "
        f"max {max(ratios):.2f}); {rounds} alternating rounds x {articles} articles, one process"
    )


def main() -> None:
    """Print the PLOVER tables and/or the speed line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--plover", action="store_true", help="per-type precision/recall on the PLOVER gold")
    parser.add_argument("--speed", action="store_true", help="articles per second")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--corpus", choices=("typical", "seed", "both"), default="both", help="speed corpus")
    parser.add_argument("--against", metavar="REV", help="with --speed: alternate rounds with the core at git REV")
    parser.add_argument("--build-corpus", action="store_true", help="rebuild bench_articles.jsonl from shared eval")
    args = parser.parse_args()
    if args.build_corpus:
        build_corpus()
        return
    if args.plover or not args.speed:
        for split in ("held-out", "dev", "all"):
            print(report_plover(split), end="\n\n")
    if args.speed or not args.plover:
        for name in ("typical", "seed") if args.corpus == "both" else (args.corpus,):
            if args.against:
                print(compare(args.against, name, args.rounds, args.articles))
            else:
                print(speed(name, args.rounds, args.articles))


if __name__ == "__main__":
    main()
