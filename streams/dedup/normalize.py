"""Paragraph normalization: the word sequence that exact and near matching compare."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize", "words"]

# \w after NFKC + casefold: case, quote styles, punctuation and spacing all vanish, so wire copy that
# differs only in typography ("“…”" vs '"…"', a doubled space, a dropped comma) compares equal.
_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """Return the normalized words of `text` (NFKC, casefolded, punctuation and white space dropped)."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def normalize(text: str) -> str:
    """Return the canonical form of `text`: its normalized words joined by single spaces."""
    return " ".join(words(text))
