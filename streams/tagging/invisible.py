"""Characters that take no room (zero-width spaces and joiners, soft hyphens, bidi marks): out before tagging."""

from __future__ import annotations

import re
from dataclasses import replace

from streams.tagging.model import Entity, Event

__all__ = ["INVISIBLE", "restore", "strip"]

# Format characters that web pages and CMSs leave inside words and names ("Jo\u200bko", "Prab\u00adowo"): the soft
# hyphen, the Mongolian vowel separator, zero-width space/non-joiner/joiner, LRM/RLM, bidi embeddings, isolates and
# the word joiner, and the BOM. They change how text breaks or runs, never which words it holds.
INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def strip(text: str) -> tuple[str, list[int]] | None:
    """`text` without its invisible characters, and the offset in `text` of each kept character (plus the end);
    None when it has none.

    A zero-width space between a lower-case and an upper-case letter ("Joko\u200bWidodo") stands where a space
    was and becomes one; everywhere else invisible characters are dropped.
    """
    if INVISIBLE.search(text) is None:
        return None
    out: list[str] = []
    origin: list[int] = []
    last = len(text) - 1
    for at, char in enumerate(text):
        if INVISIBLE.match(char) is None:
            out.append(char)
            origin.append(at)
        elif char == "\u200b" and 0 < at < last and text[at - 1].islower() and text[at + 1].isupper():
            out.append(" ")
            origin.append(at)
    origin.append(len(text))
    return "".join(out), origin


def restore(
    entities: list[Entity], events: list[Event], originals: dict[int, tuple[str, list[int]]]
) -> tuple[list[Entity], list[Event]]:
    """Entities and events of stripped paragraphs with offsets and texts of the original paragraphs again.

    `originals` maps a paragraph index to (original text, `strip`'s offsets). Actor names and canonical forms
    stay as read from the stripped text: that is the name, without the characters that hid it.
    """

    def span(index: int, start: int, end: int) -> tuple[int, int]:
        origin = originals[index][1]
        return origin[start], origin[end - 1] + 1 if end > start else origin[start]

    fixed_entities = []
    for e in entities:
        if e.paragraph in originals:
            start, end = span(e.paragraph, e.start, e.end)
            e = replace(e, start=start, end=end, text=originals[e.paragraph][0][start:end])
        fixed_entities.append(e)
    fixed_events = []
    for v in events:
        if v.paragraph in originals:
            text = originals[v.paragraph][0]
            s0, s1 = span(v.paragraph, *v.sentence_span)
            t0, t1 = span(v.paragraph, *v.trigger_span)
            v = replace(v, sentence=text[s0:s1], sentence_span=(s0, s1), trigger=text[t0:t1], trigger_span=(t0, t1))
        fixed_events.append(v)
    return fixed_entities, fixed_events
