"""The bilingual story set: every story whole and separate through the real cores (issue 14, item 4)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from tests.stories.harness import ROOT, load_set, main_story, pairwise, run

ARTICLES = load_set()
GOLD = {a["id"]: a["story"] for a in ARTICLES}


@pytest.fixture(scope="module")
def linked():  # type: ignore[no-untyped-def]
    return run(ARTICLES)


def test_the_set_is_a_dozen_bilingual_stories_from_different_outlets() -> None:
    by_story = defaultdict(list)
    for a in ARTICLES:
        by_story[a["story"]].append(a)
    assert len(by_story) == 12
    for story, items in by_story.items():
        assert 3 <= len(items) <= 5, story
        assert {a["language"] for a in items} == {"id", "en"}, story
        assert len({a["source"] for a in items}) == len(items), story


def test_every_story_comes_out_whole_and_separate(linked) -> None:  # type: ignore[no-untyped-def]
    _, stories, _ = linked
    p, r, f = pairwise(main_story(stories), GOLD)
    assert f >= 0.95, (p, r, f)
    assert p == 1.0  # distractors share a type, a place or a day, never a story


def test_an_indonesian_and_an_english_report_share_the_story(linked) -> None:  # type: ignore[no-untyped-def]
    linker, stories, _ = linked
    record = linker.store.story(main_story(stories)["reuters-indonesia-wage-protest"]).record()
    assert record["type"] == "PROTEST" and record["country"] == "IDN"
    assert record["language_codes"] == ["en", "id"] and record["articles"] == 4 and record["sources"] == 4
    assert record["place"]["name"] == "jakarta"
    assert record["event_time"] == {"value": "2024-11-04", "granularity": "day", "fallback": False}


def test_police_breaking_up_a_protest_joins_the_protest(linked) -> None:  # type: ignore[no-untyped-def]
    linker, stories, events = linked
    story = linker.store.story(main_story(stories)["detik-makassar-gas-air-mata"])
    types = {e["type"] for e in events if e["id"] in set(story.event_ids)}
    assert types == {"PROTEST", "COERCE"}


def test_story_records_validate_against_their_schema(linked) -> None:  # type: ignore[no-untyped-def]
    linker, _, _ = linked
    schema = json.loads((ROOT / "schemas" / "story.v1.json").read_text())
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    records = [s.record() for s in linker.store.stories()]
    assert len(records) > 12
    for record in records:
        validator.validate(record)


def test_the_seed_and_its_regional_copy_share_a_story() -> None:
    seeds = [{"id": p.stem, "body": p.read_text(encoding="utf-8")}
             for p in sorted(Path(ROOT / "examples").glob("00[01]_*.txt"))]
    linker, stories, _ = run(seeds)
    shared = set(stories["000_59858f91a7a8876a"]) & set(stories["001_regional_copy"])
    assert shared
    # Zelensky's call for more support, reported by both outlets.
    record = linker.store.story(shared.pop()).record()
    assert record["type"] == "REQUEST" and record["articles"] == 2 and record["sources"] == 2
    assert {"name": "Ukraine", "country": "UKR"} in record["actors"]
