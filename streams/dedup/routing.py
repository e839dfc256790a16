"""Routed dedup: each store key is owned by one partition; probes, answers and sweeps as pure functions.

The stream (``streams/agents/dedup.py``, docs/dedup.md) splits ``Deduplicator.process`` across partitions:
the article's partition plans it (``plan_article``), each key's owner partition reads and claims it
(``answer_probe``), band candidates are fetched from their exact key's owner (``answer_fetch``), and the
article's partition decides with the same ``decide`` as one process. Everything here is plain Python over a
``MutableMapping[bytes, bytes]`` (one partition of a Faust table in production, a dict in tests).

The owner's values carry a little more than the core's (``records.py``) so that each partition can judge
alone: an exact record is prefixed by the 32-bit token of the Kafka record that claimed it (redelivery of
that same record is not a duplicate of itself), a band entry is suffixed by the time it was last claimed
(so a partition can expire its band entries without asking the partition that owns their target).
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import xxhash

from streams.dedup.deduplicator import ArticlePlan, DedupConfig, count_exact, decide
from streams.dedup.fingerprint import BAND_PREFIX, EXACT_PREFIX
from streams.dedup.records import ExactRecord, article_hash, band_target, is_live, pack_band, pack_record, unpack_record

__all__ = [
    "WATERMARK",
    "Answer",
    "Fetch",
    "Probe",
    "answer_fetch",
    "answer_probe",
    "fetch_targets",
    "fetches_for",
    "occurrence_token",
    "owner_of",
    "pack_claim",
    "pack_owned",
    "probes_for",
    "sweep_keys",
    "unpack_claim",
    "unpack_owned",
    "view_from",
]

_U32 = struct.Struct("<I")
# Fixed seed: ownership must not change between processes, versions or restarts.
_OWNER_SEED = 0x57A27A
# Per-partition stream time (the newest record time probed there): the sweep's "now", so a replay of old
# records expires exactly what lazy expiry would, not what the wall clock says.
WATERMARK = b"\x00watermark"


def owner_of(key: bytes, partitions: int) -> int:
    """The partition that owns a store key (stable across processes)."""
    return xxhash.xxh32_intdigest(key, _OWNER_SEED) % partitions


def occurrence_token(partition: int, offset: int, timestamp_ms: int) -> int:
    """32-bit identity of one Kafka record: a redelivery has the same, a second send of the article not."""
    return xxhash.xxh32_intdigest(f"{partition}:{offset}:{timestamp_ms}".encode())


def pack_owned(token: int, record: ExactRecord) -> bytes:
    """An owner's exact value: the claiming record's token, then the core record."""
    return _U32.pack(token) + pack_record(record)


def unpack_owned(value: bytes) -> tuple[int, ExactRecord]:
    """Invert `pack_owned`."""
    return _U32.unpack_from(value)[0], unpack_record(value[_U32.size :])


def pack_claim(exact_key: bytes, claimed: float) -> bytes:
    """An owner's band value: the core band entry, then when it was last claimed (epoch s)."""
    return pack_band(exact_key) + _U32.pack(int(claimed) & 0xFFFFFFFF)


def unpack_claim(value: bytes) -> tuple[bytes, int]:
    """Invert `pack_claim`: (exact key pointed at, claim time)."""
    return band_target(value[: -_U32.size]), _U32.unpack_from(value, len(value) - _U32.size)[0]


