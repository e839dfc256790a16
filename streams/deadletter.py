"""Dead letters: every reason and stage Warta can give (declared here once) and the record a stage sends."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

__all__ = ["RETIRED_STAGES", "SCHEMA", "Reason", "Stage", "dead_letter"]

SCHEMA = "warta.deadletter/v1"


class Reason(StrEnum):
    """Why a record could not be processed (`reason`); schemas/deadletter.v1.json lists exactly these."""

    BAD_ENCODING = "bad_encoding"  # not UTF-8
    NOT_JSON = "not_json"  # empty or not JSON
    NOT_OBJECT = "not_object"  # JSON, but not an object
    SCHEMA = "schema"  # an object that breaks its schema (or a field that cannot be parsed)
    EMPTY_BODY = "empty_body"  # no non-blank paragraph
    TOO_LARGE = "too_large"  # body over WARTA_MAX_BODY_BYTES
    ARTICLE_ID = "article_id"  # an id over 255 bytes: the dedup memory keys on it
    INTERNAL = "internal"  # a bug: the stage raised; the record is kept with the cause


class Stage(StrEnum):
    """The agent that dead-lettered a record (`stage`); the topic it read is in the record's `topic`."""

    DEDUP = "dedup"  # articles
    DEDUP_OWNER = "dedup-owner"  # dedup-probes
    DEDUP_ANSWERS = "dedup-answers"  # dedup-answers
    TAG = "tag"  # deduped
    TIME = "time"  # tagged


# Allowed by schemas/deadletter.v1.json but produced by no code: removing a value from a released enum would make
# valid old records invalid for validators of the new schema, so a retired value stays allowed within v1.
RETIRED_STAGES = frozenset({"dedup-assemble"})


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds")


def dead_letter(
    stage: Stage,
    reason: Reason,
    error: str,
    *,
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    original: bytes,
    article_id: str | None,
    record_time: float | None,
    failed_at: float,
) -> dict[str, Any]:
    """The dead-letter record (deadletter.v1) of one original record; times in epoch seconds."""
    return {
        "schema": SCHEMA,
        "reason": Reason(reason).value,
        "error": error[:2000],
        "stage": Stage(stage).value,
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "key_b64": base64.b64encode(key).decode("ascii") if key is not None else None,
        "article_id": article_id,
        "original_b64": base64.b64encode(original).decode("ascii"),
        "original_size": len(original),
        "record_time": _iso(record_time) if record_time else None,
        "failed_at": _iso(failed_at),
    }
