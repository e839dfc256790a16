"""Run-on paragraphs full of temporal expressions take linear time (issue 11: bounded work per article).

At 150-250 KB such paragraphs took 10 s to 3 minutes before the clause look-back, the overlap filter and the
clock placement stopped scanning everything before each expression. The test compares CPU time for a paragraph
and for one four times as long: linear work gives a ratio near 4, a quadratic pass 16; the bound (8) leaves room
for a noisy machine without letting a quadratic pass through.
"""

from __future__ import annotations

import gc
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from streams.timing.extract import extract

_ZONE = ZoneInfo("Asia/Jakarta")
_PUBLISHED = datetime(2024, 10, 14, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "unit", "count"),
    [
        ("id", "5 Oktober ", 1_200),
        ("id", "sehari kemudian ", 2_000),
        ("id", "2024-", 5_000),
        ("id", "pukul 10.00 WIB ", 2_000),
        ("id", "tiga hari lalu ", 2_000),
        ("id", "Senin (13/10/2024) pukul 10.00 WIB ", 800),
        ("en", "last Tuesday ", 2_500),
        ("en", "two days ago ", 2_500),
    ],
)
def test_a_run_on_paragraph_of_dates_is_tagged_in_linear_time(language: str, unit: str, count: int) -> None:
    def cpu(n: int) -> float:
        best = float("inf")
        for _ in range(3):  # the best of three: a busy machine only ever adds time
            # Without the cyclic collector: its full passes cost more as the heap grows, which is the
            # interpreter's work, not the extractor's (a 5,000-unit run once measured 0.04 s against 0.35 s).
            gc.collect()
            gc.disable()
            try:
                started = time.process_time()
                found = extract([unit * n], published=_PUBLISHED, language=language, zone=_ZONE)
                best = min(best, time.process_time() - started)
            finally:
                gc.enable()
            assert found  # the expressions are still found
        return best

    short, long = cpu(count), cpu(4 * count)
    assert long < 8 * max(short, 0.01), f"{4 * count} units took {long:.2f} s, {count} took {short:.2f} s"
