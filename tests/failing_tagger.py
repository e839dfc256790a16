"""A tagger with a bug: it raises on one article, so `warta enrich` must report that article and go on."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from streams.tagging.model import TagResult
from streams.tagging.rules import RuleTagger

TRIGGER = "TAGGER-BUG"


class FailingTagger:
    """The rule tagger, except that an article with TRIGGER in its first paragraph raises a plain exception."""

    name = "failing"

    def __init__(self) -> None:
        self.rules = RuleTagger()

    def tag(
        self, paragraphs: Sequence[str], *, article_id: str, language: str, skip: Collection[int] = ()
    ) -> TagResult:
        if paragraphs and TRIGGER in paragraphs[0]:
            # Two lines on purpose: the report must still be one line.
            raise ZeroDivisionError(f"a tagger bug\non {article_id}")
        return self.rules.tag(paragraphs, article_id=article_id, language=language, skip=skip)
