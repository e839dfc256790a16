"""The dedup agents: raw articles in, duplicate-flagged articles and audit records out, memory routed by key.

Three agents (the message flow and its reasons are in docs/dedup.md):

- `deduplicate_articles` (on `articles`): takes a batch of articles, plans each locally and puts them in time-key
  order, sends one probe message per owner partition for the whole batch, waits for the answers (and a second
  round for band candidates the batch cannot resolve itself), decides with the same code as `warta enrich`,
  emits (with corrections of articles decided earlier, when an earlier original came late); the batch's offsets
  are acked only then, so an article interrupted by a crash is read again (nothing pending is stored);
- `own_dedup_keys` (on `dedup-probes`): the partition that owns a key reads and claims it in the index table
  and answers to `dedup-answers`, one message per probe message; it also fetches band candidates and sweeps;
- `collect_dedup_answers` (on `dedup-answers`): hands each answer to the batch waiting for it.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
import uuid
import weakref
from collections import Counter
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from faust.streams import _current_event
from faust.types import TP

from streams import codec
from streams.agents.context import Context
from streams.agents.poison import POISON_ERROR, PoisonGuard
from streams.article import Article, parse_article
from streams.contract import INTERNAL_HEADERS
from streams.deadletter import Reason, Stage
from streams.dedup import DedupConfig, Deduplicator
from streams.dedup.deduplicator import ArticlePlan, Decision, decide
from streams.dedup.routing import (
    WATERMARK,
    Fetch,
    History,
    Probe,
    answer_fetch,
    answer_probe,
    fetches_for,
    local_targets,
    occurrence_token,
    owner_of,
    probes_for,
    sweep_keys,
    view_from,
)
from streams.errors import InvalidMessage
from streams.pipeline import deduped_doc, published_time

__all__ = ["SWEEP_INTERVAL_S", "register"]

log = logging.getLogger("warta.agents.dedup")

# The sweep only bounds the store (lazy expiry already ignores old records), so every ten minutes is ample.
SWEEP_INTERVAL_S = 600.0
# Articles per batch, and how long to wait for a batch to fill. One batch costs about 2 × owners messages
# (plus a fetch round when needed) whatever its size, so larger batches amortize the hops; past ~50 articles
# the rate no longer moved (bench/results/dedup-stream.md). 100 dev-set articles make probe messages of ~125 kB.
# 20 ms of waiting bounds the latency a lone article pays.
BATCH_ARTICLES = 100
BATCH_WITHIN_S = 0.02
# A probe message carries at most this many keys (~70 bytes each on the wire): a huge article or batch is
# split, never rejected by the broker's message size limit.
MAX_KEYS_PER_MESSAGE = 8000
# No answer within this long (an owner restarting, a rebalance, a cold start whose owner partitions were not
# assigned yet): ask again, waiting twice as long each time up to the last figure. Claims are idempotent per
# record token, so a repeated probe gets the same answer; a quick first retry keeps a cold start from waiting 30 s.
ANSWER_FIRST_TIMEOUT_S = 2.0
ANSWER_TIMEOUT_S = 30.0
# Batches probed but not yet emitted: while one waits for its answers the next is planned and probed.
MAX_BATCHES_IN_FLIGHT = 4


@dataclass(slots=True)
class _Item:
    """One valid article of a batch: its event, plan, record token and the values answered so far."""

    event: Any
    article: Article
    plan: ArticlePlan
    token: int
    record_time: float
    values: dict[bytes, bytes | None] = field(default_factory=dict)


@dataclass(slots=True)
class _Round:
    """Messages of one round of a batch, by message number: (owner, bytes), and the futures of their answers."""

    batch_id: str
    kind: str
    sent: dict[int, tuple[int, bytes]]
    futures: dict[int, asyncio.Future[list[list[Any]]]]


def _within(event: Any) -> None:
    """Make `event` the current one (tables and dead letters read it) while a batch is worked on record by record."""
    _current_event.set(weakref.ref(event))


def _chunks(items: Sequence[tuple[int, dict[str, Any], int]]) -> Iterator[list[list[Any]]]:
    """Split (position, wire dict, key count) items into messages of at most MAX_KEYS_PER_MESSAGE keys."""
    chunk: list[list[Any]] = []
    keys = 0
    for position, wire, n in items:
        if chunk and keys + n > MAX_KEYS_PER_MESSAGE:
            yield chunk
            chunk, keys = [], 0
        chunk.append([position, wire])
        keys += n
    if chunk:
        yield chunk


def _hex_values(values: dict[bytes, bytes | None]) -> dict[str, str | None]:
    return {k.hex(): None if v is None else v.hex() for k, v in values.items()}


def _unhex_values(values: dict[str, str | None]) -> dict[bytes, bytes | None]:
    return {bytes.fromhex(k): None if v is None else bytes.fromhex(v) for k, v in values.items()}


def _partition_items(table: Any, partition: int, owned: Any) -> Iterator[tuple[bytes, bytes]]:
    """The items of one partition of a table: its RocksDB database, or (memory store) the keys `owned` picks."""
    store = table.data
    if hasattr(store, "_db_for_partition") and hasattr(store, "_visible_items"):
        yield from list(store._visible_items(store._db_for_partition(partition)))
    else:
        yield from [(k, v) for k, v in list(table.items()) if owned(k, v)]


def _finished(tasks: set[asyncio.Task[None]], slots: asyncio.Semaphore) -> Callable[[asyncio.Task[None]], None]:
    """A done-callback that forgets a finished batch task and frees its in-flight slot."""

    def done(task: asyncio.Task[None]) -> None:
        tasks.discard(task)
        slots.release()

    return done


def register(ctx: Context) -> None:
    """Register the three dedup agents, the index table and the sweep timer on the context's app."""
    app, settings = ctx.app, ctx.settings
    partitions = settings.partitions
    config = DedupConfig(window_seconds=settings.dedup_retention_days * 86400)
    window, limit = config.window_seconds, config.repeat_articles
    dedup = Deduplicator(config=config)  # for its patterns and `plan`: the memory lives in `index`
    probes, answers, articles = ctx.topics["dedup-probes"], ctx.topics["dedup-answers"], ctx.topics["articles"]
    # RocksDB-backed, compacted changelog (Faust's default for a plain table: no time retention, so recovery
    # never meets a hole). A key lives in the partition of its owner, which writes it inside its own event.
    index = app.Table("dedup-index", key_type=bytes, value_type=bytes, partitions=partitions)
    guard = PoisonGuard(app, "dedup", partitions)
    # Batches waiting for answers: (batch id, message number) -> the future the answer resolves.
    waiting: dict[tuple[str, int], asyncio.Future[list[list[Any]]]] = {}
    # Per owner partition: what recent claims replaced, for exact round-two reads (routing.History).
    histories: dict[int, History] = {}
    worker_id = uuid.uuid4().hex[:12]
    batch_numbers = itertools.count()

    def owned_partition(owner: int) -> _IndexPartition | _Owned:
        """The owner's partition of the index: RocksDB directly (one changelog batch per message) or the table."""
        if hasattr(index.data, "_db_for_partition"):
            return _IndexPartition(index, owner)
        return _Owned(index)

    async def send_round(batch_id: str, kind: str, reply_to: int,
                         per_owner: dict[int, list[tuple[int, dict[str, Any], int]]]) -> _Round:
        """Send one round's messages (per owner, split by size) and register the futures their answers resolve."""
        sent: dict[int, tuple[int, bytes]] = {}
        for owner, wires in sorted(per_owner.items()):
            for chunk in _chunks(wires) if wires else iter([[]]):
                n = len(sent)
                sent[n] = (owner, codec.dumps({"kind": kind, "batch": batch_id, "msg": n, "reply_to": reply_to,
                                               "items": chunk}))
        loop = asyncio.get_running_loop()
        futures = {n: loop.create_future() for n in sent}
        for n, fut in futures.items():
            waiting[(batch_id, n)] = fut
        for owner, value in sent.values():
            await probes.send(key=batch_id.encode(), value=value, partition=owner, headers=INTERNAL_HEADERS)
        return _Round(batch_id, kind, sent, futures)

    async def wait_round(r: _Round, items: Sequence[_Item]) -> bool:
        """Merge a round's answers into the items' values; ask again on silence; False if abandoned."""
        try:
            todo = [n for n in r.futures]
            timeout = ANSWER_FIRST_TIMEOUT_S
            while True:
                await asyncio.wait([r.futures[n] for n in todo], timeout=timeout)
                todo = [n for n in todo if not r.futures[n].done()]
                if not todo:
                    break
                mine = {tp.partition for tp in app.consumer.assignment() if tp.topic == articles.get_topic_name()}
                lost = {it.event.message.partition for it in items} - mine
                if lost:
                    log.warning("dedup batch %s abandoned: partitions %s were reassigned (their articles are "
                                "read again by their new worker)", r.batch_id, sorted(lost))
                    return False
                log.warning("dedup batch %s: %d of %d %s messages unanswered after %.0f s; asking again",
                            r.batch_id, len(todo), len(r.sent), r.kind, timeout)
                timeout = min(timeout * 2, ANSWER_TIMEOUT_S)
                for n in todo:
                    owner, value = r.sent[n]
                    await probes.send(key=r.batch_id.encode(), value=value, partition=owner,
                                      headers=INTERNAL_HEADERS)
        finally:
            for n in r.futures:
                waiting.pop((r.batch_id, n), None)
        for n in sorted(r.futures):
            for i, values in r.futures[n].result():
                items[i].values.update(_unhex_values(values))
        return True

    async def start(items: list[_Item]) -> tuple[str, int, _Round]:
        """Round one of a batch: one probe message per owner partition (an empty one too: it marks the order)."""
        batch_id = f"{worker_id}:{next(batch_numbers)}"
        reply_to = items[0].event.message.partition  # this worker holds it, so it holds dedup-answers[p] too
        round_one: dict[int, list[tuple[int, dict[str, Any], int]]] = {p: [] for p in range(partitions)}
        for i, it in enumerate(items):
            for owner, probe in probes_for(it.plan, it.token, reply_to, partitions).items():
                round_one[owner].append((i, probe.to_dict(), len(probe.exact) + len(probe.bands)))
        return batch_id, reply_to, await send_round(batch_id, "probes", reply_to, round_one)

    async def finish(stream: Any, items: list[_Item], batch_id: str, reply_to: int, round_one: _Round) -> None:
        """Wait for round one, fetch what the batch cannot resolve itself, decide, emit, then ack the batch."""
        try:
            if not await wait_round(round_one, items):
                return
            remaining, decided = local_targets([it.plan for it in items], [it.values for it in items], config)
            round_two: dict[int, list[tuple[int, dict[str, Any], int]]] = {}
            for i, (it, keys) in enumerate(zip(items, remaining, strict=True)):
                for owner, fetch in fetches_for(it.plan, it.token, reply_to, keys, partitions).items():
                    round_two.setdefault(owner, []).append((i, fetch.to_dict(), len(fetch.keys)))
            if round_two and not await wait_round(await send_round(batch_id, "fetches", reply_to, round_two), items):
                return
            await emit(items, decided)
        except asyncio.CancelledError:
            raise  # stopping: the batch is not acked, so it is read again
        except Exception as exc:  # a bug must not lose the records: dead-letter them with the cause
            log.exception("dedup failed on a batch of %d articles", len(items))
            for it in items:
                _within(it.event)
                await ctx.dead_letter(Stage.DEDUP, it.event, InvalidMessage(Reason.INTERNAL, repr(exc)), it.article.id)
        for it in items:
            await stream.ack(it.event)

    async def emit(items: list[_Item], decided: Sequence[Decision | None]) -> None:
        """Decide each article of the batch (same code as `warta enrich`) and publish it with its audits."""
        counts: Counter[str] = Counter()
        for it, decision in zip(items, decided, strict=True):
            decision = decision or decide(it.plan, view_from([it.values]), config)
            verdicts = decision.verdicts
            doc, audits = deduped_doc(it.article, verdicts, record_time=it.record_time, clock=time.time,
                                      corrections=decision.corrections)
            await ctx.send("deduped", it.article.id, doc)
            ctx.monitor.observe(doc, "dedup")
            for audit in audits:  # a correction is keyed by the article it corrects
                await ctx.send("duplicates", audit["article_id"], audit)
                counts[f"duplicates.{audit['kind']}"] += 1
                counts["duplicates.corrections"] += audit.get("correction", False)
            counts["articles"] += 1
            counts["paragraphs"] += len(doc["paragraphs"])
            log.info("dedup emitted %s from partition %d: %d of %d paragraphs flagged, %d corrections",
                     it.article.id, it.event.message.partition, len(audits) - len(decision.corrections),
                     len(verdicts), len(decision.corrections))
        for key, n in counts.items():
            ctx.count(key, n)

    @app.agent(articles, name="deduplicate_articles")
    async def deduplicate_articles(stream: Any) -> None:
        """Validate and plan batches of articles, probe the owners of their keys; batches overlap in flight."""
        slots = asyncio.Semaphore(MAX_BATCHES_IN_FLIGHT)
        tasks: set[asyncio.Task[None]] = set()
        try:
            async for events in stream.noack_take(BATCH_ARTICLES, within=BATCH_WITHIN_S):
                items: list[_Item] = []
                for event in events:
                    _within(event)
                    article_id = None
                    if not await guard.begin(event):
                        await ctx.dead_letter(Stage.DEDUP, event, InvalidMessage(Reason.POISON, POISON_ERROR), None)
                        await stream.ack(event)
                        continue
                    try:
                        msg = event.message
                        article = parse_article(event.value, settings.max_body_bytes)
                        article_id = article.id
                        # Record time, not wall time: retention and redelivery are judged on it (docs/dedup.md).
                        record_time = msg.timestamp or time.time()
                        token = occurrence_token(msg.partition, msg.offset, round(record_time * 1000))
                        published = published_time(article)
                        plan = dedup.plan(article.id, article.paragraphs, record_time, published=published)
                        items.append(_Item(event, article, plan, token, record_time))
                        continue
                    except InvalidMessage as exc:
                        await ctx.dead_letter(Stage.DEDUP, event, exc, article_id)
                    except Exception as exc:  # a bug must not lose the record: dead-letter it with the cause
                        log.exception("dedup failed on %s", article_id)
                        await ctx.dead_letter(Stage.DEDUP, event, InvalidMessage(Reason.INTERNAL, repr(exc)),
                                              article_id)
                    finally:
                        # Parsing and planning are the work a record's size weighs on; the batch's own steps
                        # after them handle small plans.
                        guard.end(event)
                    await stream.ack(event)
                if not items:
                    continue
                # Time-key order: within a batch the earliest article is decided first, so it is the original
                # without a correction (across batches the owners' claims settle it: docs/dedup.md).
                items.sort(key=lambda it: it.plan.key)
                await slots.acquire()
                try:
                    # Probes leave in input order (the owners' order of first occurrence); the rest overlaps.
                    batch_id, reply_to, round_one = await start(items)
                except BaseException:
                    slots.release()
                    raise
                task = asyncio.create_task(finish(stream, items, batch_id, reply_to, round_one))
                tasks.add(task)
                task.add_done_callback(_finished(tasks, slots))
        finally:
            for task in tasks:
                task.cancel()

    @app.agent(probes, name="own_dedup_keys")
    async def own_dedup_keys(stream: Any) -> None:
        """Answer look-ups and claims for the keys this partition owns; fetch candidates; sweep on ticks."""
        async for event in stream.events():
            try:
                d = codec.loads_object(event.value)
                owner = event.message.partition
                kind = d.get("kind")
                if kind == "tick":
                    sweep(owner)
                    continue
                store = owned_partition(owner)
                history = histories.setdefault(owner, History())
                batch_id = str(d["batch"])
                out: list[list[Any]] = []
                if kind == "probes":
                    history.batch(batch_id)
                    tracked = history.tracked(store)
                    for position, wire in d["items"]:
                        history.article(batch_id, position)
                        values = answer_probe(tracked, Probe.from_dict(wire), window=window, limit=limit)
                        out.append([position, _hex_values(values)])
                    await store.flush()  # the claims are durable before anyone hears of them
                elif kind == "fetches":
                    for position, wire in d["items"]:
                        view = history.as_of(store, batch_id, position)
                        out.append([position, _hex_values(answer_fetch(view, Fetch.from_dict(wire)))])
                else:
                    raise InvalidMessage(Reason.SCHEMA, f"dedup-probes: unknown kind {kind!r}")
                value = codec.dumps({"kind": "answers", "batch": d["batch"], "msg": d["msg"], "owner": owner,
                                     "items": out})
                await answers.send(key=str(d["batch"]).encode(), value=value, partition=int(d["reply_to"]),
                                   headers=INTERNAL_HEADERS)
            except (InvalidMessage, KeyError, TypeError, ValueError) as exc:
                reason = exc if isinstance(exc, InvalidMessage) else InvalidMessage(Reason.SCHEMA, repr(exc))
                await ctx.dead_letter(Stage.DEDUP_OWNER, event, reason, None)
            except Exception as exc:
                log.exception("dedup owner failed")
                await ctx.dead_letter(Stage.DEDUP_OWNER, event, InvalidMessage(Reason.INTERNAL, repr(exc)), None)

    @app.agent(answers, name="collect_dedup_answers")
    async def collect_dedup_answers(stream: Any) -> None:
        """Hand each owner's answer to the batch waiting for it (answers for nobody: a finished or lost batch)."""
        async for event in stream.events():
            try:
                d = codec.loads_object(event.value)
                fut = waiting.get((str(d["batch"]), int(d["msg"])))
                if fut is not None and not fut.done():
                    fut.set_result(d["items"])
                else:
                    log.debug("dedup answer for batch %s message %s: nobody waits for it", d["batch"], d["msg"])
            except (InvalidMessage, KeyError, TypeError, ValueError) as exc:
                reason = exc if isinstance(exc, InvalidMessage) else InvalidMessage(Reason.SCHEMA, repr(exc))
                await ctx.dead_letter(Stage.DEDUP_ANSWERS, event, reason, None)

    def sweep(owner: int) -> None:
        """Delete this partition's expired index entries (inside the partition's event)."""
        mark = index.get(WATERMARK)
        if mark is None:
            return  # nothing probed here yet
        now = float(int.from_bytes(mark, "little"))
        dead = sweep_keys(
            _partition_items(index, owner, lambda k, v: k != WATERMARK and owner_of(k, partitions) == owner),
            now, window,
        )
        for k in dead:
            index.pop(k, None)
        log.info("dedup sweep of partition %d at %s: %d index keys deleted", owner, int(now), len(dead))

    @app.timer(SWEEP_INTERVAL_S, on_leader=True)  # type: ignore[untyped-decorator]
    async def send_sweep_ticks() -> None:
        """Ask every owner partition to sweep (deletes must happen in that partition's context)."""
        for p in range(partitions):
            await probes.send(key=b"tick", value=codec.dumps({"kind": "tick", "sent_at": time.time()}), partition=p,
                              headers=INTERNAL_HEADERS)