@dataclass(frozen=True, slots=True)
class Probe:
    """Round one, to one owner partition: read and claim these exact and band keys for one article."""

    article_id: str
    token: int
    now: float
    reply_to: int  # the article's partition: answers go there, where its pending entry lives
    exact: tuple[tuple[bytes, int, int, bytes], ...]  # (exact key, first index, n_words, signature)
    bands: tuple[tuple[bytes, tuple[bytes, ...]], ...]  # (band key, exact keys carrying it, in order)

    def to_dict(self) -> dict[str, Any]:
        """Wire form (bytes as hex)."""
        return {
            "kind": "probe", "article_id": self.article_id, "token": self.token, "now": self.now,
            "reply_to": self.reply_to,
            "exact": [[k.hex(), i, n, s.hex()] for k, i, n, s in self.exact],
            "bands": [[b.hex(), [k.hex() for k in ks]] for b, ks in self.bands],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Probe:
        """Parse the wire form."""
        return cls(
            d["article_id"], int(d["token"]), float(d["now"]), int(d["reply_to"]),
            tuple((bytes.fromhex(k), int(i), int(n), bytes.fromhex(s)) for k, i, n, s in d["exact"]),
            tuple((bytes.fromhex(b), tuple(bytes.fromhex(k) for k in ks)) for b, ks in d["bands"]),
        )


@dataclass(frozen=True, slots=True)
class Fetch:
    """Round two, to one owner partition: the records behind band candidates (read only)."""

    article_id: str
    token: int
    now: float
    reply_to: int
    keys: tuple[bytes, ...]

    def to_dict(self) -> dict[str, Any]:
        """Wire form (bytes as hex)."""
        return {
            "kind": "fetch", "article_id": self.article_id, "token": self.token, "now": self.now,
            "reply_to": self.reply_to, "keys": [k.hex() for k in self.keys],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Fetch:
        """Parse the wire form."""
        return cls(d["article_id"], int(d["token"]), float(d["now"]), int(d["reply_to"]),
                   tuple(bytes.fromhex(k) for k in d["keys"]))


@dataclass(frozen=True, slots=True)
class Answer:
    """An owner's reply: each asked key's value as the core stores it, None when absent or itself."""

    article_id: str
    token: int
    round: int
    owner: int
    values: dict[bytes, bytes | None]

    def to_dict(self) -> dict[str, Any]:
        """Wire form (bytes as hex)."""
        return {
            "kind": "answer", "article_id": self.article_id, "token": self.token, "round": self.round,
            "owner": self.owner, "values": {k.hex(): None if v is None else v.hex() for k, v in self.values.items()},
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Answer:
        """Parse the wire form."""
        return cls(d["article_id"], int(d["token"]), int(d["round"]), int(d["owner"]),
                   {bytes.fromhex(k): None if v is None else bytes.fromhex(v) for k, v in d["values"].items()})


def probes_for(plan: ArticlePlan, token: int, reply_to: int, partitions: int) -> dict[int, Probe]:
    """Group an article's exact and band keys by owner: at most one probe per partition."""
    exact: dict[int, list[tuple[bytes, int, int, bytes]]] = {}
    for key, index in plan.exact_keys().items():
        fp = plan.prints[index]
        assert fp is not None
        exact.setdefault(owner_of(key, partitions), []).append((key, index, fp.n_words, fp.signature))
    bands: dict[int, list[tuple[bytes, tuple[bytes, ...]]]] = {}
    for band_key, holders in plan.band_keys().items():
        bands.setdefault(owner_of(band_key, partitions), []).append((band_key, tuple(holders)))
    return {
        p: Probe(plan.article_id, token, plan.now, reply_to, tuple(exact.get(p, ())), tuple(bands.get(p, ())))
        for p in sorted(exact.keys() | bands.keys())
    }


def fetches_for(
    plan: ArticlePlan, token: int, reply_to: int, keys: Iterable[bytes], partitions: int
) -> dict[int, Fetch]:
    """Group round-two keys by owner."""
    grouped: dict[int, list[bytes]] = {}
    for key in keys:
        grouped.setdefault(owner_of(key, partitions), []).append(key)
    return {p: Fetch(plan.article_id, token, plan.now, reply_to, tuple(ks)) for p, ks in sorted(grouped.items())}


def _live_other(
    store: Mapping[bytes, bytes], key: bytes, article_id: str, token: int, now: float, window: float
) -> tuple[ExactRecord | None, bool]:
    """(the live record under an exact key, or None; whether it was claimed by this very Kafka record)."""
    value = store.get(key)
    if value is None:
        return None, False
    claimed_by, record = unpack_owned(value)
    if claimed_by == token and record.article_id == article_id:
        return None, True
    return (record if is_live(record, now, window) else None), False


def answer_probe(
    store: MutableMapping[bytes, bytes], probe: Probe, *, window: float, limit: int
) -> dict[bytes, bytes | None]:
    """Read every probed key as it was before the article, and claim it for the article (atomically per key).

    Exact keys: a live record of another article is answered (and counts this article as a carrier); else
    the key is claimed, which is what one process does (a paragraph whose exact key is unknown is always
    remembered). Band keys: answered, then claimed for the first of the article's paragraphs carrying it
    when free or stale, or refreshed when it already points at one of them.
    """
    me = article_hash(probe.article_id)
    now = probe.now
    values: dict[bytes, bytes | None] = {}
    for key, index, n_words, signature in probe.exact:
        record, itself = _live_other(store, key, probe.article_id, probe.token, now, window)
        if record is not None:
            values[key] = pack_record(record)
            updated, _ = count_exact(record, me, now, limit)
            if updated is not None:
                claimed_by = unpack_owned(store[key])[0]
                store[key] = pack_owned(claimed_by, updated)
        else:
            values[key] = None
            if not itself:  # a redelivery keeps its record (and the carriers counted since)
                store[key] = pack_owned(probe.token, ExactRecord(int(now), probe.article_id, index, n_words, signature))
    for band_key, holders in probe.bands:
        value = store.get(band_key)
        if value is None:
            values[band_key] = None
            store[band_key] = pack_claim(holders[0], now)
            continue
        target, claimed = unpack_claim(value)
        values[band_key] = pack_band(target)
        if target in holders:
            store[band_key] = pack_claim(target, max(claimed, now))
        elif now - claimed > window:
            store[band_key] = pack_claim(holders[0], now)
    old = store.get(WATERMARK)
    if old is None or _U32.unpack(old)[0] < int(now):
        store[WATERMARK] = _U32.pack(int(now) & 0xFFFFFFFF)
    return values


def answer_fetch(store: Mapping[bytes, bytes], fetch: Fetch, *, window: float) -> dict[bytes, bytes | None]:
    """The live records under the fetched exact keys (a record claimed by this very Kafka record: None)."""
    values: dict[bytes, bytes | None] = {}
    for key in fetch.keys:
        record, _ = _live_other(store, key, fetch.article_id, fetch.token, fetch.now, window)
        values[key] = None if record is None else pack_record(record)
    return values


class _Recorder(Mapping[bytes, bytes]):
    """A view that notes every key read that it was not given."""

    def __init__(self, known: Mapping[bytes, bytes | None]) -> None:
        self.known = known
        self.missing: dict[bytes, None] = {}

    def __getitem__(self, key: bytes) -> bytes:
        if key not in self.known:
            self.missing[key] = None
            raise KeyError(key)
        value = self.known[key]
        if value is None:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[bytes]:
        return iter(k for k, v in self.known.items() if v is not None)

    def __len__(self) -> int:
        return sum(v is not None for v in self.known.values())


def fetch_targets(plan: ArticlePlan, answered: Mapping[bytes, bytes | None], config: DedupConfig) -> list[bytes]:
    """The keys `decide` will read beyond round one (band candidates' exact records), in reading order."""
    recorder = _Recorder(answered)
    decide(plan, recorder, config)
    return [k for k in recorder.missing if k[:1] == EXACT_PREFIX]


def view_from(answers: Iterable[Mapping[bytes, bytes | None]]) -> dict[bytes, bytes]:
    """The store before the article, as the owners answered it (absent keys left out)."""
    view: dict[bytes, bytes] = {}
    for values in answers:
        view.update((k, v) for k, v in values.items() if v is not None)
    return view


def sweep_keys(items: Iterable[tuple[bytes, bytes]], now: float, window: float) -> list[bytes]:
    """Keys of one partition to delete: exact records out of the window, band entries not claimed within it."""
    dead = []
    for key, value in items:
        if key[:1] == EXACT_PREFIX:
            if not is_live(unpack_owned(value)[1], now, window):
                dead.append(key)
        elif key and key[0] & 0xF0 == BAND_PREFIX and now - unpack_claim(value)[1] > window:
            dead.append(key)
    return dead
