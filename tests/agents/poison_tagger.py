"""A tagger that kills its worker process on one article, as a record that runs a worker out of memory would."""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence

from streams.tagging.model import TagResult
from streams.tagging.rules import RuleTagger

PILL = "POISON-PILL"


class KillingTagger:
    """The rule tagger, except that an article with PILL in its first paragraph ends the process at once."""

    name = "killer"

    def __init__(self) -> None:
        self.rules = RuleTagger()

    def tag(
        self, paragraphs: Sequence[str], *, article_id: str, language: str, skip: Collection[int] = ()
    ) -> TagResult:
        if paragraphs and PILL in paragraphs[0]:
            os._exit(97)  # no exception, no cleanup: what the OOM killer or a crash in native code does
        return self.rules.tag(paragraphs, article_id=article_id, language=language, skip=skip)
