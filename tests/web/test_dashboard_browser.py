"""The dashboard in a real browser: a worker runs the seed and the examples, headless Chromium loads the page, and
what it renders shows their counts and events; a screenshot is kept in test-artifacts/dashboard.png."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import pytest

from streams import codec
from tests.agents.test_dedup_cluster import ready
from tests.conftest import ROOT, consume_until, produce

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("browser")]

ARTIFACTS = ROOT / "test-artifacts"
# As docs for this machine advise: without the background-networking flags Chromium keeps trying hosts it cannot
# reach; a fresh profile per run; no sandbox as root.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


def chromium() -> str:
    """Debian's chromium (.ci/run installs it); skipped where it is missing, except in CI."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed: .ci/run installs Debian's chromium package")
    pytest.skip("no chromium here (apt-get install chromium)")


def browse(browser: str, url: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium on `url`; the virtual-time budget lets the page's first fetch and render finish."""
    return subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=8000", *args, url],
                          capture_output=True, text=True, timeout=120, check=True)


class Text(HTMLParser):
    """The text of every element with an id, the rows of the latest-events table, and the map's shapes: each
    country outline and circle with the text of its `<title>`."""

    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, str] = {}
        self._open: list[str | None] = []
        self.rows: list[str] = []
        self._row: list[str] | None = None
        self.paths: list[str] = []
        self.countries: dict[str, str] = {}  # name -> the outline's path
        self.circles: list[dict[str, str]] = []  # attributes, and "title"
        self._shape: dict[str, str] | None = None  # the map's last path or circle, until its title is read

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in ("meta", "link", "br", "img", "input", "circle", "line", "path"):
            if tag == "path" and a.get("d"):
                self.paths.append(a["d"])
            if tag in ("path", "circle") and "map" in self._open:
                self._shape = {**a, "tag": tag, "title": ""}
                if tag == "circle":
                    self.circles.append(self._shape)
            return
        self._open.append(a.get("id"))
        if tag == "tr" and "latest" in self.by_id:
            self._row = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("meta", "link", "br", "img", "input", "circle", "line", "path"):
            self._shape = None
            return
        if self._open:
            self._open.pop()
        if tag == "tr" and self._row is not None:
            self.rows.append(" ".join(self._row))
            self._row = None
        if tag == "title" and self._shape is not None and self._shape["tag"] == "path":
            self.countries[self._shape["title"]] = self._shape["d"]

    def handle_data(self, data: str) -> None:
        if self._shape is not None:  # inside the title of a shape on the map
            self._shape["title"] += data
            return
        for element in self._open:
            if element:
                self.by_id[element] = self.by_id.get(element, "") + data
        if self._row is not None and data.strip():
            self._row.append(data.strip())


def bbox(path: str) -> tuple[float, float, float, float]:
    """(min x, min y, max x, max y) of an SVG path of M/L/Z commands."""
    xs, ys = zip(*((float(x), float(y)) for x, y in re.findall(r"[ML](-?[\d.]+),(-?[\d.]+)", path)), strict=True)
    return min(xs), min(ys), max(xs), max(ys)


def check_the_map(page: Text, events: list[dict[str, Any]]) -> None:
    """Country outlines, and a circle per place and type of the events that carry coordinates, coloured by type,
    with its count in its tooltip, inside the outline of its country."""
    assert len(page.countries) > 150 and {"Ukraine", "Indonesia", "Brazil"} <= page.countries.keys()
    placed = Counter((e["location"]["gazetteer_id"], e["location"]["name"], e["location"]["country"], e["type"])
                     for e in events if (e.get("location") or {}).get("gazetteer_id"))
    expected = {f"{name}{', ' + country if country and country != name else ''} — {kind} ×{n}"
                for (_id, name, country, kind), n in placed.items()}
    shown = {c["title"].split("\n")[0] for c in page.circles}
    assert shown == expected and len(page.circles) == len(placed), (shown, expected)
    # The page's own colour per PLOVER type, as the bars and the table's badges use it.
    block = re.search(r"TYPE_COLOURS = \{(.*?)\};", (ROOT / "streams" / "web" / "dashboard.js").read_text(), re.S)
    assert block is not None
    colours = dict(re.findall(r"([A-Z]+): \"(#[0-9a-f]{6})\"", block.group(1)))
    names = {"UKR": "Ukraine", "IDN": "Indonesia", "KOR": "South Korea", "JPN": "Japan"}
    for circle in page.circles:
        kind = circle["title"].split(" — ")[1].split(" ×")[0]
        assert circle["data-type"] == kind and circle["fill"] == colours[kind], circle
        country = circle["title"].split(" — ")[0].rsplit(", ", 1)[1]
        if country in names:  # the point lies inside its country's outline (its box, give or take an offset)
            x0, y0, x1, y1 = bbox(page.countries[names[country]])
            x, y = float(circle["cx"]), float(circle["cy"])
            assert x0 - 6 <= x <= x1 + 6 and y0 - 6 <= y <= y1 + 6, (circle, (x0, y0, x1, y1))


