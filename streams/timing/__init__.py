"""Timing core: temporal expressions, publication dates, time zones and event times (no faust, no kafka)."""

from __future__ import annotations

from streams.timing.anchor import event_time
from streams.timing.extract import extract
from streams.timing.model import Clock, EventTime, TimeExpression
from streams.timing.published import infer_published
from streams.timing.zones import zone_for_source

__all__ = [
    "Clock",
    "EventTime",
    "TimeExpression",
    "event_time",
    "extract",
    "infer_published",
    "zone_for_source",
]
