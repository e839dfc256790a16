"""What a consumer of Warta's topics gets, on the real broker: the seed, the examples and bad input through a real
worker; every output record with its schema headers, valid against its schema and the released v1; a dead letter
for every reason and stage; `warta tail`'s filters; the consumer API and its example."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from streams import codec, contract
from streams.deadletter import Reason, Stage
from tests.acceptance import SEED_ID
from tests.conftest import ROOT, SEED, WorkerProcess, consume_until, produce
from tests.schema_compat import RELEASED, drifted, is_released, validate_in
from tests.test_operator import _read
from tests.validation import validate

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("consumers")]

EXAMPLES = [SEED, ROOT / "examples" / "001_regional_copy.txt", ROOT / "examples" / "002_wire_en.jsonl"]
LONG_ID = "x" * 300  # a valid article.v1 id (up to 512 characters): once dead-lettered, now processed like any
LONG = codec.dumps({"id": LONG_ID, "body": "President Joko Widodo opened a new dam in Central Java on Monday."})
# Input the worker cannot process, sent as it is (`warta produce --raw`): one per reason the dedup stage gives.
BAD_INPUT = [
    b"this is not json {",
    b'["an", "array"]',
    b'{"id": 42, "body": "wrong id type"}',
    b'{"id": "empty", "body": "  \\n\\n  "}',
    codec.dumps({"id": "huge", "body": ("x" * 1000 + "\n") * 1100}),
    '{"id": "latin1", "body": "Caf\u00e9 di Jakarta"}'.encode("latin-1"),
]
# A tagged article whose event lacks its spans: the time stage raises on it (a bug, as far as it knows).
BROKEN_TAGGED = codec.dumps({
    "schema": "warta.tagged-article/v1", "id": "broken", "language": "id", "paragraphs": [], "text": "",
    "ingested_at": "2024-10-13T00:00:00+00:00", "stage_times": {}, "events": [{"paragraph": 0}],
})
# Records a broken client sends to the workers' topics (keys mark them: Warta did not write them).
INJECTED = {"deduped": b"not json", "tagged": BROKEN_TAGGED, "dedup-probes": b'{"kind": "probes"}',
            "dedup-answers": b"{}", "story-events": b'{"id": "no-type-event", "article_id": "a"}'}
EXPECTED_LETTERS = len(BAD_INPUT) + len(INJECTED)


def _warta(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "streams", *args], capture_output=True, cwd=ROOT, timeout=timeout,
                          env={**os.environ, "COLUMNS": "160", **env})


@dataclass
class Run:
    """The pipeline's output: records by logical topic, and how to reach them."""

    bootstrap: str
    prefix: str
    env: dict[str, str]
    records: dict[str, list[Any]]

    def warta(self, logical: str) -> list[Any]:
        """The records Warta wrote to a topic (not those the test injected as a broken client)."""
        return [r for r in self.records[logical] if logical not in INJECTED or not r.key.startswith(b"injected-")]

    def values(self, logical: str) -> list[dict[str, Any]]:
        return [codec.loads(r.value) for r in self.warta(logical)]


@pytest.fixture(scope="module")
def run(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """One worker, the seed and the examples (via `warta produce`), bad input (--raw) and broken records on the
    workers' topics; waits for every enriched article and dead letter, then reads every topic."""
    import uuid

    from streams.admin import create_topics
    from streams.kafka_local import free_port
    from streams.settings import Settings

    prefix = f"t{uuid.uuid4().hex[:10]}."
    tmp = tmp_path_factory.mktemp("consumers")
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "WARTA_TOPIC_PREFIX": prefix}
    create_topics(Settings.from_env(bootstrap_servers=kafka_bootstrap, topic_prefix=prefix), kafka_bootstrap,
                  internal=True)
    log = tmp / "worker.log"
    proc = subprocess.Popen([sys.executable, "-m", "streams", "worker", "--bootstrap", kafka_bootstrap, "--prefix",
                             prefix, "--data-dir", str(tmp / "state"), "--web-port", str(free_port()),
                             "--log-level", "info"], stdout=log.open("ab"), stderr=subprocess.STDOUT, cwd=ROOT)
    worker = WorkerProcess(proc, log, 0)
    try:
        sent = _warta("produce", *map(str, EXAMPLES), env=env)
        assert sent.returncode == 0, sent.stderr
        bad = tmp / "bad.jsonl"
        bad.write_bytes(b"\n".join([*BAD_INPUT, LONG]) + b"\n")
        sent = _warta("produce", "--raw", str(bad), env=env)
        assert sent.returncode == 0, sent.stderr
        for name, value in INJECTED.items():
            produce(kafka_bootstrap, f"{prefix}{name}", [(f"injected-{name}".encode(), value)])
        try:
            enriched = consume_until(kafka_bootstrap, f"{prefix}enriched", lambda got: len(got) >= 7,
                                     workers=(worker,))
            # Events reach `events` through the stories stage, a hop after `enriched`: wait for all of them.
            found = sum(len(codec.loads(r.value)["events"]) for r in enriched)
            consume_until(kafka_bootstrap, f"{prefix}events", lambda got: len(got) >= found, workers=(worker,))
            consume_until(kafka_bootstrap, f"{prefix}deadletter", lambda got: len(got) >= EXPECTED_LETTERS,
                          workers=(worker,))
        except AssertionError:
            print(worker.output()[-5000:])
            raise
        topics = [*contract.TOPIC_SCHEMAS, "dedup-probes", "dedup-answers", "story-events"]
        yield Run(kafka_bootstrap, prefix, env, {t: _read(kafka_bootstrap, f"{prefix}{t}") for t in topics})
    finally:
        worker.stop()


