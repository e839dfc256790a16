"""The cluster-wide view: every worker's latest window and status records merged into one dashboard state."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from streams.monitoring.histogram import Histogram
from streams.monitoring.windows import HORIZON_S, SCHEMA, WINDOW_S, WindowStats, window_start

__all__ = ["STATUS_TTL_S", "ClusterView", "dedup_ratio", "flagged", "group", "status_key", "status_record"]

# A worker whose last status is older than this is gone (it publishes every few seconds): its lag is dropped.
STATUS_TTL_S = 15.0
_TP = re.compile(r"^(?P<topic>.+)\[(?P<partition>\d+)\]$")


def status_key(worker: str) -> str:
    """The record key of a worker's status: only its latest one matters."""
    return f"status|{worker}"


def status_record(worker: str, at: float, *, web: str, ready: bool, assignment: dict[str, list[int]],
                  lag: dict[str, int], stopped: bool = False) -> dict[str, Any]:
    """A worker's status: readiness, partitions, lag per `topic[partition]`."""
    return {"schema": SCHEMA, "kind": "status", "worker": worker, "at": at, "web": web, "ready": ready,
            "assignment": assignment, "lag": lag, "stopped": stopped}


def group(counts: Counter[str] | dict[str, int], prefix: str) -> dict[str, int]:
    """The counters under `prefix` by the rest of their key, largest first."""
    items = [(k[len(prefix):], n) for k, n in counts.items() if k.startswith(prefix) and n]
    return dict(sorted(items, key=lambda kv: (-kv[1], kv[0])))


def flagged(counts: Counter[str] | dict[str, int]) -> int:
    """Paragraphs flagged in the articles as emitted: the kinds' counts include corrections of earlier articles."""
    kinds = group(counts, "duplicates.")
    return max(0, sum(n for kind, n in kinds.items() if kind != "corrections") - kinds.get("corrections", 0))


def dedup_ratio(counts: Counter[str] | dict[str, int]) -> float | None:
    """Flagged paragraphs of the emitted articles over their paragraphs."""
    paragraphs = counts.get("paragraphs", 0)
    return round(flagged(counts) / paragraphs, 4) if paragraphs else None


