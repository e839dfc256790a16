"""Loads the timing data files and compiles their patterns once."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import ahocorasick

from streams.errors import ConfigError

__all__ = ["Anaphora", "Lexicon", "Pattern", "lexicon", "load"]

_PLACEHOLDER = re.compile(r"\{([A-Z_]+)\}")
_NON_WORD = re.compile(r"\W")
# Characters that re.IGNORECASE matches to an ASCII letter although str.lower() does not lower them to it
# ("İ", dotless "ı", long "ſ", the Kelvin sign): found by trying every code point (tests/timing/test_gates.py).
# A paragraph holding one skips the whole-word gates, which read the lower-cased text.
_FOLDS_ODDLY = re.compile("[\u0130\u0131\u017f\u212a]")
_ASCII_NON_WORD = {i: " " for i in range(128) if not (chr(i).isalnum() or chr(i) == "_")}
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")
# Word classes a pattern may name in `words`: its match holds one of these as a whole word ("unit_end": the
# unit only ends a word, "5hari" is five days).
_WORD_CLASSES = ("month", "weekday", "relative", "precheck", "unit_end")


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
    # Cheap necessary conditions (see Gates): a regex searched first, and a word class that must be present.
    gate: re.Pattern[str] | None = None
    words: str | None = None
    starts: tuple[str, ...] = ()
    bit: int = 0  # this pattern's bit in Gates.requires


class Gates:
    """Which patterns can match a paragraph, and where their matches can start, from one pass of an automaton.

    Running the regexes is the cost of extraction: case-insensitive alternations of hundreds of words tried at
    every offset. So a pattern runs only where its necessary conditions hold: its "requires" substrings (one
    Aho-Corasick pass over the lower-cased text, the old per-pattern `in` tests), a whole word of its "words"
    class and its "gate" regex. A pattern with "starts" is then tried only at the word starts that begin with
    one of its start words (`regex.match` there) instead of searched at every offset. A condition that holds
    proves nothing; one that fails proves the regex cannot match there, so the matches are those of
    `regex.finditer` (tests/timing/test_gates.py compares them on every test paragraph).
    """

    def __init__(
        self, patterns: tuple[Pattern, ...], classes: dict[str, list[str]], lists: dict[str, list[str]]
    ) -> None:
        self.patterns = patterns
        self.requires = ahocorasick.Automaton()
        masks: dict[str, int] = {}
        for pattern in patterns:
            for word in pattern.requires:
                masks[word] = masks.get(word, 0) | pattern.bit
        for word, mask in masks.items():
            self.requires.add_word(word, mask)
        self.requires.make_automaton()
        # One automaton over the text with everything but letters and digits turned to spaces, padded:
        # " word " is a whole word (a multi-word entry needs its first word: the rest follows after \s+),
        # "unit " a word ending in a unit, " wor" a word starting so (a pattern's possible match start).
        # Value: (word-class bits, whether the key is a whole entry, start bits, key length).
        keys: dict[str, tuple[int, bool, int]] = {}

        def add(key: str, bits: int, exact: bool, starts: int) -> None:
            old = keys.get(key, (0, True, 0))
            keys[key] = (old[0] | bits, old[1] and exact, old[2] | starts)

        for name, entries in classes.items():
            bit = 1 << _WORD_CLASSES.index(name)
            for entry in entries:
                spaced = _first_word(entry, name)
                # Exact: the key is the whole entry, so a hit proves the precheck's \b(...)\b matches.
                add((spaced if name == "unit_end" else " " + spaced) + " ", bit, spaced == entry.lower(), 0)
        self.start_bits: list[int] = []
        for pattern in patterns:
            if not pattern.starts:
                self.start_bits.append(0)
                continue
            bit = 1 << len([b for b in self.start_bits if b])
            self.start_bits.append(bit)
            for start in pattern.starts:
                if start == "digit":
                    words = list("0123456789")
                elif start.isupper():
                    if start not in lists:
                        raise ConfigError(f"patterns.toml: pattern {pattern.name!r}: unknown starts list {start!r}")
                    words = lists[start]
                else:
                    words = [start]
                for word in words:
                    add(" " + _first_word(word, pattern.name).split()[0], 0, True, bit)
        self.words = ahocorasick.Automaton()
        for key, (bits, exact, starts) in keys.items():
            self.words.add_word(key, (bits, exact, starts, len(key)))
        self.words.make_automaton()

    def select(self, text: str, precheck: re.Pattern[str]) -> list[tuple[Pattern, list[int] | None]]:
        """The patterns whose necessary conditions hold in `text`, each with its possible match starts.

        Starts are None when the pattern must be searched at every offset.
        """
        low = text.lower()
        present = 0
        for _, mask in self.requires.iter(low):
            present |= mask
        has_digit = _DIGIT.search(text) is not None
        hits: list[tuple[int, int]] = []  # (word start, start bits of the patterns it may begin)
        if len(low) != len(text) or (not text.isascii() and _FOLDS_ODDLY.search(text)):
            # Lower-casing does not mirror re.IGNORECASE here: the old tests, without word gates or starts.
            if not precheck.search(text):
                return []
            found = -1
            use_starts = False
        else:
            padded = " " + (text.translate(_ASCII_NON_WORD) if text.isascii() else _NON_WORD.sub(" ", text)).lower()
            padded += " "
            found = 0
            exact = False
            for end, (bits, whole, start_bits, length) in self.words.iter(padded):
                if bits:
                    found |= bits
                    exact = exact or (whole and bits & _PRECHECK != 0)
                if start_bits:
                    hits.append((end - length + 1, start_bits))  # the key's leading space: the word's offset
            if not has_digit and not exact and not (found & _PRECHECK and precheck.search(text)):
                return []  # the precheck fails: no digit and none of its words
            # A digit the keys do not list ("٣" is \d too) could start a match: search those texts.
            use_starts = text.isascii() or not _OTHER_DIGIT.search(text)
        out: list[tuple[Pattern, list[int] | None]] = []
        for p, start_bit in zip(self.patterns, self.start_bits, strict=True):
            if (
                (has_digit or not p.needs_digit)
                and (not p.requires or present & p.bit)
                and (p.words is None or found & (1 << _WORD_CLASSES.index(p.words)))
                and (p.gate is None or p.gate.search(text))
            ):
                if start_bit and use_starts:
                    at = {pos for pos, bits in hits if bits & start_bit}
                    if at:
                        out.append((p, sorted(at)))
                else:
                    out.append((p, None))
        return out


def _first_word(entry: str, owner: str) -> str:
    """The first word of a lexicon entry, lower-cased, inner punctuation as spaces ("jum'at" -> "jum at")."""
    first = entry.lower().split()[0]
    if not (first[0].isalnum() and first[-1].isalnum()):
        raise ConfigError(f"timing gates: {entry!r} of {owner} must start and end with a letter or digit")
    return _NON_WORD.sub(" ", first)


@dataclass(frozen=True, slots=True)
class Anaphora:
    """The [anaphora] words: expressions dated from the story's last date rather than from publication."""

    phrases: dict[str, tuple[str, int]]  # "keesokan harinya" -> ("day", 1)
    after: frozenset[str]
    before: frozenset[str]
    not_after: frozenset[str]
    quantities: frozenset[str]
    clause_final: frozenset[str]
    open_period: frozenset[str]


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
    anaphora: Anaphora
    precheck: re.Pattern[str]
    weekday_prefix: re.Pattern[str]
    closing: re.Pattern[str]
    word_before: re.Pattern[str]
    patterns: tuple[Pattern, ...]
    gates: Gates


