"""Topic administration and plain producers/consumers with kafka-python (CLI side, not agents)."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import (
    CoordinatorLoadInProgressError,
    CoordinatorNotAvailableError,
    KafkaError,
    NotCoordinatorError,
    TopicAlreadyExistsError,
)

from streams import security as sec
from streams.errors import BrokerError, ConfigError
from streams.security import KafkaSecurity
from streams.settings import MAX_MESSAGE_BYTES, Settings
from streams.topics import TopicSpec, topic_specs

_T = TypeVar("_T")

__all__ = [
    "CONNECT_TIMEOUT_S",
    "admin_client",
    "check_reachable",
    "consume",
    "create_topics",
    "deletable_topics",
    "delete_topics",
    "group_consumer",
    "group_members",
    "list_topics",
    "missing_topic",
    "producer",
    "require_topic",
    "topic_reader",
]

_CLIENT_ID = "warta-cli"
# How long a CLI client may take to reach the cluster and read its metadata (kafka-python's
# bootstrap_timeout_ms; its default of 30 s made every wrong address a half-minute wait).
CONNECT_TIMEOUT_S = 4.0
_CONNECT_MS = int(CONNECT_TIMEOUT_S * 1000)
_HINT = "start one with `warta kafka start` or set KAFKA_BOOTSTRAP_SERVERS to a running broker's host:port"


_NO_ANSWER = f"it accepts connections but gave no Kafka metadata within {CONNECT_TIMEOUT_S:.0f} s"


def _no_broker(bootstrap: str, why: str) -> BrokerError:
    return BrokerError(f"no Kafka broker at {bootstrap} ({why}): {_HINT}")


def _no_answer(bootstrap: str, security: KafkaSecurity | None) -> BrokerError:
    if (security or sec.current()).protocol == "PLAINTEXT":  # a TLS or SASL listener never answers a plain client
        return _no_broker(bootstrap, f"{_NO_ANSWER}; a TLS or SASL listener? set KAFKA_SECURITY_PROTOCOL")
    return _no_broker(bootstrap, _NO_ANSWER)


def check_reachable(bootstrap: str, timeout: float = CONNECT_TIMEOUT_S, security: KafkaSecurity | None = None) -> None:
    """Fail at once, in one line, if no bootstrap address accepts a TCP connection (a refused port answers in
    microseconds, so a wrong address costs no client bootstrap timeout), or if the first that does refuses the TLS
    handshake or the SASL credentials of `security` (default: the process's, streams.security.current())."""
    why = "no address given"
    for hostport in (hp.strip() for hp in bootstrap.split(",")):
        if not hostport:
            continue
        host, sep, port = hostport.rpartition(":")
        if not sep or not port.isdigit():
            raise BrokerError(f"bad bootstrap address {hostport!r}: expected host:port")
        try:
            with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
                pass
        except OSError as exc:
            why = exc.strerror or type(exc).__name__
            why = why[0].lower() + why[1:] if why else type(exc).__name__
            continue
        sec.verify(host.strip("[]"), int(port), security or sec.current(), timeout)
        return
    raise _no_broker(bootstrap, why)


def admin_client(bootstrap: str, security: KafkaSecurity | None = None) -> KafkaAdminClient:
    """An admin client, after a quick check that the cluster is there (a BrokerError in one line if not)."""
    check_reachable(bootstrap, security=security)
    try:
        return KafkaAdminClient(bootstrap_servers=bootstrap, client_id=_CLIENT_ID, request_timeout_ms=30000,
                                bootstrap_timeout_ms=_CONNECT_MS, **sec.kafka_python_options(security))
    except KafkaError:
        raise _no_answer(bootstrap, security) from None


def missing_topic(topic: str, bootstrap: str, hint: str) -> BrokerError:
    """The one-line error for a topic that is not on the cluster."""
    return BrokerError(f"topic {topic} does not exist on {bootstrap}: {hint}")


def require_topic(bootstrap: str, topic: str, hint: str) -> int:
    """The partition count of `topic`; a BrokerError with `hint` if the cluster has no such topic."""
    admin = admin_client(bootstrap)
    try:
        if topic not in set(admin.list_topics()):
            raise missing_topic(topic, bootstrap, hint)
        [described] = admin.describe_topics([topic])
        return len(described.get("partitions") or [])
    except KafkaError as exc:
        raise BrokerError(f"reading the metadata of {topic} on {bootstrap}: {exc}") from None
    finally:
        admin.close()


def create_topics(
    settings: Settings, bootstrap: str, *, internal: bool = False
) -> list[tuple[TopicSpec, bool]]:
    """Create every Warta topic that does not exist yet (with ``internal``, the workers' topics too);
    returns (spec, created?) pairs."""
    admin = admin_client(bootstrap, settings.security)
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
        _wait_for_leaders(bootstrap, [s.name for s, _ in result], settings.security)
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


def _wait_for_leaders(bootstrap: str, names: list[str], security: KafkaSecurity, timeout: float = 30.0) -> None:
    """Block until every partition of the new topics has a leader (producers fail before that)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, client_id=_CLIENT_ID, bootstrap_timeout_ms=_CONNECT_MS,
                             **sec.kafka_python_options(security))
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
    admin = admin_client(bootstrap)
    try:
        out: dict[str, int] = {}
        for t in admin.describe_topics():
            out[_topic_name(t)] = len(t.get("partitions") or [])
        return dict(sorted(out.items()))
    except KafkaError as exc:
        raise BrokerError(f"listing topics on {bootstrap}: {exc}") from None
    finally:
        admin.close()


def deletable_topics(names: list[str], prefix: str, app_id: str) -> list[str]:
    """The topics of one deployment among `names`: those with its prefix, and the Faust app's own
    (`<app id>-<table>-changelog`, `<app id>-__assignor-__leader`, repartition topics)."""
    if not prefix:
        raise ConfigError("an empty topic prefix would select every topic: set WARTA_TOPIC_PREFIX or --prefix")
    return sorted(n for n in names
                  if not n.startswith("__") and (n.startswith(prefix) or n.startswith(f"{app_id}-")))


def delete_topics(bootstrap: str, names: list[str], group_id: str | None = None, timeout: float = 30.0) -> bool:
    """Delete `names` and wait until the cluster no longer lists them; then delete the consumer group
    `group_id` (its committed offsets would otherwise apply to topics re-created with the same names).
    Refuses while the group has members (workers still running). Returns whether the group was deleted."""
    admin = admin_client(bootstrap)
    try:
        if group_id is not None:
            members = group_members(admin, group_id)
            if members:
                raise BrokerError(
                    f"consumer group {group_id} has {members} running member(s): stop its workers first"
                )
        if names:
            admin.delete_topics(names, timeout_ms=int(timeout * 1000))
            deadline = time.monotonic() + timeout
            left = set(names) & set(admin.list_topics())
            while left and time.monotonic() < deadline:
                time.sleep(0.2)
                left = set(names) & set(admin.list_topics())
            if left:
                raise BrokerError(f"topics still listed {timeout:.0f}s after deletion: {sorted(left)}")
        if group_id is None:
            return False
        # {group id: "OK" or the error's name}; GroupIdNotFoundError when the group never committed anything.
        return dict(_coordinated(lambda: admin.delete_groups([group_id]))).get(group_id) == "OK"
    except KafkaError as exc:
        raise BrokerError(f"deleting topics on {bootstrap}: {exc}") from None
    finally:
        admin.close()


def _coordinated(call: Callable[[], _T], timeout: float = 20.0) -> _T:
    """`call()`, retried while the group coordinator is not there yet.

    A fresh broker creates `__consumer_offsets` on the first group request and answers "coordinator not
    available" until it has (seconds, more on a loaded machine): retriable, not a reason to fail a command.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            return call()
        except (CoordinatorNotAvailableError, NotCoordinatorError, CoordinatorLoadInProgressError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)


def group_members(admin: KafkaAdminClient, group_id: str) -> int:
    """How many members the consumer group has now (0 if it does not exist)."""
    described = _coordinated(lambda: admin.describe_groups([group_id]))
    info = described.get(group_id) if isinstance(described, dict) else None
    if not info:
        return 0
    return len(info.get("members") or [])


def producer(bootstrap: str, security: KafkaSecurity | None = None) -> KafkaProducer:
    """A producer that waits for the leader's ack and allows large articles.

    A send to a topic the cluster does not have fails after 10 s (max_block_ms) instead of kafka-python's 60 s;
    the CLI checks the topic first (require_topic) so a user never waits for that."""
    check_reachable(bootstrap, security=security)
    try:
        return KafkaProducer(
            bootstrap_servers=bootstrap,
            client_id=_CLIENT_ID,
            acks="all",
            linger_ms=5,
            max_request_size=MAX_MESSAGE_BYTES,
            max_block_ms=10_000,
            bootstrap_timeout_ms=_CONNECT_MS,
            **sec.kafka_python_options(security),
        )
    except KafkaError:
        raise _no_answer(bootstrap, security) from None


def topic_reader(
    bootstrap: str, topic: str, *, from_end: bool = False, wait: float = 30.0, hint: str | None = None,
    since: datetime | None = None, security: KafkaSecurity | None = None,
) -> KafkaConsumer:
    """A consumer without a group, assigned every partition of `topic` at its start (or end, or its first record
    timestamped at or after `since`).

    Waits up to `wait` seconds for the topic's metadata (0: one look); the caller closes the consumer.
    """
    consumer = _large_consumer(bootstrap, security, client_id=_CLIENT_ID)
    try:
        deadline = time.monotonic() + wait
        parts = consumer.partitions_for_topic(topic)
        while not parts and time.monotonic() < deadline:
            time.sleep(0.1)
            consumer.poll(timeout_ms=0)
            parts = consumer.partitions_for_topic(topic)
        if not parts:
            raise missing_topic(topic, bootstrap, hint or "check the name with `warta topics list`")
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        consumer.assign(tps)
        if since is not None:
            found = consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in tps})
            consumer.seek_to_end(*tps)  # a partition with no record that recent starts at its end
            for tp, at in found.items():
                if at is not None:
                    consumer.seek(tp, at.offset)
        elif from_end:
            consumer.seek_to_end(*tps)
        else:
            consumer.seek_to_beginning(*tps)
    except BaseException:
        consumer.close()
        raise
    return consumer


