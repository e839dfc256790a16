"""Calendar arithmetic for resolving expressions against an anchor date."""

from __future__ import annotations

from datetime import date, timedelta

# How far past the anchor a year-less date may lie before the previous year's is preferred.
_RECENT_AHEAD_DAYS = 31

__all__ = [
    "add_months",
    "first_day",
    "iso_week",
    "make_date",
    "move",
    "nearest_day",
    "nearest_month_year",
    "shift",
    "weekday_from",
]


def make_date(year: int, month: int, day: int) -> date | None:
    """Return the date, or None when it does not exist (31 June, month 20)."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def iso_week(day: date) -> str:
    """Return the ISO week of a day as "2024-W41"."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def shift(anchor: date, unit: str, offset: int) -> tuple[str, str]:
    """Return (value, granularity) of anchor moved by offset units: day, week, weekend, month, year."""
    if unit == "day":
        return (anchor + timedelta(days=offset)).isoformat(), "day"
    if unit in ("week", "weekend"):
        value = iso_week(anchor + timedelta(weeks=offset))
        return (value + "-WE" if unit == "weekend" else value), "week"
    if unit == "month":
        year, month0 = divmod(anchor.year * 12 + anchor.month - 1 + offset, 12)
        return f"{year:04d}-{month0 + 1:02d}", "month"
    if unit == "year":
        return f"{anchor.year + offset:04d}", "year"
    raise ValueError(f"unit {unit!r}: expected day, week, weekend, month or year")


def weekday_from(anchor: date, weekday: int, direction: str) -> date:
    """Return the day with ISO weekday relative to anchor.

    direction: "before" (strictly), "after" (strictly), "on_or_before", "on_or_after", "this" (same ISO week).
    """
    diff = (anchor.isoweekday() - weekday) % 7
    if direction == "on_or_before":
        return anchor - timedelta(days=diff)
    if direction == "before":
        return anchor - timedelta(days=diff or 7)
    ahead = (weekday - anchor.isoweekday()) % 7
    if direction == "on_or_after":
        return anchor + timedelta(days=ahead)
    if direction == "after":
        return anchor + timedelta(days=ahead or 7)
    return anchor + timedelta(days=weekday - anchor.isoweekday())


def nearest_day(
    anchor: date, month: int, day: int, weekday: int | None, direction: str | None = None
) -> tuple[date | None, str | None]:
    """Return the (month, day) date nearest the anchor, within a year either side, and a flag.

    A day name narrows the choice to the years where it fits ("Senin (20/10)" published in January is
    last October if 20 October was a Monday last year); no fitting year gives "weekday_mismatch".
    direction "past" or "future" ("15 Agustus lalu", "12 Januari mendatang") keeps one side of the anchor.
    """
    options = [d for y in (anchor.year - 1, anchor.year, anchor.year + 1) if (d := make_date(y, month, day))]
    if not options:
        return None, "invalid_date"
    if direction == "past":
        options = [d for d in options if d <= anchor]
    elif direction == "future":
        options = [d for d in options if d >= anchor]
    elif direction == "recent":
        # Reports look back: "on June 8" in a May article is last June, but "a May 10 deadline" is ahead.
        options = [d for d in options if (d - anchor).days <= _RECENT_AHEAD_DAYS]
    if weekday is not None:
        options = [d for d in options if d.isoweekday() == weekday]
        if not options:
            return None, "weekday_mismatch"
    # Ties go to the past: news reports what happened more than what will.
    return min(options, key=lambda d: (abs((d - anchor).days), d > anchor)), None


def nearest_month_year(anchor: date, month: int, direction: str | None) -> int:
    """Return the year of a bare month name: the nearest, or the previous/next one if direction says so."""
    here = anchor.year * 12 + anchor.month - 1
    options = [y * 12 + month - 1 for y in (anchor.year - 1, anchor.year, anchor.year + 1)]
    if direction == "past":
        options = [o for o in options if o < here]
    elif direction == "future":
        options = [o for o in options if o > here]
    elif direction == "this":
        return anchor.year
    elif direction != "nearest":
        # Undirected ("in March"): a report means the last one, unless it is next month.
        options = [o for o in options if o <= here + 1]
    best = min(options, key=lambda o: (abs(o - here), o > here))
    return best // 12


def add_months(day: date, months: int) -> date:
    """Return day moved by whole months, kept inside the target month (31 January + 1 month is 29 February)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    for last in (day.day, 30, 29, 28):
        moved = make_date(year, month0 + 1, min(day.day, last))
        if moved is not None:
            return moved
    raise AssertionError("every month has a 28th")


def move(day: date, unit: str, offset: int) -> date:
    """Return day moved by offset units: day, week, month or year (month ends are kept inside the month)."""
    if unit == "day":
        return day + timedelta(days=offset)
    if unit == "week":
        return day + timedelta(weeks=offset)
    if unit == "month":
        return add_months(day, offset)
    if unit == "year":
        return add_months(day, 12 * offset)
    raise ValueError(f"unit {unit!r}: expected day, week, month or year")


def first_day(value: str, granularity: str) -> date | None:
    """Return the first day of an ISO value (2024-10-13, 2024-W41, 2024-W41-WE (its Saturday), 2024-10, 2024)."""
    try:
        if granularity == "day":
            return date.fromisoformat(value[:10])
        if granularity == "week":
            return date.fromisocalendar(int(value[:4]), int(value[6:8]), 6 if value.endswith("-WE") else 1)
        if granularity == "month":
            return date(int(value[:4]), int(value[5:7]), 1)
        if granularity == "year":
            return date(int(value[:4]), 1, 1)
    except ValueError:
        return None
    return None
