"""Dead letters: every reason and stage Warta can give (declared here once) and the record a stage sends."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

__all__ = ["RETIRED_REASONS", "RETIRED_STAGES", "SCHEMA", "Reason", "Stage", "dead_letter", "kept_bytes"]

SCHEMA = "warta.deadletter/v1"
# Room left in a dead letter's size budget for what is not the original: the other fields, the Kafka key, headers
# and the record batch's own overhead (a few hundred bytes; the error text is cut at 2,000 characters).
_HEADROOM = 16 * 1024


class Reason(StrEnum):
    """Why a record could not be processed (`reason`); schemas/deadletter.v1.json lists exactly these and the
    RETIRED_REASONS."""

    BAD_ENCODING = "bad_encoding"  # not UTF-8
    NOT_JSON = "not_json"  # empty or not JSON
    NOT_OBJECT = "not_object"  # JSON, but not an object
    SCHEMA = "schema"  # an object that breaks its schema (or a field that cannot be parsed)
    EMPTY_BODY = "empty_body"  # no non-blank paragraph
    TOO_LARGE = "too_large"  # body over WARTA_MAX_BODY_BYTES
    INTERNAL = "internal"  # a bug: the stage raised; the record is kept with the cause
    POISON = "poison"  # the worker died twice while working on this record: not tried a third time


class Stage(StrEnum):
    """The agent that dead-lettered a record (`stage`); the topic it read is in the record's `topic`."""

    DEDUP = "dedup"  # articles
    DEDUP_OWNER = "dedup-owner"  # dedup-probes
    DEDUP_ANSWERS = "dedup-answers"  # dedup-answers
    TAG = "tag"  # deduped
    TIME = "time"  # tagged
    STORIES = "stories"  # story-events


# Allowed by schemas/deadletter.v1.json but produced by no code: removing a value from a released enum would make
# valid old records invalid for validators of the new schema, so a retired value stays allowed within v1.
RETIRED_STAGES = frozenset({"dedup-assemble"})
# `article_id`: an id of 256-512 bytes, which article.v1 allowed but the dedup memory did not hold; the memory now
# holds any id article.v1 allows (streams.article.MAX_ID_LENGTH), so there is one limit and no such dead letter.
RETIRED_REASONS = frozenset({"article_id"})


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
    max_bytes: int | None = None,
) -> dict[str, Any]:
    """The dead-letter record (deadletter.v1) of one original record; times in epoch seconds.

    With `max_bytes` (the producer's request limit), an original whose base64 would make the record larger is cut
    to what fits, and the record says `original_truncated: true`; `original_size` stays the original's size, and
    topic, partition and offset say where the whole of it still is.
    """
    keep = len(original) if max_bytes is None else kept_bytes(max_bytes, key)
    record: dict[str, Any] = {
        "schema": SCHEMA,
        "reason": Reason(reason).value,
        "error": error[:2000],
        "stage": Stage(stage).value,
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "key_b64": base64.b64encode(key).decode("ascii") if key is not None else None,
        "article_id": article_id,
        "original_b64": base64.b64encode(original[:keep]).decode("ascii"),
        "original_size": len(original),
        "record_time": _iso(record_time) if record_time else None,
        "failed_at": _iso(failed_at),
    }
    if keep < len(original):
        record["original_truncated"] = True  # only when true: records that fit look as they always did
    return record


def kept_bytes(max_bytes: int, key: bytes | None) -> int:
    """How many bytes of an original a dead letter of at most `max_bytes` can carry: base64 takes 4 bytes per 3,
    and the key is there twice (the record's Kafka key and `key_b64`)."""
    key_size = len(key) if key is not None else 0
    room = max_bytes - _HEADROOM - key_size - (key_size + 2) // 3 * 4
    return max(room, 0) // 4 * 3
