"""What every agent needs: the app, its topics, the stats table and the dead-letter route."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import faust
from faust.types import EventT

from streams import codec, contract
from streams.deadletter import Stage, dead_letter
from streams.errors import InvalidMessage
from streams.settings import MAX_MESSAGE_BYTES, Settings
from streams.topics import INTERNAL_TOPICS, LOGICAL_TOPICS
from streams.web import metrics

__all__ = ["Context"]

log = logging.getLogger("warta.agents")

# Dashboard windows: one-minute buckets, an hour of history.
STATS_WINDOW_S = 60.0
STATS_EXPIRES_S = 3600.0


@dataclass(slots=True)
class Context:
    """The app's topics by logical name, the windowed stats table and helpers shared by agents."""

    app: faust.App
    settings: Settings
    topics: dict[str, faust.TopicT]
    stats: Any  # faust WindowWrapper over a Table[str, int]

    @classmethod
    def create(cls, app: faust.App, settings: Settings) -> Context:
        """Declare every logical topic (raw bytes) and the stats table on ``app``."""
        topics = {
            name: app.topic(
                settings.topic(name),
                partitions=settings.partitions,
                key_type=bytes,
                value_type=bytes,
                key_serializer="raw",
                value_serializer="raw",
            )
            for name in LOGICAL_TOPICS
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
        stats = (
            app.Table("stats", default=int, key_type=str, value_type=int, partitions=settings.partitions)
            .tumbling(STATS_WINDOW_S, expires=STATS_EXPIRES_S)
            # Windows by record time: replays land in the same buckets (faust's relative_to_now reads a
            # per-partition clock that stays at 0 for our tables).
            .relative_to_stream()
        )
        ctx = cls(app, settings, topics, stats)
        metrics.set_context(ctx)
        return ctx

    def count(self, key: str, n: int = 1) -> None:
        """Add to a windowed counter (changelogged) and to the process's Prometheus counter."""
        self.stats[key] += n
        metrics.count(key, n)

    async def send(self, logical: str, key: str, value: dict[str, Any], partition: int | None = None) -> None:
        """Serialize and send one record to a logical topic (to `partition` if given, else by key), with the
        headers of the schema its `schema` field names."""
        await self.topics[logical].send(key=key.encode("utf-8"), value=codec.dumps(value), partition=partition,
                                        headers=contract.headers_for(value))

    async def dead_letter(
        self, stage: Stage, event: EventT[Any], exc: InvalidMessage, article_id: str | None
    ) -> None:
        """Send the original bytes with the reason to the dead-letter topic; never raises for bad data."""
        msg = event.message
        raw = msg.value if isinstance(msg.value, bytes) else bytes(msg.value or b"")
        key = msg.key if isinstance(msg.key, bytes) else None
        record = dead_letter(stage, exc.reason, str(exc), topic=msg.topic, partition=msg.partition,
                             offset=msg.offset, key=key, original=raw, article_id=article_id,
                             record_time=msg.timestamp, failed_at=time.time())
        log.warning("dead letter from %s at %s[%s]@%s: %s", stage, msg.topic, msg.partition, msg.offset, exc)
        await self.topics["deadletter"].send(key=key, value=codec.dumps(record), headers=contract.headers_for(record))
        self.count(f"deadletter.{exc.reason}")
        self.count("deadletter")
