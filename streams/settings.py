"""One frozen Settings, read from WARTA_* / KAFKA_* environment variables once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from streams.errors import ConfigError
from streams.security import KafkaSecurity

__all__ = ["Settings", "security_env"]

# Kafka's default message limit is 1 MiB; articles may legally be up to max_body_bytes of text plus
# metadata, and the dead-letter record carries the original bytes, so topics and clients allow more.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected a whole number") from None
    if value < minimum:
        raise ConfigError(f"{name}={value}: must be >= {minimum}")
    return value


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={raw!r}: expected true or false")


def _path(env: Mapping[str, str], name: str) -> Path | None:
    raw = env.get(name)
    return Path(raw).expanduser() if raw else None


def _security(env: Mapping[str, str]) -> KafkaSecurity:
    """The Kafka clients' TLS and SASL settings (KafkaSecurity checks them; its repr leaves the secrets out)."""
    return KafkaSecurity(
        protocol=(env.get("KAFKA_SECURITY_PROTOCOL") or "PLAINTEXT").strip().upper(),
        sasl_mechanism=(env.get("KAFKA_SASL_MECHANISM") or "").strip().upper() or None,
        username=env.get("KAFKA_SASL_USERNAME") or None,
        password=env.get("KAFKA_SASL_PASSWORD") or None,
        cafile=_path(env, "KAFKA_SSL_CAFILE"),
        certfile=_path(env, "KAFKA_SSL_CERTFILE"),
        keyfile=_path(env, "KAFKA_SSL_KEYFILE"),
        key_password=env.get("KAFKA_SSL_KEY_PASSWORD") or None,
        check_hostname=_bool(env, "KAFKA_SSL_CHECK_HOSTNAME", True),
    )


def security_env(security: KafkaSecurity) -> dict[str, str]:
    """The variables that give a child process (a worker the demo starts) the same security settings."""
    values = {
        "KAFKA_SECURITY_PROTOCOL": security.protocol,
        "KAFKA_SASL_MECHANISM": security.sasl_mechanism,
        "KAFKA_SASL_USERNAME": security.username,
        "KAFKA_SASL_PASSWORD": security.password,
        "KAFKA_SSL_CAFILE": security.cafile,
        "KAFKA_SSL_CERTFILE": security.certfile,
        "KAFKA_SSL_KEYFILE": security.keyfile,
        "KAFKA_SSL_KEY_PASSWORD": security.key_password,
        "KAFKA_SSL_CHECK_HOSTNAME": "true" if security.check_hostname else "false",
    }
    return {name: str(value) for name, value in values.items() if value is not None}


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a Warta process is configured with; core functions never read it."""

    bootstrap_servers: str | None = None  # None: use (or start) the local broker
    security: KafkaSecurity = field(default_factory=KafkaSecurity)  # every Kafka client's TLS and SASL
    topic_prefix: str = "warta."
    partitions: int = 4
    replication: int = 1
    app_id: str | None = None  # default: derived from the prefix, so test runs never share groups
    data_dir: Path = Path(".warta/worker")
    web_port: int = 6066
    web_host: str = "127.0.0.1"
    max_body_bytes: int = 1_000_000
    dedup_retention_days: float = 7.0
    kafka_port: int = 9092
    kafka_home: Path | None = None
    log_level: str = "warning"
    log_format: str = "text"  # a worker's log lines: "text" (Faust's) or "json" (one object per line)
    taggers: str = "rules"  # tagger spec: "rules", "pkg.mod:Class", "rules,name" (see streams/tagging/registry.py)
    tail_format: str = "json"  # how `warta tail` prints records: "json" (JSON Lines) or "table" (events, for people)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read settings from the environment; keyword overrides (CLI flags) win when not None."""
        e = os.environ if env is None else env
        s = cls(
            bootstrap_servers=e.get("KAFKA_BOOTSTRAP_SERVERS") or None,
            security=_security(e),
            topic_prefix=e.get("WARTA_TOPIC_PREFIX", "warta."),
            partitions=_int(e, "WARTA_PARTITIONS", 4, 1),
            replication=_int(e, "WARTA_REPLICATION", 1, 1),
            app_id=e.get("WARTA_APP_ID") or None,
            data_dir=Path(e.get("WARTA_DATA_DIR", ".warta/worker")),
            web_port=_int(e, "WARTA_WEB_PORT", 6066, 0),
            web_host=e.get("WARTA_WEB_HOST", "127.0.0.1"),
            max_body_bytes=_int(e, "WARTA_MAX_BODY_BYTES", 1_000_000, 1),
            dedup_retention_days=float(e.get("WARTA_DEDUP_RETENTION_DAYS", "7")),
            kafka_port=_int(e, "WARTA_KAFKA_PORT", 9092, 0),
            kafka_home=Path(e["WARTA_HOME"]) / "kafka" if e.get("WARTA_HOME") else None,
            log_level=e.get("WARTA_LOG_LEVEL", "warning"),
            log_format=e.get("WARTA_LOG_FORMAT") or "text",
            taggers=e.get("WARTA_TAGGERS") or "rules",
            tail_format=e.get("WARTA_TAIL_FORMAT") or "json",
        )
        return replace(s, **{k: v for k, v in overrides.items() if v is not None})

    @property
    def group_id(self) -> str:
        """The Faust application id (consumer group and internal topic prefix)."""
        return self.app_id or f"{self.topic_prefix}workers"

    def topic(self, logical: str) -> str:
        """Full topic name of a logical topic (``events`` -> ``warta.events``)."""
        return f"{self.topic_prefix}{logical}"
