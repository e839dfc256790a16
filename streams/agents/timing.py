"""The time agent: tagged articles in, enriched articles and one record per event out."""

from __future__ import annotations

import logging
import time
from typing import Any

from streams.agents.context import Context
from streams.agents.stage import load_stage_doc
from streams.errors import InvalidMessage
from streams.pipeline import TAGGED, time_stage

__all__ = ["register"]

log = logging.getLogger("warta.agents.timing")


def register(ctx: Context) -> None:
    """Register `timestamp_articles` on the context's app."""

    @ctx.app.agent(ctx.topics["tagged"], name="timestamp_articles")
    async def timestamp_articles(stream: Any) -> None:
        """Resolve publication, expression and event times; publish the final article and its events."""
        async for event in stream.events():
            article_id = None
            try:
                doc = load_stage_doc(event.value, TAGGED)
                article_id = doc["id"]
                out, events = time_stage(doc, clock=time.time)
            except InvalidMessage as exc:
                await ctx.dead_letter("time", event, exc, article_id)
                continue
            except Exception as exc:  # a bug must not lose the record: dead-letter it with the cause
                log.exception("timing failed on %s", article_id)
                await ctx.dead_letter("time", event, InvalidMessage("internal", repr(exc)), article_id)
                continue
            await ctx.send("enriched", out["id"], out)
            for ev in events:
                await ctx.send("events", ev["id"], ev)
                ctx.count(f"events.{ev['type']}")
            ctx.count("enriched")
