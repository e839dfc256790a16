"""The whole pipeline on the real broker: the seed end to end, dead letters, and parity with enrich."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
from typing import Any
from urllib.request import urlopen

import pytest

from streams import codec
from tests.acceptance import (
    SEED_ID,
    assert_seed_dedup,
    assert_seed_entities,
    assert_seed_timestamps,
)
from tests.conftest import ROOT, SEED, consume_until, produce
from tests.validation import validate

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("pipeline")]

VOLATILE = ("ingested_at", "processed_at", "stage_times")


def _seed_record() -> bytes:
    return codec.dumps({"id": SEED_ID, "body": SEED.read_text("utf-8")})


def _enriched(bootstrap: str, prefix: str, n: int, *workers: Any) -> list[dict[str, Any]]:
    recs = consume_until(bootstrap, f"{prefix}enriched", lambda got: len(got) >= n, workers=workers)
    return [codec.loads(r.value) for r in recs]


def test_seed_end_to_end_and_enrich_parity(kafka_bootstrap: str, prefix: str, worker_factory: Any) -> None:
    worker = worker_factory(prefix)
    produce(kafka_bootstrap, f"{prefix}articles", [(SEED_ID.encode(), _seed_record())])
    try:
        [doc] = _enriched(kafka_bootstrap, prefix, 1, worker)
    except AssertionError:
        print(worker.output()[-5000:])
        raise
    assert doc["id"] == SEED_ID and doc["language"] == "id" and doc["source"] == "tribunnews.com"
    validate(doc, "enriched-article.v1")
    assert_seed_dedup(doc)
    assert_seed_timestamps(doc)
    assert_seed_entities(doc)
    # Events go to `events` too, one record each, keyed by the event id.
    if doc["events"]:
        recs = consume_until(kafka_bootstrap, f"{prefix}events", lambda got: len(got) >= len(doc["events"]))
        assert {r.key.decode() for r in recs} == {e["id"] for e in doc["events"]}
        for r in recs:
            event = codec.loads(r.value)
            validate(event, "event.v1")
            assert event["article_id"] == SEED_ID
        audits = consume_until(kafka_bootstrap, f"{prefix}duplicates", lambda got: len(got) >= 2)
        for r in audits:
            validate(codec.loads(r.value), "duplicate.v1")
    # The worker's monitoring views count what went through (its windows and its status with the lag reach `stats`
    # every 2 s, as separate records: poll).
    deadline = time.monotonic() + 15
    while True:
        stats = json.loads(urlopen(f"http://127.0.0.1:{worker.web_port}/warta/stats", timeout=10).read())
        if (stats["totals_last_hour"].get("enriched") and stats["lag"]) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert stats["totals_last_hour"].get("articles") == 1, stats
    assert stats["totals_last_hour"]["duplicates.near"] == 1
    assert stats["totals_last_hour"].get("events.type.ASSAULT", 0) >= 1
    assert any(key.startswith(f"{prefix}articles[") for key in stats["lag"])
    metrics = urlopen(f"http://127.0.0.1:{worker.web_port}/warta/metrics", timeout=10).read().decode()
    assert 'warta_records_total{kind="articles"} 1.0' in metrics
    assert "<title>Warta dashboard</title>" in urlopen(
        f"http://127.0.0.1:{worker.web_port}/warta/dashboard", timeout=10).read().decode()
    # `warta enrich` gives the same article as the stream (but for when it was processed).
    out = subprocess.run([sys.executable, "-m", "streams", "enrich", str(SEED)], capture_output=True,
                         check=True, cwd=ROOT).stdout
    offline = codec.loads(out.splitlines()[0])
    for key in VOLATILE:
        offline.pop(key), doc.pop(key)
    assert offline == doc


BAD: list[tuple[str, bytes]] = [
    ("not_json", b"this is not json {"),
    ("not_object", b'["an", "array"]'),
    ("schema", b'{"id": 42, "body": "wrong id type"}'),
    ("schema", b'{"id": "no-body"}'),
    ("schema", b'{"body": "no id here"}'),
    ("empty_body", b'{"id": "empty", "body": "  \\n\\n  "}'),
    ("too_large", codec.dumps({"id": "huge", "body": ("x" * 1000 + "\n") * 1100})),
    ("bad_encoding", '{"id": "latin1", "body": "Caf\u00e9 di Jakarta"}'.encode("latin-1")),
    ("schema", b'{"id": "bad-types", "body": "ok", "paragraphs": "not a list"}'),
]


def test_bad_input_goes_to_dead_letter_and_stream_goes_on(
    kafka_bootstrap: str, prefix: str, worker_factory: Any
) -> None:
    worker = worker_factory(prefix)
    good = codec.dumps({"id": "after-bad", "body": "Presiden Joko Widodo meresmikan bendungan di Jawa Tengah."})
    produce(kafka_bootstrap, f"{prefix}articles", [(b"k", raw) for _, raw in BAD] + [(b"after-bad", good)])
    try:
        dead = consume_until(
            kafka_bootstrap, f"{prefix}deadletter", lambda got: len(got) >= len(BAD), workers=(worker,)
        )
        [doc] = _enriched(kafka_bootstrap, prefix, 1, worker)
    except AssertionError:
        print(worker.output()[-5000:])
        raise
    assert doc["id"] == "after-bad"
    letters = [codec.loads(r.value) for r in dead]
    for letter in letters:
        validate(letter, "deadletter.v1")
    by_original = {base64.b64decode(d["original_b64"]): d for d in letters}
    for reason, raw in BAD:
        assert raw in by_original, f"{reason}: {raw[:60]!r} not dead-lettered"
        letter = by_original[raw]
        assert letter["reason"] == reason, (letter["reason"], letter["error"])
        assert letter["error"] and letter["stage"] == "dedup"
        assert letter["topic"] == f"{prefix}articles" and letter["original_size"] == len(raw)