class _IndexPartition(MutableMapping[bytes, bytes]):
    """One partition of the index as the mapping the pure owner code expects: RocksDB reads, buffered writes.

    A Faust table write costs a changelog send each (and the index takes ~7 writes per new paragraph); here
    the writes of one probe message are kept in memory, sent as a few changelog batches, and applied to
    RocksDB once the broker has them (acks from the app's producer settings), in one write batch. The changelog
    records are the table's own (key -> value, None deletes), so Faust's recovery and compaction are unchanged.
    """

    def __init__(self, table: Any, partition: int) -> None:
        self.table = table
        self.partition = partition
        self.db = table.data._db_for_partition(partition)
        self.writes: dict[bytes, bytes | None] = {}

    def __getitem__(self, key: bytes) -> bytes:
        value: bytes | None = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def get(self, key: bytes, default: Any = None) -> Any:
        """The buffered write, else RocksDB (no KeyError round trip: the owner mostly asks for absent keys)."""
        value = self.writes[key] if key in self.writes else self.db.get(key)
        return default if value is None else bytes(value)

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self.writes[key] = value

    def __delitem__(self, key: bytes) -> None:
        self.writes[key] = None

    def __iter__(self) -> Iterator[bytes]:
        raise NotImplementedError("the owner code never iterates the index")

    def __len__(self) -> int:
        raise NotImplementedError("the owner code never counts the index")

    async def flush(self) -> None:
        """Send the buffered writes to the changelog, wait for the broker, then write them to RocksDB."""
        if not self.writes:
            return
        from rocksdict import WriteBatch

        producer = self.table.app.producer
        await producer.maybe_start()
        kafka = producer._ensure_producer()
        topic = self.table.changelog_topic.get_topic_name()
        sends = []
        batch, n = kafka.create_batch(), 0
        for key, value in self.writes.items():
            if batch.append(key=key, value=value, timestamp=None) is None:
                if not n:
                    raise ValueError(f"dedup-index record of {len(value or b'')} bytes does not fit a batch")
                sends.append((n, await kafka.send_batch(batch, topic, partition=self.partition)))
                batch, n = kafka.create_batch(), 0
                if batch.append(key=key, value=value, timestamp=None) is None:
                    raise ValueError(f"dedup-index record of {len(value or b'')} bytes does not fit a batch")
            n += 1
        batch.close()
        sends.append((n, await kafka.send_batch(batch, topic, partition=self.partition)))
        last = max(meta.offset + k - 1 for k, meta in zip([k for k, _ in sends],
                                                          await asyncio.gather(*(f for _, f in sends)), strict=True))
        wb = WriteBatch(raw_mode=True)
        for key, value in self.writes.items():
            if value is None:
                wb.delete(key)
            else:
                wb.put(key, value)
        self.db.write(wb)
        # What Faust's own changelog callback does: a warm restart replays the changelog only past this.
        self.table.data.set_persisted_offset(TP(topic, self.partition), last)
        self.writes.clear()


class _Owned(MutableMapping[bytes, bytes]):
    """A Faust table as the plain mapping the pure owner code expects (inside the owning partition's event)."""

    def __init__(self, table: Any) -> None:
        self.table = table

    def __getitem__(self, key: bytes) -> bytes:
        value = self.table.get(key)
        if value is None:
            raise KeyError(key)
        return bytes(value)

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self.table[key] = value

    def __delitem__(self, key: bytes) -> None:
        self.table.pop(key, None)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.table.keys())

    def __len__(self) -> int:
        return len(self.table)

    async def flush(self) -> None:
        """Table writes are changelogged one by one already."""
