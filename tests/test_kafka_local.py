"""The local broker: a real Kafka started, used with kafka-python, restarted idempotently and stopped."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

from streams import kafka_local
from streams.errors import BrokerError, MissingToolError

# One worker runs these in file order: the last test stops the broker the others use.
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("kafka_local")]


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[kafka_local.BrokerInfo, Path]]:
    """A broker of this module's own, on a free port with a fresh state dir (`$WARTA_HOME/kafka`, so that the
    CLI finds it with WARTA_HOME set to the state dir's parent)."""
    state = tmp_path_factory.mktemp("warta-home") / "kafka"
    info = kafka_local.start(0, state_dir=state)
    try:
        yield info, state
    finally:
        kafka_local.stop(state)


def test_status_reports_the_started_broker(broker: tuple[kafka_local.BrokerInfo, Path]) -> None:
    info, state = broker
    assert kafka_local.status(state) == info
    assert info.bootstrap == f"127.0.0.1:{info.port}"
    assert info.version == kafka_local.KAFKA_VERSION
    assert info.data_dir == state.resolve() / "data"
    assert (state / "state.json").is_file()
    assert kafka_local.log_file(state) == info.log_file
    assert "Transition from STARTING to STARTED" in info.log_file.read_text("utf-8", "replace")


def test_create_produce_consume(broker: tuple[kafka_local.BrokerInfo, Path]) -> None:
    info, _ = broker
    topic = f"t{uuid.uuid4().hex[:10]}.kafka-local"
    admin = KafkaAdminClient(bootstrap_servers=info.bootstrap)
    try:
        admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
        assert topic in admin.list_topics()
    finally:
        admin.close()
    producer = KafkaProducer(bootstrap_servers=info.bootstrap, acks="all")
    producer.send(topic, key=b"article-1", value=b'{"id": "article-1"}').get(timeout=30)
    producer.close()
    consumer = KafkaConsumer(
        topic, bootstrap_servers=info.bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=15000
    )
    try:
        record = next(iter(consumer))
    finally:
        consumer.close()
    assert (record.key, record.value) == (b"article-1", b'{"id": "article-1"}')


def test_start_again_returns_the_running_broker(broker: tuple[kafka_local.BrokerInfo, Path]) -> None:
    info, state = broker
    assert kafka_local.start(0, state_dir=state) == info
    assert kafka_local.start(info.port, state_dir=state) == info
    other = kafka_local.free_port()
    with pytest.raises(BrokerError, match=f"already runs on port {info.port}"):
        kafka_local.start(other, state_dir=state)


def _cli(*args: str, home: Path) -> tuple[subprocess.CompletedProcess[bytes], float]:
    env = {**os.environ, "WARTA_HOME": str(home), "KAFKA_BOOTSTRAP_SERVERS": "", "WARTA_KAFKA_PORT": ""}
    t0 = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "streams", *args], capture_output=True, env=env, timeout=60)
    return done, time.monotonic() - t0


def test_cli_start_on_another_port_refuses_and_names_the_running_one(
    broker: tuple[kafka_local.BrokerInfo, Path],
) -> None:
    info, state = broker
    other = kafka_local.free_port()
    refused, elapsed = _cli("kafka", "start", "--port", str(other), home=state.parent)
    err = refused.stderr.decode().strip()
    assert refused.returncode == 1 and "\n" not in err and "Traceback" not in err, err
    assert f"already runs on port {info.port}, not {other}" in err and info.bootstrap in err
    assert elapsed < 5, f"{elapsed:.1f}s"
    for args in (["kafka", "start"], ["kafka", "start", "--port", str(info.port)]):
        reused, _ = _cli(*args, home=state.parent)
        assert reused.returncode == 0, reused.stderr
        assert reused.stdout.decode().strip() == info.bootstrap
        assert f"already runs at {info.bootstrap}" in reused.stderr.decode()
    assert kafka_local.status(state) == info


def test_start_on_a_busy_port_fails_clearly(broker: tuple[kafka_local.BrokerInfo, Path], tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        busy = sock.getsockname()[1]
        with pytest.raises(BrokerError, match=f"port {busy} on 127.0.0.1 is already in use"):
            kafka_local.start(busy, state_dir=tmp_path / "kafka")
    assert kafka_local.status(tmp_path / "kafka") is None


def test_stop_stops_it_and_the_same_port_starts_again_at_once(broker: tuple[kafka_local.BrokerInfo, Path]) -> None:
    info, state = broker
    client = KafkaConsumer(bootstrap_servers=info.bootstrap)
    client.topics()  # connected while the broker stops: the broker closes, so its side ends in TIME-WAIT
    try:
        assert kafka_local.stop(state) is True
    finally:
        client.close()
    assert kafka_local.status(state) is None
    assert not (state / "state.json").exists()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", info.port), timeout=2).close()
    assert kafka_local.stop(state) is False
    with socket.socket() as plain, pytest.raises(OSError):
        plain.bind(("127.0.0.1", info.port))  # TIME-WAIT: what the old port check did, refused for ~60 s
    # The broker's listener (SO_REUSEADDR) does not mind TIME-WAIT; neither may the check before it.
    again = kafka_local.start(info.port, state_dir=state)
    try:
        assert again.port == info.port and kafka_local.status(state) == again
    finally:
        assert kafka_local.stop(state) is True


def test_a_port_in_time_wait_is_free_for_the_broker() -> None:
    """A listener with SO_REUSEADDR (as Java's) closed after its side closed a connection: the port is in
    TIME-WAIT, which a plain bind refuses for a minute but the broker's listener does not mind."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        conn, _ = listener.accept()
        conn.close()  # the server side closes first: its socket goes to TIME-WAIT
        client.recv(1)
        client.close()
    with socket.socket() as plain, pytest.raises(OSError):
        plain.bind(("127.0.0.1", port))  # what the old check did
    assert kafka_local._port_in_use(port) is False


def test_check_tools_without_path_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(MissingToolError) as caught:
        kafka_local.check_tools()
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("java not found: install a JDK 17+")


def test_default_dirs_follow_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WARTA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("WARTA_CACHE", str(tmp_path / "cache"))
    assert kafka_local.default_state_dir() == tmp_path / "home" / "kafka"
    assert kafka_local.default_cache_dir() == tmp_path / "cache"
    assert kafka_local.log_file() == tmp_path / "home" / "kafka" / "kafka.log"


@pytest.mark.integration
def test_topics_with_the_wrong_partition_count_are_refused(kafka_bootstrap: str) -> None:
    """A topic that exists with other partitions than configured is a startup error, not silent skew."""
    from streams.admin import create_topics
    from streams.errors import ConfigError
    from streams.settings import Settings

    prefix = f"t{uuid.uuid4().hex[:8]}."
    create_topics(Settings.from_env(bootstrap_servers=kafka_bootstrap, topic_prefix=prefix, partitions=2),
                  kafka_bootstrap)
    with pytest.raises(ConfigError, match=rf'topic "{re.escape(prefix)}[a-z]+": expected 4 partitions, got 2'):
        create_topics(Settings.from_env(bootstrap_servers=kafka_bootstrap, topic_prefix=prefix), kafka_bootstrap)
