"""A story's state (plain data a table can hold) and its `stories` record (schemas/story.v1.json)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from streams.stories.features import EventView, PlaceView

__all__ = ["STORY", "Story", "add_event", "open_story", "story_id_for"]

# The fields of PlaceView in order: a place is stored as a list of them.
_PLACE_FIELDS = ("name", "country", "gazetteer_id", "lat", "lon", "precision")

STORY = "warta.story/v1"
# A story keeps this many actors and places: enough to show and to match, bounded however long it runs.
_MAX_LISTED = 12


def story_id_for(first_event_id: str) -> str:
    """The story's id: its first event's id, so a replay of the same events opens the same stories."""
    return f"story-{first_event_id}"


@dataclass(slots=True)
class Story:
    """One real-world happening and everything linked to it so far."""

    story_id: str
    type: str
    mentions_text: str  # the opening event's mentions, for pairing conditions on the story's side
    countries: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    places: list[PlaceView] = field(default_factory=list)
    window: tuple[int, int] = (0, 0)
    explicit: bool = False
    granularity: str = "day"
    first_seen: float = 0.0
    last_seen: float = 0.0
    actors: list[dict[str, Any]] = field(default_factory=list)
    recipients: list[dict[str, Any]] = field(default_factory=list)
    articles: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    languages: set[str] = field(default_factory=set)
    event_ids: list[str] = field(default_factory=list)
    headline: str = ""
    headline_confidence: float = -1.0
    headline_event: str = ""
    keys: set[str] = field(default_factory=set)

    def record(self) -> dict[str, Any]:
        """The `stories` topic record: the latest state of the story (warta.story/v1)."""
        place = self.places[0] if self.places else None
        country = place.country if place and place.country else next(
            (a["country"] for a in (*self.actors, *self.recipients) if a.get("country")), None)
        return {
            "schema": STORY,
            "story_id": self.story_id,
            "type": self.type,
            "actors": list(self.actors),
            "recipients": list(self.recipients),
            "place": None if place is None else _place_dict(place),
            "country": country,
            "event_time": _time_dict(self.window, self.granularity, self.explicit),
            "first_seen": _iso(self.first_seen),
            "last_seen": _iso(self.last_seen),
            "mentions": len(self.event_ids),
            "articles": len(self.articles),
            "sources": len(self.sources),
            "languages": len(self.languages),
            "language_codes": sorted(self.languages),
            "headline": self.headline,
            "headline_event_id": self.headline_event,
            "event_ids": list(self.event_ids),
        }


    def state(self) -> dict[str, Any]:
        """Everything the story knows, as JSON-ready data (a table value); `Story.from_state` reads it back."""
        return {
            "story_id": self.story_id, "type": self.type, "mentions_text": self.mentions_text,
            "countries": sorted(self.countries), "names": sorted(self.names),
            "places": [[getattr(p, f) for f in _PLACE_FIELDS] for p in self.places],
            "window": list(self.window), "explicit": self.explicit, "granularity": self.granularity,
            "first_seen": self.first_seen, "last_seen": self.last_seen,
            "actors": self.actors, "recipients": self.recipients,
            "articles": sorted(self.articles), "sources": sorted(self.sources), "languages": sorted(self.languages),
            "event_ids": self.event_ids, "headline": self.headline,
            "headline_confidence": self.headline_confidence, "headline_event": self.headline_event,
            "keys": sorted(self.keys),
        }

    @classmethod
    def from_state(cls, data: Mapping[str, Any]) -> Story:
        """The story `state()` described."""
        return cls(
            story_id=data["story_id"], type=data["type"], mentions_text=data["mentions_text"],
            countries=set(data["countries"]), names=set(data["names"]),
            places=[PlaceView(*p) for p in data["places"]],
            window=(int(data["window"][0]), int(data["window"][1])), explicit=bool(data["explicit"]),
            granularity=data["granularity"], first_seen=float(data["first_seen"]),
            last_seen=float(data["last_seen"]), actors=list(data["actors"]), recipients=list(data["recipients"]),
            articles=set(data["articles"]), sources=set(data["sources"]), languages=set(data["languages"]),
            event_ids=list(data["event_ids"]), headline=data["headline"],
            headline_confidence=float(data["headline_confidence"]), headline_event=data["headline_event"],
            keys=set(data["keys"]),
        )


def _iso(ts: float) -> str:
    """Epoch seconds as ISO 8601 (UTC)."""
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


def _place_dict(place: PlaceView) -> dict[str, Any]:
    """A place as the record shows it."""
    out: dict[str, Any] = {"name": place.name, "country": place.country}
    if place.gazetteer_id is not None:
        out.update(gazetteer_id=place.gazetteer_id, lat=place.lat, lon=place.lon, precision=place.precision)
    return out


def _time_dict(window: tuple[int, int], granularity: str, explicit: bool) -> dict[str, Any]:
    """The story's event time: its first day, the granularity it is known to, and whether the text gave it."""
    first = date.fromordinal(max(window[0], 1))
    value = {"year": f"{first:%Y}", "month": f"{first:%Y-%m}"}.get(granularity, first.isoformat())
    return {"value": value, "granularity": "day" if granularity in ("hour", "minute") else granularity,
            "fallback": not explicit}


def _add_actors(into: list[dict[str, Any]], actors: list[Mapping[str, Any]]) -> None:
    """Append actors not listed yet (by name and country), up to the cap."""
    for actor in actors:
        if len(into) >= _MAX_LISTED:
            return
        name = str(actor.get("canonical") or actor.get("name") or "")
        if not any(a["name"] == name and a["country"] == actor.get("country") for a in into):
            into.append({"name": name, "country": actor.get("country")})


def _more_precise(view: EventView, story: Story) -> bool:
    """Whether the event's time should become the story's: text beats fallback, then the narrower window."""
    if view.explicit != story.explicit:
        return view.explicit
    return view.window[1] - view.window[0] < story.window[1] - story.window[0]


def open_story(view: EventView, event: Mapping[str, Any]) -> Story:
    """A new story whose first event is `view` (`event` is its record, for the actors' names)."""
    story = Story(story_id=story_id_for(view.id), type=view.type, mentions_text=view.mentions,
                  window=view.window, explicit=view.explicit, granularity=view.granularity,
                  first_seen=view.seen, last_seen=view.seen)
    add_event(story, view, event)
    return story


def add_event(story: Story, view: EventView, event: Mapping[str, Any]) -> None:
    """Fold an event into the story: participants, places, counts, headline, time."""
    story.countries |= view.countries
    story.names |= view.names
    if view.place is not None and view.place not in story.places and len(story.places) < _MAX_LISTED:
        # A point the gazetteer resolved to a place names the story better than a country: keep it first.
        if view.place.precision == "place" and (not story.places or story.places[0].precision != "place"):
            story.places.insert(0, view.place)
        else:
            story.places.append(view.place)
    _add_actors(story.actors, event.get("actors", []))
    _add_actors(story.recipients, event.get("recipients", []))
    story.articles.add(view.article_id)
    if view.source:
        story.sources.add(view.source)
    if view.language:
        story.languages.add(view.language)
    story.event_ids.append(view.id)
    if view.confidence > story.headline_confidence:
        story.headline, story.headline_confidence, story.headline_event = view.sentence, view.confidence, view.id
    if _more_precise(view, story):
        story.window, story.explicit, story.granularity = view.window, view.explicit, view.granularity
    story.first_seen = min(story.first_seen, view.seen)
    story.last_seen = max(story.last_seen, view.seen)
