"""The time agent: tagged articles in, enriched articles and one record per event out."""

from __future__ import annotations

import time
from typing import Any

from streams.agents.context import Context
from streams.agents.poison import PoisonGuard
from streams.agents.stage import stage_results
from streams.deadletter import Stage
from streams.monitoring.events import event_keys
from streams.pipeline import TAGGED, time_stage

__all__ = ["register"]


def register(ctx: Context) -> None:
    """Register `timestamp_articles` on the context's app."""
    guard = PoisonGuard(ctx.app, "time", ctx.settings.partitions)

    @ctx.app.agent(ctx.topics["tagged"], name="timestamp_articles")
    async def timestamp_articles(stream: Any) -> None:
        """Resolve publication, expression and event times; publish the final article and its events."""
        results = stage_results(ctx, Stage.TIME, stream, TAGGED, lambda doc: time_stage(doc, clock=time.time),
                                guard)
        async for out, events in results:
            await ctx.send("enriched", out["id"], out)
            for ev in events:
                await ctx.send("events", ev["id"], ev)
                for key in event_keys(ev):
                    ctx.count(key)
            ctx.count("enriched")
            ctx.monitor.observe(out, "time")
