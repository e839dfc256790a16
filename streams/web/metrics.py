"""A worker's Prometheus metrics (process-local: Prometheus sums them over workers); the cluster-wide windows
are on the `stats` topic (streams/agents/monitor.py)."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector, disable_created_metrics

__all__ = ["LAG", "PARTITIONS", "READY", "REGISTRY", "TABLE_KEYS", "count", "dead_letter", "observe", "table_sizes"]

# A `_created` series per label set would double a scrape, and no panel reads it.
disable_created_metrics()  # type: ignore[no-untyped-call]
REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)  # process_cpu_seconds_total, process_resident_memory_bytes, open fds, ...

# Latencies run from a second to minutes when a worker is behind, and a few ms when it keeps up.
_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)

_RECORDS = Counter(
    "warta_records", "Records handled, by counter key (articles, paragraphs, enriched, events, duplicates.*, "
    "events.type.*, events.country.*, deadletters.*): the keys of /warta/stats",
    ["kind"], registry=REGISTRY,
)
LAG = Gauge("warta_consumer_lag", "Records not yet committed, per topic partition", ["topic", "partition"],
            registry=REGISTRY)
EVENTS = Counter("warta_events", "Events published on `events`, by PLOVER type", ["type"], registry=REGISTRY)
EVENT_COUNTRIES = Counter("warta_event_countries", "Events published, by the ISO 3166 alpha-3 country of their place "
                          "(unknown when none)", ["country"], registry=REGISTRY)
DUPLICATES = Counter("warta_duplicates", "Paragraphs flagged, by kind (exact, near, boilerplate; corrections included)",
                     ["kind"], registry=REGISTRY)
CORRECTIONS = Counter("warta_duplicate_corrections", "Flags on earlier articles that a later-read, earlier-published "
                      "article turned into duplicates", registry=REGISTRY)
DEADLETTERS = Counter("warta_deadletters", "Records sent to `deadletter`, by reason and stage", ["reason", "stage"],
                      registry=REGISTRY)
STAGE_LATENCY = Histogram("warta_stage_latency_seconds", "From the previous stage's output (the raw article's record "
                          "time for dedup) to this stage's output", ["stage"], buckets=_SECONDS, registry=REGISTRY)
END_TO_END = Histogram("warta_end_to_end_latency_seconds", "From the raw article's record time to its enriched output",
                       buckets=_SECONDS, registry=REGISTRY)
TABLE_KEYS = Gauge("warta_table_keys", "Keys in this worker's active partitions of each table (RocksDB's estimate)",
                   ["table"], registry=REGISTRY)
READY = Gauge("warta_ready", "1 when the worker has partitions and its tables are recovered (/warta/ready)",
              registry=REGISTRY)
PARTITIONS = Gauge("warta_assigned_partitions", "Partitions of each input topic assigned to this worker", ["topic"],
                   registry=REGISTRY)


def count(key: str, n: int = 1) -> None:
    """Increment the counter of one stats key, and the family that key belongs to."""
    _RECORDS.labels(kind=key).inc(n)
    family, _, rest = key.partition(".")
    if family == "events" and rest.startswith("type."):
        EVENTS.labels(type=rest[5:]).inc(n)
    elif family == "events" and rest.startswith("country."):
        EVENT_COUNTRIES.labels(country=rest[8:]).inc(n)
    elif family == "duplicates" and rest == "corrections":
        CORRECTIONS.inc(n)
    elif family == "duplicates" and rest:
        DUPLICATES.labels(kind=rest).inc(n)


def dead_letter(stage: str, reason: str) -> None:
    """Count one dead letter by reason and stage."""
    DEADLETTERS.labels(reason=reason, stage=stage).inc()


def observe(stage: str, seconds: float) -> None:
    """Record one latency: a stage's, or "end_to_end"."""
    if stage == "end_to_end":
        END_TO_END.observe(seconds)
    else:
        STAGE_LATENCY.labels(stage=stage).observe(seconds)


def table_sizes(app: Any) -> dict[str, int]:
    """Keys per table in this worker's active partitions: RocksDB's estimate (counting would read every key)."""
    out: dict[str, int] = {}
    for name, table in app.tables.items():
        store = table.data
        try:
            if hasattr(store, "_dbs_for_actives"):
                out[name] = sum(int(db.property_int_value("rocksdb.estimate-num-keys") or 0)
                                for db in store._dbs_for_actives())
            else:
                out[name] = len(store)
        except Exception:  # a rebalance closed a partition's store meanwhile: skip this scrape
            continue
    return out
