"""Compact binary store records: exact records with their signature, band entries pointing at them, expiry."""

from __future__ import annotations

import re
import struct
from collections.abc import MutableMapping
from dataclasses import dataclass

import xxhash

from streams.dedup.fingerprint import BAND_PREFIX, EXACT_PREFIX, MAX_SIGNATURE_BYTES

__all__ = [
    "ExactRecord",
    "article_hash",
    "band_target",
    "expire",
    "expired",
    "is_live",
    "pack_band",
    "pack_record",
    "unpack_record",
]

# seen (uint32 epoch s), index (uint16; bit 15: `last` follows), n_words (uint8, capped: only the length filter
# reads it), distinct articles (uint8), id length (uint8), signature length (uint8; bit 7: the id is a packed
# UUID; bit 6: `at` follows). After the header: `at`, the original's record time, as a varint of milliseconds
# after `seen` (1-2 bytes for a record time, 4-6 for a publication time days or years before it); then `last`,
# as a varint of seconds after `seen` (repetition boilerplate only); then, for an id of over 255 bytes (or an empty
# one, which no valid article has), whose id length byte is 0, the id's length as a varint. uint32 seconds last
# until 2106. The id's length is bounded at the edge, by article.v1's `id` limit (streams.article.MAX_ID_LENGTH).
_HEADER = struct.Struct("<IHBBBB")
_HASH = struct.Struct("<I")
_SHORT_ID = 0xFF
_UUID_ID = 0x80
_AT = 0x40
_FLAGS = _UUID_ID | _AT
_LAST = 0x8000
MAX_INDEX = 0x7FFF
# Canonical lowercase UUIDs (the usual article id) are stored as their 16 bytes instead of 36 characters.
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True, slots=True)
class ExactRecord:
    """What the store remembers about one paragraph, under its exact key."""

    # The original's time in epoch seconds: its publication time (capped at its record time), else its record time.
    seen: int
    article_id: str  # the original: the carrier with the earliest time key (docs/dedup.md)
    index: int
    n_words: int
    signature: bytes
    articles: int = 1  # distinct articles that carried it (saturates at 255)
    others: tuple[int, ...] = ()  # 32-bit hashes of the other distinct articles, to count each one once
    at: int | None = None  # the original's record time in epoch milliseconds (None: exactly `seen`)
    # Repetition boilerplate: the newest carrier's time (epoch s), so the line stays known while it keeps appearing.
    last: int | None = None

    @property
    def newest(self) -> int:
        """The newest time the record is known at: `last` for repetition boilerplate, else `seen`."""
        return self.seen if self.last is None else max(self.seen, self.last)

    @property
    def key(self) -> tuple[int, int, str]:
        """The original's time key: (time s, record time ms, article id); the earliest carrier is the original."""
        return self.seen, self.seen * 1000 if self.at is None else self.at, self.article_id

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-friendly form."""
        return {
            "seen": self.seen,
            "article_id": self.article_id,
            "index": self.index,
            "n_words": self.n_words,
            "signature": self.signature.hex(),
            "articles": self.articles,
            "others": list(self.others),
            "at": self.at,
            "last": self.last,
        }


def article_hash(article_id: str) -> int:
    """Return the fixed-seed 32-bit hash that identifies an article in the distinct-article counter."""
    return xxhash.xxh32_intdigest(article_id.encode())


def _pack_id(article_id: str) -> tuple[bytes, int]:
    """Return the stored bytes of an article id and its flag: 16 bytes for a canonical UUID, else UTF-8."""
    if len(article_id) == 36 and _UUID.fullmatch(article_id):
        return bytes.fromhex(article_id.replace("-", "")), _UUID_ID
    return article_id.encode(), 0


def _unpack_id(raw: bytes, flag: int) -> str:
    """Invert `_pack_id`."""
    if not flag:
        return raw.decode()
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def pack_record(record: ExactRecord) -> bytes:
    """Serialize a record: header, signature, article id, other-article hashes."""
    raw_id, flag = _pack_id(record.article_id)
    if len(record.signature) > MAX_SIGNATURE_BYTES:
        raise ValueError(f"signature: expected at most {MAX_SIGNATURE_BYTES} bytes, got {len(record.signature)}")
    at = last = b""
    if record.at is not None and record.at != record.seen * 1000:
        at, flag = _varint(record.at - record.seen * 1000), flag | _AT
    index = min(record.index, MAX_INDEX)
    if record.last is not None and record.last > record.seen:
        last, index = _varint(record.last - record.seen), index | _LAST
    header = _HEADER.pack(
        int(record.seen) & 0xFFFFFFFF,
        index,
        min(record.n_words, 0xFF),
        min(record.articles, 0xFF),
        len(raw_id) if 0 < len(raw_id) <= _SHORT_ID else 0,
        len(record.signature) | flag,
    )
    long_id = b"" if 0 < len(raw_id) <= _SHORT_ID else _varint(len(raw_id))
    return b"".join((header, at, last, long_id, record.signature, raw_id, *(_HASH.pack(h) for h in record.others)))


def _varint(n: int) -> bytes:
    """LEB128: 7 bits a byte, low first (the record time is never before `seen`; a negative one is clamped)."""
    n = max(n, 0)
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _unvarint(value: bytes, start: int) -> tuple[int, int]:
    """Invert `_varint` at `start`: (the number, the offset after it)."""
    n = shift = 0
    while True:
        byte = value[start]
        start += 1
        n |= (byte & 0x7F) << shift
        if byte < 0x80:
            return n, start
        shift += 7


def unpack_record(value: bytes) -> ExactRecord:
    """Parse a value written by `pack_record`."""
    seen, index, n_words, articles, id_len, sig_byte = _HEADER.unpack_from(value)
    start = _HEADER.size
    at = last = None
    if sig_byte & _AT:
        delay, start = _unvarint(value, start)
        at = seen * 1000 + delay
    if index & _LAST:
        later, start = _unvarint(value, start)
        last, index = seen + later, index & MAX_INDEX
    if not id_len:
        id_len, start = _unvarint(value, start)
    end = start + (sig_byte & ~_FLAGS)
    signature = value[start:end]
    article_id = _unpack_id(value[end : end + id_len], sig_byte & _UUID_ID)
    others = tuple(h for (h,) in _HASH.iter_unpack(value[end + id_len :]))
    return ExactRecord(seen, article_id, index, n_words, signature, articles, others, at, last)


def pack_band(exact_key: bytes) -> bytes:
    """Return a band entry's value: the 8-byte digest of the exact key it points at (prefix dropped)."""
    return exact_key[len(EXACT_PREFIX) :]


