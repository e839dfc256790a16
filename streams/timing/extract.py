"""Finds temporal expressions in paragraphs and resolves them against the publication date."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from functools import lru_cache

from streams.timing.calendar_math import (
    make_date,
    nearest_day,
    nearest_month_year,
    shift,
    weekday_from,
)
from streams.timing.lexicon import Lexicon, Pattern, lexicon
from streams.timing.model import Granularity, Kind, TimeExpression
from streams.timing.narrative import Anaphor, Narrative
from streams.timing.zones import format_offset, parse_zone

__all__ = ["anchor_date", "extract", "extract_paragraph"]

# How far back a day name may sit before its date ("hari Selasa, (8/10/2024)" fits in 40 characters).
_PREFIX_WINDOW = 40
# A clock time takes its day from a date at most this many characters away, else from publication.
_CLOCK_REACH = 160
_UNIT_ISO = {"day": "D", "week": "W", "month": "M", "year": "Y"}
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]?\s+(?=[\"“'‘(]?[A-Z0-9])")
# What may follow an expression that must end its clause ("the day before." but not "the day before the vote").
_CLAUSE_END = re.compile(r"\s*(?:[.,;:!?)\]\"'”’—–-]|$)")


@dataclass(slots=True)
class _Found:
    start: int
    end: int
    rank: int
    value: str | None
    granularity: Granularity | None
    kind: Kind
    relative: bool
    flags: tuple[str, ...] = ()
    # Clock times wait for the date they belong to: (hour, minute, zone, minutes written).
    clock: tuple[int, int, tzinfo, bool] | None = None
    # Anaphoric expressions wait for the story's reference time (streams/timing/narrative.py).
    anaphor: Anaphor | None = None
    anchor: str | None = None
    duration: str | None = None


@dataclass(frozen=True, slots=True)
class _Context:
    text: str
    anchor: date | None
    language: str
    zone: tzinfo
    lex: Lexicon


def anchor_date(published: datetime | None, zone: tzinfo) -> date | None:
    """Return the publication day as seen in the source's zone (naive datetimes are taken as local)."""
    if published is None:
        return None
    if published.tzinfo is None:
        return published.date()
    return published.astimezone(zone).date()


def extract(
    paragraphs: Sequence[str],
    *,
    published: datetime | None,
    language: str,
    zone: tzinfo,
    skip: Collection[int] = (),
) -> list[TimeExpression]:
    """Return every temporal expression of the paragraphs not in skip, resolved against published.

    Anaphoric expressions ("Sebulan kemudian", "keesokan harinya", "the next day") are resolved against the
    story's reference time instead: the last date the paragraphs gave before them (streams/timing/narrative.py).
    The caller decides the publication date (from metadata, `infer_published` or the ingest time): without
    one, relative expressions keep value None and the flag "unresolved".
    """
    anchor = anchor_date(published, zone)
    story = Narrative(anchor)
    out: list[TimeExpression] = []
    for index, text in enumerate(paragraphs):
        if index not in skip:
            out.extend(_extract(index, text, anchor, language, zone, story))
    return out


def extract_paragraph(
    index: int, text: str, *, anchor: date | None, language: str, zone: tzinfo
) -> list[TimeExpression]:
    """Return the expressions of one paragraph, in text order (anaphors dated from this paragraph alone)."""
    return _extract(index, text, anchor, language, zone, Narrative(anchor))


def _extract(
    index: int, text: str, anchor: date | None, language: str, zone: tzinfo, story: Narrative
) -> list[TimeExpression]:
    matches = _matches(text)
    if not matches:
        return []
    ctx = _Context(text, anchor, language.lower()[:2], zone, lexicon())
    found: list[_Found] = []
    for pattern, pattern_matches in matches:
        handler = _HANDLERS[pattern.handler]
        for match in pattern_matches:
            item = handler(match, ctx)
            if item is not None:
                item.rank = pattern.rank
                found.append(item)
    kept = _without_overlaps(found)
    _follow_story(kept, story, ctx)
    if any(item.clock for item in kept):
        starts = [item.start for item in kept]
        longest = max(item.end - item.start for item in kept)
        kept = [_place_clock(item, kept, starts, longest, ctx) if item.clock else item for item in kept]
    return [
        TimeExpression(
            paragraph=index,
            text=text[f.start : f.end],
            start=f.start,
            end=f.end,
            value=f.value,
            granularity=f.granularity,
            kind=f.kind,
            relative=f.relative,
            flags=f.flags,
            anchor=f.anchor,
            duration=f.duration,
        )
        for f in kept
    ]


