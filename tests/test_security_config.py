"""Kafka security settings: read from the environment, checked at once, mapped alike to every client library."""

from __future__ import annotations

import ssl
import subprocess
import sys
from pathlib import Path

import pytest

from streams import kafka_secure
from streams.errors import ConfigError
from streams.security import KafkaSecurity, aiokafka_options, faust_credentials, kafka_python_options
from streams.settings import Settings, security_env

ROOT = Path(__file__).resolve().parent.parent
SECRET = "s3cret-Pa55word-never-shown"


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> kafka_secure.SecureFiles:
    """A CA, broker and client certificates, as `warta kafka start --secure` makes them."""
    return kafka_secure.ensure_files(tmp_path_factory.mktemp("tls"), formatted=False)


def scram_env(files: kafka_secure.SecureFiles, **more: str) -> dict[str, str]:
    return {"KAFKA_SECURITY_PROTOCOL": "sasl_ssl", "KAFKA_SASL_MECHANISM": "scram-sha-512",
            "KAFKA_SASL_USERNAME": "warta", "KAFKA_SASL_PASSWORD": SECRET, "KAFKA_SSL_CAFILE": str(files.cafile),
            **more}


def test_default_is_plaintext_and_every_client_gets_only_the_protocol() -> None:
    s = Settings.from_env({})
    assert s.security == KafkaSecurity()
    assert kafka_python_options(s.security) == {"security_protocol": "PLAINTEXT"}
    assert aiokafka_options(s.security) == {"security_protocol": "PLAINTEXT"}
    assert faust_credentials(s.security) is None


def test_sasl_ssl_maps_alike_to_kafka_python_aiokafka_and_faust(tls_files: kafka_secure.SecureFiles) -> None:
    import faust

    sec = Settings.from_env(scram_env(tls_files)).security
    assert (sec.protocol, sec.sasl_mechanism, sec.cafile) == ("SASL_SSL", "SCRAM-SHA-512", tls_files.cafile)
    for options in (kafka_python_options(sec), aiokafka_options(sec)):
        assert options["security_protocol"] == "SASL_SSL"
        assert options["sasl_mechanism"] == "SCRAM-SHA-512"
        assert (options["sasl_plain_username"], options["sasl_plain_password"]) == ("warta", SECRET)
        ctx = options["ssl_context"]
        assert isinstance(ctx, ssl.SSLContext) and ctx.check_hostname and ctx.verify_mode == ssl.CERT_REQUIRED
        # Only the configured CA is trusted, not the system's as well.
        assert len(ctx.get_ca_certs()) == 1
    creds = faust_credentials(sec)
    assert isinstance(creds, faust.SASLCredentials)
    # faust's own mapping to aiokafka gives what Warta's does (its TLS context makes it SASL_SSL).
    from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

    mapped = credentials_to_aiokafka_auth(creds)
    assert {k: v for k, v in mapped.items() if k != "ssl_context"} == {
        k: v for k, v in aiokafka_options(sec).items() if k != "ssl_context"}
    assert SECRET not in repr(creds)


def test_ssl_with_a_client_certificate(tls_files: kafka_secure.SecureFiles) -> None:
    import faust

    env = {"KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_SSL_CAFILE": str(tls_files.cafile),
           "KAFKA_SSL_CERTFILE": str(tls_files.client_cert), "KAFKA_SSL_KEYFILE": str(tls_files.client_key),
           "KAFKA_SSL_CHECK_HOSTNAME": "false"}
    sec = Settings.from_env(env).security
    options = kafka_python_options(sec)
    assert options["security_protocol"] == "SSL" and "sasl_mechanism" not in options
    assert options["ssl_context"].check_hostname is False
    creds = faust_credentials(sec)
    assert isinstance(creds, faust.SSLCredentials) and creds.protocol.value == "SSL"
    assert security_env(sec) == {**env, "KAFKA_SSL_CHECK_HOSTNAME": "false"}


def test_sasl_plaintext_has_no_tls() -> None:
    sec = Settings.from_env({"KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "KAFKA_SASL_MECHANISM": "PLAIN",
                             "KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": SECRET}).security
    assert "ssl_context" not in kafka_python_options(sec)
    assert faust_credentials(sec).protocol.value == "SASL_PLAINTEXT"


