"""Faust agents: wiring between topics, tables and the pure cores."""

from __future__ import annotations

import faust

from streams.agents.context import Context
from streams.settings import Settings

__all__ = ["register_agents"]


def register_agents(app: faust.App, settings: Settings, agents: set[str]) -> Context:
    """Declare topics and tables, then register the requested agents on ``app``."""
    from streams.agents import dedup, stories, tagging, timing

    ctx = Context.create(app, settings)
    if "dedup" in agents:
        dedup.register(ctx)
    if "tag" in agents:
        tagging.register(ctx)
    if "time" in agents:
        timing.register(ctx)
    if "stories" in agents:
        stories.register(ctx)
    return ctx
