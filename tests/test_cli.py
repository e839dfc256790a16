"""The `warta` command: help on every command, clear errors, offline enrich."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from importlib.metadata import version
from pathlib import Path

import pytest

from streams import codec
from tests.acceptance import assert_seed_dedup, assert_seed_timestamps
from tests.conftest import ROOT, SEED
from tests.validation import validate

# Loopback port 1: nothing listens there, so a connection is refused at once.
UNREACHABLE = "127.0.0.1:1"


def _warta(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "streams", *args], input=stdin, capture_output=True, cwd=ROOT,
                          env={**os.environ, "COLUMNS": "200", **(env or {})}, timeout=timeout)


def _timed(*args: str, env: dict[str, str], timeout: float = 30) -> tuple[subprocess.CompletedProcess[bytes], float]:
    t0 = time.monotonic()
    result = _warta(*args, env=env, timeout=timeout)
    return result, time.monotonic() - t0


def _one_clear_line(result: subprocess.CompletedProcess[bytes]) -> str:
    """The command failed with exactly one line on stderr and no traceback; that line."""
    err = result.stderr.decode()
    assert result.returncode != 0, err
    assert "Traceback" not in err and err.strip().count("\n") == 0, err
    return err.strip()


COMMANDS = [[], ["enrich"], ["produce"], ["tail"], ["worker"], ["topics"], ["topics", "create"], ["topics", "list"],
            ["topics", "delete"], ["kafka"], ["kafka", "start"], ["kafka", "stop"], ["kafka", "status"],
            ["kafka", "logs"], ["demo"], ["groups"], ["offsets"], ["offsets", "reset"], ["replay"], ["deadletter"],
            ["deadletter", "replay"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "warta")
def test_every_command_explains_itself(command: list[str]) -> None:
    result = _warta(*command, "--help")
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert "Usage:" in out and len(out) > 200
    # Rich markup used to eat "[env …]" hints and leave "Dashboard/metrics port ." behind.
    assert not re.search(r"\w \.(\s|$)", out), out


@pytest.mark.parametrize(
    ("command", "hints"),
    [
        (["worker"], ["[env: WARTA_WEB_PORT; default: 6066]", "[env: WARTA_DATA_DIR; default: .warta/worker]",
                      "[env: WARTA_LOG_LEVEL; default: warning]", "[env: WARTA_TOPIC_PREFIX; default: warta.]",
                      "[env: KAFKA_BOOTSTRAP_SERVERS;"]),
        (["topics", "create"], ["[env: WARTA_PARTITIONS; default: 4]", "[env: WARTA_REPLICATION; default: 1]"]),
        (["kafka", "start"], ["[env: WARTA_KAFKA_PORT; default: 9092]"]),
        (["produce"], ["[env: WARTA_TOPIC_PREFIX; default: warta.]", "host:port[,host:port…]"]),
        (["tail"], ["[env: WARTA_TOPIC_PREFIX; default: warta.]"]),
        (["topics", "delete"], ["--yes", "[env: WARTA_TOPIC_PREFIX; default: warta.]"]),
        (["worker"], ["[env: WARTA_LOG_FORMAT; default: text]"]),
        (["groups"], ["[env: WARTA_APP_ID; default: <prefix>workers]", "--all", "--format"]),
        (["offsets", "reset"], ["earliest, latest", "2024-10-13T00:00+07:00", "--dry-run", "--topic",
                                "[env: WARTA_TOPIC_PREFIX; default: warta.]"]),
        (["replay"], ["--from", "--to", "warta-replay", "[env: KAFKA_BOOTSTRAP_SERVERS;"]),
        (["deadletter", "replay"], ["--reason", "--stage", "--dry-run", "not_json", "dedup-owner", "truncated"]),
        (["tail"], ["--meta"]),
    ],
)
def test_help_shows_env_hints(command: list[str], hints: list[str]) -> None:
    out = _warta(*command, "--help").stdout.decode()
    flat = " ".join(line.strip(" │") for line in out.splitlines())  # undo Rich's wrapping inside its panel
    for hint in hints:
        assert hint in flat, (hint, out)


def test_version_comes_from_the_package_metadata() -> None:
    result = _warta("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().strip() == f"warta {version('warta')}"


@pytest.mark.parametrize(
    "command",
    [["tail", "enriched", "--timeout", "3"], ["worker"], ["produce", str(SEED)], ["topics", "create"],
     ["topics", "list"], ["topics", "delete"], ["groups"], ["offsets", "reset", "--to", "earliest"],
     ["replay", "--from", "2024-10-13"], ["deadletter", "replay"]],
    ids=["tail", "worker", "produce", "topics create", "topics list", "topics delete", "groups", "offsets reset",
         "replay", "deadletter replay"],
)
def test_an_unreachable_broker_is_one_line_within_seconds(command: list[str], tmp_path: Path) -> None:
    env = {"KAFKA_BOOTSTRAP_SERVERS": UNREACHABLE, "WARTA_HOME": str(tmp_path), "WARTA_DATA_DIR": str(tmp_path)}
    result, elapsed = _timed(*command, env=env)
    line = _one_clear_line(result)
    assert f"no Kafka broker at {UNREACHABLE}" in line and "`warta kafka start`" in line, line
    assert "KAFKA_BOOTSTRAP_SERVERS" in line
    assert elapsed < 6, f"{command}: {elapsed:.1f}s"


def test_a_silent_listener_is_no_broker_within_seconds(tmp_path: Path) -> None:
    """A port that accepts connections but never answers: kafka-python's bootstrap timeout, not 30 s."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        address = f"127.0.0.1:{sock.getsockname()[1]}"
        result, elapsed = _timed("topics", "list", env={"KAFKA_BOOTSTRAP_SERVERS": address})
    line = _one_clear_line(result)
    assert f"no Kafka broker at {address} (it accepts connections but" in line
    assert elapsed < 7, f"{elapsed:.1f}s"


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