def _follow_story(kept: list[_Found], story: Narrative, ctx: _Context) -> None:
    """In text order, note each date in the story and date each anaphor from the story's reference time."""
    for item in kept:
        if item.anaphor is not None:
            resolved = story.resolve(item.anaphor)
            item.value, item.granularity, item.anchor = resolved.value, resolved.granularity, resolved.anchor
            item.flags = (*item.flags, *resolved.flags)
            item.duration = item.anaphor.duration
        elif item.kind == "date" and item.value is not None and item.granularity is not None:
            story.note(item.value, item.granularity, open_period=_opens_period(ctx, item.start))


def _opens_period(ctx: _Context, start: int) -> bool:
    """True when the word before start is "sejak"/"since": the date opens a period that runs to the present."""
    head = ctx.text[max(0, start - 12) : start].lower()  # a cheap test first: most dates follow neither word
    if not any(word in head for word in ctx.lex.anaphora.open_period):
        return False
    return _word_before(ctx, start) in ctx.lex.anaphora.open_period


# The pipeline reads the lead twice (infer_published without an anchor, then extract with one): the
# regex matches do not depend on the anchor, so the last paragraphs' matches are kept for the second read.
@lru_cache(maxsize=64)
def _matches(text: str) -> tuple[tuple[Pattern, tuple[re.Match[str], ...]], ...]:
    """Each pattern that matches `text` with its matches, in pattern order; only gated-in patterns run."""
    lex = lexicon()
    out = []
    for pattern, starts in lex.gates.select(text, lex.precheck):
        found = tuple(pattern.regex.finditer(text)) if starts is None else _finditer_at(pattern.regex, text, starts)
        if found:
            out.append((pattern, found))
    return tuple(out)


def _finditer_at(regex: re.Pattern[str], text: str, starts: list[int]) -> tuple[re.Match[str], ...]:
    """`regex.finditer(text)` when every match starts at one of `starts` (sorted): `match` there, not search.

    `match(text, pos)` sees the text before pos, so a leading \\b or look-behind judges as a search would.
    """
    found = []
    pos = 0
    for start in starts:
        if start < pos:
            continue  # inside the previous match: finditer resumes after it
        m = regex.match(text, start)
        if m is not None:
            if m.end() == start:
                return tuple(regex.finditer(text))  # an empty match: leave finditer's rules to finditer
            found.append(m)
            pos = m.end()
    return tuple(found)


def _without_overlaps(found: list[_Found]) -> list[_Found]:
    # Longest match first, then the pattern's rank: "dua minggu lalu" beats "dua minggu", and
    # "Minggu (13/10/2024)" beats the bare day name "Minggu".
    # Kept spans never overlap, so a candidate overlaps one of them only if it overlaps its neighbour on
    # either side in start order: two comparisons instead of one per kept span (quadratic on a paragraph
    # with thousands of dates).
    starts: list[int] = []
    kept: list[_Found] = []
    for item in sorted(found, key=lambda f: (f.start - f.end, -f.rank, f.start)):
        at = bisect_left(starts, item.start)
        if at > 0 and kept[at - 1].end > item.start:
            continue
        if at < len(kept) and kept[at].start < item.end:
            continue
        starts.insert(at, item.start)
        kept.insert(at, item)
    return kept


