"""Worker web views: /warta/metrics (Prometheus), /warta/stats (JSON), /warta/dashboard (HTML)."""

from __future__ import annotations

import time
from collections import defaultdict
from importlib import resources
from typing import Any

import faust
from faust.web import Request, Response, View
from prometheus_client import generate_latest

from streams.settings import Settings
from streams.web import metrics

__all__ = ["collect_stats", "register_views"]


def _lag(app: faust.App) -> dict[str, int]:
    """Per assigned partition: high-water mark minus the committed offset."""
    out: dict[str, int] = {}
    consumer = app.consumer
    for tp in sorted(consumer.assignment()):
        # Only the agents' input topics: changelogs are read for recovery and have no committed offset.
        if tp.topic.endswith("-changelog") or "__assignor" in tp.topic:
            continue
        high = consumer.highwater(tp)
        committed = getattr(consumer, "_committed_offset", {}).get(tp)
        if high is None:
            continue
        lag = max(0, high - (committed + 1 if committed is not None else 0))
        out[f"{tp.topic}[{tp.partition}]"] = lag
        metrics.LAG.labels(topic=tp.topic, partition=str(tp.partition)).set(lag)
    return out


def collect_stats(app: faust.App) -> dict[str, Any]:
    """Counters per one-minute window from the stats table, plus lag and the worker's identity."""
    ctx = metrics.context()
    windows: dict[float, dict[str, int]] = defaultdict(dict)
    if ctx is not None:
        table = ctx.stats.table
        for (key, (start, _end)), value in table.data.items():
            windows[start][key] = windows[start].get(key, 0) + value
    try:
        lag = _lag(app)
    except Exception:  # not assigned yet, or rebalancing: lag is unknown, not an error
        lag = {}
    totals: dict[str, int] = defaultdict(int)
    for counts in windows.values():
        for k, v in counts.items():
            totals[k] += v
    return {
        "worker": app.conf.id,
        "now": time.time(),
        "windows": [{"start": s, "counts": windows[s]} for s in sorted(windows)],
        "totals_last_hour": dict(totals),
        "lag": lag,
        "lag_total": sum(lag.values()),
    }


def register_views(app: faust.App, settings: Settings) -> None:
    """Add the metrics, stats and dashboard pages to the worker's web server."""

    @app.page("/warta/metrics")
    class MetricsView(View):
        async def get(self, request: Request) -> Response:
            collect_stats(app)  # refresh the lag gauges
            # aiohttp refuses a charset inside content_type; Prometheus reads plain text either way.
            return self.bytes(generate_latest(metrics.REGISTRY), content_type="text/plain")

    @app.page("/warta/stats")
    class StatsView(View):
        async def get(self, request: Request) -> Response:
            return self.json(collect_stats(app))

    @app.page("/warta/dashboard")
    class DashboardView(View):
        async def get(self, request: Request) -> Response:
            html = resources.files("streams.web").joinpath("dashboard.html").read_text("utf-8")
            return self.html(html)
