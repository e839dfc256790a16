"""Warta's output records as typed dicts: what schemas/event.v1.json and enriched-article.v1.json promise."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

__all__ = ["Actor", "ArticleEvent", "Duplicate", "EnrichedArticle", "Entity", "Event", "EventTime", "Paragraph",
           "Place"]


class Actor(TypedDict):
    """An actor or recipient: a name and its ISO 3166 alpha-3 country (None if unknown)."""

    name: str
    country: str | None


class Place(TypedDict):
    """Where an event happened; the point and gazetteer id only when the place was resolved."""

    name: str
    country: str | None
    lat: NotRequired[float]
    lon: NotRequired[float]
    gazetteer_id: NotRequired[str]
    precision: NotRequired[str]


class EventTime(TypedDict):
    """When an event happened: an ISO 8601 value at some granularity, and the text it was read from."""

    value: str
    granularity: str
    text: str | None
    fallback: NotRequired[bool]


class ArticleEvent(TypedDict):
    """An event as an enriched article lists it (schemas/event.v1.json, `$defs/event`)."""

    id: str
    type: str  # PLOVER: ASSAULT, PROTEST, …
    mode: str | None
    cameo_root: str
    paragraph: int
    sentence: str
    trigger: str
    actors: list[Actor]
    recipients: list[Actor]
    location: Place | None
    time: EventTime | None
    reported_by: str | None
    modality: str  # asserted, reported, denied, expected, hypothetical
    confidence: float


class Event(ArticleEvent):
    """A record of the `events` topic (warta.event/v1): the event with its article's id and metadata."""

    schema: str
    article_id: str
    source: NotRequired[str | None]
    language: NotRequired[str | None]
    url: NotRequired[str | None]
    published_at: NotRequired[str | None]


class Duplicate(TypedDict):
    """What a flagged paragraph repeats."""

    kind: str  # exact, near, boilerplate
    article_id: str | None
    index: int | None
    similarity: float


class Paragraph(TypedDict):
    """An input paragraph with its duplicate flag (None: new text)."""

    index: int
    text: str
    duplicate: Duplicate | None


class Entity(TypedDict):
    """A named entity found in a paragraph."""

    paragraph: int
    text: str
    start: int
    end: int
    type: str
    canonical: str
    country: str | None


class EnrichedArticle(TypedDict):
    """A record of the `enriched` topic (warta.enriched-article/v1); `timestamps` as the schema describes them."""

    schema: str
    id: str
    url: NotRequired[str | None]
    source: str | None
    language: str
    title: str | None
    published_at: str | None
    published_at_source: str
    ingested_at: str
    processed_at: str
    paragraphs: list[Paragraph]
    text: str
    timestamps: list[dict[str, Any]]
    entities: list[Entity]
    events: list[ArticleEvent]
