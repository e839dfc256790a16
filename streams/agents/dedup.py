"""The dedup agents: raw articles in, duplicate-flagged articles and audit records out, memory routed by key.

Three agents (the message flow and its reasons are in docs/dedup.md):

- `deduplicate_articles` (on `articles`): validate, plan locally, keep the article pending in a table, send one
  probe per owner partition to `dedup-probes`;
- `own_dedup_keys` (on `dedup-probes`): the partition that owns a key reads and claims it in the index table,
  answers to `dedup-answers` on the article's partition; it also fetches band candidates and sweeps;
- `assemble_deduped` (on `dedup-answers`): when every key is answered (after a second round for band
  candidates), decide with the same code as `warta enrich` and emit to `deduped` and `duplicates`.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

from streams import codec
from streams.agents.context import Context
from streams.article import Article, parse_article
from streams.dedup import DedupConfig, Deduplicator
from streams.dedup.deduplicator import ArticlePlan, decide
from streams.dedup.routing import (
    WATERMARK,
    Answer,
    Fetch,
    Probe,
    answer_fetch,
    answer_probe,
    fetch_targets,
    fetches_for,
    occurrence_token,
    owner_of,
    probes_for,
    sweep_keys,
    view_from,
)
from streams.errors import InvalidMessage
from streams.pipeline import deduped_doc
from streams.settings import MAX_MESSAGE_BYTES

__all__ = ["SWEEP_INTERVAL_S", "register"]

log = logging.getLogger("warta.agents.dedup")

# The sweep only bounds the store (lazy expiry already ignores old records), so every ten minutes is ample.
SWEEP_INTERVAL_S = 600.0
# Plans of pending articles kept in memory so each answer does not re-fingerprint; the table is the truth.
_PLAN_CACHE = 4096


@dataclass(frozen=True, slots=True)
class _Pending:
    """An article waiting for its answers: where it came from and its original bytes."""

    article_id: str
    token: int
    partition: int
    record_time: float
    raw: bytes

    def pack(self) -> bytes:
        """Table value: a JSON header line, then the original bytes."""
        head = {"id": self.article_id, "token": self.token, "p": self.partition, "t": self.record_time}
        return codec.dumps(head) + b"\n" + self.raw

    @classmethod
    def unpack(cls, value: bytes) -> _Pending:
        """Invert `pack`."""
        head, _, raw = value.partition(b"\n")
        d = codec.loads_object(head)
        return cls(d["id"], int(d["token"]), int(d["p"]), float(d["t"]), raw)


def _entry(article_id: str, token: int) -> bytes:
    """Key of one article occurrence in the pending, replies and done tables."""
    return f"{token:08x}:{article_id}".encode()


def _partition_items(table: Any, partition: int, owned: Any) -> Iterator[tuple[bytes, bytes]]:
    """The items of one partition of a table: its RocksDB database, or (memory store) the keys `owned` picks."""
    store = table.data
    if hasattr(store, "_db_for_partition") and hasattr(store, "_visible_items"):
        yield from list(store._visible_items(store._db_for_partition(partition)))
    else:
        yield from [(k, v) for k, v in list(table.items()) if owned(k, v)]


def register(ctx: Context) -> None:
    """Register the three dedup agents, their tables and the sweep timer on the context's app."""
    app, settings = ctx.app, ctx.settings
    partitions = settings.partitions
    config = DedupConfig(window_seconds=settings.dedup_retention_days * 86400)
    window, limit = config.window_seconds, config.repeat_articles
    dedup = Deduplicator(config=config)  # for its patterns and `plan`: the memory lives in `index`
    probes, answers = ctx.topics["dedup-probes"], ctx.topics["dedup-answers"]

    def table(name: str, **extra: str) -> Any:
        # RocksDB-backed, compacted changelog (Faust's default for a plain table: no time retention,
        # so recovery never meets a hole). Default partitioning: a key lives in the partition of the event
        # that wrote it, which routing makes the key's owner (index) or the article's partition (the rest).
        return app.Table(name, key_type=bytes, value_type=bytes, partitions=partitions,
                         extra_topic_configs=extra or None)

    index = table("dedup-index")
    pending = table("dedup-pending", **{"max.message.bytes": str(MAX_MESSAGE_BYTES)})
    replies = table("dedup-replies")
    done = table("dedup-done")
    plans: OrderedDict[bytes, tuple[Article, ArticlePlan, _Pending]] = OrderedDict()

    def planned(key: bytes, item: _Pending) -> tuple[Article, ArticlePlan]:
        """The parsed article and its plan, from the cache or re-planned (deterministic) after a restart."""
        hit = plans.get(key)
        if hit is not None:
            return hit[0], hit[1]
        article = parse_article(item.raw, settings.max_body_bytes)
        plan = dedup.plan(article.id, article.paragraphs, item.record_time)
        plans[key] = (article, plan, item)
        while len(plans) > _PLAN_CACHE:
            plans.popitem(last=False)
        return article, plan

    async def emit(key: bytes, item: _Pending, article: Article, plan: ArticlePlan, values: dict[bytes, Any]) -> None:
        """Decide, publish to `deduped` and `duplicates`, and forget the pending article."""
        verdicts = decide(plan, view_from([values]), config).verdicts
        doc, audits = deduped_doc(article, verdicts, record_time=item.record_time, clock=time.time)
        await ctx.send("deduped", article.id, doc)
        for audit in audits:
            await ctx.send("duplicates", article.id, audit)
        ctx.count("articles")
        ctx.count("paragraphs", len(doc["paragraphs"]))
        for audit in audits:
            ctx.count(f"duplicates.{audit['kind']}")
        log.info("dedup emitted %s from partition %d: %d of %d paragraphs flagged",
                 article.id, item.partition, len(audits), len(verdicts))
        done[key] = codec.dumps({"p": item.partition, "t": item.record_time})
        pending.pop(key, None)
        replies.pop(key, None)
        plans.pop(key, None)

    async def advance(key: bytes) -> None:
        """Emit the article once every key it reads is answered; ask for band candidates first if needed."""
        value = pending.get(key)
        if value is None:
            return
        item = _Pending.unpack(value)
        article, plan = planned(key, item)
        state = codec.loads_object(replies.get(key) or b"{}")
        values: dict[bytes, bytes | None] = {
            bytes.fromhex(k): None if v is None else bytes.fromhex(v) for k, v in state.get("values", {}).items()
        }
        if any(k not in values for k in (*plan.exact_keys(), *plan.band_keys())):
            return  # round one still under way
        targets = fetch_targets(plan, values, config)
        if not targets:
            await emit(key, item, article, plan, values)
            return
        asked = set(state.get("asked", []))
        new = [k for k in targets if k.hex() not in asked]
        if new:
            for p, fetch in fetches_for(plan, item.token, item.partition, new, partitions).items():
                await probes.send(key=article.id.encode(), value=codec.dumps(fetch.to_dict()), partition=p)
            state["asked"] = sorted(asked | {k.hex() for k in new})
            replies[key] = codec.dumps(state)

    @app.agent(ctx.topics["articles"], name="deduplicate_articles")
    async def deduplicate_articles(stream: Any) -> None:
        """Validate and plan each article, keep it pending and probe the owners of its keys."""
        async for event in stream.events():
            article_id = None
            try:
                msg = event.message
                article = parse_article(event.value, settings.max_body_bytes)
                article_id = article.id
                # Record time, not wall time: retention and redelivery are judged on it (docs/dedup.md).
                record_time = msg.timestamp or time.time()
                token = occurrence_token(msg.partition, msg.offset, round(record_time * 1000))
                plan = dedup.plan(article.id, article.paragraphs, record_time)
                item = _Pending(article.id, token, msg.partition, record_time, bytes(event.value))
                key = _entry(article.id, token)
                batches = probes_for(plan, token, msg.partition, partitions)
                if not batches:  # nothing to look up anywhere: decide at once
                    await emit(key, item, article, plan, {})
                    continue
                pending[key] = item.pack()
                plans[key] = (article, plan, item)
                # A redelivery starts its look-ups afresh (the owners recognize its own claims).
                replies.pop(key, None)
                for p, probe in batches.items():
                    await probes.send(key=article.id.encode(), value=codec.dumps(probe.to_dict()), partition=p)
            except InvalidMessage as exc:
                await ctx.dead_letter("dedup", event, exc, article_id)
            except Exception as exc:  # a bug must not lose the record: dead-letter it with the cause
                log.exception("dedup failed on %s", article_id)
                await ctx.dead_letter("dedup", event, InvalidMessage("internal", repr(exc)), article_id)

    @app.agent(probes, name="own_dedup_keys")
    async def own_dedup_keys(stream: Any) -> None:
        """Answer look-ups and claims for the keys this partition owns; fetch candidates; sweep on ticks."""
        async for event in stream.events():
            article_id = None
            try:
                d = codec.loads_object(event.value)
                owner = event.message.partition
                kind = d.get("kind")
                if kind == "tick":
                    sweep(owner)
                    continue
                if kind == "probe":
                    probe = Probe.from_dict(d)
                    article_id = probe.article_id
                    values = answer_probe(_Owned(index), probe, window=window, limit=limit)
                    answer = Answer(probe.article_id, probe.token, 1, owner, values)
                    reply_to = probe.reply_to
                elif kind == "fetch":
                    fetch = Fetch.from_dict(d)
                    article_id = fetch.article_id
                    values = answer_fetch(_Owned(index), fetch, window=window)
                    answer = Answer(fetch.article_id, fetch.token, 2, owner, values)
                    reply_to = fetch.reply_to
                else:
                    raise InvalidMessage("schema", f"dedup-probes: unknown kind {kind!r}")
                await answers.send(key=answer.article_id.encode(), value=codec.dumps(answer.to_dict()),
                                   partition=reply_to)
            except InvalidMessage as exc:
                await ctx.dead_letter("dedup-owner", event, exc, article_id)
            except Exception as exc:
                log.exception("dedup owner failed on %s", article_id)
                await ctx.dead_letter("dedup-owner", event, InvalidMessage("internal", repr(exc)), article_id)

    @app.agent(answers, name="assemble_deduped")
    async def assemble_deduped(stream: Any) -> None:
        """Collect the owners' answers per article; decide and emit when complete."""
        async for event in stream.events():
            article_id = None
            try:
                answer = Answer.from_dict(codec.loads_object(event.value))
                article_id = answer.article_id
                key = _entry(answer.article_id, answer.token)
                if key not in pending and key in done:
                    log.info("answer for %s (round %d) after it was emitted: dropped", article_id, answer.round)
                    continue
                # Kept even when the article is not (yet) pending: its redelivery will use it.
                state = codec.loads_object(replies.get(key) or b"{}")
                values = state.setdefault("values", {})
                values.update({k.hex(): None if v is None else v.hex() for k, v in answer.values.items()})
                state["p"], state["t"] = event.message.partition, time.time()
                replies[key] = codec.dumps(state)
                await advance(key)
            except InvalidMessage as exc:
                await ctx.dead_letter("dedup-assemble", event, exc, article_id)
            except Exception as exc:
                log.exception("dedup assembly failed on %s", article_id)
                await ctx.dead_letter("dedup-assemble", event, InvalidMessage("internal", repr(exc)), article_id)

    def sweep(owner: int) -> None:
        """Delete this partition's expired index entries and finished bookkeeping (inside partition context)."""
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
        stale = 0
        for tbl in (done, replies):
            for k, v in _partition_items(tbl, owner, lambda k, v: codec.loads_object(v).get("p") == owner):
                if now - float(codec.loads_object(v).get("t", now)) > window and k not in pending:
                    tbl.pop(k, None)
                    stale += 1
        log.info("dedup sweep of partition %d at %s: %d index keys and %d bookkeeping entries deleted",
                 owner, int(now), len(dead), stale)

    @app.timer(SWEEP_INTERVAL_S, on_leader=True)  # type: ignore[untyped-decorator]
    async def send_sweep_ticks() -> None:
        """Ask every owner partition to sweep (deletes must happen in that partition's context)."""
        for p in range(partitions):
            await probes.send(key=b"tick", value=codec.dumps({"kind": "tick", "sent_at": time.time()}), partition=p)


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
