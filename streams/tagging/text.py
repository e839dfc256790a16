"""Sentence splitting, datelines and person-name patterns for news paragraphs."""

from __future__ import annotations

import re

__all__ = ["NAME", "dateline_end", "edit_distance_le1", "split_sentences"]

# A sentence ends at . ! ? (plus closing quotes/brackets) followed by space and a capital, digit or quote.
_BOUNDARY = re.compile(r"[.!?][\"”’')\]]*\s+(?=[\"“‘(\[]?[A-Z0-9À-Þ])")
# Abbreviations whose dot does not end a sentence (English and Indonesian news).
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "jr",
        "sr",
        "gen",
        "lt",
        "col",
        "capt",
        "maj",
        "sgt",
        "adm",
        "gov",
        "sen",
        "rep",
        "no",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "dept",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.n",
        "u.k",
        "e.g",
        "i.e",
        "approx",
        "est",
        "ir",
        "drs",
        "hj",
        "h",
        "kh",
        "tn",
        "ny",
        "sdr",
        "jl",
        "kol",
        "brigjen",
        "mayjen",
        "letjen",
        "irjen",
        "kombes",
        "akbp",
        "dll",
        "dsb",
        "dst",
        "yth",
    ]
)
# "TRIBUNNEWS.COM - ", "JAKARTA, KOMPAS.com - ", "WASHINGTON (Reuters) - ": a dateline, not a sentence.
_DATELINE = re.compile(r"^\s*([A-Z][A-Za-z.]*[A-Z.][^\n\"“”]{0,50}?)\s+[-–—]{1,2}\s+")
# A dateline in title case, which `dateline_end` leaves alone (it cannot tell "Kathmandu, Sept. 8 —" from a name
# and a dash): up to three capitalized words, an optional ", date or outlet" or " (outlet)", then the dash. Only a
# place makes it a dateline; the tagger asks the gazetteer (`TITLED_DATELINE.match(text).group(1)`).
TITLED_DATELINE = re.compile(
    r"^([A-Z][\w'’.]*(?: [A-Z][\w'’.]*){0,2})(?:,[^\n\"“”\-–—]{1,30}| \([^)\n]{1,30}\))?\s+[-–—]{1,2}\s+"
)
# A capitalized name: 1-4 capitalized tokens, with the particles names carry (bin, al-, von der ...).
NAME = re.compile(r"[A-ZÀ-Þ][\w'’-]*(?:\s+(?:(?:bin|binti|al|el|van|von|der|de|da|di)\s+)?[A-ZÀ-Þ][\w'’-]*){0,3}")


def dateline_end(text: str) -> int:
    """Offset where the story starts after a leading dateline (0 when there is none)."""
    if "-" not in text and "–" not in text and "—" not in text:
        return 0  # no dash, no dateline: three C scans instead of a backtracking match
    m = _DATELINE.match(text)
    if not m:
        return 0
    prefix = m.group(1)
    first = prefix.split()[0].rstrip(",")
    # The first word is all capitals ("TRIBUNNEWS.COM", "JAKARTA,") or a bracketed source ends it.
    if (len(first) >= 3 and first.upper() == first) or prefix.endswith(")"):
        return m.end()
    return 0


def split_sentences(text: str, start: int = 0) -> list[tuple[int, int]]:
    """Sentence spans of `text` from `start`, not splitting after abbreviations or initials."""
    spans: list[tuple[int, int]] = []
    begin = start
    for m in _BOUNDARY.finditer(text, start):
        word_start = text.rfind(" ", begin, m.start()) + 1
        word = text[max(word_start, begin) : m.start()].lstrip('"“‘(').lower()
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        end = m.end()
        while end > begin and text[end - 1].isspace():
            end -= 1
        spans.append((begin, end))
        begin = m.end()
    tail = len(text)
    while tail > begin and text[tail - 1].isspace():
        tail -= 1
    if tail > begin:
        spans.append((begin, tail))
    return spans


def edit_distance_le1(a: str, b: str) -> bool:
    """True when `a` and `b` differ by at most one insertion, deletion or substitution."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]
