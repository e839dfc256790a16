"""Dev-set targets: day-name dates, concrete DATE values and value precision, per language."""

from __future__ import annotations

import pytest

from tests.timing.devset import load, score


@pytest.mark.parametrize(("name", "concrete_target"), [("dev_id.jsonl", 0.85), ("dev_en.jsonl", 0.80)])
def test_dev_set_targets(name: str, concrete_target: float) -> None:
    result = score(load(name))
    assert result.concrete_total >= 150, "dev set too small to measure"
    assert result.concrete_recall >= concrete_target, result.misses
    assert result.precision >= 0.95, result.misses


def test_day_name_dates_are_found_with_the_right_value() -> None:
    result = score(load("dev_id.jsonl") + load("dev_en.jsonl"))
    assert result.day_name_total >= 100
    assert result.day_name_recall >= 0.98, result.misses
