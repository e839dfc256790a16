"""The default rule-based tagger: gazetteer entities, lexicon triggers, attribution and modality."""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections.abc import Callable, Collection, Sequence
from dataclasses import MISSING, dataclass, field, fields, replace
from operator import attrgetter, itemgetter
from typing import Any, TypeVar

from streams.geo import gazetteer
from streams.tagging import invisible
from streams.tagging.lexicon import CueHit, Lexicon, Scan, Trigger, lexicon_for
from streams.tagging.model import Actor, Entity, Event, Place, TagResult
from streams.tagging.text import NAME, TITLED_DATELINE, dateline_end, edit_distance_le1, split_sentences

__all__ = ["RuleTagger", "event_id"]

_QUOTES_OPEN = '"“'
_QUOTES_CLOSE = '"”'
_COORD = re.compile(r"^\s*(?:,|dan|and|&|serta)\s*$")
_PASSIVE_EN = frozenset(("was", "were", "been", "being", "is", "are"))
_DETERMINERS = frozenset(("the", "a", "an", "its", "their", "his", "her", "our", "those", "these"))
# State bodies (group cues, lower-cased) that act for the state of the place they are placed in ("authorities in
# Minsk", "polisi di Istanbul"); protesters or rebels there do not.
_STATE_GROUPS = frozenset(
    (
        "authorities",
        "police",
        "officials",
        "official",
        "government",
        "army",
        "military",
        "troops",
        "soldiers",
        "forces",
        "security forces",
        "regime",
        "junta",
        "prosecutors",
        "pihak berwenang",
        "otoritas",
        "pemerintah",
        "militer",
        "tentara",
        "pasukan",
        "polisi",
        "kepolisian",
        "aparat",
        "aparat keamanan",
        "aparat kepolisian",
        "penyidik",
        "jaksa",
        "pejabat",
    )
)
# A sentence that opens by setting itself in a past century's year tells history, whatever it holds.
_HISTORY = re.compile(r"(?:History lesson: )?(?:In|Pada|Sejak)\b[^,.;\n]{0,24}?\b1[0-9]{3}\b")
# Blame and warnings: addressed to nobody, in a non-political sentence, they are no event (an appeal to
# donors after a drought is, though the donors are no named recipient).
_ADDRESSED = frozenset(("ACCUSE", "THREATEN"))
# People a town must have to count as the place of an act when words stand between it and "in"/"di".
_TOWN = 15_000
# Mention types that never act or receive (a place, an outlet, an unnamed source).
_NOT_SIDES = frozenset(("LOCATION", "MEDIA", "SOURCE"))
# Words that open a noun phrase of its own ("said the attack began", "kata Kim, rudal itu menghantam"): after a
# speech verb, an act behind one of them has its own subject, which is not the speaker.
_NP_WORDS = frozenset(("the", "a", "an", "this", "these", "those", "itu", "ini", "tersebut", "sebuah", "suatu", "para"))
_ARTICLES_EN = frozenset(("the", "a", "an", "this", "these", "those"))
_DEMONSTRATIVES_ID = frozenset(("itu", "ini", "tersebut"))
# Speech verbs that take the act itself as their object ("Russia announced a mobilisation"): the announcer
# does what he announces. Other speech verbs ("said", "kata") report a clause with its own subject.
_ANNOUNCE = frozenset(("announced", "announces", "announce", "declared", "declares", "declare"))
# Near a border, a place is on either side of it.
_BORDER = frozenset(("border", "borders", "frontier", "perbatasan", "tapal"))
# Speech verbs whose first object is whom they address ("told reporters ...").
_TELL = frozenset(("told", "tells", "tell"))
# A complementizer right after a speech verb ("said that", "mengatakan bahwa").
_THAT = frozenset(("that", "bahwa"))
# Claiming an act as one's own ("claimed responsibility for the bombing", "mengaku bertanggung jawab atas").
_RESPONSIBILITY = frozenset(("responsibility", "credit", "bertanggung", "tanggung"))
# A verb joined to the previous one shares its subject ("said ... and accused Moscow").
_AND = frozenset(("and", "dan", "serta", "lalu", "kemudian", "then"))
# Before a mention, the giver of a transfer ("aid from Japan", "senjata dari Iran").
_FROM = frozenset(("from", "dari"))
# Before a mention, a side other than the subjects ("signed a deal with Iran", "a truce between Israel and ...").
_WITH = frozenset(("with", "dengan", "between", "antara"))
# A trigger these words lead up to is only likened to ("kesepakatan yang menyerupai aliansi militer", "a pact
# resembling an alliance"): a description of another act, no event of its own.
_LIKENESS = frozenset(
    ("menyerupai", "mirip", "serupa", "layaknya", "resembling", "resembles", "resemble", "akin", "tantamount")
)
# SOURCE: an unnamed source ("witnesses", "pengamat"), a speaker but never an actor or recipient.
_SPEAKER_TYPES = ("PERSON", "MEDIA", "ORG", "COUNTRY", "GROUP", "SOURCE")
_NON_ALNUM = re.compile(r"[\W_]")
# English "Smith said": the capitalized run right before the speech verb (see `_name_before`).
_CAPITAL = re.compile(r"[A-ZÀ-Þ]")
_NAME_TAIL = re.compile(r"\s*,?\s*")
# An event nobody is said to do ("thousands marched", "penempatan pasukan") is kept, since agentless
# reports are common, but scores at most this, below any event with an actor.
_NO_ACTOR_CONFIDENCE = 0.6
_NO_CUES: list[_Cue] = []  # shared, never mutated
_cue_start = itemgetter(0)
# Words between an Indonesian di- verb and its agent without "oleh" ("ditangkap petugas BNN").
_AGENT_NOUNS = frozenset(("petugas", "aparat", "anggota", "tim", "pasukan", "personel", "pihak", "prajurit"))
# Easing acts (CAMEO 08): a restriction named right after one ("lifted a curfew") is their object.
_EASING = frozenset(("CONCEDE", "RETREAT"))
_RESTRICTIONS = frozenset(("COERCE", "SANCTION"))
# Arrests and detentions: COERCE whenever a state body makes them, in a crime report too ("police arrested two
# men suspected of stealing livestock"), since PLOVER codes the state's act, not the crime.
_CUSTODY = frozenset(("arrest", "detain", "raid"))
# Acts whose announced future form is a threat.
_COERCIVE = frozenset(("SANCTION", "COERCE", "ASSAULT"))
# Acts whose announced future form is a promise (CAMEO 03, "express intent to cooperate, aid, yield, meet", is
# PLOVER AGREE) and whose announced refusal ("would not release", "tidak akan menarik") is a REJECT (CAMEO 12).
_COOPERATIVE = frozenset(("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT"))
# Acts that stay political in a disaster, crime or sport sentence when a political side does them ("the district
# government asked for aid after the flood", "Colombia recalled its ambassador over drug policy"); force,
# protest and mobilization there are usually the crime or the rescue itself.
_STATECRAFT = frozenset(
    ("AID", "REQUEST", "SANCTION", "CONSULT", "AGREE", "SUPPORT", "COOPERATE", "ACCUSE", "REJECT", "RETREAT")
)
# The cue kinds each step of entity collection reads (`_find_people`, `_mark_positions`, `_add_groups`).
_PEOPLE_CUES = frozenset(("role", "speech", "source", "honorific"))
_POSITION_CUES = frozenset(("locative", "comitative"))
_GROUP_CUES = frozenset(("partners", "allies", "role", "group", "group_np", "unnamed"))
# A paragraph without names, triggers or known aliases yields nothing and changes no article state unless
# one of these cue kinds starts a person, a group or attribution ("locative", "negation" ... need more).
_ACTIVE_CUES = _PEOPLE_CUES | _GROUP_CUES | {"speech", "speech_pro"}
_by_start = attrgetter("start")
# A mention's last fields (not locative, not comitative, not fuzzy, lexicon "rules") as positional arguments:
# keyword arguments cost a third more in the generated __init__.
_PLAIN_RULES = (False, False, False, "rules")
# How many paragraphs back a request without an addressee may find "mitra kita"/"our partners".
_PARTNER_REACH = 2
_V = TypeVar("_V")