def test_enrich_reports_each_bad_article_in_one_line_and_goes_on(tmp_path: Path) -> None:
    """Valid articles (the wire samples), invalid JSON, a wrong type, an over-long id and an article that makes a
    (plug-in) tagger raise: every valid one comes out in order, each bad one is one stderr line, exit status 1."""
    wire = (ROOT / "examples" / "002_wire_en.jsonl").read_bytes().splitlines()
    seed_body = SEED.read_text("utf-8")
    lines = [
        wire[0],
        b'{"id": "broken", "body": "no closing brace"',
        codec.dumps({"id": 42, "body": seed_body}),
        wire[1],
        codec.dumps({"id": "x" * 513, "body": seed_body}),
        codec.dumps({"id": "buggy", "body": "TAGGER-BUG in the first paragraph.\nA second one."}),
        codec.dumps({"id": "seed", "body": seed_body}),
        *wire[2:],
    ]
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_bytes(b"\n".join(lines) + b"\n")
    env = {"WARTA_TAGGERS": "tests.failing_tagger:FailingTagger"}
    result = _warta("enrich", str(mixed), env=env)
    assert result.returncode == 1, result.stderr
    wire_ids = [codec.loads(line)["id"] for line in wire]
    out = [codec.loads(line) for line in result.stdout.splitlines()]
    assert [doc["id"] for doc in out] == [wire_ids[0], wire_ids[1], "seed", *wire_ids[2:]]
    for doc in out:
        validate(doc, "enriched-article.v1")
    err = result.stderr.decode().splitlines()
    assert "Traceback" not in result.stderr.decode()
    assert len(err) == 5, err  # four bad articles, then the count
    assert err[0].startswith(f"{mixed}:2: not_json: ")
    assert err[1].startswith(f"{mixed}:3: schema: ") and "id must be string" in err[1]
    assert err[2].startswith(f"{mixed}:5: schema: ") and "over the 512-character limit" in err[2]
    assert err[3] == f"{mixed}:6: internal: article 'buggy': ZeroDivisionError: a tagger bug on buggy"
    assert err[4] == f"4 bad article(s) of {len(lines)}: 3 invalid, 1 internal error(s)"
    # Without the bad ones, the same articles come out alike: a failed article left nothing in the dedup memory
    # that changes the flags of those after it (the tagger fails after dedup, so "buggy" is remembered, but it
    # shares no paragraph with the others).
    good = tmp_path / "good.jsonl"
    good.write_bytes(b"\n".join([wire[0], wire[1], lines[6], *wire[2:]]) + b"\n")
    clean = _warta("enrich", str(good), env=env)
    assert clean.returncode == 0, clean.stderr
    assert clean.stderr == b""
    flags = [[p["duplicate"] for p in codec.loads(line)["paragraphs"]] for line in clean.stdout.splitlines()]
    assert flags == [[p["duplicate"] for p in doc["paragraphs"]] for doc in out]


