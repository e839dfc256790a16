"""How every Kafka client connects (TLS, SASL): one frozen KafkaSecurity, options for each client library.

Settings.from_env reads the KAFKA_SECURITY_PROTOCOL / KAFKA_SASL_* / KAFKA_SSL_* variables into a KafkaSecurity
(`Settings.security`); this module never reads the environment. The CLI passes bootstrap strings around rather
than Settings, so its entry points (`_bootstrap` in streams/cli.py, which the worker and the demo go through too)
set a process-wide default once with `use()`; streams/admin.py's clients take `security=` or fall back to
`current()`. Code holding Settings (the Faust app, agents) uses `settings.security` directly.
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from streams.errors import BrokerError, ConfigError

__all__ = [
    "MECHANISMS",
    "PROTOCOLS",
    "KafkaSecurity",
    "aiokafka_options",
    "auth_failed",
    "current",
    "faust_credentials",
    "kafka_python_options",
    "use",
    "verify",
]

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
MECHANISMS = ("SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN")
_TLS = frozenset({"SSL", "SASL_SSL"})
_SASL = frozenset({"SASL_PLAINTEXT", "SASL_SSL"})
_CREDENTIALS_HINT = "check KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD"
_HOSTNAME_MISMATCH = 62  # OpenSSL's X509_V_ERR_HOSTNAME_MISMATCH


@dataclass(frozen=True, slots=True)
class KafkaSecurity:
    """A client's security settings; secrets are left out of repr() and str()."""

    protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    cafile: Path | None = None  # None with TLS: the system's trusted CAs (public clusters)
    certfile: Path | None = None  # a client certificate (PEM; may hold the key too)
    keyfile: Path | None = None
    key_password: str | None = field(default=None, repr=False)
    check_hostname: bool = True

    def __post_init__(self) -> None:
        """Refuse what cannot work, naming the variable, before any connection is tried."""
        if self.protocol not in PROTOCOLS:
            raise ConfigError(f"KAFKA_SECURITY_PROTOCOL={self.protocol!r}: choose {', '.join(PROTOCOLS)}")
        if self.protocol in _SASL:
            if self.sasl_mechanism is None:
                raise ConfigError(f"KAFKA_SECURITY_PROTOCOL={self.protocol} needs KAFKA_SASL_MECHANISM: "
                                  f"{', '.join(MECHANISMS)}")
            if self.sasl_mechanism not in MECHANISMS:
                raise ConfigError(f"KAFKA_SASL_MECHANISM={self.sasl_mechanism!r}: choose {', '.join(MECHANISMS)}")
            if not self.username:
                raise ConfigError(f"SASL {self.sasl_mechanism} needs KAFKA_SASL_USERNAME")
            if not self.password:
                raise ConfigError(f"SASL {self.sasl_mechanism} needs KAFKA_SASL_PASSWORD (user {self.username})")
        elif self.sasl_mechanism or self.username or self.password:
            # Credentials that would silently go unused mean the protocol was forgotten.
            raise ConfigError(f"KAFKA_SASL_* is set but KAFKA_SECURITY_PROTOCOL={self.protocol}: "
                              "use SASL_SSL (or SASL_PLAINTEXT)")
        if self.protocol not in _TLS and (self.cafile or self.certfile or self.keyfile or self.key_password):
            raise ConfigError(f"KAFKA_SSL_* is set but KAFKA_SECURITY_PROTOCOL={self.protocol}: use SSL or SASL_SSL")
        if self.keyfile and not self.certfile:
            raise ConfigError("KAFKA_SSL_KEYFILE needs KAFKA_SSL_CERTFILE (the client certificate)")
        for var, path in (("KAFKA_SSL_CAFILE", self.cafile), ("KAFKA_SSL_CERTFILE", self.certfile),
                          ("KAFKA_SSL_KEYFILE", self.keyfile)):
            if path is not None and not (path.is_file() and os.access(path, os.R_OK)):
                raise ConfigError(f"{var}={path}: " + ("not readable" if path.is_file() else "no such file"))

    @property
    def tls(self) -> bool:
        return self.protocol in _TLS

    @property
    def sasl(self) -> bool:
        return self.protocol in _SASL

    def describe(self) -> str:
        """For messages: `SASL_SSL, SCRAM-SHA-256 as warta` (never a secret)."""
        if self.sasl:
            return f"{self.protocol}, {self.sasl_mechanism} as {self.username}"
        return self.protocol + (" with a client certificate" if self.certfile else "")

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context every client library gets (None without TLS); a ConfigError if a file is no good."""
        if not self.tls:
            return None
        try:
            # With a CA file only that CA is trusted; without one, the system's (a public cluster's certificate).
            ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH,
                                             cafile=str(self.cafile) if self.cafile else None)
        except (ssl.SSLError, OSError) as exc:
            raise ConfigError(f"KAFKA_SSL_CAFILE={self.cafile}: not a PEM CA certificate ({_reason(exc)})") from None
        ctx.check_hostname = self.check_hostname
        if self.certfile is not None:
            try:
                ctx.load_cert_chain(str(self.certfile), str(self.keyfile) if self.keyfile else None,
                                    password=self.key_password)
            except (ssl.SSLError, OSError) as exc:
                raise ConfigError(f"KAFKA_SSL_CERTFILE={self.certfile} / KAFKA_SSL_KEYFILE={self.keyfile}: no usable "
                                  f"certificate and key ({_reason(exc)}; an encrypted key needs "
                                  "KAFKA_SSL_KEY_PASSWORD)") from None
        return ctx


# ---------------------------------------------------------------- options per client library


def _common(security: KafkaSecurity) -> dict[str, Any]:
    # kafka-python and aiokafka happen to share these option names.
    options: dict[str, Any] = {"security_protocol": security.protocol}
    if security.tls:
        options["ssl_context"] = security.ssl_context()
    if security.sasl:
        options.update(sasl_mechanism=security.sasl_mechanism, sasl_plain_username=security.username,
                       sasl_plain_password=security.password)
    return options


def kafka_python_options(security: KafkaSecurity | None = None) -> dict[str, Any]:
    """Keyword arguments for KafkaAdminClient, KafkaConsumer and KafkaProducer (default: `current()`)."""
    return _common(security or current())


def aiokafka_options(security: KafkaSecurity | None = None) -> dict[str, Any]:
    """Keyword arguments for AIOKafkaConsumer/AIOKafkaProducer (default: `current()`)."""
    return _common(security or current())


def faust_credentials(security: KafkaSecurity) -> Any:
    """Faust's `broker_credentials`: SASLCredentials (its TLS context makes it SASL_SSL), SSLCredentials, or None.

    faust-streaming's aiokafka driver turns them into the same aiokafka options as `aiokafka_options`
    (faust/transport/drivers/aiokafka.py, credentials_to_aiokafka_auth) for its consumer, producer and admin."""
    import faust  # deferred: the CLI's other commands never pay for faust's import

    if security.sasl:
        return faust.SASLCredentials(username=security.username, password=security.password,
                                     ssl_context=security.ssl_context(), mechanism=security.sasl_mechanism)
    if security.tls:
        return faust.SSLCredentials(security.ssl_context())
    return None


# ---------------------------------------------------------------- the process-wide default

_current = KafkaSecurity()


def use(security: KafkaSecurity) -> None:
    """Make `security` the default of this process's Kafka clients (its files are checked now, not later)."""
    global _current
    security.ssl_context()
    _current = security