@pytest.mark.parametrize(("env", "message"), [
    ({"KAFKA_SECURITY_PROTOCOL": "TLS"}, "KAFKA_SECURITY_PROTOCOL='TLS': choose PLAINTEXT, SSL"),
    ({"KAFKA_SASL_MECHANISM": ""}, "KAFKA_SECURITY_PROTOCOL=SASL_SSL needs KAFKA_SASL_MECHANISM"),
    ({"KAFKA_SASL_MECHANISM": "GSSAPI"}, "KAFKA_SASL_MECHANISM='GSSAPI': choose SCRAM-SHA-256"),
    ({"KAFKA_SASL_USERNAME": ""}, "needs KAFKA_SASL_USERNAME"),
    ({"KAFKA_SASL_PASSWORD": ""}, "needs KAFKA_SASL_PASSWORD (user warta)"),
    ({"KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"}, "KAFKA_SASL_* is set but KAFKA_SECURITY_PROTOCOL=PLAINTEXT"),
    ({"KAFKA_SSL_CAFILE": "/nonexistent/ca.pem"}, "KAFKA_SSL_CAFILE=/nonexistent/ca.pem: no such file"),
    ({"KAFKA_SSL_CHECK_HOSTNAME": "maybe"}, "KAFKA_SSL_CHECK_HOSTNAME='maybe': expected true or false"),
    ({"KAFKA_SSL_KEYFILE": "/etc/hostname"}, "KAFKA_SSL_KEYFILE needs KAFKA_SSL_CERTFILE"),
])
def test_config_mistakes_fail_at_once_naming_the_variable(
    tls_files: kafka_secure.SecureFiles, env: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(scram_env(tls_files, **env))
    assert message in str(caught.value)
    assert SECRET not in str(caught.value)


def test_a_ca_file_that_is_no_certificate_fails_when_the_clients_are_set_up(tmp_path: Path) -> None:
    from streams import security

    bogus = tmp_path / "ca.pem"
    bogus.write_text("not a certificate\n")
    sec = Settings.from_env({"KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_SSL_CAFILE": str(bogus)}).security
    with pytest.raises(ConfigError, match="not a PEM CA certificate"):
        security.use(sec)
    assert security.current() == KafkaSecurity()


def test_secrets_are_not_in_repr_or_str(tls_files: kafka_secure.SecureFiles) -> None:
    s = Settings.from_env(scram_env(tls_files, KAFKA_SSL_KEY_PASSWORD=SECRET + "-key",
                                    KAFKA_SSL_CERTFILE=str(tls_files.client_cert)))
    for text in (repr(s), str(s), repr(s.security), str(s.security), s.security.describe()):
        assert SECRET not in text
        assert "warta" in text or text == s.security.describe()


def test_help_shows_no_secret(tls_files: kafka_secure.SecureFiles) -> None:
    env = {"PATH": "/usr/bin:/bin", **scram_env(tls_files), "KAFKA_SSL_KEY_PASSWORD": SECRET}
    for args in ([], ["worker"], ["kafka", "start"], ["produce"], ["topics", "create"]):
        done = subprocess.run([sys.executable, "-m", "streams", *args, "--help"], capture_output=True, text=True,
                              env=env, cwd=ROOT, timeout=60)
        assert done.returncode == 0, done.stderr
        assert SECRET not in done.stdout + done.stderr
    assert "--security-protocol" in subprocess.run([sys.executable, "-m", "streams", "--help"], capture_output=True,
                                                   text=True, env=env, cwd=ROOT, timeout=60).stdout


def test_secure_files_are_private(tls_files: kafka_secure.SecureFiles) -> None:
    for private in (tls_files.password_file, tls_files.broker_pem, tls_files.client_key):
        assert private.stat().st_mode & 0o777 == 0o600
    assert tls_files.folder.stat().st_mode & 0o777 == 0o700
    assert len(tls_files.password()) >= 24


def test_verify_names_a_listener_that_drops_tls_in_one_line_also_from_async_code(
    tls_files: kafka_secure.SecureFiles,
) -> None:
    import asyncio
    import socket
    import threading

    from streams.errors import BrokerError
    from streams.security import verify

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def drop() -> None:  # a listener that hangs up on everyone, as a broker does on a client it cannot read
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.close()

    threading.Thread(target=drop, daemon=True).start()
    sec = KafkaSecurity(protocol="SSL", cafile=tls_files.cafile)
    try:
        with pytest.raises(BrokerError, match=rf"127\.0\.0\.1:{port}.*check that KAFKA_SECURITY_PROTOCOL=SSL is what"):
            verify("127.0.0.1", port, sec, 2.0)

        async def from_a_coroutine() -> None:
            verify("127.0.0.1", port, sec, 2.0)

        with pytest.raises(BrokerError, match="KAFKA_SECURITY_PROTOCOL=SSL"):
            asyncio.run(from_a_coroutine())
    finally:
        server.close()
