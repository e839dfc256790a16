"""Validate messages against the repository's JSON Schemas (with cross-file $refs)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from tests.conftest import ROOT


@cache
def _registry() -> Registry:
    resources = []
    for path in sorted((ROOT / "schemas").glob("*.json")):
        schema = json.loads(path.read_text())
        resources += [(path.name, Resource.from_contents(schema)), (schema["$id"], Resource.from_contents(schema))]
    return Registry().with_resources(resources)


def validate(message: Any, schema: str) -> None:
    """Raise jsonschema.ValidationError unless ``message`` conforms to ``schemas/<schema>.json``."""
    doc = json.loads((ROOT / "schemas" / f"{schema}.json").read_text())
    Draft202012Validator(doc, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER).validate(
        message
    )
