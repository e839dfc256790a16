"""The Tagger extension point: a tiny custom tagger replaces or adds to the rule-based one."""

from __future__ import annotations

from collections.abc import Collection, Sequence

import pytest

from streams.errors import ConfigError
from streams.tagging import Entity, Event, RuleTagger, Tagger, TagResult, event_id, tagger_from_spec


class ShoutTagger:
    """Tags every all-caps word as an ORG and every "boom" as an ASSAULT: a stand-in for a statistical model."""

    name = "shout"

    def tag(
        self, paragraphs: Sequence[str], *, article_id: str, language: str, skip: Collection[int] = ()
    ) -> TagResult:
        entities, events = [], []
        for i, text in enumerate(paragraphs):
            if i in skip:
                continue
            start = text.find("BOOM")
            if start != -1:
                entities.append(Entity(i, "BOOM", start, start + 4, "ORG", "BOOM", None))
                events.append(
                    Event(
                        event_id(article_id, i, start, "ASSAULT"),
                        "ASSAULT",
                        None,
                        "18",
                        i,
                        text,
                        (0, len(text)),
                        "BOOM",
                        (start, start + 4),
                        [],
                        [],
                        None,
                        None,
                        "asserted",
                        0.5,
                        "shout@1",
                        tagger=self.name,
                    )
                )
        return TagResult(entities, events)


PARAGRAPHS = ["BOOM went the market.", "Russia attacked Ukraine on Monday.", "BOOM again."]


def test_custom_tagger_satisfies_the_protocol() -> None:
    assert isinstance(ShoutTagger(), Tagger)
    assert isinstance(RuleTagger(), Tagger)


@pytest.mark.parametrize(
    ("spec", "taggers"),
    [
        (f"{__name__}:ShoutTagger", {"shout"}),
        (f"rules,{__name__}:ShoutTagger", {"rules", "shout"}),
        (None, {"rules"}),
    ],
)
def test_spec_replaces_or_adds(spec: str | None, taggers: set[str]) -> None:
    result = tagger_from_spec(spec).tag(PARAGRAPHS, article_id="a", language="en", skip={2})
    assert {e.tagger for e in result.events} == taggers
    assert all(e.paragraph != 2 for e in result.events + result.entities)  # type: ignore[operator]


@pytest.mark.parametrize("spec", ["nope", "no_such_module:X", f"{__name__}:PARAGRAPHS"])
def test_bad_spec_fails_loudly(spec: str) -> None:
    with pytest.raises(ConfigError):
        tagger_from_spec(spec)
