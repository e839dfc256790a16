"""Labeled snippets: right type for political news, no event for disasters, accidents and ordinary crime."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.tagging import tag

DATA = Path(__file__).parent.parent / "data" / "tagging"


# The first set, a harder one written before the second pass of rules, a fresh one written after it, a blind
# one never tuned on, two more blind rounds measured and then tuned on, and a last blind one never tuned on
# (see the header of each file for what was tuned on what).
SETS = ["", "_hard", "_fresh", "_blind", "_round2", "_round3", "_blind4", "_dev5"]


def _load(language: str, suffix: str = "") -> list[tuple[str, str]]:
    rows = []
    for line in (DATA / f"snippets_{language}{suffix}.tsv").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            label, text = line.split("\t")
            rows.append((label, text))
    return rows


@pytest.mark.parametrize("suffix", SETS)
@pytest.mark.parametrize("language", ["en", "id"])
def test_political_snippets_get_the_right_type(language: str, suffix: str) -> None:
    rows = [(label, text) for label, text in _load(language, suffix) if label != "NONE"]
    # "A|B": PLOVER allows either type (destroying property is ASSAULT or COERCE).
    right = sum(
        bool(set(label.split("|")) & {e.type for e in tag([t], article_id="s", language=language).events})
        for label, t in rows
    )
    assert right / len(rows) >= 0.80, f"{right}/{len(rows)}"


@pytest.mark.parametrize("suffix", SETS)
@pytest.mark.parametrize("language", ["en", "id"])
def test_non_political_snippets_get_no_event(language: str, suffix: str) -> None:
    rows = [text for label, text in _load(language, suffix) if label == "NONE"]
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
    assert event.lexicon == "triggers_en@2"


@pytest.mark.parametrize(
    ("language", "text", "type_", "mode"),
    [
        ("en", "Turkey said it would impose sanctions on Sweden.", "THREATEN", "sanction"),
        ("en", "The army will attack the rebel positions, the general said.", "THREATEN", "assault"),
    ],
)
def test_announced_coercion_is_a_threat(language: str, text: str, type_: str, mode: str) -> None:
    events = tag([text], article_id="t", language=language).events
    assert [(e.type, e.mode, e.cameo_root) for e in events] == [(type_, mode, "13")]


@pytest.mark.parametrize(
    ("language", "text", "type_", "actor", "recipient"),
    [
        ("en", "Armenia and Azerbaijan agreed to a ceasefire.", "AGREE", "ARM", "AZE"),
        # PLOVER codes signing a formal agreement as SUPPORT (CAMEO 057), done by both sides.
        ("id", "Indonesia dan Malaysia menandatangani perjanjian perbatasan.", "SUPPORT", "IDN", "MYS"),
        ("en", "Vietnam and South Korea signed an agreement on nuclear power.", "SUPPORT", "VNM", "KOR"),
    ],
)
def test_coordinated_sides_of_a_symmetric_act_are_mutual(
    language: str, text: str, type_: str, actor: str, recipient: str
) -> None:
    event = next(e for e in tag([text], article_id="m", language=language).events if e.type == type_)
    assert ([a.country for a in event.actors], [r.country for r in event.recipients], event.mutual) == (
        [actor],
        [recipient],
        True,
    )


def test_request_to_allies_names_them() -> None:
    event = tag(["Ukraine urged its allies to send more air defence systems."], article_id="r", language="en").events[0]
    assert event.type == "REQUEST"
    assert [(r.canonical, r.type, r.country) for r in event.recipients] == [("allies", "GROUP", None)]


# The fifth to thirteenth blind sets (issue 10), written by helpers who never saw the rules: their first
# measurements are in bench/results/tagging.md. They are below the targets (right type 0.85, quiet 0.95)
# for now, so these floors only keep what was reached from slipping back: (right type, quiet) per language.
BLIND_FLOORS = {
    ("en", "_blind5"): (0.85, 0.80),
    ("id", "_blind5"): (0.70, 0.90),
    ("en", "_blind6"): (0.85, 0.75),
    ("id", "_blind6"): (0.60, 0.95),
    ("en", "_blind7"): (0.92, 0.97),
    ("id", "_blind7"): (0.90, 0.97),
    ("en", "_blind8"): (0.90, 0.97),
    ("id", "_blind8"): (0.92, 0.95),
    ("en", "_blind9"): (0.92, 0.97),
    ("id", "_blind9"): (0.92, 0.97),
    ("en", "_blind10"): (0.90, 0.97),
    ("id", "_blind10"): (0.92, 0.97),
    # First measurement of blind 11 (2026-12-03, after the blind-10 pass it judges): EN 0.871 right / 0.883 quiet,
    # ID 0.865 / 0.933 (the core before that pass: EN 0.871 / 0.850, ID 0.859 / 0.917); tuned on since
    # (EN 0.935 / 0.967, ID 0.941 / 1.000).
    ("en", "_blind11"): (0.92, 0.95),
    ("id", "_blind11"): (0.92, 0.97),
    # First measurement of blind 12 (2026-12-03, after the blind-11 pass it judges): EN 0.876 right / 0.767 quiet,
    # ID 0.882 / 0.900 (the core before the day's passes: EN 0.859 / 0.733, ID 0.859 / 0.917); tuned on since
    # (EN 0.959 / 0.917, ID 0.953 / 0.967).
    ("en", "_blind12"): (0.94, 0.90),
    ("id", "_blind12"): (0.94, 0.95),
    # First measurement of blind 13 (2026-12-03, after the blind-12 pass it judges): EN 0.876 right / 0.783 quiet,
    # ID 0.859 / 0.867 (the core before the day's passes: EN 0.841 / 0.700, ID 0.829 / 0.817); tuned on since
    # (EN 0.906 / 0.917, ID 0.859 / 0.933).
    ("en", "_blind13"): (0.89, 0.90),
    ("id", "_blind13"): (0.84, 0.92),
}


@pytest.mark.parametrize(("language", "suffix"), sorted(BLIND_FLOORS))
def test_latest_blind_sets_hold_their_level(language: str, suffix: str) -> None:
    rows = _load(language, suffix)
    found = [{e.type for e in tag([t], article_id="s", language=language).events} for _, t in rows]
    pairs = list(zip((label for label, _ in rows), found, strict=True))
    political = [(set(label.split("|")), types) for label, types in pairs if label != "NONE"]
    quiet = [not types for label, types in pairs if label == "NONE"]
    right = sum(bool(labels & types) for labels, types in political) / len(political)
    floor_right, floor_quiet = BLIND_FLOORS[(language, suffix)]
    assert right >= floor_right, f"right type {right:.3f}"
    assert sum(quiet) / len(quiet) >= floor_quiet, f"quiet {sum(quiet)}/{len(quiet)}"


@pytest.mark.parametrize("language", ["en", "id"])
def test_sport_business_and_culture_raise_no_event(language: str) -> None:
    rows = [text for label, text in _load(language, "_quiet_dev") if label == "NONE"]
    loud = [text for text in rows if tag([text], article_id="q", language=language).events]
    assert len(loud) <= len(rows) // 20, loud


@pytest.mark.parametrize(
    "text",
    [
        "Bupati nonaktif itu ditangkap KPK dalam operasi tangkap tangan di rumah dinasnya, Rabu malam.",
        "Mantan direktur BUMN itu kini ditahan di Lembaga Pemasyarakatan Sukamiskin, Bandung.",
        "Seorang pengedar sabu terciduk polisi saat bertransaksi di sebuah minimarket di Medan.",
        "Kejaksaan Negeri Surabaya menahan dua tersangka korupsi dana hibah pendidikan.",
    ],
)
def test_arrests_and_detentions_by_state_bodies_are_coerce(text: str) -> None:
    # PLOVER codes an arrest or detention by police, KPK or prosecutors as COERCE, political side or not.
    assert "COERCE" in {e.type for e in tag([text], article_id="c", language="id").events}


@pytest.mark.parametrize(
    "text",
    [
        "Bank BNI menandatangani perjanjian pembiayaan dengan 200 nasabah UMKM di Makassar.",
        "Tiga perusahaan sawit dikenai sanksi administratif karena tidak memiliki izin lingkungan.",
        "Wali kota meminta kerja sama semua pihak untuk menjaga inflasi tetap terkendali menjelang Natal.",
        "Program Keluarga Harapan menyalurkan bantuan tunai kepada keluarga miskin setiap tiga bulan.",
    ],
)
def test_business_deals_sanctions_on_companies_and_welfare_raise_nothing(text: str) -> None:
    assert tag([text], article_id="n", language="id").events == []
