"""Read Warta's events or enriched articles as a service does: validated, typed, in a consumer group, each record
committed only once the caller has handled it.

    from streams.consume import events

    with events(group="my-service") as stream:
        for event in stream:          # an Event (a TypedDict), valid against schemas/event.v1.json
            handle(event)             # committed when the next one is asked for, or when the block ends

Delivery is at least once: a record whose handling was cut short (an exception leaves the `with` block, the process
dies) is not committed, so the group reads it again. Records that are not valid (wrong schema header, not JSON,
against the schema) are skipped, logged and committed: they would never become valid.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any, Generic, TypeVar, cast

import fastjsonschema
from kafka import KafkaConsumer, TopicPartition
from kafka.errors import CommitFailedError
from kafka.structs import OffsetAndMetadata

from streams import admin, codec, contract
from streams.deadletter import Reason
from streams.errors import BrokerError, InvalidMessage, WartaError
from streams.records import Actor, ArticleEvent, EnrichedArticle, Event
from streams.schemas import validator
from streams.settings import Settings

__all__ = ["Actor", "ArticleEvent", "EnrichedArticle", "Event", "Subscription", "enriched_articles", "events",
           "subscribe"]

log = logging.getLogger("warta.consume")

T = TypeVar("T")
OnInvalid = Callable[[Any, str], None]


def _log_invalid(record: Any, why: str) -> None:
    log.warning("skipped %s[%d]@%d: %s", record.topic, record.partition, record.offset, why)


class Subscription(Generic[T]):
    """Valid records of one topic for one consumer group; iterate it inside `with` (which closes the consumer)."""

    def __init__(self, consumer: KafkaConsumer, schema: str, *, idle_timeout: float | None,
                 on_invalid: OnInvalid | None) -> None:
        self._consumer = consumer
        self._schema = schema
        self._validate = validator(contract.schema_file(schema))
        self._idle = idle_timeout
        self._on_invalid = on_invalid or _log_invalid
        self._handled: dict[TopicPartition, int] = {}  # next offset to commit, per partition
        self.record: Any = None  # the Kafka record (topic, partition, offset, timestamp, key, headers) being handled
        self.skipped = 0

    def __enter__(self) -> Subscription[T]:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        # Leaving the block normally means the record at hand was handled too; an exception leaves it uncommitted.
        if kind is None and self.record is not None:
            self._mark(self.record)
        self.close()

    def _mark(self, record: Any) -> None:
        self._handled[TopicPartition(record.topic, record.partition)] = record.offset + 1

    def commit(self) -> None:
        """Commit the records handled so far (iteration does it before each fetch, `with` at its end)."""
        if not self._handled:
            return
        offsets = {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in self._handled.items()}
        self._handled = {}
        try:
            self._consumer.commit(offsets)
        except CommitFailedError as exc:
            # The group moved these partitions to another member (handling took longer than max.poll.interval.ms):
            # that member reads the records again, as at-least-once delivery allows.
            log.warning("commit refused, the records are read again elsewhere: %s", exc)

    def close(self) -> None:
        """Commit what was handled and leave the group."""
        try:
            self.commit()
        finally:
            self._consumer.close(autocommit=False)

    def _check(self, record: Any) -> T | None:
        """The record's value if it is a valid record of the schema, else None (after on_invalid)."""
        named = contract.header_value(record.headers, contract.SCHEMA_HEADER)
        try:
            if named is not None and named != self._schema:
                raise InvalidMessage(Reason.SCHEMA, f"header {contract.SCHEMA_HEADER}: {named}")
            value = codec.loads_object(record.value or b"")
            if value.get("schema") != self._schema:
                raise InvalidMessage(Reason.SCHEMA, f"schema {value.get('schema')!r}, not {self._schema}")
            self._validate(value)
        except (InvalidMessage, fastjsonschema.JsonSchemaException) as exc:
            self.skipped += 1
            self._on_invalid(record, str(exc))
            return None
        return cast(T, value)

    def __iter__(self) -> Iterator[T]:
        last = time.monotonic()
        while True:
            self.commit()  # what the caller handled, before fetching more
            batch = self._consumer.poll(timeout_ms=500)
            if not batch:
                if self._idle is not None and time.monotonic() - last > self._idle:
                    return
                continue
            last = time.monotonic()
            for records in batch.values():
                for record in records:
                    value = self._check(record)
                    if value is not None:
                        self.record = record
                        yield value  # resumed when the caller asks for the next record: it handled this one
                        self.record = None
                    self._mark(record)


def _bootstrap(settings: Settings) -> str:
    if settings.bootstrap_servers:
        return settings.bootstrap_servers
    from streams import kafka_local

    info = kafka_local.status(settings.kafka_home)
    if info is None:
        raise BrokerError("no Kafka broker: set KAFKA_BOOTSTRAP_SERVERS=host:port or run `warta kafka start`")
    return str(info.bootstrap)


def subscribe(logical: str, schema: str, group: str, *, topic: str | None = None, bootstrap: str | None = None,
              prefix: str | None = None, start: str = "earliest", idle_timeout: float | None = None,
              on_invalid: OnInvalid | None = None) -> Subscription[Any]:
    """A subscription to a Warta topic (its logical name under WARTA_TOPIC_PREFIX, or `topic`) for `group`."""
    if start not in ("earliest", "latest"):
        raise WartaError(f"start {start!r}: choose earliest or latest (where a new group begins)")
    settings = Settings.from_env(bootstrap_servers=bootstrap, topic_prefix=prefix)
    server = _bootstrap(settings)
    name = topic or settings.topic(logical)
    admin.require_topic(server, name, "run `warta topics create` (or check the topic prefix)")
    # Small polls: a caller that takes long per record must still poll within max.poll.interval.ms (5 min).
    consumer = admin.group_consumer(server, group, name, start=start, max_poll_records=100)
    return Subscription(consumer, schema, idle_timeout=idle_timeout, on_invalid=on_invalid)


def events(group: str, *, topic: str | None = None, bootstrap: str | None = None, prefix: str | None = None,
           start: str = "earliest", idle_timeout: float | None = None,
           on_invalid: OnInvalid | None = None) -> Subscription[Event]:
    """Events from `events` (warta.event/v1) for consumer group `group`.

    `bootstrap` defaults to KAFKA_BOOTSTRAP_SERVERS, else the local broker of `warta kafka start`; `prefix` to
    WARTA_TOPIC_PREFIX; `start` is where a group without committed offsets begins; `idle_timeout` ends the
    iteration after that many seconds without a record (None: never); `on_invalid(record, why)` replaces the
    warning logged for a skipped record."""
    return subscribe("events", "warta.event/v1", group, topic=topic, bootstrap=bootstrap, prefix=prefix,
                     start=start, idle_timeout=idle_timeout, on_invalid=on_invalid)


def enriched_articles(group: str, *, topic: str | None = None, bootstrap: str | None = None,
                      prefix: str | None = None, start: str = "earliest", idle_timeout: float | None = None,
                      on_invalid: OnInvalid | None = None) -> Subscription[EnrichedArticle]:
    """Final articles from `enriched` (warta.enriched-article/v1) for consumer group `group`; options as for
    `events`."""
    return subscribe("enriched", "warta.enriched-article/v1", group, topic=topic, bootstrap=bootstrap,
                     prefix=prefix, start=start, idle_timeout=idle_timeout, on_invalid=on_invalid)
