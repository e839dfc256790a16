"""Story state in byte mappings (what the stream's tables hold) and ownership by type family."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from streams import codec
from streams.stories import MappingStore, StoryLinker, family_of, load_pairings, owner_of_type, view_of
from streams.stories.routing import families
from tests.stories.harness import load_set, run

TYPES = ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE", "REJECT",
         "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT")


@pytest.fixture(scope="module")
def events() -> list[dict[str, Any]]:
    _, _, evs = run(load_set())
    return evs


def test_a_mapping_store_links_exactly_as_the_dict_store(events: list[dict[str, Any]]) -> None:
    in_dicts, in_bytes = StoryLinker(), StoryLinker(MappingStore({}, {}))
    assert [in_dicts.link(e).story_id for e in events] == [in_bytes.link(e).story_id for e in events]
    records = {s.story_id: s.record() for s in in_dicts.store.stories()}
    assert {s.story_id: s.record() for s in in_bytes.store.stories()} == records
    assert len(records) >= 12


def test_a_story_state_survives_the_round_trip(events: list[dict[str, Any]]) -> None:
    linker = StoryLinker()
    for e in events:
        linker.link(e)
    for story in linker.store.stories():
        again = type(story).from_state(story.state())
        assert again == story


def test_every_pairing_stays_inside_one_family() -> None:
    pairings = load_pairings()
    assert family_of("PROTEST") == family_of("COERCE") == "COERCE+PROTEST"
    assert family_of("AGREE") == family_of("CONSULT") == family_of("COOPERATE")
    assert family_of("ASSAULT") == "ASSAULT"  # unpaired: its own family
    for (a, b) in pairings.pairs:
        assert owner_of_type(a, 4) == owner_of_type(b, 4)
    assert set(families(pairings)) == {t for pair in pairings.pairs for t in pair}
    # Stable: the same partition in every process (a fixed hash, not Python's salted one).
    assert [owner_of_type(t, 4) for t in TYPES] == [3, 3, 1, 2, 3, 1, 0, 2, 0, 0, 0, 2, 0, 2, 2, 2]


def test_partitions_by_family_link_as_one_process(events: list[dict[str, Any]]) -> None:
    """Each partition links only its families' events, in their order, with its own linker over its own
    mappings: together they open the same stories, with the same records, as one linker over everything."""
    one = StoryLinker()
    whole = [one.link(e).story_id for e in events]
    linkers: dict[int, StoryLinker] = defaultdict(lambda: StoryLinker(MappingStore({}, {})))
    split = [linkers[owner_of_type(e["type"], 4)].link(e).story_id for e in events]
    assert split == whole
    assert len(linkers) > 1


def test_a_sweep_walks_only_the_stories_its_partition_owns(events: list[dict[str, Any]]) -> None:
    stories: dict[bytes, bytes] = {}
    index: dict[bytes, bytes] = {}
    linkers = {p: StoryLinker(MappingStore(stories, index, owned=lambda s, p=p: owner_of_type(s.type, 4) == p))
               for p in range(4)}
    for e in events:
        linkers[owner_of_type(e["type"], 4)].link(e)
    last = max(view_of(e).seen for e in events)
    owners = {sid.decode(): owner_of_type(linkers[0].store.story(sid.decode()).type, 4)  # type: ignore[union-attr]
              for sid in stories}
    dropped = linkers[2].expire(now=last + 30 * 86400)
    assert dropped and all(owners[sid] == 2 for sid in dropped)
    assert {sid.decode() for sid in stories} == {sid for sid, p in owners.items() if p != 2}
    # Their blocking keys went with them: what is left points only at stories still held.
    assert all(sid.encode() in stories for ids in index.values() for sid in codec.loads(ids))
