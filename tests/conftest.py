"""Shared fixtures: a real Kafka broker per test session, and worker processes on it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "000_59858f91a7a8876a.txt"


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real single-node KRaft broker started by this session (or KAFKA_BOOTSTRAP_SERVERS if set)."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield os.environ["KAFKA_BOOTSTRAP_SERVERS"]
        return
    from streams import kafka_local

    state = tmp_path_factory.mktemp("kafka")
    for attempt in range(3):
        try:
            info = kafka_local.start(0, state_dir=state, progress=lambda m: print(m, file=sys.stderr))
            break
        except kafka_local.BrokerError as exc:
            # Free ports are found by binding and releasing them: the other xdist worker's broker, starting at the
            # same moment, can take one first (a fresh-clone run failed so: "Address already in use"). New ports.
            if "Address already in use" not in str(exc) or attempt == 2:
                raise
            kafka_local.stop(state)
    try:
        yield info.bootstrap
    finally:
        kafka_local.stop(state)


@pytest.fixture()
def prefix() -> str:
    """A topic prefix of this test's own, so tests never share topics or consumer groups."""
    return f"t{uuid.uuid4().hex[:10]}."


@dataclass
class WorkerProcess:
    """A `warta worker` subprocess; stop() is graceful, kill() is SIGKILL."""

    proc: subprocess.Popen[bytes]
    log: Path
    web_port: int

    def stop(self, timeout: float = 30) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def output(self) -> str:
        return self.log.read_text("utf-8", "replace") if self.log.exists() else ""


@pytest.fixture()
def worker_factory(kafka_bootstrap: str, tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start `warta worker` processes on the session broker; all are stopped at teardown."""
    from streams.admin import create_topics
    from streams.kafka_local import free_port
    from streams.settings import Settings

    started: list[WorkerProcess] = []

    def start(prefix: str, *, agents: str = "dedup,tag,time,stories", name: str = "w0", log_level: str = "info",
              **env: str) -> WorkerProcess:
        # Topics first, so a test's producer never races the worker.
        create_topics(Settings.from_env(bootstrap_servers=kafka_bootstrap, topic_prefix=prefix), kafka_bootstrap)
        port = free_port()
        log = tmp_path / f"{name}.log"
        cmd = [sys.executable, "-m", "streams", "worker", "--bootstrap", kafka_bootstrap, "--prefix", prefix,
               "--agents", agents, "--data-dir", str(tmp_path / f"{name}-state"), "--web-port", str(port),
               "--log-level", log_level]
        proc = subprocess.Popen(cmd, stdout=log.open("ab"), stderr=subprocess.STDOUT, cwd=ROOT,
                                env={**os.environ, **env})
        w = WorkerProcess(proc, log, port)
        started.append(w)
        return w

    yield start
    for w in started:
        w.stop()


def produce(bootstrap: str, topic: str, records: list[tuple[bytes | None, bytes]]) -> None:
    """Send (key, value) records and wait until the broker has them."""
    from streams.admin import producer

    p = producer(bootstrap)
    for key, value in records:
        p.send(topic, key=key, value=value)
    p.flush()
    p.close()


def consume_until(
    bootstrap: str,
    topic: str,
    done: Callable[[list[Any]], bool],
    timeout: float = 120,
    workers: tuple[WorkerProcess, ...] = (),
) -> list[Any]:
    """Read a topic from the start until ``done(records)``; fail on timeout or if a worker dies."""
    from streams.admin import topic_reader

    deadline = time.monotonic() + timeout
    consumer = topic_reader(bootstrap, topic, wait=timeout)
    got: list[Any] = []
    try:
        while time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                got.extend(records)
            if done(got):
                return got
            for w in workers:
                if w.proc.poll() is not None:
                    raise AssertionError(f"worker exited with {w.proc.returncode}:\n{w.output()[-4000:]}")
    finally:
        consumer.close()
    raise AssertionError(f"timed out on {topic}: got {len(got)} record(s)")
