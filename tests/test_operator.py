"""An operator's daily tools, run as real commands on the session's broker: groups and lag, offsets reset,
replay of a time range, dead-letter replay, tail --meta, and the worker's ready line and JSON logs."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from streams import codec
from tests.conftest import ROOT
from tests.test_cli import _one_clear_line, _timed, _warta
from tests.validation import validate

pytestmark = pytest.mark.integration


def _ms(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp() * 1000)


def _env(bootstrap: str, prefix: str, **more: str) -> dict[str, str]:
    return {"KAFKA_BOOTSTRAP_SERVERS": bootstrap, "WARTA_TOPIC_PREFIX": prefix, **more}


def _topics(bootstrap: str, prefix: str, partitions: int = 2) -> None:
    from streams.admin import create_topics
    from streams.settings import Settings

    create_topics(Settings.from_env(bootstrap_servers=bootstrap, topic_prefix=prefix, partitions=partitions),
                  bootstrap)


def _send(bootstrap: str, topic: str, records: list[dict[str, Any]]) -> None:
    """Send records given as keyword arguments of KafkaProducer.send (partition, key, value, headers,
    timestamp_ms)."""
    from streams.admin import producer

    p = producer(bootstrap)
    for record in records:
        p.send(topic, **record)
    p.flush()
    p.close()


def _read(bootstrap: str, topic: str, timeout: float = 30) -> list[Any]:
    """Every record of the topic now: read up to the end offsets (no idle timeout to guess on a loaded machine)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        tps = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        assert tps, f"no topic {topic}"
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        ends = consumer.end_offsets(tps)
        got: list[Any] = []
        deadline = time.monotonic() + timeout
        while any(consumer.position(tp) < ends[tp] for tp in tps):
            assert time.monotonic() < deadline, f"{topic}: {len(got)} record(s) after {timeout:.0f}s"
            for batch in consumer.poll(timeout_ms=500).values():
                got.extend(batch)
        return sorted(got, key=lambda r: (r.partition, r.offset))
    finally:
        consumer.close()


def _committed(bootstrap: str, group: str) -> dict[tuple[str, int], int]:
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        return {(tp.topic, tp.partition): om.offset
                for tp, om in (admin.list_group_offsets([group]).get(group) or {}).items()}
    finally:
        admin.close()


class _Member:
    """A plain kafka-python member of a consumer group, standing in for a worker."""

    def __init__(self, bootstrap: str, group: str, topic: str, client_id: str = "ops-test") -> None:
        from kafka import KafkaConsumer

        self.consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, client_id=client_id,
                                      enable_auto_commit=False, auto_offset_reset="earliest")
        deadline = time.monotonic() + 30
        while not self.consumer.assignment() and time.monotonic() < deadline:
            self.consumer.poll(timeout_ms=200)
        assert self.consumer.assignment(), "the member got no partitions"

    def commit(self, offsets: dict[tuple[str, int], int]) -> None:
        from kafka import TopicPartition
        from kafka.structs import OffsetAndMetadata

        self.consumer.commit({TopicPartition(t, p): OffsetAndMetadata(o, "", -1) for (t, p), o in offsets.items()})

    def close(self) -> None:
        self.consumer.close(autocommit=False)


@pytest.fixture()
def member_of() -> Iterator[Any]:
    members: list[_Member] = []

    def join(bootstrap: str, group: str, topic: str, client_id: str = "ops-test") -> _Member:
        members.append(_Member(bootstrap, group, topic, client_id))
        return members[-1]

    yield join
    for m in members:
        m.close()


# ---------------------------------------------------------------- warta groups

