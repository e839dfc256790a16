"""Tests for the binary store records and their footprint."""

from __future__ import annotations

import pytest

from streams.dedup import ExactRecord, fingerprint, pack_record, unpack_record
from streams.dedup.fingerprint import MAX_SIGNATURE_BYTES

P4 = '"Jelas bahwa dalam kondisi seperti itu hubungan kita dengan mitra kita perlu berkembang," tambah Zelensky.'
# A paragraph long enough to fill the signature budget.
LONG = " ".join(f"kata{i}" for i in range(120))
IDS = ["seed", "000_59858f91a7a8876a", "b3c1f6de-0b7e-4bb6-9c53-2d1f0e8a7a10", "B3C1F6DE-0B7E-4BB6-9C53-2D1F0E8A7A10"]


def _footprint(text: str, article_id: str, others: tuple[int, ...]) -> int:
    """Bytes one remembered paragraph takes in the store: exact key, record, band keys and values."""
    fp = fingerprint(text)
    assert fp is not None
    value = pack_record(ExactRecord(1_728_800_000, article_id, 3, fp.n_words, fp.signature, 3, others))
    return len(fp.exact_key) + len(value) + sum(len(key) + len(fp.exact_key) - 1 for key in fp.band_keys)


@pytest.mark.parametrize("article_id", [*IDS, "é" * 10, ""])
@pytest.mark.parametrize("text", [P4, LONG])
def test_record_round_trip(article_id: str, text: str) -> None:
    fp = fingerprint(text)
    assert fp is not None
    record = ExactRecord(1_728_800_000, article_id, 3, fp.n_words, fp.signature, 2, (12345,))
    assert unpack_record(pack_record(record)) == record  # n_words < 256 here, so nothing is capped


@pytest.mark.parametrize("article_id", [*IDS, "x" * 36])
def test_worst_case_footprint_fits_200_bytes(article_id: str) -> None:
    # Longest signature, two other-article hashes (the most a record keeps), ids up to 36 bytes.
    assert _footprint(LONG, article_id, (1, 2)) <= 200


def test_uuid_ids_are_stored_as_16_bytes() -> None:
    fp = fingerprint(P4)
    assert fp is not None
    uuid_id, other = IDS[2], "x" * 36
    size = {i: len(pack_record(ExactRecord(0, i, 0, fp.n_words, fp.signature))) for i in (uuid_id, other)}
    assert size[other] - size[uuid_id] == 20


def test_oversized_parts_are_refused() -> None:
    # (An id of any length is stored: article.v1's limit bounds it at the edge.)
    with pytest.raises(ValueError, match="signature"):
        pack_record(ExactRecord(0, "a", 0, 5, bytes(MAX_SIGNATURE_BYTES + 1)))


def test_the_originals_record_time_is_stored_only_when_it_differs_from_its_time() -> None:
    fp = fingerprint(P4)
    assert fp is not None

    def size(at: int | None, seen: int = 1_728_800_000) -> int:
        return len(pack_record(ExactRecord(seen, "seed", 3, fp.n_words, fp.signature, 2, (7,), at)))

    plain = size(None)
    assert size(1_728_800_000_000) == plain  # on the second: nothing stored
    assert size(1_728_800_000_123) == plain + 1  # a record time's milliseconds
    assert size(1_728_800_000_999) == plain + 2
    assert size(1_728_800_000_000 + 3 * 86_400_000) == plain + 4  # published three days before it was recorded
    assert size(1_728_800_000_000 + 20 * 365 * 86_400_000) == plain + 6
    for at in (1_728_800_000_123, 1_728_800_000_999, 1_728_800_000_000 + 20 * 365 * 86_400_000):
        record = ExactRecord(1_728_800_000, "seed", 3, fp.n_words, fp.signature, 2, (7,), at)
        assert unpack_record(pack_record(record)) == record
        assert unpack_record(pack_record(record)).key == (1_728_800_000, at, "seed")
    assert unpack_record(pack_record(ExactRecord(1_728_800_000, "s", 0, 5, fp.signature))).key == (
        1_728_800_000, 1_728_800_000_000, "s")


def test_repetition_boilerplate_keeps_its_newest_sighting_apart_from_the_originals_time() -> None:
    fp = fingerprint(P4)
    assert fp is not None
    record = ExactRecord(1_728_800_000, "seed", 3, fp.n_words, fp.signature, 3, (7, 8), 1_728_800_000_250,
                         1_728_800_000 + 5 * 86400)
    assert unpack_record(pack_record(record)) == record
    assert record.newest == 1_728_800_000 + 5 * 86400 and record.key == (1_728_800_000, 1_728_800_000_250, "seed")
    big = ExactRecord(1_728_800_000, "seed", 40_000, fp.n_words, fp.signature)
    assert unpack_record(pack_record(big)).index == 0x7FFF  # the index shares its top bit with the `last` flag


@pytest.mark.parametrize("article_id", ["a" * 255, "b" * 256, "é" * 512, "𝕏" * 512])
def test_ids_over_255_bytes_round_trip_with_every_optional_part(article_id: str) -> None:
    fp = fingerprint(LONG)
    assert fp is not None
    record = ExactRecord(1_728_800_000, article_id, 7, fp.n_words, fp.signature, 3, (11, 22), at=1_728_800_000_250,
                         last=1_728_900_000)
    assert unpack_record(pack_record(record)) == record
