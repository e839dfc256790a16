"""Topic administration and plain producers/consumers with kafka-python (CLI side, not agents)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from streams.errors import BrokerError, ConfigError
from streams.settings import MAX_MESSAGE_BYTES, Settings
from streams.topics import TopicSpec, topic_specs

__all__ = ["consume", "create_topics", "list_topics", "producer", "topic_reader"]

_CLIENT_ID = "warta-cli"


def _admin(bootstrap: str) -> KafkaAdminClient:
    try:
        return KafkaAdminClient(bootstrap_servers=bootstrap, client_id=_CLIENT_ID, request_timeout_ms=30000)
    except KafkaError as exc:
        raise BrokerError(f"no Kafka broker answers at {bootstrap} ({type(exc).__name__})") from None


def create_topics(
    settings: Settings, bootstrap: str, *, internal: bool = False
) -> list[tuple[TopicSpec, bool]]:
    """Create every Warta topic that does not exist yet (with ``internal``, the workers' topics too);
    returns (spec, created?) pairs."""
    admin = _admin(bootstrap)
    try:
        existing = set(admin.list_topics())
        specs = topic_specs(settings, internal=internal)
        _check_partitions(admin, [s for s in specs if s.name in existing])
        result = []
        for spec in specs:
            if spec.name in existing:
                result.append((spec, False))
                continue
            try:
                admin.create_topics(
                    [NewTopic(spec.name, spec.partitions, spec.replication, topic_configs=spec.configs)]
                )
                result.append((spec, True))
            except TopicAlreadyExistsError:
                result.append((spec, False))
        _wait_for_leaders(bootstrap, [s.name for s, _ in result])
        return result
    except KafkaError as exc:
        raise BrokerError(f"creating topics on {bootstrap}: {exc}") from None
    finally:
        admin.close()


def _topic_name(described: dict[str, Any]) -> str:
    """kafka-python 3 calls the field ``name`` (2.x called it ``topic``)."""
    return str(described.get("name") or described.get("topic"))


def _check_partitions(admin: KafkaAdminClient, specs: list[TopicSpec]) -> None:
    """Existing topics must have the configured partition count: the stages rely on co-partitioning."""
    if not specs:
        return
    by_name = {spec.name: spec for spec in specs}
    for topic in admin.describe_topics(list(by_name)):
        name = _topic_name(topic)
        got = len(topic.get("partitions") or [])
        want = by_name[name].partitions
        if got != want:
            raise ConfigError(
                f'topic "{name}": expected {want} partitions, got {got} '
                f"(delete it, or set WARTA_PARTITIONS={got})"
            )


def _wait_for_leaders(bootstrap: str, names: list[str], timeout: float = 30.0) -> None:
    """Block until every partition of the new topics has a leader (producers fail before that)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id=_CLIENT_ID)
    try:
        deadline = time.monotonic() + timeout
        pending = set(names)
        while pending and time.monotonic() < deadline:
            consumer.poll(timeout_ms=0)  # refresh metadata
            pending = {n for n in pending if not consumer.partitions_for_topic(n)}
            if pending:
                time.sleep(0.2)
        if pending:
            raise BrokerError(f"topics have no leader after {timeout:.0f}s: {sorted(pending)}")
    finally:
        consumer.close()


def list_topics(bootstrap: str) -> dict[str, int]:
    """Every topic on the cluster with its partition count."""
    admin = _admin(bootstrap)
    try:
        out: dict[str, int] = {}
        for t in admin.describe_topics():
            out[_topic_name(t)] = len(t.get("partitions") or [])
        return dict(sorted(out.items()))
    finally:
        admin.close()


def producer(bootstrap: str) -> KafkaProducer:
    """A producer that waits for the leader's ack and allows large articles."""
    try:
        return KafkaProducer(
            bootstrap_servers=bootstrap,
            client_id=_CLIENT_ID,
            acks="all",
            linger_ms=5,
            max_request_size=MAX_MESSAGE_BYTES,
        )
    except KafkaError as exc:
        raise BrokerError(f"no Kafka broker answers at {bootstrap} ({type(exc).__name__})") from None


def topic_reader(bootstrap: str, topic: str, *, from_end: bool = False, wait: float = 30.0) -> KafkaConsumer:
    """A consumer without a group, assigned every partition of `topic` at its start (or end).

    Waits up to `wait` seconds for the topic's metadata; the caller closes the consumer.
    """
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        client_id=_CLIENT_ID,
        enable_auto_commit=False,
        fetch_max_bytes=MAX_MESSAGE_BYTES,
        max_partition_fetch_bytes=MAX_MESSAGE_BYTES,
    )
    try:
        deadline = time.monotonic() + wait
        parts = consumer.partitions_for_topic(topic)
        while not parts and time.monotonic() < deadline:
            time.sleep(0.1)
            consumer.poll(timeout_ms=0)
            parts = consumer.partitions_for_topic(topic)
        if not parts:
            raise BrokerError(f'topic "{topic}" does not exist on {bootstrap}')
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        consumer.assign(tps)
        if from_end:
            consumer.seek_to_end(*tps)
        else:
            consumer.seek_to_beginning(*tps)
    except BaseException:
        consumer.close()
        raise
    return consumer


def consume(
    bootstrap: str,
    topic: str,
    *,
    from_end: bool = False,
    max_records: int | None = None,
    idle_timeout: float | None = None,
) -> Iterator[Any]:
    """Read a topic without a consumer group (all partitions, earliest offset unless from_end)."""
    consumer = topic_reader(bootstrap, topic, from_end=from_end)
    try:
        seen = 0
        last = time.monotonic()
        while max_records is None or seen < max_records:
            batch = consumer.poll(timeout_ms=200)
            if not batch:
                if idle_timeout is not None and time.monotonic() - last > idle_timeout:
                    return
                continue
            last = time.monotonic()
            for records in batch.values():
                for record in records:
                    yield record
                    seen += 1
                    if max_records is not None and seen >= max_records:
                        return
    finally:
        consumer.close()