def test_groups_shows_members_and_lag_per_partition(kafka_bootstrap: str, prefix: str, member_of: Any) -> None:
    _topics(kafka_bootstrap, prefix)
    articles, group = f"{prefix}articles", f"{prefix}workers"
    _send(kafka_bootstrap, articles, [{"partition": 0, "value": b"{}"}] * 3 + [{"partition": 1, "value": b"{}"}])
    member = member_of(kafka_bootstrap, group, articles)
    member.commit({(articles, 0): 1})
    env = _env(kafka_bootstrap, prefix)

    result, elapsed = _timed("groups", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    assert elapsed < 10, f"{elapsed:.1f}s"
    [g] = codec.loads(result.stdout)
    assert (g["group"], g["state"], g["lag"]) == (group, "Stable", 3)
    [m] = g["members"]
    assert (m["client_id"], m["host"], m["assignment"]) == ("ops-test", "127.0.0.1", {articles: [0, 1]})
    rows = {(p["topic"], p["partition"]): (p["committed"], p["end"], p["lag"], p["member"]) for p in g["partitions"]}
    assert rows == {(articles, 0): (1, 3, 2, m["member_id"]), (articles, 1): (None, 1, 1, m["member_id"])}

    table = _warta("groups", env=env, timeout=30)
    out = table.stdout.decode()
    assert table.returncode == 0, table.stderr
    assert f"consumer group {group}  state Stable  1 member(s)  lag 3" in out, out
    assert "ops-test" in out and f"partitions 0-1 of {articles}" in out, out
    lines = [line.split() for line in out.splitlines()]
    assert [articles, "0", "1", "3", "2", "#1"] in lines and [articles, "1", "-", "1", "1", "#1"] in lines, out

    every = _warta("groups", "--all", "--format", "json", env=env, timeout=30)
    assert group in {g["group"] for g in codec.loads(every.stdout)}
    other = _warta("groups", "--group", f"{prefix}nosuch", "--format", "json", env=env, timeout=30)
    [none] = codec.loads(other.stdout)
    assert none["members"] == [] and none["partitions"] == [] and none["lag"] == 0


# ---------------------------------------------------------------- warta offsets reset

def test_offsets_reset_to_earliest_latest_and_a_time(kafka_bootstrap: str, prefix: str, member_of: Any) -> None:
    _topics(kafka_bootstrap, prefix)
    articles, group = f"{prefix}articles", f"{prefix}workers"
    stamps = {0: ["2024-10-12T10:00+00:00", "2024-10-12T20:00+00:00", "2024-10-14T00:00+00:00"],
              1: ["2024-10-12T00:00+00:00", "2024-10-15T00:00+00:00"]}
    _send(kafka_bootstrap, articles, [{"partition": p, "value": b"{}", "timestamp_ms": _ms(t)}
                                      for p, ts in stamps.items() for t in ts])
    env = _env(kafka_bootstrap, prefix, TZ="UTC")

    latest = _warta("offsets", "reset", "--to", "latest", env=env, timeout=30)
    assert latest.returncode == 0, latest.stderr
    assert f"consumer group {group}: 2 partition(s) of {articles} reset to latest" in latest.stderr.decode()
    assert _committed(kafka_bootstrap, group) == {(articles, 0): 3, (articles, 1): 2}

    # 2024-10-13T00:00+07:00 is 2024-10-12T17:00Z: the second record of partition 0, the second of partition 1.
    planned, elapsed = _timed("offsets", "reset", "--to", "2024-10-13T00:00+07:00", "--dry-run", env=env)
    assert planned.returncode == 0, planned.stderr
    assert elapsed < 10, f"{elapsed:.1f}s"
    assert planned.stdout.decode().splitlines() == [f"{articles}[0]  3 -> 1  (end 3)  re-read 2",
                                                    f"{articles}[1]  2 -> 1  (end 2)  re-read 1"]
    assert "dry run" in planned.stderr.decode() and "nothing changed" in planned.stderr.decode()
    assert _committed(kafka_bootstrap, group) == {(articles, 0): 3, (articles, 1): 2}

    # Without a zone, the time is local (TZ=UTC here): the same instant.
    done = _warta("offsets", "reset", "--to", "2024-10-12T17:00", env=env, timeout=30)
    assert done.returncode == 0, done.stderr
    assert _committed(kafka_bootstrap, group) == {(articles, 0): 1, (articles, 1): 1}
    # A time after every record: the end.
    assert _warta("offsets", "reset", "--to", "2030-01-01", env=env, timeout=30).returncode == 0
    assert _committed(kafka_bootstrap, group) == {(articles, 0): 3, (articles, 1): 2}
    assert _warta("offsets", "reset", "--to", "earliest", env=env, timeout=30).returncode == 0
    assert _committed(kafka_bootstrap, group) == {(articles, 0): 0, (articles, 1): 0}
    # Another of Warta's topics.
    tagged = _warta("offsets", "reset", "--to", "latest", "--topic", "tagged", env=env, timeout=30)
    assert tagged.returncode == 0, tagged.stderr
    assert _committed(kafka_bootstrap, group)[(f"{prefix}tagged", 0)] == 0

    # Refused in one line while the group has a member (a running worker).
    member_of(kafka_bootstrap, group, articles)
    refused, elapsed = _timed("offsets", "reset", "--to", "latest", env=env)
    line = _one_clear_line(refused)
    assert f"consumer group {group} has 1 running member(s): stop its workers first" in line, line
    assert elapsed < 10, f"{elapsed:.1f}s"
    assert _committed(kafka_bootstrap, group)[(articles, 0)] == 0

    for args, says in [(["--to", "yesterday"], "--to 'yesterday': expected an ISO 8601 date-time"),
                       (["--to", "latest", "--topic", "nosuch"], "--topic 'nosuch': not one of Warta's topics")]:
        assert says in _one_clear_line(_warta("offsets", "reset", *args, env=env, timeout=30))


# ---------------------------------------------------------------- warta replay

def test_replay_resends_a_time_range_with_key_value_and_headers(kafka_bootstrap: str, prefix: str) -> None:
    _topics(kafka_bootstrap, prefix)
    articles = f"{prefix}articles"
    originals = [
        {"key": f"a{i}".encode(), "value": codec.dumps({"id": f"a{i}", "body": f"Paragraf {i}."}),
         "headers": [("source", b"test"), ("n", str(i).encode())], "timestamp_ms": _ms(ts), "partition": i % 2}
        for i, ts in enumerate(["2024-10-12T12:00+00:00", "2024-10-13T12:00+00:00", "2024-10-14T12:00+00:00"])
    ]
    _send(kafka_bootstrap, articles, originals)
    env = _env(kafka_bootstrap, prefix)

    counted = _warta("replay", "--from", "2024-10-13", "--dry-run", env={**env, "TZ": "UTC"}, timeout=30)
    assert counted.returncode == 0, counted.stderr
    assert "dry run: 2 record(s)" in counted.stderr.decode() and "nothing sent" in counted.stderr.decode()
    assert len(_read(kafka_bootstrap, articles)) == 3

    result, elapsed = _timed("replay", "--from", "2024-10-13T00:00+00:00", "--to", "2024-10-14T07:00+07:00",
                             env=env)
    assert result.returncode == 0, result.stderr
    assert elapsed < 15, f"{elapsed:.1f}s"
    assert f"re-sent 1 record(s) of {articles}" in result.stderr.decode()
    records = _read(kafka_bootstrap, articles)
    [copy] = [r for r in records if any(k == "warta-replay" for k, _ in r.headers)]
    [original] = [r for r in records if r.key == b"a1" and r is not copy]
    assert (copy.key, copy.value, copy.partition) == (original.key, original.value, original.partition)
    # The original came without schema headers: a valid article is labelled as `warta produce` labels it.
    assert copy.headers == [*original.headers, ("warta.schema", b"warta.article/v1"),
                            ("content-type", b"application/json"),
                            ("warta-replay", f"{articles}:1:{original.offset}".encode())]

    bad = _warta("replay", "--from", "2024-10-14", "--to", "2024-10-13", env=env, timeout=30)
    assert "is not after --from" in _one_clear_line(bad)


# ---------------------------------------------------------------- warta deadletter replay

def _dead_letter(prefix: str, reason: str, stage: str, topic: str, original: bytes, key: bytes | None = None,
                 size: int | None = None) -> bytes:
    """A dead letter as streams/agents/context.py writes it (checked against schemas/deadletter.v1.json)."""
    record = {
        "schema": "warta.deadletter/v1", "reason": reason, "error": f"{reason} for the test", "stage": stage,
        "topic": f"{prefix}{topic}", "partition": 0, "offset": 7,
        "key_b64": base64.b64encode(key).decode() if key is not None else None, "article_id": None,
        "original_b64": base64.b64encode(original).decode(), "original_size": len(original) if size is None else size,
        "record_time": "2024-10-13T00:00:00.000+00:00", "failed_at": "2024-10-13T00:00:01.000+00:00",
    }
    validate(record, "deadletter.v1")
    return codec.dumps(record)


def test_deadletter_replay_filters_and_skips_truncated(kafka_bootstrap: str, prefix: str) -> None:
    _topics(kafka_bootstrap, prefix, partitions=1)
    stage_doc = codec.dumps({"schema": "warta.stage-article/v1", "id": "d"})
    letters = [
        _dead_letter(prefix, "not_json", "dedup", "articles", b"not json", key=b"k1"),
        _dead_letter(prefix, "schema", "dedup", "articles", b'{"id": "x"}'),
        _dead_letter(prefix, "too_large", "dedup", "articles", b"x" * 100, size=5000),  # truncated
        _dead_letter(prefix, "internal", "tag", "deduped", stage_doc, key=b"d"),
        _dead_letter(prefix, "schema", "dedup-owner", "dedup-probes", b"probe"),  # internal: not replayable
    ]
    _send(kafka_bootstrap, f"{prefix}deadletter", [{"value": v} for v in letters])
    env = _env(kafka_bootstrap, prefix)

    planned = _warta("deadletter", "replay", "--dry-run", env=env, timeout=30)
    assert planned.returncode == 0, planned.stderr
    listed = planned.stdout.decode().splitlines()
    assert len(listed) == 3, listed
    assert listed[0].endswith(f"not_json  dedup  -  8 bytes -> {prefix}articles")
    assert listed[2].endswith(f"internal  tag  -  {len(stage_doc)} bytes -> {prefix}deduped")
    err = planned.stderr.decode()
    assert "dry run: 3 dead letter(s)" in err and "1 with a truncated original" in err
    assert "1 from the dedup stage's internal topics" in err
    assert _read(kafka_bootstrap, f"{prefix}articles") == []

    chosen, elapsed = _timed("deadletter", "replay", "--reason", "not_json", "--reason", "schema", "--stage", "dedup",
                             env=env)
    assert chosen.returncode == 0, chosen.stderr
    assert elapsed < 15, f"{elapsed:.1f}s"
    said = chosen.stderr.decode()
    assert f"re-sent 2 dead letter(s) to {prefix}articles (1 not_json, 1 schema)" in said, said
    assert "3 not matching --reason/--stage" in said, said
    sent = _read(kafka_bootstrap, f"{prefix}articles")
    assert [(r.key, r.value) for r in sent] == [(b"k1", b"not json"), (None, b'{"id": "x"}')]
    assert dict(sent[0].headers) == {"warta-replay": f"{prefix}deadletter:0:0".encode(),
                                     "warta-deadletter-reason": b"not_json"}

    everything = _warta("deadletter", "replay", env=env, timeout=30)
    assert everything.returncode == 0, everything.stderr
    said = everything.stderr.decode()
    assert f"re-sent 3 dead letter(s) to {prefix}articles, {prefix}deduped" in said, said
    assert "skipped 1 with a truncated original, 1 from the dedup stage's internal topics" in said, said
    assert [(r.key, r.value) for r in _read(kafka_bootstrap, f"{prefix}deduped")] == [(b"d", stage_doc)]

    wrong = _warta("deadletter", "replay", "--reason", "nope", env=env, timeout=30)
    assert "--reason nope: choose from bad_encoding, not_json" in _one_clear_line(wrong)


# ---------------------------------------------------------------- warta tail --meta

def test_tail_meta_prints_key_partition_offset_timestamp_and_headers(kafka_bootstrap: str, prefix: str) -> None:
    _topics(kafka_bootstrap, prefix, partitions=1)
    value = {"id": "m1", "body": "Satu."}
    _send(kafka_bootstrap, f"{prefix}articles", [
        {"key": b"m1", "value": codec.dumps(value), "headers": [("h", b"v"), ("bin", b"\xff\x00")],
         "timestamp_ms": _ms("2024-10-13T01:02:03.456+00:00")},
        {"key": b"\xfe", "value": b"not json"},
    ])
    result, elapsed = _timed("tail", "articles", "--meta", "--max", "2", "--timeout", "5",
                             env=_env(kafka_bootstrap, prefix))
    assert result.returncode == 0, result.stderr
    assert elapsed < 15, f"{elapsed:.1f}s"
    first, second = (codec.loads(line) for line in result.stdout.splitlines())
    assert first == {"topic": f"{prefix}articles", "partition": 0, "offset": 0, "timestamp": "2024-10-13T01:02:03.456Z",
                     "key": "m1", "headers": {"h": "v", "bin": {"b64": "/wA="}}, "value": value}
    assert (second["offset"], second["key"], second["headers"], second["value"]) == (1, {"b64": "/g=="}, {},
                                                                                      {"_raw": "not json"})
    plain = _warta("tail", "articles", "--max", "1", "--timeout", "5", env=_env(kafka_bootstrap, prefix), timeout=30)
    assert codec.loads(plain.stdout) == value


def test_tail_stats_reads_the_deployments_own_stats_topic(kafka_bootstrap: str, prefix: str) -> None:
    # `stats` is a monitoring topic, not a consumer one: its short name still means the prefixed topic.
    _topics(kafka_bootstrap, prefix, partitions=1)
    window = {"schema": "warta.stats/v1", "kind": "status", "worker": "w1"}
    _send(kafka_bootstrap, f"{prefix}stats", [{"key": b"status|w1", "value": codec.dumps(window)}])
    result = _warta("tail", "stats", "--max", "1", "--timeout", "5", env=_env(kafka_bootstrap, prefix), timeout=30)
    assert result.returncode == 0, result.stderr
    assert codec.loads(result.stdout) == window


# ---------------------------------------------------------------- the worker's logs

def _start_worker(bootstrap: str, prefix: str, tmp_path: Path, *args: str, **env: str) -> subprocess.Popen[bytes]:
    """`warta worker` at its default log level; stdout and stderr to files in tmp_path."""
    from streams.kafka_local import free_port

    _topics(bootstrap, prefix, partitions=2)
    cmd = [sys.executable, "-m", "streams", "worker", "--bootstrap", bootstrap, "--prefix", prefix,
           "--data-dir", str(tmp_path / "state"), "--web-port", str(free_port()), *args]
    run_env = {k: v for k, v in os.environ.items() if k not in ("WARTA_LOG_LEVEL", "WARTA_LOG_FORMAT")}
    return subprocess.Popen(cmd, stdout=(tmp_path / "out").open("wb"), stderr=(tmp_path / "err").open("wb"),
                            cwd=ROOT, env={**run_env, "WARTA_PARTITIONS": "2", **env})


def _wait_for(proc: subprocess.Popen[bytes], path: Path, text: str, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = path.read_text("utf-8", "replace")
        if text in got:
            return got
        assert proc.poll() is None, f"worker exited with {proc.returncode}:\n{got[-3000:]}"
        time.sleep(0.3)
    raise AssertionError(f"no {text!r} within {timeout:.0f}s:\n{path.read_text('utf-8', 'replace')[-3000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def test_worker_says_ready_at_the_default_level(kafka_bootstrap: str, prefix: str, tmp_path: Path) -> None:
    proc = _start_worker(kafka_bootstrap, prefix, tmp_path, "--agents", "tag")
    try:
        err = _wait_for(proc, tmp_path / "err", "ready: ")
    finally:
        _stop(proc)
    [line] = [line for line in err.splitlines() if "ready: " in line]
    assert "[INFO]" in line and f"ready: partitions 0-1 of {prefix}deduped; web http://127.0.0.1:" in line, line
    assert "/warta/dashboard" in line
    assert "Worker ready" not in err  # Faust's own INFO lines stay hidden at the default level (warning)


def test_worker_json_logs_one_object_per_line(kafka_bootstrap: str, prefix: str, tmp_path: Path) -> None:
    proc = _start_worker(kafka_bootstrap, prefix, tmp_path, "--agents", "dedup", "--log-level", "info",
                         WARTA_LOG_FORMAT="json")
    try:
        _wait_for(proc, tmp_path / "err", '"event":"ready"')
        _wait_for(proc, tmp_path / "err", "Worker ready")  # Faust's own line comes just after ours
    finally:
        _stop(proc)
    lines = (tmp_path / "err").read_text("utf-8").splitlines()
    docs = [codec.loads(line) for line in lines]  # every line is one JSON object, shutdown included
    assert len(docs) > 5, lines
    assert (tmp_path / "out").read_text("utf-8").strip() == "", (tmp_path / "out").read_text("utf-8")
    for doc in docs:
        assert {"time", "level", "logger", "message", "app_id", "pid", "host", "web"} <= set(doc), doc
        assert doc["app_id"] == f"{prefix}workers" and doc["pid"] == proc.pid
        datetime.fromisoformat(doc["time"]).astimezone(UTC)
    readies = [d for d in docs if d.get("event") == "ready"]
    assert len(readies) == 1, lines
    ready = readies[0]
    assert ready["level"] == "info" and ready["logger"] == "warta.worker"
    assert ready["assignment"] == {f"{prefix}{t}": [0, 1] for t in ("articles", "dedup-answers", "dedup-probes")}, \
        ready
    assert ready["web"].startswith("http://127.0.0.1:") and ready["web"] in ready["message"]
    assert any("Worker ready" in d["message"] for d in docs)  # Faust's own lines, as JSON too

    bad = _warta("worker", "--log-format", "xml", env={"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap}, timeout=30)
    assert "log format 'xml': choose text or json" in _one_clear_line(bad)
