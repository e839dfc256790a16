"""Values the timing core hands out: time expressions, event times and the clock it reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = ["Clock", "EventTime", "Granularity", "Kind", "TimeExpression"]

Granularity = Literal["year", "month", "week", "day", "hour", "minute"]
Kind = Literal["date", "time", "duration", "set"]


# The one clock of Warta's cores and stages: seconds since the epoch, injected (tests pass a fixed one; the
# pipeline passes the record's ingest time, so a replay decides as the first pass did).
Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class TimeExpression:
    """One temporal expression found in a paragraph, with its resolved ISO 8601 value."""

    paragraph: int
    text: str
    start: int
    end: int
    # ISO 8601: 2024-10-13 | 2024-10 | 2024 | 2024-W41 | 2024-W41-WE | 2024-10-13T07:30+07:00 | P2Y;
    # None when flagged or when nothing concrete can be said ("beberapa hari lalu").
    value: str | None
    granularity: Granularity | None
    kind: Kind
    relative: bool
    flags: tuple[str, ...] = ()
    # Anaphoric expressions only (flag "anaphoric": "Sebulan kemudian", "hari itu", "the next day"): the value of
    # the date they were counted from, the story's last date before them or else the publication day (flag
    # "anchor_published"), and the distance counted ("P1M"; None for "hari itu"). None on every other expression.
    anchor: str | None = None
    duration: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form (flags as a list; anchor and duration only when set)."""
        # Written out rather than dataclasses.asdict, which deep-copies field by field (a fifth of the time
        # stage went there).
        out = {
            "paragraph": self.paragraph,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "value": self.value,
            "granularity": self.granularity,
            "kind": self.kind,
            "relative": self.relative,
            "flags": list(self.flags),
        }
        if self.anchor is not None:
            out["anchor"] = self.anchor
        if self.duration is not None:
            out["duration"] = self.duration
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TimeExpression:
        """Build from the dict that to_dict() returns."""
        return cls(**{**data, "flags": tuple(data.get("flags", ()))})


@dataclass(frozen=True, slots=True)
class EventTime:
    """When an event happened: the expression that governs it, or the publication date as fallback."""

    value: str
    granularity: str
    text: str | None
    fallback: bool  # True: no expression governs the event, the publication date is used

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form."""
        return asdict(self)
