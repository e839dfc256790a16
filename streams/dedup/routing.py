"""Routed dedup: each store key is owned by one partition; probes, answers and sweeps as pure functions.

The stream (``streams/agents/dedup.py``, docs/dedup.md) splits ``Deduplicator.process`` across partitions:
the article's partition plans it (``plan_article``), each key's owner partition reads and claims it
(``answer_probe``), band candidates are fetched from their exact key's owner (``answer_fetch``), and the
article's partition decides with the same ``decide`` as one process. Everything here is plain Python over a
``MutableMapping[bytes, bytes]`` (one partition of a Faust table in production, a dict in tests).

The owner's values carry a little more than the core's (``records.py``) so that each partition can judge
alone: an exact record is prefixed by the 32-bit token of the Kafka record that claimed it (redelivery of
that same record is not a duplicate of itself) and, when that claim displaced an original with a later time
key, by what the displaced original was (so a redelivery decides, and corrects, as the first delivery did);
a band entry is suffixed by the time of its last claim (so a partition can expire its band entries without
asking the partition that owns their target).

Owners answer exact keys as stored (``decide`` judges the window and the time keys), claim them with the same
rule as one process (``relation``): the carrier with the earliest time key is the original, whichever
partition's probe reaches the owner first.
"""

from __future__ import annotations

import struct
from collections import OrderedDict, deque
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

import xxhash

from streams.dedup.deduplicator import (
    ArticlePlan,
    Decision,
    DedupConfig,
    TimeKey,
    count_exact,
    decide,
    relation,
    take_over,
    time_key,
)
from streams.dedup.fingerprint import BAND_PREFIX, EXACT_PREFIX
from streams.dedup.records import ExactRecord, article_hash, band_target, expired, pack_band, pack_record, unpack_record

