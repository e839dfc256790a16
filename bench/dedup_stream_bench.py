"""The routed dedup stage on a real broker: throughput against a pass-through agent, state size, recovery time.

    .venv/bin/python bench/dedup_stream_bench.py [--articles 512] [--runs 3] [--out bench/results/dedup-stream.md]

Starts its own Kafka broker (or uses KAFKA_BOOTSTRAP_SERVERS). Every run gets fresh topics and an empty memory.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streams import codec  # noqa: E402
from streams.dedup import DedupConfig, Deduplicator  # noqa: E402
from streams.dedup.fingerprint import EXACT_PREFIX  # noqa: E402

DEVSET = ROOT / "tests" / "data" / "dedup" / "devset.jsonl"


def corpus(n: int) -> list[tuple[str, list[str]]]:
    """The first `n` dev-set articles (wire copies, near copies, boilerplate), ids made unique."""
    rows = [json.loads(line) for line in DEVSET.read_text("utf-8").splitlines() if line.strip()]
    return [(f"{r['id']}#{i}", r["paragraphs"]) for i, r in enumerate(rows[:n])]


def passthrough(bootstrap: str, prefix: str, data_dir: str) -> None:
    """A worker with the same Faust app settings whose only agent copies `articles` to `deduped`."""
    from faust import Worker

    from streams.app import build_app
    from streams.kafka_local import free_port
    from streams.settings import Settings

    settings = Settings(bootstrap_servers=bootstrap, topic_prefix=prefix, data_dir=Path(data_dir),
                        web_port=free_port())
    app = build_app(settings, bootstrap, agents=())
    src = app.topic(settings.topic("articles"), key_type=bytes, value_type=bytes, key_serializer="raw",
                    value_serializer="raw")
    dst = app.topic(settings.topic("deduped"), key_type=bytes, value_type=bytes, key_serializer="raw",
                    value_serializer="raw")

    @app.agent(src, name="pass_through")
    async def pass_through(stream: Any) -> None:
        async for event in stream.events():
            await dst.send(key=event.message.key, value=event.value)

    Worker(app, loglevel="warning").execute_from_commandline()


def start_worker(kind: str, bootstrap: str, prefix: str, data_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    """A `warta worker --agents dedup` or the pass-through, as a subprocess."""
    from streams.kafka_local import free_port

    if kind == "passthrough":
        cmd = [sys.executable, __file__, "passthrough", bootstrap, prefix, str(data_dir)]
    else:
        cmd = [sys.executable, "-m", "streams", "worker", "--bootstrap", bootstrap, "--prefix", prefix, "--agents",
               "dedup", "--data-dir", str(data_dir), "--web-port", str(free_port()), "--log-level", "warning"]
    return subprocess.Popen(cmd, stdout=log.open("ab"), stderr=subprocess.STDOUT, cwd=ROOT, env=dict(os.environ))


def produce(bootstrap: str, topic: str, articles: list[tuple[str, list[str]]]) -> None:
    """Send articles keyed by id and wait for the broker."""
    from streams.admin import producer

    p = producer(bootstrap)
    for article_id, paragraphs in articles:
        p.send(topic, key=article_id.encode(), value=codec.dumps({"id": article_id, "paragraphs": paragraphs}))
    p.flush()
    p.close()


def read_all(bootstrap: str, topic: str, n: int | None, timeout: float) -> list[Any]:
    """Records of a topic from the start: until `n` (or, with None, until it is quiet for 3 s)."""
    from streams.admin import topic_reader

    deadline = time.monotonic() + timeout
    c = topic_reader(bootstrap, topic, wait=timeout)
    got: list[Any] = []
    try:
        quiet = time.monotonic()
        while time.monotonic() < deadline:
            batch = [r for recs in c.poll(timeout_ms=300).values() for r in recs]
            got.extend(batch)
            if batch:
                quiet = time.monotonic()
            if (n is not None and len(got) >= n) or (n is None and time.monotonic() - quiet > 3):
                return got
    finally:
        c.close()
    raise TimeoutError(f"{topic}: {len(got)} of {n} records")


def throughput(kind: str, bootstrap: str, articles: list[tuple[str, list[str]]], work: Path) -> dict[str, Any]:
    """Articles/s through one worker: the first half pre-loaded (backlog), then the second half sent to it (live)."""
    from streams.admin import create_topics
    from streams.settings import Settings

    prefix = f"b{uuid.uuid4().hex[:8]}."
    data_dir = work / f"{prefix}{kind}"
    create_topics(Settings(bootstrap_servers=bootstrap, topic_prefix=prefix), bootstrap)
    # Backlog: the articles wait on the topic; rate over the output span (a stage that emits in batches looks
    # better here than it is: its first batch's latency falls before the first output).
    half = len(articles) // 2
    articles, rest = articles[:half], articles[half:]
    produce(bootstrap, f"{prefix}articles", articles)
    proc = start_worker(kind, bootstrap, prefix, data_dir, work / f"{prefix}{kind}.log")
    out = read_all(bootstrap, f"{prefix}deduped", len(articles), timeout=600)
    stamps = sorted(r.timestamp for r in out)
    span = (stamps[-1] - stamps[0]) / 1000
    # Live: the second half sent to the running worker (its memory holds the first); rate from the first
    # input record's timestamp to the last output's, so every latency counts.
    produce(bootstrap, f"{prefix}articles", rest)
    later = {a.encode() for a, _ in rest}
    firsts = read_all(bootstrap, f"{prefix}articles", half + len(rest), timeout=60)
    t0 = min(r.timestamp for r in firsts if r.key in later)
    live = read_all(bootstrap, f"{prefix}deduped", half + len(rest), timeout=600)
    t1 = max(r.timestamp for r in live if r.key in later)
    return {"kind": kind, "prefix": prefix, "proc": proc, "data_dir": data_dir,
            "rate": (len(out) - 1) / span if span else float("inf"), "span": span, "n": half + len(rest),
            "half": half, "live": len(rest) / ((t1 - t0) / 1000), "live_span": (t1 - t0) / 1000}


def state_size(bootstrap: str, prefix: str, data_dir: Path) -> dict[str, float]:
    """Live bytes of the index (latest value per key in its changelog) per remembered paragraph; RocksDB size."""
    recs = read_all(bootstrap, f"{prefix}workers-dedup-index-changelog", None, timeout=60)
    latest: dict[bytes, bytes | None] = {}
    for r in recs:
        latest[r.key] = r.value
    live = {k: v for k, v in latest.items() if v is not None}
    exact = sum(k[:1] == EXACT_PREFIX for k in live)
    total = sum(len(k) + len(v) for k, v in live.items())
    rocks = sum(f.stat().st_size for f in data_dir.rglob("*") if f.is_file() and "dedup-index" in str(f))
    return {"keys": len(live), "paragraphs": exact, "bytes": total, "per_paragraph": total / max(exact, 1),
            "rocksdb_bytes": rocks, "rocksdb_per_paragraph": rocks / max(exact, 1)}


def core_state(articles: list[tuple[str, list[str]]]) -> float:
    """Bytes per remembered paragraph of the one-process store over the same articles (the reference)."""
    store: dict[bytes, bytes] = {}
    dedup = Deduplicator(store, config=DedupConfig())
    for i, (article_id, paragraphs) in enumerate(articles):
        dedup.process(article_id, paragraphs, 1_728_800_000.0 + i)
    exact = sum(k[:1] == EXACT_PREFIX for k in store)
    return sum(len(k) + len(v) for k, v in store.items()) / max(exact, 1)


def recovery(bootstrap: str, run: dict[str, Any], articles: list[tuple[str, list[str]]], work: Path,
             fresh: bool) -> float:
    """SIGKILL the run's worker, restart it (fresh or same data dir), time until a repeat is flagged."""
    proc = run["proc"]
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    data_dir = work / f"{run['prefix']}fresh-{uuid.uuid4().hex[:4]}" if fresh else run["data_dir"]
    started = time.monotonic()
    new = start_worker("dedup", bootstrap, run["prefix"], data_dir, work / f"{run['prefix']}recovery.log")
    probe_id = f"probe-{uuid.uuid4().hex[:6]}"
    produce(bootstrap, f"{run['prefix']}articles", [(probe_id, articles[0][1])])
    n = run["n"] + (1 if fresh else 2)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        out = read_all(bootstrap, f"{run['prefix']}deduped", None, timeout=60)
        mine = [codec.loads(r.value) for r in out if r.key == probe_id.encode()]
        if mine:
            elapsed = time.monotonic() - started
            flagged = sum(p["duplicate"] is not None for p in mine[0]["paragraphs"])
            assert flagged > 0, "the restarted worker forgot"
            run["proc"] = new
            return elapsed
    raise TimeoutError(f"no output after restart (wanted {n})")


