"""The consumers' contract without a broker: schema names and headers come from schemas/, the dead-letter enums
equal the code's, schemas change only additively against the released v1 fixtures, replays are labelled."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from streams import codec, contract, pipeline
from streams.deadletter import RETIRED_REASONS, RETIRED_STAGES, SCHEMA, Reason, Stage, dead_letter
from streams.errors import ConfigError, InvalidMessage
from streams.topics import LOGICAL_TOPICS
from tests.conftest import ROOT, SEED
from tests.schema_compat import CURRENT, RELEASED, drifted, is_released, narrowings, validate_in
from tests.validation import validate

JSON = (contract.CONTENT_TYPE_HEADER, b"application/json")


def _schema(name: str) -> dict[str, object]:
    return json.loads((CURRENT / f"{name}.json").read_text())


def test_schema_names_come_from_the_schema_files() -> None:
    assert {
        "warta.article/v1": "article.v1",  # from its $id: the input has no `schema` field
        "warta.deduped-article/v1": "stage-article.v1",  # from the `schema` property's enum
        "warta.tagged-article/v1": "stage-article.v1",
        "warta.enriched-article/v1": "enriched-article.v1",  # from its const
        "warta.event/v1": "event.v1",
        "warta.duplicate/v1": "duplicate.v1",
        "warta.deadletter/v1": "deadletter.v1",
    }.items() <= contract.registry().items()
    # Every name the code writes into a record's `schema` field is one a schema file defines.
    for name in (pipeline.DEDUPED, pipeline.TAGGED, pipeline.ENRICHED, pipeline.EVENT, pipeline.DUPLICATE, SCHEMA,
                 contract.ARTICLE):
        assert name in contract.registry(), name
    # Each public topic names its schema file, and the file is there.
    assert set(contract.TOPIC_SCHEMAS) == set(LOGICAL_TOPICS)
    for topic, file in contract.TOPIC_SCHEMAS.items():
        assert (CURRENT / f"{file}.json").is_file(), (topic, file)


def test_headers_name_the_schema_and_content_type() -> None:
    assert contract.headers("warta.event/v1") == [("warta.schema", b"warta.event/v1"), JSON]
    assert contract.headers_for({"schema": "warta.tagged-article/v1"})[0] == ("warta.schema",
                                                                              b"warta.tagged-article/v1")
    assert contract.headers("warta.event/v1") is not contract.headers("warta.event/v1")  # callers may extend theirs
    with pytest.raises(ConfigError, match=r"warta\.event/v9"):
        contract.headers("warta.event/v9")
    assert contract.INTERNAL_HEADERS == [JSON]
    assert contract.header_value([("a", b"1"), ("warta.schema", b"warta.event/v1")], "warta.schema") == \
        "warta.event/v1"
    assert contract.header_value(None, "warta.schema") is None


def test_dead_letter_enums_are_the_codes_declared_once() -> None:
    schema = _schema("deadletter.v1")["properties"]
    assert isinstance(schema, dict)
    assert set(schema["reason"]["enum"]) == {r.value for r in Reason} | RETIRED_REASONS
    assert not RETIRED_REASONS & {r.value for r in Reason}
    # `dedup-assemble` is allowed (records written with it stay valid) but no stage sends it.
    assert set(schema["stage"]["enum"]) == {s.value for s in Stage} | RETIRED_STAGES
    assert not RETIRED_STAGES & {s.value for s in Stage}
    # Every reason a stage can give is one of them: a string that is not fails where it is raised.
    with pytest.raises(ValueError, match="bogus"):
        InvalidMessage("bogus", "x")  # type: ignore[arg-type]
    assert InvalidMessage(Reason.POISON, "x").reason == "poison"
    with pytest.raises(ValueError, match="article_id"):
        InvalidMessage("article_id", "x")  # type: ignore[arg-type]  # retired: no stage gives it any more


def test_a_dead_letter_record_validates_for_every_reason_and_stage() -> None:
    for reason in Reason:
        for stage in Stage:
            record = dead_letter(stage, reason, "why", topic="warta.articles", partition=1, offset=2, key=b"k",
                                 original=b"\xff raw", article_id=None, record_time=1728777600.5, failed_at=1.0)
            validate(record, "deadletter.v1")
            assert json.loads(codec.dumps(record))["reason"] == reason.value
    assert record["original_size"] == 5 and record["record_time"] == "2024-10-13T00:00:00.500+00:00"


def test_the_released_fixtures_are_the_v1_schemas_as_released() -> None:
    released = sorted(p.name for p in RELEASED.glob("*.json"))
    assert released == ["article.v1.json", "deadletter.v1.json", "duplicate.v1.json", "enriched-article.v1.json",
                        "event.v1.json", "stage-article.v1.json"]
    for name in released:
        assert json.loads((RELEASED / name).read_text())["$id"] == f"https://warta.dev/schemas/{name}"


@pytest.mark.parametrize("path", sorted(RELEASED.glob("*.json")), ids=lambda p: p.name)
def test_schemas_change_only_additively_since_their_release(path: Path) -> None:
    new = CURRENT / path.name
    assert new.is_file(), f"{path.name} was released: it stays published (a v2 goes beside it)"
    assert narrowings(json.loads(path.read_text()), json.loads(new.read_text())) == []


def test_the_compatibility_check_sees_breaking_changes() -> None:
    old = json.loads((RELEASED / "event.v1.json").read_text())
    assert narrowings(old, old) == []
    broken = json.loads(json.dumps(old))
    del broken["properties"]["source"]
    broken["required"].append("tagger")
    broken["$defs"]["event"]["properties"]["modality"]["enum"].remove("denied")
    broken["$defs"]["event"]["properties"]["confidence"]["type"] = "integer"
    broken["$defs"]["event"]["properties"]["id"]["minLength"] = 12
    found = narrowings(old, broken)
    assert len(found) == 5, found
    wider = json.loads(json.dumps(old))
    wider["$defs"]["event"]["properties"]["location"]["oneOf"][1]["properties"]["lat"] = {"type": "number"}
    wider["$defs"]["event"]["properties"]["modality"]["enum"].append("rumoured")
    assert narrowings(old, wider) == []


def test_sample_outputs_of_enrich_validate_against_the_released_schemas() -> None:
    """The offline path's records (same cores as the stream); the live test does the topics."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "streams", "enrich", str(SEED)], capture_output=True, check=True,
                         cwd=ROOT).stdout
    doc = codec.loads(out)
    validate_in(doc, "enriched-article.v1", RELEASED)
    for ev in doc["events"]:
        record = {"schema": "warta.event/v1", "article_id": doc["id"], **ev}
        validate_in(record, "event.v1", RELEASED)
    assert not drifted({"reason": "schema"}, "deadletter.v1") and drifted({"reason": "article_id"}, "deadletter.v1")


