"""Acceptance: the seed article (Tribunnews, Indonesian) yields the events and entities it must."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.tagging import Event, TagResult, tag

SEED = Path(__file__).parent.parent / "data" / "tagging" / "seed_000_59858f91a7a8876a.txt"
SKIP = {5, 11}  # p6 near-duplicate of p4, p12 "Baca juga" boilerplate (as the dedup core flags them)


@pytest.fixture(scope="module")
def result() -> TagResult:
    return tag(SEED.read_text("utf-8").splitlines(), article_id="seed", language="id", skip=SKIP)


def _events(result: TagResult, paragraph: int, type_: str) -> list[Event]:
    return [e for e in result.events if e.paragraph == paragraph and e.type == type_]


def _countries(actors) -> set[str | None]:
    return {a.country for a in actors}


@pytest.mark.parametrize(
    ("paragraph", "type_", "actor", "recipient"),
    [
        (0, "AID", "PRK", "RUS"),
        (7, "AID", "PRK", "RUS"),
        (4, "REQUEST", "UKR", None),
        (9, "ACCUSE", "KOR", "PRK"),
        (7, "ACCUSE", "KOR", "PRK"),
        (8, "REJECT", "PRK", None),
        (10, "ASSAULT", "UKR", "PRK"),
        (13, "AID", "PRK", "RUS"),
        (14, "AGREE", "RUS", "PRK"),
    ],
)
def test_seed_events(result: TagResult, paragraph: int, type_: str, actor: str, recipient: str | None) -> None:
    found = _events(result, paragraph, type_)
    assert found, f"no {type_} in p{paragraph + 1}"
    event = found[0]
    assert actor in _countries(event.actors)
    if recipient:
        assert recipient in _countries(event.recipients)


def test_p1_aid_is_military_and_reported_by_zelensky(result: TagResult) -> None:
    event = _events(result, 0, "AID")[0]
    assert (event.mode, event.cameo_root, event.modality) == ("military", "07", "reported")
    assert event.reported_by == "Volodymyr Zelensky"


def test_denial_is_reject_not_aid(result: TagResult) -> None:
    assert not _events(result, 8, "AID")
    event = _events(result, 8, "REJECT")[0]
    assert (event.cameo_root, event.modality, event.denied_type) == ("01", "denied", "AID")


def test_missile_strike_near_donetsk(result: TagResult) -> None:
    event = _events(result, 10, "ASSAULT")[0]
    assert event.location is not None
    assert (event.location.name, event.location.country) == ("Donetsk", "UKR")
    assert event.reported_by == "Kim Yong-hyun"
    assert event.trigger == event.sentence[event.trigger_span[0] - event.sentence_span[0] :][: len(event.trigger)]


def test_future_troops_are_expected(result: TagResult) -> None:
    assert _events(result, 13, "AID")[0].modality == "expected"


def test_nothing_from_skipped_paragraphs(result: TagResult) -> None:
    assert all(e.paragraph not in SKIP for e in result.events)
    assert all(e.paragraph not in SKIP for e in result.entities)
    assert not any("Putin" in e.text or "Bocharov" in e.text for e in result.entities)


@pytest.mark.parametrize(
    ("text", "type_", "canonical", "country"),
    [
        ("Volodymyr Zelensky", "PERSON", "Volodymyr Zelensky", "UKR"),
        ("Kim Yong-hyun", "PERSON", "Kim Yong-hyun", "KOR"),
        ("Kim", "PERSON", "Kim Yong-hyun", "KOR"),
        ("Zelensky", "PERSON", "Volodymyr Zelensky", "UKR"),
        ("Ukraina", "COUNTRY", "Ukraine", "UKR"),
        ("Rusia", "COUNTRY", "Russia", "RUS"),
        ("Korea Utara", "COUNTRY", "North Korea", "PRK"),
        ("Korut", "COUNTRY", "North Korea", "PRK"),
        ("Pyongyang", "COUNTRY", "North Korea", "PRK"),
        ("Korea Selatan", "COUNTRY", "South Korea", "KOR"),
        ("Korsel", "COUNTRY", "South Korea", "KOR"),
        ("Seoul", "COUNTRY", "South Korea", "KOR"),
        ("Donetsk", "LOCATION", "Donetsk", "UKR"),
        ("Reuters", "MEDIA", "Reuters", None),
        ("CNN", "MEDIA", "CNN", "USA"),
        ("France24", "MEDIA", "France 24", "FRA"),
        ("TRIBUNNEWS.COM", "MEDIA", "Tribunnews", "IDN"),
    ],
)
def test_seed_entities(result: TagResult, text: str, type_: str, canonical: str, country: str | None) -> None:
    hits = [e for e in result.entities if e.text == text]
    assert hits, text
    assert all((e.type, e.canonical, e.country) == (type_, canonical, country) for e in hits)


def test_offsets_give_the_mention_back(result: TagResult) -> None:
    paragraphs = SEED.read_text("utf-8").splitlines()
    for e in result.entities:
        assert paragraphs[e.paragraph][e.start : e.end] == e.text
    for ev in result.events:
        s, t = ev.sentence_span, ev.trigger_span
        assert paragraphs[ev.paragraph][s[0] : s[1]] == ev.sentence
        assert paragraphs[ev.paragraph][t[0] : t[1]] == ev.trigger


def test_dateline_is_not_part_of_the_sentence(result: TagResult) -> None:
    assert not _events(result, 0, "AID")[0].sentence.startswith("TRIBUNNEWS")


def test_ids_are_deterministic(result: TagResult) -> None:
    again = tag(SEED.read_text("utf-8").splitlines(), article_id="seed", language="id", skip=SKIP)
    assert [e.id for e in again.events] == [e.id for e in result.events]
    assert len({e.id for e in result.events}) == len(result.events)


def test_symmetric_acts_are_one_mutual_dyad(result: TagResult) -> None:
    # p15's "kesepakatan bersama yang menyerupai aliansi militer" is one agreement: the alliance it resembles is
    # no second (COOPERATE) event.
    assert not _events(result, 14, "COOPERATE")
    for paragraph, type_ in ((1, "COOPERATE"), (14, "AGREE")):
        event = _events(result, paragraph, type_)[0]
        assert [a.country for a in event.actors] == ["RUS"]
        assert [a.country for a in event.recipients] == ["PRK"]
        assert event.mutual and event.to_dict()["mutual"] is True
    assert not _events(result, 0, "AID")[0].mutual


def test_request_is_addressed_to_the_partners_named_before(result: TagResult) -> None:
    event = _events(result, 4, "REQUEST")[0]
    assert [(a.canonical, a.type, a.country) for a in event.recipients] == [("partners", "GROUP", None)]


def test_an_event_without_actor_scores_below_any_with_one(result: TagResult) -> None:
    mobilize = _events(result, 14, "MOBILIZE")[0]
    assert not mobilize.actors
    assert mobilize.confidence <= 0.6 < min(e.confidence for e in result.events if e.actors)