def main() -> None:
    """Run the benchmark and write the results table."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=512)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "dedup-stream.md")
    args = ap.parse_args()
    from streams import kafka_local

    work = Path(tempfile.mkdtemp(prefix="warta-bench-"))
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if not bootstrap:
        info = kafka_local.start(0, state_dir=work / "kafka", progress=lambda m: print(m, file=sys.stderr))
        bootstrap = info.bootstrap
    articles = corpus(args.articles)
    paragraphs = sum(len(ps) for _, ps in articles)
    rates: dict[str, list[float]] = {"passthrough": [], "dedup": []}
    lives: dict[str, list[float]] = {"passthrough": [], "dedup": []}
    procs = []
    last_dedup: dict[str, Any] | None = None
    try:
        for i in range(args.runs):
            for kind in ("passthrough", "dedup"):
                r = throughput(kind, bootstrap, articles, work)
                rates[kind].append(r["rate"])
                lives[kind].append(r["live"])
                print(f"run {i} {kind}: backlog {r['rate']:.1f} articles/s ({r['half']} in {r['span']:.2f}s), "
                      f"live {r['live']:.1f} articles/s ({r['n'] - r['half']} in {r['live_span']:.2f}s)",
                      file=sys.stderr)
                if kind == "dedup":
                    if last_dedup is not None:  # only the last run's worker is kept, for the recovery test
                        procs.append(last_dedup["proc"])
                    last_dedup = r
                else:
                    procs.append(r["proc"])
        assert last_dedup is not None
        time.sleep(2)
        state = state_size(bootstrap, last_dedup["prefix"], last_dedup["data_dir"])
        core = core_state(articles)
        warm = recovery(bootstrap, last_dedup, articles, work, fresh=False)
        cold = recovery(bootstrap, last_dedup, articles, work, fresh=True)
        procs.append(last_dedup["proc"])
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        if not os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
            kafka_local.stop(work / "kafka")
    med = {k: statistics.median(v) for k, v in rates.items()}
    live_med = {k: statistics.median(v) for k, v in lives.items()}
    lines = [
        "# Routed dedup stage on a real broker",
        "",
        f"`{' '.join([Path(sys.executable).name, *sys.argv])}` — Kafka 4.1 (local, single node), 4 partitions,",
        f"one worker, {len(articles)} dev-set articles ({paragraphs} paragraphs; wire copies, near copies and",
        "boilerplate). Backlog: the first half pre-loaded on `articles`, rate = (n-1) / (last - first output",
        "record timestamp). Live: then the second half sent to the running worker, rate = n / (last output -",
        "first input record timestamp): every latency included.",
        "",
        "| | backlog runs (articles/s) | median | live runs (articles/s) | median |",
        "|---|---|---|---|---|",
        *(f"| {k} | {', '.join(f'{x:.1f}' for x in v)} | {med[k]:.1f} | "
          f"{', '.join(f'{x:.1f}' for x in lives[k])} | {live_med[k]:.1f} |" for k, v in rates.items()),
        "",
        f"Ratio dedup / pass-through (medians): backlog **{med['dedup'] / med['passthrough']:.2f}**, "
        f"live **{live_med['dedup'] / live_med['passthrough']:.2f}**.",
        "",
        "## State",
        "",
        "| measure | value |",
        "|---|---|",
        f"| paragraphs remembered (exact records) | {state['paragraphs']} |",
        f"| live index keys (exact + band + watermark) | {state['keys']} |",
        f"| key+value bytes over the index | {state['bytes']} |",
        f"| **bytes per remembered paragraph (stream index)** | **{state['per_paragraph']:.1f}** |",
        f"| bytes per remembered paragraph, one-process store, same articles | {core:.1f} |",
        f"| RocksDB files of the index (one worker, all partitions) | {state['rocksdb_bytes']} |",
        f"| RocksDB bytes per remembered paragraph | {state['rocksdb_per_paragraph']:.0f} |",
        "",
        "## Recovery after SIGKILL",
        "",
        "Time from starting the replacement worker until a repeat article sent right after is flagged on",
        "`deduped` (includes Faust start-up, the rebalance and changelog recovery):",
        "",
        f"- same data dir (RocksDB kept): {warm:.1f} s",
        f"- fresh data dir (everything replayed from the changelogs): {cold:.1f} s",
        "",
    ]
    args.out.write_text("\n".join(lines), "utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "passthrough":
        passthrough(*sys.argv[2:5])
    else:
        main()
