"""article: edge validation and paragraph splitting of input articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams import codec
from streams.article import MAX_ID_LENGTH, Article, parse_article, split_body
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


def test_a_record_too_large_for_any_valid_article_is_refused_before_it_is_decoded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from streams import article as article_module

    def never(raw: bytes | str) -> dict[str, object]:
        raise AssertionError("decoded")

    monkeypatch.setattr(article_module.codec, "loads_object", never)
    limit = article_module.max_record_bytes(1000)
    with pytest.raises(InvalidMessage) as caught:
        parse_article(b"{" + b" " * limit + b"}", max_body_bytes=1000)
    assert caught.value.reason == "too_large" and "not decoded" in str(caught.value)


def test_the_largest_valid_body_fully_escaped_still_fits_the_record_limit() -> None:
    from streams.article import max_record_bytes

    body = "\u200b" * 333  # 999 UTF-8 bytes, each character written \\u200b: 6 bytes
    raw = ('{"id": "' + "i" * MAX_ID_LENGTH + '", "body": "' + "\\u200b" * 333 + '"}').encode()
    assert len(raw) <= max_record_bytes(1000)
    assert parse_article(raw, max_body_bytes=1000).paragraphs == (body,)


def test_the_body_size_is_checked_before_the_schema() -> None:
    # Both too large and of a wrong field type: the size is found first, without validating the rest.
    doc = {"id": "big", "body": "x" * 2000, "title": 42}
    with pytest.raises(InvalidMessage) as caught:
        parse_article(codec.dumps(doc), max_body_bytes=1000)
    assert caught.value.reason == "too_large"


def test_the_id_limit_is_article_v1s_and_ids_up_to_it_are_processed() -> None:
    from streams.dedup import Deduplicator
    from streams.schemas import load_schema

    assert MAX_ID_LENGTH == load_schema("article.v1")["properties"]["id"]["maxLength"] == 512
    longest = "é" * MAX_ID_LENGTH  # 1,024 UTF-8 bytes: once dead-lettered as `article_id` (over 255 bytes)
    article = parse_article(codec.dumps({"id": longest, "body": "Satu paragraf yang cukup panjang untuk dicatat."}))
    dedup = Deduplicator()
    dedup.process(article.id, article.paragraphs, 1_728_800_000.0)
    again = dedup.process_article("other", article.paragraphs, 1_728_800_100.0)
    assert again.verdicts[0].duplicate is not None and again.verdicts[0].duplicate.article_id == longest
    with pytest.raises(InvalidMessage) as caught:
        parse_article(codec.dumps({"id": "x" * (MAX_ID_LENGTH + 1), "body": "b"}))
    assert caught.value.reason == "schema" and f"{MAX_ID_LENGTH}-character limit" in str(caught.value)
