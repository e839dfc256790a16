"""Paragraph fingerprints: an exact key, LSH band keys and a shingle-set sketch over word 3-shingles."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import xxhash

from streams.dedup.normalize import words

__all__ = [
    "BANDS",
    "MAX_SIGNATURE_BYTES",
    "NUM_PERM",
    "ROWS",
    "ParagraphPrint",
    "fingerprint",
    "fingerprint_words",
    "jaccard",
    "shingles",
    "similarity",
]

# Word 3-shingles: the near-duplicate definition (Jaccard of word 3-shingles >= 0.7) is stated on them.
SHINGLE = 3
# 6 bands of 2 full-width MinHash values find the candidates: a pair at J = 0.7 shares a band with
# p = 1-(1-0.7^2)^6 = 0.98 (0.999 at J = 0.85). MinHash only finds candidates now; the signature below
# decides, so only these 12 permutations are computed.
BANDS = 6
ROWS = 2
NUM_PERM = BANDS * ROWS
# The signature is the paragraph's set of shingle hashes itself, cut to a few bits each and Elias-Fano
# coded, so Jaccard is computed, not estimated. 56 bytes hold every set of up to 42 shingles with 8 bits
# of each hash beyond its rank (a false shingle match once per 128-256 comparisons), up to 70 shingles
# with 4; longer paragraphs keep the 70-odd lowest hashes, a coordinated sample (module docs in `_encode`).
# 56 bytes also keep a record with a 36-byte id under 200 bytes in the store (records.py).
MAX_SIGNATURE_BYTES = 56
_HEAD = 3  # universe bits | sampled flag, value count, low bits per value
_BUDGET = (MAX_SIGNATURE_BYTES - _HEAD) * 8
_MAX_LOW, _MIN_LOW = 8, 4
# Short sets keep at least 16 bits a hash: one false match moves their Jaccard by 0.05-0.1, so it must be
# rare (n / 2^16 a shingle), and 16 bits of 5-20 shingles cost only 10-40 bytes.
_MIN_UNIVERSE = 16
_SAMPLED = 0x80
# Store key prefixes: exact records under b"x", band entries under one byte 0xB0 | band.
EXACT_PREFIX = b"x"
BAND_PREFIX = 0xB0

_MASK64 = (1 << 64) - 1


def _constant(label: str) -> int:
    """Derive a fixed 64-bit constant from its label, so fingerprints never depend on process or version."""
    return xxhash.xxh3_64_intdigest(b"warta-dedup:" + label.encode())


# Dietzfelbinger's multiply-add-shift: h(x) = ((a*x + b) mod 2^64) >> 32 is a universal family on
# 32-bit x, one vectorized multiply-add per permutation instead of a Python-level hash per shingle.
_A = np.array([_constant(f"a{k}") | 1 for k in range(NUM_PERM)], dtype=np.uint64)[:, None]
_B = np.array([_constant(f"b{k}") for k in range(NUM_PERM)], dtype=np.uint64)[:, None]
_M1, _M2, _M3, _M4 = (np.uint64(_constant(f"m{k}") | 1) for k in range(4))
_S29, _S32 = np.uint64(29), np.uint64(32)
_BAND_SALT = np.array([_constant(f"band{k}") for k in range(BANDS)], dtype=np.uint64)


@dataclass(frozen=True, slots=True)
class ParagraphPrint:
    """Everything the index needs about one paragraph; keys are ready-made store keys."""

    exact_key: bytes  # b"x" + 8-byte xxh3 of the normalized text
    band_keys: tuple[bytes, ...]  # BANDS keys of 5 bytes: 0xB0|band, 32-bit band hash
    signature: bytes  # at most MAX_SIGNATURE_BYTES: the coded shingle-hash set (see `similarity`)
    n_words: int

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-friendly form (bytes as hex)."""
        return {
            "exact_key": self.exact_key.hex(),
            "band_keys": [key.hex() for key in self.band_keys],
            "signature": self.signature.hex(),
            "n_words": self.n_words,
        }


def shingles(tokens: Sequence[str]) -> set[tuple[str, ...]]:
    """Return the word 3-shingles of `tokens`; fewer than 3 words make one shingle of them all."""
    if len(tokens) < SHINGLE:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}