def _place_clock(item: _Found, kept: list[_Found], starts: list[int], longest: int, ctx: _Context) -> _Found:
    assert item.clock is not None
    hour, minute, zone, minutes_written = item.clock
    # Only spans that start within reach (plus the longest span's length) can be near: kept is in start order.
    lo = bisect_left(starts, item.start - _CLOCK_REACH - longest)
    hi = bisect_right(starts, item.end + _CLOCK_REACH)
    days = [
        k
        for k in kept[lo:hi]
        if k.kind == "date" and k.granularity == "day" and k.value and abs(_gap(k, item)) <= _CLOCK_REACH
    ]
    relative = True
    if days:
        # The day usually comes first ("Sabtu (12/10) pukul 19.00"): one after the time counts double.
        nearest = min(days, key=lambda k: _gap(k, item) * (2 if k.start > item.start else 1))
        day: date | None = date.fromisoformat(nearest.value or "")
        relative = nearest.relative
    else:
        day = ctx.anchor
    granularity: Granularity = "minute" if minutes_written else "hour"
    if day is None:
        return replace(item, granularity=granularity, flags=(*item.flags, "unresolved"), clock=None)
    moment = datetime(day.year, day.month, day.day, hour, minute)
    value = f"{day.isoformat()}T{hour:02d}:{minute:02d}{format_offset(zone, moment)}"
    return replace(item, value=value, granularity=granularity, relative=relative, clock=None)


def _gap(a: _Found, b: _Found) -> int:
    """Characters between two spans (0 when they touch)."""
    return max(a.start - b.end, b.start - a.end, 0)


# --- helpers shared by handlers -------------------------------------------------------------------


def _weekday_before(ctx: _Context, start: int, end: int) -> tuple[int, int, int | None, str | None]:
    """Extend a date backwards over a day name in front of it: (start, end, weekday, flag-or-None)."""
    match = ctx.lex.weekday_prefix.search(ctx.text, max(0, start - _PREFIX_WINDOW), start)
    if not match:
        return start, end, None, None
    weekday = ctx.lex.weekdays[_norm(match.group("wd"))]
    if match.group("open") == "(":
        close = ctx.lex.closing.match(ctx.text, end)
        if close:
            end = close.end()
    return match.start(), end, weekday, None


def _norm(word: str) -> str:
    return re.sub(r"\s+", " ", word.lower())


def _stated_direction(ctx: _Context, word: str | None, written_dir: str | None) -> str | None:
    """"past", "future" or "this" when the word before ("last", "next", "this") or the written direction
    after ("lalu", "depan", "ini") says so; None when neither does."""
    if written_dir in ctx.lex.past or word in ctx.lex.past:
        return "past"
    if written_dir in ctx.lex.future or word in ctx.lex.future:
        return "future"
    if written_dir == "ini" or word == "this":
        return "this"
    return None


def _word_before(ctx: _Context, start: int) -> str:
    match = ctx.lex.word_before.search(ctx.text, max(0, start - 30), start)
    return _norm(match.group("w")) if match else ""


def _mod_flags(ctx: _Context, mod: str | None) -> tuple[str, ...]:
    return (f"mod_{ctx.lex.modifiers[_norm(mod)]}",) if mod else ()


def _day_found(
    ctx: _Context,
    span: tuple[int, int],
    year: int | None,
    orders: Sequence[tuple[int, int]],
    weekday: int | None,
    direction: str | None = None,
) -> _Found:
    """Resolve (month, day) readings in preference order, with an optional year and day name."""
    start, end = span
    if year is not None:
        valid = [d for m, dd in orders if (d := make_date(year, m, dd))]
        fitting = [d for d in valid if weekday is None or d.isoweekday() == weekday]
        if fitting:
            return _Found(start, end, 0, fitting[0].isoformat(), "day", "date", False)
        mismatch = "weekday_mismatch" if valid else "invalid_date"
        return _Found(start, end, 0, None, None, "date", False, (mismatch,))
    if ctx.anchor is None:
        valid_any = any(make_date(2024, m, dd) for m, dd in orders)  # 2024: leap year, 29/2 exists
        unresolved = "unresolved" if valid_any else "invalid_date"
        return _Found(start, end, 0, None, None, "date", True, (unresolved,))
    flag: str | None = "invalid_date"
    for month, day in orders:
        chosen, flag = nearest_day(ctx.anchor, month, day, weekday, direction)
        if chosen is not None:
            return _Found(start, end, 0, chosen.isoformat(), "day", "date", True)
    return _Found(start, end, 0, None, None, "date", True, (flag or "invalid_date",))


