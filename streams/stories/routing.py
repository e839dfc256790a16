"""Which partition owns an event's stories: its type family (types joined by pairings), hashed to a partition."""

from __future__ import annotations

from functools import lru_cache

import xxhash

from streams.stories.pairings import Pairings, load_pairings

__all__ = ["families", "family_of", "owner_of_type"]

# Fixed seed: ownership must not change between processes, versions or restarts (as dedup's owner_of).
_OWNER_SEED = 0x5707A1


def families(pairings: Pairings) -> dict[str, str]:
    """Each paired type -> its family's name: the sorted members of its connected component, joined by '+'."""
    seen: dict[str, str] = {}
    for start in pairings.partners_of:
        if start in seen:
            continue
        component, todo = {start}, [start]
        while todo:
            for partner in pairings.partners(todo.pop()):
                if partner not in component:
                    component.add(partner)
                    todo.append(partner)
        name = "+".join(sorted(component))
        seen.update(dict.fromkeys(component, name))
    return seen


@lru_cache(maxsize=1)
def _builtin_families() -> dict[str, str]:
    return families(load_pairings())


def family_of(event_type: str, pairings: Pairings | None = None) -> str:
    """The family of a type: every type that can share a story with it, transitively (a lone type is its own).

    A story only ever holds types its opening type accepts, and accepted types are paired with it, so no story
    spans two families: a partition that holds a whole family holds every candidate its events can have.
    """
    table = _builtin_families() if pairings is None else families(pairings)
    return table.get(event_type, event_type)


def owner_of_type(event_type: str, partitions: int, pairings: Pairings | None = None) -> int:
    """The partition that links the events of this type (the same for its whole family; stable)."""
    return xxhash.xxh32_intdigest(family_of(event_type, pairings).encode("utf-8"), _OWNER_SEED) % partitions
