"""Warta's three agents against a pass-through pipeline on the same broker, alternating runs.

    .venv/bin/python bench/pipeline_bench.py --articles 1000 --runs 3

Each run pre-produces N distinct typical articles (15 paragraphs, Indonesian and English, built from
tests/data/tagging/bench_articles.jsonl with a fixed seed) to a fresh prefix, starts one worker, and times
the `enriched` topic from its first to its last record (so worker start-up is not counted). Reports
articles/s per run, medians and the Warta/pass-through ratio. KAFKA_BOOTSTRAP_SERVERS or a broker of its own.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from streams import admin, codec, kafka_local  # noqa: E402
from streams.settings import Settings  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "tagging" / "bench_articles.jsonl"


def make_articles(n: int, seed: int = 7) -> list[dict[str, object]]:
    """N articles of 15 paragraphs drawn from the corpus; a third of each paragraph's words swapped for
    corpus words, so repeats are neither exact nor near duplicates (dedup keeps them, later stages work)."""
    rng = random.Random(seed)
    docs = [codec.loads(line) for line in CORPUS.read_bytes().splitlines() if line.strip()]
    pool = [(d["language"], p) for d in docs for p in d["paragraphs"]]
    vocab = [w for _, p in pool for w in p.split()]
    out = []
    for i in range(n):
        lang = rng.choice(["id", "en"])
        paras = [p for lg, p in pool if lg == lang]
        body = []
        for p in rng.sample(paras, 15):
            words = p.split()
            for j in range(0, len(words), 3):
                words[j] = rng.choice(vocab)
            body.append(" ".join(words))
        out.append({"id": f"bench-{i:06d}", "language": lang, "paragraphs": body})
    return out


def run_once(kind: str, bootstrap: str, articles: list[dict[str, object]], workdir: Path) -> float:
    prefix = f"pb{uuid.uuid4().hex[:8]}."
    settings = Settings.from_env(bootstrap_servers=bootstrap, topic_prefix=prefix)
    admin.create_topics(settings, bootstrap)
    producer = admin.producer(bootstrap)
    for a in articles:
        producer.send(settings.topic("articles"), key=str(a["id"]).encode(), value=codec.dumps(a))
    producer.flush()
    producer.close()
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "WARTA_TOPIC_PREFIX": prefix}
    port = str(kafka_local.free_port())
    if kind == "warta":
        cmd = [sys.executable, "-m", "streams", "worker", "--data-dir", str(workdir / prefix), "--web-port", port]
    else:
        cmd = [sys.executable, str(ROOT / "bench" / "passthrough.py"), "worker", "-l", "warn"]
    log = (workdir / f"{prefix}{kind}.log").open("wb")
    worker = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    consumer = admin.topic_reader(bootstrap, settings.topic("enriched"))
    stamps: list[int] = []
    deadline = time.monotonic() + 600
    try:
        while len(stamps) < len(articles) and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=200).values():
                stamps.extend(r.timestamp for r in records)
            if worker.poll() is not None:
                raise RuntimeError(f"{kind} worker exited; see {log.name}")
    finally:
        consumer.close()
        worker.terminate()
        worker.wait(30)
        log.close()
    if len(stamps) < len(articles):
        raise RuntimeError(f"{kind}: only {len(stamps)}/{len(articles)} came through")
    span = (max(stamps) - min(stamps)) / 1000
    return (len(stamps) - 1) / span


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="warta-pbench-"))
    articles = make_articles(args.articles)
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    state = None
    if not bootstrap:
        state = workdir / "kafka"
        bootstrap = kafka_local.start(0, state_dir=state).bootstrap
    results: dict[str, list[float]] = {"passthrough": [], "warta": []}
    try:
        for run in range(args.runs):
            for kind in ("passthrough", "warta"):
                rate = run_once(kind, bootstrap, articles, workdir)
                results[kind].append(rate)
                print(f"run {run + 1} {kind:12s} {rate:8.1f} articles/s", flush=True)
    finally:
        if state:
            kafka_local.stop(state)
    med = {k: statistics.median(v) for k, v in results.items()}
    print(f"median passthrough {med['passthrough']:.1f} articles/s, warta {med['warta']:.1f} articles/s, "
          f"ratio warta/passthrough {med['warta'] / med['passthrough']:.2f}")


if __name__ == "__main__":
    main()