def _slot_constructor(cls: type[_V]) -> Callable[..., _V]:
    """`cls(...)` for a frozen slots dataclass, setting each slot through its descriptor.

    The generated frozen `__init__` goes through `object.__setattr__` per field: 0.95 us per `Entity` (about
    35 per typical article), 2.6 us per `Event`. This makes the same object (same class, same slots, same
    values; defaults and keywords as in `cls`) in half the time. Like `dataclasses`, it compiles the function.
    """
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    env: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    params = []
    for f in fields(cls):  # type: ignore[arg-type]
        env[f"_set_{f.name}"] = getattr(cls, f.name).__set__
        if f.default is MISSING:
            params.append(f.name)
        else:
            env[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
    body = "".join(f"\n    _set_{name}(obj, {name})" for name in names)
    exec(f"def make({', '.join(params)}):\n    obj = _new(_cls){body}\n    return obj", env)
    make: Callable[..., _V] = env["make"]
    return make


_new_entity = _slot_constructor(Entity)
_new_event = _slot_constructor(Event)
_new_actor = _slot_constructor(Actor)
_new_place = _slot_constructor(Place)


def event_id(article_id: str, paragraph: int, trigger_start: int, type_: str) -> str:
    """Deterministic event id: blake2b over article, paragraph, trigger offset and type."""
    key = f"{article_id}\x1f{paragraph}\x1f{trigger_start}\x1f{type_}".encode()
    return hashlib.blake2b(key, digest_size=10).hexdigest()


@dataclass(slots=True)
class _Mention:
    """A candidate entity or actor inside one paragraph (internal, mutable while resolving)."""

    start: int
    end: int
    type: str  # PERSON | ORG | LOCATION | COUNTRY | MEDIA | GROUP
    canonical: str
    country: str | None
    role: str | None = None
    political: bool = True
    locative: bool = False
    comitative: bool = False
    fuzzy: bool = False
    lexicon: str | None = None


@dataclass(slots=True)
class _Person:
    canonical: str
    country: str | None
    role: str | None


@dataclass(slots=True)
class _Article:
    """What one article has established so far: people (for "Kim" = Kim Yong-hyun) and speakers."""

    whole: str  # the tagged paragraphs joined by NUL
    bases: list[int]  # offset of each tagged paragraph in `whole`
    aliases: dict[str, _Person] = field(default_factory=dict)
    # Per tagged paragraph: the aliases that occur in it, in the order they were learned (the order of
    # `aliases`). Searched once per alias in the article instead of once per alias and paragraph.
    occurring: list[list[str]] = field(default_factory=list)
    last_person: _Person | None = None
    last_speaker: _Mention | None = None
    partners: tuple[int, str] | None = None  # (paragraph, "partners" | "allies") last mentioned
    # (paragraph, side, other side) of the last mutual act between two countries ("South Korea and Japan agreed").
    pair: tuple[int, _Mention, _Mention] | None = None

    def learn(self, alias: str, person: _Person, position: int) -> None:
        """`aliases[alias] = person`, noting where a new alias occurs from paragraph `position` on."""
        if alias not in self.aliases:
            whole, bases, occurring = self.whole, self.bases, self.occurring
            last = len(bases) - 1
            at = whole.find(alias, bases[position])
            while at != -1:
                # No alias holds NUL, so an occurrence never crosses a paragraph.
                here = bisect_right(bases, at) - 1
                occurring[here].append(alias)
                if here == last:
                    break
                at = whole.find(alias, bases[here + 1])
        self.aliases[alias] = person


# A cue word: (start, end, kind), in paragraph offsets.
_Cue = CueHit


class RuleTagger:
    """Gazetteer + trigger-lexicon tagger (the default `Tagger`)."""

    name = "rules"

    def tag(
        self, paragraphs: Sequence[str], *, article_id: str, language: str, skip: Collection[int] = ()
    ) -> TagResult:
        """Entities and events of one article; paragraphs in `skip` contribute nothing."""
        lex = lexicon_for(language)
        entities: list[Entity] = []
        events: list[Event] = []
        skipped = set(skip)
        todo = [(index, text) for index, text in enumerate(paragraphs) if text and index not in skipped]
        if not todo:
            return TagResult(entities, events)
        texts = [text for _, text in todo]
        # Zero-width and bidi characters inside names ("Jo\u200bko Widodo") would split them: tag the text without
        # them and give offsets into the original (one search per article; such text is rare).
        originals: dict[int, tuple[str, list[int]]] = {}
        whole = "\0".join(texts)
        if invisible.INVISIBLE.search(whole) is not None:
            for position, (index, text) in enumerate(todo):
                stripped = invisible.strip(text)
                if stripped is not None:
                    originals[index] = (text, stripped[1])
                    todo[position] = (index, stripped[0])
            texts = [text for _, text in todo]
            whole = "\0".join(texts)
        bases = [0]
        for text in texts[:-1]:
            bases.append(bases[-1] + len(text) + 1)
        state = _Article(whole, bases, occurring=[[] for _ in texts])
        scans = lex.scan_all(texts)
        occurring = state.occurring
        for position, ((index, text), scan) in enumerate(zip(todo, scans, strict=True)):
            if (
                not scan.names
                and not scan.triggers
                and not occurring[position]
                and _ACTIVE_CUES.isdisjoint([cue[2] for cue in scan.cues])
            ):
                continue  # nothing to find a mention, group, speaker or event from (a sixth of typical news)
            _Paragraph(lex, state, index, position, text, article_id, scan).run(entities, events)
        if originals:
            entities, events = invisible.restore(entities, events, originals)
        return TagResult(entities, events)


class _Paragraph:
    """Tagging of one paragraph; article-level memory lives in `_Article`."""

    __slots__ = (
        "_merged",
        "_spans",
        "article_id",
        "cues",
        "cues_by_kind",
        "en",
        "index",
        "lex",
        "mentions",
        "norm",
        "position",
        "speakers",
        "state",
        "story_start",
        "text",
        "triggers",
    )

    def __init__(
        self, lex: Lexicon, state: _Article, index: int, position: int, text: str, article_id: str, scan: Scan
    ) -> None:
        self.lex = lex
        self.state = state
        self.index = index
        self.position = position  # among the tagged paragraphs (`index` counts skipped ones too)
        self.text = text
        self.article_id = article_id
        self.en = lex.language == "en"
        self.norm = scan.norm
        self.story_start = dateline_end(text) or self._titled_dateline(text)
        self.mentions: list[_Mention] = []
        self.cues: list[_Cue] = []
        # The same cues by kind: event assembly asks "is there a negation/future/... cue before x" many times.
        self.cues_by_kind: dict[str, list[_Cue]] = {}
        self._merged: dict[tuple[str, ...], list[_Cue]] = {}
        # Who a speech/source cue names as speaker, by cue start (set by `_attribute`).
        self.speakers: dict[int, _Mention | None] = {}
        self._spans: list[tuple[int, int]] | None = None
        self.triggers: list[tuple[int, int, tuple[Trigger, ...]]] = []
        self._collect(scan)

    # -- entities ----------------------------------------------------------------------------------
    def _collect(self, scan: Scan) -> None:
        text = self.text
        story = self.story_start
        append = self.mentions.append
        for start, end, names in scan.names:
            first = names[0]
            if first.exact_case:
                surface = text[start:end]
                if not any(_same(surface, i.alias) for i in names):
                    continue
            elif not first.any_case and not text[start : start + 1].isupper():
                continue
            if end <= story and first.type != "MEDIA":
                continue
            if first.kind == "capital" and self._in_longer_name(start, scan.cues):
                # "Real Madrid", "DKI Jakarta": the city inside a longer name, not the government.
                append(
                    _Mention(
                        start,
                        end,
                        "LOCATION",
                        text[start:end],
                        first.country,
                        None,
                        False,
                        False,
                        False,
                        False,
                        first.lexicon,
                    )
                )
                continue
            append(
                _Mention(
                    start,
                    end,
                    first.type,
                    first.canonical,
                    first.country,
                    "capital" if first.kind == "capital" else first.role,
                    first.political,
                    False,  # positional: keyword arguments cost a third more in the generated __init__
                    False,
                    False,
                    first.lexicon,
                )
            )
        self._add_cues(scan.cues)
        self.triggers = [t for t in scan.triggers if t[0] >= story] if story else scan.triggers
        # Each step below reads only its own cue kinds: skip the call when none of them is here.
        kinds = self.cues_by_kind.keys()
        if not kinds.isdisjoint(_PEOPLE_CUES):
            self._find_people()
        self._find_aliases()
        if not kinds.isdisjoint(_POSITION_CUES):
            self._mark_positions()
        if "business" in kinds:
            self._mark_business()
        if not kinds.isdisjoint(_GROUP_CUES):
            self._add_groups()
        if len(self.mentions) > 1:
            self.mentions.sort(key=_by_start)

    def _mention_before(self, pos: int) -> _Mention | None:
        """The mention right before the word at `pos` ("Israeli officials", "Israel's defence minister")."""
        if pos < 2:
            return None
        before = self._mention_at(pos - 2)
        if before is None and pos >= 4 and self.text[pos - 3] in "'’" and self.text[pos - 2] == "s":
            before = self._mention_at(pos - 4)
        return before

    def _in_longer_name(self, start: int, cues: list[_Cue]) -> bool:
        """Whether a capitalized word that is no cue ("Real", not "Pemerintah" or "President") comes right before."""
        text = self.text
        if start < 2 or text[start - 1] != " ":
            return False
        word_start = text.rfind(" ", 0, start - 1) + 1
        word = text[word_start : start - 1]
        if not word[:1].isupper() or not word.isalpha() or word.lower() in self.lex.not_names:
            return False
        return not any(cue[0] <= word_start < cue[1] for cue in cues)

    def _add_cues(self, hits: list[_Cue]) -> None:
        story = self.story_start
        # The scan's tuples are the cues: no object per cue word (about 50 per article).
        self.cues = cues = [h for h in hits if h[0] >= story] if story else hits
        by_kind = self.cues_by_kind
        for cue in cues:
            kind = cue[2]
            if kind in by_kind:
                by_kind[kind].append(cue)
            else:
                by_kind[kind] = [cue]

    def _cues(self, *kinds: str) -> list[_Cue]:
        """Cues of the given kinds in text order."""
        by_kind = self.cues_by_kind
        found: list[_Cue] | None = None
        for kind in kinds:
            cues = by_kind.get(kind)
            if cues:
                if found is None:
                    found = cues
                else:  # rare: two of the kinds in one paragraph
                    merged = self._merged.get(kinds)
                    if merged is None:
                        merged = sorted((c for k in kinds for c in by_kind.get(k, ())), key=_cue_start)
                        self._merged[kinds] = merged
                    return merged
        return found if found is not None else _NO_CUES

    def _mention_at(self, pos: int) -> _Mention | None:
        for m in self.mentions:
            if m.start <= pos < m.end:
                return m
        return None

    def _skip_space(self, pos: int, chars: str = " \t,") -> int:
        text = self.text
        size = len(text)
        while pos < size and text[pos] in chars:
            pos += 1
        return pos

    def _new_person(self, start: int, end: int, country: str | None, role: str | None) -> _Mention | None:
        name = self.text[start:end]
        tokens = name.split()
        if not tokens or tokens[0].lower().strip("'’") in self.lex.function_words:
            return None
        if all(token.lower() in self.lex.generic_nouns for token in tokens):
            return None  # "Residents said": an unnamed source, not a person
        for other in self.mentions:
            if other.start < end and start < other.end:
                if other.type == "PERSON":
                    if role and not other.role:
                        other.role = role
                    if country and not other.country:
                        other.country = country
                    return other
                return None  # the capitalized words are a country, place or organization
        if len(tokens) > 1 and tokens[-1].lower() in self.lex.org_heads:
            # "the Foreign Affairs Ministry said": an unlisted organization, not a person.
            org = _Mention(start, end, "ORG", name, country, None, True, *_PLAIN_RULES)
            self.mentions.append(org)
            return org
        known = self.state.aliases.get(name)
        person = _Person(
            known.canonical if known else name,
            country or (known.country if known else None),
            role or (known.role if known else None),
        )
        mention = _Mention(start, end, "PERSON", person.canonical, person.country, person.role, True, *_PLAIN_RULES)
        self.mentions.append(mention)
        self._remember(person, tokens)
        return mention

    def _remember(self, person: _Person, tokens: list[str]) -> None:
        state = self.state
        state.learn(person.canonical, person, self.position)
        if len(tokens) > 1:
            for token in (tokens[0], tokens[-1]):
                if len(token) >= 3 and token.lower() not in self.lex.not_names:
                    state.learn(token, person, self.position)
        self.state.last_person = person

    def _find_people(self) -> None:
        text = self.text
        for cue in self.cues:
            kind = cue[2]
            if kind == "role":
                pos = self._skip_space(cue[1], " \t")
                country = None
                office: _Mention | None = None  # "Gubernur Papua Tengah": the region the office governs
                # Skip "Korea Selatan (Korsel), " between the title and the name; it gives the country.
                while True:
                    inner = self._mention_at(pos)
                    if inner is not None and inner.type in ("COUNTRY", "ORG") and inner.start == pos:
                        country = country or inner.country
                        pos = self._skip_space(inner.end, " \t(),")
                        continue
                    if inner is not None and inner.type == "LOCATION" and inner.start == pos and not self.en:
                        office, country = inner, country or inner.country
                    break
                if country is None and cue[0] >= 2 and text[text.rfind(" ", 0, cue[0] - 1) + 1].isupper():
                    # "Serbian President Aleksandar Vučić", "Israel's Prime Minister ...": the country before it
                    # (a capitalized word).
                    owner = self._mention_before(cue[0])
                    if owner is not None and owner.type == "COUNTRY":
                        country = owner.country
                m = NAME.match(text, pos)
                if m is None:
                    continue
                role = text[cue[0] : cue[1]]
                role = role[:1].upper() + role[1:]
                if office is None:
                    self._new_person(m.start(), m.end(), country, role)
                else:
                    # "Gubernur Papua Tengah bertemu tokoh adat": the office-holder of a region is the person,
                    # named by the title, in place of the region inside it.
                    title = text[cue[0] : m.end()]
                    self.mentions[:] = [x for x in self.mentions if not cue[0] <= x.start < m.end()]
                    self.mentions.append(
                        _Mention(cue[0], m.end(), "PERSON", title[:1].upper() + title[1:], country, role)
                    )
            elif kind == "speech" or kind == "source" or kind == "honorific":
                pos = self._skip_space(cue[1], " \t.")
                m = NAME.match(text, pos)
                if m and (kind != "source" or self._mention_at(pos) is None):
                    self._new_person(m.start(), m.end(), None, None)
                elif kind == "speech" and self.en:
                    # English "Smith said": the capitalized run right before the verb.
                    before = _name_before(text, max(0, cue[0] - 60), cue[0])
                    if before:
                        self._new_person(before.start(), before.end(), None, None)

    def _find_aliases(self) -> None:
        """Later bare mentions of people already named in this article ("Kim", "Zelensky")."""
        text = self.text
        size = len(text)
        state = self.state
        aliases = state.aliases
        mentions = self.mentions
        mention_at = self._mention_at
        # Only the aliases that occur in this paragraph, in learning order (as iterating `aliases` would).
        for alias in state.occurring[self.position]:
            person = aliases[alias]
            # str.find, not a regex per alias: an article's aliases overflow the re cache (measured 6% of time).
            at = text.find(alias)
            while at != -1:
                end = at + len(alias)
                # `_word_boundary(text, at) and _word_boundary(text, end)`, inlined (called per occurrence).
                left = at > 0 and ((c := text[at - 1]).isalnum() or c == "_")
                right = at < size and ((c := text[at]).isalnum() or c == "_")
                if left != right:
                    left = end > 0 and ((c := text[end - 1]).isalnum() or c == "_")
                    right = end < size and ((c := text[end]).isalnum() or c == "_")
                    if left != right and mention_at(at) is None and mention_at(end - 1) is None:
                        mentions.append(
                            _Mention(
                                at, end, "PERSON", person.canonical, person.country, person.role, True, *_PLAIN_RULES
                            )
                        )
                at = text.find(alias, end if end > at else at + 1)
        # People are never mutated, so one _Person per new name and one for the last person suffice.
        last = None
        position = self.position
        for mention in mentions:
            if mention.type == "PERSON":
                last = mention
                if mention.canonical not in aliases:
                    state.learn(mention.canonical, _Person(mention.canonical, mention.country, mention.role), position)
        if last is not None:
            state.last_person = _Person(last.canonical, last.country, last.role)

    def _mark_positions(self) -> None:
        """Mark mentions right after a locative ("di", "near") or comitative ("bersama") word."""
        for cue in self._cues("locative", "comitative"):
            pos = self._skip_space(cue[1], " \t")
            # Allow one lower-case word between ("in northern Syria", "di wilayah").
            target = self._mention_at(pos)
            if target is None:
                nxt = self.text.find(" ", pos)
                if nxt != -1 and self.text[pos:nxt].islower():
                    target = self._mention_at(nxt + 1)
            if target is None and cue[2] == "locative":
                target = self._gazetteer_place(pos)
            if target is not None and target.start >= pos:
                if cue[2] == "locative":
                    target.locative = True
                else:
                    target.comitative = True

    def _mark_business(self) -> None:
        """A country named as a firm's origin is that firm, not the state: "a Kazakh developer", "investor Jepang".

        PLOVER codes deals between companies as no political event; without this, "an Indonesian company signed
        an agreement" would be Indonesia signing one. English puts the country before the firm (up to three words
        between: "Chinese solar panel maker"); Indonesian after it, maybe with "asal"/"milik" between.
        """
        text = self.text
        for cue in self.cues_by_kind["business"]:
            for m in self.mentions:
                if m.type != "COUNTRY":
                    continue
                if self.en:
                    gap = text[m.end : cue[0]]
                    ok = m.end <= cue[0] and len(gap.split()) <= 3 and not any(c in gap for c in ",.;:()\"“”")
                else:
                    # "perusahaan teknologi asal Singapura", "Bank Rakyat Indonesia": up to two words between.
                    gap = text[cue[1] : m.start]
                    ok = cue[1] <= m.start and len(gap.split()) <= 2 and not any(c in gap for c in ",.;:()\"“”")
                if ok:
                    m.type, m.political = "ORG", False

    def _gazetteer_place(self, pos: int) -> _Mention | None:
        """A place the lexicon does not know, named right after a locative word: "in Colombo", "di Solo".

        The gazetteer decides whether the name is a place (a city or region; a country it would fall back to is
        no evidence). Month, weekday and institution words are kept out by `not_places`, since a town may bear
        them ("in March" is not the Cambridgeshire town).
        """
        text = self.text
        skipped = 0
        # Up to two lower-case words between ("in central Santiago", "di bandara internasional Manila").
        while pos < len(text) and text[pos].islower() and skipped < 2:
            nxt = text.find(" ", pos)
            if nxt == -1 or not text[pos:nxt].isalpha():
                return None
            pos, skipped = nxt + 1, skipped + 1
        if pos >= len(text) or not text[pos].isupper():
            return None
        name = NAME.match(text, pos)
        if name is None or self._mention_at(pos) is not None:
            return None
        surface = name.group()
        spot = gazetteer().place(surface, "en" if self.en else "id")
        if spot is None or (skipped and spot.kind == "city" and spot.population < _TOWN):
            return None  # after other words, only a town of some size: villages share names with people
        mention = _Mention(pos, name.end(), "LOCATION", surface, spot.country, None, False, lexicon=None)
        self.mentions.append(mention)
        return mention

    def _titled_dateline(self, text: str) -> int:
        """Where the story starts after a title-case dateline that names a place ("Goma, Jan. 28 —"), else 0."""
        if not text[:1].isupper() or ("-" not in text[:60] and "–" not in text[:60] and "—" not in text[:60]):
            return 0
        m = TITLED_DATELINE.match(text)
        if m is None:
            return 0
        return m.end() if gazetteer().place(m.group(1), "en" if self.en else "id") is not None else 0

    def _dateline_place(self) -> _Mention | None:
        """The place a leading dateline names ("Kathmandu, Sept. 8 —", "Jakarta -"), resolved by the gazetteer."""
        text = self.text
        name = NAME.match(text, 0) if self.story_start else None
        if name is None:
            return None
        spot = gazetteer().place(name.group(), "en" if self.en else "id")
        if spot is None:
            return None
        return _Mention(0, name.end(), "LOCATION", name.group(), spot.country, None, False, True, lexicon=None)

    def _add_groups(self) -> None:
        """Collective actors ("protesters", "militer") not already tied to a country mention."""
        for cue in self._cues("partners", "allies"):
            # "mitra kita", "our allies": the side an article asks for help; remembered for later paragraphs.
            self.mentions.append(_Mention(cue[0], cue[1], "GROUP", cue[2], None, lexicon=None))
            self.state.partners = (self.index, cue[2])
        for cue in self.cues_by_kind.get("role", _NO_CUES):
            # "the prime minister refused": an office without a name still acts for the state.
            pos = self._skip_space(cue[1], " \t")
            if (
                self._mention_at(pos) is None
                and not NAME.match(self.text, pos)
                and self._mention_before(cue[0]) is None
            ):
                word = self.text[cue[0] : cue[1]]
                self.mentions.append(_Mention(cue[0], cue[1], "GROUP", word.lower(), None, lexicon=None))
        text = self.text
        for cue in self._cues("group", "group_np", "unnamed"):
            after = self._mention_at(self._skip_space(cue[1], " \t"))
            if after and after.type == "COUNTRY":
                continue  # "pasukan Rusia": the named side acts
            at = cue[0]
            before = self._mention_at(at - 2) if at >= 2 else None  # `_mention_before`, inlined (per group word)
            if before is None and at >= 4 and text[at - 3] in "'’" and text[at - 2] == "s":
                before = self._mention_at(at - 4)
            if before and before.type in ("COUNTRY", "ORG"):
                continue  # "Israeli officials", "UN officials", "Israel's army"
            if self._mention_at(cue[0]) is not None:
                continue  # part of a name already found ("nations" in "United Nations")
            word = self.text[cue[0] : cue[1]].lower()
            type_ = "SOURCE" if cue[2] == "unnamed" else "GROUP"
            country = None
            political = cue[2] == "group"
            if word in _STATE_GROUPS:
                place = self._placed_in(cue[1])
                if place is not None:
                    # "Authorities in Minsk jailed ...", "polisi di Istanbul": the state of that place acts.
                    country, political = place.country, True
            self.mentions.append(_Mention(cue[0], cue[1], type_, word, country, political=political, lexicon=None))

    def _placed_in(self, end: int) -> _Mention | None:
        """The place with a country named right after `end` by a locative word ("in Minsk", "di Jakarta")."""
        pos = end + 1  # one space: "authorities in Minsk"
        for cue in self.cues_by_kind.get("locative", _NO_CUES):
            if cue[0] >= pos:
                break
        else:
            return None
        if cue[0] != pos:
            return None
        place = self._mention_at(self._skip_space(cue[1], " \t"))
        if place is None or not place.locative or place.country is None or place.type not in ("COUNTRY", "LOCATION"):
            return None
        return place

    def entities(self) -> list[Entity]:
        """The paragraph's named entities (groups are actors and unnamed sources speakers, not entities)."""
        out: list[Entity] = []
        text = self.text
        index = self.index
        new_entity = _new_entity
        for m in self.mentions:
            type_ = m.type
            if type_ == "GROUP" or type_ == "SOURCE":
                continue
            surface = text[m.start : m.end]
            canonical = m.canonical
            role = m.role
            if role == "capital":
                role = None
                if m.locative:
                    type_, canonical = "LOCATION", surface  # "di Seoul" is the city
            # Entity(...) without the frozen __init__ (see `_slot_constructor`)
            out.append(new_entity(index, surface, m.start, m.end, type_, canonical, m.country, role, m.lexicon))
        return out

    # -- attribution -------------------------------------------------------------------------------
    def _speaker_of(self, cue: _Cue, sentences: Callable[[], list[tuple[int, int]]]) -> _Mention | None:
        if cue[2] == "speech_pro":
            return self.state.last_speaker
        pos = self._skip_space(cue[1], " \t.")
        after = self._mention_at(pos)
        if after is None and "role" in self.cues_by_kind:
            after = self._titled(pos)
        if after is not None and after.type in _SPEAKER_TYPES and not self._content_follows(cue):
            return after
        if self._pronoun_in(pos, pos + 1):
            return self._pronoun()
        if cue[2] == "source":
            return None
        # The speaker is a mention or pronoun before the verb in its sentence: without any before the verb at
        # all ("police said" opening a paragraph), the answer is None whatever the sentence, so skip splitting.
        before = cue[0]
        prior = [m for m in self.mentions if m.end <= before and m.type in _SPEAKER_TYPES and not m.locative]
        if not prior and not self._pronoun_in(0, before):
            return None
        # Only now is the sentence needed: most speakers follow their verb ("kata Zelensky").
        sent = next((s for s in sentences() if s[0] <= cue[0] < s[1]), (0, len(self.text)))
        if self.en:
            # Trailing attribution (", a member of the Chadian team has said"): the speaker is in the clause
            # after the last comma, its person if it names one, else its first mention, not whatever the
            # sentence mentioned last before the verb.
            comma = self.text.rfind(",", sent[0], before)
            if comma != -1 and not self.text[comma + 1 : before].strip():
                # "Israel's defence minister, Ehud Barak, said": appositives; the person among them speaks.
                people = [m for m in prior if m.start >= sent[0] and m.type == "PERSON"]
                if people:
                    return people[-1]
            elif comma != -1:
                clause = [m for m in prior if m.start > comma]
                if clause:
                    people = [m for m in clause if m.type == "PERSON"]
                    return people[-1] if people else clause[0]
                if self._pronoun_in(comma + 1, before):
                    return self._pronoun()  # ", he said"
                return None  # ", her lawyer said": somebody not named
        best = None
        for m in prior:  # the last one in the sentence
            if sent[0] <= m.start:
                best = m
        if best is None and self._pronoun_in(sent[0], cue[0]):
            return self._pronoun()
        return best

    def _titled(self, pos: int) -> _Mention | None:
        """Who a title at `pos` names: "kata Perdana Menteri Israel Benjamin Netanyahu" (the person), "kata Menteri
        Pertahanan Korea Selatan" (the country, when no name follows)."""
        role = next((c for c in self.cues_by_kind["role"] if c[0] == pos), None)
        if role is None:
            return None
        country = None
        at = self._skip_space(role[1], " \t")
        while (inner := self._mention_at(at)) is not None and inner.start == at:
            if inner.type == "PERSON":
                return inner
            if inner.type not in ("COUNTRY", "ORG"):
                break
            country = country or inner
            at = self._skip_space(inner.end, " \t(),")
        return country

    def _pronoun_in(self, lo: int, hi: int) -> bool:
        """Whether a pronoun cue ("he", "ia") starts in text[lo:hi]."""
        return any(lo <= other[0] < hi for other in self.cues_by_kind.get("pronoun", ()))

    def _content_follows(self, cue: _Cue) -> bool:
        """Whether what follows a speech verb is what was said, not who said it.

        Indonesian me-/ber- verbs take what was said ("mengatakan polisi telah ..."), only the inverted ones
        the speaker ("kata polisi", "ujar Kim"). An English verb is inverted only after a quote or a comma
        ('..., said Zelensky'); "Zelensky said Russian troops ..." is followed by what he said.
        """
        if cue[2] != "speech":
            return False
        if self.en:
            return not self.text[max(0, cue[0] - 4) : cue[0]].rstrip().endswith((",", '"', "”", "'", "’"))
        return self.norm.startswith((" me", " ber"), cue[0])

    def _pronoun(self) -> _Mention | None:
        person = self.state.last_person
        if person is None:
            return None
        return _Mention(-1, -1, "PERSON", person.canonical, person.country, person.role)

    def _sentences(self) -> list[tuple[int, int]]:
        """The paragraph's sentence spans, split once on first use."""
        if self._spans is None:
            self._spans = split_sentences(self.text, self.story_start)
        return self._spans

    def _attribute(self) -> tuple[tuple[int, int] | None, _Mention | None]:
        """The quoted span of the paragraph and who said it ('"...," kata Zelensky')."""
        text = self.text
        straight, curly = text.find('"'), text.find("“")  # _QUOTES_OPEN, unrolled
        open_at = curly if straight == -1 or (curly != -1 and curly < straight) else straight
        speaker = None
        quote = None
        speakers = self.speakers
        for cue in self._cues("speech", "speech_pro", "source"):
            start = cue[0]
            said_by = speakers[start] = self._speaker_of(cue, self._sentences)
            if said_by is not None and cue[2] != "source":
                if said_by.type == "PERSON":
                    self.state.last_person = _Person(said_by.canonical, said_by.country, said_by.role)
                self.state.last_speaker = said_by
            if open_at != -1 and quote is None and start > open_at:
                close = max(text.rfind(c, open_at + 1, start) for c in _QUOTES_CLOSE)
                if close != -1 and not text[close + 1 : start].strip(" ,.").count(" ") > 1:
                    quote, speaker = (open_at, close), said_by
        return quote, speaker

    # -- events ------------------------------------------------------------------------------------
    def run(self, entities: list[Entity], events: list[Event]) -> None:
        """Append this paragraph's entities and events."""
        if self.mentions:
            entities.extend(self.entities())
        if self.triggers:
            # Each hit keeps only the row that applies here ("with=" words present): generated keys carry up to a
            # dozen rows, and a hit none of whose rows applies (most "with=" rows) costs nothing further.
            # The first row without "with=" words applies at once (no call for it).
            pick = self._pick_rule
            self.triggers = [
                (s, e, (r,))
                for s, e, rules in self.triggers
                if (r := rules[0] if not rules[0].with_words else pick(e, rules)) is not None
            ]
        if not self.triggers or not self._may_have_events():
            # Still track who spoke, for "katanya" in the next paragraph.
            if "speech" in self.cues_by_kind or "speech_pro" in self.cues_by_kind:
                self._attribute()
            return
        quote, quote_speaker = self._attribute()
        for sent in self._sentences():
            trigs = [t for t in self.triggers if sent[0] <= t[0] < sent[1]]
            if trigs:
                self._sentence_events(sent, trigs, quote, quote_speaker, events)

    def _may_have_events(self) -> bool:
        """Cheap precheck: a weak trigger needs a political side, so without one nothing can be emitted.

        In typical news ("the team's attack", "police said") this skips about 40% of the paragraphs that
        hold a trigger, before sentence splitting and role assignment.
        """
        if any(rules[0].strong for _, _, rules in self.triggers):
            return True
        if any(_political(m) for m in self.mentions):
            return True
        if any(q in self.text for q in _QUOTES_OPEN):
            return True  # inside a quote the speaker's country can become the actor
        # A request may be addressed to partners named in an earlier paragraph, a meeting held by the sides of an
        # earlier agreement ("The ministers met in Seoul").
        state = self.state
        return (state.partners is not None and any(r.type == "REQUEST" for _, _, rs in self.triggers for r in rs)) or (
            state.pair is not None
            and self.index - state.pair[0] <= _PARTNER_REACH
            and any(r.mutual for _, _, rs in self.triggers for r in rs)
        )

    def _pick_rule(self, end: int, rules: tuple[Trigger, ...]) -> Trigger | None:
        """The first row whose "with=" words hold one of the six words after the hit, else the first without."""
        words, best = self.lex.with_index[id(rules)]
        for word in self.norm[end + 1 : end + 90].split()[:6]:
            at = words.get(word)
            if at is not None and at < best:
                best = at
        return rules[best] if best < len(rules) else None

    def _cue_before(self, kind: str, lo: int, hi: int, max_words: int | None = None) -> _Cue | None:
        found = None
        for cue in self.cues_by_kind.get(kind, _NO_CUES):
            if lo <= cue[0] and cue[1] <= hi and (max_words is None or self.text[cue[1] : hi].count(" ") <= max_words):
                found = cue
        return found

    def _fuzzy_country(self, pos: int) -> _Mention | None:
        """A misspelt long country name in actor position ("Rudal Kraina" = Ukraina)."""
        m = re.match(r"[A-ZÀ-Þ][a-zà-ÿ]{5,}", self.text[pos:])
        if not m:
            return None
        word = m.group(0).lower()
        for length in (len(word) - 1, len(word), len(word) + 1):
            for name, code in self.lex.fuzzy.get(length, ()):
                if edit_distance_le1(word, name):
                    return _Mention(
                        pos, pos + len(word), "COUNTRY", self.lex.country_names.get(code, name), code, fuzzy=True
                    )
        return None

    def _sentence_events(
        self,
        sent: tuple[int, int],
        trigs: list[tuple[int, int, tuple[Trigger, ...]]],
        quote: tuple[int, int] | None,
        quote_speaker: _Mention | None,
        events: list[Event],
    ) -> None:
        text = self.text
        s0, s1 = sent
        sport = self._cue_before("sport", s0, s1)
        if sport is not None:
            inside = self._mention_at(sport[0])
            # Not "Arab League", a name that holds the word; but "Australian Open" is sport though it starts with one.
            if inside is None or inside.end < sport[1]:
                return  # "players surrounded the referee to protest": sport vetoes even strong triggers
        if _HISTORY.match(text, s0):
            return  # "In 1947 the Dutch launched ...", "Pada 19 Desember 1948, Belanda ...": history, not news
        in_sent = [m for m in self.mentions if s0 <= m.start and m.end <= s1]
        nonpolitical = self._cue_before("nonpolitical", s0, s1) is not None
        # Types already emitted for this sentence; NONE (an idiom row that is no event) starts in it so its
        # triggers are skipped at no extra cost per trigger.
        seen: set[str] = {"NONE"}
        deny_event: list[Event] = []
        claimant: _Mention | None = None
        claimed = False
        first_end: int | None = None
        eased_end = -1  # where the last easing act ("lifted", "eased") ended
        may_act: bool | None = None  # any possible political actor (computed on first need)
        for start, end, rules in trigs:
            rule = rules[0]  # `run` kept the one row that applies
            if rule.type in seen:
                continue
            if rule.lower and start > s0 and text[start].isupper():
                continue  # "Sudanese Armed Forces", "in March": part of a name, not the verb
            if deny_event:
                # What follows a denial is the denied act, not an event ("menepis tuduhan bahwa ... memasok").
                if deny_event[0].denied_type is None and not rule.deny and rule.type != "ACCUSE":
                    old = deny_event[0]
                    deny_event[0] = _replace(old, denied_type=rule.type)
                    events[events.index(old)] = deny_event[0]
                continue
            refused = False
            negation = self._cue_before("negation", s0, start, max_words=2)
            if negation is not None:
                # "said it would not release the prisoners": a refusal of the act; other negated acts did not happen.
                if rule.type not in _COOPERATIVE or not self._cue_before("future", max(s0, negation[0] - 8), start):
                    continue
                refused = True
            if eased_end >= 0 and rule.type in _RESTRICTIONS and self.text[eased_end:start].count(" ") <= 3:
                continue  # "lifted a night curfew", "eased the blockade": what is eased, not imposed
            if first_end is not None and self._cue_before("purpose", first_end, start):
                continue  # "... mengirim pasukan untuk mendukung Rusia": a goal, not another event
            if (
                not rule.strong
                and nonpolitical
                and rule.type not in _STATECRAFT
                and rule.mode not in _CUSTODY
                and rule.type != "ASSAULT"
            ):
                continue  # (an arrest in a crime report is COERCE when police do it: checked on its actors below)
            # Security forces acting against people at a protest are political whoever they are ("police
            # arrested 27 supporters ahead of a planned rally"): the protest in the sentence makes it so.
            repression = rule.type == "COERCE" and not nonpolitical and _has_protest(trigs, text)
            if (
                not rule.strong
                and not repression
                and quote is None
                and rule.type != "REQUEST"
                and (self.en or not rule.noun)
            ):
                # A weak trigger needs a political actor or recipient. Without a quote (the speaker's side)
                # or a request (partners), those are mentions from the sentence start on, or in Indonesian a
                # misspelt country after "oleh": with none of them, skip role assignment (a third of the
                # sentences with triggers in typical news).
                if may_act is None:
                    may_act = any(_political(m) for m in self.mentions if m.end > s0) or (
                        not self.en and "passive" in self.cues_by_kind
                    )
                if not may_act and not (rule.mutual and self._recent_pair(start, s0) is not None):
                    continue
            in_quote = quote is not None and quote[0] <= start <= quote[1]
            # Inside a quote, who acts on whom is said inside it; the attribution after it names the speaker
            # ('"Serangan kami akan berlanjut," kata juru bicara militer Israel').
            quoted = [m for m in in_sent if quote[0] <= m.start < quote[1]] if in_quote and quote else in_sent
            actors, recipients, fuzzy, mutual, reporter = self._roles(rule, start, end, quoted, sent)
            # A political speaker whose report holds the act ("the governor said the attack began") makes it
            # political as when he was taken for its actor, though he is not.
            reported = reporter is not None and _political(reporter)
            if not rule.strong and nonpolitical and not reported and not any(_political(a) for a in actors):
                continue  # aid after a quake is political when a state or agency gives it, not a neighbour
            if nonpolitical and rule.type in _ADDRESSED and not recipients:
                # "fire officials blamed a short circuit", "the weather agency warned of heavy snow": blame and
                # warnings addressed to nobody, amid weather, disasters or crime.
                continue
            if (
                nonpolitical
                and not rule.strong
                and (rule.mode in _CUSTODY or rule.type == "ASSAULT")
                and not any(a.type in ("GROUP", "ORG") and a.political for a in actors)
            ):
                continue  # a crime report's arrest needs the police or a prosecutor, not a team's "membekuk Filipina"
            speaker = self._speaker_for(start, sent, quote, quote_speaker)
            if claimed and speaker is None:
                speaker = claimant  # what an accuser alleges is reported by the accuser
            if (
                not actors
                and not recipients
                and in_quote
                and speaker is not None
                and speaker.type != "SOURCE"
                and (not self._nominal(rule, start, end) or self._ours(start, end))
            ):
                # '"We will strike back," he said': the speaker's side; but a nominal act ('"Masalah penempatan
                # pasukan ...," katanya') is talked about, not done, unless it is "ours" ("serangan kami").
                actors = [self._speaker_side(speaker)]
            if rule.type == "REQUEST" and not recipients:
                recipients = self._partners(start)
            if (
                not rule.strong
                and not repression
                and not reported
                and not any(_political(a) for a in actors + recipients)
            ):
                continue
            if len(seen) > 1 and not _LIKENESS.isdisjoint(self.norm[max(s0, start - 30) + 1 : start + 1].split()[-3:]):
                continue  # "kesepakatan yang menyerupai aliansi militer": likened to another act, not done
            modality = self._modality(rule, start, sent, speaker)
            type_, mode, cameo = rule.type, rule.mode, rule.cameo
            if refused:
                type_, mode, cameo = "REJECT", type_.lower(), "12"
                modality = "reported" if speaker is not None else "asserted"
            elif modality == "expected" and (actors or speaker is not None) and type_ in _COERCIVE:
                # "X will impose sanctions / would strike": PLOVER codes a stated coercive intent as THREATEN.
                type_, mode, cameo = "THREATEN", type_.lower(), "13"
            if type_ != rule.type and type_ in seen:
                continue
            place = self._place(start, in_sent)
            if place is None and self.story_start and self.position == 0:
                # The dateline's place, for an act whose sides are all of its country or of none: a local story
                # filed from where it happened ("Jakarta - Ribuan buruh menggelar aksi ..."), not a foreign one
                # reported from a capital ("JAKARTA - Russia struck Kyiv").
                home = self._dateline_place()
                if home is not None and all(m.country in (None, home.country) for m in (*actors, *recipients)):
                    place = home
            if rule.type == "ASSAULT" and actors and not recipients and place is not None:
                target = self._invaded(place, actors)
                if target is not None:
                    recipients = [target]
            confidence = (0.75 if rule.strong else 0.6) + (0.1 if actors else 0) + (0.05 if recipients else 0)
            confidence -= 0.1 if fuzzy else 0
            if not actors:
                confidence = min(confidence - 0.2, _NO_ACTOR_CONFIDENCE)
            location = self._location(place)
            reported_by = speaker.canonical if speaker is not None else None
            if claimed and modality == "asserted":
                modality = "reported"
            event = _new_event(  # Event(...), see `_slot_constructor`
                id=event_id(self.article_id, self.index, start, type_),
                type=type_,
                mode=mode,
                cameo_root=cameo,
                paragraph=self.index,
                sentence=text[s0:s1],
                sentence_span=(s0, s1),
                trigger=text[start:end],
                trigger_span=(start, end),
                actors=[_actor(a, text) for a in actors],
                recipients=[_actor(a, text) for a in recipients],
                location=location,
                reported_by=reported_by,
                modality=modality,
                confidence=round(min(confidence, 0.95), 2),
                lexicon=rule.lexicon,
                mutual=mutual,
            )
            events.append(event)
            seen.add(type_)
            if (
                modality == "expected"
                and self._cue_before("future", s0, start) is not None
                and type_ in _COOPERATIVE
                and type_ != "AGREE"
                and "AGREE" not in seen
                and actors
                and (speaker is None or speaker.country is None or speaker.country == actors[0].country)
            ):
                # "the rebels said they will release the minister": the act is expected, and saying so is a
                # promise made now (CAMEO 03 "express intent to cooperate, aid, yield, meet" is PLOVER AGREE),
                # told apart from a third party's forecast ("Seoul expects Pyongyang to send more troops").
                events.append(
                    replace(
                        event,
                        id=event_id(self.article_id, self.index, start, "AGREE"),
                        type="AGREE",
                        mode=type_.lower(),
                        cameo_root="03",
                        modality="reported" if speaker is not None else "asserted",
                    )
                )
                seen.add("AGREE")
            if mutual and actors[0].country and recipients[0].country:
                self.state.pair = (self.index, _detached(actors[0]), _detached(recipients[0]))
            first_end = first_end if first_end is not None else end
            if rule.type in _EASING:
                eased_end = end
            if rule.deny:
                deny_event.append(event)
            elif rule.claim and not claimed:
                claimed, claimant = True, actors[0] if actors else None

    def _speaker_side(self, speaker: _Mention) -> _Mention:
        """Inside a quote, "we"/an unnamed subject is the speaker's country."""
        if speaker.country:
            return _Mention(
                -1, -1, "COUNTRY", self.lex.country_names.get(speaker.country, speaker.country), speaker.country
            )
        return speaker

    def _speaker_for(
        self, start: int, sent: tuple[int, int], quote: tuple[int, int] | None, quote_speaker: _Mention | None
    ) -> _Mention | None:
        if quote is not None and quote[0] <= start <= quote[1] and quote_speaker is not None:
            return quote_speaker
        speaker = None
        speakers = self.speakers
        for cue in self._cues("speech", "speech_pro"):
            said_by = speakers.get(cue[0])
            if sent[0] <= cue[0] < sent[1] and said_by and (cue[0] < start or speaker is None):
                speaker = said_by
        if speaker is None:
            for cue in self.cues_by_kind.get("source", ()):
                said_by = speakers.get(cue[0])
                if sent[0] <= cue[0] < sent[1] and said_by:
                    speaker = said_by
        return speaker

    def _modality(self, rule: Trigger, start: int, sent: tuple[int, int], speaker: _Mention | None) -> str:
        if rule.deny:
            return "denied"
        if self._cue_before("hypothetical", sent[0], start):
            return "hypothetical"
        cond = self._cue_before("hypothetical_start", sent[0], start)
        if cond is not None and self.text[sent[0] : cond[0]].strip(' "“') == "":
            return "hypothetical"
        if self._cue_before("future", sent[0], start) or self._cue_before("forecast", sent[0], start):
            return "expected"
        return "reported" if speaker is not None else "asserted"

    def _place(self, start: int, in_sent: list[_Mention]) -> _Mention | None:
        """Where the act at `start` happens: the place mention nearest after it, else before it."""
        places = [m for m in in_sent if m.locative or m.type == "LOCATION"]
        if not places:
            return None
        after = [m for m in places if m.start > start]
        # A named place beats a country ("di dekat Donetsk" over "di Ukraina").
        return min(after or places, key=lambda m: (m.type != "LOCATION", abs(m.start - start)))

    def _invaded(self, place: _Mention, actors: list[_Mention]) -> _Mention | None:
        """The country an armed act of foreign sides takes place in, as its target.

        "Tentara Korut ikut bertempur bersama pasukan Rusia di Ukraina", "Russian forces struck a market near
        Kharkiv": force used by sides that all belong to other countries is used against the country it is
        used in. Not when a side has no country ("gunmen attacked a church in Nigeria") or is of that country.
        """
        code = place.country
        if code is None or not all(a.country is not None and a.country != code for a in actors):
            return None
        if not _BORDER.isdisjoint(self.norm[max(0, place.start - 14) + 1 : place.end + 12].split()):
            return None  # "near the Afghan border": either side of it
        if place.type == "COUNTRY" and place.role != "capital":
            return place  # "di Ukraina": the country named
        return _Mention(-1, -1, "COUNTRY", self.lex.country_names.get(code, code), code)

    def _location(self, best: _Mention | None) -> Place | None:
        if best is None:
            return None
        surface = self.text[best.start : best.end]
        places = gazetteer()
        if best.role == "capital" or best.type != "COUNTRY":
            name = surface
            spot = places.resolve(surface, best.country, "en" if self.en else "id")
        else:
            name = best.canonical
            spot = places.countries.get(best.country) if best.country else None
        if spot is None:
            return _new_place(name, best.country, surface, (best.start, best.end))  # Place(...)
        # A locative name the lexicon does not know ("di Wamena") takes its country from the gazetteer.
        country = best.country or spot.country
        return _new_place(
            name, country, surface, (best.start, best.end), spot.lat, spot.lon, spot.id, spot.precision()
        )

    def _roles(
        self, rule: Trigger, start: int, end: int, in_sent: list[_Mention], sent: tuple[int, int]
    ) -> tuple[list[_Mention], list[_Mention], bool, bool, _Mention | None]:
        """Actors, recipients, whether an actor is a fuzzy match, whether the act is mutual, and the speaker
        whose report holds the act when it has a subject of its own (not the actor, but its political side)."""
        text = self.text
        cands = [
            m
            for m in in_sent
            if m.type not in _NOT_SIDES and not m.locative and not (m.start < end and start < m.end)
        ]
        # A speaker of a speech verb between a mention and the trigger is the source, not the actor; and what he
        # reports is done by those named after his verb ("Israel's defence minister said the bombing ...": not
        # Israel, which is part of who speaks).
        said = self.speakers
        speech = self.cues_by_kind.get("speech", _NO_CUES)
        speakers = {id(s) for c in speech if c[1] <= start and (s := said.get(c[0])) is not None}
        prior = [m for m in cands if m.end <= start and id(m) not in speakers]
        if speakers and prior:
            clause = sent[0]
            for c in speech:
                if c[1] <= start and (speaker := said.get(c[0])) is not None and speaker.end <= c[0] >= clause:
                    clause = c[1]
            left = _prefer_named([m for m in prior if clause <= m.start])
        else:
            left = _prefer_named(prior)
        reporter = None
        if not left and speakers:
            # "Russia announced a mobilisation": with nobody else before the act, the announcer does it, unless
            # the clause he reports has a subject of its own ("the governor said the attack began"). Then who
            # would have been taken for its actor ("Nigeria's army chief said the attack ...": Nigeria) is only
            # on its side: he makes it political, as when he was taken for the actor.
            announcer = [m for m in cands if m.end <= start and id(m) in speakers][-1:]
            if announcer and self._own_subject(announcer[0], rule, start, end):
                reporter = _prefer_named(prior)[-1] if prior else announcer[0]
            else:
                left = announcer
        # Who says it after the act is no target ("Russia attacked the convoy, Zelensky said"); nor is what a
        # verb joined by "and" acts on ("said the attack began ... and accused Moscow").
        later = {id(s) for c in self._cues("speech", "source") if c[0] > end and (s := said.get(c[0])) is not None}
        after = [m for m in cands if end <= m.start and not m.comitative and id(m) not in later]
        if after and len(self.triggers) > 1:
            stop = self._next_clause(rule, start, end, after[-1].start)
            if stop < after[-1].start:
                after = [m for m in after if m.start < stop]
        # "bantuan kemanusiaan dari Jepang", "transfer orang dari Korea Utara ke ...": who gives an aid follows
        # "from", and never receives it.
        givers = [m for m in after if self._word_before(m) in _FROM] if rule.type == "AID" else []
        if givers:
            after = [m for m in after if all(m is not g for g in givers)]
        right = _prefer_named(after)
        actors: list[_Mention] = []
        recipients: list[_Mention] = []
        fuzzy = False
        pos = self._skip_space(end, " \t")
        owner = next((m for m in right if m.start == pos and m.type in ("COUNTRY", "ORG")), None)
        if rule.noun and owner is None and not self.en:
            owner = self._fuzzy_country(pos)
            fuzzy = owner is not None
        adjective = next((m for m in left if m.type == "COUNTRY" and text[m.end : start].strip() == ""), None)
        before = text[max(sent[0], start - 8) : start].split()
        passive = (not self.en and text[start:end].lower().startswith("di")) or (
            # "were attacked", but not "are fighting" (a progressive has its subject before it)
            self.en and bool(before) and before[-1].lower() in _PASSIVE_EN and not text[start:end].endswith("ing")
        )
        if self.en and before and before[-1].lower() in _DETERMINERS and text[start:end].endswith("ed"):
            left = []  # "demanded the release of the detained activists": a participle, not the subject's act
        by = self._cue_before("passive", end, sent[1], max_words=None)
        by_actor = None
        if by is not None and text[end : by[0]].count(" ") <= 3:
            by_actor = self._mention_at(self._skip_space(by[1], " \t"))
            if by_actor is None and not self.en:
                by_actor = self._fuzzy_country(self._skip_space(by[1], " \t"))
        if by_actor is None and passive and not self.en and right:
            # "diculik kelompok bersenjata", "dicokok petugas BNN": Indonesian puts the agent of a di- verb right
            # after it without "oleh"; a place or goal has a preposition first ("dikirim ke Ukraina").
            gap = text[end : right[0].start].split()
            if (not gap or (len(gap) == 1 and gap[0].lower() in _AGENT_NOUNS)) and _political(right[0]):
                by_actor = right[0]
        named = next((m for m in in_sent if m.type == "GROUP" and m.start <= start and end <= m.end), None)
        between = _between(text, right) if len(right) > 1 and ("between" in text or "antara" in text) else []
        if between and not rule.mutual and len(self.norm[end + 1 : between[0].start + 1].split()) > 1:
            # "penempatan pasukan ... kesepakatan antara Rusia dan Korea Utara": the sides of a relation
            # further on belong to it, they are not whom this act is done to ("clashes between X and Y" are X's
            # and Y's).
            right = [m for m in right if m is not between[0] and m is not between[1]]
            between = []
        # Right after the trigger, the giver acts; a subject before it receives ("Turkey received aid from Japan").
        giver = givers[0] if givers and not passive and self._attached(end, givers[0].start) else None
        if owner is not None and rule.noun:
            actors = [owner]
            recipients = left[-1:] if left else []
        elif named is not None:
            # The trigger names who acts ("protesters", "pengunjuk rasa"): they are the actor, whoever
            # precedes them ("police fired tear gas at protesters") is not.
            actors = [named]
            recipients = right[:1]
        elif passive or by_actor is not None:
            actors = [by_actor] if by_actor is not None else []
            recipients = left[-1:]
        elif giver is not None:
            actors = [giver]
            recipients = [m for m in right if m is not giver][:1] or left[-1:]
        elif adjective is not None and (rule.noun or self.en):
            # "Israeli airstrikes" / "Armenia and Azerbaijan agreed": the subject with its conjuncts.
            actors = self._coordinated(left) if left and left[-1] is adjective else [adjective]
            recipients = right[:1]
            victim = left[:-1][-1:] if left[:-1] else []
            if victim and self._cue_before("victim", victim[0].end, start):
                recipients = victim
        else:
            if between:
                # "aliansi antara Rusia dan Korea Utara", "clashes between X and Y": both sides act on each other
                return between[:1], between[1:], False, True, None
            if left:
                actors = self._coordinated(left)
            recipients = right[:1]
            if recipients:
                nxt = [m for m in right[1:] if _COORD.match(text[recipients[-1].end : m.start] or "x")]
                recipients += nxt[:1]
            comitative = [m for m in in_sent if m.comitative and m.start > end]
            if comitative and not any(m.start < comitative[0].start for m in right):
                actors += comitative[:1]  # "bertempur bersama pasukan Rusia": an ally, not a target
        if rule.deny:
            recipients = []  # whom a denial answers is rarely in the sentence; the object is the denied act
        actors = _dedupe(actors)
        # A recipient is never an actor, nor the country a body placed in it acts for ("pemerintah di Xinjiang").
        recipients = [
            r
            for r in _dedupe(recipients)
            if all(
                _key(r) != _key(a) and (r.type != "COUNTRY" or a.type != "GROUP" or a.country != r.country)
                for a in actors
            )
        ]
        mutual = False
        if (
            rule.mutual
            and len(actors) >= 2
            and len({a.country or a.canonical for a in actors}) >= 2
            and (not recipients or _WITH.isdisjoint(self._words_before(recipients[0], 3)))
        ):
            # "Armenia and Azerbaijan agreed", "South Korea and Japan agreed to share intelligence on North
            # Korea": the sides act with each other, and what follows is what they act on, not a third side
            # (which "signed a deal with Iran" or "brokered a truce between Israel and ..." names).
            actors, recipients, mutual = actors[:1], actors[1:], True
        elif rule.mutual and not actors and not recipients and reporter is None:
            pair = None if any(m.end <= start for m in cands) else self._recent_pair(start, sent[0])
            if pair is not None:
                # "The ministers met in Seoul" after "South Korea and Japan agreed ...": the same two sides.
                actors, recipients, mutual = [pair[0]], [pair[1]], True
        return actors, recipients, fuzzy, mutual, reporter

    def _nominal(self, rule: Trigger, start: int, end: int) -> bool:
        """Whether the trigger is a noun: flagged so, after an article ("the attack"), or an Indonesian pe-an/ke-an
        nominalization ("penempatan pasukan", "kesepakatan")."""
        if rule.noun:
            return True
        norm = self.norm
        if self.en:
            return not _ARTICLES_EN.isdisjoint(norm[max(0, start - 6) + 1 : start + 1].split()[-1:])
        word = norm[start + 1 : end + 1].split()[0]
        return len(word) > 5 and word.startswith(("pe", "ke")) and word.endswith("an")

    def _ours(self, start: int, end: int) -> bool:
        """Whether a first-person word owns the act ("our attack", "serangan kami")."""
        for cue in self.cues_by_kind.get("first_person", ()):
            if cue[1] <= start and not self.text[cue[1] : start].strip():
                return True
            if cue[0] >= end and self.text.count(" ", end, cue[0]) <= 1:
                return True
        return False

    def _own_subject(self, speaker: _Mention, rule: Trigger, start: int, end: int) -> bool:
        """Whether the act a speaker reports has a subject other than the speaker.

        "The governor said the attack began", "Kim mengatakan serangan itu ...", "Kim said the missiles struck":
        a noun phrase of its own between the speech verb and the act, or the act itself a noun, is what the
        reported clause is about. Not so when he announces the act ("Russia announced a mobilisation"), when
        nothing but "that"/auxiliaries come between ("menteri mengatakan akan mengirim bantuan": the speaker
        is the dropped subject), or when the act is a verb joined to his by "and" ("... and accused Moscow").
        """
        said = self.speakers
        cue = None
        for c in self.cues_by_kind.get("speech", ()):
            if c[1] <= start and said.get(c[0]) is speaker:
                cue = c
        if cue is None:
            return False
        norm = self.norm  # text offset i is norm offset i + 1
        verb = norm[cue[0] + 1 : cue[1] + 1]
        if verb in _ANNOUNCE:
            return False
        gap = norm[cue[1] + 1 : start + 1].split()
        if verb in _TELL and gap:
            gap = gap[1:]  # "told reporters the missiles struck": past whom he told
        if gap and gap[-1] in _AND:
            return False
        if not _RESPONSIBILITY.isdisjoint(gap):
            return False  # "Al-Shabaab claimed responsibility for the bombing"
        following = norm[start + 1 : end + 40].split()[:3]
        if not self.en and any(w.endswith("nya") for w in following[:2]):
            return False  # "Israel mengklaim serangan udaranya": its own
        if self._nominal(rule, start, end):
            return True
        if gap and gap[0] in _THAT:
            gap = gap[1:]
        # The reported clause opens with a noun phrase ("said the missiles struck", "rudal itu menghantam"), not
        # with a pronoun or an auxiliary ("said he would fight", "mengatakan akan mengirim").
        return bool(gap) and (gap[0] in _NP_WORDS or (len(gap) > 1 and gap[1] in _DEMONSTRATIVES_ID))

    def _next_clause(self, rule: Trigger, start: int, end: int, hi: int) -> int:
        """Where a verb of another type joined by "and"/"dan" begins after the trigger (else `hi`).

        "The governor said the attack began at 7:30 p.m. and accused Moscow": Moscow is whom the accusation is
        about, not the attack's target. After a verb trigger only a joined verb form ends its objects ("imposed
        visa bans and asset freezes on Georgia" shares them); objects right after the "and" ("condemned and
        sanctioned Iran") and joined acts of the same type ("attacked and destroyed") are shared.
        """
        nominal: bool | None = None
        norm = self.norm  # norm[t0] is the space before a word at text offset t0
        for t0, t1, rules in self.triggers:
            if t0 >= hi:
                break
            if end < t0 and rules[0].type != rule.type:
                last = norm.rfind(" ", end, t0)  # before the word that precedes the trigger
                # that word joins ("and"), and another word comes between it and this trigger
                if last > end + 1 and norm[last + 1 : t0] in _AND and norm.rfind(" ", end + 1, last) > end + 1:
                    if nominal is None:
                        nominal = self._nominal(rule, start, end)
                    # After a verb, only a verb ends its objects ("threatened visa bans and asset freezes on X").
                    if nominal or _looks_finite(norm[t0 + 1 : t1 + 1].split()[0], self.en):
                        return t0
        return hi

    def _attached(self, end: int, at: int) -> bool:
        """Whether `at` is at most three words after a trigger ending at `end` ("aid from Japan", "clashes between")."""
        return self.text.count(" ", end, at) <= 4

    def _word_before(self, m: _Mention) -> str:
        """The lower-cased word right before a mention ("" at the start)."""
        words = self.norm[max(0, m.start - 12) + 1 : m.start + 1].split()
        return words[-1] if words else ""

    def _words_before(self, m: _Mention, count: int) -> list[str]:
        """The last `count` lower-cased words before a mention ("with King", "dengan Raja")."""
        return self.norm[max(0, m.start - 40) + 1 : m.start + 1].split()[-count:]

    def _recent_pair(self, start: int, s0: int) -> tuple[_Mention, _Mention] | None:
        """The two sides of the last mutual act of the last paragraphs, for a mutual verb that opens a sentence
        naming nobody ("The ministers met in Seoul", "Kedua menteri bertemu di Tokyo")."""
        pair = self.state.pair
        if pair is None or self.index - pair[0] > _PARTNER_REACH:
            return None
        subject = self.norm[s0 + 1 : start + 1].split()
        if len(subject) > 4 or (subject and subject[-1] in _ARTICLES_EN):
            return None  # "a meeting", "the talks": a noun, not what "they"/"the ministers" did
        return pair[1], pair[2]

    def _coordinated(self, left: list[_Mention]) -> list[_Mention]:
        """The last mention before a trigger and the ones joined to it ("Rusia dan Korea Utara", "X (Y)")."""
        text = self.text
        actors = [left[-1]]
        for prev in reversed(left[:-1]):
            gap = text[prev.end : actors[0].start]
            if _COORD.match(gap) or gap.strip() == "(":
                actors.insert(0, prev)
            else:
                break
        return actors

    def _partners(self, start: int) -> list[_Mention]:
        """'Partners'/'allies' ("mitra kita", "sekutunya") before `start` or in the last paragraphs."""
        here = [m for m in self.mentions if m.type == "GROUP" and m.canonical in ("partners", "allies")]
        if here:
            before = [m for m in here if m.start < start]
            return [before[-1] if before else here[0]]
        last = self.state.partners
        if last is not None and self.index - last[0] <= _PARTNER_REACH:
            return [_Mention(-1, -1, "GROUP", last[1], None)]
        return []


def _has_protest(trigs: list[tuple[int, int, tuple[Trigger, ...]]], text: str) -> bool:
    """A protest word in the sentence: a strong one, or a weak one in lower case ("march", not "March 11")."""
    return any(
        rule.type == "PROTEST" and (rule.strong or text[start].islower())
        for start, _, rules in trigs
        for rule in rules
    )


def _name_before(text: str, lo: int, hi: int) -> re.Match[str] | None:
    """The leftmost NAME in text[lo:hi] that runs to `hi` (but for a comma and spaces).

    Same result as searching `NAME + r"\\s*,?\\s*$"` in the slice, but tries only capital letters as starts:
    the regex search tried every offset of the 60-character window (measured 10% of tagging time).
    """
    for cap in _CAPITAL.finditer(text, lo, hi):
        name = NAME.match(text, cap.start(), hi)
        if name and _NAME_TAIL.fullmatch(text, name.end(), hi):
            return name
    return None


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


def _word_boundary(text: str, pos: int) -> bool:
    """Regex `\\b` at `pos`: a word character on exactly one side."""
    left = pos > 0 and _is_word(text[pos - 1])
    right = pos < len(text) and _is_word(text[pos])
    return left != right


def _looks_finite(word: str, en: bool) -> bool:
    """Whether a word reads as a verb of its own clause ("accused", "menuduh", "dikecam"), not a noun."""
    if en:
        return word.endswith("ed")
    return word.startswith(("me", "ber", "di", "ter")) and len(word) > 4


def _between(text: str, right: list[_Mention]) -> list[_Mention]:
    """'antara Rusia dan (rezim seperti) Korea Utara' / 'between X and Y': both sides act on each other."""
    for i, m in enumerate(right[:-1]):
        head = text[max(0, m.start - 9) : m.start].lower()
        if head.rstrip().endswith(("antara", "between")):
            nxt = right[i + 1]
            gap = text[m.end : nxt.start]
            if len(gap) <= 25 and re.search(r"\b(?:dan|and)\b|&", gap):
                return [m, nxt]
    return []


def _prefer_named(items: list[_Mention]) -> list[_Mention]:
    """Collective words ("troops", "pasukan") are actors only when no named one is on that side."""
    named = [m for m in items if m.type != "GROUP"]
    return named or items


def _same(surface: str, alias: str) -> bool:
    """Exact-case comparison ignoring punctuation ("U.S" == "U.S.")."""
    return _NON_ALNUM.sub("", surface) == _NON_ALNUM.sub("", alias)


def _key(m: _Mention) -> str:
    return m.country or m.canonical if m.type == "COUNTRY" else m.canonical


def _dedupe(items: list[_Mention]) -> list[_Mention]:
    seen: set[str] = set()
    out = []
    for m in items:
        key = _key(m)
        if key not in seen:
            seen.add(key)
            out.append(m)
    return out


def _political(m: _Mention) -> bool:
    if m.type == "COUNTRY":
        return True
    if m.type == "PERSON":
        return bool(m.role or m.country)
    return m.political


def _actor(m: _Mention, text: str) -> Actor:
    surface = text[m.start : m.end] if m.start >= 0 else m.canonical
    type_ = "COUNTRY" if m.type == "COUNTRY" else m.type
    return _new_actor(  # Actor(...), see `_slot_constructor`
        surface,
        m.canonical,
        type_,
        m.country,
        None if m.role == "capital" else m.role,
        (m.start, m.end) if m.start >= 0 else None,
    )


def _detached(m: _Mention) -> _Mention:
    """The same side without its place in the paragraph (for use in a later one)."""
    return _Mention(-1, -1, m.type, m.canonical, m.country, m.role)


def _replace(event: Event, denied_type: str) -> Event:
    return replace(event, denied_type=denied_type)
