"""Process-local Prometheus metrics; the windowed history lives in the changelogged stats table."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge

__all__ = ["LAG", "REGISTRY", "context", "count", "set_context"]

REGISTRY = CollectorRegistry()
_RECORDS = Counter(
    "warta_records", "Records handled, by kind (articles, paragraphs, duplicates.*, events.*, deadletter.*)",
    ["kind"], registry=REGISTRY,
)
LAG = Gauge("warta_consumer_lag", "Records not yet committed, per topic partition", ["topic", "partition"],
            registry=REGISTRY)

_context: list[Any] = []


def set_context(ctx: Any) -> None:
    """Remember the worker's agent context for the web views."""
    _context[:] = [ctx]


def context() -> Any:
    """The worker's agent context, or None before agents are registered."""
    return _context[0] if _context else None


def count(kind: str, n: int = 1) -> None:
    """Increment the Prometheus counter of one record kind."""
    _RECORDS.labels(kind=kind).inc(n)
