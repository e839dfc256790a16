"""Publication dates inferred from datelines, date lines and leads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from streams.timing import infer_published

JAKARTA = ZoneInfo("Asia/Jakarta")
UTC = ZoneInfo("UTC")


@dataclass(frozen=True, slots=True)
class FixedClock:
    moment: datetime

    def now(self) -> datetime:
        return self.moment


@pytest.mark.parametrize(
    ("paragraphs", "language", "expected"),
    [
        (["JAKARTA - Polisi menangkap pelaku, Minggu (13/10/2024).", "Kemarin ia kabur."], "id", "2024-10-13"),
        (["Lindsay Lohan checks into Betty Ford Center", "May 03, 2013", "After skipping ..."], "en", "2013-05-03"),
        (["WASHINGTON, Oct. 13, 2024 (Reuters) - Talks resumed on Monday."], "en", "2024-10-13"),
        (["Kemarin polisi menangkap pelaku.", "Ia kabur bulan lalu."], "id", None),
        (["He escaped on March 11, 2005, from the courthouse in Atlanta and was caught later."], "en", None),
    ],
)
def test_infer_published(paragraphs: list[str], language: str, expected: str | None) -> None:
    zone = JAKARTA if language == "id" else UTC
    published = infer_published(paragraphs, language=language, zone=zone)
    assert (published.date().isoformat() if published else None) == expected
    if published is not None:
        assert published.tzinfo is zone


def test_day_name_without_year_uses_the_clock() -> None:
    clock = FixedClock(datetime(2025, 10, 22, tzinfo=UTC))
    published = infer_published(["Polisi menangkapnya Senin (20/10)."], language="id", zone=JAKARTA, clock=clock)
    assert published is not None and published.date().isoformat() == "2025-10-20"


def test_dates_after_the_clock_are_not_publication_dates() -> None:
    clock = FixedClock(datetime(2024, 1, 1, tzinfo=UTC))
    assert infer_published(["Sidang digelar Senin (20/10/2025)."], language="id", zone=JAKARTA, clock=clock) is None
