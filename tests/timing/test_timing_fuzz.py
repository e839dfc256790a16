"""Property-based fuzzing of the timing core (issue 11): any text and publication time, nothing crashes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from streams.timing.extract import extract

_WORDS = st.sampled_from(
    [
        "Senin", "(13/10/2024)", "13/10", "pukul", "10.00", "WIB", "kemarin", "lalu", "kemudian", "hari", "itu",
        "awal", "bulan", "ini", "tanggal", "24", "Oktober", "2024", "last", "Tuesday", "two", "days", "ago",
        "later", "that", "day", "the", "following", "week", "31/2/2024", "29 Februari 2023", "00:61", "9999",
        "(", ")", ",", ".", "akan", "sejak", "hingga", "-", "/", "\u200b",
    ]
)
_TEXT = st.one_of(st.text(max_size=300), st.lists(st.one_of(_WORDS, st.text(max_size=8)), max_size=50).map(" ".join))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    paragraphs=st.lists(_TEXT, max_size=5),
    language=st.sampled_from(["id", "en"]),
    published=st.one_of(
        st.none(), st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))
    ),
    zone=st.sampled_from(["Asia/Jakarta", "Asia/Jayapura", "UTC", "America/New_York"]),
)
def test_any_text_gets_time_expressions_without_error(
    paragraphs: list[str], language: str, published: datetime | None, zone: str
) -> None:
    for found in extract(paragraphs, published=published, language=language, zone=ZoneInfo(zone)):
        assert paragraphs[found.paragraph][found.start : found.end] == found.text
