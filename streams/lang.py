"""Guess an article's language (Indonesian or English first) from its function words."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib import resources

import orjson

__all__ = ["guess_language"]

_WORD = re.compile(r"[^\W\d_]+")
# Only the first few thousand characters: the lead decides, and long bodies stay cheap.
_SAMPLE_CHARS = 4000


@cache
def _stopwords() -> dict[str, frozenset[str]]:
    raw = orjson.loads(resources.files("streams.data.lang").joinpath("stopwords.json").read_bytes())
    return {lang: frozenset(words) for lang, words in raw.items() if not lang.startswith("_")}


def guess_language(paragraphs: Iterable[str], default: str = "id") -> str:
    """The language whose function words are most frequent; ``default`` when none is found."""
    sample = " ".join(paragraphs)[:_SAMPLE_CHARS].lower()
    words = _WORD.findall(sample)
    best, best_hits = default, 0
    for lang, stop in _stopwords().items():
        hits = sum(1 for w in words if w in stop)
        if hits > best_hits:
            best, best_hits = lang, hits
    return best
