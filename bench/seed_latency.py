"""Seed article from produce to `enriched` on a real broker with a warm worker (median of runs).

    .venv/bin/python bench/seed_latency.py --runs 5

Uses KAFKA_BOOTSTRAP_SERVERS if set, else starts a local broker of its own (and stops it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kafka import KafkaConsumer, TopicPartition  # noqa: E402

from streams import admin, codec, kafka_local  # noqa: E402
from streams.settings import Settings  # noqa: E402

SEED = ROOT / "examples" / "000_59858f91a7a8876a.txt"


def _wait_for(consumer: KafkaConsumer, article_id: str, timeout: float = 120) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=50).values():
            for r in records:
                doc = codec.loads(r.value)
                if doc["id"] == article_id:
                    return doc  # type: ignore[no-any-return]
    raise TimeoutError(article_id)


def one_run(bootstrap: str, workdir: Path) -> dict[str, float]:
    prefix = f"bench{uuid.uuid4().hex[:8]}."
    settings = Settings.from_env(bootstrap_servers=bootstrap, topic_prefix=prefix)
    admin.create_topics(settings, bootstrap)
    log = (workdir / f"{prefix}log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "streams", "worker", "--bootstrap", bootstrap, "--prefix", prefix,
         "--data-dir", str(workdir / prefix), "--web-port", str(kafka_local.free_port())],
        stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
    )
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    tps = [TopicPartition(settings.topic("enriched"), p) for p in range(settings.partitions)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    producer = admin.producer(bootstrap)
    try:
        t_start = time.monotonic()
        warm = {"id": "warmup", "body": "Presiden meresmikan bendungan baru di Jawa Tengah, Senin (14/10/2024)."}
        producer.send(settings.topic("articles"), key=b"warmup", value=codec.dumps(warm)).get(30)
        _wait_for(consumer, "warmup")
        ready = time.monotonic() - t_start
        t0 = time.monotonic()
        producer.send(settings.topic("articles"), key=b"seed", value=codec.dumps(
            {"id": "seed", "body": SEED.read_text("utf-8")})).get(30)
        doc = _wait_for(consumer, "seed")
        latency = time.monotonic() - t0
        st = {k: datetime.fromisoformat(v).timestamp() for k, v in doc["stage_times"].items()}  # type: ignore[union-attr]
        ingested = datetime.fromisoformat(doc["ingested_at"]).timestamp()  # type: ignore[arg-type]
        return {
            "worker_ready_s": ready,
            "produce_to_enriched_ms": latency * 1000,
            "ingest_to_dedup_ms": (st["dedup"] - ingested) * 1000,
            "dedup_to_tag_ms": (st["tag"] - st["dedup"]) * 1000,
            "tag_to_time_ms": (st["time"] - st["tag"]) * 1000,
        }
    finally:
        producer.close()
        consumer.close()
        worker.terminate()
        worker.wait(30)
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="warta-bench-"))
    started = None
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if not bootstrap:
        t0 = time.monotonic()
        started = workdir / "kafka"
        bootstrap = kafka_local.start(0, state_dir=started).bootstrap
        print(f"broker started in {time.monotonic() - t0:.1f}s at {bootstrap}")
    try:
        rows = [one_run(bootstrap, workdir) for _ in range(args.runs)]
    finally:
        if started:
            kafka_local.stop(started)
    for key in rows[0]:
        values = [r[key] for r in rows]
        print(f"{key:26s} median {statistics.median(values):9.1f}   runs {', '.join(f'{v:.1f}' for v in values)}")


if __name__ == "__main__":
    main()
