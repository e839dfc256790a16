"""Paragraph fingerprints: an exact key, b-bit MinHash signature and LSH band keys over word 3-shingles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import xxhash

from streams.dedup.normalize import words

__all__ = [
    "BANDS",
    "BITS",
    "NUM_PERM",
    "ROWS",
    "SIGNATURE_BYTES",
    "ParagraphPrint",
    "fingerprint",
    "fingerprint_words",
    "jaccard",
    "shingles",
    "similarity",
]

# Word 3-shingles: the near-duplicate definition (Jaccard of word 3-shingles >= 0.7) is stated on them.
SHINGLE = 3
# 256 permutations kept at 2 bits each: 64 bytes per paragraph. For a fixed byte budget b-bit MinHash
# estimates high similarities better with many narrow values than with few wide ones (Li & König 2010):
# the standard error at J = 0.7 is ~0.035 here against ~0.057 for 64 x 8-bit values.
NUM_PERM = 256
BITS = 2
SIGNATURE_BYTES = NUM_PERM * BITS // 8
# 6 bands of 2 full-width MinHash values: a pair at J = 0.7 shares a band with p = 1-(1-0.7^2)^6 = 0.98
# (0.999 at J = 0.85), while six band entries keep the stored footprint under 200 bytes per paragraph.
BANDS = 6
ROWS = 2
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
_CHANCE = 1.0 / (1 << BITS)  # two unrelated b-bit values agree this often by chance
_LOW_BIT = int.from_bytes(bytes([0b01010101]) * SIGNATURE_BYTES, "little") if BITS == 2 else 0
_PER_BYTE = 8 // BITS
_SHIFTS = np.array([BITS * j for j in range(_PER_BYTE)], dtype=np.uint64)


@dataclass(frozen=True, slots=True)
class ParagraphPrint:
    """Everything the index needs about one paragraph; keys are ready-made store keys."""

    exact_key: bytes  # b"x" + 8-byte xxh3 of the normalized text
    band_keys: tuple[bytes, ...]  # BANDS keys of 5 bytes: 0xB0|band, 32-bit band hash
    signature: bytes  # SIGNATURE_BYTES of packed b-bit MinHash values
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
    x = (_mix(combined[np.concatenate(starts)]) >> _S32)[None, :]
    # The minimum of the full 64-bit a*x+b is the minimum of its top 32 bits (ties broken below), so
    # the shift runs on the few minima instead of on every permuted shingle.
    permuted = _A * x
    permuted += _B
    mins = np.minimum.reduceat(permuted, np.array(offsets), axis=1).T >> _S32  # (paragraphs, NUM_PERM)
    # b-bit signature: keep the low BITS of each value, packed _PER_BYTE to a byte.
    low = (mins & np.uint64((1 << BITS) - 1)).reshape(len(owners), SIGNATURE_BYTES, _PER_BYTE)
    packed = (low << _SHIFTS).sum(axis=2).astype(np.uint8)
    # Band hashes from the first BANDS*ROWS full-width values (order within a band matters).
    rows = mins[:, : BANDS * ROWS].reshape(len(owners), BANDS, ROWS)
    band_hash = (_mix(rows[:, :, 0] * _M1 + rows[:, :, 1] * _M2 + _BAND_SALT) >> _S32).tolist()
    for j, i in enumerate(owners):
        tokens = paragraphs[i]
        result[i] = ParagraphPrint(
            exact_key=EXACT_PREFIX + xxhash.xxh3_64_digest(" ".join(tokens).encode()),
            band_keys=tuple(
                bytes((BAND_PREFIX | band,)) + value.to_bytes(4, "big") for band, value in enumerate(band_hash[j])
            ),
            signature=packed[j].tobytes(),
            n_words=len(tokens),
        )
    return result


def fingerprint(text: str) -> ParagraphPrint | None:
    """Fingerprint one paragraph; None when it has no words."""
    return fingerprint_words([words(text)])[0]


def similarity(sig_a: bytes, sig_b: bytes) -> float:
    """Estimate the 3-shingle Jaccard similarity of two paragraphs from their b-bit signatures."""
    diff = int.from_bytes(sig_a, "little") ^ int.from_bytes(sig_b, "little")
    # A 2-bit value differs when either of its bits does: fold each pair onto its low bit and count.
    mismatches = ((diff | (diff >> 1)) & _LOW_BIT).bit_count()
    agree = (NUM_PERM - mismatches) / NUM_PERM
    # b-bit values of unrelated paragraphs still agree with probability 2^-b; undo that bias.
    return max(0.0, (agree - _CHANCE) / (1.0 - _CHANCE))
