"""article: edge validation and paragraph splitting of input articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams import codec
from streams.article import Article, parse_article, split_body
from streams.errors import InvalidMessage
from tests.conftest import SEED


def test_seed_text_file_becomes_an_article() -> None:
    article = Article.from_text_file(SEED)
    assert article.id == SEED.stem
    assert len(article.paragraphs) == 15
    assert article.source == "tribunnews.com"  # from the "TRIBUNNEWS.COM -" dateline
    assert article.paragraphs[11].startswith("Baca juga:")


def test_body_lines_are_trimmed_and_blank_lines_dropped() -> None:
    assert split_body("  satu \n\n\t dua\r\n   \ntiga") == ("satu", "dua", "tiga")


def test_paragraphs_form_and_url_source() -> None:
    raw = codec.dumps({"id": "a1", "url": "https://www.kompas.com/x", "paragraphs": [" p1 ", "", "p2"]})
    article = parse_article(raw)
    assert article.paragraphs == ("p1", "p2") and article.source == "kompas.com"


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        ({"id": "a"}, "schema"),
        ({"body": "text"}, "schema"),
        ({"id": "", "body": "text"}, "schema"),
        ({"id": 7, "body": "text"}, "schema"),
        ({"id": "a", "body": 7}, "schema"),
        ({"id": "a", "body": "x", "title": ["not", "a", "string"]}, "schema"),
        ({"id": "a", "body": "x", "published_at": "next week"}, "schema"),
        ({"id": "a", "body": " \n \n"}, "empty_body"),
        ({"id": "a", "paragraphs": ["", "  "]}, "empty_body"),
        ({"id": "a", "body": "x" * 2000}, "too_large"),
    ],
)
def test_invalid_articles_are_rejected_with_a_reason(doc: dict[str, object], reason: str) -> None:
    with pytest.raises(InvalidMessage) as info:
        parse_article(codec.dumps(doc), max_body_bytes=1000)
    assert info.value.reason == reason


def test_published_at_accepts_iso_and_rfc2822(tmp_path: Path) -> None:
    for value in ["2024-10-13T10:00:00+07:00", "2024-10-13T03:00:00Z", "Sun, 13 Oct 2024 10:00:00 +0700"]:
        assert parse_article(codec.dumps({"id": "a", "body": "x", "published_at": value})).published_at == value
