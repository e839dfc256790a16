"""Zero-width, soft-hyphen and bidi characters inside names and words (issue 11, bad input)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from streams.tagging import tag
from streams.tagging.invisible import strip

SEED = Path(__file__).resolve().parent.parent / "data" / "tagging" / "seed_000_59858f91a7a8876a.txt"
INVISIBLES = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u202b", "\u202c"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Presiden Joko\u200bWidodo mengecam serangan itu.", "Joko Widodo"),
        ("Presiden Jo\u200bko Wi\u200cdodo mengecam serangan itu.", "Joko Widodo"),
        ("Presiden Prab\u00adowo Subianto bertemu Xi Jinping di Beijing, Senin.", "Prabowo Subianto"),
        ("\u202bPresiden Prabowo Subianto\u202c bertemu Xi Jinping di Beijing.", "Prabowo Subianto"),
    ],
)
def test_a_name_with_invisible_characters_is_found_with_offsets_into_the_original(text: str, name: str) -> None:
    result = tag([text], article_id="zw", language="id")
    person = next(e for e in result.entities if e.canonical == name)
    assert text[person.start : person.end] == person.text
    for event in result.events:
        assert text[event.trigger_span[0] : event.trigger_span[1]] == event.trigger
        assert text[event.sentence_span[0] : event.sentence_span[1]] == event.sentence
    assert any(name in [a.canonical for a in e.actors] for e in result.events)


def test_strip_keeps_an_offset_for_every_kept_character() -> None:
    stripped, origin = strip("a\u200bb\u00adc") or ("", [])
    assert stripped == "abc"
    assert origin == [0, 2, 4, 5]
    assert strip("plain text") is None


_SEED = [p for p in SEED.read_text("utf-8").splitlines() if p.strip()]
_CLEAN = tag(_SEED, article_id="seed", language="id")


@settings(max_examples=40, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(INVISIBLES[1:])), min_size=1, max_size=30))
def test_invisible_characters_anywhere_in_the_seed_change_no_entity_or_event(
    inserts: list[tuple[int, str]],
) -> None:
    # Not the zero-width space: between a lower- and an upper-case letter it stands for a space (tested above).
    paragraphs = list(_SEED)
    for where, char in inserts:
        index = where % len(paragraphs)
        text = paragraphs[index]
        at = (where // len(paragraphs)) % (len(text) + 1)
        paragraphs[index] = text[:at] + char + text[at:]
    result = tag(paragraphs, article_id="seed", language="id")
    for entity in result.entities:
        assert paragraphs[entity.paragraph][entity.start : entity.end] == entity.text
    for event in result.events:
        assert paragraphs[event.paragraph][event.trigger_span[0] : event.trigger_span[1]] == event.trigger
    assert [(e.paragraph, e.canonical, e.type) for e in result.entities] == [
        (e.paragraph, e.canonical, e.type) for e in _CLEAN.entities
    ]
    assert [(e.id, e.type, e.actors, e.recipients, e.modality) for e in result.events] == [
        (e.id, e.type, e.actors, e.recipients, e.modality) for e in _CLEAN.events
    ]
