"""Per-stage and end-to-end latencies of an article, from the times its documents carry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

__all__ = ["STAGES", "stage_latencies"]

STAGES = ("dedup", "tag", "time", "end_to_end")
# Each stage's latency runs from the time the previous one stamped (the Kafka record time of the raw article
# for dedup) to its own stamp, so it includes the wait on the topic in between, as an operator sees it.
_PREVIOUS = {"dedup": None, "tag": "dedup", "time": "tag"}


def _t(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None


def stage_latencies(doc: dict[str, Any], stage: str) -> dict[str, float]:
    """Seconds spent reaching `stage`'s output: {stage: s}, plus {"end_to_end": s} for the last stage."""
    times = doc.get("stage_times") or {}
    end = _t(times.get(stage))
    prev = _PREVIOUS.get(stage, "?")
    start = _t(doc.get("ingested_at")) if prev is None else _t(times.get(prev))
    out: dict[str, float] = {}
    if end is not None and start is not None:
        out[stage] = max(0.0, end - start)
    ingested = _t(doc.get("ingested_at"))
    if stage == "time" and end is not None and ingested is not None:
        out["end_to_end"] = max(0.0, end - ingested)
    return out
