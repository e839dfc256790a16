"""The seed article's timestamps, as the acceptance table lists them."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from streams.timing import event_time, extract, infer_published, zone_for_source

SEED = (Path(__file__).parents[1] / "data" / "timing" / "seed_000.txt").read_text(encoding="utf-8").split("\n")
JAKARTA = ZoneInfo("Asia/Jakarta")
# The caller decides the publication date (`extract` no longer infers it): here, as the pipeline does, from the lead.
PUBLISHED = infer_published(SEED, language="id", zone=JAKARTA)


def test_published_is_inferred_from_the_lead() -> None:
    published = infer_published(SEED, language="id", zone=zone_for_source("tribunnews.com", "id"))
    assert published is not None
    assert published.isoformat() == "2024-10-13T00:00:00+07:00"


@pytest.mark.parametrize(
    ("paragraph", "text", "value", "granularity"),
    [
        (0, "Minggu (13/10/2024)", "2024-10-13", "day"),
        (9, "Awal bulan ini", "2024-10", "month"),
        (10, "hari Selasa (8/10/2024)", "2024-10-08", "day"),
        (10, "Kamis (3/10/2024)", "2024-10-03", "day"),
    ],
)
def test_seed_expressions(paragraph: int, text: str, value: str, granularity: str) -> None:
    found = extract(SEED, published=PUBLISHED, language="id", zone=JAKARTA, skip={11})
    match = [e for e in found if e.paragraph == paragraph and e.text == text]
    assert len(match) == 1
    assert (match[0].value, match[0].granularity) == (value, granularity)
    assert SEED[paragraph][match[0].start : match[0].end] == text


def test_seed_has_exactly_the_four_expressions_and_nothing_from_skipped_p12() -> None:
    found = extract(SEED, published=PUBLISHED, language="id", zone=JAKARTA, skip={11})
    assert [(e.paragraph, e.value) for e in found] == [
        (0, "2024-10-13"),
        (9, "2024-10"),
        (10, "2024-10-08"),
        (10, "2024-10-03"),
    ]


def test_missile_strike_gets_the_date_next_to_its_trigger() -> None:
    published = infer_published(SEED, language="id", zone=JAKARTA)
    found = extract(SEED, published=published, language="id", zone=JAKARTA, skip={11})
    text = SEED[10]
    start = text.index("serangan")
    when = event_time(found, paragraph=10, sentence=(0, len(text)), trigger=(start, start + 8), published=published)
    assert when is not None
    assert (when.value, when.granularity, when.text, when.fallback) == ("2024-10-03", "day", "Kamis (3/10/2024)", False)


def test_event_without_expression_falls_back_to_publication_day() -> None:
    published = infer_published(SEED, language="id", zone=JAKARTA)
    found = extract(SEED, published=published, language="id", zone=JAKARTA, skip={11})
    when = event_time(found, paragraph=8, sentence=(0, len(SEED[8])), trigger=(0, 5), published=published)
    assert when is not None
    assert (when.value, when.granularity, when.text, when.fallback) == ("2024-10-13", "day", None, True)
