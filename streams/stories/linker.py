"""Link each event to the story it reports, or open a new one; expire stories by event time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from streams.stories.features import EventView, view_of
from streams.stories.keys import probe_keys, write_keys
from streams.stories.match import MatchConfig, score
from streams.stories.pairings import Pairings, load_pairings
from streams.stories.store import DictStore, StoryStore
from streams.stories.story import Story, add_event, open_story, story_id_for

__all__ = ["StoryConfig", "StoryLinker"]


@dataclass(frozen=True, slots=True)
class StoryConfig:
    """How stories are matched and how long they live."""

    # A week covers the follow-ups of most happenings (arrests after a riot, the second day of a summit) while
    # keeping the state one week of events; longer runs of news open a fresh story, as dedup forgets after 7 days.
    window_days: float = 7.0
    match: MatchConfig = field(default_factory=MatchConfig)


class StoryLinker:
    """The story core: `link` an event, `expire` with an injected time; state lives in a StoryStore."""

    __slots__ = ("config", "pairings", "store", "watermark")

    def __init__(self, store: StoryStore | None = None, *, config: StoryConfig | None = None,
                 pairings: Pairings | None = None) -> None:
        self.store: StoryStore = DictStore() if store is None else store
        self.config = config or StoryConfig()
        self.pairings = pairings or load_pairings()
        self.watermark = 0.0  # newest publication time linked: the stream's "now", never the wall clock

    def link(self, event: Mapping[str, Any]) -> Story:
        """The story this event (a warta.event/v1 record) belongs to, updated with it, and saved."""
        view = view_of(event)
        self.watermark = max(self.watermark, view.seen)
        story = self._best(view)
        if story is None:
            story = self.store.story(story_id_for(view.id))
            if story is None:
                story = open_story(view, event)
        elif view.id not in story.event_ids:  # a redelivered event is not a new mention
            add_event(story, view, event)
        for key in write_keys(view):
            if key not in story.keys:
                story.keys.add(key)
                self.store.file(key, story.story_id)
        self.store.put_story(story)
        return story

    def _best(self, view: EventView) -> Story | None:
        """The candidate story that scores highest (ties: the earliest opened, then the smallest id)."""
        horizon = view.seen - self.config.window_days * 86400
        best: tuple[float, float, str] | None = None
        chosen: Story | None = None
        seen: set[str] = set()
        for key in probe_keys(view, self.pairings.partners(view.type), self.config.match.day_tolerance):
            for story_id in self.store.candidates(key):
                if story_id in seen:
                    continue
                seen.add(story_id)
                story = self.store.story(story_id)
                if story is None or story.last_seen < horizon:
                    continue  # expired in event time, whether or not a sweep has removed it yet
                value = score(view, story, self.pairings, self.config.match)
                if value is None:
                    continue
                rank = (-value, story.first_seen, story.story_id)
                if best is None or rank < best:
                    best, chosen = rank, story
        return chosen

    def expire(self, now: float | None = None) -> list[str]:
        """Drop stories last seen more than the window before `now` (default: the watermark); their ids."""
        horizon = (self.watermark if now is None else now) - self.config.window_days * 86400
        dropped = []
        for story in self.store.stories():
            if story.last_seen < horizon:
                for key in story.keys:
                    self.store.unfile(key, story.story_id)
                self.store.drop_story(story.story_id)
                dropped.append(story.story_id)
        return dropped
