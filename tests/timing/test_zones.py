"""Per-source default zones and zone abbreviations."""

from __future__ import annotations

from datetime import datetime

import pytest

from streams.timing.zones import format_offset, parse_zone, zone_for_source


@pytest.mark.parametrize(
    ("source", "language", "zone"),
    [
        ("tribunnews.com", None, "Asia/Jakarta"),
        ("https://www.kompas.com/read/2024/10/13/x", "en", "Asia/Jakarta"),
        ("news.detik.com", None, "Asia/Jakarta"),
        (None, "id", "Asia/Jakarta"),
        (None, "en", "UTC"),
        ("unknown.example", "id", "Asia/Jakarta"),
        (None, None, "UTC"),
    ],
)
def test_zone_for_source(source: str | None, language: str | None, zone: str) -> None:
    assert zone_for_source(source, language).key == zone


@pytest.mark.parametrize(
    ("text", "moment", "offset"),
    [
        ("WIB", datetime(2024, 10, 13, 7, 30), "+07:00"),
        ("WITA", datetime(2024, 10, 13), "+08:00"),
        ("WIT", datetime(2024, 10, 13), "+09:00"),
        ("ET", datetime(2024, 7, 1, 19), "-04:00"),
        ("ET", datetime(2024, 1, 15, 19), "-05:00"),
        ("EST", datetime(2024, 7, 1), "-05:00"),
        ("GMT", datetime(2024, 7, 1), "+00:00"),
        ("UTC+7", datetime(2024, 7, 1), "+07:00"),
        ("GMT-03:30", datetime(2024, 7, 1), "-03:30"),
    ],
)
def test_abbreviations(text: str, moment: datetime, offset: str) -> None:
    zone = parse_zone(text)
    assert zone is not None
    assert format_offset(zone, moment) == offset


def test_unknown_abbreviation() -> None:
    assert parse_zone("XYZ") is None
