"""Gazetteers, trigger lexicons and cue lists loaded from data files into Aho-Corasick automata."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TypeVar

import ahocorasick
import pycountry

from streams.errors import ConfigError
from streams.tagging.model import EVENT_TYPES

__all__ = [
    "Cue",
    "CueHit",
    "Hit",
    "Lexicon",
    "Name",
    "Scan",
    "Trigger",
    "lexicon_for",
    "normalize",
]

# Everything but letters and digits becomes a space, so " key " in the padded text is a whole-word match.
# Spaces are left alone (the regex would rewrite each one); ASCII text (95% of paragraphs) goes through a
# translate table, which is three times faster than the regex.
_NON_WORD = re.compile(r"[^\w ]|_")
_ASCII_NON_WORD = {i: " " for i in range(128) if not chr(i).isalnum()}
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")
_WORD = re.compile(r"\w")
# The same for ASCII bytes, lower-casing too: letters and digits lower-cased, NUL kept, the rest blanked.
_ASCII_FOLD_BUT_NUL = bytes(ord(chr(i).lower()) if chr(i).isalnum() or i == 0 else 32 for i in range(128)) + bytes(
    range(128, 256)
)
_HEADER = re.compile(r"#\s*lexicon:\s*(\S+@\S+)")
_TYPES = frozenset(EVENT_TYPES)
# Types whose sides act together: "antara X dan Y" / "between X and Y" / "X and Y agreed" is one act in both
# directions: X is the actor, Y the recipient, and the event says `mutual` (listing both on both sides made
# every pair look like two self-directed acts to consumers counting dyads). Rows flagged `mutual` join them.
_MUTUAL_TYPES = frozenset(("AGREE", "CONSULT", "COOPERATE"))


def normalize(text: str) -> str:
    """Lower-case, punctuation to spaces, padded with one space each side; same length plus two."""
    low = text.lower()
    if low.isascii():
        return " " + low.translate(_ASCII_NON_WORD) + " "
    if len(low) != len(text):  # a few characters ("İ") grow when lower-cased: keep offsets aligned
        low = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return " " + _NON_WORD.sub(" ", low) + " "


@dataclass(frozen=True, slots=True)
class Trigger:
    """One trigger-lexicon row."""

    type: str
    mode: str | None
    cameo: str
    strong: bool
    noun: bool
    deny: bool
    claim: bool
    with_words: frozenset[str]
    lexicon: str
    mutual: bool = False  # done together by its sides ("signed", "agreed", "met")
    lower: bool = False  # only in lower case: a capitalized word inside a sentence is a name ("Armed Forces")


@dataclass(frozen=True, slots=True)
class Name:
    """One gazetteer row: what a name refers to."""

    kind: str  # country | capital | place | person | org
    canonical: str
    type: str  # Entity type: COUNTRY | LOCATION | PERSON | ORG | MEDIA
    country: str | None
    role: str | None
    exact_case: bool  # abbreviations ("AS", "US", "WHO") only match in this exact case
    any_case: bool  # entries written in lower case ("warga Korea Utara") need no capital
    political: bool
    lexicon: str
    alias: str = ""  # the listed spelling, for exact-case entries


@dataclass(frozen=True, slots=True)
class Cue:
    """One cue-list row (speech verb, modality word, role word, actor class ...)."""

    kind: str
    lexicon: str


class Lexicon:
    """All the data files of one language, compiled into one Aho-Corasick automaton."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._entries: dict[str, list[Trigger | Name | Cue]] = {}
        self.country_names: dict[str, str] = {}  # ISO3 -> English display name
        self.fuzzy: dict[int, list[tuple[str, str]]] = {}  # length -> [(lower name, ISO3)]
        self.versions: dict[str, str] = {}
        self._load_countries()
        self._load_places()
        self._load_people()
        self._load_orgs()
        self._load_triggers()
        self._load_cues()
        self._load_not_names()
        self._inherit_prefix_rows()
        self.automaton = ahocorasick.Automaton()
        # For each row set whose first row needs "with=" words: word -> position of the first row it selects,
        # and the position of the first row without "with=" words (len(rows) if none). Keyed by the row tuple's
        # id (the automaton hands back the very tuple stored): picking a row is then a few dict lookups for the
        # words that follow a hit, not one set test per row (generated keys carry up to a dozen rows).
        self.with_index: dict[int, tuple[dict[str, int], int]] = {}
        for key, items in self._entries.items():
            # Items pre-split by kind, so scanning does no per-hit grouping work.
            names = tuple(i for i in items if isinstance(i, Name))
            triggers = tuple(i for i in items if isinstance(i, Trigger))
            # A cue hit only ever needs its first row's kind: store the kind, not the rows.
            cue = next((i.kind for i in items if isinstance(i, Cue)), None)
            if triggers and triggers[0].with_words:
                self.with_index[id(triggers)] = _with_index(triggers)
            self.automaton.add_word(key, (len(key), key.endswith(" "), names, triggers, cue))
        self.automaton.make_automaton()

    def _inherit_prefix_rows(self) -> None:
        """A whole-word trigger key also holds, after its own rows, the rows of the longest open key ("shell*")
        that matches its last word ("shelling"): the whole word wins at a place both match (see
        `_leftmost_longest`), and when none of its own rows applies the open key's rows still do."""
        opens = {k for k, rows in self._entries.items() if not k.endswith(" ") and _has_trigger(rows)}
        if not opens:
            return
        for key, items in self._entries.items():
            if not key.endswith(" ") or not _has_trigger(items):
                continue
            stem = key.rstrip(" ")
            word_start = stem.rfind(" ") + 1
            for length in range(len(stem), word_start, -1):
                if stem[:length] in opens:
                    inherited = [i for i in self._entries[stem[:length]] if isinstance(i, Trigger)]
                    own = [i for i in items if isinstance(i, Trigger)]
                    if all(self._generated(t) for t in own) and not all(self._generated(t) for t in inherited):
                        # A generated word ("launched" from CAMEO) under a hand-written stem ("launch*") keeps the
                        # hand rows only, as a generated phrase the hand file has does (see `_load_triggers`).
                        items[:] = [*(i for i in items if not isinstance(i, Trigger)), *inherited]
                    else:
                        items.extend(inherited)
                    break

    def _generated(self, row: Trigger) -> bool:
        return not row.lexicon.startswith(f"triggers_{self.language}@")

    # -- loading ---------------------------------------------------------------------------------
    def _rows(self, filename: str, columns: int) -> tuple[str, list[list[str]]]:
        try:
            text = resources.files("streams.data").joinpath("tagging", filename).read_text("utf-8")
        except FileNotFoundError as exc:
            raise ConfigError(f"tagging data file {filename!r} is missing") from exc
        header = _HEADER.search(text)
        name = header.group(1) if header else f"{filename.rsplit('.', 1)[0]}@0"
        self.versions[filename] = name
        rows = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            cells = [c.strip() for c in line.split("\t")]
            if len(cells) < columns:
                raise ConfigError(f"{filename}:{number}: expected {columns} tab-separated columns, got {len(cells)}")
            rows.append(cells)
        return name, rows

    @staticmethod
    def _key(phrase: str) -> str:
        key = normalize(phrase.rstrip("*"))
        return key.rstrip(" ") if phrase.endswith("*") else key  # open end: the match runs to the word's end

    def _add(self, phrase: str, item: Trigger | Name | Cue) -> None:
        key = self._key(phrase)
        if key.strip():
            self._entries.setdefault(key, []).append(item)

    def _lang_ok(self, lang: str) -> bool:
        return lang in ("*", "", self.language)

    def _load_countries(self) -> None:
        name, rows = self._rows("countries.tsv", 4)
        canonical = {code: alias for alias, code, _lang, kind in rows if kind == "canonical"}
        for country in pycountry.countries:
            code = country.alpha_3
            self.country_names.setdefault(
                code, canonical.get(code) or getattr(country, "common_name", None) or country.name
            )
            for attr in ("name", "common_name", "official_name"):
                value = getattr(country, attr, None)
                if value and "," not in value and "(" not in value:
                    self._add(
                        value,
                        Name(
                            "country", self.country_names[code], "COUNTRY", code, None, False, False, True, "pycountry"
                        ),
                    )
        for code, alias in canonical.items():
            self.country_names[code] = alias
        for alias, code, lang, kind in rows:
            if not self._lang_ok(lang):
                continue
            display = self.country_names.get(code, alias)
            self._add(
                alias,
                Name(
                    "capital" if kind == "capital" else "country",
                    display,
                    "COUNTRY",
                    code,
                    None,
                    kind == "abbr",
                    alias[:1].islower(),
                    True,
                    name,
                    alias,
                ),
            )
            if kind in ("canonical", "name") and len(alias) >= 6:
                # Typo tolerance (edit distance 1) only for long names: "Kraina" for "Ukraina".
                self.fuzzy.setdefault(len(alias), []).append((alias.lower(), code))

    def _load_places(self) -> None:
        name, rows = self._rows("places.tsv", 2)
        for place, code in rows:
            self._add(place, Name("place", place, "LOCATION", code or None, None, False, False, False, name))

    def _load_people(self) -> None:
        name, rows = self._rows("people.tsv", 3)
        for row in rows:
            full, code, role = row[0], row[1] or None, row[2] or None
            aliases = [full, *(a for a in (row[3].split("|") if len(row) > 3 else []) if a)]
            for alias in aliases:
                self._add(alias, Name("person", full, "PERSON", code, role, False, False, True, name))

    def _load_orgs(self) -> None:
        name, rows = self._rows("organizations.tsv", 5)
        for alias, canonical, kind, code, political in rows:
            exact = sum(c.isupper() for c in alias) >= 2 and not any(c.islower() for c in alias.split(".")[0])
            self._add(
                alias, Name("org", canonical, kind, code or None, None, exact, False, political == "y", name, alias)
            )

    def _load_triggers(self) -> None:
        hand = f"triggers_{self.language}.tsv"
        self._load_trigger_file(hand, taken=frozenset())
        # Generated files (`triggers_en_cameo.tsv`, from the CAMEO verb dictionary) add phrases the hand file
        # lacks; a phrase the hand file has keeps its hand-tuned rows only.
        taken = frozenset(k for k, items in self._entries.items() if any(isinstance(i, Trigger) for i in items))
        for extra in self._extra_files(f"triggers_{self.language}_"):
            self._load_trigger_file(extra, taken)

    def _load_trigger_file(self, filename: str, taken: frozenset[str]) -> None:
        name, rows = self._rows(filename, 4)
        for row in rows:
            phrase, type_, mode, cameo = row[:4]
            if type_ not in _TYPES and type_ != "NONE":  # NONE: an idiom that is no event
                raise ConfigError(f"{filename}: unknown PLOVER type {type_!r} for {phrase!r}")
            if taken and self._key(phrase) in taken:
                continue
            flags = row[4].split() if len(row) > 4 else []
            with_words = frozenset(w for f in flags if f.startswith("with=") for w in f[5:].split("|"))
            self._add(
                phrase,
                Trigger(
                    type_,
                    None if mode in ("-", "") else mode,
                    cameo,
                    "strong" in flags,
                    "noun" in flags,
                    "deny" in flags,
                    "claim" in flags,
                    with_words,
                    name,
                    "mutual" in flags or type_ in _MUTUAL_TYPES,
                    "lower" in flags,
                ),
            )

    def _load_cues(self) -> None:
        name, rows = self._rows(f"cues_{self.language}.tsv", 2)
        for phrase, kind in rows:
            self._add(phrase, Cue(kind, name))
        # Generated cue files (`cues_en_agents.tsv`, from the Phoenix agent dictionary) add phrases only.
        taken = frozenset(k for k, items in self._entries.items() if any(isinstance(i, Cue) for i in items))
        for extra in self._extra_files(f"cues_{self.language}_"):
            name, rows = self._rows(extra, 2)
            for phrase, kind in rows:
                if self._key(phrase) not in taken:
                    self._add(phrase, Cue(kind, name))

    @staticmethod
    def _extra_files(prefix: str) -> list[str]:
        folder = resources.files("streams.data").joinpath("tagging")
        return sorted(p.name for p in folder.iterdir() if p.name.startswith(prefix) and p.name.endswith(".tsv"))

    def _load_not_names(self) -> None:
        # Looked up by word, not scanned: as automaton keys these common words would add hits everywhere.
        _, rows = self._rows("not_names.tsv", 2)
        for word, kind in rows:
            if kind not in ("function", "generic", "org_head"):
                raise ConfigError(f"not_names.tsv: unknown kind {kind!r} for {word!r}")
        self.not_names = frozenset(word for word, kind in rows if kind != "org_head")  # nor part of an alias
        self.function_words = frozenset(word for word, kind in rows if kind == "function")
        self.generic_nouns = frozenset(word for word, kind in rows if kind == "generic")
        self.org_heads = frozenset(word for word, kind in rows if kind == "org_head")

    # -- matching --------------------------------------------------------------------------------
    def scan(self, text: str) -> Scan:
        """All whole-word hits in `text`, longest-leftmost within each kind (names, triggers, cues)."""
        norm = normalize(text)
        names: list[Hit[Name]] = []
        triggers: list[Hit[Trigger]] = []
        cues: list[CueHit] = []
        for end, (length, closed, name_items, trigger_items, cue_kind) in self.automaton.iter(norm):
            start = end - length + 1  # index of the leading space in `norm` == text offset of the word
            # closed keys: drop the trailing space (and the pad); open keys run to the end of the word
            stop = end - 1 if closed else norm.find(" ", end + 1) - 1
            if name_items:
                names.append((start, stop, name_items))
            if trigger_items:
                triggers.append((start, stop, trigger_items))
            if cue_kind is not None:
                cues.append((start, stop, cue_kind))
        return Scan(norm, _leftmost_longest(names), _leftmost_longest(triggers), _leftmost_longest(cues))

    def scan_all(self, texts: Sequence[str]) -> list[Scan]:
        """`[scan(t) for t in texts]` in one automaton pass over the article.

        One pass for the article instead of per paragraph: the per-paragraph calls cost as much as the hits.
        The normalized paragraphs are joined by NUL, which no key holds, so no hit crosses a paragraph and
        each paragraph gets exactly the hits `scan` gives it.
        """
        whole = "\0".join(texts)
        if whole.isascii() and whole.count("\0") == len(texts) - 1:
            # `normalize` of the whole article in one bytes translate (lower-case and blank punctuation at
            # once; ten times faster than `lower` + `str.translate`). NUL survives, and replacing it by
            # " NUL " gives each paragraph the pad spaces `normalize` adds.
            inner = whole.encode("ascii").translate(_ASCII_FOLD_BUT_NUL).decode("ascii")
            joined = " " + inner.replace("\0", " \0 ") + " "
            norms = joined.split("\0")
        else:
            low = whole.lower()
            if len(low) == len(whole) and whole.count("\0") == len(texts) - 1:
                # UTF-8 bytes: the ASCII ones are blanked as above (multi-byte sequences hold no ASCII byte),
                # then the few distinct non-ASCII non-word characters (curly quotes, dashes) are replaced.
                # Four times faster than the regex, which matched at every punctuation mark.
                utf8 = low.encode("utf-8", "surrogatepass").translate(_ASCII_FOLD_BUT_NUL)
                inner = utf8.decode("utf-8", "surrogatepass")
                for char in set(_NOT_ASCII.findall(low)):
                    if not _WORD.match(char):
                        inner = inner.replace(char, " ")
                joined = " " + inner.replace("\0", " \0 ") + " "
                norms = joined.split("\0")
            else:  # a paragraph holds NUL or a letter that grows when lower-cased: one by one
                norms = [normalize(t) for t in texts]
                joined = "\0".join(norms)
        # Hits come in order of their end, so each paragraph's hits are contiguous: they go straight into
        # per-paragraph lists, in paragraph offsets (no second pass to split the article's lists).
        count = len(norms)
        names_of: list[list[Hit[Name]]] = [[] for _ in range(count)]
        triggers_of: list[list[Hit[Trigger]]] = [[] for _ in range(count)]
        cues_of: list[list[CueHit]] = [[] for _ in range(count)]
        index = 0
        base = 0
        limit = len(norms[0])  # offset of the NUL after the paragraph
        names, triggers, cues = names_of[0], triggers_of[0], cues_of[0]
        # Leftmost-longest needs a sort only where two hits of a kind overlap (a shorter key inside a
        # longer one, "korea" in "korea utara"): hits that each start at or after the previous one's stop
        # are already the answer. Tracked per kind and paragraph.
        name_stop = trigger_stop = cue_stop = -1
        name_overlaps: list[int] = []  # paragraphs where two hits of the kind overlap
        trigger_overlaps: list[int] = []
        cue_overlaps: list[int] = []
        for end, (length, closed, name_items, trigger_items, cue_kind) in self.automaton.iter(joined):
            if end > limit:
                while end > limit:
                    index += 1
                    base = limit + 1
                    limit = base + len(norms[index])
                names, triggers, cues = names_of[index], triggers_of[index], cues_of[index]
                name_stop = trigger_stop = cue_stop = -1
            start = end - length + 1 - base
            # Open keys run to the end of the word: the paragraph's trailing pad space bounds the find.
            stop = (end if closed else joined.find(" ", end + 1)) - 1 - base
            if cue_kind is not None:
                if start < cue_stop:
                    cue_overlaps.append(index)
                cue_stop = stop
                cues.append((start, stop, cue_kind))
            if name_items:
                if start < name_stop:
                    name_overlaps.append(index)
                name_stop = stop
                names.append((start, stop, name_items))
            if trigger_items:
                if start < trigger_stop:
                    trigger_overlaps.append(index)
                trigger_stop = stop
                triggers.append((start, stop, trigger_items))
        for at in name_overlaps:
            names_of[at] = _leftmost_longest(names_of[at])
        for at in trigger_overlaps:
            triggers_of[at] = _leftmost_longest(triggers_of[at])
        for at in cue_overlaps:
            cues_of[at] = _leftmost_longest(cues_of[at])
        return [Scan(*scan) for scan in zip(norms, names_of, triggers_of, cues_of, strict=True)]