class ClusterView:
    """Every worker's latest record per window and its latest status, as read from the `stats` topic."""

    def __init__(self, *, window_s: float = WINDOW_S, horizon_s: float = HORIZON_S,
                 status_ttl_s: float = STATUS_TTL_S) -> None:
        self.window_s = window_s
        self.horizon_s = horizon_s
        self.status_ttl_s = status_ttl_s
        self.windows: dict[tuple[float, str], tuple[float, WindowStats]] = {}
        self.statuses: dict[str, dict[str, Any]] = {}

    def apply(self, record: dict[str, Any]) -> bool:
        """Take one `stats` record (a newer one of the same key replaces the older); False if not ours."""
        if record.get("schema") != SCHEMA:
            return False
        worker, at = str(record["worker"]), float(record["at"])
        if record.get("kind") == "window":
            key = (float(record["start"]), worker)
            if key not in self.windows or self.windows[key][0] <= at:
                self.windows[key] = (at, WindowStats.from_record(record))
            return True
        if record.get("kind") == "status":
            if worker not in self.statuses or self.statuses[worker]["at"] <= at:
                self.statuses[worker] = record
            return True
        return False

    def own_windows(self, worker: str) -> list[dict[str, Any]]:
        """The latest window records of one worker (what a restarted worker goes on from)."""
        return [stats.to_record(w, start, self.window_s, at)
                for (start, w), (at, stats) in sorted(self.windows.items()) if w == worker]

    def _expire(self, now: float) -> float:
        oldest = window_start(now, self.window_s) - self.horizon_s
        for key in [k for k in self.windows if k[0] <= oldest]:
            del self.windows[key]
        for worker in [w for w, s in self.statuses.items() if s["at"] <= now - self.horizon_s]:
            del self.statuses[worker]
        return oldest

    def alive(self, now: float) -> list[dict[str, Any]]:
        """Statuses of the workers that published one recently and did not say they stopped, oldest first."""
        return sorted((s for s in self.statuses.values()
                       if now - s["at"] <= self.status_ttl_s and not s.get("stopped")), key=lambda s: s["at"])

    def lag(self, now: float) -> dict[str, int]:
        """Lag per `topic[partition]` from the live workers; a partition two of them claim (a rebalance under
        way) takes the newer status's figure."""
        out: dict[str, int] = {}
        for status in self.alive(now):
            out.update({tp: int(n) for tp, n in status.get("lag", {}).items()})
        return dict(sorted(out.items()))

    def snapshot(self, now: float) -> dict[str, Any]:
        """The merged state every worker serves: windows, last-hour totals, rates, latency, workers, lag."""
        oldest = self._expire(now)
        merged: dict[float, WindowStats] = {}
        per_worker: Counter[str] = Counter()
        for (start, worker), (_at, stats) in self.windows.items():
            merged.setdefault(start, WindowStats()).add(stats)
            per_worker[worker] += stats.counts.get("articles", 0)
        totals = WindowStats()
        for stats in merged.values():
            totals.add(stats)
        current = window_start(now, self.window_s)
        n = int(self.horizon_s // self.window_s)
        starts = [current - (n - 1 - i) * self.window_s for i in range(n)]
        lag = self.lag(now)
        lag_by_topic: Counter[str] = Counter()
        for tp, value in lag.items():
            m = _TP.match(tp)
            lag_by_topic[m.group("topic") if m else tp] += value
        counts = totals.counts
        return {
            "now": now,
            "window_s": self.window_s,
            "windows": [
                {"start": s, "counts": dict(merged[s].counts),
                 "latency_ms": {k: h.summary() for k, h in sorted(merged[s].latency.items())}}
                for s in sorted(merged) if s > oldest
            ],
            "series": self._series(merged, starts),
            "totals_last_hour": dict(sorted(counts.items())),
            "rates": {key + "_per_min": self._rate(merged, now, key) for key in ("articles", "enriched", "events")},
            "dedup_ratio": dedup_ratio(counts),
            "flagged_last_hour": flagged(counts),
            "duplicates_by_kind": group(counts, "duplicates."),
            "events_by_type": group(counts, "events.type."),
            "events_by_country": group(counts, "events.country."),
            "deadletters_by_reason": group(counts, "deadletters.reason."),
            "deadletters_by_stage": group(counts, "deadletters.stage."),
            "latency_ms": {stage: h.summary() for stage, h in sorted(totals.latency.items())},
            "workers": self._workers(now, per_worker),
            "lag": lag,
            "lag_by_topic": dict(sorted(lag_by_topic.items())),
            "lag_total": sum(lag.values()),
        }

    def _rate(self, merged: dict[float, WindowStats], now: float, key: str) -> float:
        """Per minute over the last `window_s` seconds: the current window plus the part of the previous one
        that is still inside that span, so the rate falls to 0 one window after the last record."""
        current = window_start(now, self.window_s)
        inside = max(0.0, 1.0 - (now - current) / self.window_s)
        cur = merged.get(current, WindowStats()).counts.get(key, 0)
        prev = merged.get(current - self.window_s, WindowStats()).counts.get(key, 0)
        return round((cur + prev * inside) * 60.0 / self.window_s, 2)

    def _series(self, merged: dict[float, WindowStats], starts: list[float]) -> dict[str, list[Any]]:
        """One value per window of the horizon, oldest first, zeros where nothing happened (for line charts)."""
        empty = WindowStats()
        rows = [merged.get(s, empty) for s in starts]
        out: dict[str, list[Any]] = {"start": starts}
        for key in ("articles", "paragraphs", "enriched", "events", "deadletters"):
            out[key] = [w.counts.get(key, 0) for w in rows]
        out["dedup_ratio"] = [dedup_ratio(w.counts) for w in rows]
        out["end_to_end_p50_ms"] = [w.latency.get("end_to_end", Histogram()).percentile(0.5) for w in rows]
        return out

    def _workers(self, now: float, articles: Counter[str]) -> list[dict[str, Any]]:
        out = []
        for worker in sorted(set(self.statuses) | set(articles)):
            s = self.statuses.get(worker, {})
            alive = bool(s) and now - s["at"] <= self.status_ttl_s and not s.get("stopped")
            out.append({
                "worker": worker, "alive": alive, "ready": alive and bool(s.get("ready")),
                "last_seen": s.get("at"), "web": s.get("web"),
                "partitions": {topic: parts for topic, parts in s.get("assignment", {}).items()} if alive else {},
                "lag": sum(s.get("lag", {}).values()) if alive else None,
                "articles_last_hour": articles.get(worker, 0),
            })
        return out
