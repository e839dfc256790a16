"""Story core: link events that report one real-world happening into stories (never imports faust or kafka)."""

from __future__ import annotations

from streams.stories.features import EventView, PlaceView, view_of
from streams.stories.keys import probe_keys, write_keys
from streams.stories.linker import StoryConfig, StoryLinker
from streams.stories.match import MatchConfig, place_agreement, score, times_agree
from streams.stories.pairings import Pairings, load_pairings
from streams.stories.routing import family_of, owner_of_type
from streams.stories.store import DictStore, MappingStore, StoryStore
from streams.stories.story import STORY, Story, story_id_for

__all__ = [
    "STORY",
    "DictStore",
    "EventView",
    "MappingStore",
    "MatchConfig",
    "Pairings",
    "PlaceView",
    "Story",
    "StoryConfig",
    "StoryLinker",
    "StoryStore",
    "family_of",
    "load_pairings",
    "owner_of_type",
    "place_agreement",
    "probe_keys",
    "score",
    "story_id_for",
    "times_agree",
    "view_of",
    "write_keys",
]
