"""Unnamed sources, idioms and groups named by their trigger: who speaks, who acts, and what is no event."""

from __future__ import annotations

import pytest

from streams.tagging import tag


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("id", "Presiden Prabowo meminta semua pihak menahan diri."),
        ("id", "Bank Indonesia menahan suku bunga acuan di level 6 persen."),
        ("id", "Mantan presiden AS itu meninggal karena serangan jantung."),
        ("en", "The former US president died of a heart attack."),
        ("en", "The French president struck a balance between growth and inflation."),
        ("en", "China launched a charm offensive in Africa."),
    ],
)
def test_an_idiom_holding_a_trigger_word_is_no_event(language: str, text: str) -> None:
    types = {e.type for e in tag([text], article_id="i", language=language).events}
    assert not types & {"COERCE", "ASSAULT"}, types


def test_an_unnamed_source_is_the_reporter_not_a_person_nor_an_actor() -> None:
    result = tag(["Soldiers shot dead two protesters in Mandalay, witnesses said."], article_id="w", language="en")
    assert [e.text for e in result.entities if e.type == "PERSON"] == []
    shot = next(e for e in result.events if e.type == "ASSAULT")
    assert (shot.modality, shot.reported_by) == ("reported", "witnesses")
    assert "witnesses" not in [a.canonical for a in shot.actors + shot.recipients]


def test_a_capitalized_generic_noun_opening_a_sentence_is_not_a_person() -> None:
    result = tag(["Residents said the shelling lasted all night."], article_id="r", language="en")
    assert [e.text for e in result.entities] == []


def test_the_trigger_that_names_the_protesters_makes_them_the_actor() -> None:
    events = tag(["Police fired tear gas at protesters in Nairobi."], article_id="p", language="en").events
    protest = next(e for e in events if e.type == "PROTEST")
    assert [a.canonical for a in protest.actors] == ["protesters"]
    coerce = next(e for e in events if e.type == "COERCE")
    assert ([a.canonical for a in coerce.actors], [r.canonical for r in coerce.recipients]) == (
        ["police"],
        ["protesters"],
    )


def test_indonesian_me_speech_verb_is_followed_by_what_was_said_not_the_speaker() -> None:
    text = "Juru bicara oposisi mengatakan polisi menembakkan gas air mata ke arah pengunjuk rasa."
    coerce = next(e for e in tag([text], article_id="k", language="id").events if e.type == "COERCE")
    assert [a.canonical for a in coerce.actors] == ["polisi"]
    assert coerce.reported_by != "polisi"


def test_inverted_indonesian_speech_verb_is_followed_by_the_speaker() -> None:
    text = "Tentara Myanmar menyerang desa itu, kata saksi mata."
    event = tag([text], article_id="k", language="id").events[0]
    assert (event.modality, event.reported_by) == ("reported", "saksi mata")


def test_a_group_word_inside_an_organization_name_is_not_a_second_actor() -> None:
    text = "The United Nations condemned the attack on the convoy."
    event = next(e for e in tag([text], article_id="u", language="en").events if e.type == "ACCUSE")
    assert [a.canonical for a in event.actors] == ["United Nations"]
