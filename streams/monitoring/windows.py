"""One worker's per-minute windows (counts and latency histograms) and their records on the `stats` topic."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from streams.monitoring.histogram import Histogram

__all__ = ["HORIZON_S", "SCHEMA", "WINDOW_S", "WindowRecorder", "WindowStats", "window_key", "window_start"]

SCHEMA = "warta.stats/v1"
WINDOW_S = 60.0
HORIZON_S = 3600.0  # how much history a view keeps and serves


def window_start(t: float, window_s: float = WINDOW_S) -> float:
    """The start of the window that holds time `t` (epoch seconds)."""
    return float(int(t // window_s) * window_s)


def window_key(start: float, worker: str) -> str:
    """The record key of one worker's window: later records of the same key replace earlier ones."""
    return f"window|{int(start)}|{worker}"


@dataclass(slots=True)
class WindowStats:
    """What one window holds: counters by key and a latency histogram per stage."""

    counts: Counter[str] = field(default_factory=Counter)
    latency: dict[str, Histogram] = field(default_factory=dict)

    def add(self, other: WindowStats) -> None:
        """Merge another window's counts and histograms into this one."""
        self.counts.update(other.counts)
        for stage, hist in other.latency.items():
            self.latency.setdefault(stage, Histogram()).merge(hist)

    def to_record(self, worker: str, start: float, window_s: float, at: float) -> dict[str, Any]:
        """The `stats` record of this window as published by `worker` at time `at`."""
        return {"schema": SCHEMA, "kind": "window", "worker": worker, "start": start, "window_s": window_s,
                "at": at, "counts": dict(self.counts),
                "latency_ms": {stage: h.to_dict() for stage, h in sorted(self.latency.items())}}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> WindowStats:
        """Read a window record's counts and histograms."""
        return cls(Counter({k: int(v) for k, v in record.get("counts", {}).items()}),
                   {s: Histogram.from_dict(h) for s, h in record.get("latency_ms", {}).items()})


class WindowRecorder:
    """Counts and latencies of one worker by processing-time window; hands out the windows changed since the
    last publication, so each record carries a window's whole state (a replaced record loses nothing)."""

    def __init__(self, worker: str, *, clock: Callable[[], float] = time.time, window_s: float = WINDOW_S,
                 horizon_s: float = HORIZON_S) -> None:
        self.worker = worker
        self.clock = clock
        self.window_s = window_s
        self.horizon_s = horizon_s
        self.windows: dict[float, WindowStats] = {}
        self._changed: set[float] = set()

    def _current(self) -> WindowStats:
        start = window_start(self.clock(), self.window_s)
        self._changed.add(start)
        return self.windows.setdefault(start, WindowStats())

    def count(self, key: str, n: int = 1) -> None:
        """Add `n` to counter `key` in the current window."""
        if n:
            self._current().counts[key] += n

    def observe(self, stage: str, seconds: float) -> None:
        """Record one latency of `stage` in the current window."""
        self._current().latency.setdefault(stage, Histogram()).observe(seconds * 1000.0)

    def restore(self, records: Iterable[dict[str, Any]]) -> None:
        """Add what an earlier run under this worker's name published (its last record per window), so the
        windows it shares with this run go on from there instead of being replaced by smaller counts."""
        oldest = window_start(self.clock(), self.window_s) - self.horizon_s
        for record in records:
            start = float(record["start"])
            if record.get("worker") == self.worker and start > oldest:
                self.windows.setdefault(start, WindowStats()).add(WindowStats.from_record(record))
                self._changed.add(start)

    def changed(self) -> list[tuple[str, dict[str, Any]]]:
        """(key, record) of each window changed since the last call, oldest first; drops expired windows."""
        now = self.clock()
        oldest = window_start(now, self.window_s) - self.horizon_s
        for start in [s for s in self.windows if s <= oldest]:
            del self.windows[start]
        out = [(window_key(s, self.worker), self.windows[s].to_record(self.worker, s, self.window_s, now))
               for s in sorted(self._changed) if s in self.windows]
        self._changed.clear()
        return out
