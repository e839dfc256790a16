"""What the story linker needs from an event record: participants, place, time window, publication time."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

__all__ = ["EventView", "PlaceView", "day_window", "view_of"]

# Named participants that identify a story across languages: the tagger gives people and organizations one
# canonical name in both. Groups ("students", "mahasiswa") are left out: their names differ by language and
# they say little about which happening it is.
_NAMED = frozenset({"PERSON", "ORG"})


@dataclass(frozen=True, slots=True)
class PlaceView:
    """A place as matching compares it: lower-case name, country, and the gazetteer point when resolved."""

    name: str
    country: str | None
    gazetteer_id: str | None
    lat: float | None
    lon: float | None
    precision: str | None  # place | region | country; None when the gazetteer did not resolve it


@dataclass(frozen=True, slots=True)
class EventView:
    """An event reduced to what decides its story; `window` is its event time as day ordinals (first, last)."""

    id: str
    type: str
    article_id: str
    source: str | None
    language: str | None
    confidence: float
    sentence: str
    countries: frozenset[str]
    names: frozenset[str]
    place: PlaceView | None
    window: tuple[int, int]
    explicit: bool  # the text gave the time (not the publication-date fallback)
    granularity: str
    seen: float  # publication time, epoch seconds: the stream's event time for expiry
    mentions: str  # recipients' names and the sentence, lower case (pairing conditions read it)
    anchors: tuple[str, ...]  # what its story is found by: countries (place's and participants') and names


# Cached: the events of one article share their publication time and mostly their event times.
@lru_cache(maxsize=4096)
def day_window(value: str, granularity: str) -> tuple[int, int]:
    """The first and last day (ordinals) a time value covers at its granularity (its local date, as written)."""
    if granularity == "year":
        year = int(value[:4])
        return date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
    if granularity == "month":
        year, month = int(value[:4]), int(value[5:7])
        return date(year, month, 1).toordinal(), date(year, month, calendar.monthrange(year, month)[1]).toordinal()
    if granularity == "week" and "W" in value:
        year, week = int(value[:4]), int(value[value.index("W") + 1:][:2])
        monday = date.fromisocalendar(year, week, 1).toordinal()
        return monday, monday + 6
    day = date.fromisoformat(value[:10]).toordinal()
    return day, day


@lru_cache(maxsize=4096)
def _epoch(published: str) -> float:
    """An ISO 8601 publication time in epoch seconds."""
    return datetime.fromisoformat(published).timestamp()


def _place(location: Mapping[str, Any] | None) -> PlaceView | None:
    """The event's location as a PlaceView (None when it has none)."""
    if not location:
        return None
    return PlaceView(
        name=str(location.get("name") or "").lower(),
        country=location.get("country"),
        gazetteer_id=location.get("gazetteer_id"),
        lat=location.get("lat"),
        lon=location.get("lon"),
        precision=location.get("precision"),
    )


def view_of(event: Mapping[str, Any]) -> EventView:
    """Read an `events` record (warta.event/v1) into an EventView."""
    countries: set[str] = set()
    names: set[str] = set()
    for actor in (*event.get("actors", ()), *event.get("recipients", ())):
        if actor.get("country"):
            countries.add(actor["country"])
        if actor.get("type") in _NAMED:
            names.add(str(actor.get("canonical") or actor["name"]).lower())
    published = event.get("published_at")
    seen = _epoch(published) if published else 0.0
    time = event.get("time")
    if time:
        window, explicit, granularity = day_window(time["value"], time["granularity"]), not time.get("fallback"), \
            time["granularity"]
    elif published:
        # No time at all: the fallback, the publication day.
        window, explicit, granularity = day_window(published, "day"), False, "day"
    else:
        window, explicit, granularity = (0, 0), False, "day"
    place = _place(event.get("location"))
    found = set(countries)
    if place is not None and place.country:
        found.add(place.country)
    found.update(f"n:{name}" for name in names)
    recipients = " ".join(str(r.get("name", "")) for r in event.get("recipients", ()))
    return EventView(
        id=event["id"],
        type=event["type"],
        article_id=event["article_id"],
        source=event.get("source"),
        language=event.get("language"),
        confidence=float(event.get("confidence", 0.0)),
        sentence=event.get("sentence", ""),
        countries=frozenset(countries),
        names=frozenset(names),
        place=place,
        window=window,
        explicit=explicit,
        granularity=granularity,
        seen=seen,
        mentions=f"{recipients} {event.get('sentence', '')}".lower(),
        anchors=tuple(sorted(found)),
    )