def test_every_output_record_names_its_schema_and_validates(run: Run) -> None:
    for logical, file in contract.TOPIC_SCHEMAS.items():
        records = run.warta(logical)
        assert records, f"no records on {logical}"
        for r in records:
            headers = dict(r.headers)
            value = codec.loads(r.value) if logical != "articles" or headers else None
            if logical == "articles" and not headers:
                continue  # invalid input sent with --raw: it claims no schema (below)
            name = value.get("schema", contract.ARTICLE) if logical == "articles" else value["schema"]
            assert r.headers == [("warta.schema", name.encode()), ("content-type", b"application/json")], \
                (logical, r.headers)
            assert contract.schema_file(name) == file
            validate(value, file)
            # Compatibility: what Warta writes today still validates against the v1 schemas as released (story.v1
            # is newer than the release).
            if not drifted(value, file) and is_released(file):
                validate_in(value, file, RELEASED)
    # `warta produce` labels each valid article (the over-long id and the huge body are valid article.v1 records:
    # their limits are the workers'), and no record sent with --raw that is not one.
    labelled = [r.value for r in run.records["articles"] if r.headers]
    assert len(labelled) == 6 + 2 and LONG in labelled and BAD_INPUT[4] in labelled
    assert len(run.records["articles"]) == 6 + len(BAD_INPUT) + 1
    # The workers' own topics say they are JSON and name no schema: they are no contract.
    for logical in ("dedup-probes", "dedup-answers", "story-events"):
        mine = run.warta(logical)
        assert mine and all(r.headers == [("content-type", b"application/json")] for r in mine), logical


def test_every_dead_letter_reason_and_stage_is_produced_and_declared(run: Run) -> None:
    letters = run.values("deadletter")
    assert len(letters) == EXPECTED_LETTERS
    # Every reason but `poison` (a worker that died twice on a record: tests/agents/test_bad_input.py).
    assert {d["reason"] for d in letters} == {r.value for r in Reason} - {Reason.POISON.value}
    assert {d["stage"] for d in letters} == {s.value for s in Stage}
    by_stage = {d["stage"]: d for d in letters if d["stage"] != "dedup"}
    assert by_stage["tag"]["topic"] == f"{run.prefix}deduped" and by_stage["tag"]["reason"] == "not_json"
    assert by_stage["time"]["reason"] == "internal" and "sentence_span" in by_stage["time"]["error"]
    assert by_stage["dedup-owner"]["topic"] == f"{run.prefix}dedup-probes"
    assert by_stage["stories"]["topic"] == f"{run.prefix}story-events" and by_stage["stories"]["reason"] == "schema"
    assert by_stage["dedup-answers"]["reason"] == "schema"
    assert not [d for d in letters if d.get("article_id") == LONG_ID]
    assert LONG_ID in {a["id"] for a in run.values("enriched")}  # a long id is no reason to refuse an article


def _tail(run: Run, *args: str) -> list[dict[str, Any]]:
    result = _warta("tail", *args, "--timeout", "3", env=run.env)
    assert result.returncode == 0, result.stderr
    return [codec.loads(line) for line in result.stdout.splitlines()]


def _countries(ev: dict[str, Any]) -> set[str]:
    return {a["country"] for a in [*ev["actors"], *ev["recipients"], ev["location"] or {}] if a.get("country")}


