"""What the dashboard shows of events: their counter keys, a table row each, and the latest few."""

from __future__ import annotations

from typing import Any

from streams.monitoring.eventmap import EventMap

__all__ = ["LatestEvents", "event_keys", "event_row"]

UNKNOWN = "unknown"


def event_keys(event: dict[str, Any]) -> list[str]:
    """Counter keys of one event: the total, its PLOVER type and the country of its place."""
    place = event.get("location") or {}
    return ["events", f"events.type.{event.get('type')}", f"events.country.{place.get('country') or UNKNOWN}"]


def _actor(a: dict[str, Any]) -> str:
    name = str(a.get("name") or a.get("text") or "?")
    country = a.get("country")
    return f"{name} ({country})" if country and country != name else name


def _link(url: Any) -> str | None:
    # Only web links: the page renders it as an href, and a `javascript:` URL from a feed must not run.
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else None


def event_row(event: dict[str, Any], record_ms: int | None = None) -> dict[str, Any]:
    """One line of the latest-events table: type, actors -> recipients, place, event time, source, confidence."""
    place = event.get("location") or {}
    when = event.get("time") or {}
    return {
        "id": event.get("id"),
        "type": event.get("type"),
        "modality": event.get("modality"),
        "actors": [_actor(a) for a in event.get("actors") or []],
        "recipients": [_actor(a) for a in event.get("recipients") or []],
        "place": place.get("name"),
        "country": place.get("country"),
        "time": when.get("value") or event.get("published_at"),
        "source": event.get("source"),
        "url": _link(event.get("url")),
        "article_id": event.get("article_id"),
        "confidence": event.get("confidence"),
        "trigger": event.get("trigger"),
        "seen_at": None if record_ms is None else record_ms / 1000.0,
    }


class LatestEvents:
    """The newest events by record time, each once (a redelivered event keeps its id), at most `size`; and the
    last hour's events on the map (`map`), fed by the same records."""

    def __init__(self, size: int = 50) -> None:
        self.size = size
        self._rows: dict[str, dict[str, Any]] = {}
        self.map = EventMap()

    def add(self, event: dict[str, Any], record_ms: int) -> None:
        """Take one record of the `events` topic."""
        self.map.add(event, record_ms)
        row = event_row(event, record_ms)
        key = str(row["id"] or f"{row['article_id']}@{record_ms}")
        self._rows[key] = row
        if len(self._rows) > 2 * self.size:  # trim in batches, not per record
            newest = sorted(self._rows.items(), key=lambda kv: kv[1]["seen_at"] or 0, reverse=True)
            self._rows = dict(newest[: self.size])

    def rows(self) -> list[dict[str, Any]]:
        """Newest first."""
        return sorted(self._rows.values(), key=lambda r: r["seen_at"] or 0, reverse=True)[: self.size]
