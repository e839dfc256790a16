"""Expressions of every supported form, resolved against the publication date."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from streams.timing import extract

JAKARTA = ZoneInfo("Asia/Jakarta")
UTC = ZoneInfo("UTC")
SUNDAY_ID = datetime(2024, 10, 13, tzinfo=JAKARTA)
SUNDAY_EN = datetime(2024, 10, 13, tzinfo=UTC)


def _one(text: str, language: str, needle: str) -> tuple[str | None, str | None, str, tuple[str, ...]]:
    published, zone = (SUNDAY_ID, JAKARTA) if language == "id" else (SUNDAY_EN, UTC)
    found = [e for e in extract([text], published=published, language=language, zone=zone) if e.text == needle]
    assert len(found) == 1, extract([text], published=published, language=language, zone=zone)
    expr = found[0]
    assert text[expr.start : expr.end] == expr.text
    return expr.value, expr.granularity, expr.kind, expr.flags


@pytest.mark.parametrize(
    ("language", "text", "needle", "value", "granularity"),
    [
        ("id", "Rapat digelar Minggu (13/10/2024) di Jakarta.", "Minggu (13/10/2024)", "2024-10-13", "day"),
        ("id", "Polisi menangkapnya Senin (7/10) malam.", "Senin (7/10)", "2024-10-07", "day"),
        ("id", "Sidang digelar 13 Oktober 2024 di PN Jakarta.", "13 Oktober 2024", "2024-10-13", "day"),
        ("id", "Harga naik pada Oktober 2024.", "Oktober 2024", "2024-10", "month"),
        ("id", "Ia lulus tahun 2023.", "tahun 2023", "2023", "year"),
        (
            "id",
            "Gempa terjadi pukul 07.30 WIB, Minggu (13/10/2024).",
            "pukul 07.30 WIB",
            "2024-10-13T07:30+07:00",
            "minute",
        ),
        ("id", "Banjir terjadi pukul 19.00 WITA.", "pukul 19.00 WITA", "2024-10-13T19:00+08:00", "minute"),
        ("id", "Kemarin ia tiba.", "Kemarin", "2024-10-12", "day"),
        ("id", "Hasilnya keluar hari ini.", "hari ini", "2024-10-13", "day"),
        ("id", "Ia akan datang besok.", "besok", "2024-10-14", "day"),
        ("id", "Ia akan datang lusa.", "lusa", "2024-10-15", "day"),
        ("id", "Rapat itu digelar pekan lalu.", "pekan lalu", "2024-W40", "week"),
        ("id", "Rapat itu digelar minggu lalu.", "minggu lalu", "2024-W40", "week"),
        ("id", "Ia kembali minggu depan.", "minggu depan", "2024-W42", "week"),
        ("id", "Tarif naik bulan depan.", "bulan depan", "2024-11", "month"),
        ("id", "Ekspor turun tahun lalu.", "tahun lalu", "2023", "year"),
        ("id", "Awal bulan ini, menteri menuduh Korut.", "Awal bulan ini", "2024-10", "month"),
        ("id", "Ia ditangkap dua hari lalu.", "dua hari lalu", "2024-10-11", "day"),
        ("id", "Ia ditangkap Selasa lalu.", "Selasa lalu", "2024-10-08", "day"),
        ("id", "Pertemuan itu berlangsung pada Kamis.", "Kamis", "2024-10-10", "day"),
        ("id", "Kami bertemu pada Minggu di Bandung.", "Minggu", "2024-10-13", "day"),
        ("id", "Kantor itu dibuka Jakarta (22/3).", "(22/3)", "2024-03-22", "day"),
        ("en", "It happened on Oct. 13, 2024, police said.", "Oct. 13, 2024", "2024-10-13", "day"),
        ("en", "The vote is on October 24 in Kazan.", "October 24", "2024-10-24", "day"),
        ("en", "Data dated 2024-10-13 show it.", "2024-10-13", "2024-10-13", "day"),
        ("en", "He was arrested at 7:30 p.m. ET.", "7:30 p.m. ET", "2024-10-13T19:30-04:00", "minute"),
        ("en", "He left in 2019.", "2019", "2019", "year"),
        ("en", "It happened two days ago.", "two days ago", "2024-10-11", "day"),
        ("en", "It happened last Tuesday.", "last Tuesday", "2024-10-08", "day"),
        ("en", "It resumes next month.", "next month", "2024-11", "month"),
        ("en", "Earlier this week, talks failed.", "Earlier this week", "2024-W41", "week"),
        ("en", "They met yesterday.", "yesterday", "2024-10-12", "day"),
        ("en", "They met on Tuesday.", "Tuesday", "2024-10-08", "day"),
        ("en", "They will meet on Tuesday.", "Tuesday", "2024-10-15", "day"),
        ("en", "Flights resumed at 0600 GMT.", "0600 GMT", "2024-10-13T06:00+00:00", "minute"),
    ],
)
def test_values(language: str, text: str, needle: str, value: str, granularity: str) -> None:
    assert _one(text, language, needle)[:2] == (value, granularity)


@pytest.mark.parametrize(
    ("text", "needle", "flag"),
    [
        ("Surat itu bertanggal Senin (20/20/2025).", "Senin (20/20/2025)", "invalid_date"),
        ("Ia datang Selasa (13/10/2024) pagi.", "Selasa (13/10/2024)", "weekday_mismatch"),
        ("Ia datang Senin, 13 Oktober 2024.", "Senin, 13 Oktober 2024", "weekday_mismatch"),
    ],
)
def test_flagged_dates_get_no_value(text: str, needle: str, flag: str) -> None:
    value, _, kind, flags = _one(text, "id", needle)
    assert (value, kind) == (None, "date")
    assert flag in flags


@pytest.mark.parametrize(
    ("language", "text", "needle", "kind", "value"),
    [
        ("id", "Ia bekerja selama dua tahun.", "selama dua tahun", "duration", "P2Y"),
        ("id", "Ia menunggu dua minggu.", "dua minggu", "duration", "P2W"),
        ("id", "Harga naik setiap hari.", "setiap hari", "set", "P1D"),
        ("en", "The contract runs P1Y.", "P1Y", "duration", "P1Y"),
        ("en", "They meet every week.", "every week", "set", "P1W"),
        ("en", "He served for two years.", "for two years", "duration", "P2Y"),
    ],
)
def test_durations_and_sets_are_never_dates(language: str, text: str, needle: str, kind: str, value: str) -> None:
    assert _one(text, language, needle)[2:3] == (kind,)
    assert _one(text, language, needle)[0] == value


@pytest.mark.parametrize(
    "text",
    [
        "Sebanyak 2000 orang hadir dan skor akhir 3/4.",
        "Ia mungkin datang, may be later, katanya.",
        "Tidak ada tanggal di paragraf ini sama sekali.",
    ],
)
def test_no_false_dates(text: str) -> None:
    found = extract([text], published=SUNDAY_ID, language="id", zone=JAKARTA)
    assert [e for e in found if e.kind == "date"] == []


def test_relative_expressions_stay_unresolved_without_any_date() -> None:
    found = extract(["Kemarin ia tiba."], published=None, language="id", zone=JAKARTA)
    assert [(e.value, e.flags) for e in found] == [(None, ("unresolved",))]


def test_skipped_paragraphs_yield_nothing() -> None:
    found = extract(["Kemarin.", "Minggu (13/10/2024)."], published=SUNDAY_ID, language="id", zone=JAKARTA, skip={1})
    assert [e.paragraph for e in found] == [0]