# How far back (characters) a future marker of the same clause is looked for ("akan ... pada 5 Oktober").
_CLAUSE_REACH = 300


def _future_sentence(ctx: _Context, start: int) -> bool:
    """True when the words before start, in the same clause, speak of the future."""
    # Look back one clause's reach at most, from a word start: a scan from the paragraph start made each
    # expression cost the length of the text before it (minutes for a 200 KB run-on paragraph).
    reach = max(0, start - _CLAUSE_REACH)
    if reach:
        reach = ctx.text.find(" ", reach, start) + 1 or start
    begin = max((m.end() for m in _SENTENCE_END.finditer(ctx.text, reach, start)), default=reach)
    # Clause only: in "..., akan disesuaikan, kata X di Bandung, Sabtu" the day is when X spoke.
    begin = max(begin, ctx.text.rfind(",", begin, start) + 1)
    # Whole words only: "akan" must not fire inside "dilaksanakan" or "menyatakan".
    before = " " + re.sub(r"[^\w']+", " ", ctx.text[begin:start].lower()) + " "
    return any(f" {marker} " in before for marker in ctx.lex.future_markers)


# --- handlers: one per pattern family ---------------------------------------------------------------


def _iso(m: re.Match[str], ctx: _Context) -> _Found | None:
    day = make_date(int(m["y"]), int(m["m"]), int(m["d"]))
    if day is None:
        return None
    if m["H"] is None:
        return _Found(m.start(), m.end(), 0, day.isoformat(), "day", "date", False)
    hour, minute = int(m["H"]), int(m["M"])
    if hour > 23:
        return None
    off = m["off"]
    if off:
        zone = parse_zone("UTC" if off == "Z" else f"UTC{off}") or ctx.zone
        flags: tuple[str, ...] = ()
    else:
        zone, flags = ctx.zone, ("zone_default",)
    moment = datetime(day.year, day.month, day.day, hour, minute)
    value = f"{day.isoformat()}T{hour:02d}:{minute:02d}{format_offset(zone, moment)}"
    return _Found(m.start(), m.end(), 0, value, "minute", "time", False, flags)


def _numdate(m: re.Match[str], ctx: _Context) -> _Found | None:
    first, second = int(m["d"]), int(m["m"])
    start, end, weekday, _ = _weekday_before(ctx, m.start(), m.end())
    year_text = m["y"]
    bracketed = ctx.text[m.start() - 1 : m.start()] == "(" and ctx.text[m.end() : m.end() + 1] == ")"
    if year_text is None and (m["sep"] == "." or (weekday is None and not (bracketed and m["sep"] == "/"))):
        return None  # "3/4" alone is a ratio or a score; "Senin 07.30" is a clock time
    if weekday is None and bracketed:
        start, end = start - 1, end + 1  # "Jakarta (22/3)": the brackets belong to the date stamp
    # English news writes month first (10/13/2024), Indonesian day first (13/10/2024).
    month_first = [(first, second), (second, first)]
    orders = month_first if ctx.language == "en" else month_first[::-1]
    year = None
    if year_text is not None:
        year = int(year_text)
        if len(year_text) == 2:
            year += 2000 if year < 70 else 1900
    if weekday is None:
        # Without a day name, a numeric date must be a real date in one reading: "15/30/2024" is not.
        if not any(make_date(year or 2024, mo, d) for mo, d in orders):
            return None
    elif not any(1 <= mo <= 12 and 1 <= d <= 31 for mo, d in orders):
        return _Found(start, end, 0, None, None, "date", year is None, ("invalid_date",))
    # A day name picks the year by itself; a bare "(22/3)" leans to the past like any report.
    direction = None if weekday else "future" if _future_sentence(ctx, m.start()) else "recent"
    return _day_found(ctx, (start, end), year, orders, weekday, direction)