def test_tail_filters_events_and_articles(run: Run) -> None:
    events = run.values("events")
    assert {e["type"] for e in events} >= {"ASSAULT", "AID", "REQUEST"} and {e["language"] for e in events} == \
        {"id", "en"}
    got = _tail(run, "events", "--type", "ASSAULT", "--country", "PRK")
    want = [e for e in events if e["type"] == "ASSAULT" and "PRK" in _countries(e)]
    assert want and sorted(e["id"] for e in got) == sorted(e["id"] for e in want)
    got = _tail(run, "events", "--type", "assault,aid", "--type", "REQUEST", "--language", "en", "--modality",
                "reported")
    want = [e for e in events if e["type"] in ("ASSAULT", "AID", "REQUEST") and e["language"] == "en"
            and e["modality"] == "reported"]
    assert want and sorted(e["id"] for e in got) == sorted(e["id"] for e in want)
    assert sorted(e["id"] for e in _tail(run, "events", "--country", "kp")) == \
        sorted(e["id"] for e in events if "PRK" in _countries(e))  # alpha-2, any case
    # An article passes when one of its events does; --language alone picks articles, events or not.
    articles = run.values("enriched")
    got = _tail(run, "enriched", "--country", "JPN")
    assert {a["id"] for a in got} == {a["id"] for a in articles if any("JPN" in _countries(e) for e in a["events"])}
    assert {a["id"] for a in got} == {"wire-en-0002"}
    assert {a["id"] for a in _tail(run, "enriched", "--language", "id")} == {SEED_ID, "001_regional_copy"}
    assert len(_tail(run, "enriched", "--language", "en", "--max", "2")) == 2
    # --max ends at once, without waiting for one record more (none comes, and there is no --timeout here).
    first = _warta("tail", "events", "--type", "ASSAULT", "--max", "1", env=run.env, timeout=30)
    assert first.returncode == 0 and len(first.stdout.splitlines()) == 1, first.stderr


def test_tail_since_starts_at_the_records_of_that_age(run: Run) -> None:
    n = len(run.records["events"])
    assert len(_tail(run, "events", "--since", "1h")) == n
    assert len(_tail(run, "events", "--since", "2d")) == n
    assert _tail(run, "events", "--since", "2999-01-01T00:00+07:00") == []
    newest = max(r.timestamp for r in run.records["events"])
    later = [r for r in run.records["events"] if r.timestamp >= newest]
    from datetime import UTC, datetime

    since = datetime.fromtimestamp(newest / 1000, UTC).isoformat()
    assert len(_tail(run, "events", "--since", since)) == len(later)
    bad = _warta("tail", "events", "--since", "yesterday", env=run.env)
    assert bad.returncode == 1 and b"--since 'yesterday': expected an age such as 30m" in bad.stderr


def test_tail_table_shows_type_actors_place_time_and_source(run: Run) -> None:
    result = _warta("tail", "events", "--format", "table", "--type", "ASSAULT", "--country", "PRK", "--timeout",
                    "3", env=run.env)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.decode().splitlines() if line.strip()]
    assert lines[0].split() == ["type", "actors", "→", "recipients", "place", "event", "time", "source"]
    assert len(lines) == 1 + len(_tail(run, "events", "--type", "ASSAULT", "--country", "PRK"))
    assert any("PRK, RUS → UKR" in line and "Ukraine, UKR" in line and "tribunnews.com" in line for line in lines)
    # The same with WARTA_TAIL_FORMAT, on enriched articles: one row per passing event.
    table = _warta("tail", "enriched", "--type", "ASSAULT", "--country", "PRK", "--timeout", "3",
                   env={**run.env, "WARTA_TAIL_FORMAT": "table"})
    assert sorted(table.stdout.decode().splitlines()) == sorted(result.stdout.decode().splitlines())
    for args, says in [(["deadletter", "--type", "ASSAULT"], "deadletter records carry no events"),
                       (["events", "--type", "RIOT"], "--type RIOT: choose from AGREE"),
                       (["events", "--country", "XX"], "--country 'XX': expected an ISO 3166 code"),
                       (["events", "--format", "table", "--meta"], "--meta prints JSON"),
                       (["events", "--format", "csv"], "--format 'csv': choose json or table")]:
        bad = _warta("tail", *args, env=run.env)
        assert bad.returncode == 1 and says in bad.stderr.decode(), (args, bad.stderr)


def _committed(bootstrap: str, group: str, topic: str) -> dict[int, int]:
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        offsets = admin.list_group_offsets([group]).get(group) or {}
        return {tp.partition: om.offset for tp, om in offsets.items() if tp.topic == topic and om.offset >= 0}
    finally:
        admin.close()


