"""The `Tagger` extension point: protocol, registry and loader for `module:Class` specs."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection, Sequence
from importlib import metadata
from typing import Protocol, runtime_checkable

from streams.errors import ConfigError
from streams.tagging.model import Entity, Event, TagResult
from streams.tagging.rules import RuleTagger

__all__ = ["ENTRY_POINT_GROUP", "ChainTagger", "Tagger", "register", "tagger_from_spec"]

# Installed packages can offer taggers under this entry-point group (name = the spec word).
ENTRY_POINT_GROUP = "warta.taggers"


@runtime_checkable
class Tagger(Protocol):
    """Anything that turns an article's paragraphs into entities and events."""

    name: str

    def tag(
        self, paragraphs: Sequence[str], *, article_id: str, language: str, skip: Collection[int] = ()
    ) -> TagResult:
        """Entities and events of one article; nothing may come from paragraphs in `skip`."""
        ...


_REGISTRY: dict[str, Callable[[], Tagger]] = {"rules": RuleTagger}


def register(name: str, factory: Callable[[], Tagger]) -> None:
    """Make `name` usable in a spec ("rules,name")."""
    _REGISTRY[name] = factory


class ChainTagger:
    """Runs several taggers and merges their results (entities and events deduplicated by position/id)."""

    def __init__(self, taggers: Sequence[Tagger]) -> None:
        if not taggers:
            raise ConfigError("tagger spec: expected at least one tagger, got none")
        self.taggers = list(taggers)
        self.name = "+".join(t.name for t in self.taggers)

    def tag(
        self, paragraphs: Sequence[str], *, article_id: str, language: str, skip: Collection[int] = ()
    ) -> TagResult:
        """Union of every tagger's result, first tagger wins on conflicts."""
        if len(self.taggers) == 1:
            return self.taggers[0].tag(paragraphs, article_id=article_id, language=language, skip=skip)
        entities: list[Entity] = []
        events: list[Event] = []
        spans: set[tuple[int, int, int]] = set()
        ids: set[str] = set()
        for tagger in self.taggers:
            result = tagger.tag(paragraphs, article_id=article_id, language=language, skip=skip)
            for entity in result.entities:
                if entity.paragraph in skip:
                    continue  # enforce the contract even for a careless plug-in
                key = (entity.paragraph, entity.start, entity.end)
                if key not in spans:
                    spans.add(key)
                    entities.append(entity)
            for event in result.events:
                if event.paragraph not in skip and event.id not in ids:
                    ids.add(event.id)
                    events.append(event)
        entities.sort(key=lambda e: (e.paragraph, e.start))
        events.sort(key=lambda e: (e.paragraph, e.trigger_span[0]))
        return TagResult(entities, events)


def _load_one(word: str) -> Tagger:
    if word in _REGISTRY:
        return _REGISTRY[word]()
    if ":" in word:
        module_name, _, attr = word.partition(":")
        try:
            factory = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError) as exc:
            raise ConfigError(f"tagger {word!r}: cannot import ({exc})") from exc
    else:
        found = [ep for ep in metadata.entry_points(group=ENTRY_POINT_GROUP) if ep.name == word]
        if not found:
            known = ", ".join(sorted(_REGISTRY))
            raise ConfigError(
                f"tagger {word!r}: expected a registered name ({known}), an entry point "
                f"in {ENTRY_POINT_GROUP!r} or module:Class"
            )
        factory = found[0].load()
    # A class (or factory function) is instantiated; a ready instance is used as is.
    is_factory = isinstance(factory, type) or (callable(factory) and not isinstance(factory, Tagger))
    tagger = factory() if is_factory else factory
    if not isinstance(tagger, Tagger):
        raise ConfigError(f"tagger {word!r}: expected an object with name and tag(), got {type(tagger).__name__}")
    return tagger


def tagger_from_spec(spec: str | None) -> Tagger:
    """Build the tagger a spec names, e.g. "rules", "pkg.ner:NerTagger", "rules,pkg.ner:NerTagger".

    The spec is the value of WARTA_TAGGERS, passed in by the caller (the core never reads the
    environment). Without "rules" in it, the rule-based tagger is replaced rather than extended.
    """
    words = [w.strip() for w in (spec or "rules").split(",") if w.strip()]
    return ChainTagger([_load_one(w) for w in words])