def _named_date(m: re.Match[str], ctx: _Context) -> _Found | None:
    token = m["mon"]
    month = ctx.lex.months[_norm(token)]
    day = int(m["d"])
    year = int(m["y"]) if m["y"] else None
    # Without a year, "may 3" or "des 5" is too often not a date: the month must be capitalized.
    if year is None and not token[0].isupper():
        return None
    if not 1 <= day <= 31:
        return None
    start, end, weekday, _ = _weekday_before(ctx, m.start(), m.end())
    written_dir = _norm(m["dir"]) if m.groupdict().get("dir") else None
    if written_dir:
        direction = "past" if written_dir in ctx.lex.past else "future"
    else:
        direction = "future" if _future_sentence(ctx, m.start()) else "recent"
    return _day_found(ctx, (start, end), year, [(month, day)], weekday, direction)


def _month(m: re.Match[str], ctx: _Context) -> _Found | None:
    token = m["mon"]
    month = ctx.lex.months[_norm(token)]
    mod = m["mod"]
    flags = _mod_flags(ctx, mod)
    year_text = m.groupdict().get("y")
    if year_text:
        value = f"{int(year_text):04d}-{month:02d}"
        return _Found(m.start(), m.end(), 0, value, "month", "date", False, flags)
    # A bare month name needs a capital and a word that makes it a time ("pada Oktober", "last May").
    if not (token[0].isupper() or m["bulan"] or m["dir"]) or _norm(token) in ctx.lex.abbreviated_months - {
        "mei",
        "may",
    }:
        return None
    start = m.start()
    before = _word_before(ctx, start)
    written_dir = _norm(m["dir"]) if m["dir"] else None
    direction = _stated_direction(ctx, before, written_dir)
    if direction is None:
        if _future_sentence(ctx, start):
            direction = "future"
        elif before in ctx.lex.until or m["bulan"]:
            direction = "nearest"
    if before in ctx.lex.past | ctx.lex.future | {"this"}:
        start -= len(ctx.text[:start]) - len(ctx.text[:start].rstrip()) + len(before)
    elif not (mod or m["bulan"] or written_dir or before in ctx.lex.anchors):
        return None
    if ctx.anchor is None:
        return _Found(start, m.end(), 0, None, "month", "date", True, (*flags, "unresolved"))
    year = nearest_month_year(ctx.anchor, month, direction)
    return _Found(start, m.end(), 0, f"{year:04d}-{month:02d}", "month", "date", True, flags)


def _year(m: re.Match[str], ctx: _Context) -> _Found | None:
    year = int(m["y"])
    if ctx.text.startswith("-an", m.end("y")):
        return None  # "2000-an" is a decade
    mod = m["mod"]
    if not (mod or m["tahun"]):
        before = _word_before(ctx, m.start())
        if before in ctx.lex.year_block_before or ctx.text[: m.start()].rstrip().endswith(("/", "#", "$")):
            return None
        if before not in ctx.lex.anchors and not 1900 <= year <= 2099:
            return None
    return _Found(m.start(), m.end(), 0, f"{year:04d}", "year", "date", False, _mod_flags(ctx, mod))


def _relative(m: re.Match[str], ctx: _Context) -> _Found | None:
    phrase = _norm(m["rel"])
    words = m["rel"].split()
    if len(words) > 1 and words[0].islower() and any(w[0].isupper() for w in words[1:]):
        return None  # "malam hari. Ini adalah" lost its full stop: not "hari ini"
    unit, offset = ctx.lex.relative[phrase]
    mod = m["mod"]
    flags = _mod_flags(ctx, mod)
    if mod and ctx.lex.modifiers[_norm(mod)] == "end" and unit == "week" and _norm(mod) == "akhir":
        unit, flags = "weekend", ()  # "akhir pekan lalu" is last weekend, not the end of last week
    if ctx.anchor is None:
        return _Found(m.start(), m.end(), 0, None, None, "date", True, (*flags, "unresolved"))
    if offset == "recent":
        # A bare "akhir pekan" in a report is the weekend just gone (this one if published on it).
        offset = 0 if ctx.anchor.isoweekday() >= 6 else -1
    value, granularity = shift(ctx.anchor, unit, int(offset))
    return _Found(m.start(), m.end(), 0, value, _granularity(granularity), "date", True, flags)


