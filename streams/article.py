"""The input article: validated at the edge, split into trimmed paragraphs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import fastjsonschema

from streams import codec
from streams.deadletter import Reason
from streams.errors import InvalidMessage
from streams.schemas import load_schema, validator

__all__ = ["MAX_ID_LENGTH", "Article", "max_record_bytes", "parse_article", "parse_published", "split_body"]

# The one limit on an article id, in characters: article.v1's own (`id.maxLength`), read from it, not restated.
MAX_ID_LENGTH: int = load_schema("article.v1")["properties"]["id"]["maxLength"]
# What an article's fields other than its body can take in JSON at most (their schema limits, every character
# escaped), with room to spare.
_METADATA_BYTES = 64 * 1024

# A dateline such as "TRIBUNNEWS.COM -" or "KOMPAS.com -" names the outlet when metadata does not.
_DATELINE_SOURCE = re.compile(
    r"^\s*([A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z]{2,6}){1,2})\s*[,-–—]", re.UNICODE
)


@dataclass(frozen=True, slots=True)
class Article:
    """A validated input article; ``paragraphs`` are trimmed and never empty."""

    id: str
    paragraphs: tuple[str, ...]
    url: str | None = None
    source: str | None = None
    language: str | None = None
    title: str | None = None
    published_at: str | None = None  # as given in metadata (ISO 8601), normalized later

    def to_dict(self) -> dict[str, Any]:
        """The article as a JSON-ready dict (``paragraphs`` form)."""
        return {
            "id": self.id,
            "url": self.url,
            "source": self.source,
            "language": self.language,
            "title": self.title,
            "published_at": self.published_at,
            "paragraphs": list(self.paragraphs),
        }

    @classmethod
    def from_text_file(cls, path: Path) -> Article:
        """A plain-text file, one paragraph per line, becomes an article named after the file's stem."""
        text = codec.decode_text(path.read_bytes())
        return article_from_dict({"id": path.stem, "body": text}, max_body_bytes=None)


def split_body(body: str) -> tuple[str, ...]:
    """One paragraph per line, each trimmed; blank lines are not paragraphs."""
    return tuple(line.strip() for line in body.splitlines() if line.strip())


def parse_published(value: str) -> datetime:
    """ISO 8601 (or RFC 2822, common in feeds) to a datetime; naive results keep no zone."""
    text = value.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError):
        raise InvalidMessage(Reason.SCHEMA, f"published_at {value!r} is not an ISO 8601 date-time") from None


def source_of(url: str | None, paragraphs: tuple[str, ...]) -> str | None:
    """The outlet's domain from the URL, else from a dateline in the lead."""
    if url:
        host = urlsplit(url).hostname or ""
        if host:
            return host.removeprefix("www.").lower()
    if paragraphs:
        m = _DATELINE_SOURCE.match(paragraphs[0])
        if m:
            return m.group(1).lower()
    return None


def max_record_bytes(max_body_bytes: int) -> int:
    """The largest record that can hold a valid article with a body of `max_body_bytes`: every body character
    JSON-escaped as `\\uXXXX` (6 bytes for at least 1), plus the metadata. Anything larger is too large without
    being decoded."""
    return 6 * max_body_bytes + _METADATA_BYTES


def _body_size(data: dict[str, Any]) -> int | None:
    """The body's size in UTF-8 bytes (None if its type is wrong: the schema says why)."""
    body = data.get("body")
    if isinstance(body, str):
        return len(body.encode("utf-8"))
    paragraphs = data.get("paragraphs")
    if "body" not in data and isinstance(paragraphs, list) and all(isinstance(p, str) for p in paragraphs):
        return sum(len(p.encode("utf-8")) for p in paragraphs)
    return None


def article_from_dict(data: dict[str, Any], max_body_bytes: int | None) -> Article:
    """Validate a decoded article against the size rules, then article.v1."""
    if "body" not in data and "paragraphs" not in data:
        raise InvalidMessage(Reason.SCHEMA, "article.v1: missing `body` (or `paragraphs`)")
    # The size first: no other check spends time on a body that is refused anyway.
    size = _body_size(data)
    if max_body_bytes is not None and size is not None and size > max_body_bytes:
        raise InvalidMessage(Reason.TOO_LARGE, f"body is {size} bytes, over the {max_body_bytes}-byte limit")
    ident = data.get("id")
    if isinstance(ident, str) and len(ident) > MAX_ID_LENGTH:
        raise InvalidMessage(Reason.SCHEMA, f"article.v1: id {ident[:40]!r}… is {len(ident)} characters, over the "
                                            f"{MAX_ID_LENGTH}-character limit")
    try:
        validator("article.v1")(data)
    except fastjsonschema.JsonSchemaException as exc:
        raise InvalidMessage(Reason.SCHEMA, f"article.v1: {exc}") from None
    if "body" in data:
        paragraphs = split_body(data["body"])
    else:
        paragraphs = tuple(p.strip() for p in data["paragraphs"] if p.strip())
    if not paragraphs:
        raise InvalidMessage(Reason.EMPTY_BODY, "the article has no non-blank paragraph")
    published = data.get("published_at")
    if published:
        parse_published(published)  # reject unparseable dates at the edge
    url = data.get("url")
    return Article(
        id=data["id"].strip(),
        paragraphs=paragraphs,
        url=url,
        source=(data.get("source") or None) or source_of(url, paragraphs),
        language=(data.get("language") or None),
        title=data.get("title"),
        published_at=published or None,
    )


def parse_article(raw: bytes, max_body_bytes: int | None = 1_000_000) -> Article:
    """Raw record bytes to a validated Article, or InvalidMessage with the reason.

    The record's size is checked before anything else: a record too large to hold a valid article is refused
    without being decoded (a 13 MB record once took the worker down while it was parsed and copied)."""
    if max_body_bytes is not None and len(raw) > (limit := max_record_bytes(max_body_bytes)):
        raise InvalidMessage(Reason.TOO_LARGE, f"record is {len(raw)} bytes, over the {limit}-byte limit of an "
                                               f"article whose body may have {max_body_bytes} bytes; not decoded")
    if not raw or not raw.strip():
        raise InvalidMessage(Reason.NOT_JSON, "empty record")
    return article_from_dict(codec.loads_object(raw), max_body_bytes)
