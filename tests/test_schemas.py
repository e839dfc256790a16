"""Every schema is a valid 2020-12 schema, and sample messages validate against theirs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from tests.conftest import ROOT

SCHEMAS = sorted((ROOT / "schemas").glob("*.json"))


def _registry() -> Registry:
    resources = []
    for path in SCHEMAS:
        schema = json.loads(path.read_text())
        resources.append((path.name, Resource.from_contents(schema)))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_schema_is_valid_and_versioned(path: Path) -> None:
    schema = json.loads(path.read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert path.name.endswith(".v1.json") and schema["$id"].endswith(path.name)


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "data" / "messages").glob("*.json")), ids=lambda p: p.name)
def test_sample_messages_validate(path: Path) -> None:
    schema_name = path.name.split("--")[0]
    schema = json.loads((ROOT / "schemas" / f"{schema_name}.json").read_text())
    Draft202012Validator(schema, registry=_registry()).validate(json.loads(path.read_text()))


def test_compose_file_parses_and_names_its_services() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"kafka", "worker", "topics", "prometheus", "grafana"} <= set(services)
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert services["worker"]["build"] == "."
    assert services["topics"]["command"] == ["topics", "create"]
    assert services["worker"]["depends_on"]["topics"]["condition"] == "service_completed_successfully"
    for name in ("prometheus", "grafana"):
        for volume in services[name].get("volumes", []):
            assert (ROOT / volume.split(":")[0]).exists(), volume
    assert (ROOT / "Dockerfile").is_file()
    # The provisioned Grafana dashboard charts metrics the worker really exports.
    dashboard = json.loads((ROOT / "deploy" / "grafana-dashboards" / "warta.json").read_text())
    exprs = " ".join(t["expr"] for p in dashboard["panels"] for t in p["targets"])
    assert "warta_records_total" in exprs and "warta_consumer_lag" in exprs
    from streams.web import metrics

    assert {"warta_records", "warta_consumer_lag"} <= {m.name for m in metrics.REGISTRY.collect()}
