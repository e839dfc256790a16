"""Tests for fingerprints and the shingle-set signature's similarity."""

from __future__ import annotations

import random

import pytest

from streams.dedup import Deduplicator, fingerprint, jaccard, similarity
from streams.dedup.fingerprint import BANDS, MAX_SIGNATURE_BYTES

P4 = '"Jelas bahwa dalam kondisi seperti itu hubungan kita dengan mitra kita perlu berkembang," tambah Zelensky.'
P6 = '"Jelas bahwa dalam kondisi seperti itu hubungan kita dengan mitra kita perlu berkembang," tambahnya.'
BI_KOMPAS = (
    "JAKARTA, KOMPAS.com - Bank Indonesia (BI) mencatat pertumbuhan ekonomi Indonesia pada kuartal IV 2023 "
    "mencapai 5,04 persen secara tahunan, lebih tinggi dibandingkan kuartal sebelumnya."
)
BI_DETIK = (
    "Jakarta - Bank Indonesia (BI) mencatat pertumbuhan ekonomi Indonesia pada kuartal IV 2023 mencapai "
    "5,04 persen secara tahunan (year on year), lebih tinggi dibandingkan kuartal sebelumnya."
)
FIRE_A = 'The fire chief says the fire "is definitely suspicious."'
FIRE_B = 'The local fire chief says the fire "is definitely suspicious."'
GEMPA_A = (
    '"Gempa ini merupakan jenis gempa dangkal akibat aktivitas sesar aktif. Hasil pemodelan menunjukkan gempa '
    'tidak berpotensi tsunami," ujar Daryono.'
)
GEMPA_B = (
    '"Gempa ini merupakan jenis gempa dangkal akibat aktivitas sesar aktif. Hasil pemodelan menunjukkan gempa '
    'tidak berpotensi tsunami," ujarnya.'
)


def test_exact_key_ignores_case_quotes_spacing() -> None:
    other = "“Jelas bahwa dalam kondisi seperti itu hubungan kita dengan mitra kita perlu berkembang”, TAMBAH  Zelensky"
    fa, fb = fingerprint(P4), fingerprint(other)
    assert fa is not None and fb is not None and fa.exact_key == fb.exact_key


@pytest.mark.parametrize(
    ("a", "b"),
    [(P4, P6), (BI_KOMPAS, BI_DETIK), (FIRE_A, FIRE_B), (GEMPA_A, GEMPA_B), (P4, GEMPA_A), (P4, P4)],
)
def test_similarity_is_the_exact_jaccard_for_paragraph_lengths(a: str, b: str) -> None:
    # These pairs sit on both sides of the 0.7 boundary (0.68, 0.71, 0.67 ...): an estimate would flip them.
    fa, fb = fingerprint(a), fingerprint(b)
    assert fa is not None and fb is not None
    assert similarity(fa.signature, fb.signature) == pytest.approx(jaccard(a, b), abs=1e-12)
    assert similarity(fb.signature, fa.signature) == similarity(fa.signature, fb.signature)


def _edited_pairs(n_words: int, count: int) -> list[tuple[str, str]]:
    """Pairs of random-word paragraphs of `n_words`, the second with 2-12% of its words replaced."""
    rng = random.Random(n_words)
    vocab = [f"kata{i}" for i in range(5000)]
    pairs = []
    for _ in range(count):
        a = [rng.choice(vocab) for _ in range(n_words)]
        b = list(a)
        for _ in range(max(1, int(n_words * rng.uniform(0.02, 0.12)))):
            b[rng.randrange(n_words)] = rng.choice(vocab)
        pairs.append((" ".join(a), " ".join(b)))
    return pairs


@pytest.mark.parametrize(("n_words", "mean_error", "max_sd"), [(30, 0.0, 0.0), (60, 0.01, 0.02), (150, 0.01, 0.04)])
def test_similarity_error_by_length(n_words: int, mean_error: float, max_sd: float) -> None:
    # Exact up to ~42 shingles; cut hashes up to 70; a coordinated sample beyond (bench/results/dedup.md).
    errors = []
    for a, b in _edited_pairs(n_words, 150):
        fa, fb = fingerprint(a), fingerprint(b)
        assert fa is not None and fb is not None
        errors.append(similarity(fa.signature, fb.signature) - jaccard(a, b))
    mean = sum(errors) / len(errors)
    sd = (sum((e - mean) ** 2 for e in errors) / len(errors)) ** 0.5
    assert abs(mean) <= mean_error + 1e-9 and sd <= max_sd + 1e-9


@pytest.mark.parametrize("n_words", [5, 20, 44, 72, 400])
def test_signature_fits_its_budget(n_words: int) -> None:
    fp = fingerprint(" ".join(f"kata{i}" for i in range(n_words)))
    assert fp is not None
    assert len(fp.signature) <= MAX_SIGNATURE_BYTES and len(fp.band_keys) == BANDS


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        (
            "Gempa terjadi pukul 10.00 WIB, kata dia. Baca juga: Harga Cabai Rawit Tembus Rp 80 Ribu di Pasar. "
            "Warga diminta tenang.",
            "Gempa terjadi pukul 10.00 WIB, kata dia. Warga diminta tenang.",
        ),
        (
            "Gempa terjadi, kata dia. BACA JUGA: Rupiah Menguat Tipis ke Level Rp 15.600 per Dollar AS. Warga tenang.",
            "Gempa terjadi, kata dia. Warga tenang.",
        ),
        ("Kata dia. Baca juga: Kapan Pemilu Digelar? Warga diminta tenang.", "Kata dia. Warga diminta tenang."),
        # No full stop of its own: the title cannot be told from the next sentence, so nothing is cut.
        (
            "Kata dia. Baca juga: Judul Artikel Lain Kalimat berikut tidak dipotong. Akhir.",
            "Kata dia. Baca juga: Judul Artikel Lain Kalimat berikut tidak dipotong. Akhir.",
        ),
        (
            "Kata dia. Baca juga: kalimat biasa yang bukan judul. Akhir.",
            "Kata dia. Baca juga: kalimat biasa yang bukan judul. Akhir.",
        ),
    ],
)
def test_mid_paragraph_baca_juga_is_cut_before_fingerprinting(text: str, clean: str) -> None:
    (verdict,) = Deduplicator().process("a", [text], 0.0)
    assert verdict.clean_text == clean and verdict.duplicate is None
