"""Which expression governs an event."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from streams.timing import EventTime, event_time, extract

JAKARTA = ZoneInfo("Asia/Jakarta")
PUBLISHED = datetime(2024, 10, 13, tzinfo=JAKARTA)
KIM = (
    "Kim pada Selasa (8/10/2024) mengatakan enam perwira tewas dalam serangan di dekat Donetsk pada Kamis (3/10/2024)."
)


def _when(paragraphs: list[str], paragraph: int, trigger: str) -> EventTime | None:
    found = extract(paragraphs, published=PUBLISHED, language="id", zone=JAKARTA)
    text = paragraphs[paragraph]
    start = text.index(trigger)
    end_of_sentence = text.find(". ", start)
    sentence = (text.rfind(". ", 0, start) + 1, len(text) if end_of_sentence < 0 else end_of_sentence + 1)
    return event_time(
        found, paragraph=paragraph, sentence=sentence, trigger=(start, start + len(trigger)), published=PUBLISHED
    )


def test_nearest_expression_in_the_sentence_wins() -> None:
    text = KIM
    when = _when([text], 0, "serangan")
    assert when == EventTime("2024-10-03", "day", "Kamis (3/10/2024)", False)


def test_reporting_verb_takes_the_date_next_to_it() -> None:
    text = KIM
    when = _when([text], 0, "mengatakan")
    assert when is not None and when.value == "2024-10-08"


def test_paragraph_expression_when_the_sentence_has_none() -> None:
    text = "Pekan lalu rapat digelar. Para menteri menolak usulan itu."
    when = _when([text], 0, "menolak")
    assert when == EventTime("2024-W40", "week", "Pekan lalu", False)


def test_publication_date_is_the_fallback() -> None:
    when = _when(["Para menteri menolak usulan itu."], 0, "menolak")
    assert when == EventTime("2024-10-13", "day", None, True)


def test_no_publication_and_no_expression() -> None:
    assert event_time([], paragraph=0, sentence=(0, 10), trigger=(0, 3), published=None) is None


def test_fallback_is_the_publication_day_in_the_source_zone() -> None:
    # 20:00 UTC on the 12th is 03:00 on the 13th in Jakarta, the day extract resolves "hari ini" to.
    published = datetime(2024, 10, 12, 20, 0, tzinfo=ZoneInfo("UTC"))
    when = event_time([], paragraph=0, sentence=(0, 5), trigger=(0, 3), published=published, zone=JAKARTA)
    assert when == EventTime("2024-10-13", "day", None, True)
    found = extract(["Hari ini rapat digelar."], published=published, language="id", zone=JAKARTA)
    assert [e.value for e in found] == ["2024-10-13"]