def test_replayed_bytes_are_labelled_only_when_they_validate() -> None:
    article = codec.dumps({"id": "a", "body": "Satu paragraf."})
    assert contract.sniff_headers(article, contract.ARTICLE) == contract.headers("warta.article/v1")
    assert contract.sniff_headers(article) == []  # no `schema` field and no fallback: unlabelled
    assert contract.sniff_headers(b'{"id": "no body"}', contract.ARTICLE) == []
    assert contract.sniff_headers(b"not json", contract.ARTICLE) == []
    assert contract.sniff_headers(b'{"schema": "warta.tagged-article/v1", "id": "x"}') == []  # fields missing
    stage = {"schema": "warta.tagged-article/v1", "id": "x", "language": "id", "paragraphs": [], "text": "",
             "ingested_at": "2024-10-13T00:00:00+00:00", "stage_times": {}}
    assert contract.sniff_headers(codec.dumps(stage))[0] == ("warta.schema", b"warta.tagged-article/v1")
    # relabel keeps a record's own schema headers, and replaces a bare content type.
    own = [("x", b"1"), *contract.headers(contract.ARTICLE)]
    assert contract.relabel(own, article, contract.ARTICLE) == own
    assert contract.relabel([("x", b"1"), JSON], article, contract.ARTICLE) == [("x", b"1"),
                                                                                *contract.headers(contract.ARTICLE)]
    assert contract.relabel([("x", b"1")], b"nope", contract.ARTICLE) == [("x", b"1")]


def test_the_readme_shows_one_real_record_per_topic_with_its_headers() -> None:
    """README's records (from the seed's run, shortened) are valid records of their topic's schema."""
    import re

    readme = (ROOT / "README.md").read_text("utf-8")
    section = readme.split("## Consuming Warta's topics", 1)[1].split("\n## ", 1)[0]
    shown = [json.loads(block) for block in re.findall(r"```json\n(.*?)\n```", section, re.S)]
    assert [r["topic"] for r in shown] == [f"warta.{t}" for t in contract.TOPIC_SCHEMAS]
    for record in shown:
        logical, value = record["topic"].removeprefix("warta."), record["value"]
        name = value.get("schema", contract.ARTICLE)
        assert record["headers"] == {"warta.schema": name, "content-type": "application/json"}, record["topic"]
        assert contract.schema_file(name) == contract.TOPIC_SCHEMAS[logical]
        validate(value, contract.TOPIC_SCHEMAS[logical])
        if is_released(contract.TOPIC_SCHEMAS[logical]):
            validate_in(value, contract.TOPIC_SCHEMAS[logical], RELEASED)
        # A story names events, not articles (its events are the seed's).
        assert SEED.stem in json.dumps(value) or logical in ("deadletter", "stories")


def test_a_dead_letter_too_large_for_the_producer_carries_a_truncated_copy_and_says_so() -> None:
    from streams.deadletter import kept_bytes

    original, key, limit = bytes(range(256)) * 4000, b"article-key", 200_000  # 1,024,000 bytes: 1.37 MB in base64
    record = dead_letter(Stage.DEDUP, Reason.TOO_LARGE, "big", topic="warta.articles", partition=3, offset=41,
                         key=key, original=original, article_id=None, record_time=None, failed_at=1.0,
                         max_bytes=limit)
    validate(record, "deadletter.v1")
    kept = base64.b64decode(record["original_b64"])
    assert record["original_truncated"] is True and record["original_size"] == len(original)
    assert original.startswith(kept) and len(kept) == kept_bytes(limit, key) > limit // 2
    assert (record["topic"], record["partition"], record["offset"]) == ("warta.articles", 3, 41)
    # The whole Kafka record (its value plus the key it is sent with) is within the limit.
    assert len(codec.dumps(record)) + len(key) <= limit
    small = dead_letter(Stage.DEDUP, Reason.NOT_JSON, "x", topic="t", partition=0, offset=0, key=key,
                        original=b"{", article_id=None, record_time=None, failed_at=1.0, max_bytes=limit)
    assert "original_truncated" not in small and base64.b64decode(small["original_b64"]) == b"{"
