"""What consumers of Warta's topics rely on: each record's schema (name, version, file) and its Kafka headers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import fastjsonschema

from streams import codec
from streams.errors import ConfigError, InvalidMessage
from streams.schemas import load_schema, schema_dir, validator
from streams.topics import LOGICAL_TOPICS

__all__ = [
    "ARTICLE",
    "CONTENT_TYPE",
    "CONTENT_TYPE_HEADER",
    "INTERNAL_HEADERS",
    "SCHEMA_HEADER",
    "TOPIC_SCHEMAS",
    "Headers",
    "header_value",
    "headers",
    "headers_for",
    "registry",
    "relabel",
    "schema_file",
    "sniff_headers",
]

# Every record on a public topic carries both; `warta.schema` names the record's schema and major version as
# its `schema` field does (`warta.event/v1`), so a consumer can route or reject a record before parsing it.
SCHEMA_HEADER = "warta.schema"
CONTENT_TYPE_HEADER = "content-type"
CONTENT_TYPE = "application/json"

Headers = list[tuple[str, bytes]]

# The input article has no `schema` field (people write it); its name comes from its schema file's $id.
ARTICLE = "warta.article/v1"

# Logical topic -> the schema file (schemas/<file>.json) its records follow, as its description names it.
TOPIC_SCHEMAS: dict[str, str] = {
    name: m.group(1) for name, what in LOGICAL_TOPICS.items() if (m := re.search(r"\(([a-z-]+\.v\d+)\)", what))
}

# The dedup stage's own topics follow no published schema (their format may change with any release): they say
# they are JSON, and name no schema.
INTERNAL_HEADERS: Headers = [(CONTENT_TYPE_HEADER, CONTENT_TYPE.encode())]


def _names(file: str, schema: Mapping[str, Any]) -> list[str]:
    """The record schema names a schema file defines: the const or enum of its `schema` property, else (the input
    article) one from its $id: `…/article.v1.json` -> `warta.article/v1`."""
    field = schema.get("properties", {}).get("schema")
    if field is None:
        stem, _, version = schema["$id"].rsplit("/", 1)[-1].removesuffix(".json").rpartition(".")
        return [f"warta.{stem}/{version}"]
    return [field["const"]] if "const" in field else list(field["enum"])


@cache
def registry() -> dict[str, str]:
    """Every record schema name -> its schema file, read from schemas/ (the single source of truth)."""
    out: dict[str, str] = {}
    for path in sorted(schema_dir().glob("*.json")):
        file = path.name.removesuffix(".json")
        for name in _names(file, load_schema(file)):
            out[name] = file
    return out


def schema_file(name: str) -> str:
    """The schema file of a record schema name (`warta.tagged-article/v1` -> `stage-article.v1`)."""
    try:
        return registry()[name]
    except KeyError:
        raise ConfigError(f"no schema in {schema_dir()} defines {name!r}") from None


@cache
def _headers(name: str) -> tuple[tuple[str, bytes], ...]:
    schema_file(name)  # a name no schema defines is a bug: fail before anything is sent
    return ((SCHEMA_HEADER, name.encode()), (CONTENT_TYPE_HEADER, CONTENT_TYPE.encode()))


def headers(name: str) -> Headers:
    """The headers of a record of schema `name` (a new list: Kafka clients may keep or extend it)."""
    return list(_headers(name))


def headers_for(record: Mapping[str, Any]) -> Headers:
    """The headers of a record that names its schema in its `schema` field."""
    return headers(str(record["schema"]))


def header_value(record_headers: Iterable[tuple[str, bytes | None]] | None, name: str) -> str | None:
    """A header's last value as text (None if absent)."""
    found: str | None = None
    for key, value in record_headers or ():
        if key == name and value is not None:
            found = value.decode("utf-8", "replace")
    return found


def sniff_headers(value: bytes | None, fallback: str | None = None) -> Headers:
    """The headers of bytes re-sent as they are (a replay): the schema their `schema` field names, else
    `fallback` (the input article), if they validate against it; none for bytes that do not (a dead letter's
    broken original stays unlabelled rather than mislabelled)."""
    try:
        doc = codec.loads_object(value or b"")
    except InvalidMessage:
        return []
    name = doc.get("schema") if isinstance(doc.get("schema"), str) else fallback
    if name is None or name not in registry():
        return []
    try:
        validator(schema_file(name))(doc)
    except fastjsonschema.JsonSchemaException:
        return []
    return headers(name)


def relabel(existing: Iterable[tuple[str, bytes]], value: bytes | None, fallback: str | None = None) -> Headers:
    """A re-sent record's headers: its own if they name a schema, else with the schema `sniff_headers` finds (in
    place of any content type they had)."""
    kept = list(existing)
    if header_value(kept, SCHEMA_HEADER) is not None:
        return kept
    found = sniff_headers(value, fallback)
    return [h for h in kept if h[0] != CONTENT_TYPE_HEADER] + found if found else kept
