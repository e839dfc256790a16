"""Fault scenarios on a private broker: articles in, a worker, a fault, then who came out and what it logged."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from streams import admin, codec, kafka_local
from streams.settings import Settings
from tests.conftest import ROOT, WorkerProcess

CORPUS = ROOT / "tests" / "data" / "tagging" / "bench_articles.jsonl"


def make_articles(n: int, tag: str = "f") -> list[tuple[bytes, bytes]]:
    """N (key, value) articles of three corpus paragraphs each, short so that thousands go through a test quickly.
    Paragraphs recur across articles with another counter in them, so some are flagged near duplicates: the dedup
    memory and its probes are exercised as in production (the scenarios count articles, not flags)."""
    docs = [codec.loads(line) for line in CORPUS.read_bytes().splitlines() if line.strip()]
    paras = [(d["language"], p) for d in docs for p in d["paragraphs"]]
    out = []
    for i in range(n):
        picked = [paras[(i * 7 + j * 131) % len(paras)] for j in range(3)]
        article_id = f"{tag}-{i:06d}"
        body = [f"{p} (Nomor {i}-{j}.)" for j, (_, p) in enumerate(picked)]
        out.append((article_id.encode(), codec.dumps({"id": article_id, "language": picked[0][0],
                                                      "paragraphs": body})))
    return out


def send(bootstrap: str, topic: str, records: Iterable[tuple[bytes, bytes]]) -> None:
    """Send (key, value) records and wait until the broker has them all."""
    p = admin.producer(bootstrap)
    for key, value in records:
        p.send(topic, key=key, value=value)
    p.flush(timeout=120)
    p.close()


def start_worker(bootstrap: str, prefix: str, workdir: Path, name: str = "w0") -> WorkerProcess:
    """A `warta worker` with JSON log lines at info level (so its "ready" and Faust's lines are there to read)."""
    port = kafka_local.free_port()
    log = workdir / f"{name}.log"
    cmd = [sys.executable, "-m", "streams", "worker", "--bootstrap", bootstrap, "--prefix", prefix,
           "--data-dir", str(workdir / f"{name}-state"), "--web-port", str(port), "--log-level", "info",
           "--log-format", "json"]
    proc = subprocess.Popen(cmd, stdout=log.open("ab"), stderr=subprocess.STDOUT, cwd=ROOT, env=dict(os.environ))
    return WorkerProcess(proc, log, port)


def create_topics(bootstrap: str, prefix: str) -> None:
    admin.create_topics(Settings.from_env(bootstrap_servers=bootstrap, topic_prefix=prefix), bootstrap)


def wait_ready(worker: WorkerProcess, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "Worker ready" in worker.output():
            return
        assert worker.proc.poll() is None, worker.output()[-4000:]
        time.sleep(0.3)
    raise AssertionError("worker not ready:\n" + worker.output()[-4000:])


@dataclass
class Output:
    """What reached `enriched` and `deadletter`, by key (the article id)."""

    enriched: dict[str, list[bytes]] = field(default_factory=lambda: defaultdict(list))
    deadletter: dict[str, int] = field(default_factory=Counter)

    def ids(self) -> set[str]:
        return set(self.enriched) | set(self.deadletter)

    def extra_copies(self) -> int:
        return sum(len(v) - 1 for v in self.enriched.values())

    def differing(self) -> Counter[str]:
        """For the ids whose copies on `enriched` differ in content, which fields differ, and how often (the times
        of processing left out: they differ by design)."""
        fields: Counter[str] = Counter()
        for copies in self.enriched.values():
            docs = [_content(c) for c in copies]
            first = docs[0]
            fields.update({k for d in docs[1:] for k in d.keys() | first.keys() if d.get(k) != first.get(k)})
        return fields

    def ids_differing(self) -> int:
        return sum(1 for copies in self.enriched.values() if len({codec.dumps(_content(c)) for c in copies}) > 1)


_VOLATILE = ("processed_at", "stage_times")


def _content(value: bytes) -> dict[str, Any]:
    doc: dict[str, Any] = codec.loads(value)
    for name in _VOLATILE:
        doc.pop(name, None)
    return doc


def collect(bootstrap: str, prefix: str, want: set[str], worker: WorkerProcess, timeout: float) -> Output:
    """Read `enriched` and `deadletter` until every wanted id is on one of them (or timeout), then a little longer
    so late extra copies are counted too."""
    out = Output()
    readers = {name: admin.topic_reader(bootstrap, f"{prefix}{name}", wait=60) for name in ("enriched", "deadletter")}
    deadline = time.monotonic() + timeout
    settled: float | None = None
    try:
        while time.monotonic() < deadline:
            for name, reader in readers.items():
                for records in reader.poll(timeout_ms=300).values():
                    for r in records:
                        key = (r.key or b"").decode("utf-8", "replace")
                        if name == "enriched":
                            out.enriched[key].append(r.value)
                        else:
                            out.deadletter[key] += 1
            if want <= out.ids():
                settled = settled or time.monotonic()
                if time.monotonic() - settled > 5:
                    break
            elif worker.proc.poll() is not None:
                raise AssertionError(f"worker exited with {worker.proc.returncode}:\n{worker.output()[-4000:]}")
    finally:
        for reader in readers.values():
            reader.close()
    return out


def log_lines(worker: WorkerProcess) -> tuple[list[dict[str, Any]], list[str]]:
    """The worker's JSON log lines, and the lines that are not JSON (a library printing, a traceback)."""
    docs, other = [], []
    for line in worker.output().splitlines():
        if not line.strip():
            continue
        try:
            doc = codec.loads(line)
        except ValueError:
            other.append(line)
            continue
        if isinstance(doc, dict) and "level" in doc:
            docs.append(doc)
        else:
            other.append(line)
    return docs, other


def noisy_lines(docs: list[dict[str, Any]], start: float, end: float) -> list[dict[str, Any]]:
    """Warning and error lines logged between two wall-clock times."""
    return [d for d in docs if d["level"] in ("warning", "error", "critical")
            and start <= datetime.fromisoformat(d["time"]).timestamp() <= end]

