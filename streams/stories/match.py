"""Whether an event belongs to a story: types, participants, places and times that agree (issue 14, item 1)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from streams.stories.features import EventView, PlaceView
from streams.stories.pairings import Pairings
from streams.stories.story import Story

__all__ = ["MatchConfig", "place_agreement", "score", "times_agree"]


@dataclass(frozen=True, slots=True)
class MatchConfig:
    """The tolerances of matching."""

    # Reports date the same happening a day apart (time zones, "yesterday" left unsaid, late copy).
    day_tolerance: int = 1
    # Two resolved points this close are one place (a district and its city, a square and its city).
    near_km: float = 50.0


def _km(a: PlaceView, b: PlaceView) -> float:
    """Great-circle distance between two resolved points (equirectangular: exact enough under 1000 km)."""
    assert a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None
    x = math.radians(b.lon - a.lon) * math.cos(math.radians((a.lat + b.lat) / 2))
    y = math.radians(b.lat - a.lat)
    return 6371.0 * math.hypot(x, y)


def place_agreement(a: PlaceView, b: PlaceView, config: MatchConfig) -> int:
    """2: the same place; 1: compatible (one is the other's country or region); 0: different places."""
    if a.country and b.country and a.country != b.country:
        return 0
    if (a.gazetteer_id is not None and a.gazetteer_id == b.gazetteer_id) or a.name == b.name:
        # The same country named twice is compatible, not evidence of one place.
        return 1 if a.precision == "country" else 2
    if a.precision in ("country", "region") or b.precision in ("country", "region"):
        # A country or a region contains places we cannot tell apart without a hierarchy: not a conflict
        # (nor is a place whose country is unknown).
        return 1 if a.country == b.country or a.country is None or b.country is None else 0
    if a.lat is not None and b.lat is not None and a.lon is not None and b.lon is not None:
        return 2 if _km(a, b) <= config.near_km else 0
    # Unresolved names that differ: an outlet may name the district, another the city; not a conflict.
    return 1


def _best_place(place: PlaceView | None, places: Sequence[PlaceView], config: MatchConfig) -> int:
    """How well the event's place agrees with the story's: 2 same, 1 compatible or unknown, 0 conflict."""
    if place is None or not places:
        return 1
    return max(place_agreement(place, p, config) for p in places)


def times_agree(a: tuple[int, int], b: tuple[int, int], tolerance: int) -> bool:
    """Whether two day windows overlap once each is widened by `tolerance` days."""
    return a[0] <= b[1] + tolerance and b[0] <= a[1] + tolerance


def score(view: EventView, story: Story, pairings: Pairings, config: MatchConfig) -> float | None:
    """How strongly the event belongs to the story, or None when it cannot (a rule of item 1 fails)."""
    if not pairings.accepts(story.type, story.mentions_text, view.type, view.mentions):
        return None
    if not times_agree(view.window, story.window, config.day_tolerance):
        return None
    place = _best_place(view.place, story.places, config)
    if place == 0:
        return None
    countries = len(view.countries & story.countries)
    names = len(view.names & story.names)
    # Overlapping actors or recipients are required; only the same place (not a shared country) stands in
    # for them, for events whose actors the text leaves unnamed ("thousands marched to the palace").
    if not countries and not names and place < 2:
        return None
    distance = abs(view.window[0] - story.window[0])
    return countries + 2.0 * names + 2.0 * (place == 2) + (view.type == story.type) - 0.1 * distance
