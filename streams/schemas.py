"""Load the versioned JSON Schemas and compile fast validators for the topic edges."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import orjson

from streams.errors import ConfigError

__all__ = ["load_schema", "schema_dir", "validator"]


def schema_dir() -> Path:
    """The `schemas/` folder: beside the package in a checkout, else under the install prefix."""
    candidates = [
        Path(__file__).resolve().parent.parent / "schemas",
        Path(sys.prefix) / "share" / "warta" / "schemas",
    ]
    for path in candidates:
        if (path / "article.v1.json").is_file():
            return path
    raise ConfigError(f"JSON Schemas not found (looked in {', '.join(map(str, candidates))})")


@cache
def load_schema(name: str) -> dict[str, Any]:
    """Parse one schema file, e.g. ``article.v1``."""
    schema: dict[str, Any] = orjson.loads((schema_dir() / f"{name}.json").read_bytes())
    return schema


def _for_fastjsonschema(schema: dict[str, Any]) -> dict[str, Any]:
    # fastjsonschema knows drafts 4-7; the keywords our schemas use mean the same there.
    return {k: v for k, v in schema.items() if k != "$schema"}


def _local_ref(uri: str) -> dict[str, Any]:
    """A $ref to another of Warta's schemas (`https://warta.dev/schemas/event.v1.json`), read from schemas/: a
    validator never reaches for the network."""
    return _for_fastjsonschema(load_schema(uri.rsplit("/", 1)[-1].removesuffix(".json")))


@cache
def validator(name: str) -> Callable[[Any], Any]:
    """A compiled validator that raises fastjsonschema.JsonSchemaException on invalid data."""
    compiled: Callable[[Any], Any] = fastjsonschema.compile(
        _for_fastjsonschema(load_schema(name)), handlers={"https": _local_ref, "http": _local_ref}
    )
    return compiled
