"""Time zones: per-source defaults and the abbreviations news text uses (WIB, ET, GMT+7)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from functools import cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from streams.timing.lexicon import load

__all__ = ["format_offset", "parse_zone", "zone_for_source"]

_OFFSET = re.compile(r"^([+-])\s*(\d{1,2})(?::?(\d{2}))?$")
_ZONE_SUFFIX = re.compile(r"^([A-Za-z]+)\s*(?:([+-])\s*(\d{1,2})(?::?(\d{2}))?)?$")


@cache
def _zones() -> dict[str, dict[str, str]]:
    data = load("zones.toml")
    return {key: {str(k): str(v) for k, v in table.items()} for key, table in data.items()}


def _fixed(sign: str, hours: str, minutes: str | None) -> timezone:
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    return timezone(-delta if sign == "-" else delta)


def _named(value: str) -> tzinfo:
    match = _OFFSET.match(value)
    if match:
        return _fixed(match.group(1), match.group(2), match.group(3))
    return ZoneInfo(value)


def zone_for_source(source: str | None, language: str | None) -> ZoneInfo:
    """Return the zone an outlet writes in: by domain, else by language (id → Asia/Jakarta), else UTC."""
    zones = _zones()
    if source:
        host = urlsplit(source if "//" in source else f"//{source}").hostname or source
        host = host.lower().removeprefix("www.")
        # "news.detik.com" and "regional.kompas.com" inherit their parent domain's zone.
        parts = host.split(".")
        for i in range(len(parts) - 1):
            name = zones["sources"].get(".".join(parts[i:]))
            if name:
                return ZoneInfo(name)
    if language:
        name = zones["languages"].get(language.lower().split("-")[0])
        if name:
            return ZoneInfo(name)
    return ZoneInfo("UTC")


def parse_zone(text: str) -> tzinfo | None:
    """Return the zone of an abbreviation as written ("WIB", "ET", "GMT+7", "UTC+07:00"), else None."""
    match = _ZONE_SUFFIX.match(text.strip())
    if not match:
        return None
    abbr, sign, hours, minutes = match.groups()
    if sign:
        return _fixed(sign, hours, minutes)
    name = _zones()["abbreviations"].get(abbr)
    return _named(name) if name else None


def format_offset(zone: tzinfo, moment: datetime) -> str:
    """Return the "+07:00" offset of zone at a naive local moment (daylight saving included)."""
    offset = moment.replace(tzinfo=zone).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{mins:02d}"
