"""Loads the timing data files and compiles their patterns once."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from streams.errors import ConfigError

__all__ = ["Lexicon", "Pattern", "lexicon", "load"]

_PLACEHOLDER = re.compile(r"\{([A-Z_]+)\}")


def load(name: str) -> dict[str, Any]:
    """Read one TOML data file of streams/data/timing."""
    try:
        text = files("streams.data.timing").joinpath(name).read_text(encoding="utf-8")
        return tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"timing data file {name!r}: {exc}") from exc


@dataclass(frozen=True, slots=True)
class Pattern:
    """One compiled extraction pattern and the handler that reads its matches."""

    name: str
    handler: str
    rank: int
    regex: re.Pattern[str]
    needs_digit: bool
    requires: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Every word list and pattern the extractor needs, lower-cased keys."""

    months: dict[str, int]
    weekdays: dict[str, int]
    abbreviated_months: frozenset[str]
    abbreviated_weekdays: frozenset[str]
    numbers: dict[str, int]
    units: dict[str, str]
    one_unit: dict[str, str]
    relative: dict[str, tuple[str, int | str]]
    modifiers: dict[str, str]
    past: frozenset[str]
    future: frozenset[str]
    ago: frozenset[str]
    until: frozenset[str]
    anchors: frozenset[str]
    future_markers: tuple[str, ...]
    year_block_before: frozenset[str]
    duration_before: frozenset[str]
    precheck: re.Pattern[str]
    weekday_prefix: re.Pattern[str]
    closing: re.Pattern[str]
    word_before: re.Pattern[str]
    patterns: tuple[Pattern, ...]


def _invert(table: dict[str, list[str]]) -> dict[str, int]:
    return {word.lower(): int(key) for key, words in table.items() for word in words}


def _alternation(words: Any) -> str:
    # Longest first, so "akhir pekan lalu" wins over "akhir pekan" inside one alternation.
    unique = sorted({str(w) for w in words}, key=lambda w: (-len(w), w))
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in unique) + ")"


@cache
def lexicon() -> Lexicon:
    """Return the lexicon, built once per process."""
    lex = load("lexicon.toml")
    zones = load("zones.toml")
    spec = load("patterns.toml")
    months = _invert(lex["months"])
    weekdays = _invert(lex["weekdays"])
    numbers = _invert(lex["numbers"])
    units = {w.lower(): unit for unit, words in lex["units"].items() for w in words}
    one_unit = {w.lower(): unit for unit, words in lex["one_unit"].items() for w in words}
    direction = lex["direction"]
    # Zone abbreviations are case-sensitive: "ET" is a zone, "et" is not.
    zone = "(?-i:" + _alternation(zones["abbreviations"]) + r"(?:\s?[+-]\s?\d{1,2}(?::?\d\d)?)?)(?![\w+-])"
    fills = {
        "WEEKDAY": _alternation(weekdays),
        "MONTH": _alternation(months),
        "NUMBER": _alternation(numbers),
        "UNIT": _alternation(units),
        "ONE_UNIT": _alternation(one_unit),
        "RELATIVE": _alternation(lex["relative"]),
        "RELATIVE_HEAD": _alternation(lex["relative_head"]["words"]),
        "MODIFIER": _alternation(lex["modifiers"]),
        "PAST": _alternation(direction["past"]),
        "FUTURE": _alternation(direction["future"]),
        "AGO": _alternation(direction["ago"]),
        "AHEAD": _alternation(direction["ahead"]),
        "DAYPART": _alternation(lex["dayparts"]["words"]),
        "WEEKDAY_BEFORE": _alternation(lex["weekday_before"]["words"]),
        "YEAR_BLOCK_AFTER": _alternation(lex["years"]["block_after"]),
        "DURATION_BEFORE": _alternation(lex["durations"]["before"]),
        "SET_BEFORE": _alternation(lex["sets"]["before"]),
        "ZONE": zone,
    }

    def compile_(source: str) -> re.Pattern[str]:
        def fill(match: re.Match[str]) -> str:
            try:
                return fills[match.group(1)]
            except KeyError as exc:
                raise ConfigError(f"patterns.toml: unknown placeholder {{{match.group(1)}}}") from exc

        try:
            return re.compile(_PLACEHOLDER.sub(fill, source), re.IGNORECASE)
        except re.error as exc:
            raise ConfigError(f"patterns.toml: {exc} in {source!r}") from exc

    patterns = tuple(
        Pattern(
            name,
            str(p["handler"]),
            int(p["rank"]),
            compile_(str(p["regex"])),
            bool(p.get("needs_digit", False)),
            tuple(str(r) for r in p.get("requires", ())),
        )
        for name, p in spec["pattern"].items()
    )
    relative = {
        re.sub(r"\s+", " ", k.lower()): (str(v[0]), v[1] if isinstance(v[1], str) else int(v[1]))
        for k, v in lex["relative"].items()
    }
    return Lexicon(
        months=months,
        weekdays=weekdays,
        abbreviated_months=frozenset(lex["abbreviated"]["months"]),
        abbreviated_weekdays=frozenset(lex["abbreviated"]["weekdays"]),
        numbers=numbers,
        units=units,
        one_unit=one_unit,
        relative=relative,
        modifiers={k.lower(): v for k, v in lex["modifiers"].items()},
        past=frozenset(direction["past"]),
        future=frozenset(direction["future"]),
        ago=frozenset(direction["ago"]),
        until=frozenset(direction["until"]),
        anchors=frozenset(lex["anchors"]["words"]),
        future_markers=tuple(lex["future_markers"]["words"]),
        year_block_before=frozenset(lex["years"]["block_before"]),
        duration_before=frozenset(lex["durations"]["before"]),
        precheck=compile_(spec["precheck"]["pattern"]),
        weekday_prefix=compile_(spec["prefix"]["weekday"]),
        closing=compile_(spec["prefix"]["closing"]),
        word_before=compile_(spec["prefix"]["word_before"]),
        patterns=patterns,
    )
