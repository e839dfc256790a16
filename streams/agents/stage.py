"""The loop shared by the tag and time agents: decode a stage article, transform it, dead-letter failures."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import fastjsonschema

from streams import codec
from streams.agents.context import Context
from streams.agents.poison import POISON_ERROR, PoisonGuard
from streams.deadletter import Reason, Stage
from streams.errors import InvalidMessage
from streams.schemas import validator

__all__ = ["load_stage_doc", "stage_results"]

log = logging.getLogger("warta.agents")

T = TypeVar("T")


def load_stage_doc(raw: bytes, schema: str) -> dict[str, Any]:
    """Decode an article from `deduped`/`tagged`; anything malformed is an InvalidMessage."""
    doc = codec.loads_object(raw)
    try:
        validator("stage-article.v1")(doc)
    except fastjsonschema.JsonSchemaException as exc:
        raise InvalidMessage(Reason.SCHEMA, f"stage-article.v1: {exc}") from None
    if doc["schema"] != schema:
        raise InvalidMessage(Reason.SCHEMA, f"expected {schema}, got {doc['schema']}")
    return doc


async def stage_results(
    ctx: Context, stage: Stage, stream: Any, schema: str, transform: Callable[[dict[str, Any]], T],
    guard: PoisonGuard,
) -> AsyncIterator[T]:
    """Yield ``transform(doc)`` per record; bad records, failures and poison records (`guard`) go to the
    dead-letter topic.

    Yielding inside the stream's iteration keeps Faust's current event, so table writes by the caller land
    in the record's partition.
    """
    async for event in stream.events():
        if not await guard.begin(event):
            await ctx.dead_letter(stage, event, InvalidMessage(Reason.POISON, POISON_ERROR), None)
            continue
        article_id = None
        try:
            doc = load_stage_doc(event.value, schema)
            article_id = doc["id"]
            result = transform(doc)
        except InvalidMessage as exc:
            await ctx.dead_letter(stage, event, exc, article_id)
            continue
        except Exception as exc:  # a bug must not lose the record: dead-letter it with the cause
            log.exception("%s stage failed on %s", stage, article_id)
            await ctx.dead_letter(stage, event, InvalidMessage(Reason.INTERNAL, repr(exc)), article_id)
            continue
        finally:
            guard.end(event)
        yield result
