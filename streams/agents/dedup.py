"""The dedup agent: raw articles in, duplicate-flagged articles and audit records out."""

from __future__ import annotations

import logging
import time
from typing import Any

from streams.agents.context import Context
from streams.article import parse_article
from streams.dedup import DedupConfig, Deduplicator
from streams.errors import InvalidMessage
from streams.pipeline import dedup_stage

__all__ = ["register"]

log = logging.getLogger("warta.agents.dedup")


def register(ctx: Context) -> None:
    """Register `deduplicate_articles` on the context's app."""
    # The memory of seen paragraphs: a RocksDB-backed table with a compacted changelog, so a
    # restarted worker recovers it. use_partitioner: a key lives in the partition its hash picks,
    # and reads look in every local partition, so the memory is global within a worker.
    memory = ctx.app.Table(
        "dedup-memory",
        key_type=bytes,
        value_type=bytes,
        partitions=ctx.settings.partitions,
        use_partitioner=True,
    )
    dedup = Deduplicator(memory, config=DedupConfig(window_seconds=ctx.settings.dedup_retention_days * 86400))

    @ctx.app.agent(ctx.topics["articles"], name="deduplicate_articles")
    async def deduplicate_articles(stream: Any) -> None:
        """Flag exact, near and boilerplate paragraphs; bad records go to the dead-letter topic."""
        async for event in stream.events():
            article_id = None
            try:
                article = parse_article(event.value, ctx.settings.max_body_bytes)
                article_id = article.id
                doc, audits = dedup_stage(
                    article, dedup, record_time=event.message.timestamp or time.time(), clock=time.time
                )
            except InvalidMessage as exc:
                await ctx.dead_letter("dedup", event, exc, article_id)
                continue
            except Exception as exc:  # a bug must not lose the record: dead-letter it with the cause
                log.exception("dedup failed on %s", article_id)
                await ctx.dead_letter("dedup", event, InvalidMessage("internal", repr(exc)), article_id)
                continue
            await ctx.send("deduped", article.id, doc)
            for audit in audits:
                await ctx.send("duplicates", article.id, audit)
            ctx.count("articles")
            ctx.count("paragraphs", len(doc["paragraphs"]))
            for audit in audits:
                ctx.count(f"duplicates.{audit['kind']}")
