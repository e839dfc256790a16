"""Values the tagging core returns: entities, actors, places, events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "CAMEO_ROOTS",
    "EVENT_TYPES",
    "Actor",
    "Entity",
    "EntityType",
    "Event",
    "Modality",
    "Place",
    "TagResult",
]

EntityType = Literal["PERSON", "ORG", "LOCATION", "COUNTRY", "MEDIA"]
# asserted: the text states it; reported: a named speaker/source says it; denied: a denial (the REJECT
# event of "X denied doing Y" carries it, Y itself is not emitted); expected: future/planned/hoped for;
# hypothetical: under a condition ("if", "jika").
Modality = Literal["asserted", "reported", "denied", "expected", "hypothetical"]

EVENT_TYPES = (
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
)
# Default CAMEO root per PLOVER type when a lexicon row gives none (CAMEO2PLOVER-2021 crosswalk).
CAMEO_ROOTS = {
    "AGREE": "03",
    "CONSULT": "04",
    "SUPPORT": "05",
    "COOPERATE": "06",
    "AID": "07",
    "CONCEDE": "08",
    "RETREAT": "08",
    "REQUEST": "10",
    "ACCUSE": "11",
    "REJECT": "12",
    "THREATEN": "13",
    "PROTEST": "14",
    "MOBILIZE": "15",
    "SANCTION": "16",
    "COERCE": "17",
    "ASSAULT": "19",
}


@dataclass(frozen=True, slots=True)
class Entity:
    """A named mention: `text == paragraph_text[start:end]`."""

    paragraph: int
    text: str
    start: int
    end: int
    type: str
    canonical: str
    country: str | None
    role: str | None = None
    lexicon: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The enriched-article contract's entity object."""
        return {
            "paragraph": self.paragraph,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "type": self.type,
            "canonical": self.canonical,
            "country": self.country,
            "role": self.role,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        """Inverse of `to_dict`."""
        return cls(
            paragraph=data["paragraph"],
            text=data["text"],
            start=data["start"],
            end=data["end"],
            type=data["type"],
            canonical=data["canonical"],
            country=data.get("country"),
            role=data.get("role"),
        )


@dataclass(frozen=True, slots=True)
class Actor:
    """A source or target of an event, normalized (country ISO3 when known)."""

    text: str
    canonical: str
    type: str  # COUNTRY | PERSON | ORG | GROUP
    country: str | None
    role: str | None = None
    span: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form; ``name`` (the canonical name) is the event contract's field."""
        return {
            "name": self.canonical,
            "text": self.text,
            "canonical": self.canonical,
            "type": self.type,
            "country": self.country,
            "role": self.role,
            "span": list(self.span) if self.span else None,
        }


@dataclass(frozen=True, slots=True)
class Place:
    """Where an event happened."""

    name: str
    country: str | None
    text: str
    span: tuple[int, int]
    # Where the gazetteer puts it (streams.geo); None when the name is unknown and no country is known either.
    lat: float | None = None
    lon: float | None = None
    gazetteer_id: str | None = None
    precision: str | None = None  # place | region (shown at its seat) | country

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form; the point and gazetteer id only when the place was resolved."""
        out: dict[str, Any] = {"name": self.name, "country": self.country, "text": self.text, "span": list(self.span)}
        if self.gazetteer_id is not None:
            out.update(lat=self.lat, lon=self.lon, gazetteer_id=self.gazetteer_id, precision=self.precision)
        return out


@dataclass(frozen=True, slots=True)
class Event:
    """A typed political event with provenance; `to_dict` gives the contract's event fields."""

    id: str
    type: str
    mode: str | None
    cameo_root: str
    paragraph: int
    sentence: str
    sentence_span: tuple[int, int]
    trigger: str
    trigger_span: tuple[int, int]
    actors: list[Actor]
    recipients: list[Actor]
    location: Place | None
    reported_by: str | None
    modality: str
    confidence: float
    lexicon: str
    # For a denial (REJECT, cameo 01): the PLOVER type of the act that was denied, when the text names it.
    denied_type: str | None = None
    tagger: str = "rules"
    # Symmetric acts ("X and Y agreed", "an alliance between X and Y"): actors hold the first side,
    # recipients the second, and the act goes both ways.
    mutual: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The enriched-article contract's event object (timing adds `time`)."""
        return {
            "id": self.id,
            "type": self.type,
            "mode": self.mode,
            "cameo_root": self.cameo_root,
            "paragraph": self.paragraph,
            "sentence": self.sentence,
            "sentence_span": list(self.sentence_span),
            "trigger": self.trigger,
            "trigger_span": list(self.trigger_span),
            "actors": [a.to_dict() for a in self.actors],
            "recipients": [a.to_dict() for a in self.recipients],
            "location": self.location.to_dict() if self.location else None,
            "reported_by": self.reported_by,
            "modality": self.modality,
            "confidence": self.confidence,
            "lexicon": self.lexicon,
            "denied_type": self.denied_type,
            "tagger": self.tagger,
            "mutual": self.mutual,
        }


@dataclass(frozen=True, slots=True)
class TagResult:
    """Everything one tagger found in one article."""

    entities: list[Entity]
    events: list[Event]

    def to_dict(self) -> dict[str, Any]:
        """`{"entities": [...], "events": [...]}`."""
        return {"entities": [e.to_dict() for e in self.entities], "events": [e.to_dict() for e in self.events]}
