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


@cache
def validator(name: str) -> Callable[[Any], Any]:
    """A compiled validator that raises fastjsonschema.JsonSchemaException on invalid data."""
    schema = dict(load_schema(name))
    # fastjsonschema knows drafts 4-7; the keywords our schemas use mean the same there.
    schema.pop("$schema", None)
    compiled: Callable[[Any], Any] = fastjsonschema.compile(schema)
    return compiled
