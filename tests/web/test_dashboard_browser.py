"""The dashboard in a real browser: a worker runs the seed and the examples, headless Chromium loads the page, and
what it renders shows their counts and events; a screenshot is kept in test-artifacts/dashboard.png."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
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
    """The text of every element with an id, and the rows of the latest-events table."""

    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, str] = {}
        self._open: list[str | None] = []
        self.rows: list[str] = []
        self._row: list[str] | None = None
        self.paths: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("meta", "link", "br", "img", "input", "circle", "line", "path"):
            if tag == "path" and a.get("d"):
                self.paths.append(a["d"] or "")
            return
        self._open.append(a.get("id"))
        if tag == "tr" and "latest" in self.by_id:
            self._row = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("meta", "link", "br", "img", "input", "circle", "line", "path"):
            return
        if self._open:
            self._open.pop()
        if tag == "tr" and self._row is not None:
            self.rows.append(" ".join(self._row))
            self._row = None

    def handle_data(self, data: str) -> None:
        for element in self._open:
            if element:
                self.by_id[element] = self.by_id.get(element, "") + data
        if self._row is not None and data.strip():
            self._row.append(data.strip())


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

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "dashboard.png"
    shot.unlink(missing_ok=True)
    browse(browser, f"{base}/warta/dashboard", tmp_path / "profile2", f"--screenshot={shot}",
           "--window-size=1400,1900")
    assert shot.stat().st_size > 50_000  # a rendered page, not a blank one
    print(f"screenshot: {shot}")