def _weekday(m: re.Match[str], ctx: _Context) -> _Found | None:
    token = m["wd"]
    name = _norm(token)
    if name in ctx.lex.abbreviated_weekdays:
        return None
    if not (token[0].isupper() or m["hari"]):
        return None  # "minggu" in lower case is the week
    before = _word_before(ctx, m.start())
    if before in ctx.lex.numbers or before.isdigit():
        return None  # "dua Minggu" is two weeks
    weekday = ctx.lex.weekdays[name]
    pre = _norm(m["pre"]) if m["pre"] else None
    written_dir = _norm(m["dir"]) if m["dir"] else None
    stated = _stated_direction(ctx, pre, written_dir)
    if stated is not None:
        direction = {"past": "before", "future": "after", "this": "this"}[stated]
    elif _future_sentence(ctx, m.start()):
        direction = "on_or_after"
    else:
        # News convention: a bare day name is the latest such day on or before publication.
        direction = "on_or_before"
    if ctx.anchor is None:
        return _Found(m.start(), m.end(), 0, None, None, "date", True, ("unresolved",))
    day = weekday_from(ctx.anchor, weekday, direction)
    return _Found(m.start(), m.end(), 0, day.isoformat(), "day", "date", True)


def _count(m: re.Match[str], ctx: _Context) -> tuple[float | None, str]:
    if m["one"]:
        return 1, ctx.lex.one_unit[_norm(m["one"])]
    unit = ctx.lex.units[_norm(m["unit"])]
    number = _norm(m["n"])
    if number in ctx.lex.numbers:
        return ctx.lex.numbers[number], unit
    try:
        return float(number.replace(",", ".")), unit
    except ValueError:
        return None, unit  # "beberapa", "several"


def _counted(m: re.Match[str], ctx: _Context) -> _Found | None:
    count, unit = _count(m, ctx)
    sign = -1 if _norm(m["dir"]) in ctx.lex.ago else 1
    if count is None or unit == "hour" or ctx.anchor is None:
        return _Found(m.start(), m.end(), 0, None, None, "date", True, ("unresolved",))
    n = int(count) * sign
    if unit == "week":
        value, granularity = shift(ctx.anchor, "day", 7 * n)
        value, granularity = shift(date.fromisoformat(value), "week", 0)
    else:
        value, granularity = shift(ctx.anchor, unit, n)
    return _Found(m.start(), m.end(), 0, value, _granularity(granularity), "date", True)


def _duration(m: re.Match[str], ctx: _Context) -> _Found | None:
    if m["one"] and ctx.text.startswith("-", m.end()):
        return None  # "sehari-hari" means everyday, not one day
    count, unit = _count(m, ctx)
    value = None
    if count is not None:
        amount = f"{count:g}"
        value = f"PT{amount}H" if unit == "hour" else f"P{amount}{_UNIT_ISO[unit]}"
    return _Found(m.start(), m.end(), 0, value, None, "duration", False)


def _iso_duration(m: re.Match[str], ctx: _Context) -> _Found | None:
    return _Found(m.start(), m.end(), 0, m.group(0), None, "duration", False)


def _set(m: re.Match[str], ctx: _Context) -> _Found | None:
    unit = ctx.lex.units.get(_norm(m["unit"]))
    value = f"P1{_UNIT_ISO[unit]}" if unit in _UNIT_ISO else None
    return _Found(m.start(), m.end(), 0, value, None, "set", False)


