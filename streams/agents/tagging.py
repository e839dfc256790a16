"""The tag agent: deduplicated articles in, articles with entities and events out."""

from __future__ import annotations

import time
from typing import Any

from streams.agents.context import Context
from streams.agents.poison import PoisonGuard
from streams.agents.stage import stage_results
from streams.deadletter import Stage
from streams.pipeline import DEDUPED, tag_stage
from streams.tagging import tagger_from_spec

__all__ = ["register"]


def register(ctx: Context) -> None:
    """Register `tag_articles` on the context's app."""

    tagger = tagger_from_spec(ctx.settings.taggers)  # WARTA_TAGGERS; a bad spec stops the worker at start
    guard = PoisonGuard(ctx.app, "tag", ctx.settings.partitions)

    @ctx.app.agent(ctx.topics["deduped"], name="tag_articles")
    async def tag_articles(stream: Any) -> None:
        """Attach entities and events; invalid records go to the dead-letter topic."""

        def stage(doc: dict[str, Any]) -> dict[str, Any]:
            return tag_stage(doc, clock=time.time, tagger=tagger)

        async for out in stage_results(ctx, Stage.TAG, stream, DEDUPED, stage, guard):
            await ctx.send("tagged", out["id"], out)
            ctx.monitor.observe(out, "tag")
