"""Publication dates inferred from datelines, date lines and leads."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from streams.timing import Clock, infer_published

JAKARTA = ZoneInfo("Asia/Jakarta")
UTC = ZoneInfo("UTC")


def fixed(moment: datetime) -> Clock:
    return moment.timestamp


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
    clock = fixed(datetime(2025, 10, 22, tzinfo=UTC))
    published = infer_published(["Polisi menangkapnya Senin (20/10)."], language="id", zone=JAKARTA, clock=clock)
    assert published is not None and published.date().isoformat() == "2025-10-20"


def test_dates_after_the_clock_are_not_publication_dates() -> None:
    clock = fixed(datetime(2024, 1, 1, tzinfo=UTC))
    assert infer_published(["Sidang digelar Senin (20/10/2025)."], language="id", zone=JAKARTA, clock=clock) is None


def _doc(text: str, ingested_at: str) -> dict[str, object]:
    return {"id": "a1", "language": "id", "source": "kompas.com", "ingested_at": ingested_at, "stage_times": {},
            "paragraphs": [{"index": 0, "text": text, "duplicate": None}], "events": []}


def test_the_pipeline_guards_against_future_dates_as_of_when_the_record_arrived() -> None:
    from streams.pipeline import time_stage

    text = "Sidang lanjutan digelar Senin (20/10/2025)."
    # Arrived before that Monday: a schedule, not the publication date; the ingest time stands in.
    early, _ = time_stage(_doc(text, "2024-01-01T03:00:00+00:00"), clock=lambda: 0.0)
    assert (early["published_at"], early["published_at_source"]) == ("2024-01-01T10:00:00+07:00", "ingest")
    # Arrived after it: the lead's date is the publication date, whatever the wall clock says.
    late, _ = time_stage(_doc(text, "2025-10-21T03:00:00+00:00"), clock=lambda: 0.0)
    assert (late["published_at"], late["published_at_source"]) == ("2025-10-20T00:00:00+07:00", "text")
