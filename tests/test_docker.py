"""The Docker setup, read (there is no Docker here): host listener, volumes, health, scaling, demo, versions, pins.

tests/test_schemas.py checks that the compose file parses and names its services; these check what it promises.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from streams.kafka_local import KAFKA_VERSION
from tests.conftest import ROOT

COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def _listeners(value: str) -> dict[str, tuple[str, int]]:
    """`NAME://host:port,…` to {name: (host, port)}."""
    out = {}
    for item in value.split(","):
        name, _, address = item.strip().partition("://")
        host, _, port = address.rpartition(":")
        out[name] = (host, int(port))
    return out


def _published(service: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Short-syntax port entries as (host ip, host port, container port); missing parts are ''."""
    out = []
    for entry in service.get("ports", []):
        parts = str(entry).split(":")
        parts = [""] * (3 - len(parts)) + parts
        out.append((parts[0], parts[1], parts[2]))
    return out


def test_kafka_is_the_local_brokers_version() -> None:
    assert SERVICES["kafka"]["image"] == f"apache/kafka:{KAFKA_VERSION}"


def test_clients_on_the_host_reach_kafka_through_an_advertised_listener() -> None:
    env = SERVICES["kafka"]["environment"]
    listeners = _listeners(env["KAFKA_LISTENERS"])
    advertised = _listeners(env["KAFKA_ADVERTISED_LISTENERS"])
    protocols = dict(item.split(":") for item in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    assert set(advertised) <= set(listeners) and set(listeners) <= set(protocols)
    # Containers use the service name; the broker talks to itself on that listener too.
    inter = env.get("KAFKA_INTER_BROKER_LISTENER_NAME", "PLAINTEXT")
    assert advertised[inter] == ("kafka", listeners[inter][1])
    assert SERVICES["worker"]["environment"]["KAFKA_BOOTSTRAP_SERVERS"] == f"kafka:{listeners[inter][1]}"
    # The host's listener: advertised as an address of the host, on the port published for it.
    [(name, (_host, port))] = [(n, a) for n, a in advertised.items() if a[0] in ("localhost", "127.0.0.1")]
    published = {(ip, int(hp)): int(cp) for ip, hp, cp in _published(SERVICES["kafka"]) if hp}
    assert any(hp == port and cp == listeners[name][1] for (_ip, hp), cp in published.items()), published
    # Nothing publishes a listener whose advertised address the host cannot use.
    assert all(cp == listeners[name][1] for cp in published.values())
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"


def test_kafka_data_is_on_a_named_volume() -> None:
    kafka = SERVICES["kafka"]
    log_dirs = kafka["environment"]["KAFKA_LOG_DIRS"]
    mounts = dict(str(v).split(":")[:2][::-1] for v in kafka["volumes"])  # {container path: source}
    assert mounts[log_dirs] in COMPOSE["volumes"], mounts


def test_the_worker_has_a_healthcheck_on_a_page_it_serves() -> None:
    worker = SERVICES["worker"]
    port = worker["environment"]["WARTA_WEB_PORT"]
    probe = " ".join(worker["healthcheck"]["test"])
    match = re.search(r"http://127\.0\.0\.1:(\d+)(/[\w/]+)", probe)
    assert match and match.group(1) == port, probe
    views = (ROOT / "streams" / "web" / "views.py").read_text()
    assert f'@app.page("{match.group(2)}")' in views
    assert worker["environment"]["WARTA_WEB_HOST"] == "0.0.0.0"


def test_workers_can_be_scaled() -> None:
    """`docker compose up --scale worker=3`: no fixed host port, no container name, no shared state dir, and
    Prometheus finds every replica through DNS service discovery on the service name."""
    worker = SERVICES["worker"]
    assert "container_name" not in worker
    assert all(host_port == "" for _ip, host_port, _cp in _published(worker)), worker.get("ports")
    data_dir = worker["environment"]["WARTA_DATA_DIR"]
    for volume in worker.get("volumes", []):
        assert ":" not in str(volume), f"{volume}: a named or host volume would be shared by every replica"
    assert data_dir in [str(v) for v in worker.get("volumes", [])]
    prometheus = yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text())
    [job] = [j for j in prometheus["scrape_configs"] if j["job_name"] == "warta-worker"]
    assert job["metrics_path"] == "/warta/metrics" and "static_configs" not in job
    [sd] = job["dns_sd_configs"]
    assert sd["names"] == ["worker"] and sd["type"] == "A"
    assert str(sd["port"]) == worker["environment"]["WARTA_WEB_PORT"]


def test_the_image_has_the_demo_samples_where_the_demo_looks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    workdir = re.search(r"^WORKDIR (\S+)$", DOCKERFILE, re.M)
    assert workdir and re.search(r"^COPY examples \./examples$", DOCKERFILE, re.M), DOCKERFILE
    from streams import demo

    monkeypatch.chdir(tmp_path)  # the image's working directory, with the package installed elsewhere
    assert tmp_path / "examples" in demo.sample_dirs()


def test_the_image_installs_the_pinned_dependencies() -> None:
    """deploy/constraints.txt is the venv's runtime closure of Warta's requirements, and the image installs it."""
    assert re.search(r"^RUN pip install --no-cache-dir -r deploy/constraints\.txt$", DOCKERFILE, re.M)
    assert re.search(r"^RUN pip install --no-cache-dir --no-deps \. && pip check$", DOCKERFILE, re.M)
    base = re.search(r"^FROM python:(\d+)\.(\d+)", DOCKERFILE, re.M)
    assert base and (int(base.group(1)), int(base.group(2))) == sys.version_info[:2]
    spec = importlib.util.spec_from_file_location("constraints", ROOT / "deploy" / "constraints.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    pins = module.closure()
    assert {"faust-streaming", "aiokafka", "kafka-python", "rocksdict", "typer"} <= set(pins)
    assert "pytest" not in pins and "warta" not in pins
    assert (ROOT / "deploy" / "constraints.txt").read_text() == module.render(pins), (
        "deploy/constraints.txt is stale: .venv/bin/python deploy/constraints.py > deploy/constraints.txt"
    )


def test_the_build_context_keeps_what_the_dockerfile_copies() -> None:
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    for match in re.finditer(r"^COPY (.+) \S+$", DOCKERFILE, re.M):
        for source in match.group(1).split():
            assert source.split("/")[0] not in ignored, source
            assert (ROOT / source).exists(), source
