"""The time agent: tagged articles in, enriched articles out, and each event to the stories stage."""

from __future__ import annotations

import time
from typing import Any

from streams import codec
from streams.agents.context import Context
from streams.agents.poison import PoisonGuard
from streams.agents.stage import stage_results
from streams.contract import INTERNAL_HEADERS
from streams.deadletter import Stage
from streams.monitoring.events import event_keys
from streams.pipeline import TAGGED, time_stage
from streams.stories import owner_of_type

__all__ = ["register"]


def register(ctx: Context) -> None:
    """Register `timestamp_articles` on the context's app."""
    guard = PoisonGuard(ctx.app, "time", ctx.settings.partitions)
    partitions, story_events = ctx.settings.partitions, ctx.topics["story-events"]

    @ctx.app.agent(ctx.topics["tagged"], name="timestamp_articles")
    async def timestamp_articles(stream: Any) -> None:
        """Resolve publication, expression and event times; publish the final article, pass its events on."""
        results = stage_results(ctx, Stage.TIME, stream, TAGGED, lambda doc: time_stage(doc, clock=time.time),
                                guard)
        async for out, events in results:
            await ctx.send("enriched", out["id"], out)
            for ev in events:
                # The stories stage publishes `events`, with each event's story_id (docs/stories.md); every
                # event that can join a story goes to the one partition that holds that story's candidates.
                await story_events.send(key=ev["id"].encode("utf-8"), value=codec.dumps(ev),
                                        partition=owner_of_type(ev["type"], partitions), headers=INTERNAL_HEADERS)
                for key in event_keys(ev):
                    ctx.count(key)
            ctx.count("enriched")
            ctx.monitor.observe(out, "time")
