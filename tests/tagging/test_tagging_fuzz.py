"""Property-based fuzzing of the tagging core (issue 11): any text, nothing crashes, every span is real."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streams.tagging import EVENT_TYPES, tag

# Words that steer the tagger (names, triggers, cues, quotes) mixed with arbitrary text: pure random text
# rarely reaches role assignment.
_WORDS = st.sampled_from(
    [
        "Rusia", "Ukraina", "Korea Utara", "Presiden", "Joko Widodo", "menyerang", "kata", "oleh", "akan",
        "tidak", "Senin (13/10/2024)", "\"", "“", "”", "Russia", "attacked", "said", "will", "not", "by", "police",
        "arrested", "protesters", "in", "Kyiv", "agreed", "and", "Japan", "bom", "meledak", ",", ".", "\n",
        "\u200b", "\u202e", "🙂", "ditangkap", "KPK", "menolak", "bahwa", "the", "of", "Baca juga:",
    ]
)
_TEXT = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(_WORDS, st.text(max_size=12)), max_size=60).map(" ".join),
)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(paragraphs=st.lists(_TEXT, max_size=6), language=st.sampled_from(["id", "en"]))
def test_any_text_is_tagged_without_error_and_with_true_spans(paragraphs: list[str], language: str) -> None:
    result = tag(paragraphs, article_id="fuzz", language=language)
    for entity in result.entities:
        assert paragraphs[entity.paragraph][entity.start : entity.end] == entity.text
    for event in result.events:
        text = paragraphs[event.paragraph]
        assert event.type in EVENT_TYPES
        assert text[event.trigger_span[0] : event.trigger_span[1]] == event.trigger
        assert text[event.sentence_span[0] : event.sentence_span[1]] == event.sentence
        assert 0.0 <= event.confidence <= 1.0
