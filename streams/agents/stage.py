"""Decoding of the internal stage topics, shared by the tag and time agents."""

from __future__ import annotations

from typing import Any

import fastjsonschema

from streams import codec
from streams.errors import InvalidMessage
from streams.schemas import validator

__all__ = ["load_stage_doc"]


def load_stage_doc(raw: bytes, schema: str) -> dict[str, Any]:
    """Decode an article from `deduped`/`tagged`; anything malformed is an InvalidMessage."""
    doc = codec.loads_object(raw)
    try:
        validator("stage-article.v1")(doc)
    except fastjsonschema.JsonSchemaException as exc:
        raise InvalidMessage("schema", f"stage-article.v1: {exc}") from None
    if doc["schema"] != schema:
        raise InvalidMessage("schema", f"expected {schema}, got {doc['schema']}")
    return doc