def current() -> KafkaSecurity:
    """The default set by `use()` (PLAINTEXT until then)."""
    return _current


# ---------------------------------------------------------------- clear failures


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        return exc.verify_message
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return str(exc.reason).lower().replace("_", " ")
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


_verified: set[tuple[str, KafkaSecurity]] = set()


def verify(host: str, port: int, security: KafkaSecurity, timeout: float) -> None:
    """Connect once as the clients will (TLS handshake, SASL authentication) so that a wrong password, an untrusted
    certificate or the wrong protocol fails now in one line: kafka-python and aiokafka retry those silently until
    their bootstrap timeout and then only say they could not bootstrap. Once per address and settings a process."""
    address = f"{host}:{port}"
    if security.protocol == "PLAINTEXT" or (address, security) in _verified:
        return
    import asyncio

    from aiokafka.conn import create_conn  # deferred: only secured connections pay for it
    from aiokafka.errors import (
        KafkaConnectionError,
        KafkaError,
        SaslAuthenticationFailed,
        UnsupportedSaslMechanismError,
    )
    from aiokafka.protocol.metadata import MetadataRequest

    async def attempt() -> None:
        conn = await asyncio.wait_for(create_conn(host, port, client_id="warta-check",
                                                  request_timeout_ms=int(timeout * 1000),
                                                  **aiokafka_options(security)), timeout)
        try:
            # A SASL listener answers ApiVersions before authentication: only a real request shows that a TLS
            # client without SASL is refused.
            await asyncio.wait_for(conn.send(MetadataRequest([])), timeout)
        finally:
            conn.close()

    mismatch = (f"check that KAFKA_SECURITY_PROTOCOL={security.protocol} is what the listener on that port expects"
                + ("" if security.certfile else " (a client certificate? KAFKA_SSL_CERTFILE)"))
    try:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            asyncio.run(attempt())
        else:  # called from async code: a loop of its own, in a thread of its own
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(1) as pool:
                pool.submit(asyncio.run, attempt()).result()
    except ssl.SSLCertVerificationError as exc:
        if exc.verify_code == _HOSTNAME_MISMATCH:
            raise BrokerError(f"the TLS certificate of {address} is not valid for {host} ({_reason(exc)}): connect "
                              "by a name the certificate holds, or set KAFKA_SSL_CHECK_HOSTNAME=false") from None
        ca = f"KAFKA_SSL_CAFILE={security.cafile} did not sign it" if security.cafile else "no KAFKA_SSL_CAFILE set"
        raise BrokerError(f"the TLS certificate of {address} is not trusted ({_reason(exc)}; {ca}): "
                          "set KAFKA_SSL_CAFILE to the CA that signed the broker's certificate") from None
    except ssl.SSLError as exc:
        raise BrokerError(f"TLS handshake with {address} failed ({_reason(exc)}): {mismatch}") from None
    except SaslAuthenticationFailed:
        raise auth_failed(address, security) from None
    except UnsupportedSaslMechanismError:
        raise BrokerError(f"the broker at {address} does not offer SASL {security.sasl_mechanism}: "
                          f"check KAFKA_SASL_MECHANISM (one of {', '.join(MECHANISMS)})") from None
    except (KafkaConnectionError, ConnectionError) as exc:
        why = "" if isinstance(exc, KafkaConnectionError) else f" ({_reason(exc)})"
        raise BrokerError(f"the broker at {address} closed the {security.protocol} connection{why}: "
                          f"{mismatch}") from None
    except (KafkaError, OSError, TimeoutError) as exc:
        why = f"{type(exc).__name__}: {exc}" if str(exc) else f"no answer within {timeout:.0f} s"
        raise BrokerError(f"{security.protocol} connection to {address} failed ({why}): {mismatch}") from None
    _verified.add((address, security))


def auth_failed(bootstrap: str, security: KafkaSecurity) -> BrokerError:
    """The one-line error for credentials the broker refused (the broker's own words add nothing to it)."""
    return BrokerError(f"authentication failed for user {security.username} at {bootstrap} "
                       f"(SASL {security.sasl_mechanism}): {_CREDENTIALS_HINT}")