def test_enrich_help_documents_the_exit_status() -> None:
    out = re.sub(r"[│\s]+", " ", _warta("enrich", "--help").stdout.decode())  # Rich's box and wrapping
    assert "internal" in out and "1 at the end if any was bad" in out


def test_commands_needing_a_broker_say_so_in_one_line(tmp_path: Path) -> None:
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
    assert created.stdout.decode().count("created") == 9  # the eight public topics and `stats`
    listed = _warta("topics", "list", env=env).stdout.decode().splitlines()
    assert {f"{prefix}{name}\t2" for name in ("articles", "enriched", "events", "deadletter")} <= set(listed)


@pytest.mark.integration
def test_missing_topics_are_one_line_within_seconds(kafka_bootstrap: str, prefix: str) -> None:
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "WARTA_TOPIC_PREFIX": prefix}
    result, elapsed = _timed("produce", str(SEED), env=env)
    line = _one_clear_line(result)
    assert f"topic {prefix}articles does not exist on {kafka_bootstrap}: run `warta topics create`" in line, line
    assert elapsed < 5, f"produce: {elapsed:.1f}s"
    result, elapsed = _timed("tail", f"{prefix}nosuchtopic", "--timeout", "3", env=env)
    line = _one_clear_line(result)
    assert f"topic {prefix}nosuchtopic does not exist" in line and "warta topics list" in line, line
    assert elapsed < 5, f"tail: {elapsed:.1f}s"
    result, elapsed = _timed("tail", "enriched", "--prefix", prefix, "--timeout", "3", env=env)
    line = _one_clear_line(result)
    assert f"topic {prefix}enriched does not exist" in line and f"`warta topics create --prefix {prefix}`" in line
    assert elapsed < 5, f"tail enriched: {elapsed:.1f}s"


@pytest.mark.integration
def test_topics_delete_takes_the_prefix_and_the_apps_own_topics(kafka_bootstrap: str, prefix: str) -> None:
    from kafka import KafkaAdminClient, KafkaConsumer
    from kafka.admin import NewTopic

    app_id = f"app{uuid.uuid4().hex[:8]}"
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "WARTA_TOPIC_PREFIX": prefix, "WARTA_APP_ID": app_id}
    assert _warta("topics", "create", "--partitions", "1", env=env).returncode == 0
    changelog, other = f"{app_id}-dedup-index-changelog", f"{prefix[:-1]}x.articles"  # the app's; not ours
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    admin.create_topics([NewTopic(changelog, 1, 1), NewTopic(other, 1, 1)])
    ours = {f"{prefix}{name}" for name in ("articles", "deduped", "tagged", "enriched", "events", "duplicates",
                                           "deadletter", "stats", "stories")} | {changelog}
    try:
        asked = _warta("topics", "delete", env=env)
        assert asked.returncode == 1 and b"add --yes" in asked.stderr
        assert set(asked.stdout.decode().split()) == ours  # listed, nothing deleted
        assert ours <= set(admin.list_topics())
        # A running member of the app's group (a worker) makes it refuse.
        member = KafkaConsumer(f"{prefix}articles", bootstrap_servers=kafka_bootstrap, group_id=app_id)
        try:
            deadline = time.monotonic() + 30
            while not member.assignment() and time.monotonic() < deadline:
                member.poll(timeout_ms=200)
            refused = _warta("topics", "delete", "--yes", env=env)
            assert f"consumer group {app_id} has 1 running member(s)" in _one_clear_line(refused)
        finally:
            member.close()
        result, elapsed = _timed("topics", "delete", "--yes", env=env)
        assert result.returncode == 0, result.stderr
        assert {line.split()[1] for line in result.stdout.decode().splitlines()} == ours
        left = set(admin.list_topics())
        assert not ours & left and other in left
        assert elapsed < 15, f"{elapsed:.1f}s"
    finally:
        admin.delete_topics([other])
        admin.close()


