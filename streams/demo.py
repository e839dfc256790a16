"""`warta demo`: broker, topics, a worker, the sample articles, and a live view of what comes out."""

from __future__ import annotations

import os
import signal
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
from streams.settings import Settings, security_env

__all__ = ["DEMO_PREFIX", "run_demo", "sample_dir", "sample_dirs"]

# The demo's own topics and consumer group (`warta-demo.workers`): never a real pipeline's, and the same on every
# run, so the README can name them; each run deletes the previous run's first and so starts with empty memory.
DEMO_PREFIX = "warta-demo."
# Faust logs this once the worker has joined its group, recovered its tables and started its agents.
_READY_LINE = "Worker ready"
# How long without news before the live view says it is still waiting.
_IDLE_NOTICE_S = 5.0


def sample_dirs() -> list[Path]:
    """Where the sample articles may be: the repository's `examples/` next to the package (a checkout or an
    editable install), `./examples` (the Docker image's working directory), `<prefix>/share/warta/examples`."""
    return [Path(__file__).resolve().parent.parent / "examples", Path.cwd() / "examples",
            Path(sys.prefix) / "share" / "warta" / "examples"]


def sample_dir() -> Path:
    """The bundled sample articles (the repository's `examples/`)."""
    for path in sample_dirs():
        if path.is_dir():
            return path
    raise WartaError(f"sample articles not found in {', '.join(map(str, sample_dirs()))}; pass --samples DIR")


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
    prefix: str = DEMO_PREFIX,
) -> int:
    """Run the demo; returns the exit status."""
    console = Console(stderr=False)
    folder = samples or sample_dir()
    files = sorted(p for p in folder.iterdir() if p.suffix in {".txt", ".jsonl"})
    if not files:
        raise WartaError(f"no .txt or .jsonl samples in {folder}")
    server = ensure_broker(settings, start=True)
    # The demo's own prefix and app id: it never touches a real pipeline's topics. The previous demo's topics
    # and group go first, so each run starts with an empty dedup memory and shows what one pass finds.
    run = Settings.from_env(bootstrap_servers=server, topic_prefix=prefix, app_id=f"{prefix}workers",
                            security=settings.security)
    child_env = {**os.environ, **security_env(settings.security)}  # flags given to `warta demo` hold for its children
    old = admin.deletable_topics(list(admin.list_topics(server)), prefix, run.group_id)
    if old:
        console.print(f"deleting the previous demo's {len(old)} topics ({prefix}*) …")
    try:
        admin.delete_topics(server, old, run.group_id)
    except WartaError as exc:
        raise WartaError(f"{exc} (another `warta demo` on this broker? give this one its own --prefix)") from None
    admin.create_topics(run, server, internal=True)
    workdir = Path(tempfile.mkdtemp(prefix="warta-demo-"))
    from streams.kafka_local import free_port

    web_port = free_port()
    log_path = workdir / "worker.log"
    log = log_path.open("wb")
    cmd = [sys.executable, "-m", "streams", "worker", "--bootstrap", server, "--prefix", prefix,
           "--data-dir", str(workdir / "state"), "--web-port", str(web_port), "--log-level", "info"]
    # Stopped by SIGTERM or a closed terminal, the demo still stops its worker (no orphan left consuming).
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _exit_on_signal)
    proc: subprocess.Popen[bytes] | None = None
    try:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                env={**child_env, "WARTA_APP_ID": run.group_id})
        console.print(f"worker pid {proc.pid} (log {log_path}); topics {prefix}*, consumer group {run.group_id}")
        console.print(f"dashboard: http://127.0.0.1:{web_port}/warta/dashboard   metrics: /warta/metrics")
        t0 = time.monotonic()
        console.print("waiting for the worker to join its group …")
        _wait_ready(proc, log_path, timeout)
        console.print(f"worker ready in {time.monotonic() - t0:.1f}s; sending the samples")
        produced = subprocess.run(
            [sys.executable, "-m", "streams", "produce", "--bootstrap", server, "--prefix", prefix,
             *map(str, files)], check=False, env=child_env)
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
        started = last = time.monotonic()
        announced = False
        reader = admin.topic_reader(server, run.topic("enriched"))
        try:
            while not (once and seen >= expected):
                batch = reader.poll(timeout_ms=500)
                if proc.poll() is not None:
                    raise WartaError(f"the worker exited ({proc.returncode}); see {log_path}")
                if not batch:
                    idle = time.monotonic() - last
                    if once and idle > timeout:
                        break
                    if idle > _IDLE_NOTICE_S and seen < expected:
                        console.print(f"[dim]idle: {seen}/{expected} articles so far, waiting for more "
                                      f"(worker log {log_path}) …[/]")
                        last = time.monotonic()
                    continue
                last = time.monotonic()
                for records in batch.values():
                    for record in records:
                        doc = codec.loads(record.value)
                        _print_article(console, doc)
                        time.sleep(0.3)  # let this article's events arrive before printing them
                        with lock:
                            for ev in [e for e in events if e["article_id"] == doc["id"]]:
                                _print_event(console, ev)
                        seen += 1
                if seen >= expected and not once and not announced:
                    announced = True
                    console.print(f"[bold green]all {seen} sample articles enriched in "
                                  f"{time.monotonic() - started:.1f}s[/]; the worker keeps running: in another "
                                  f"terminal, `WARTA_TOPIC_PREFIX={prefix} warta produce FILE…` sends more. "
                                  "Ctrl-C ends.")
        finally:
            reader.close()
        if once and seen >= expected:
            console.print(f"[bold green]all {seen} sample articles enriched in {time.monotonic() - started:.1f}s[/]")
            return 0
        if once:
            console.print(f"[red]only {seen}/{expected} articles came through in {timeout:.0f}s[/]")
            return 1
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()
        console.print(f"worker stopped. Topics {prefix}* stay on {server}: `WARTA_TOPIC_PREFIX={prefix} warta tail "
                      f"events` reads them again, `warta topics delete --prefix {prefix} --yes` deletes them"
                      + ("" if settings.bootstrap_servers else "; `warta kafka stop` stops the local broker"))


def _exit_on_signal(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


def _wait_ready(proc: subprocess.Popen[bytes], log_path: Path, timeout: float) -> None:
    """Wait until the worker has joined its group and started its agents, so the first sample is processed at
    once; a worker that exits or stays silent past `timeout` is an error naming its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _READY_LINE in log_path.read_text("utf-8", "replace"):
            return
        if proc.poll() is not None:
            raise WartaError(f"the worker exited ({proc.returncode}) while starting; see {log_path}")
        time.sleep(0.2)
    raise WartaError(f"the worker was not ready after {timeout:.0f}s; see {log_path}")


def _count_articles(files: list[Path]) -> int:
    n = 0
    for f in files:
        if f.suffix == ".jsonl":
            n += sum(1 for line in f.read_bytes().splitlines() if line.strip())
        else:
            n += 1
    return n
