"""Turn PETRARCH2's CAMEO verb dictionary into Warta trigger rows through the CAMEO->PLOVER crosswalk.

Usage (from the repo root; the dictionary comes from openeventdata/petrarch2, MIT; needs `pip install wordfreq`):

    python tools/cameo_import.py CAMEO.2.0.txt ../shared/eval/plover/CAMEO2PLOVER-2021.txt \
        > streams/data/tagging/triggers_en_cameo.tsv

What is kept, and why:
- a verb block's own code (or a verb line's code) becomes a row with no `with=` words;
- a pattern "- * OBJECT ... [code]" becomes a row that fires only when one of its object words follows the verb
  (`with=`), the nearest Warta's matcher can do without a parse; `[---]` patterns become NONE rows (vetoes, e.g.
  "seize ... heroin" is no event) placed before the block's default so they win;
- a verb form without an object pattern is kept only when it is not an everyday word (wordfreq Zipf frequency
  below 4.0: "shelled", "besieged", "expelled" stay; "rule", "going", "taken", "protect", "building" go): CAMEO
  relies on a parse and a known actor on both sides, which a bare common verb does not have here;
- patterns with words only before the verb, or only function words after it, are dropped (no `with=` to test);
- CAMEO 01/02 (statements, appeals) have no PLOVER type in the crosswalk and are dropped;
- phrases that the hand-written `triggers_en.tsv` already has are skipped: its rows were tuned on Warta's dev
  sets and win over generated ones (the lexicon loads the hand file first and ignores these keys anyway).
Every generated row is weak (it needs a political actor or recipient, as the tagger requires of weak rows) and
`lower` (a capitalized form inside a sentence is part of a name: "Sudanese Armed Forces", "in March").
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

from wordfreq import zipf_frequency

HAND = Path(__file__).resolve().parent.parent / "streams" / "data" / "tagging" / "triggers_en.tsv"
# Words that say nothing about the object: a `with=` list of these would fire on almost any sentence.
FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "to",
        "of",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "into",
        "over",
        "against",
        "about",
        "as",
        "and",
        "or",
        "its",
        "their",
        "his",
        "her",
        "it",
        "they",
        "that",
        "this",
        "these",
        "those",
        "be",
        "is",
        "was",
        "were",
        "been",
        "up",
        "down",
        "out",
        "off",
        "back",
        "away",
        "after",
        "before",
        "during",
        "when",
        "while",
        "amid",
        "near",
        "under",
        "following",
        "between",
        "through",
        "because",
        "since",
        "until",
        "himself",
        "herself",
        "itself",
        "themselves",
    ]
)
# Verb forms that are mostly something else in news text, or too vague to be a trigger without a parse.
SKIP_FORMS = frozenset(
    line.strip()
    for line in (Path(__file__).resolve().parent / "cameo_skip.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
)
# Zipf frequency from which a verb form is an everyday word (4.0: about once in 100,000 words of English text).
EVERYDAY = 4.0
# From this Zipf frequency a verb form with object patterns only is left out too (5.0: about once in
# 10,000 words): every article hits it and the automaton pays for each hit, for a rare object match.
VERY_COMMON = 5.0
_BLOCK = re.compile(r"^---\s+(\S+)\s+\[([^\]]*)\]")
_CODE = re.compile(r"\[([0-9-]+)(?::[0-9-]*)?\]")


def crosswalk(path: Path) -> dict[str, tuple[str, str]]:
    """CAMEO code -> (PLOVER type, mode) from the 2021 crosswalk (a code's longest listed prefix)."""
    table: dict[str, tuple[str, str]] = {}
    for line in path.read_text("utf-8").splitlines():
        m = re.match(r"^(\d{2,4}):\s*([A-Z]+)\s*(?:,\s*([^,#]*))?", line)
        if m and m.group(1) not in table:
            table[m.group(1)] = (m.group(2), (m.group(3) or "").strip().replace(" ", "") or "-")
    return table


# The 2021 crosswalk sends 163 (impose embargo, boycott or sanctions) to COERCE; the PLOVER gold records and
# Warta's hand lexicon code imposed sanctions as SANCTION, so generated rows follow them.
OVERRIDES = {"163": ("SANCTION", "-", "16")}


def plover(code: str, table: dict[str, tuple[str, str]]) -> tuple[str, str, str] | None:
    """(type, mode, CAMEO root) of a CAMEO code, or None when the crosswalk has no type for it."""
    if code in OVERRIDES:
        return OVERRIDES[code]
    for n in range(len(code), 1, -1):
        if code[:n] in table:
            type_, mode = table[code[:n]]
            return type_, mode, code[:2]
    return None


def inflect(verb: str) -> list[str]:
    """Base, -s, -ed and -ing forms of a regular English verb (irregular ones are listed in the dictionary)."""
    v = verb
    vowels = "aeiou"
    double = len(v) <= 4 and len(v) >= 3 and v[-1] in "bdgmnprt" and v[-2] in vowels and v[-3] not in vowels
    if v.endswith(("s", "x", "z", "ch", "sh")):
        s = v + "es"
    elif v.endswith("y") and v[-2:-1] not in tuple(vowels):
        s = v[:-1] + "ies"
    else:
        s = v + "s"
    if v.endswith("e"):
        ed = v + "d"
    elif v.endswith("y") and v[-2:-1] not in tuple(vowels):
        ed = v[:-1] + "ied"
    elif double:
        ed = v + v[-1] + "ed"
    else:
        ed = v + "ed"
    if v.endswith("ie"):
        ing = v[:-2] + "ying"
    elif v.endswith("e") and not v.endswith("ee"):
        ing = v[:-1] + "ing"
    elif double:
        ing = v + v[-1] + "ing"
    else:
        ing = v + "ing"
    return [v, s, ed, ing]


def _words(token: str) -> str:
    return token.lstrip("+").replace("_", " ").lower()


def synsets(lines: list[str]) -> dict[str, list[str]]:
    """&NAME -> member phrases (lower case, with their listed plural/irregular forms)."""
    sets: dict[str, list[str]] = {}
    current: str | None = None
    for raw in lines:
        line = raw.split("#", 1)[0].strip()
        if line.startswith("&"):
            current = line.split()[0]
            sets[current] = []
        elif not line:
            current = None
        elif current is not None:
            head, _, rest = line.partition("{")
            sets[current].append(_words(head.strip()))
            sets[current] += [_words(f) for f in rest.rstrip("}").split()]
    return sets


def _pattern_words(post: str, sets: dict[str, list[str]]) -> set[str]:
    """The object words a pattern needs after its verb: the first content word of each alternative."""
    tokens = re.sub(r"[{}()]", " ", post).split()
    for token in tokens:
        if token in ("$", "+", "^", "%") or token.startswith(("$", "^", "%")):
            continue
        if token.startswith("&"):
            members = sets.get(token, [])
            heads = {m.split()[-1] for m in members if m}
            heads -= FUNCTION_WORDS
            if heads:
                return heads
            continue
        word = _words(token)
        if word and word not in FUNCTION_WORDS and word.isalpha():
            return {word}
    return set()


def verb_forms(line: str) -> tuple[list[str], str | None]:
    """The surface forms of one verb line ("HURRY {HURRIES HURRYING HURRIED}") and its own code, if any."""
    body = line.split("#", 1)[0]
    code = _CODE.search(body)
    body = _CODE.sub(" ", body)
    head, _, rest = body.partition("{")
    head = head.strip()
    if not head:
        return [], None
    base = _words(head.split()[0])
    listed = [_words(f) for f in rest.replace("}", " ").split()]
    if "{" in body or base.endswith(("ed", "ing")) or (base.endswith("en") and len(base) > 5):
        # Listed forms are the whole set ("{}" says: no others); an inflected head is its own form.
        return [base, *listed], code.group(1) if code else None
    if " " in base:
        first, _, tail = base.partition(" ")
        forms = [f"{f} {tail}" for f in inflect(first)]
    else:
        forms = inflect(base)
    return forms, code.group(1) if code else None


def convert(dictionary: Path, table: dict[str, tuple[str, str]], hand: set[str]) -> list[str]:
    """Trigger rows for every verb form the dictionary codes."""
    lines = dictionary.read_text("utf-8", errors="replace").splitlines()
    start = next(i for i, line in enumerate(lines) if "VERB PATTERNS" in line)
    sets = synsets(lines[:start])
    rows: list[str] = []
    emitted: set[str] = set()
    block_code: str | None = None
    forms_codes: list[tuple[list[str], str | None]] = []
    patterns: list[tuple[set[str], str]] = []

    def flush() -> None:
        by_target: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        vetoes: set[str] = set()
        for words, code in patterns:
            if code.startswith("-"):
                vetoes |= words
                continue
            coded = plover(code, table)
            if coded is not None:
                by_target[coded] |= words
        for forms, own in forms_codes:
            default = plover(own, table) if own and not own.startswith("-") else None
            if default is None and block_code and not block_code.startswith("-"):
                default = plover(block_code, table)
            for form in forms:
                if form in hand or form in emitted or form in SKIP_FORMS or not form.replace(" ", "").isalpha():
                    continue
                emitted.add(form)
                common = zipf_frequency(form, "en")
                keeps_default = default is not None and common < EVERYDAY
                if not keeps_default and common >= VERY_COMMON:
                    continue  # "told", "points", "win": a key hit in every article for a rare object match
                if vetoes and (default or by_target):
                    rows.append(f"{form}\tNONE\t-\t-\twith={'|'.join(sorted(vetoes))}")
                for (type_, mode, root), words in sorted(by_target.items()):
                    rows.append(f"{form}\t{type_}\t{mode}\t{root}\tlower with={'|'.join(sorted(words))}")
                if keeps_default:
                    type_, mode, root = default
                    rows.append(f"{form}\t{type_}\t{mode}\t{root}\tlower")

    for raw in lines[start + 1 :]:
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        block = _BLOCK.match(line)
        if block:
            flush()
            block_code = block.group(2).split(":")[0]
            forms_codes, patterns = [], []
        elif line.startswith("-"):
            code = _CODE.search(line)
            body = line.split("#", 1)[0]
            if code is None or "*" not in body:
                continue
            post = _CODE.sub(" ", body.split("*", 1)[1])
            words = _pattern_words(post, sets)
            if words:
                patterns.append((words, code.group(1)))
        else:
            forms_codes.append(verb_forms(line))
    flush()
    return rows


def main() -> None:
    dictionary, walk = Path(sys.argv[1]), Path(sys.argv[2])
    hand = set()
    for line in HAND.read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            hand.add(line.split("\t", 1)[0].rstrip("*").strip())
    rows = convert(dictionary, crosswalk(walk), hand)
    print("# lexicon: triggers_en_cameo@1")
    print("# Generated by tools/cameo_import.py from PETRARCH2's CAMEO verb dictionary (CAMEO.2.0.txt, MIT License,")
    print("# Copyright (c) 2015 Open Event Data Alliance) through the CAMEO->PLOVER 2021 crosswalk (CC BY-SA 4.0).")
    print("# Same columns as triggers_en.tsv; every row is weak. Regenerate rather than edit; hand rows go in")
    print("# triggers_en.tsv, which wins over this file for any phrase both have.")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