_DIGIT = re.compile(r"\d")
_PRECHECK = 1 << _WORD_CLASSES.index("precheck")


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
    anaphora = lex["anaphora"]
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
        "ANAPHOR": _alternation(anaphora["phrases"]),
        "ANAPHOR_AFTER": _alternation(anaphora["after"]),
        "ANAPHOR_BEFORE": _alternation(anaphora["before"]),
        "ANAPHOR_APPROX": _alternation(anaphora["approximate"]),
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
            # Gates are case-sensitive unless they say (?i): digits and zone abbreviations need no folding.
            re.compile(_PLACEHOLDER.sub(lambda m: fills[m.group(1)], str(p["gate"]))) if "gate" in p else None,
            _word_class(name, p.get("words")),
            tuple(str(w) for w in p.get("starts", ())),
            1 << number,
        )
        for number, (name, p) in enumerate(spec["pattern"].items())
    )
    classes = {
        "month": list(months),
        "weekday": list(weekdays),
        "relative": list(lex["relative"]),
        "precheck": [*weekdays, *months, *lex["relative_head"]["words"]],
        "unit_end": [*units, *one_unit],
    }
    # The word lists a pattern's "starts" may name (raw entries, as the {NAME} alternations hold them).
    lists = {
        "WEEKDAY": list(weekdays),
        "MONTH": list(months),
        "NUMBER": list(numbers),
        "ONE_UNIT": list(one_unit),
        "RELATIVE": list(lex["relative"]),
        "MODIFIER": list(lex["modifiers"]),
        "WEEKDAY_BEFORE": list(lex["weekday_before"]["words"]),
        "DURATION_BEFORE": list(lex["durations"]["before"]),
        "ANAPHOR": list(anaphora["phrases"]),
        "ANAPHOR_APPROX": list(anaphora["approximate"]),
    }
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
        anaphora=Anaphora(
            phrases={_norm_phrase(k): (str(v[0]), int(v[1])) for k, v in anaphora["phrases"].items()},
            after=frozenset(_norm_phrase(w) for w in anaphora["after"]),
            before=frozenset(_norm_phrase(w) for w in anaphora["before"]),
            not_after=frozenset(anaphora["not_after"]),
            quantities=frozenset(anaphora["quantities"]),
            clause_final=frozenset(anaphora["clause_final"]),
            open_period=frozenset(anaphora["open_period"]),
        ),
        precheck=compile_(spec["precheck"]["pattern"]),
        weekday_prefix=compile_(spec["prefix"]["weekday"]),
        closing=compile_(spec["prefix"]["closing"]),
        word_before=compile_(spec["prefix"]["word_before"]),
        patterns=patterns,
        gates=Gates(patterns, classes, lists),
    )


def _norm_phrase(phrase: str) -> str:
    return re.sub(r"\s+", " ", phrase.lower())


def _word_class(pattern: str, name: Any) -> str | None:
    if name is None:
        return None
    if name not in _WORD_CLASSES:
        raise ConfigError(f"patterns.toml: pattern {pattern!r}: unknown words class {name!r}")
    return str(name)
