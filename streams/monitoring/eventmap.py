"""The dashboard's map: the last hour's events that have coordinates, one point per place and type, bounded."""

from __future__ import annotations

import math
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any

__all__ = ["HORIZON_S", "MAX_POINTS", "EventMap", "place_key"]

HORIZON_S = 3600.0
MAX_POINTS = 2000  # (place, type) pairs; each holds at most horizon / bucket counters, so memory is bounded
BUCKET_S = 60.0  # counts are kept per minute of record time: expiry is to the minute, memory stays constant
SEEN_IDS = 8 * MAX_POINTS  # event ids remembered to count a redelivered event (at-least-once) once


def _coordinate(value: Any, limit: float) -> float | None:
    # bool is an int to Python; a NaN or an out-of-range value would draw outside the map.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value) if -limit <= value <= limit else None


def place_key(location: dict[str, Any]) -> str | None:
    """The map point a location falls on: its gazetteer id, else its coordinates rounded to 0.01 degree
    (about a kilometre); None without valid coordinates."""
    lat, lon = _coordinate(location.get("lat"), 90.0), _coordinate(location.get("lon"), 180.0)
    if lat is None or lon is None:
        return None
    gazetteer_id = location.get("gazetteer_id")
    if isinstance(gazetteer_id, str) and gazetteer_id:
        return gazetteer_id
    return f"{lat:.2f},{lon:.2f}"


@dataclass(slots=True)
class _Point:
    type: str
    place: str | None
    country: str | None
    lat: float
    lon: float
    gazetteer_id: str | None
    precision: str | None
    last_ms: int = 0
    time: str | None = None
    minutes: Counter[int] = field(default_factory=Counter)  # record-time minute -> events


class EventMap:
    """Events with coordinates by record time: counts per (place, type) over the last `horizon_s` seconds,
    at most `max_points` pairs (the least recently seen go first), each event id counted once."""

    def __init__(self, *, horizon_s: float = HORIZON_S, max_points: int = MAX_POINTS,
                 bucket_s: float = BUCKET_S, seen_ids: int = SEEN_IDS) -> None:
        self.horizon_s = horizon_s
        self.max_points = max_points
        self.bucket_s = bucket_s
        self.seen_ids = seen_ids
        self._points: dict[tuple[str, str], _Point] = {}
        self._ids: OrderedDict[str, None] = OrderedDict()
        self._unplaced: Counter[int] = Counter()  # minute -> events without coordinates, for the caption

    def __len__(self) -> int:
        return len(self._points)

    def _minute(self, ms: float) -> int:
        return int(ms / 1000.0 // self.bucket_s)

    def add(self, event: dict[str, Any], record_ms: int) -> bool:
        """Take one record of the `events` topic; True if it was put on the map."""
        event_id = event.get("id")
        if isinstance(event_id, str):
            if event_id in self._ids:
                return False
            self._ids[event_id] = None
            if len(self._ids) > self.seen_ids:
                self._ids.popitem(last=False)
        location = event.get("location") or {}
        key = place_key(location) if isinstance(location, dict) else None
        if key is None:
            self._unplaced[self._minute(record_ms)] += 1
            return False
        event_type = str(event.get("type") or "?")
        point = self._points.get((key, event_type))
        if point is None:
            point = self._points[(key, event_type)] = _Point(
                type=event_type, place=location.get("name"), country=location.get("country"),
                lat=float(location["lat"]), lon=float(location["lon"]),
                gazetteer_id=location.get("gazetteer_id"), precision=location.get("precision"))
        point.minutes[self._minute(record_ms)] += 1
        point.last_ms = max(point.last_ms, record_ms)
        when = (event.get("time") or {}).get("value") or event.get("published_at")
        # ISO 8601 dates and times of one zone sort as text; a coarser value ('2024-10') sorts before its days.
        if isinstance(when, str) and (point.time is None or when > point.time):
            point.time = when
        if len(self._points) > self.max_points:
            self._evict()
        return True

    def _evict(self) -> None:
        # In batches of a tenth, so a flood of new places sorts once per batch rather than once per record.
        keep = self.max_points - max(1, self.max_points // 10)
        newest = sorted(self._points.items(), key=lambda kv: kv[1].last_ms, reverse=True)[:keep]
        self._points = dict(newest)

    def expire(self, now: float) -> None:
        """Keep the current minute and the 59 before it (as the windows of the cluster view do): drop older
        minutes, and the points left with none."""
        oldest = self._minute(now * 1000.0) - int(self.horizon_s // self.bucket_s)
        for key, point in list(self._points.items()):
            for minute in [m for m in point.minutes if m <= oldest]:
                del point.minutes[minute]
            if not point.minutes:
                del self._points[key]
        for minute in [m for m in self._unplaced if m <= oldest]:
            del self._unplaced[minute]

    def state(self, now: float) -> dict[str, Any]:
        """What the page draws: the points (largest count first, so smaller circles are drawn over larger
        ones), how many events they hold and how many had no coordinates."""
        self.expire(now)
        counted = sorted(((sum(p.minutes.values()), p) for p in self._points.values()),
                         key=lambda cp: (-cp[0], -cp[1].last_ms, cp[1].type))
        points = [
            {"type": p.type, "count": n, "place": p.place, "country": p.country, "lat": p.lat, "lon": p.lon,
             "gazetteer_id": p.gazetteer_id, "precision": p.precision, "time": p.time, "seen_at": p.last_ms / 1000.0}
            for n, p in counted
        ]
        return {"horizon_s": self.horizon_s, "points": points, "placed": sum(n for n, _p in counted),
                "unplaced": sum(self._unplaced.values())}
