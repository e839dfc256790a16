"""The story core on real events: determinism, redelivery, expiry in event time, blocking keys."""

from __future__ import annotations

import copy

import pytest

from streams.stories import StoryConfig, StoryLinker, load_pairings, probe_keys, view_of, write_keys
from tests.stories.harness import load_set, run

KHARKIV = [a for a in load_set() if a["story"] == "s05"]


@pytest.fixture(scope="module")
def events():  # type: ignore[no-untyped-def]
    _, _, evs = run(KHARKIV)
    return evs


def test_the_same_events_open_the_same_stories(events) -> None:  # type: ignore[no-untyped-def]
    first = [StoryLinker().link(e).story_id for e in events]
    linker = StoryLinker()
    assert [linker.link(e).story_id for e in events] == [linker.link(e).story_id for e in events]
    assert StoryLinker().link(events[0]).story_id == f"story-{events[0]['id']}" == first[0]


def test_a_redelivered_event_is_not_a_new_mention(events) -> None:  # type: ignore[no-untyped-def]
    linker = StoryLinker()
    for e in events:
        linker.link(e)
    before = {s.story_id: s.record() for s in linker.store.stories()}
    for e in events:
        linker.link(copy.deepcopy(e))
    assert {s.story_id: s.record() for s in linker.store.stories()} == before


def test_stories_expire_by_event_time_not_the_clock(events) -> None:  # type: ignore[no-untyped-def]
    linker = StoryLinker(config=StoryConfig(window_days=7))
    story = linker.link(events[0])
    seen = view_of(events[0]).seen
    assert linker.expire(now=seen + 6 * 86400) == []
    assert linker.expire(now=seen + 8 * 86400) == [story.story_id]
    assert linker.store.story(story.story_id) is None
    # Eight days on, the same report of the strike opens a new story: the old one is gone.
    late = {**events[1], "published_at": "2024-11-14T10:00:00+00:00", "time": None}
    assert linker.link(late).story_id == f"story-{late['id']}"


def test_an_event_finds_its_story_through_a_key_it_probes(events) -> None:  # type: ignore[no-untyped-def]
    pairings = load_pairings()
    for a in events:
        for b in events:
            if a["type"] == b["type"]:
                assert set(write_keys(view_of(a))) & set(probe_keys(view_of(b), pairings.partners(b["type"]), 1))


def test_the_keys_of_a_coarse_time_are_few() -> None:
    event = {"id": "e1", "type": "PROTEST", "article_id": "a", "actors": [{"name": "Indonesia", "country": "IDN"}],
             "recipients": [], "location": None, "time": {"value": "2024-11", "granularity": "month", "text": None},
             "published_at": "2024-11-20T10:00:00+07:00", "confidence": 0.7, "sentence": "s"}
    assert write_keys(view_of(event)) == ["PROTEST|IDN|739210"]
