"""Typed political events (PLOVER/CAMEO) and named entities from news paragraphs."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from streams.tagging.model import CAMEO_ROOTS, EVENT_TYPES, Actor, Entity, Event, Place, TagResult
from streams.tagging.registry import ChainTagger, Tagger, register, tagger_from_spec
from streams.tagging.rules import RuleTagger, event_id

__all__ = [
    "CAMEO_ROOTS",
    "EVENT_TYPES",
    "Actor",
    "ChainTagger",
    "Entity",
    "Event",
    "Place",
    "RuleTagger",
    "TagResult",
    "Tagger",
    "event_id",
    "register",
    "tag",
    "tagger_from_spec",
]

_DEFAULT = RuleTagger()


def tag(paragraphs: Sequence[str], *, article_id: str, language: str, skip: Collection[int] = ()) -> TagResult:
    """Tag one article with the default rule-based tagger."""
    return _DEFAULT.tag(paragraphs, article_id=article_id, language=language, skip=skip)
