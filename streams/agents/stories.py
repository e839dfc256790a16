"""The stories agent: events in (on their type family's partition), events with story_id and story records out."""

from __future__ import annotations

import logging
from typing import Any

import fastjsonschema

from streams import codec
from streams.agents.context import Context
from streams.deadletter import Reason, Stage
from streams.errors import InvalidMessage
from streams.schemas import validator
from streams.stories import MappingStore, StoryConfig, StoryLinker, owner_of_type

__all__ = ["SWEEP_EVERY_S", "load_event", "register"]

log = logging.getLogger("warta.agents.stories")

# Expiry only bounds the tables (matching already ignores stories past the window), so a sweep per hour of
# event time on each partition is ample; in event time, so a replay of old news expires what it would live.
SWEEP_EVERY_S = 3600.0


def load_event(raw: bytes) -> dict[str, Any]:
    """Decode an event from `story-events`; anything malformed is an InvalidMessage."""
    doc = codec.loads_object(raw)
    try:
        validator("event.v1")(doc)
    except fastjsonschema.JsonSchemaException as exc:
        raise InvalidMessage(Reason.SCHEMA, f"event.v1: {exc}") from None
    return doc


def register(ctx: Context) -> None:
    """Register `link_stories` and its two tables (stories by id, the blocking index) on the context's app."""
    app, partitions = ctx.app, ctx.settings.partitions
    # Plain tables: RocksDB with a compacted changelog, so a restarted worker (or the one that takes a partition
    # over) recovers every story and key of its partitions. A story and its keys live in the partition of the
    # story's type family (owner_of_type), which is the partition of every event that can join it.
    states = app.Table("stories-state", key_type=bytes, value_type=bytes, partitions=partitions)
    index = app.Table("stories-index", key_type=bytes, value_type=bytes, partitions=partitions)
    config = StoryConfig()
    # One linker per partition: each keeps that partition's watermark (the newest publication time linked there),
    # and its sweep walks only the stories that partition owns, so deletions go to that partition's changelog.
    linkers: dict[int, StoryLinker] = {}
    swept: dict[int, float] = {}

    def linker_for(partition: int) -> StoryLinker:
        if partition not in linkers:
            store = MappingStore(states, index, owned=lambda s: owner_of_type(s.type, partitions) == partition)
            linkers[partition] = StoryLinker(store, config=config)
        return linkers[partition]

    @app.agent(ctx.topics["story-events"], name="link_stories")
    async def link_stories(stream: Any) -> None:
        """Link each event to its story; publish the event (with `story_id`) and the story's latest record."""
        async for event in stream.events():  # table writes land in the current event's partition
            partition = event.message.partition
            article_id = None
            try:
                record = load_event(event.value)
                article_id = record["article_id"]
                linker = linker_for(partition)
                story = linker.link(record)
                if linker.watermark - swept.get(partition, 0.0) >= SWEEP_EVERY_S:
                    swept[partition] = linker.watermark
                    dropped = linker.expire()
                    if dropped:
                        log.info("stories: %d expired on partition %d", len(dropped), partition)
            except InvalidMessage as exc:
                await ctx.dead_letter(Stage.STORIES, event, exc, article_id)
                continue
            except Exception as exc:  # a bug must not lose the record: dead-letter it with the cause
                log.exception("stories stage failed on an event of %s", article_id)
                await ctx.dead_letter(Stage.STORIES, event, InvalidMessage(Reason.INTERNAL, repr(exc)), article_id)
                continue
            await ctx.send("events", record["id"], {**record, "story_id": story.story_id})
            await ctx.send("stories", story.story_id, story.record())
            ctx.count("stories.events")
            if story.event_ids == [record["id"]]:
                ctx.count("stories.opened")
