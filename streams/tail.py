"""What `warta tail` shows a person at a terminal: which events and articles pass its filters, and table rows."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from streams.errors import ConfigError
from streams.schemas import load_schema

__all__ = ["COLUMNS", "EventFilter", "event_rows", "event_types", "modalities", "parse_choice", "parse_country",
           "parse_since", "split_values"]

EVENT = "warta.event/v1"
# The table's columns and their widths (None: the rest of the line); fixed, so rows printed one by one line up.
COLUMNS: tuple[tuple[str, int | None], ...] = (
    ("type", 9), ("actors → recipients", 22), ("place", 18), ("event time", 16), ("source", None),
)
_AGO = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _event_enum(field: str) -> list[str]:
    return list(load_schema("event.v1")["$defs"]["event"]["properties"][field]["enum"])


def event_types() -> list[str]:
    """The PLOVER types an event may have (schemas/event.v1.json)."""
    return _event_enum("type")


def modalities() -> list[str]:
    """The modalities an event may have (schemas/event.v1.json)."""
    return _event_enum("modality")


def split_values(values: Iterable[str] | None) -> list[str]:
    """Repeated options and comma lists as one list: ["ASSAULT,COERCE", "AID"] -> ["ASSAULT", "COERCE", "AID"]."""
    return [v.strip() for value in values or () for v in value.split(",") if v.strip()]


def parse_choice(values: Iterable[str] | None, choices: Sequence[str], option: str, upper: bool) -> frozenset[str]:
    """Values that must be among `choices` (case-insensitive); a ConfigError names the choices otherwise."""
    got = [v.upper() if upper else v.lower() for v in split_values(values)]
    bad = sorted(set(got) - set(choices))
    if bad:
        raise ConfigError(f"{option} {', '.join(bad)}: choose from {', '.join(choices)}")
    return frozenset(got)


def parse_country(text: str) -> str:
    """An ISO 3166 country as alpha-3 (what events carry): `PRK`, or alpha-2 `KP`, in any case."""
    import pycountry

    code = text.strip().upper()
    found = None
    if re.fullmatch(r"[A-Z]{3}", code):
        found = pycountry.countries.get(alpha_3=code)
    elif re.fullmatch(r"[A-Z]{2}", code):
        found = pycountry.countries.get(alpha_2=code)
    if found is None:
        raise ConfigError(f"--country {text!r}: expected an ISO 3166 code such as PRK or KP")
    return str(found.alpha_3)


def parse_since(text: str, now: datetime) -> datetime:
    """`30m`, `1h`, `2d` (s, m, h, d, w) before `now`, or an ISO 8601 date-time (without a zone: local time)."""
    m = _AGO.match(text)
    if m:
        return now - timedelta(**{_UNITS[m.group(2)]: float(m.group(1))})
    from streams.ops import parse_when

    try:
        return parse_when(text, "--since")
    except ConfigError:
        raise ConfigError(f"--since {text!r}: expected an age such as 30m, 1h or 2d, or an ISO 8601 date-time "
                          "such as 2024-10-13T00:00+07:00") from None


@dataclass(frozen=True, slots=True)
class EventFilter:
    """What a person asked to see; an empty set does not filter."""

    types: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()  # actor's, recipient's or location's
    languages: frozenset[str] = frozenset()
    modalities: frozenset[str] = frozenset()

    @property
    def on_events(self) -> bool:
        """Whether any filter looks inside events (all but the language, which is the article's)."""
        return bool(self.types or self.countries or self.modalities)

    def event_passes(self, ev: Mapping[str, Any]) -> bool:
        """An event (a record of `events` or one in an article) of a chosen type, country and modality."""
        if self.types and ev.get("type") not in self.types:
            return False
        if self.modalities and ev.get("modality") not in self.modalities:
            return False
        if self.countries:
            places = [*(ev.get("actors") or ()), *(ev.get("recipients") or ()), ev.get("location") or {}]
            if not any(isinstance(p, Mapping) and p.get("country") in self.countries for p in places):
                return False
        return True

    def events_of(self, value: Any) -> list[Mapping[str, Any]]:
        """The events of a record that pass: itself for an event record, the passing events of an article."""
        if not isinstance(value, Mapping):
            return []
        if value.get("schema") == EVENT:
            return [value] if self.event_passes(value) else []
        return [ev for ev in value.get("events") or () if isinstance(ev, Mapping) and self.event_passes(ev)]

    def passes(self, value: Any) -> bool:
        """An event record that passes, or an article in a chosen language with (if filters look inside events)
        at least one event that passes; anything else only when nothing is filtered."""
        if not (self.on_events or self.languages):
            return True
        if not isinstance(value, Mapping):
            return False
        if self.languages and value.get("language") not in self.languages:
            return False
        return not self.on_events or bool(self.events_of(value))


def _who(actors: Sequence[Mapping[str, Any]] | None) -> str:
    return ", ".join(str(a.get("country") or a.get("name") or "?") for a in actors or ()) or "-"


def _place(location: Mapping[str, Any] | None) -> str:
    if not location:
        return "-"
    name, country = location.get("name"), location.get("country")
    return ", ".join(str(x) for x in (name, country) if x) or "-"


def event_rows(value: Any, flt: EventFilter) -> list[tuple[str, ...]]:
    """Table rows (COLUMNS) of a record: one per passing event; an article without one gets a row of its own."""
    if not isinstance(value, Mapping):
        return []
    source = str(value.get("source") or value.get("url") or "-")
    article = str(value.get("article_id") or value.get("id") or "")
    rows: list[tuple[str, ...]] = [
        (str(ev.get("type")), f"{_who(ev.get('actors'))} → {_who(ev.get('recipients'))}", _place(ev.get("location")),
         str((ev.get("time") or {}).get("value") or "-"), f"{source} · {article}")
        for ev in flt.events_of(value)
    ]
    if not rows and value.get("schema") != EVENT and "events" in value:
        rows.append(("-", "(no event)", "-", "-", f"{source} · {article}"))
    return rows
