"""A secured cluster, for real: `warta kafka start --secure`, the seed through worker and CLI over SASL_SSL with
SCRAM, TLS with a client certificate, and one clear line within seconds for a wrong password or an untrusted CA."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from streams import kafka_local
from streams.kafka_secure import SecureFiles, ensure_files
from streams.security import KafkaSecurity

# One secure broker of this module's own (its own state dir and ports), so the module runs beside the others.
pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("kafka_secure")]

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "000_59858f91a7a8876a.txt"
FAST_S = 10.0  # "fails fast": a CLI process, Python and kafka-python imports included, on a loaded machine


@dataclass
class SecureBroker:
    state: Path
    env: dict[str, str]  # the environment of a shell that ran `eval "$(warta kafka start --secure)"`
    files: SecureFiles
    info: kafka_local.BrokerInfo

    @property
    def password(self) -> str:
        return self.files.password()

    def security(self, **changes: object) -> KafkaSecurity:
        return replace(kafka_local.client_security(self.state), **changes)  # type: ignore[arg-type]


def warta(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "streams", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureBroker]:
    home = tmp_path_factory.mktemp("warta-secure-home")
    base = {k: v for k, v in os.environ.items() if not k.startswith("KAFKA_")}
    base.update(WARTA_HOME=str(home), WARTA_KAFKA_PORT="0")
    # What a user does: eval the printed exports (the password comes from its 0600 file, never from the output).
    shell = subprocess.run(["bash", "-c", f'eval "$({sys.executable} -m streams kafka start --secure)" && env -0'],
                           capture_output=True, env=base, cwd=ROOT, timeout=240)
    state = home / "kafka"
    try:
        assert shell.returncode == 0, shell.stderr.decode()
        env = dict(item.split("=", 1) for item in shell.stdout.decode().split("\0") if "=" in item)
        info = kafka_local.status(state)
        assert info is not None and info.security == "SASL_SSL"
        yield SecureBroker(state, env, SecureFiles(state.resolve() / "secure"), info)
    finally:
        kafka_local.stop(state)


def read_until(broker: SecureBroker, topic: str, done: Callable[[list[Any]], bool], timeout: float = 60) -> list[Any]:
    """A topic's records (decoded) from its start until `done` says so."""
    from streams import admin, codec

    deadline = time.monotonic() + timeout
    got: list[Any] = []
    consumer = admin.topic_reader(broker.info.bootstrap, topic, security=broker.security())
    try:
        while not done(got):
            assert time.monotonic() < deadline, f"{topic}: {len(got)} record(s) in {timeout:.0f} s"
            for records in consumer.poll(timeout_ms=500).values():
                got.extend(codec.loads(r.value) for r in records)
    finally:
        consumer.close()
    return got


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 1 and len(lines) == 1, (done.returncode, done.stderr)
    return lines[0]


