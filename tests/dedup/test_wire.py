"""The demo's wire articles (issue 16): whatever order they come in, the original stays the original.

`warta enrich` on the file in its order is the reference; the dedup stage fed the same articles in any other
order ends with the same flags once the correction records on `duplicates` are applied, and those records
validate against duplicate.v1.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Sequence
from typing import Any

from streams.article import Article, article_from_dict
from streams.dedup import Deduplicator
from streams.pipeline import dedup_stage
from tests.conftest import ROOT
from tests.validation import validate

WIRE = [article_from_dict(json.loads(line), max_body_bytes=None)
        for line in (ROOT / "examples" / "002_wire_en.jsonl").read_text("utf-8").splitlines() if line.strip()]
RECORD_TIME = 1_760_000_000.0  # 2025-10-09: long after the articles' publication (2024-10-15 to 17)

Flags = dict[str, dict[int, tuple[str, str | None, int | None]]]


def final_flags(outputs: Iterable[tuple[dict[str, Any], list[dict[str, Any]]]]) -> Flags:
    """Each article's flagged paragraphs from the staged articles, with every correction record applied."""
    flags: Flags = {}
    corrections = []
    for doc, audits in outputs:
        validate(doc, "stage-article.v1")
        flags[doc["id"]] = {p["index"]: (d["kind"], d["article_id"], d["index"])
                            for p in doc["paragraphs"] if (d := p["duplicate"]) is not None}
        for audit in audits:
            validate(audit, "duplicate.v1")
            if audit.get("correction"):
                corrections.append(audit)
    for audit in corrections:  # a correction supersedes the article's own flag, whenever it comes
        flags[audit["article_id"]][audit["index"]] = (audit["kind"], audit["first_article_id"], audit["first_index"])
    return flags


def run(order: Sequence[Article], gap: float = 1.0) -> Flags:
    dedup = Deduplicator()
    return final_flags(dedup_stage(a, dedup, record_time=RECORD_TIME + i * gap, clock=lambda: RECORD_TIME)
                       for i, a in enumerate(order))


def test_the_syndicated_copy_is_the_duplicate_in_every_order() -> None:
    want = run(WIRE)
    assert want["wire-en-0004"] == {0: ("near", "wire-en-0001", 0), 1: ("exact", "wire-en-0001", 1),
                                    2: ("exact", "wire-en-0001", 3)}
    assert all(flags == {2: ("boilerplate", None, None)} for a, flags in want.items() if a != "wire-en-0004")
    for order in itertools.permutations(WIRE):
        assert run(order) == want, [a.id for a in order]
        assert run(order, gap=3 * 86400) == want, [a.id for a in order]  # days apart: still publication order


def test_the_late_original_lists_its_corrections_and_audits_them() -> None:
    dedup = Deduplicator()
    by_id = {a.id: a for a in WIRE}
    dedup_stage(by_id["wire-en-0004"], dedup, record_time=RECORD_TIME, clock=lambda: RECORD_TIME)
    doc, audits = dedup_stage(by_id["wire-en-0001"], dedup, record_time=RECORD_TIME + 1, clock=lambda: RECORD_TIME)
    assert [p["index"] for p in doc["paragraphs"] if p["duplicate"]] == [2]  # its own boilerplate line only
    assert [(c["article_id"], c["index"], c["duplicate"]["kind"]) for c in doc["corrections"]] == [
        ("wire-en-0004", 0, "near"), ("wire-en-0004", 1, "exact"), ("wire-en-0004", 2, "exact")]
    corrections = [a for a in audits if a.get("correction")]
    assert {(a["article_id"], a["index"], a["first_index"]) for a in corrections} == {
        ("wire-en-0004", 0, 0), ("wire-en-0004", 1, 1), ("wire-en-0004", 2, 3)}
    for audit in corrections:  # the text is the original's paragraph that the copy repeats or resembles
        assert audit["text"] == by_id["wire-en-0001"].paragraphs[audit["first_index"]]
    # An article with nothing to correct has no `corrections` field: outputs stay as they were.
    doc, _ = dedup_stage(by_id["wire-en-0002"], dedup, record_time=RECORD_TIME + 2, clock=lambda: RECORD_TIME)
    assert "corrections" not in doc