def test_the_dashboard_shows_the_seeds_counts_and_events_in_chromium(
    kafka_bootstrap: str, prefix: str, worker_factory: Any, tmp_path: Path
) -> None:
    browser = chromium()
    worker = worker_factory(prefix)
    ready(worker)
    articles = [(p.stem, codec.dumps({"id": p.stem, "body": p.read_text("utf-8")}))
                for p in sorted((ROOT / "examples").glob("*.txt"))]
    for line in (ROOT / "examples" / "002_wire_en.jsonl").read_text("utf-8").splitlines():
        doc = json.loads(line)
        articles.append((doc["id"], codec.dumps(doc)))
    produce(kafka_bootstrap, f"{prefix}articles", [(k.encode(), v) for k, v in articles])
    enriched = consume_until(kafka_bootstrap, f"{prefix}enriched", lambda got: len(got) >= len(articles),
                             workers=(worker,))
    events = [e for r in enriched for e in codec.loads(r.value)["events"]]
    base = f"http://127.0.0.1:{worker.web_port}"
    deadline = time.monotonic() + 30
    while True:  # the page shows what /warta/stats says: wait until that has everything
        stats = json.loads(urlopen(f"{base}/warta/stats", timeout=10).read())
        if stats["totals_last_hour"].get("enriched") == len(articles) and len(stats["latest_events"]) == len(events):
            break
        assert time.monotonic() < deadline, stats["totals_last_hour"]
        time.sleep(0.5)

    dom = browse(browser, f"{base}/warta/dashboard", tmp_path / "profile", "--dump-dom").stdout
    page = Text()
    page.feed(dom)
    shown = page.by_id
    assert shown["articles"].strip() == str(len(articles)), shown.get("articles")
    assert shown["events"].strip() == str(len(events))
    assert shown["status"].startswith("1 worker (1 ready)"), shown["status"]
    assert shown["ratio"].endswith("%") and shown["e2e"].count("/") == 1
    for event_type in {e["type"] for e in events}:  # every type in the bars, and in the table's badges
        assert event_type in shown["types"], event_type
    rows = [r for r in page.rows if r.split(" ")[0] in {e["type"] for e in events}]
    assert len(rows) == len(events), page.rows[:5]
    seed_assault = next(r for r in rows if "Donetsk" in r)
    assert seed_assault.startswith("ASSAULT") and "Ukraine (UKR) → North Korea (PRK)" in seed_assault
    assert "2024-10-03" in seed_assault and "tribunnews.com" in seed_assault and "0.80" in seed_assault
    assert any(re.search(r"L[\d.]+,[\d.]+", d) for d in page.paths), "no line drawn on the charts"
    # Lag per input topic, named without the prefix (figures vary with when the worker last committed).
    lag = shown["lag-topics"]
    assert all(t in lag for t in ("articles", "deduped", "tagged")) and prefix not in lag, lag
    # The map: the seed's Donetsk ASSAULT among the circles, and every event that has coordinates.
    check_the_map(page, events)
    assert any(c["title"].startswith("Donetsk, UKR — ASSAULT ×1") for c in page.circles), page.circles
    placed = sum(1 for e in events if (e.get("location") or {}).get("gazetteer_id"))
    assert shown["map-note"].startswith(f"{placed} of {len(events)} events placed"), shown["map-note"]

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "dashboard.png"
    shot.unlink(missing_ok=True)
    browse(browser, f"{base}/warta/dashboard", tmp_path / "profile2", f"--screenshot={shot}",
           "--window-size=1400,2350")
    assert shot.stat().st_size > 50_000  # a rendered page, not a blank one
    print(f"screenshot: {shot}")
