"""The tag agent: deduplicated articles in, articles with entities and events out."""

from __future__ import annotations

import time
from typing import Any

from streams.agents.context import Context
from streams.agents.stage import stage_results
from streams.pipeline import DEDUPED, tag_stage

__all__ = ["register"]


def register(ctx: Context) -> None:
    """Register `tag_articles` on the context's app."""

    @ctx.app.agent(ctx.topics["deduped"], name="tag_articles")
    async def tag_articles(stream: Any) -> None:
        """Attach entities and events; invalid records go to the dead-letter topic."""
        async for out in stage_results(ctx, "tag", stream, DEDUPED, lambda doc: tag_stage(doc, clock=time.time)):
            await ctx.send("tagged", out["id"], out)
