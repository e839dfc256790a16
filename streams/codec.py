"""The only place that (de)serializes JSON; bad bytes raise InvalidMessage."""

from __future__ import annotations

from typing import Any

import orjson

from streams.deadletter import Reason
from streams.errors import InvalidMessage

__all__ = ["decode_text", "dumps", "loads", "loads_object"]

_BOM = b"\xef\xbb\xbf"


def decode_text(raw: bytes) -> str:
    """Bytes to text: UTF-8 (a leading BOM is tolerated); anything else is a bad encoding."""
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidMessage(
            Reason.BAD_ENCODING, f"not valid UTF-8 at byte {exc.start}: {raw[exc.start:exc.start + 8]!r}"
        ) from None


def loads(raw: bytes | str) -> Any:
    """Parse JSON; invalid JSON or encoding raises InvalidMessage."""
    if isinstance(raw, bytes):
        if raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            # orjson reports bad UTF-8 as a decode error too: name the real cause.
            decode_text(raw)
            raise InvalidMessage(Reason.NOT_JSON, f"invalid JSON: {exc}") from None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidMessage(Reason.NOT_JSON, f"invalid JSON: {exc}") from None


def loads_object(raw: bytes | str) -> dict[str, Any]:
    """Parse JSON that must be an object."""
    value = loads(raw)
    if not isinstance(value, dict):
        raise InvalidMessage(Reason.NOT_OBJECT, f"expected a JSON object, got {type(value).__name__}")
    return value


def dumps(value: Any) -> bytes:
    """Serialize to compact UTF-8 JSON bytes."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
