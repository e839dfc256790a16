"""The seed article's acceptance (../shared/acceptance/seed-article.md) as reusable assertions."""

from __future__ import annotations

from typing import Any

SEED_ID = "000_59858f91a7a8876a"


def assert_seed_dedup(doc: dict[str, Any]) -> None:
    """p6 near-duplicate of p4, p12 boilerplate, every other paragraph kept; 13 paragraphs of text."""
    paras = doc["paragraphs"]
    assert len(paras) == 15
    near = paras[5]["duplicate"]
    assert near is not None and near["kind"] == "near", near
    assert (near["article_id"], near["index"]) == (doc["id"], 3)
    assert 0 < near["similarity"] < 1
    bp = paras[11]["duplicate"]
    assert bp is not None and bp["kind"] == "boilerplate" and bp["article_id"] is None, bp
    for p in paras:
        if p["index"] not in (5, 11):
            assert p["duplicate"] is None, p
    assert len(doc["text"].splitlines()) == 13
    assert "Baca juga" not in doc["text"]


def assert_seed_timestamps(doc: dict[str, Any]) -> None:
    """The four dated expressions, the inferred publication date, nothing from the Baca juga line."""
    got = {(t["paragraph"], t["value"], t["granularity"]) for t in doc["timestamps"]}
    for want in [(0, "2024-10-13", "day"), (9, "2024-10", "month"), (10, "2024-10-08", "day"),
                 (10, "2024-10-03", "day")]:
        assert want in got, (want, got)
    texts = {t["paragraph"]: [] for t in doc["timestamps"]}
    for t in doc["timestamps"]:
        texts[t["paragraph"]].append(t["text"])
        para = doc["paragraphs"][t["paragraph"]]["text"]
        assert para[t["start"]:t["end"]] == t["text"]
    assert any("13/10/2024" in x for x in texts[0])
    assert any(x.lower().startswith("awal bulan ini") for x in texts[9])
    assert 11 not in texts
    assert doc["published_at"].startswith("2024-10-13") and doc["published_at"].endswith("+07:00")
    assert doc["published_at_source"] == "text"
    assert doc["ingested_at"] and doc["processed_at"]


def assert_seed_entities(doc: dict[str, Any]) -> None:
    """People, countries (ISO3, incl. Korut/Korsel/Pyongyang/Seoul), Donetsk, the media; none from p12."""
    ents = doc["entities"]
    for e in ents:
        assert doc["paragraphs"][e["paragraph"]]["text"][e["start"]:e["end"]] == e["text"]
        assert e["paragraph"] != 11, e
    people = {(e["canonical"], e["country"]) for e in ents if e["type"] == "PERSON"}
    assert ("Volodymyr Zelensky", "UKR") in people
    assert ("Kim Yong-hyun", "KOR") in people
    kim_mentions = {e["paragraph"] for e in ents if e["type"] == "PERSON" and e["canonical"] == "Kim Yong-hyun"}
    assert {9, 10, 12} <= kim_mentions
    by_text = {(e["text"], e["country"]) for e in ents if e["country"]}
    for text, iso3 in [("Ukraina", "UKR"), ("Rusia", "RUS"), ("Korea Utara", "PRK"), ("Korut", "PRK"),
                       ("Pyongyang", "PRK"), ("Korea Selatan", "KOR"), ("Korsel", "KOR"), ("Seoul", "KOR")]:
        assert (text, iso3) in by_text, (text, iso3)
    assert any(e["canonical"] == "Donetsk" and e["country"] == "UKR" for e in ents)
    media = {e["canonical"].lower() for e in ents if e["type"] == "MEDIA"}
    assert {"reuters", "cnn", "france24"} <= {m.replace(" ", "") for m in media}, media
    names = " ".join(e["canonical"] for e in ents)
    assert "Putin" not in names and "Bocharov" not in names


def _has(events: list[dict[str, Any]], etype: str, paragraph: int, actor: str | None = None,
         recipient: str | None = None) -> dict[str, Any]:
    for ev in events:
        if ev["type"] != etype or ev["paragraph"] != paragraph:
            continue
        if actor and actor not in {a["country"] for a in ev["actors"]}:
            continue
        if recipient and recipient not in {a["country"] for a in ev["recipients"]}:
            continue
        return ev
    raise AssertionError(f"no {etype} {actor}->{recipient} in p{paragraph + 1}: "
                         f"{[(e['type'], e['paragraph']) for e in events]}")


def assert_seed_events(doc: dict[str, Any]) -> None:
    """The must-have events of the seed, with actors, recipients, time and place; none from p12."""
    events = doc["events"]
    assert all(ev["paragraph"] != 11 for ev in events)
    _has(events, "AID", 0, "PRK", "RUS")
    _has(events, "REQUEST", 4, "UKR")
    _has(events, "ACCUSE", 9, "KOR", "PRK")
    reject = _has(events, "REJECT", 8, "PRK")
    assert reject["cameo_root"] == "01" or reject["modality"] == "denied" or reject["type"] == "REJECT"
    strike = _has(events, "ASSAULT", 10, "UKR", "PRK")
    assert strike["cameo_root"] == "19"
    assert strike["time"]["value"] == "2024-10-03", strike["time"]
    assert strike["location"] and strike["location"]["name"] == "Donetsk"
    assert len({ev["id"] for ev in events}) == len(events)
