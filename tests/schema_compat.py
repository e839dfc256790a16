"""The v1 schemas as released, kept as fixtures, and what keeping to them means.

A consumer validates Warta's records with the schema it downloaded when it started relying on them. So today's
records must still validate against the v1 schemas as released (tests/data/schemas/released/, copied from git at
the release and never edited), and a schema may only change additively within v1: new optional fields, new enum
values for fields Warta writes, looser limits. A breaking change (a field removed or renamed, a new required field,
a type narrowed, an enum value dropped) means v2: a new `<name>.v2.json` published beside v1, a new
`warta.<name>/v2` schema header and record `schema` value, and both written side by side until consumers moved.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from tests.conftest import ROOT

RELEASED = ROOT / "tests" / "data" / "schemas" / "released"
CURRENT = ROOT / "schemas"

# Values Warta wrote before v1's enums listed them (issue 12), and stages added since (`stories`, issue 14: a new
# enum value is an additive change, but a validator of the released file rejects it): the released schema never
# matched these records, so they are the known exception to "today's records validate against the released schema".
RELEASED_DRIFT = {("deadletter.v1", "reason"): {"article_id"},
                  ("deadletter.v1", "stage"): {"dedup-answers", "stories"}}


@cache
def _registry(folder: Path) -> Registry:
    resources = []
    for path in sorted(folder.glob("*.json")):
        schema = json.loads(path.read_text())
        resources += [(path.name, Resource.from_contents(schema)), (schema["$id"], Resource.from_contents(schema))]
    return Registry().with_resources(resources)


def is_released(schema: str) -> bool:
    """Whether a schema file was part of a release (story.v1 is newer than the fixtures: nothing to keep to yet)."""
    return (RELEASED / f"{schema}.json").is_file()


def validate_in(message: Any, schema: str, folder: Path) -> None:
    """Raise jsonschema.ValidationError unless `message` conforms to `<folder>/<schema>.json`."""
    doc = json.loads((folder / f"{schema}.json").read_text())
    Draft202012Validator(doc, registry=_registry(folder), format_checker=Draft202012Validator.FORMAT_CHECKER
                         ).validate(message)


def drifted(message: Any, schema: str) -> bool:
    """Whether a record carries a value the released schema never listed (RELEASED_DRIFT)."""
    return isinstance(message, dict) and any(
        file == schema and message.get(field) in values for (file, field), values in RELEASED_DRIFT.items()
    )


def _types(node: dict[str, Any]) -> set[str] | None:
    t = node.get("type")
    return None if t is None else {t} if isinstance(t, str) else set(t)


def narrowings(old: Any, new: Any, path: str = "") -> list[str]:
    """Where `new` accepts less than `old` (empty: the change is additive). Walks the keywords Warta's schemas use."""
    if not isinstance(old, dict):
        return []  # `true` or a keyword's plain value: compared by the caller
    if not isinstance(new, dict):
        return [f"{path}: replaced by {new!r}"]
    found: list[str] = []
    for key in ("const", "pattern", "format", "$ref", "contentEncoding"):
        if key in new and new.get(key) != old.get(key):
            found.append(f"{path}/{key}: {old.get(key)!r} -> {new.get(key)!r}")
    if "enum" in new and not set(map(json.dumps, old.get("enum", new["enum"]))) <= set(map(json.dumps, new["enum"])):
        found.append(f"{path}/enum: dropped {sorted(set(old.get('enum', [])) - set(new['enum']), key=str)}")
    old_t, new_t = _types(old), _types(new)
    if new_t is not None and (old_t is None or not old_t <= new_t):
        found.append(f"{path}/type: {old_t} -> {new_t}")
    if set(new.get("required", [])) - set(old.get("required", [])):
        found.append(f"{path}/required: added {sorted(set(new['required']) - set(old.get('required', [])))}")
    for key in ("minimum", "minLength", "minItems"):
        if key in new and (key not in old or new[key] > old[key]):
            found.append(f"{path}/{key}: {old.get(key)} -> {new[key]}")
    for key in ("maximum", "maxLength", "maxItems"):
        if key in new and (key not in old or new[key] < old[key]):
            found.append(f"{path}/{key}: {old.get(key)} -> {new[key]}")
    if new.get("additionalProperties") is False and old.get("additionalProperties") is not False:
        found.append(f"{path}/additionalProperties: closed")
    for key in ("properties", "$defs"):
        for name, sub in old.get(key, {}).items():
            if name not in new.get(key, {}):
                found.append(f"{path}/{key}/{name}: removed")
            else:
                found += narrowings(sub, new[key][name], f"{path}/{key}/{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(old.get(key), dict):
            found += narrowings(old[key], new.get(key, {}), f"{path}/{key}")
    for key in ("oneOf", "anyOf", "allOf"):
        olds, news = old.get(key, []), new.get(key, [])
        if len(olds) != len(news):
            found.append(f"{path}/{key}: {len(olds)} -> {len(news)} branches")
        else:
            found += [n for i, (a, b) in enumerate(zip(olds, news, strict=True))
                      for n in narrowings(a, b, f"{path}/{key}/{i}")]
    return found
