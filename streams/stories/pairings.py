"""Which event types may report one real-world happening: same type, or a pairing from the data files."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from streams.errors import ConfigError

__all__ = ["Pairings", "load_pairings"]


def _lines(text: str) -> list[str]:
    """Non-blank lines that are not comments."""
    return [line.rstrip("\n") for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _words_pattern(words: Sequence[str]) -> re.Pattern[str]:
    """One whole-word alternation, longest first so a phrase wins over its first word."""
    alternation = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
    return re.compile(rf"\b(?:{alternation})\b")


@dataclass(frozen=True, slots=True)
class Pairings:
    """Compatible types: `pairs[(x, y)]` is the type of the two that must meet a condition, and its word pattern."""

    pairs: Mapping[tuple[str, str], tuple[str, re.Pattern[str] | None]] = field(default_factory=dict)
    partners_of: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def accepts(self, story_type: str, story_mentions: str, event_type: str, event_mentions: str) -> bool:
        """Whether a story of `story_type` accepts an event of `event_type` (mentions: names and sentence, lower)."""
        if story_type == event_type:
            return True
        rule = self.pairs.get((story_type, event_type))
        if rule is None:
            return False
        bound, pattern = rule
        if pattern is None:
            return True
        # The condition is about the event of the bound type, whether it opened the story or arrives now.
        return pattern.search(event_mentions if bound == event_type else story_mentions) is not None

    def partners(self, event_type: str) -> tuple[str, ...]:
        """The event's own type and every type paired with it (whose stories it may join)."""
        return self.partners_of.get(event_type, (event_type,))


def _parse(text: str, words: Mapping[str, re.Pattern[str]], origin: str) -> Pairings:
    """Build the table from pairings.tsv's text; each pair is symmetric, its condition on the TYPE_B event."""
    pairs: dict[tuple[str, str], tuple[str, re.Pattern[str] | None]] = {}
    partners: dict[str, list[str]] = {}
    for number, line in enumerate(_lines(text), 1):
        cells = line.split("\t")
        if len(cells) != 3:
            raise ConfigError(f"{origin}:{number}: expected TYPE_A, TYPE_B, CONDITION (tabs), got {line!r}")
        a, b, condition = (c.strip() for c in cells)
        if condition != "-" and condition not in words:
            raise ConfigError(f"{origin}:{number}: condition {condition!r} has no word list {condition}.txt")
        pattern = None if condition == "-" else words[condition]
        pairs[(a, b)] = pairs[(b, a)] = (b, pattern)
        partners.setdefault(a, [a]).append(b)
        partners.setdefault(b, [b]).append(a)
    return Pairings(pairs, {k: tuple(v) for k, v in partners.items()})


@lru_cache(maxsize=1)
def load_pairings() -> Pairings:
    """The built-in pairings (streams/data/stories/pairings.tsv and its word lists), read once."""
    folder = resources.files("streams").joinpath("data", "stories")
    words: dict[str, re.Pattern[str]] = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".txt"):
            items = [w.strip().lower() for w in _lines(entry.read_text(encoding="utf-8"))]
            words[entry.name.removesuffix(".txt")] = _words_pattern(items)
    return _parse(folder.joinpath("pairings.tsv").read_text(encoding="utf-8"), words, "pairings.tsv")