def _clock(m: re.Match[str], ctx: _Context) -> _Found | None:
    hour = int(m["H"])
    minute = int(m["M"] or 0)
    if hour > 24 or minute > 59:
        return None
    groups = m.groupdict()
    part = _norm(groups.get("ap") or "").replace(".", "").replace(" ", "")
    # "pukul 1 siang" is 13:00, "jam 8 malam" 20:00, but "jam 12 malam" and "12 a.m." are midnight.
    afternoon = (part in ("pm", "sore", "petang") and hour < 12) or (part == "siang" and hour < 11)
    if afternoon or (part == "malam" and 6 <= hour < 12):
        hour += 12
    elif (part in ("am", "malam") and hour == 12) or hour == 24:
        hour = 0
    flags: tuple[str, ...] = ()
    zone: tzinfo | None = parse_zone(m["tz"]) if m["tz"] else None
    if zone is None:
        zone = ctx.zone
        flags = ("local_time",) if groups.get("local") else ("zone_default",)
    clock = (hour, minute, zone, m["M"] is not None)
    return _Found(m.start(), m.end(), 0, None, None, "time", False, flags, clock=clock)


def _clause_final_blocked(ctx: _Context, phrase: str, end: int) -> bool:
    """True when phrase ends in "before"/"after" and the clause goes on: then it is dated from what follows."""
    last = phrase.rsplit(" ", 1)[-1]
    return last in ctx.lex.anaphora.clause_final and _CLAUSE_END.match(ctx.text, end) is None


def _anaphor_counted(m: re.Match[str], ctx: _Context) -> _Found | None:
    count, unit = _count(m, ctx)  # the regex takes digits and number words only: never "beberapa"
    if count is None or unit == "hour":
        return None  # "dua jam kemudian" stays a duration: no day to give
    word = _norm(m["dir"])
    if _clause_final_blocked(ctx, word, m.end()):
        return None
    if not m["pre"] and _word_before(ctx, m.start()) in ctx.lex.anaphora.not_after:
        return None  # "selama dua hari kemudian dibebaskan": held for two days, then freed
    n = int(count)
    offset = -n if word in ctx.lex.anaphora.before else n
    anaphor = Anaphor(unit, offset, f"P{n}{_UNIT_ISO[unit]}")
    return _Found(m.start(), m.end(), 0, None, None, "date", True, anaphor=anaphor)


def _anaphor(m: re.Match[str], ctx: _Context) -> _Found | None:
    words = m["ana"].split()
    if len(words) > 1 and words[0].islower() and any(w[0].isupper() for w in words[1:]):
        return None  # "malam itu. Ini" lost its full stop, as in _relative
    phrase = _norm(m["ana"])
    if _clause_final_blocked(ctx, phrase, m.end()):
        return None
    before = _word_before(ctx, m.start())
    if before in ctx.lex.numbers or before in ctx.lex.anaphora.quantities or before.isdigit():
        return None  # "tiga hari itu": those three days
    unit, offset = ctx.lex.anaphora.phrases[phrase]
    duration = f"P{abs(offset)}{_UNIT_ISO[unit]}" if offset else None
    return _Found(m.start(), m.end(), 0, None, None, "date", True, anaphor=Anaphor(unit, offset, duration))


def _anaphor_day(m: re.Match[str], ctx: _Context) -> _Found | None:
    day = int(m["d"])
    if not 1 <= day <= 31:
        return None
    word = _norm(m["dir"])
    direction = "past" if word in ctx.lex.past else "future" if word in ctx.lex.future else "this"
    anaphor = Anaphor("day_of_month", day, None, direction)
    return _Found(m.start(), m.end(), 0, None, None, "date", True, anaphor=anaphor)


def _granularity(name: str) -> Granularity:
    grains: dict[str, Granularity] = {"day": "day", "week": "week", "month": "month", "year": "year"}
    return grains[name]


_HANDLERS: dict[str, Callable[[re.Match[str], _Context], _Found | None]] = {
    "iso": _iso,
    "numdate": _numdate,
    "named_date": _named_date,
    "month": _month,
    "year": _year,
    "relative": _relative,
    "weekday": _weekday,
    "counted": _counted,
    "duration": _duration,
    "iso_duration": _iso_duration,
    "set": _set,
    "clock": _clock,
    "anaphor_counted": _anaphor_counted,
    "anaphor": _anaphor,
    "anaphor_day": _anaphor_day,
}
