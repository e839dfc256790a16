"""What every agent needs: the app, its topics, the monitor that counts and the dead-letter route."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import faust
from faust.types import EventT

from streams import codec, contract
from streams.agents.monitor import Monitor
from streams.deadletter import Stage, dead_letter
from streams.errors import InvalidMessage
from streams.settings import MAX_MESSAGE_BYTES, Settings
from streams.topics import INTERNAL_TOPICS, LOGICAL_TOPICS, MONITORING_TOPICS
from streams.web import metrics

__all__ = ["Context"]

log = logging.getLogger("warta.agents")


@dataclass(slots=True)
class Context:
    """The app's topics by logical name, the worker's monitor and helpers shared by agents."""

    app: faust.App
    settings: Settings
    topics: dict[str, faust.TopicT]
    monitor: Monitor

    @classmethod
    def create(cls, app: faust.App, settings: Settings) -> Context:
        """Declare every logical topic (raw bytes) on ``app`` and start its monitor with it."""
        topics = {
            name: app.topic(
                settings.topic(name),
                partitions=settings.partitions,
                key_type=bytes,
                value_type=bytes,
                key_serializer="raw",
                value_serializer="raw",
            )
            for name in [*LOGICAL_TOPICS, *MONITORING_TOPICS]
        }
        for name in INTERNAL_TOPICS:
            topics[name] = app.topic(
                settings.topic(name),
                partitions=settings.partitions,
                internal=True,
                # A batch's probe or answer message can pass the broker's 1 MiB default.
                config={"max.message.bytes": str(MAX_MESSAGE_BYTES)},
                key_type=bytes,
                value_type=bytes,
                key_serializer="raw",
                value_serializer="raw",
            )
        monitor = Monitor(app, settings, topics["stats"])
        monitor.register()
        return cls(app, settings, topics, monitor)

    def count(self, key: str, n: int = 1) -> None:
        """Add to this worker's window of the cluster's stats and to its Prometheus counters."""
        self.monitor.count(key, n)

    async def send(self, logical: str, key: str, value: dict[str, Any], partition: int | None = None) -> None:
        """Serialize and send one record to a logical topic (to `partition` if given, else by key), with the
        headers of the schema its `schema` field names."""
        await self.topics[logical].send(key=key.encode("utf-8"), value=codec.dumps(value), partition=partition,
                                        headers=contract.headers_for(value))

    async def dead_letter(
        self, stage: Stage, event: EventT[Any], exc: InvalidMessage, article_id: str | None
    ) -> None:
        """Send the original bytes with the reason to the dead-letter topic; never raises for bad data. An original
        too large to fit the producer's request limit in base64 is sent truncated (deadletter.v1's
        `original_truncated`): a dead letter that cannot be sent would stop the agent and lose what follows."""
        msg = event.message
        raw = msg.value if isinstance(msg.value, bytes) else bytes(msg.value or b"")
        key = msg.key if isinstance(msg.key, bytes) else None
        record = dead_letter(stage, exc.reason, str(exc), topic=msg.topic, partition=msg.partition,
                             offset=msg.offset, key=key, original=raw, article_id=article_id,
                             record_time=msg.timestamp, failed_at=time.time(), max_bytes=MAX_MESSAGE_BYTES)
        log.warning("dead letter from %s at %s[%s]@%s: %s", stage, msg.topic, msg.partition, msg.offset, exc)
        await self.topics["deadletter"].send(key=key, value=codec.dumps(record), headers=contract.headers_for(record))
        self.count("deadletters")
        self.count(f"deadletters.reason.{exc.reason}")
        self.count(f"deadletters.stage.{stage}")
        metrics.dead_letter(stage, exc.reason)
