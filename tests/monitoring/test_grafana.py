"""Every query of the provisioned Grafana dashboard names metrics a worker exports (the worker's registry here; a
real worker's scrape in tests/agents/test_stats_cluster.py)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any

from tests.conftest import ROOT

DASHBOARD = ROOT / "deploy" / "grafana-dashboards" / "warta.json"
# Warta's own families and prometheus_client's process collector: all that a worker exports.
_NAME = re.compile(r"\b((?:warta|process)_[a-z0-9_]+)")
_BY = re.compile(r"\bby\s*\(([^)]*)\)")
# Labels Prometheus adds to every scraped series, and the histogram bucket label.
SCRAPE_LABELS = {"instance", "job", "le"}


def queries() -> list[tuple[str, str]]:
    """(panel title, expr) of every target of every panel."""
    dashboard = json.loads(DASHBOARD.read_text())
    return [(p["title"], t["expr"]) for p in dashboard["panels"] for t in p["targets"]]


def metric_names(expr: str) -> set[str]:
    return set(_NAME.findall(re.sub(r'"[^"]*"', '""', expr)))  # not inside label values


def grouping_labels(expr: str) -> set[str]:
    return {label.strip() for group in _BY.findall(expr) for label in group.split(",") if label.strip()}


def sample_names(families: Iterable[Any]) -> dict[str, set[str]]:
    """Sample name -> its label names, for every sample a family can have (whether or not it has values yet)."""
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count")}
    out: dict[str, set[str]] = {}
    for family in families:
        for suffix in suffixes.get(family.type, ("",)):
            out.setdefault(family.name + suffix, set())
        for sample in family.samples:
            out.setdefault(sample.name, set()).update(sample.labels)
    return out


def test_every_panel_queries_metrics_the_worker_registry_exports() -> None:
    from streams.web import metrics

    exported = sample_names(metrics.REGISTRY.collect())
    assert len(queries()) >= 15
    for title, expr in queries():
        names = metric_names(expr)
        assert names, (title, expr)
        assert names <= exported.keys(), (title, sorted(names - exported.keys()))


def test_the_dashboard_shows_what_the_workers_own_dashboard_shows() -> None:
    """Throughput, dedup ratio, events by type and country, lag, dead letters, latency, tables, CPU and RSS."""
    exprs = " ".join(expr for _title, expr in queries())
    for name in ("warta_records_total", "warta_duplicates_total", "warta_duplicate_corrections_total",
                 "warta_events_total", "warta_event_countries_total", "warta_deadletters_total",
                 "warta_consumer_lag", "warta_stage_latency_seconds_bucket", "warta_end_to_end_latency_seconds_bucket",
                 "warta_table_keys", "warta_ready", "process_cpu_seconds_total", "process_resident_memory_bytes"):
        assert name in exprs, name
    assert {"type", "country", "reason", "stage", "kind", "topic", "table"} <= grouping_labels(exprs)


def test_the_workers_dashboard_loads_nothing_from_the_internet() -> None:
    web = ROOT / "streams" / "web"
    page = (web / "dashboard.html").read_text()
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", page)
    assert set(re.findall(r"""(?:src|href)="(/warta/static/[^"]+)\"""", page)) == {
        "/warta/static/dashboard.js", "/warta/static/dashboard.css", "/warta/static/topojson-client.min.js",
        "/warta/static/NOTICE.txt"}
    css, js = (web / "dashboard.css").read_text(), (web / "dashboard.js").read_text()
    assert "@import" not in css and "url(" not in css
    # The page's data, and the vendored country outlines once (world-atlas, served by the worker).
    assert re.findall(r"fetch\(([^,)]+)", js) == ['"/warta/static/countries-110m.json"', '"/warta/stats"']
    assert not re.search(r"\bimport\b|XMLHttpRequest|WebSocket|<script", js)
    vendored = (web / "vendor" / "topojson-client.min.js").read_text()
    assert not re.search(r"\bfetch\b|\bimport\b|XMLHttpRequest|WebSocket", vendored)


def test_every_static_file_is_there_and_each_vendored_one_has_its_licence() -> None:
    from streams.web import views

    web = ROOT / "streams" / "web"
    for path, _type in views._ASSETS.values():
        assert (web / path).is_file(), path
    notice = (web / "vendor" / "NOTICE.txt").read_text()
    for name in ("countries-110m.json", "topojson-client.min.js"):  # unchanged since vendored: the hash it lists
        digest = hashlib.sha256((web / "vendor" / name).read_bytes()).hexdigest()
        assert re.search(rf"^{re.escape(name)}\n(?:  .*\n)*?  sha256 {digest}$", notice, re.M), name
    for package, licence in (("world-atlas 2.0.2", "LICENSE-world-atlas.txt"),
                             ("topojson-client 3.1.0", "LICENSE-topojson-client.txt")):
        assert package in notice and licence in notice and "ISC License" in notice
        assert "Permission to use, copy, modify" in (web / "vendor" / licence).read_text()
    assert "public domain" in notice  # Natural Earth's data
