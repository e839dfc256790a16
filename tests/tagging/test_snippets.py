"""Labeled snippets: right type for political news, no event for disasters, accidents and ordinary crime."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.tagging import tag

DATA = Path(__file__).parent.parent / "data" / "tagging"


def _load(language: str) -> list[tuple[str, str]]:
    rows = []
    for line in (DATA / f"snippets_{language}.tsv").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            label, text = line.split("\t")
            rows.append((label, text))
    return rows


@pytest.mark.parametrize("language", ["en", "id"])
def test_political_snippets_get_the_right_type(language: str) -> None:
    rows = [(label, text) for label, text in _load(language) if label != "NONE"]
    right = sum(label in {e.type for e in tag([t], article_id="s", language=language).events} for label, t in rows)
    assert right / len(rows) >= 0.80, f"{right}/{len(rows)}"


@pytest.mark.parametrize("language", ["en", "id"])
def test_non_political_snippets_get_no_event(language: str) -> None:
    rows = [text for label, text in _load(language) if label == "NONE"]
    quiet = sum(not tag([t], article_id="s", language=language).events for t in rows)
    assert quiet / len(rows) >= 0.90, f"{quiet}/{len(rows)}"


@pytest.mark.parametrize(
    ("language", "text", "modality"),
    [
        ("en", "Russia will send troops to the border, the ministry said.", "expected"),
        ("en", "If Israel attacks, Iran would respond.", "hypothetical"),
        ("id", "Jika Israel menyerang, Iran akan membalas.", "hypothetical"),
        ("id", "Korea Utara membantah mengirim tentara ke Rusia.", "denied"),
        ("en", "Russian troops attacked Ukrainian positions, Zelensky said.", "reported"),
        ("en", "Russian troops attacked Ukrainian positions near Bakhmut.", "asserted"),
    ],
)
def test_modality(language: str, text: str, modality: str) -> None:
    events = tag([text], article_id="m", language=language).events
    assert events and events[0].modality == modality


def test_lexicon_provenance_names_the_data_file() -> None:
    event = tag(["China accused Japan of provocation."], article_id="p", language="en").events[0]
    assert event.lexicon == "triggers_en@1"