def _has_trigger(items: list[Trigger | Name | Cue]) -> bool:
    return any(isinstance(i, Trigger) for i in items)


def _with_index(rows: tuple[Trigger, ...]) -> tuple[dict[str, int], int]:
    words: dict[str, int] = {}
    for at, row in enumerate(rows):
        if not row.with_words:
            return words, at
        for word in row.with_words:
            words.setdefault(word, at)
    return words, len(rows)


_T = TypeVar("_T", Name, Trigger, Cue)
# (start, end, rows): `start`/`end` are offsets into the original text.
Hit = tuple[int, int, tuple[_T, ...]]
# (start, end, kind) of a cue word: its first row's kind is all a cue hit is read for.
CueHit = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Scan:
    """The whole-word hits of one text by kind, each list sorted by start and free of overlaps."""

    norm: str
    names: list[Hit[Name]]
    triggers: list[Hit[Trigger]]
    cues: list[CueHit]


_H = TypeVar("_H", Hit[Name], Hit[Trigger], CueHit)


def _leftmost_longest(hits: list[_H]) -> list[_H]:
    if len(hits) < 2:
        return hits
    # At one start the longest hit wins; of hits with the same span, the one found last ended last in the
    # automaton, so it is the more specific key (a whole word, "shelling", over an open key, "shell*"): reversed
    # first, the stable sort keeps it ahead of its tie.
    hits.reverse()
    hits.sort(key=lambda h: (h[0], h[0] - h[1]))
    out = []
    last = -1
    for hit in hits:
        if hit[0] >= last:
            out.append(hit)
            last = hit[1]
    return out


@cache
def lexicon_for(language: str) -> Lexicon:
    """The compiled lexicon of a language ("id" or "en"; anything else falls back to English)."""
    return Lexicon("id" if language.lower().startswith(("id", "in", "ms")) else "en")
