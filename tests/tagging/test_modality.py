"""Stated intents, refusals, easing acts, arrests in crime reports and staged violence (issue 10).

Each rule is checked on several realistic sentences in both languages, with names and places that differ from
the sentences that showed the gap.
"""

from __future__ import annotations

import pytest

from streams.tagging import Event, tag


def _events(text: str, language: str) -> list[Event]:
    return tag([text], article_id="modality", language=language).events


@pytest.mark.parametrize(
    ("language", "text", "act", "actor"),
    [
        ("en", "The rebels said they will free all 40 hostages held since March, a spokesman said.", "RETREAT", None),
        ("en", "Japan will send 500 tonnes of rice to flood-hit Bangladesh, the foreign ministry said.", "AID", "JPN"),
        ("en", "Kenya's president will visit Addis Ababa next week, his office said.", "CONSULT", "KEN"),
        ("id", "Pemerintah Jepang menyatakan akan mengirim bantuan kemanusiaan ke Gaza.", "AID", "JPN"),
        ("id", "Indonesia siap mengirimkan bantuan medis ke Myanmar, kata Menteri Luar Negeri.", "AID", "IDN"),
    ],
)
def test_a_stated_cooperative_intent_is_a_promise_and_an_expected_act(
    language: str, text: str, act: str, actor: str | None
) -> None:
    # CAMEO 03 ("express intent to cooperate, aid, yield, meet") is PLOVER AGREE: the promise is made now, and the
    # act it promises stays as an expected event of its own type.
    events = {e.type: e for e in _events(text, language)}
    assert "AGREE" in events, sorted(events)
    promise = events["AGREE"]
    assert promise.modality in ("asserted", "reported") and promise.cameo_root == "03"
    assert events[act].modality == "expected"
    if actor:
        assert [a.country for a in promise.actors] == [actor]


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("id", "Ia menambahkan bahwa Seoul mengharapkan Pyongyang mengirimkan lebih banyak pasukan ke Rusia."),
        ("en", "Washington expects Tehran to send more drones to Russia before winter, a US official said."),
    ],
)
def test_a_forecast_of_another_side_promises_nothing(language: str, text: str) -> None:
    assert "AGREE" not in {e.type for e in _events(text, language)}


@pytest.mark.parametrize(
    ("language", "text", "refused"),
    [
        ("en", "The government said it would not release the detained opposition leaders this year.", "retreat"),
        ("en", "Hungary will not send weapons to Ukraine, Prime Minister Viktor Orban said on Friday.", "aid"),
        ("id", "Pemerintah Myanmar menegaskan tidak akan membebaskan para tahanan politik itu.", None),
    ],
)
def test_a_refused_cooperative_act_is_a_reject(language: str, text: str, refused: str | None) -> None:
    events = _events(text, language)
    rejects = [e for e in events if e.type == "REJECT"]
    assert rejects, [e.type for e in events]
    if refused:
        assert rejects[0].mode == refused


@pytest.mark.parametrize(
    ("language", "text", "eased", "object_"),
    [
        ("en", "Authorities lifted the curfew in Leh after a week of calm.", "RETREAT", "COERCE"),
        ("en", "The government lifted the state of emergency in the eastern provinces on Monday.", "RETREAT", "COERCE"),
        ("en", "Israel eased the blockade on fuel deliveries to the enclave.", "CONCEDE", "COERCE"),
    ],
)
def test_what_is_eased_is_not_imposed(language: str, text: str, eased: str, object_: str) -> None:
    types = {e.type for e in _events(text, language)}
    assert eased in types and object_ not in types, sorted(types)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Police arrested three men suspected of stealing cattle near Eldoret on Sunday."),
        ("id", "Polisi meringkus dua pelaku pencurian sepeda motor di Bekasi, Selasa malam."),
        ("id", "Seorang kurir sabu dicokok petugas BNN di Pelabuhan Bakauheni."),
        ("id", "Kejaksaan Negeri Kendari menjebloskan mantan kepala dinas itu ke rumah tahanan."),
    ],
)
def test_an_arrest_in_a_crime_report_is_coerce(language: str, text: str) -> None:
    assert "COERCE" in {e.type for e in _events(text, language)}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "In the video game, players storm enemy bases and capture rival generals."),
        ("en", "The film follows a rebel army as it seizes the capital and executes the president."),
        ("id", "Dalam gim strategi itu, pemain dapat menyerbu benteng musuh dan menyandera jenderalnya."),
        ("id", "Lini serang Persib tampil tajam saat membekuk Persija 3-0 di Stadion Si Jalak Harupat."),
        ("en", "A fire that gutted a Nairobi market overnight was blamed on a faulty cooker, fire officials said."),
        ("en", "Oil prices rose 2% as traders weighed stronger demand in China against US inventories."),
    ],
)
def test_games_films_sport_fires_and_markets_raise_nothing(language: str, text: str) -> None:
    assert not _events(text, language)


@pytest.mark.parametrize(
    ("text", "office"),
    [
        ("Gubernur Papua Tengah bertemu tokoh adat di Nabire untuk membahas pengungsi.", "Gubernur Papua Tengah"),
        ("Bupati Jayawijaya bertemu Kapolres untuk membahas pengamanan pemilu.", None),
    ],
)
def test_an_unnamed_office_holder_of_a_region_acts(text: str, office: str | None) -> None:
    event = next(e for e in _events(text, "id") if e.type == "CONSULT")
    assert event.actors
    if office:
        assert event.actors[0].canonical == office


@pytest.mark.parametrize(
    ("language", "text", "type_"),
    [
        # "shelling" (a whole-word row, political by itself) and "shell*" (a stem needing a place after it)
        # match the same word: the whole word wins, so shelling needs no named side.
        ("en", "The shelling of Kherson's residential districts killed two civilians, the regional governor said.",
         "ASSAULT"),
        ("en", "Heavy shelling of the town's outskirts continued overnight, residents said.", "ASSAULT"),
    ],
)
def test_a_whole_word_row_outranks_the_stem_that_matches_it(language: str, text: str, type_: str) -> None:
    assert type_ in {e.type for e in _events(text, language)}
