"""The tag agent: deduplicated articles in, articles with entities and events out."""

from __future__ import annotations

import logging
import time
from typing import Any

from streams.agents.context import Context
from streams.agents.stage import load_stage_doc
from streams.errors import InvalidMessage
from streams.pipeline import DEDUPED, tag_stage

__all__ = ["register"]

log = logging.getLogger("warta.agents.tagging")


def register(ctx: Context) -> None:
    """Register `tag_articles` on the context's app."""

    @ctx.app.agent(ctx.topics["deduped"], name="tag_articles")
    async def tag_articles(stream: Any) -> None:
        """Attach entities and events; invalid records go to the dead-letter topic."""
        async for event in stream.events():
            article_id = None
            try:
                doc = load_stage_doc(event.value, DEDUPED)
                article_id = doc["id"]
                out = tag_stage(doc, clock=time.time)
            except InvalidMessage as exc:
                await ctx.dead_letter("tag", event, exc, article_id)
                continue
            except Exception as exc:  # a bug must not lose the record: dead-letter it with the cause
                log.exception("tagging failed on %s", article_id)
                await ctx.dead_letter("tag", event, InvalidMessage("internal", repr(exc)), article_id)
                continue
            await ctx.send("tagged", out["id"], out)
