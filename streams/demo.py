"""`warta demo`: broker, topics, a worker, the sample articles, and a live view of what comes out."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from streams import admin, codec
from streams.errors import WartaError
from streams.settings import Settings

__all__ = ["run_demo", "sample_dir"]


def sample_dir() -> Path:
    """The bundled sample articles (the repository's `examples/`)."""
    path = Path(__file__).resolve().parent.parent / "examples"
    if not path.is_dir():
        raise WartaError(f"sample articles not found at {path}; pass --samples DIR")
    return path


def _print_article(console: Console, doc: dict[str, Any]) -> None:
    paras = doc["paragraphs"]
    flagged = [p for p in paras if p["duplicate"]]
    console.rule(f"[bold]{doc['id']}[/] ({doc['language']}, {doc.get('source') or 'unknown source'})")
    console.print(f"published {doc['published_at']} [dim]({doc['published_at_source']})[/]  "
                  f"ingested {doc['ingested_at']}  processed {doc['processed_at']}")
    console.print(f"{len(paras)} paragraphs, {len(flagged)} flagged, {len(paras) - len(flagged)} kept")
    for p in flagged:
        d = p["duplicate"]
        where = f" of {d['article_id']}#{d['index']}" if d["article_id"] is not None else ""
        console.print(f"  [yellow]p{p['index']} {d['kind']}{where}[/] sim={d['similarity']}: {p['text'][:70]}…")
    for t in doc["timestamps"]:
        console.print(f"  [cyan]time[/] p{t['paragraph']} {t['text']!r} → {t['value']} ({t['granularity']})")
    people = sorted({e["canonical"] for e in doc["entities"] if e["type"] == "PERSON"})
    countries = sorted({e["country"] for e in doc["entities"] if e["country"]})
    console.print(f"  [green]entities[/] people: {', '.join(people) or '-'}; countries: {', '.join(countries) or '-'}")


def _print_event(console: Console, ev: dict[str, Any]) -> None:
    def who(actors: list[dict[str, Any]]) -> str:
        return ",".join(str(a.get("country") or a.get("name") or "?") for a in actors) or "?"

    when = ev["time"]["value"] if ev.get("time") else "?"
    where = ev["location"].get("name", "?") if ev.get("location") else "-"
    console.print(
        f"  [magenta]event[/] {ev['type']:<9} {who(ev['actors'])} → {who(ev['recipients'])}  time={when} "
        f"place={where} {ev['modality']} conf={ev['confidence']:.2f}  [dim]{ev['article_id']} p{ev['paragraph']}[/]"
    )


def run_demo(
    settings: Settings,
    *,
    samples: Path | None,
    once: bool,
    timeout: float,
    ensure_broker: Callable[..., str],
) -> int:
    """Run the demo; returns the exit status."""
    console = Console(stderr=False)
    server = ensure_broker(settings, start=True)
    # A fresh prefix per run: the demo never touches a real pipeline's topics, and each run starts
    # with an empty dedup memory, so the samples show what one pass finds.
    prefix = f"warta-demo-{int(time.time())}."
    run = Settings.from_env(bootstrap_servers=server, topic_prefix=prefix, app_id=f"{prefix}workers")
    admin.create_topics(run, server)
    folder = samples or sample_dir()
    files = sorted(p for p in folder.iterdir() if p.suffix in {".txt", ".jsonl"})
    if not files:
        raise WartaError(f"no .txt or .jsonl samples in {folder}")
    workdir = Path(tempfile.mkdtemp(prefix="warta-demo-"))
    from streams.kafka_local import free_port

    web_port = free_port()
    log = (workdir / "worker.log").open("wb")
    cmd = [sys.executable, "-m", "streams", "worker", "--bootstrap", server, "--prefix", prefix,
           "--data-dir", str(workdir / "state"), "--web-port", str(web_port), "--log-level", "warning"]
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                            env={**__import__("os").environ, "WARTA_APP_ID": f"{prefix}workers"})
    console.print(f"worker pid {proc.pid} (log {workdir / 'worker.log'}); topics {prefix}*")
    console.print(f"dashboard: http://127.0.0.1:{web_port}/warta/dashboard   metrics: /warta/metrics")
    try:
        produced = subprocess.run(
            [sys.executable, "-m", "streams", "produce", "--bootstrap", server, "--prefix", prefix,
             *map(str, files)], check=False)
        if produced.returncode not in (0, 1):
            raise WartaError("producing the samples failed")
        expected = _count_articles(files)
        seen = 0
        events: list[dict[str, Any]] = []
        lock = threading.Lock()

        def collect_events() -> None:
            for rec in admin.consume(server, run.topic("events"), idle_timeout=None):
                with lock:
                    events.append(codec.loads(rec.value))

        threading.Thread(target=collect_events, daemon=True).start()
        started = time.monotonic()
        for record in admin.consume(server, run.topic("enriched"), idle_timeout=timeout if once else None):
            doc = codec.loads(record.value)
            _print_article(console, doc)
            time.sleep(0.3)  # let this article's events arrive before printing them
            with lock:
                for ev in [e for e in events if e["article_id"] == doc["id"]]:
                    _print_event(console, ev)
            seen += 1
            if proc.poll() is not None:
                raise WartaError(f"the worker exited ({proc.returncode}); see {workdir / 'worker.log'}")
            if once and seen >= expected:
                console.print(f"[bold green]all {seen} sample articles enriched in "
                              f"{time.monotonic() - started:.1f}s[/]")
                return 0
        if once:
            console.print(f"[red]only {seen}/{expected} articles came through in {timeout:.0f}s[/]")
            return 1
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        console.print(f"worker stopped. Topics {prefix}* stay on {server}: "
                      f"`warta tail --prefix {prefix} events` reads them again"
                      + ("" if settings.bootstrap_servers else "; `warta kafka stop` stops the local broker"))


def _count_articles(files: list[Path]) -> int:
    n = 0
    for f in files:
        if f.suffix == ".jsonl":
            n += sum(1 for line in f.read_bytes().splitlines() if line.strip())
        else:
            n += 1
    return n