@pytest.mark.integration
def test_demo_once_runs_the_samples_through(kafka_bootstrap: str, prefix: str) -> None:
    """`make demo`'s path: topics, a worker, the samples (the seed among them) out on `enriched`; then the
    README's next steps read the demo's topics."""
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap}
    result = _warta("demo", "--once", "--timeout", "120", "--prefix", prefix, env=env)
    out = result.stdout.decode()
    assert result.returncode == 0, out[-3000:] + result.stderr.decode()[-3000:]
    assert "worker ready in" in out
    assert "all 6 sample articles enriched" in out
    assert "000_59858f91a7a8876a" in out and "ASSAULT" in out
    assert "boilerplate" in out and "near of" in out
    tailed = _warta("tail", "enriched", "--max", "6", "--timeout", "5", env={**env, "WARTA_TOPIC_PREFIX": prefix},
                    timeout=60)
    assert tailed.returncode == 0, tailed.stderr
    assert len(tailed.stdout.splitlines()) == 6
    # A second run starts afresh: the previous run's topics and group go first, so nothing is flagged against it.
    again = _warta("demo", "--once", "--timeout", "120", "--prefix", prefix, env=env)
    assert again.returncode == 0, again.stdout.decode()[-3000:] + again.stderr.decode()[-3000:]
    # With the changelogs of the three stages' poison-mark tables (streams/agents/poison.py), and the stories
    # stage's `stories`, `story-events` and its two tables' changelogs.
    assert "deleting the previous demo's 19 topics" in again.stdout.decode()
    assert again.stdout.decode().count(" of 000_59858f91a7a8876a#") == out.count(" of 000_59858f91a7a8876a#")
    cleaned = _warta("topics", "delete", "--prefix", prefix, "--yes", env=env)
    assert cleaned.returncode == 0 and b"deleted 19 topic(s)" in cleaned.stderr, cleaned.stderr


@pytest.mark.integration
def test_a_terminated_demo_stops_its_worker(kafka_bootstrap: str, prefix: str) -> None:
    """SIGTERM (or a closed terminal) ends the demo and its worker: no orphan worker keeps consuming."""
    import signal

    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "COLUMNS": "200"}
    demo = subprocess.Popen([sys.executable, "-m", "streams", "demo", "--prefix", prefix], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert demo.stdout is not None
        worker_pid = 0
        deadline = time.monotonic() + 60
        while not worker_pid and time.monotonic() < deadline:
            match = re.search(rb"worker pid (\d+)", demo.stdout.readline())
            worker_pid = int(match.group(1)) if match else 0
        assert worker_pid
        demo.send_signal(signal.SIGTERM)
        assert demo.wait(30) == 128 + signal.SIGTERM
        with pytest.raises(ProcessLookupError):
            os.kill(worker_pid, 0)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait(10)
        _warta("topics", "delete", "--prefix", prefix, "--yes", env={"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap})


def test_enrich_says_no_articles_for_empty_input(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    result = _warta("enrich", str(empty))
    assert result.returncode == 0 and result.stdout == b""
    assert result.stderr.decode().strip() == f"no articles in {empty}"


def test_enrich_names_the_likely_encoding(tmp_path: Path) -> None:
    text = "Presiden Joko Widodo menerima delegasi di Istana.\nKata “sangat penting” diucapkan menteri — café."
    cp1252 = tmp_path / "cp1252.txt"
    cp1252.write_bytes(text.encode("cp1252"))
    line = _one_clear_line(_warta("enrich", str(cp1252)))
    assert f"{cp1252}: not valid UTF-8 at byte " in line
    assert "looks like cp1252" in line and f"iconv -f CP1252 -t UTF-8 {cp1252}" in line
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes(text.encode("utf-16-le"))  # no byte order mark: a guess, with a hint
    line = _one_clear_line(_warta("enrich", str(utf16)))
    assert "looks like UTF-16LE" in line and f"iconv -f UTF-16LE -t UTF-8 {utf16}" in line
    jsonl = tmp_path / "latin.jsonl"
    jsonl.write_bytes(codec.dumps({"id": "a", "body": "x"}) + b"\n" + '{"id": "b", "body": "café"}'.encode("cp1252"))
    result = _warta("enrich", str(jsonl))
    assert result.returncode == 1 and len(result.stdout.splitlines()) == 1
    assert f"{jsonl}:2: bad_encoding: not valid UTF-8 at byte" in result.stderr.decode()
    assert "looks like cp1252" in result.stderr.decode()


def test_enrich_decodes_utf16_with_a_byte_order_mark(tmp_path: Path) -> None:
    seed = tmp_path / SEED.name
    seed.write_bytes(SEED.read_text("utf-8").encode("utf-16"))  # with BOM: unambiguous, so decoded
    from_utf16 = _warta("enrich", str(seed))
    assert from_utf16.returncode == 0, from_utf16.stderr
    [doc] = [codec.loads(line) for line in from_utf16.stdout.splitlines()]
    [ref] = [codec.loads(line) for line in _warta("enrich", str(SEED)).stdout.splitlines()]
    assert [p["text"] for p in doc["paragraphs"]] == [p["text"] for p in ref["paragraphs"]]


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