def test_start_secure_prints_exports_but_never_the_password(broker: SecureBroker) -> None:
    env = broker.env
    assert env["KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL" and env["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-256"
    assert env["KAFKA_SASL_USERNAME"] == "warta" and env["KAFKA_SASL_PASSWORD"] == broker.password
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == broker.info.bootstrap
    again = warta("kafka", "start", "--secure", env=env)  # a running one: the same lines again
    assert again.returncode == 0, again.stderr
    assert f"export KAFKA_SSL_CAFILE={broker.files.cafile}" in again.stdout
    assert broker.password not in again.stdout + again.stderr
    assert broker.password not in broker.info.log_file.read_text("utf-8", "replace")
    plain = warta("kafka", "start", env={k: v for k, v in env.items() if not k.startswith("KAFKA_")})
    assert "runs with --secure" in one_line(plain)


def test_seed_through_the_pipeline_over_sasl_ssl_scram(broker: SecureBroker, tmp_path: Path) -> None:
    from streams import codec
    from streams.kafka_local import free_port

    env = {**broker.env, "WARTA_TOPIC_PREFIX": "sec.", "WARTA_DATA_DIR": str(tmp_path / "state")}
    created = warta("topics", "create", env=env)
    assert created.returncode == 0, created.stderr
    web = free_port()
    log = tmp_path / "worker.log"
    # Debug logging on purpose: the password must not appear even there.
    worker = subprocess.Popen([sys.executable, "-m", "streams", "worker", "--web-port", str(web), "--log-level",
                               "debug"], stdout=log.open("wb"), stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while "ready: partitions" not in log.read_text("utf-8", "replace"):
            assert worker.poll() is None and time.monotonic() < deadline, log.read_text("utf-8", "replace")[-3000:]
            time.sleep(0.3)
        produced = warta("produce", str(SEED), env=env)
        assert produced.returncode == 0, produced.stderr
        # Read in this process with explicit settings (no process-wide default involved).
        enriched = read_until(broker, "sec.enriched", lambda got: any(r["id"] == SEED.stem for r in got))[0]
        assert enriched["id"] == SEED.stem and enriched["events"]
        wanted = {e["id"] for e in enriched["events"]}
        read_until(broker, "sec.events", lambda got: {e["id"] for e in got if e["article_id"] == SEED.stem} == wanted)
        tailed = warta("tail", "enriched", "--timeout", "2", env=env)  # the CLI's consumer over SASL_SSL too
        assert tailed.returncode == 0, tailed.stderr
        assert codec.loads(tailed.stdout.splitlines()[0].encode())["id"] == SEED.stem
        pages = [urllib.request.urlopen(f"http://127.0.0.1:{web}{path}", timeout=10).read().decode()
                 for path in ("/warta/stats", "/warta/metrics", "/warta/dashboard")]
    finally:
        worker.terminate()
        worker.wait(30)
    output = log.read_text("utf-8", "replace")
    assert "Authentication failed" not in output
    assert "stats reader:" not in output  # the dashboard's own consumer is on SASL_SSL too
    for text in (*pages, output, created.stdout + created.stderr, produced.stderr, tailed.stderr):
        assert broker.password not in text


def test_other_mechanisms_and_tls_with_a_client_certificate(broker: SecureBroker) -> None:
    from streams import admin

    for mechanism in ("SCRAM-SHA-512", "PLAIN"):
        listed = warta("topics", "list", env={**broker.env, "KAFKA_SASL_MECHANISM": mechanism})
        assert listed.returncode == 0, (mechanism, listed.stderr)
    mtls = KafkaSecurity(protocol="SSL", cafile=broker.files.cafile, certfile=broker.files.client_cert,
                         keyfile=broker.files.client_key)
    ssl_bootstrap = f"127.0.0.1:{broker.info.ssl_port}"
    client = admin.admin_client(ssl_bootstrap, mtls)  # kafka-python over TLS with a client certificate
    try:
        assert client.describe_cluster()["cluster_id"]
    finally:
        client.close()
    no_cert = {k: v for k, v in broker.env.items() if not k.startswith("KAFKA_SASL")}
    no_cert.update(KAFKA_SECURITY_PROTOCOL="SSL", KAFKA_BOOTSTRAP_SERVERS=ssl_bootstrap)
    assert "closed the SSL connection" in one_line(warta("topics", "list", env=no_cert))


def test_a_wrong_password_fails_fast_in_one_line(broker: SecureBroker) -> None:
    env = {**broker.env, "KAFKA_SASL_PASSWORD": "wrong-" + broker.password[:4]}
    expected = (f"BrokerError: authentication failed for user warta at {broker.info.bootstrap} (SASL SCRAM-SHA-256): "
                "check KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD")
    for args in (["topics", "list"], ["worker", "--web-port", "0", "--data-dir", str(broker.state / "w")],
                 ["tail", "enriched", "--timeout", "5"]):
        t0 = time.monotonic()
        done = warta(*args, env=env, timeout=60)
        elapsed = time.monotonic() - t0
        assert one_line(done) == expected, args
        assert elapsed < FAST_S, (args, elapsed)
        assert broker.password[4:] not in done.stdout + done.stderr


def test_an_untrusted_certificate_fails_fast_in_one_line(broker: SecureBroker, tmp_path: Path) -> None:
    other_ca = ensure_files(tmp_path, formatted=False).cafile  # a second CA, which never signed the broker's
    env = {**broker.env, "KAFKA_SSL_CAFILE": str(other_ca)}
    for args in (["produce", str(SEED)], ["worker", "--web-port", "0", "--data-dir", str(tmp_path / "w")]):
        t0 = time.monotonic()
        line = one_line(warta(*args, env=env, timeout=60))
        assert time.monotonic() - t0 < FAST_S, args
        assert re.fullmatch(rf"BrokerError: the TLS certificate of {re.escape(broker.info.bootstrap)} is not trusted "
                            r"\(.+; KAFKA_SSL_CAFILE=.+ did not sign it\): set KAFKA_SSL_CAFILE to the CA that signed "
                            r"the broker's certificate", line), line
    # A client that forgot the security settings is told so, naming the broker.
    plain = {k: v for k, v in broker.env.items() if not k.startswith(("KAFKA_S", "KAFKA_B"))}
    assert "is SASL_SSL but the client is set to PLAINTEXT" in one_line(warta("topics", "list", env=plain))
