"""The offline gazetteer: place names to coordinates and GeoNames ids, with the country and language as context."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

__all__ = ["Gazetteer", "Spot", "gazetteer", "normalize"]

Kind = Literal["country", "region", "city"]
# How much a name that is only an alternate of a place counts against a place's own name, and how much an
# Indonesian article prefers Indonesian places: priors on top of population, which ranks the rest.
_ALTERNATE = 0.2
_HOME = 10.0
_REMEMBERED = 50_000
_PLACE = "?place"


@dataclass(frozen=True, slots=True)
class Spot:
    """A resolved place: its gazetteer id, kind, country, point and name."""

    id: str
    kind: Kind
    country: str
    lat: float
    lon: float
    population: int
    name: str

    def precision(self) -> str:
        """What the point stands for: the place itself, a region placed at its seat, or a whole country."""
        return "place" if self.kind == "city" else self.kind


_MARKS = str.maketrans("", "", "'’‘ʿʾʻ`´")


def normalize(name: str) -> str:
    """Case-folded, accent-free, single-spaced: "Dar‘a" = "dara", "Zaporizhzhia" = "zaporizhzhia"."""
    folded = unicodedata.normalize("NFKD", name.casefold())
    bare = "".join(c for c in folded if not unicodedata.combining(c))
    # Apostrophes and ayin marks vary by transliteration ("Dar‘a", "Dar'a", "Dara"): they carry no distinction here.
    return " ".join(bare.replace("-", " ").translate(_MARKS).split())


def _rows(filename: str) -> list[list[str]]:
    text = resources.files("streams.data").joinpath("geo", filename).read_text("utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


class Gazetteer:
    """Names to candidate places; `resolve` picks one for a mention, given what the text says of its country."""

    def __init__(self) -> None:
        # name -> [(spot, own name?)]; a name is listed under every place that bears it.
        self._names: dict[str, list[tuple[Spot, bool]]] = {}
        self.countries: dict[str, Spot] = {}
        self._answers: dict[tuple[str, str | None, str | None], Spot | None] = {}
        for row in _rows("gazetteer.tsv"):
            gid, kind, iso3, lat, lon, population, name, others = row
            kind_: Kind = "country" if kind == "country" else "city"
            spot = Spot(gid, kind_, iso3, float(lat), float(lon), int(population), name)
            if spot.kind == "country":
                self.countries[iso3] = spot
                continue
            self._add(name, spot, True)
            for other in others.split("|") if others else ():
                self._add(other, spot, False)
        for name, iso3, seat, others in _rows("regions.tsv"):
            where = self._best(self._names.get(normalize(seat), []), iso3, None)
            if where is None:
                raise ValueError(f"regions.tsv: the seat {seat!r} of {name!r} is no place of {iso3} in the gazetteer")
            spot = Spot(where.id, "region", iso3, where.lat, where.lon, where.population, name)
            for alias in [name, *(others.split("|") if others else ())]:
                # A region's own names come before the towns that share them ("Puncak" the regency, not a village).
                self._names.setdefault(normalize(alias), []).insert(0, (spot, True))
        self._affixes = [
            (a, side == "prefix", kind, None if home == "-" else home) for a, side, kind, home in _rows("affixes.tsv")
        ]
        # Capitalized words that follow "in"/"di" and name a town somewhere, but in news mean something else.
        self.not_places = frozenset(normalize(word) for (word,) in _rows("not_places.tsv"))

    def _add(self, name: str, spot: Spot, own: bool) -> None:
        self._names.setdefault(normalize(name), []).append((spot, own))

    @staticmethod
    def _best(cands: list[tuple[Spot, bool]], country: str | None, language: str | None) -> Spot | None:
        if country is not None:
            cands = [c for c in cands if c[0].country == country]
        best: Spot | None = None
        top = -1.0
        for spot, own in cands:
            if spot.kind == "region":
                return spot  # regions are listed first and named on purpose
            score = (spot.population + 1) * (1.0 if own else _ALTERNATE)
            if language == "id" and spot.country == "IDN":
                score *= _HOME
            if score > top:
                best, top = spot, score
        return best

    def _bare(self, key: str) -> list[tuple[str, str, str | None]]:
        """The name without the words that say what kind of place it is, with that kind and the country implied."""
        out: list[tuple[str, str, str | None]] = []
        for affix, prefix, kind, home in self._affixes:
            if prefix and key.startswith(affix + " "):
                out.append((key[len(affix) + 1 :], kind, home))
            elif not prefix and key.endswith(" " + affix):
                out.append((key[: -len(affix) - 1], kind, home))
        return out

    def resolve(self, name: str, country: str | None = None, language: str | None = None) -> Spot | None:
        """The place a mention names; within `country` when the text says which, else the likeliest one.

        A name that the gazetteer does not know, in a known country, resolves to the country itself.
        """
        return self._remember((name, country, language), lambda: self._resolve(name, country, language))

    def place(self, name: str, language: str | None) -> Spot | None:
        """A town or region that a capitalized word after "in"/"di" names, or None (also for everyday words)."""
        return self._remember((name, _PLACE, language), lambda: self._place(name, language))

    def _place(self, name: str, language: str | None) -> Spot | None:
        spot = None if normalize(name) in self.not_places else self.resolve(name, None, language)
        return None if spot is not None and spot.kind == "country" else spot  # a country fallback is no evidence

    def _remember(self, asked: tuple[str, str | None, str | None], answer: Callable[[], Spot | None]) -> Spot | None:
        # News names the same places over and over: both questions' answers are remembered (bounded; cleared when
        # full), `place` ones under a country slot no ISO3 code can take.
        if asked in self._answers:
            return self._answers[asked]
        if len(self._answers) >= _REMEMBERED:
            self._answers.clear()
        spot = self._answers[asked] = answer()
        return spot

    def _resolve(self, name: str, country: str | None, language: str | None) -> Spot | None:
        key = normalize(name)
        whole = self.countries.get(country) if country is not None else None
        if whole is not None and key == normalize(whole.name):
            return whole
        spot = self._best(self._names.get(key, []), country, language)
        if spot is None:
            for bare, kind, home in self._bare(key):
                # "Kota Pinang" is a town in North Sumatra, not Penang: an Indonesian administrative word says
                # the place is Indonesian.
                within = country or home
                if whole is None and within is not None:
                    whole = self.countries.get(within)
                spot = self._best(self._names.get(bare, []), within, language)
                if spot is not None and kind == "region" and spot.kind == "city":
                    # "Kabupaten Garut": the regency, shown at its seat town.
                    spot = Spot(spot.id, "region", spot.country, spot.lat, spot.lon, spot.population, name)
                if spot is not None:
                    break
        return whole if spot is None else spot


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The shared gazetteer, loaded once per process (about a third of a second)."""
    return Gazetteer()