__all__ = [
    "WATERMARK",
    "Answer",
    "Fetch",
    "History",
    "Probe",
    "answer_fetch",
    "answer_probe",
    "fetch_targets",
    "fetches_for",
    "local_targets",
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
_OWNED = struct.Struct("<IB")  # claiming token, length of the displaced original's summary (0: none)
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


def pack_owned(token: int, record: ExactRecord, displaced: ExactRecord | None = None) -> bytes:
    """An owner's exact value: the claiming record's token, what its claim displaced (if it did), the core record.

    The displaced original is kept without signature and carriers (it is the same paragraph): enough to answer a
    redelivery of the claiming record as the first delivery was answered.
    """
    if displaced is None:
        return _OWNED.pack(token, 0) + pack_record(record)
    summary = pack_record(ExactRecord(displaced.seen, displaced.article_id, displaced.index, 0, b"",
                                      displaced.articles, (), displaced.at, displaced.last))
    return _OWNED.pack(token, len(summary)) + summary + pack_record(record)


def _unpack_owned(value: bytes) -> tuple[int, ExactRecord, ExactRecord | None]:
    """(token, record, the original its claim displaced, or None)."""
    token, size = _OWNED.unpack_from(value)
    record = unpack_record(value[_OWNED.size + size :])
    if not size:
        return token, record, None
    d = unpack_record(value[_OWNED.size : _OWNED.size + size])
    return token, record, ExactRecord(d.seen, d.article_id, d.index, record.n_words, record.signature, d.articles,
                                      (), d.at, d.last)


def unpack_owned(value: bytes) -> tuple[int, ExactRecord]:
    """Invert `pack_owned`: (token, record)."""
    token, record, _ = _unpack_owned(value)
    return token, record


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
    now: float  # the record time
    reply_to: int  # the article's partition: answers go there, where its pending entry lives
    exact: tuple[tuple[bytes, int, int, bytes], ...]  # (exact key, first index, n_words, signature)
    bands: tuple[tuple[bytes, tuple[bytes, ...]], ...]  # (band key, exact keys carrying it, in order)
    time: float | None = None  # the article's time (`ArticlePlan.time`); None: the record time

    @property
    def key(self) -> TimeKey:
        """The article's time key (`ArticlePlan.key`)."""
        return time_key(self.now if self.time is None else self.time, self.now, self.article_id)

    def to_dict(self) -> dict[str, Any]:
        """Wire form (bytes as hex)."""
        return {
            "kind": "probe", "article_id": self.article_id, "token": self.token, "now": self.now,
            "time": self.time, "reply_to": self.reply_to,
            "exact": [[k.hex(), i, n, s.hex()] for k, i, n, s in self.exact],
            "bands": [[b.hex(), [k.hex() for k in ks]] for b, ks in self.bands],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Probe:
        """Parse the wire form."""
        time = d.get("time")
        return cls(
            d["article_id"], int(d["token"]), float(d["now"]), int(d["reply_to"]),
            tuple((bytes.fromhex(k), int(i), int(n), bytes.fromhex(s)) for k, i, n, s in d["exact"]),
            tuple((bytes.fromhex(b), tuple(bytes.fromhex(k) for k in ks)) for b, ks in d["bands"]),
            None if time is None else float(time),
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
        p: Probe(plan.article_id, token, plan.now, reply_to, tuple(exact.get(p, ())), tuple(bands.get(p, ())),
                 plan.time)
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


def _other(store: Mapping[bytes, bytes], key: bytes, article_id: str, token: int) -> tuple[bytes | None, bool]:
    """(the core record under an exact key, or None; whether it was claimed by this very Kafka record).

    For a key this very record claimed, the answer is what its first delivery was answered: the original its
    claim displaced, or nothing.
    """
    value = store.get(key)
    if value is None:
        return None, False
    claimed_by, record, displaced = _unpack_owned(value)
    if claimed_by == token and record.article_id == article_id:
        return (None if displaced is None else pack_record(displaced)), True
    return value[_OWNED.size + _OWNED.unpack_from(value)[1] :], False


def answer_probe(
    store: MutableMapping[bytes, bytes], probe: Probe, *, window: float, limit: int
) -> dict[bytes, bytes | None]:
    """Read every probed key as it was before the article, and claim it for the article (atomically per key).

    Exact keys: answered as stored (``decide`` judges the window and the order), then claimed by the rule of
    one process (``relation``): an absent or expired key is claimed for the article (a paragraph whose exact
    key is unknown is always remembered); a record of an earlier original counts this article as a carrier; a
    record of a later one is taken over, the article becoming the original; a record more than a window newer
    is left alone. Band keys: answered, then claimed for the first of the article's paragraphs carrying it
    when free or stale, or refreshed when it already points at one of them.
    """
    me = article_hash(probe.article_id)
    key_a = probe.key
    t = key_a[0]
    values: dict[bytes, bytes | None] = {}
    for key, index, n_words, signature in probe.exact:
        answer, itself = _other(store, key, probe.article_id, probe.token)
        values[key] = answer
        if itself:  # a redelivery keeps its record (and the carriers counted since)
            continue
        value = store.get(key)
        record = None if value is None else unpack_owned(value)[1]
        how = relation(record, key_a, window, limit)
        if how == "absent":
            store[key] = pack_owned(probe.token,
                                    ExactRecord(t, probe.article_id, index, n_words, signature, at=key_a[1]))
        elif how == "repeat":
            assert value is not None and record is not None
            updated, _ = count_exact(record, me, t, limit)
            if updated is not None:
                claimed_by, _, displaced = _unpack_owned(value)
                store[key] = pack_owned(claimed_by, updated, displaced)
        elif how == "displace":
            assert record is not None
            store[key] = pack_owned(probe.token, take_over(record, probe.article_id, index, key_a, limit), record)
    for band_key, holders in probe.bands:
        value = store.get(band_key)
        if value is None:
            values[band_key] = None
            store[band_key] = pack_claim(holders[0], t)
            continue
        target, claimed = unpack_claim(value)
        values[band_key] = pack_band(target)
        if target in holders:
            if t > claimed:  # a write is a changelog record: only when the claim time moves
                store[band_key] = pack_claim(target, t)
        elif claimed < t - window:
            store[band_key] = pack_claim(holders[0], t)
    old = store.get(WATERMARK)
    if old is None or _U32.unpack(old)[0] < t:
        store[WATERMARK] = _U32.pack(t & 0xFFFFFFFF)
    return values


def answer_fetch(store: Mapping[bytes, bytes], fetch: Fetch) -> dict[bytes, bytes | None]:
    """The records under the fetched exact keys, as stored (a record claimed by this very Kafka record: None)."""
    values: dict[bytes, bytes | None] = {}
    for key in fetch.keys:
        answer, itself = _other(store, key, fetch.article_id, fetch.token)
        values[key] = None if itself else answer
    return values


class History:
    """One owner partition's recent exact-key writes, in memory: a round-two read sees the store as it was when
    the asking article was probed, although later articles (of its batch, or of batches sent since) wrote.

    Every probed article gets a sequence number in the partition's order; each write to an exact key keeps the
    value it replaced. "As of" article n, a key reads as the value replaced by its first write at or after n,
    else as it is now. A key created after article n reads as it is now, though: a band entry led the article
    there, so its claimer reached the band's owner first and this owner after (batches of other partitions
    interleave differently at each owner); ``decide`` orders the two by time key, as one process would. A
    batch that sent nothing here still sends an empty probe message, so its place in the order is known. Only
    recent writes are kept (a restart forgets them all: a fetch then reads the store as it is, which is what
    the design did before).
    """

    def __init__(self, keep_writes: int = 200_000, keep_batches: int = 2_000) -> None:
        self.seq = 0
        self.keep_writes, self.keep_batches = keep_writes, keep_batches
        self.marks: OrderedDict[str, list[tuple[int, int]]] = OrderedDict()  # batch -> [(position, seq)]
        self.ends: dict[str, int] = {}  # batch -> the sequence number after its last article
        self.before: dict[bytes, deque[tuple[int, bytes | None]]] = {}
        self.order: deque[tuple[int, bytes]] = deque()

    def article(self, batch: str, position: int) -> None:
        """The next article of `batch` (at `position`) is about to be answered here."""
        self.seq += 1
        self.marks.setdefault(batch, []).append((position, self.seq))
        self.ends[batch] = self.seq + 1
        while len(self.marks) > self.keep_batches:
            old, _ = self.marks.popitem(last=False)
            self.ends.pop(old, None)

    def batch(self, batch: str) -> None:
        """`batch` reached this partition (with or without articles for it)."""
        if batch not in self.marks:
            self.marks[batch] = []
            self.ends[batch] = self.seq + 1

    def wrote(self, key: bytes, old: bytes | None) -> None:
        """The current article replaced `old` under exact key `key`."""
        self.before.setdefault(key, deque()).append((self.seq, old))
        self.order.append((self.seq, key))
        while len(self.order) > self.keep_writes:
            _, k = self.order.popleft()
            kept = self.before[k]
            kept.popleft()
            if not kept:
                del self.before[k]

    def tracked(self, store: MutableMapping[bytes, bytes]) -> MutableMapping[bytes, bytes]:
        """`store`, noting the value each exact-key write replaces."""
        return _Tracked(store, self)

    def as_of(self, store: Mapping[bytes, bytes], batch: str, position: int) -> Mapping[bytes, bytes]:
        """`store` as the article at `position` of `batch` saw it here (as it is now if that is forgotten)."""
        marks = self.marks.get(batch)
        if marks is None:
            return store
        seq = next((s for p, s in marks if p >= position), self.ends[batch])
        return _AsOf(store, self, seq)


class _Tracked(MutableMapping[bytes, bytes]):
    """A store that tells its History what each exact-key write replaced."""

    def __init__(self, store: MutableMapping[bytes, bytes], history: History) -> None:
        self.store, self.history = store, history

    def __getitem__(self, key: bytes) -> bytes:
        return self.store[key]

    def get(self, key: bytes, default: Any = None) -> Any:
        """Read through."""
        return self.store.get(key, default)

    def __setitem__(self, key: bytes, value: bytes) -> None:
        if key[:1] == EXACT_PREFIX:
            self.history.wrote(key, self.store.get(key))
        self.store[key] = value

    def __delitem__(self, key: bytes) -> None:
        raise NotImplementedError("claims never delete")

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.store)

    def __len__(self) -> int:
        return len(self.store)


class _AsOf(Mapping[bytes, bytes]):
    """Exact keys as they were before the writes at or after a sequence number (read-only)."""

    def __init__(self, store: Mapping[bytes, bytes], history: History, seq: int) -> None:
        self.store, self.history, self.seq = store, history, seq

    def __getitem__(self, key: bytes) -> bytes:
        for seq, old in self.history.before.get(key, ()):
            if seq >= self.seq:
                if old is None:
                    break  # created since: read it as it is (see History)
                return old
        return self.store[key]

    def __iter__(self) -> Iterator[bytes]:
        raise NotImplementedError("fetches never iterate")

    def __len__(self) -> int:
        raise NotImplementedError("fetches never count")


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
    return _targets(plan, answered, config)[0]


def _targets(
    plan: ArticlePlan, answered: Mapping[bytes, bytes | None], config: DedupConfig
) -> tuple[list[bytes], Decision]:
    """`fetch_targets`, and the decision over what was answered (final when nothing is missing)."""
    recorder = _Recorder(answered)
    decision = decide(plan, recorder, config)
    return [k for k in recorder.missing if k[:1] == EXACT_PREFIX], decision


def local_targets(
    plans: Sequence[ArticlePlan], answered: Sequence[dict[bytes, bytes | None]], config: DedupConfig
) -> tuple[list[list[bytes]], list[Decision | None]]:
    """Round two for a batch probed in order: fill what the batch itself knows, return what to fetch per article.

    The owners saw the batch's claims in order, so a key that a *later* article of the batch probed was answered
    to it as it was before that article, and therefore as it was before the earlier one (nobody in between
    touched it): that answer is the earlier article's round-two value, with no message and no risk of reading
    what later articles wrote. Other targets are fetched, and so are keys that were absent then (another
    partition's article may have created them since: see History). `answered` (one mapping per article,
    round-one values) is updated in place. Also returns each article's decision when round one already held
    everything it reads (None otherwise: decide again once the rest is in).
    """
    first: dict[bytes, int] = {}
    for j, plan in enumerate(plans):
        for key in plan.exact_keys():
            first.setdefault(key, j)
    remaining: list[list[bytes]] = []
    decided: list[Decision | None] = []
    for i, plan in enumerate(plans):
        todo = []
        targets, decision = _targets(plan, answered[i], config)
        for key in targets:
            j = first.get(key, -1)
            if j > i and answered[j][key] is not None:
                answered[i][key] = answered[j][key]
            else:
                todo.append(key)
        remaining.append(todo)
        decided.append(None if targets else decision)
    return remaining, decided


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
            if expired(unpack_owned(value)[1], now, window):
                dead.append(key)
        elif key and key[0] & 0xF0 == BAND_PREFIX and unpack_claim(value)[1] < int(now) - window:
            dead.append(key)
    return dead