def _ends(run: Run, logical: str) -> dict[int, int]:
    ends: dict[int, int] = {}
    for r in run.records[logical]:
        ends[r.partition] = max(ends.get(r.partition, 0), r.offset + 1)
    return ends


def test_the_consume_example_prints_events_and_commits_what_it_handled(run: Run) -> None:
    example = [sys.executable, str(ROOT / "examples" / "consume_events.py"), "--group", f"{run.prefix}printer",
               "--idle", "4"]
    first = subprocess.run(example, capture_output=True, cwd=ROOT, env={**os.environ, **run.env}, timeout=120)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.decode().splitlines()
    assert len(lines) == len(run.records["events"])
    assert any(line.startswith("ASSAULT   PRK,RUS -> UKR  Ukraine") and SEED_ID in line for line in lines), lines
    assert _committed(run.bootstrap, f"{run.prefix}printer", f"{run.prefix}events") == _ends(run, "events")
    again = subprocess.run(example, capture_output=True, cwd=ROOT, env={**os.environ, **run.env}, timeout=120)
    assert again.returncode == 0 and again.stdout == b"", again.stderr  # all committed: nothing read twice


def test_consume_commits_only_handled_records_and_skips_invalid_ones(run: Run) -> None:
    from streams.admin import create_topics, producer
    from streams.consume import enriched_articles, events
    from streams.settings import Settings

    # A topic of our own: valid events and what a consumer must not be handed.
    own = f"{run.prefix}mixed."
    create_topics(Settings.from_env(bootstrap_servers=run.bootstrap, topic_prefix=own, partitions=1), run.bootstrap)
    good = run.records["events"][:3]
    tagged = run.warta("tagged")[0]
    p = producer(run.bootstrap)
    p.send(f"{own}events", key=good[0].key, value=good[0].value)  # without headers: checked by its body
    p.send(f"{own}events", key=b"bad1", value=b"not json")
    p.send(f"{own}events", key=b"bad2", value=tagged.value, headers=tagged.headers)  # another schema
    p.send(f"{own}events", key=b"bad3", value=codec.dumps({**codec.loads(good[1].value), "modality": "maybe"}))
    for r in good[1:]:
        p.send(f"{own}events", key=r.key, value=r.value, headers=r.headers)
    p.flush()
    p.close()
    group = f"{run.prefix}api"
    skipped: list[str] = []
    # An exception while handling the second event: the first is committed, the second is not.
    with pytest.raises(RuntimeError), events(group, bootstrap=run.bootstrap, prefix=own, idle_timeout=3,
                                             on_invalid=lambda rec, why: skipped.append(rec.key)) as stream:
        for n, event in enumerate(stream):
            assert event["schema"] == "warta.event/v1" and stream.record is not None
            if n == 1:
                raise RuntimeError("the handler failed")
    assert _committed(run.bootstrap, group, f"{own}events") == {0: 4}  # offsets 0-3: one event, three invalid
    assert skipped == [b"bad1", b"bad2", b"bad3"]
    # The group reads the failed one again, then the rest; leaving the block commits the last.
    with events(group, bootstrap=run.bootstrap, prefix=own, idle_timeout=3) as stream:
        again = [e["id"] for e in stream]
    assert again == [codec.loads(r.value)["id"] for r in good[1:]] and stream.skipped == 0
    assert _committed(run.bootstrap, group, f"{own}events") == {0: 6}
    # Enriched articles, typed the same way.
    with enriched_articles(f"{run.prefix}articles-api", bootstrap=run.bootstrap, prefix=run.prefix,
                           idle_timeout=3) as articles:
        ids = {a["id"] for a in articles}
    assert ids == {a["id"] for a in run.values("enriched")}


def test_replays_label_what_they_resend(run: Run) -> None:
    """`warta deadletter replay` re-sends the too-large article with its schema headers (dead letters keep none)."""
    result = _warta("deadletter", "replay", "--reason", "too_large", env=run.env)
    assert result.returncode == 0, result.stderr
    [copy] = [r for r in _read(run.bootstrap, f"{run.prefix}articles")
              if any(k == "warta-deadletter-reason" for k, _ in r.headers)]
    assert codec.loads(copy.value)["id"] == "huge"
    assert [k for k, _ in copy.headers] == ["warta-replay", "warta-deadletter-reason", "warta.schema",
                                            "content-type"]
    assert dict(copy.headers)["warta.schema"] == b"warta.article/v1"
