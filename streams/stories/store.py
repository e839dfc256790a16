"""Story state behind a small interface: a dict here, Faust tables (with changelogs) in the stream."""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import Protocol

from streams import codec
from streams.stories.story import Story

__all__ = ["DictStore", "MappingStore", "StoryStore"]


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


class MappingStore:
    """Stories and the blocking index in two byte mappings (Faust tables in the stream, dicts in tests).

    Values are JSON: a story's `state()`, and a key's list of story ids. `owned` picks the stories `stories()`
    yields (in the stream: those of the partition being worked on, so an expiry sweep deletes only keys whose
    changelog is that partition's).
    """

    __slots__ = ("_index", "_owned", "_stories")

    def __init__(self, stories: MutableMapping[bytes, bytes], index: MutableMapping[bytes, bytes],
                 owned: Callable[[Story], bool] | None = None) -> None:
        self._stories = stories
        self._index = index
        self._owned = owned

    def story(self, story_id: str) -> Story | None:
        """The story with this id, or None."""
        raw = self._stories.get(story_id.encode("utf-8"))
        return None if raw is None else Story.from_state(codec.loads(raw))

    def put_story(self, story: Story) -> None:
        """Save a new or changed story."""
        self._stories[story.story_id.encode("utf-8")] = codec.dumps(story.state())

    def drop_story(self, story_id: str) -> None:
        """Forget a story."""
        self._stories.pop(story_id.encode("utf-8"), None)

    def stories(self) -> Iterator[Story]:
        """Every story held that `owned` accepts (a snapshot: the sweep deletes while it walks)."""
        found = [Story.from_state(codec.loads(raw)) for raw in list(self._stories.values())]
        return iter([s for s in found if self._owned is None or self._owned(s)])

    def candidates(self, key: str) -> list[str]:
        """The ids of the stories filed under a blocking key."""
        raw = self._index.get(key.encode("utf-8"))
        return [] if raw is None else list(codec.loads(raw))

    def file(self, key: str, story_id: str) -> None:
        """File a story under a blocking key (once)."""
        ids = self.candidates(key)
        if story_id not in ids:
            self._index[key.encode("utf-8")] = codec.dumps([*ids, story_id])

    def unfile(self, key: str, story_id: str) -> None:
        """Remove a story from a blocking key; an emptied key goes."""
        ids = self.candidates(key)
        if story_id in ids:
            ids.remove(story_id)
            if ids:
                self._index[key.encode("utf-8")] = codec.dumps(ids)
            else:
                self._index.pop(key.encode("utf-8"), None)
