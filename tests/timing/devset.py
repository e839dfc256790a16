"""Scores the extractor against the TIMEX3-style dev sets in tests/data/timing (shared by tests and bench)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from streams.timing import extract, zone_for_source

__all__ = ["DATA", "AnaphoraScore", "Score", "load", "score", "score_anaphora"]

DATA = Path(__file__).parents[1] / "data" / "timing"
# A concrete DATE value: a year, a month or a day.
_CONCRETE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
# Day name with a numeric or month-name date: "Selasa (21/10/2025)", "Senin , 23 Juni 2014", "Thursday, May 2".
_DAY_NAME_DATE = re.compile(
    r"^(?:hari\s+)?(?:senin|selasa|rabu|kamis|jumat|sabtu|minggu|ahad|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday)\b.*\d",
    re.IGNORECASE,
)


def load(name: str) -> list[dict[str, Any]]:
    """Read one JSONL dev set."""
    with (DATA / name).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@dataclass(slots=True)
class Score:
    """Counts over one dev set."""

    day_name_total: int = 0
    day_name_right: int = 0
    concrete_total: int = 0
    concrete_right: int = 0
    found: int = 0  # system expressions with a value that overlap a gold expression
    found_right: int = 0
    spurious: int = 0  # system date expressions with a value that overlap no gold expression
    misses: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)

    @property
    def day_name_recall(self) -> float:
        return self.day_name_right / max(self.day_name_total, 1)

    @property
    def concrete_recall(self) -> float:
        return self.concrete_right / max(self.concrete_total, 1)

    @property
    def precision(self) -> float:
        return self.found_right / max(self.found, 1)


def score(rows: list[dict[str, Any]]) -> Score:
    """Match system expressions to gold by overlap and count what is right."""
    result = Score()
    for row in rows:
        language = row["language"]
        zone = zone_for_source(None, language)
        day = date.fromisoformat(row["published"])
        published = datetime(day.year, day.month, day.day, tzinfo=zone)
        text = row["text"]
        found = [
            e for e in extract([text], published=published, language=language, zone=zone) if e.kind in ("date", "time")
        ]
        used: set[int] = set()
        taken: list[tuple[int, int]] = []
        for gold in row["gold"]:
            start, end = _locate(text, gold["text"], taken)
            taken.append((start, end))
            hits = [i for i, e in enumerate(found) if e.start < end and start < e.end and i not in used]
            hit = found[hits[0]] if hits else None
            if hits:
                used.add(hits[0])
            value = gold["value"]
            right = hit is not None and hit.value == value
            if hit is not None and hit.value is not None:
                result.found += 1
                result.found_right += right
            if value is None:
                continue
            if _CONCRETE.match(value):
                result.concrete_total += 1
                result.concrete_right += right
            if _DAY_NAME_DATE.match(gold["text"]) and value:
                result.day_name_total += 1
                result.day_name_right += right
            if not right:
                result.misses.append((text[:80], gold["text"], value, hit.value if hit else None))
        result.spurious += sum(1 for i, e in enumerate(found) if i not in used and e.value and e.kind == "date")
    return result


def _locate(text: str, needle: str, taken: list[tuple[int, int]]) -> tuple[int, int]:
    """First whole-word occurrence of needle outside spans already given to other gold expressions."""
    for match in re.finditer(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", text):
        if all(match.end() <= s or match.start() >= e for s, e in taken):
            return match.start(), match.end()
    raise ValueError(f"gold {needle!r} not found in {text!r}")


@dataclass(slots=True)
class AnaphoraScore:
    """Counts over the anaphora dev set: is each expression resolved, and from the right date."""

    total: int = 0
    value_right: int = 0  # value and granularity as gold
    anchored_right: int = 0  # ... and anchored to gold's date
    misses: list[tuple[str, str, str | None, str | None, str | None]] = field(default_factory=list)

    @property
    def value_rate(self) -> float:
        return self.value_right / max(self.total, 1)

    @property
    def anchored_rate(self) -> float:
        return self.anchored_right / max(self.total, 1)


def score_anaphora(rows: list[dict[str, Any]]) -> AnaphoraScore:
    """Extract each multi-paragraph text as one article and compare gold's anaphoric expressions.

    Miss tuples: (gold text, gold value, gold anchor, system value, system anchor).
    """
    result = AnaphoraScore()
    for row in rows:
        language = row["language"]
        zone = zone_for_source(None, language)
        day = date.fromisoformat(row["published"])
        published = datetime(day.year, day.month, day.day, tzinfo=zone)
        paragraphs = row["text"].split("\n")
        found = extract(paragraphs, published=published, language=language, zone=zone)
        taken: dict[int, list[tuple[int, int]]] = {}
        for gold in row["gold"]:
            index, start, end = _locate_in(paragraphs, gold["text"], taken)
            hits = [e for e in found if e.paragraph == index and e.start < end and start < e.end]
            hit = hits[0] if hits else None
            value = hit.value if hit else None
            anchor = getattr(hit, "anchor", None) if hit else None
            right = hit is not None and (value, hit.granularity) == (gold["value"], gold["granularity"])
            result.total += 1
            result.value_right += right
            result.anchored_right += right and anchor == gold["anchor"]
            if not (right and anchor == gold["anchor"]):
                result.misses.append((gold["text"], gold["value"], gold["anchor"], value, anchor))
    return result


def _locate_in(paragraphs: list[str], needle: str, taken: dict[int, list[tuple[int, int]]]) -> tuple[int, int, int]:
    """(paragraph, start, end) of the first free whole-word occurrence of needle, paragraphs in order."""
    for index, text in enumerate(paragraphs):
        spans = taken.setdefault(index, [])
        try:
            start, end = _locate(text, needle, spans)
        except ValueError:
            continue
        spans.append((start, end))
        return index, start, end
    raise ValueError(f"gold {needle!r} not found in {paragraphs!r}")
