"""The story's reference time: the date that anaphoric expressions ("Sebulan kemudian", "the next day") count from.

A report moves through time: "Gempa mengguncang Cianjur, Kamis (3/10/2024). Sebulan kemudian, ..." means a month
after 3 October, not after the publication date. The reference time is the last date the text gave before the
expression (earlier in the paragraph or in an earlier paragraph of the article), precise enough for the
expression's unit: a day for "dua hari kemudian" or "hari itu", a week for "sepekan kemudian", a month for
"sebulan kemudian" or "tanggal 24 kemarin", any date for "setahun kemudian" (so the "Tahun 2017" of a law's name
never dates "keesokan harinya"). An anaphoric expression is itself a date the story moves to, at its own
precision: after "Sebulan kemudian" (a month), "dua hari kemudian" is counted from it and stays a month. With no
such date before it, the expression counts from the publication day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from streams.timing.calendar_math import first_day, iso_week, make_date, move
from streams.timing.model import Granularity

__all__ = ["Anaphor", "Narrative", "Resolved"]

_LEVEL: dict[str, int] = {"minute": 0, "hour": 0, "day": 0, "week": 1, "month": 2, "year": 3}
_GRANULARITY: tuple[Granularity, ...] = ("day", "week", "month", "year")
_DAY_OF_MONTH = "day_of_month"


@dataclass(frozen=True, slots=True)
class Anaphor:
    """What an anaphoric expression says: offset units from the reference time, or a day of its month.

    unit "day_of_month": offset is the day ("tanggal 24 kemarin") and direction "past", "future" or "this".
    """

    unit: str
    offset: int
    duration: str | None = None
    direction: str | None = None


@dataclass(frozen=True, slots=True)
class Resolved:
    """An anaphor's value and granularity (None when there is no date at all), the anchor's value, extra flags."""

    value: str | None
    granularity: Granularity | None
    anchor: str | None
    flags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Reference:
    day: date  # the first day of the date, or an anaphor's counted day
    level: int  # how precise day is: 0 day, 1 week, 2 month, 3 year
    value: str  # the date as the text's expression resolved it: the anchor an anaphor reports
    anaphoric: bool
    open_period: bool  # "sejak Senin (21/10)": the story's present is still the publication day


class Narrative:
    """The dates an article has given so far, in text order; resolves anaphors against them."""

    __slots__ = ("_published", "_refs")

    def __init__(self, published: date | None) -> None:
        self._published = published
        self._refs: list[_Reference] = []

    def note(self, value: str, granularity: str, *, open_period: bool = False) -> None:
        """Record a date the text gave (a resolved DATE expression), in text order."""
        day = first_day(value, granularity)
        if day is not None:
            self._add(_Reference(day, _LEVEL[granularity], value, False, open_period))

    def resolve(self, anaphor: Anaphor) -> Resolved:
        """Date the anaphor from the reference time, then make it the reference time."""
        need = 2 if anaphor.unit == _DAY_OF_MONTH else _LEVEL[anaphor.unit]
        ref = self._pick(need)
        flags: tuple[str, ...] = ("anaphoric",)
        if ref is None:
            if self._published is None:
                return Resolved(None, None, None, ("anaphoric", "unresolved"))
            ref = _Reference(self._published, 0, self._published.isoformat(), False, False)
            flags = ("anaphoric", "anchor_published")
        if anaphor.unit == _DAY_OF_MONTH:
            day = self._day_of_month(ref, anaphor.offset, anaphor.direction)
            if day is None:
                return Resolved(None, None, ref.value, (*flags, "invalid_date"))
            level = 0
        else:
            day = move(ref.day, anaphor.unit, anaphor.offset)
            level = max(_LEVEL[anaphor.unit], ref.level)
        granularity = _GRANULARITY[level]
        value = _format(day, granularity)
        self._add(_Reference(day, level, value, True, False))
        return Resolved(value, granularity, ref.value, flags)

    def _add(self, ref: _Reference) -> None:
        # Keep only what _pick can still return: a new day or anaphor is picked before anything older; any
        # other date hides the older plain dates that are no more precise than it.
        if ref.anaphoric or ref.level == 0:
            self._refs = [ref]
        else:
            self._refs = [r for r in self._refs if r.anaphoric or r.level < ref.level]
            self._refs.append(ref)

    def _pick(self, need: int) -> _Reference | None:
        """The last date precise enough, unless an anaphor came after it: the story has moved on from that date."""
        for ref in reversed(self._refs):
            if ref.level <= need or ref.anaphoric:
                return ref
        return None

    def _day_of_month(self, ref: _Reference, day: int, direction: str | None) -> date | None:
        """Day `day` of the reference's month; of the month before (after) when that would lie after (before)
        the reference day for a past (future) expression, and never after (before) publication."""
        limit = ref.day if ref.level == 0 and not ref.open_period else None
        if self._published is not None:
            if direction == "past":
                limit = self._published if limit is None else min(limit, self._published)
            elif direction == "future":
                limit = self._published if limit is None else max(limit, self._published)
        step = -1 if direction == "past" else 1
        month = ref.day.replace(day=1)
        for _ in range(4):  # three months always hold a valid day 29-31
            chosen = make_date(month.year, month.month, day)
            fits = chosen is not None and (
                direction not in ("past", "future")
                or limit is None
                or (chosen <= limit if direction == "past" else chosen >= limit)
            )
            if fits:
                return chosen
            if direction not in ("past", "future"):
                return None  # "tanggal 31 ini" in a 30-day month
            month = move(month, "month", step)
        return None


def _format(day: date, granularity: Granularity) -> str:
    if granularity == "day":
        return day.isoformat()
    if granularity == "week":
        return iso_week(day)
    if granularity == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return f"{day.year:04d}"
