"""Latency histograms that merge by addition: fixed millisecond bounds, percentiles by interpolation."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BOUNDS_MS", "Histogram"]

# A 1-1.5-2-3-5-7 series from 1 ms to 10 min: every bucket is at most ~1.7x its lower bound, which interpolation
# narrows further; one hour of windows stays small because a window only carries its non-empty buckets.
BOUNDS_MS: tuple[float, ...] = (
    1, 1.5, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700,
    1_000, 1_500, 2_000, 3_000, 5_000, 7_000, 10_000, 15_000, 20_000, 30_000, 60_000, 120_000, 300_000, 600_000,
    math.inf,
)


def _label(bound: float) -> str:
    return "+Inf" if math.isinf(bound) else f"{bound:g}"


def _bound(label: str) -> float:
    return math.inf if label == "+Inf" else float(label)


@dataclass(slots=True)
class Histogram:
    """Counts per upper bound (ms, sparse), with the sum and count, as Prometheus keeps them."""

    buckets: dict[float, int] = field(default_factory=dict)
    count: int = 0
    sum_ms: float = 0.0

    def observe(self, ms: float) -> None:
        """Add one observation (negative ones, from clock skew between hosts, count as 0)."""
        ms = max(0.0, ms)
        bound = next(b for b in BOUNDS_MS if ms <= b)
        self.buckets[bound] = self.buckets.get(bound, 0) + 1
        self.count += 1
        self.sum_ms += ms

    def merge(self, other: Histogram) -> None:
        """Add another histogram's counts to this one (bounds need not be the same)."""
        for bound, n in other.buckets.items():
            self.buckets[bound] = self.buckets.get(bound, 0) + n
        self.count += other.count
        self.sum_ms += other.sum_ms

    def percentile(self, q: float) -> float | None:
        """The q-quantile (0..1) in ms, linear within its bucket; the highest finite bound if it lies beyond."""
        if self.count == 0:
            return None
        rank = q * self.count
        below, lower = 0, 0.0
        for bound in sorted(self.buckets):
            n = self.buckets[bound]
            # The bucket's lower edge is the bound before it, even when that bucket is absent (sparse).
            lower = max([b for b in BOUNDS_MS if b < bound] + [lower])
            if n and below + n >= rank:
                if math.isinf(bound):
                    return lower
                return lower + (bound - lower) * max(0.0, rank - below) / n
            below += n
            lower = bound
        return lower

    def summary(self) -> dict[str, Any]:
        """Count, mean and the usual percentiles, rounded to 0.1 ms."""

        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 1)

        return {"count": self.count, "mean": r(self.sum_ms / self.count if self.count else None),
                "p50": r(self.percentile(0.5)), "p90": r(self.percentile(0.9)), "p99": r(self.percentile(0.99))}

    def to_dict(self) -> dict[str, Any]:
        """The wire form: {"buckets": {"5": 3, "+Inf": 1}, "count": 4, "sum_ms": 123.4}."""
        return {"buckets": {_label(b): n for b, n in sorted(self.buckets.items())}, "count": self.count,
                "sum_ms": round(self.sum_ms, 3)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Histogram:
        """Read the wire form back."""
        return cls({_bound(k): int(v) for k, v in d.get("buckets", {}).items()}, int(d.get("count", 0)),
                   float(d.get("sum_ms", 0.0)))
