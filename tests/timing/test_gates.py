"""The pattern gates skip only regexes that cannot match: gated matches equal a plain finditer of every pattern."""

from __future__ import annotations

import json
import random
import re
import string
import sys
from pathlib import Path

import pytest

from streams.timing.extract import _finditer_at
from streams.timing.lexicon import lexicon

DATA = Path(__file__).parent.parent / "data"


def _corpus() -> list[str]:
    texts = [
        json.loads(line)["text"]
        for name in ("dev_id", "dev_en", "anaphora")
        for line in (DATA / "timing" / f"{name}.jsonl").read_text("utf-8").splitlines()
        if line
    ]
    texts += (DATA / "timing" / "seed_000.txt").read_text("utf-8").split("\n")
    for line in (DATA / "tagging" / "bench_articles.jsonl").read_text("utf-8").splitlines():
        texts += json.loads(line)["paragraphs"]
    for path in sorted((DATA / "tagging").glob("snippets_*.tsv")):
        texts += [line.split("\t")[1] for line in path.read_text("utf-8").splitlines() if "\t" in line]
    return texts


def _mutations(texts: list[str]) -> list[str]:
    """Case, spacing and punctuation changes where gates could go wrong: glued digits, odd folds, hyphens."""
    rng = random.Random(13)
    out = []
    for text in texts:
        out.append(text.upper())
        out.append(re.sub(r"\s+", lambda m: rng.choice([" ", "  ", "\n", "-", "", "'", " (", "5"]), text))
        out.append(text.replace("i", "\u0131").replace("k", "\u212a"))
        out.append("".join(c.upper() if rng.random() < 0.3 else c for c in text) + " \u0663")
    words = [
        "dua",
        "hari",
        "2",
        "tahun",
        "2024",
        "akhir",
        "pekan",
        "lalu",
        "Senin",
        "jum'at",
        "Okt",
        "mei",
        "the",
        "past",
        "a",
        "few",
        "days",
        "5hari",
        "13/10",
        "pukul",
        "07.30",
        "WIB",
        "PT2H",
        "p.m.",
        "ini",
        "ago",
        "kemudian",
        "sebelumnya",
        "itu",
        "keesokan",
        "harinya",
        "tanggal",
        "24",
        "kemarin",
        "that",
        "next",
        "day",
        "later",
        "before",
    ]
    for _ in range(3000):
        out.append(" ".join(rng.choice(words + list(string.punctuation)) for _ in range(rng.randint(1, 12))))
    return out


def _spans(matches: object) -> list[tuple[int, int, tuple[str | None, ...]]]:
    return [(m.start(), m.end(), m.groups()) for m in matches]  # type: ignore[attr-defined]


def test_fold_set_is_complete() -> None:
    """Every non-ASCII character that re.IGNORECASE matches to an ASCII letter or digit is in the fold set."""
    ascii_alnum = re.compile("[a-z0-9]", re.IGNORECASE)
    odd = [
        chr(cp)
        for cp in range(128, sys.maxunicode + 1)
        if ascii_alnum.fullmatch(chr(cp)) or any(c in string.ascii_lowercase for c in chr(cp).lower())
    ]
    assert odd == ["\u0130", "\u0131", "\u017f", "\u212a"]


@pytest.mark.parametrize("mutate", [False, True])
def test_gated_matches_equal_plain_finditer(mutate: bool) -> None:
    lex = lexicon()
    texts = _corpus()
    if mutate:
        texts = _mutations(texts)
    for text in texts:
        selected = dict(lex.gates.select(text, lex.precheck))
        passes_precheck = lex.precheck.search(text) is not None
        for pattern in lex.patterns:
            plain = _spans(pattern.regex.finditer(text)) if passes_precheck else []
            if pattern.requires and not any(w in text.lower() for w in pattern.requires):
                plain = []  # the "requires" words are the data's own condition, not a gate's
            if pattern not in selected:
                assert plain == [], (pattern.name, text)
                continue
            starts = selected[pattern]
            matches = pattern.regex.finditer(text) if starts is None else _finditer_at(pattern.regex, text, starts)
            gated = _spans(matches)
            assert gated == plain, (pattern.name, text)