def jaccard(text_a: str, text_b: str) -> float:
    """Return the true Jaccard similarity of the word 3-shingle sets of two texts (the reference)."""
    a, b = shingles(words(text_a)), shingles(words(text_b))
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _mix(values: np.ndarray) -> np.ndarray:
    """Finalize 64-bit values (xor-shift-multiply) so their top 32 bits are well spread."""
    values = values ^ (values >> _S29)
    values = values * _M4
    mixed: np.ndarray = values ^ (values >> _S32)
    return mixed


def _short_hash(tokens: Sequence[str]) -> int:
    """Return the single shingle hash of a one- or two-word paragraph (its words folded in order)."""
    acc = 0
    for token in tokens:
        acc = (acc * int(_M1) + xxhash.xxh3_64_intdigest(token.encode())) & _MASK64
    return acc


def _ef_bits(values: Sequence[int], count: int, low: int) -> int:
    """Return the Elias-Fano size in bits of the first `count` sorted values with `low` low bits each."""
    return count * (low + 1) + (values[count - 1] >> low) + 1


def _encode(hashes: list[int]) -> bytes:
    """Code a paragraph's 32-bit shingle hashes into its signature.

    Each hash is cut to its top `u` bits, u = low + floor(log2 n): the set then needs about low + 2 bits a
    value (Elias-Fano: `low` bits verbatim, the rest in unary), and a shingle of another paragraph falsely
    matches one of these n values with probability n / 2^u <= 2^(1-low). `low` is the largest that fits
    the budget, from max(8, 16 - floor(log2 n)) down to 4. A set that does not fit even at 4 keeps its
    smallest values, as many as fit: the same hash range of any two paragraphs is then a uniform sample of
    both (a coordinated sample), and `similarity` compares them on the range both cover.
    """
    distinct = set(hashes)
    n = len(distinct)
    floor_log = n.bit_length() - 1
    # With u = low + floor(log2 n) the high parts stay below 2^floor(log2 n) <= n, so the code takes at
    # most n * (low + 2) + 1 bits: the widest `low` that fits is known before coding.
    low = min(max(_MAX_LOW, _MIN_UNIVERSE - floor_log), (_BUDGET - 1) // n - 2)
    if low >= _MIN_LOW:
        u = low + floor_log
        return _pack(u, low, sorted({h >> (32 - u) for h in distinct}), sampled=False)
    low, u = _MIN_LOW, _MIN_LOW + floor_log
    values = sorted({h >> (32 - u) for h in distinct})
    count = min(len(values), (_BUDGET - 1) // (low + 1))
    while _ef_bits(values, count, low) > _BUDGET:
        count -= 1
    return _pack(u, low, values[:count], sampled=True)


def _pack(u: int, low: int, values: Sequence[int], *, sampled: bool) -> bytes:
    """Elias-Fano code sorted `values`: count*low low bits, then one unary-coded high part per value."""
    mask = (1 << low) - 1
    lows = highs = 0
    for i, value in enumerate(values):
        lows |= (value & mask) << (i * low)
        highs |= 1 << ((value >> low) + i)
    bits = lows | highs << (len(values) * low)
    size = (_ef_bits(values, len(values), low) + 7) // 8
    return bytes((u | (_SAMPLED if sampled else 0), len(values), low)) + bits.to_bytes(size, "little")


@lru_cache(maxsize=4096)
def _decode(signature: bytes) -> tuple[int, bool, tuple[int, ...]]:
    """Return (universe bits, sampled, sorted values) of a signature; cached, the query side repeats."""
    u, count, low = signature[0] & 0x3F, signature[1], signature[2]
    bits = int.from_bytes(signature[_HEAD:], "little")
    mask = (1 << low) - 1
    highs = bits >> (count * low)
    values = []
    for i in range(count):
        rank = (highs & -highs).bit_length() - 1  # position of the i-th one = high part + i
        highs &= highs - 1
        values.append((rank - i) << low | (bits >> (i * low)) & mask)
    return u, bool(signature[0] & _SAMPLED), tuple(values)


def fingerprint_words(paragraphs: Sequence[Sequence[str]]) -> list[ParagraphPrint | None]:
    """Fingerprint many normalized word lists in one vectorized pass; None for a paragraph without words."""
    owners = [i for i, tokens in enumerate(paragraphs) if tokens]
    result: list[ParagraphPrint | None] = [None] * len(paragraphs)
    if not owners:
        return result
    # Hash every word once, for the whole batch, then combine neighbours into shingle hashes in one go.
    flat = [token for i in owners for token in paragraphs[i]]
    h = np.fromiter((xxhash.xxh3_64_intdigest(t.encode()) for t in flat), np.uint64, len(flat))
    h = np.concatenate((h, np.zeros(SHINGLE - 1, dtype=np.uint64)))
    combined = h[:-2] * _M1 + h[1:-1] * _M2 + h[2:] * _M3
    starts: list[np.ndarray] = []
    offsets: list[int] = []
    position = count = 0
    for i in owners:
        n = len(paragraphs[i])
        offsets.append(count)
        if n >= SHINGLE:
            starts.append(np.arange(position, position + n - SHINGLE + 1))
            count += n - SHINGLE + 1
        else:
            # Too short for a 3-shingle: one shingle of all its words, stored in a padding slot.
            combined = np.append(combined, np.uint64(_short_hash(paragraphs[i])))
            starts.append(np.array([len(combined) - 1]))
            count += 1
        position += n
    x = _mix(combined[np.concatenate(starts)]) >> _S32
    # The minimum of the full 64-bit a*x+b is the minimum of its top 32 bits (ties broken below), so
    # the shift runs on the few minima instead of on every permuted shingle.
    permuted = _A * x[None, :]
    permuted += _B
    mins = np.minimum.reduceat(permuted, np.array(offsets), axis=1).T >> _S32  # (paragraphs, NUM_PERM)
    # Band hashes from the BANDS*ROWS full-width values (order within a band matters).
    rows = mins.reshape(len(owners), BANDS, ROWS)
    band_hash = (_mix(rows[:, :, 0] * _M1 + rows[:, :, 1] * _M2 + _BAND_SALT) >> _S32).tolist()
    hashes = x.tolist()
    ends = [*offsets[1:], count]
    for j, i in enumerate(owners):
        tokens = paragraphs[i]
        result[i] = ParagraphPrint(
            exact_key=EXACT_PREFIX + xxhash.xxh3_64_digest(" ".join(tokens).encode()),
            band_keys=tuple(
                bytes((BAND_PREFIX | band,)) + value.to_bytes(4, "big") for band, value in enumerate(band_hash[j])
            ),
            signature=_encode(hashes[offsets[j] : ends[j]]),
            n_words=len(tokens),
        )
    return result


def fingerprint(text: str) -> ParagraphPrint | None:
    """Fingerprint one paragraph; None when it has no words."""
    return fingerprint_words([words(text)])[0]


def similarity(sig_a: bytes, sig_b: bytes) -> float:
    """Return the 3-shingle Jaccard similarity of two paragraphs from their signatures.

    Exact for sets that fit a signature whole, up to false matches between cut hashes, whose expected
    number is taken out; both sets are first cut to the coarser of their two universes. For a sampled
    signature, both are compared on the hash range every sampled one covers in full.
    """
    u_a, sampled_a, values_a = _decode(sig_a)
    u_b, sampled_b, values_b = _decode(sig_b)
    u = min(u_a, u_b)
    a = {v >> (u_a - u) for v in values_a}
    b = {v >> (u_b - u) for v in values_b}
    if sampled_a or sampled_b:
        # A sampled set holds every value up to its largest one and knows nothing beyond: compare below the
        # lower of the sampled ends (cut to the common universe, the end's own cell may be partly known).
        limit = min(
            values[-1] + 1 if bits == u else values[-1] >> (bits - u)
            for bits, sampled, values in ((u_a, sampled_a, values_a), (u_b, sampled_b, values_b))
            if sampled
        )
        a = {v for v in a if v < limit}
        b = {v for v in b if v < limit}
    else:
        limit = 1 << u
    # Cut hashes collide: shingles of both sets, or of one, can share a value. Linear counting undoes that:
    # n hashes fill limit * (1 - e^(-n/limit)) of `limit` cells on average, so the sets' and the union's
    # true sizes follow from the cells they fill. When the union expects under half a collision the counts
    # are taken as seen: short paragraphs get their exact Jaccard, and a pair at exactly 0.7 stays at 0.7.
    n_a, n_b, union = float(len(a)), float(len(b)), float(len(a | b))
    if _true_count(union, limit) - union >= 0.5:
        n_a, n_b, union = _true_count(n_a, limit), _true_count(n_b, limit), _true_count(union, limit)
    return max(0.0, n_a + n_b - union) / union if union else 1.0


def _true_count(cells: float, limit: int) -> float:
    """Estimate how many distinct hashes fill `cells` of `limit` cells (linear counting)."""
    if cells >= limit:
        return cells
    return -limit * math.log1p(-cells / limit)
