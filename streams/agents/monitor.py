"""The monitoring shell: this worker's windows and status go to `stats`; every worker's come back into a view."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from typing import Any

import faust

from streams import codec, contract
from streams.errors import InvalidMessage
from streams.monitoring.cluster import ClusterView, status_key, status_record
from streams.monitoring.events import LatestEvents
from streams.monitoring.latency import stage_latencies
from streams.monitoring.readiness import readiness
from streams.monitoring.windows import WindowRecorder
from streams.security import aiokafka_options
from streams.settings import Settings
from streams.web import metrics

__all__ = ["Monitor"]

log = logging.getLogger("warta.monitor")

PUBLISH_S = 2.0  # how often a worker publishes its changed windows, and its status if that changed
HEARTBEAT_S = 5.0  # an unchanged status is sent again this often (views drop a worker silent for 15 s)
# At start, the map and the live table read `events` back from an hour ago (the map's window), but never more than
# this many records a partition: a restarted worker shows the last hour without reading a backlog of millions.
BACKFILL_PER_PARTITION = 20_000
BACKFILL_SECONDS = 3600
RETRY_S = 5.0


def _bootstrap(app: faust.App) -> str:
    return ",".join(f"{url.host}:{url.port or 9092}" for url in app.conf.broker)


def _input_topic(topic: str) -> bool:
    """Topics the agents consume (not Faust's changelogs nor its leader topic, read for recovery only)."""
    return not (topic.endswith("-changelog") or "__assignor" in topic)


class Monitor:
    """One worker's recorder, the cluster view it reads, its readiness; the agents call count/observe."""

    def __init__(self, app: faust.App, settings: Settings, stats: faust.TopicT) -> None:
        self.app = app
        self.settings = settings
        self.stats = stats
        # Stable across restarts of the same worker (same host and port), so a restart goes on with its windows.
        self.worker = f"{socket.gethostname()}:{settings.web_port}"
        self.web = f"http://{settings.web_host}:{settings.web_port}/warta/dashboard"
        self.recorder = WindowRecorder(self.worker)
        self.view = ClusterView()
        self.latest = LatestEvents()
        self.caught_up = False  # the view has read `stats` up to its end as of the start
        self.recovered = False
        self._last_status: tuple[float, dict[str, Any]] = (0.0, {})

    # ---- called by the agents

    def count(self, key: str, n: int = 1) -> None:
        """Add to this worker's current window and to the Prometheus counters."""
        self.recorder.count(key, n)
        metrics.count(key, n)

    def observe(self, doc: dict[str, Any], stage: str) -> None:
        """Record the latencies `stage`'s output document shows (and the end-to-end one after the last stage)."""
        for name, seconds in stage_latencies(doc, stage).items():
            self.recorder.observe(name, seconds)
            metrics.observe(name, seconds)

    # ---- this worker's state

    def assignment(self) -> dict[str, list[int]]:
        """Assigned partitions of the agents' input topics, by topic."""
        out: dict[str, list[int]] = {}
        try:
            tps = self.app.consumer.assignment()
        except Exception:  # no consumer yet
            return out
        for tp in tps:
            if _input_topic(tp.topic):
                out.setdefault(tp.topic, []).append(tp.partition)
        return {topic: sorted(parts) for topic, parts in sorted(out.items())}

    def lag(self) -> dict[str, int]:
        """Per assigned partition: high-water mark minus the committed offset."""
        out: dict[str, int] = {}
        try:
            consumer = self.app.consumer
            committed_offsets = getattr(consumer, "_committed_offset", {})
            for tp in sorted(consumer.assignment()):
                if not _input_topic(tp.topic):
                    continue
                high = consumer.highwater(tp)
                if high is None:
                    continue
                committed = committed_offsets.get(tp)
                out[f"{tp.topic}[{tp.partition}]"] = max(0, high - (committed + 1 if committed is not None else 0))
        except Exception:  # not assigned yet, or rebalancing: lag is unknown, not an error
            return {}
        return out

    def ready(self) -> tuple[bool, str]:
        """(ready?, why): partitions assigned, tables recovered, no rebalance under way."""
        return readiness(recovered=self.recovered, rebalancing=bool(getattr(self.app, "rebalancing", False)),
                         assignment=self.assignment())

    def snapshot(self) -> dict[str, Any]:
        """The merged view this worker serves, with its own name and the latest events."""
        return {"worker": self.worker, "app_id": self.settings.group_id, "caught_up": self.caught_up,
                **self.view.snapshot(time.time()), "latest_events": self.latest.rows(),
                "event_map": self.latest.map.state(time.time())}

    def refresh_gauges(self) -> None:
        """Set the gauges a scrape reads: lag, readiness, partitions, table sizes."""
        metrics.LAG.clear()
        for tp, value in self.lag().items():
            topic, _, part = tp.rpartition("[")
            metrics.LAG.labels(topic=topic, partition=part.rstrip("]")).set(value)
        metrics.READY.set(1 if self.ready()[0] else 0)
        metrics.PARTITIONS.clear()
        for topic, parts in self.assignment().items():
            metrics.PARTITIONS.labels(topic=topic).set(len(parts))
        for name, size in metrics.table_sizes(self.app).items():
            metrics.TABLE_KEYS.labels(table=name).set(size)

    # ---- the shell's loops

    async def publish(self, *, stopped: bool = False) -> None:
        """Send the windows changed since the last call and this worker's status to `stats`."""
        if not self.caught_up:
            return  # until its earlier windows are read back, a restarted worker would overwrite them
        records = self.recorder.changed()
        now = time.time()
        status = status_record(self.worker, now, web=self.web, ready=self.ready()[0], assignment=self.assignment(),
                               lag=self.lag(), stopped=stopped)
        last_at, last = self._last_status
        if {**status, "at": 0} != last or now - last_at >= HEARTBEAT_S:
            records.append((status_key(self.worker), status))
            self._last_status = (now, {**status, "at": 0})
        for key, record in records:
            await self.stats.send(key=key.encode("utf-8"), value=codec.dumps(record),
                                  headers=contract.headers_for(record))

    async def read(self) -> None:
        """Read `stats` from its start, then follow it and the end of `events`; retry on broker errors."""
        while True:
            try:
                await self._read_once()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the view is a dashboard's: it retries, the worker goes on
                log.warning("stats reader: %r; retrying in %.0f s", exc, RETRY_S)
                await asyncio.sleep(RETRY_S)

    async def _read_once(self) -> None:
        from aiokafka import AIOKafkaConsumer, TopicPartition

        stats_topic, events_topic = self.settings.topic("stats"), self.settings.topic("events")
        consumer = AIOKafkaConsumer(bootstrap_servers=_bootstrap(self.app), group_id=None, enable_auto_commit=False,
                                    auto_offset_reset="earliest", client_id=f"{self.worker}-stats-reader",
                                    **aiokafka_options(self.settings.security))  # TLS/SASL as the agents
        await consumer.start()
        try:
            # Every Warta topic has the configured partition count (`warta worker` checks it before it starts).
            parts = range(self.settings.partitions)
            stats = [TopicPartition(stats_topic, p) for p in parts]
            events = [TopicPartition(events_topic, p) for p in parts]
            consumer.assign(stats + events)
            await consumer.seek_to_beginning(*stats)
            starts, ends = await consumer.beginning_offsets(events), await consumer.end_offsets(events)
            hour_ago = await consumer.offsets_for_times(
                {tp: int((time.time() - BACKFILL_SECONDS) * 1000) for tp in events})
            for tp in events:
                since = hour_ago.get(tp)
                first = since.offset if since is not None else ends[tp]  # None: nothing that recent
                consumer.seek(tp, max(starts[tp], first, ends[tp] - BACKFILL_PER_PARTITION))
            targets = await consumer.end_offsets(stats)
            while True:
                batches = await consumer.getmany(timeout_ms=1000, max_records=2000)
                for tp, records in batches.items():
                    for r in records:
                        self._take(tp.topic == stats_topic, r)
                if not self.caught_up and await self._reached(consumer, targets):
                    self.recorder.restore(self.view.own_windows(self.worker))
                    self.caught_up = True
                    log.info("stats: read back %d window records of %d workers", len(self.view.windows),
                             len({w for _s, w in self.view.windows}))
        finally:
            await consumer.stop()

    @staticmethod
    async def _reached(consumer: Any, targets: dict[Any, int]) -> bool:
        for tp, end in targets.items():
            if await consumer.position(tp) < end:
                return False
        return True

    def _take(self, is_stats: bool, record: Any) -> None:
        try:
            value = codec.loads_object(record.value)
        except InvalidMessage:
            return
        if is_stats:
            self.view.apply(value)
        else:
            self.latest.add(value, record.timestamp)

    def register(self) -> None:
        """Start the reader and the publishing timer with the app; follow its rebalances."""
        app: Any = self.app  # faust's task and timer decorators and its signals are untyped

        async def read_stats() -> None:
            await self.read()

        async def publish_stats() -> None:
            await self.publish()

        app.task(read_stats)
        app.timer(PUBLISH_S)(publish_stats)

        async def on_rebalance_complete(sender: Any, **_: Any) -> None:  # after the tables' recovery
            self.recovered = True

        async def on_partitions_revoked(sender: Any, revoked: Any = None, **_: Any) -> None:
            self.recovered = False

        async def on_before_shutdown(sender: Any, **_: Any) -> None:
            try:  # the counts since the last tick, and "stopped", so the others drop this worker's lag at once
                await self.publish(stopped=True)
            except Exception as exc:
                log.warning("stats: last publication failed: %r", exc)

        app.on_rebalance_complete.connect(on_rebalance_complete)
        app.on_partitions_revoked.connect(on_partitions_revoked)
        app.on_before_shutdown.connect(on_before_shutdown)
