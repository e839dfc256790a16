"""Tests for the boilerplate pattern files and inline cuts."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.dedup import DedupConfig, Deduplicator, load_patterns
from streams.errors import ConfigError

PATTERNS = load_patterns()


@pytest.mark.parametrize(
    "line",
    [
        "Baca juga: Vladimir Putin Hancurkan Bocharov Ruchey, Vila Liburan Favoritnya di Laut Hitam",
        "Baca Juga : BI Tahan Suku Bunga Acuan di Level 6 Persen",
        "BACA JUGA: Harga Cabai Rawit Tembus Rp 80 Ribu",
        "Simak juga Video 'Sri Mulyani Ungkap Ekonomi RI Masih Kuat':",
        "ADVERTISEMENT",
        "SCROLL TO CONTINUE WITH CONTENT",
        'Artikel ini telah tayang di Kompas.com dengan judul "BI: Ekonomi RI Tumbuh 5,04 Persen"',
        "Editor: Aprillia Ika",
        "Penulis: Elsa Catriana",
        "Ikuti berita terkini di Google News",
        "Read also: Rupiah slides to weakest level since 2020",
        "Related: Asian currencies weaken as dollar firms",
        "Sign up for our newsletter to get the latest business news",
        "Follow us on Facebook and X for more updates",
        "Click here to subscribe to our daily briefing",
        "Reporting by Stefanno Sulaiman; Editing by Ed Davies",
    ],
)
def test_boilerplate_lines_match(line: str) -> None:
    assert PATTERNS.is_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Bahan:",
        "Pasal 28:",
        "By noon the water had receded from most streets in Cawang.",
        "The advertisement was banned by the regulator on Tuesday.",
        "Presiden mengatakan subsidi tetap diberikan kepada warga yang membutuhkan.",
    ],
)
def test_content_is_not_boilerplate(line: str) -> None:
    assert not PATTERNS.is_line(line)


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        (
            "Presiden mengatakan (Baca juga: Harga BBM Naik Lagi) bahwa subsidi tetap diberikan.",
            "Presiden mengatakan bahwa subsidi tetap diberikan.",
        ),
        ("Harga naik. ADVERTISEMENT SCROLL TO CONTINUE WITH CONTENT Kata dia.", "Harga naik. Kata dia."),
        ("Ia pergi ke Surabaya. Baca juga: Judul Lain di Sini", "Ia pergi ke Surabaya."),
    ],
)
def test_inline_boilerplate_is_cut_and_text_kept(text: str, clean: str) -> None:
    (verdict,) = Deduplicator().process("a", [text], 0.0)
    assert (verdict.text, verdict.clean_text, verdict.duplicate) == (text, clean, None)


def test_user_pattern_file_extends_the_builtin_ones(tmp_path: Path) -> None:
    extra = tmp_path / "mine.txt"
    extra.write_text("# site furniture\nline  dukung\\s+jurnalisme\\s+kami.*\n", encoding="utf-8")
    dedup = Deduplicator(config=DedupConfig(extra_patterns=extra))
    (verdict,) = dedup.process("a", ["Dukung jurnalisme kami dengan berlangganan."], 0.0)
    assert verdict.duplicate is not None and verdict.duplicate.kind == "boilerplate"


@pytest.mark.parametrize("content", ["nonsense here\n", "line  (unclosed\n"])
def test_bad_pattern_file_names_the_line(tmp_path: Path, content: str) -> None:
    extra = tmp_path / "bad.txt"
    extra.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.txt:1"):
        load_patterns(extra)
