"""Blocking keys: type × anchor (country or named participant) × day, so candidates are found without a scan."""

from __future__ import annotations

from datetime import UTC, datetime

from streams.stories.features import EventView

__all__ = ["key_days", "probe_keys", "write_keys"]

# Windows wider than this many days (a month, a year) would write a key per day; such an event is keyed by
# the day it was published instead, which is when its story is being reported.
_MAX_KEYED_DAYS = 3


def key_days(view: EventView) -> range:
    """The days an event is keyed under: its event time's days, or its publication day if that is too wide."""
    first, last = view.window
    if last - first + 1 > _MAX_KEYED_DAYS:
        day = datetime.fromtimestamp(view.seen, UTC).date().toordinal()
        return range(day, day + 1)
    return range(first, last + 1)


def write_keys(view: EventView) -> list[str]:
    """The keys under which a story holding this event can be found."""
    days = key_days(view)
    return [f"{view.type}|{anchor}|{day}" for anchor in view.anchors for day in days]


def probe_keys(view: EventView, types: tuple[str, ...], tolerance: int) -> list[str]:
    """The keys to look up for candidate stories: every compatible type, each anchor, each day ± tolerance."""
    days = key_days(view)
    wide = range(days.start - tolerance, days.stop + tolerance)
    return [f"{t}|{anchor}|{day}" for t in types for anchor in view.anchors for day in wide]
