"""Chooses the time expression that governs an event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from streams.timing.extract import anchor_date
from streams.timing.model import EventTime, TimeExpression

__all__ = ["event_time"]

# Time adjuncts follow the event they date in both languages ("tewas dalam serangan ... pada Kamis",
# "killed in a strike on Thursday"), so an expression after the trigger counts as this much closer.
_AFTER_BIAS = 0.6
_CONCRETE = frozenset({"date", "time"})


def event_time(
    expressions: Sequence[TimeExpression],
    *,
    paragraph: int,
    sentence: tuple[int, int],
    trigger: tuple[int, int],
    published: datetime | None,
    zone: tzinfo | None = None,
) -> EventTime | None:
    """Return the event's time: nearest expression in its sentence, then its paragraph, then publication.

    Anaphoric expressions ("Sehari kemudian") count like any other: extract has dated them from the story. The
    fallback is the publication day as seen in zone, the day extract resolved "hari ini" to (published's own date
    without zone).
    """
    usable = [e for e in expressions if e.paragraph == paragraph and e.kind in _CONCRETE and e.value and e.granularity]
    in_sentence = [e for e in usable if e.start >= sentence[0] and e.end <= sentence[1]]
    for pool, origin in ((in_sentence, trigger), (usable, sentence)):
        if pool:
            best = min(pool, key=lambda e: _distance(e, origin))
            assert best.value is not None and best.granularity is not None
            return EventTime(best.value, best.granularity, best.text, False)
    if published is None:
        return None
    day = anchor_date(published, zone) if zone is not None else published.date()
    assert day is not None
    return EventTime(day.isoformat(), "day", None, True)


def _distance(expr: TimeExpression, span: tuple[int, int]) -> float:
    if expr.start >= span[1]:
        return (expr.start - span[1]) * _AFTER_BIAS
    if expr.end <= span[0]:
        return float(span[0] - expr.end)
    return 0.0
