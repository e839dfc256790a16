"""Story state behind a small interface: a dict here, Faust tables (with changelogs) in the stream."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from streams.stories.story import Story

__all__ = ["DictStore", "StoryStore"]


class StoryStore(Protocol):
    """Stories by id and the blocking index (key -> story ids); in the stream each key is owned by a partition."""

    def story(self, story_id: str) -> Story | None:
        """The story with this id, or None."""

    def put_story(self, story: Story) -> None:
        """Save a new or changed story."""

    def drop_story(self, story_id: str) -> None:
        """Forget a story (expiry)."""

    def stories(self) -> Iterator[Story]:
        """Every story held (for expiry sweeps)."""

    def candidates(self, key: str) -> list[str]:
        """The ids of the stories filed under a blocking key."""

    def file(self, key: str, story_id: str) -> None:
        """File a story under a blocking key."""

    def unfile(self, key: str, story_id: str) -> None:
        """Remove a story from a blocking key."""


class DictStore:
    """The in-process store: two dicts (what a test, the bench and `warta enrich` use)."""

    __slots__ = ("_index", "_stories")

    def __init__(self) -> None:
        self._stories: dict[str, Story] = {}
        self._index: dict[str, list[str]] = {}

    def story(self, story_id: str) -> Story | None:
        """The story with this id, or None."""
        return self._stories.get(story_id)

    def put_story(self, story: Story) -> None:
        """Save a new or changed story."""
        self._stories[story.story_id] = story

    def drop_story(self, story_id: str) -> None:
        """Forget a story."""
        self._stories.pop(story_id, None)

    def stories(self) -> Iterator[Story]:
        """Every story held."""
        return iter(list(self._stories.values()))

    def candidates(self, key: str) -> list[str]:
        """The ids of the stories filed under a blocking key."""
        return self._index.get(key, [])

    def file(self, key: str, story_id: str) -> None:
        """File a story under a blocking key (once)."""
        ids = self._index.setdefault(key, [])
        if story_id not in ids:
            ids.append(story_id)

    def unfile(self, key: str, story_id: str) -> None:
        """Remove a story from a blocking key; an emptied key goes."""
        ids = self._index.get(key)
        if ids and story_id in ids:
            ids.remove(story_id)
            if not ids:
                del self._index[key]

    def __len__(self) -> int:
        return len(self._stories)
