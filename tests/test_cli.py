"""The `warta` command: help on every command, clear errors, offline enrich."""

from __future__ import annotations

import subprocess
import sys

import pytest

from streams import codec
from tests.acceptance import assert_seed_dedup, assert_seed_timestamps
from tests.conftest import ROOT, SEED
from tests.validation import validate


def _warta(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    import os

    return subprocess.run([sys.executable, "-m", "streams", *args], input=stdin, capture_output=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=120)


@pytest.mark.parametrize(
    "command",
    [[], ["enrich"], ["produce"], ["tail"], ["worker"], ["topics"], ["topics", "create"], ["topics", "list"],
     ["kafka"], ["kafka", "start"], ["kafka", "stop"], ["kafka", "status"], ["kafka", "logs"], ["demo"]],
)
def test_every_command_explains_itself(command: list[str]) -> None:
    result = _warta(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert b"Usage:" in result.stdout and len(result.stdout) > 200


def test_enrich_text_file_and_stdin_jsonl() -> None:
    result = _warta("enrich", str(SEED))
    assert result.returncode == 0, result.stderr
    [doc] = [codec.loads(line) for line in result.stdout.splitlines()]
    validate(doc, "enriched-article.v1")
    assert_seed_dedup(doc)
    assert_seed_timestamps(doc)
    # The same article twice on stdin: the second copy repeats the first one's paragraphs.
    body = SEED.read_text("utf-8")
    lines = codec.dumps({"id": "a", "body": body}) + b"\n" + codec.dumps({"id": "b", "body": body}) + b"\n"
    result = _warta("enrich", "-", stdin=lines)
    first, second = (codec.loads(line) for line in result.stdout.splitlines())
    assert first["id"] == "a" and second["id"] == "b"
    for p in second["paragraphs"]:
        assert p["duplicate"] is not None, p
        if p["duplicate"]["kind"] != "boilerplate":
            assert p["duplicate"]["article_id"] == "a"
    assert second["events"] == [] and second["text"] == ""


def test_enrich_reports_bad_lines_and_exits_1() -> None:
    result = _warta("enrich", "-", stdin=b'{"id": "ok", "body": "Satu paragraf."}\nnot json\n')
    assert result.returncode == 1
    assert len(result.stdout.splitlines()) == 1
    assert b"-:2: not_json" in result.stderr


def test_commands_needing_a_broker_say_so_in_one_line(tmp_path: object) -> None:
    result = _warta("topics", "list", env={"WARTA_HOME": str(tmp_path), "KAFKA_BOOTSTRAP_SERVERS": ""})
    assert result.returncode == 1
    assert result.stderr.decode().strip().count("\n") == 0
    assert b"no Kafka broker" in result.stderr


def test_unknown_agent_is_a_clear_error() -> None:
    result = _warta("worker", "--agents", "dedup,nope", env={"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"})
    assert result.returncode == 1 and b"unknown ['nope']" in result.stderr


@pytest.mark.integration
def test_topics_create_and_list_on_the_broker(kafka_bootstrap: str, prefix: str) -> None:
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "WARTA_TOPIC_PREFIX": prefix}
    created = _warta("topics", "create", "--partitions", "2", env=env)
    assert created.returncode == 0, created.stderr
    assert created.stdout.decode().count("created") == 7
    listed = _warta("topics", "list", env=env).stdout.decode().splitlines()
    assert {f"{prefix}{name}\t2" for name in ("articles", "enriched", "events", "deadletter")} <= set(listed)


@pytest.mark.integration
def test_demo_once_runs_the_samples_through(kafka_bootstrap: str) -> None:
    """`make demo`'s path: topics, a worker, the samples (the seed among them) out on `enriched`."""
    result = _warta("demo", "--once", "--timeout", "120", env={"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap})
    out = result.stdout.decode()
    assert result.returncode == 0, out[-3000:] + result.stderr.decode()[-3000:]
    assert "all 6 sample articles enriched" in out
    assert "000_59858f91a7a8876a" in out and "ASSAULT" in out
    assert "boilerplate" in out and "near of" in out


def test_enrich_uses_the_taggers_named_by_warta_taggers() -> None:
    article = codec.dumps({"id": "boom-1", "language": "en", "body": "BOOM went the market.\nRussia attacked Ukraine."})
    spec = {"WARTA_TAGGERS": "rules,tests.tagging.test_registry:ShoutTagger"}
    chained = _warta("enrich", "--events", "-", stdin=article + b"\n", env=spec)
    assert chained.returncode == 0, chained.stderr
    taggers = {codec.loads(line)["tagger"] for line in chained.stdout.splitlines()}
    assert taggers == {"rules", "shout"}
    only = {"WARTA_TAGGERS": "tests.tagging.test_registry:ShoutTagger"}
    alone = _warta("enrich", "--events", "-", stdin=article + b"\n", env=only)
    assert {codec.loads(line)["tagger"] for line in alone.stdout.splitlines()} == {"shout"}
    bad = _warta("enrich", "-", stdin=article + b"\n", env={"WARTA_TAGGERS": "nosuch"})
    assert bad.returncode != 0 and b"nosuch" in bad.stderr and b"Traceback" not in bad.stderr
