"""Property-based fuzzing of the dedup core (issue 11): any paragraphs, one verdict each, nothing crashes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from streams.dedup.deduplicator import Deduplicator

_PARAGRAPH = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["Baca juga: Rusia serang Kyiv", "Read also: markets fall", "", " ", "\u200b", "🙂" * 50]),
)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(articles=st.lists(st.lists(_PARAGRAPH, max_size=8), min_size=1, max_size=5))
def test_any_paragraphs_get_one_verdict_each(articles: list[list[str]]) -> None:
    dedup = Deduplicator()
    for number, paragraphs in enumerate(articles):
        verdicts = dedup.process(f"a{number}", paragraphs, 1.7e9 + number)
        assert len(verdicts) == len(paragraphs)
    # The same article again: every non-empty paragraph it kept the first time is now a duplicate of itself
    # or stays its own original, never an error.
    again = dedup.process("a0", articles[0], 1.7e9 + 99)
    assert len(again) == len(articles[0])
