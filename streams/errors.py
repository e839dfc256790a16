"""Warta's exceptions.

WartaError                  anything Warta raises on purpose
├── ConfigError             a setting or a data file is wrong (startup: fail loudly)
├── MissingToolError        java or mvn is not installed (with what to install)
├── BrokerError             the local Kafka broker could not be fetched, started or reached
└── InvalidMessage          one record cannot be processed (goes to the dead-letter topic)
"""

from __future__ import annotations

from streams.deadletter import Reason

__all__ = ["BrokerError", "ConfigError", "InvalidMessage", "MissingToolError", "WartaError"]


class WartaError(Exception):
    """Base class of every error Warta raises on purpose."""


class ConfigError(WartaError):
    """A setting, flag or data file is invalid."""


class MissingToolError(WartaError):
    """A required external tool (java, mvn) is missing."""


class BrokerError(WartaError):
    """The Kafka broker could not be fetched, started, stopped or reached."""

    # True when the broker's answer was a passing state (no leader yet, coordinator loading): worth a retry.
    retriable: bool = False


class InvalidMessage(WartaError):
    """A record that cannot be processed; it goes to the dead-letter topic, never retried.

    ``reason`` is one of the dead-letter reasons (streams.deadletter.Reason: ``not_json``, ``schema``, ...; a
    string that is none of them is a ValueError at once); the message says what was wrong in words.
    """

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = Reason(reason)
