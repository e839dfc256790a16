"""Infers an article's publication date from its text when the metadata lacks one."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta, tzinfo

from streams.timing.extract import extract_paragraph
from streams.timing.lexicon import lexicon
from streams.timing.model import Clock, TimeExpression

__all__ = ["infer_published"]


# The dateline or the lead carries the date; past the third paragraph, dates are the story's, not its own.
_LEAD_PARAGRAPHS = 3
# A paragraph that is little more than a date ("May 03, 2013", "Senin, 14 Oktober 2024 10:30 WIB") is a
# date line, the strongest signal there is.
_DATE_LINE_MAX = 60
_DATE_LINE_SHARE = 0.4
_DATELINE_TAIL = re.compile(r"\s*(?:\([^)]{1,40}\)\s*)?[-–—:]")
_FIRST_WORD = re.compile(r"[^\W\d_]+")
# A date this close to the start of the first paragraph sits in the dateline.
_DATELINE_END = 40
# An inferred date more than this far past the clock is a typo or a schedule, not the publication.
_FUTURE_SLACK = timedelta(days=2)


def infer_published(
    paragraphs: Sequence[str], *, language: str, zone: tzinfo, clock: Clock | None = None
) -> datetime | None:
    """Return the publication day (midnight in zone) read from the dateline or the lead, else None.

    Only dates that need no anchor count (with a year, or a day name that fixes the year against the
    clock); None when nothing credible is found, e.g. the lead only says "kemarin".
    """
    today = datetime.fromtimestamp(clock(), zone).date() if clock is not None else None
    lead = [(i, p) for i, p in enumerate(paragraphs[:_LEAD_PARAGRAPHS])]
    per_paragraph: list[list[date]] = []
    for index, text in lead:
        if any(per_paragraph) and len(text) > _DATE_LINE_MAX:
            # An earlier lead paragraph already gives the date; only a date line could still come first.
            continue
        found = extract_paragraph(index, text, anchor=today, language=language, zone=zone)
        days = [
            (expr, day)
            for expr in found
            if (day := _absolute_day(expr, today)) is not None and (today is None or day <= today + _FUTURE_SLACK)
        ]
        if days and len(text) <= _DATE_LINE_MAX:
            expr, day = days[0]
            if (expr.end - expr.start) >= _DATE_LINE_SHARE * len(text.strip()):
                return _midnight(day, zone)
        # In a lead, a day name with its date ("Minggu (13/10/2024)") is the newsroom's own date stamp,
        # and so is a date in the dateline ("WASHINGTON, Oct 13 (Reuters) -"); any other date in a lead
        # ("escaped on March 11, 2005") is as likely the story's past as the day it was written.
        per_paragraph.append(
            [day for expr, day in days if _has_weekday(expr) or (index == 0 and _in_dateline(text, expr))]
        )
    for days_found in per_paragraph:
        if days_found:
            # Reports look back: the latest date of the lead is the closest to when it was written.
            return _midnight(max(days_found), zone)
    return _fallback(paragraphs, language=language, zone=zone, today=today)


def _absolute_day(expr: TimeExpression, today: date | None) -> date | None:
    """The day of an expression that did not need the publication date (or needed only the clock)."""
    if expr.value is None or expr.flags or expr.kind not in ("date", "time"):
        return None
    if expr.granularity not in ("day", "hour", "minute"):
        return None
    # A year taken from the clock is credible only with a day name to confirm it.
    if expr.relative and not (today is not None and _has_weekday(expr)):
        return None
    return date.fromisoformat(expr.value[:10])


def _in_dateline(text: str, expr: TimeExpression) -> bool:
    # "WASHINGTON, Oct. 13, 2024 (Reuters) -": early in the lead, and the dateline's dash follows.
    return expr.start < _DATELINE_END and bool(_DATELINE_TAIL.match(text, expr.end))


def _has_weekday(expr: TimeExpression) -> bool:
    # Expressions start at their day name when they have one: "Minggu (13/10/2024)", "Sunday, Oct. 13".
    first = _FIRST_WORD.match(expr.text)
    word = first.group(0).lower() if first else ""
    return word == "hari" or word in lexicon().weekdays


def _midnight(day: date, zone: tzinfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def _fallback(paragraphs: Sequence[str], *, language: str, zone: tzinfo, today: date | None) -> datetime | None:
    """dateparser, on short lead lines only: it knows date-line formats our patterns do not."""
    lead = paragraphs[:_LEAD_PARAGRAPHS]
    candidates = [p for p in lead if len(p) <= _DATE_LINE_MAX and any(c.isdigit() for c in p)]
    if not candidates:
        return None
    import dateparser  # slow to import and to run: only here, and only on a few short lines

    settings = {
        "REQUIRE_PARTS": ["day", "month", "year"],
        "DATE_ORDER": "MDY" if language == "en" else "DMY",
        "PREFER_DATES_FROM": "past",
    }
    for text in candidates:
        parsed = dateparser.parse(text, languages=[language, "en"], settings=settings)
        if parsed is not None and (today is None or parsed.date() <= today + _FUTURE_SLACK):
            return _midnight(parsed.date(), zone)
    return None
