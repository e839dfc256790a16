"""Tests for fingerprints, similarity and the binary store records."""

from __future__ import annotations

import pytest

from streams.dedup import ExactRecord, fingerprint, jaccard, pack_record, similarity, unpack_record

P4 = '"Jelas bahwa dalam kondisi seperti itu hubungan kita dengan mitra kita perlu berkembang," tambah Zelensky.'
P6 = '"Jelas bahwa dalam kondisi seperti itu hubungan kita dengan mitra kita perlu berkembang," tambahnya.'


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            P4,
            "“Jelas bahwa dalam kondisi seperti itu hubungan kita dengan mitra kita perlu berkembang”,"
            " TAMBAH  Zelensky",
        )
    ],
)
def test_exact_key_ignores_case_quotes_spacing(a: str, b: str) -> None:
    fa, fb = fingerprint(a), fingerprint(b)
    assert fa is not None and fb is not None and fa.exact_key == fb.exact_key


def test_similarity_estimates_shingle_jaccard() -> None:
    fa, fb = fingerprint(P4), fingerprint(P6)
    assert fa is not None and fb is not None
    assert abs(similarity(fa.signature, fb.signature) - jaccard(P4, P6)) < 0.1
    assert len(fa.signature) == 64 and len(fa.band_keys) == 6


@pytest.mark.parametrize("article_id", ["seed", "000_59858f91a7a8876a", "b3c1f6de-0b7e-4bb6-9c53-2d1f0e8a7a10"])
def test_record_round_trip_fits_the_budget(article_id: str) -> None:
    fp = fingerprint(P4)
    assert fp is not None
    record = ExactRecord(1_728_800_000, article_id, 3, fp.n_words, fp.signature, 2, (12345,))
    value = pack_record(record)
    assert unpack_record(value) == record  # n_words < 256 here, so nothing is capped
    footprint = len(fp.exact_key) + len(value) + sum(len(k) + 8 for k in fp.band_keys)
    assert footprint <= 200
