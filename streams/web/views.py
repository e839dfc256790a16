"""Worker web views (read-only): the cluster's dashboard and stats, this worker's metrics, readiness, liveness."""

from __future__ import annotations

from importlib import resources
from typing import Any

import faust
from faust.web import Request, Response, View
from prometheus_client import generate_latest

from streams.settings import Settings
from streams.web import metrics

__all__ = ["register_views"]

# Static files the dashboard loads from this server (nothing from the internet): URL name -> (file under
# streams/web, content type). Third-party files are in vendor/ with their licences (vendor/NOTICE.txt).
_ASSETS = {
    "dashboard.js": ("dashboard.js", "text/javascript"),
    "dashboard.css": ("dashboard.css", "text/css"),
    "topojson-client.min.js": ("vendor/topojson-client.min.js", "text/javascript"),
    "countries-110m.json": ("vendor/countries-110m.json", "application/json"),
    "NOTICE.txt": ("vendor/NOTICE.txt", "text/plain"),
    "LICENSE-world-atlas.txt": ("vendor/LICENSE-world-atlas.txt", "text/plain"),
    "LICENSE-topojson-client.txt": ("vendor/LICENSE-topojson-client.txt", "text/plain"),
}


def _asset(name: str) -> str:
    return resources.files("streams.web").joinpath(name).read_text("utf-8")


def register_views(app: faust.App, settings: Settings, monitor: Any = None) -> None:
    """Add the dashboard, stats, metrics, readiness and liveness pages to the worker's web server."""

    @app.page("/warta/metrics")
    class MetricsView(View):
        async def get(self, request: Request) -> Response:
            if monitor is not None:
                monitor.refresh_gauges()
            # aiohttp refuses a charset inside content_type; Prometheus reads plain text either way.
            return self.bytes(generate_latest(metrics.REGISTRY), content_type="text/plain")

    @app.page("/warta/stats")
    class StatsView(View):
        async def get(self, request: Request) -> Response:
            if monitor is None:
                return self.json({"error": "no agents registered"}, status=503)
            return self.json(monitor.snapshot())

    @app.page("/warta/ready")
    class ReadyView(View):
        async def get(self, request: Request) -> Response:
            ready, why = monitor.ready() if monitor is not None else (False, "no agents registered")
            body = {"ready": ready, "why": why,
                    "assignment": monitor.assignment() if monitor is not None else {}}
            return self.json(body, status=200 if ready else 503)

    @app.page("/warta/live")
    class LiveView(View):
        async def get(self, request: Request) -> Response:
            return self.json({"live": True})

    @app.page("/warta/dashboard")
    class DashboardView(View):
        async def get(self, request: Request) -> Response:
            return self.html(_asset("dashboard.html"))

    @app.page("/warta/static/{name}")
    class AssetView(View):
        async def get(self, request: Request, name: str) -> Response:
            if name not in _ASSETS:
                return self.json({"error": "not found"}, status=404)
            path, content_type = _ASSETS[name]
            return self.bytes(_asset(path).encode("utf-8"), content_type=content_type)