def band_target(value: bytes) -> bytes:
    """Return the exact key a band entry points at."""
    return EXACT_PREFIX + value


def is_live(record: ExactRecord, time: float, window: float) -> bool:
    """Whether a record and an article of time `time` can see each other: at most a window apart, either way.

    An article older than a record by more than the window does not see it either (issue 11): the two are
    different news cycles whichever arrives first. Repetition boilerplate is known up to a window after it was
    last seen.
    """
    return record.seen - window <= int(time) <= record.newest + window


def expired(record: ExactRecord, now: float, window: float) -> bool:
    """Whether a record is more than a window older than `now` (the store's newest time): it can be deleted."""
    return record.newest < int(now) - window


def expire(store: MutableMapping[bytes, bytes], now: float, window: float) -> int:
    """Delete expired exact records and band entries left pointing at nothing; return the count deleted."""
    dead = [
        key
        for key, value in list(store.items())
        if key[:1] == EXACT_PREFIX and expired(unpack_record(value), now, window)
    ]
    for key in dead:
        del store[key]
    orphans = [
        key
        for key, value in list(store.items())
        if key and key[0] & 0xF0 == BAND_PREFIX and band_target(value) not in store
    ]
    for key in orphans:
        del store[key]
    return len(dead) + len(orphans)