def _large_consumer(bootstrap: str, security: KafkaSecurity | None, **options: Any) -> KafkaConsumer:
    """A consumer that commits only when told to and fetches records as large as Warta allows, after the quick
    reachability check; a cluster that gives no metadata is a BrokerError in one line."""
    check_reachable(bootstrap, security=security)
    try:
        return KafkaConsumer(
            bootstrap_servers=bootstrap,
            enable_auto_commit=False,
            fetch_max_bytes=MAX_MESSAGE_BYTES,
            max_partition_fetch_bytes=MAX_MESSAGE_BYTES,
            bootstrap_timeout_ms=_CONNECT_MS,
            **options,
            **sec.kafka_python_options(security),
        )
    except KafkaError:
        raise _no_answer(bootstrap, security) from None


def group_consumer(bootstrap: str, group_id: str, topic: str, *, start: str = "earliest",
                   max_poll_records: int = 100) -> KafkaConsumer:
    """A member of consumer group `group_id` subscribed to `topic` that commits only when told to (a new group
    starts at the `start` offset: earliest or latest); the caller closes it."""
    consumer = _large_consumer(
        bootstrap,
        None,
        group_id=group_id,
        client_id=f"{_CLIENT_ID}-{group_id}",
        auto_offset_reset=start,
        max_poll_records=max_poll_records,
    )
    consumer.subscribe([topic])
    return consumer


def consume(
    bootstrap: str,
    topic: str,
    *,
    from_end: bool = False,
    max_records: int | None = None,
    idle_timeout: float | None = None,
    wait: float = 30.0,
    hint: str | None = None,
    since: datetime | None = None,
    security: KafkaSecurity | None = None,
) -> Iterator[Any]:
    """Read a topic without a consumer group (all partitions, earliest offset unless from_end); `wait`, `hint`
    and `since` as for topic_reader."""
    consumer = topic_reader(bootstrap, topic, from_end=from_end, wait=wait, hint=hint, since=since, security=security)
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
