"""The faust.App built from Settings, with the agents a worker was asked to run."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import faust

from streams.security import faust_credentials
from streams.settings import MAX_MESSAGE_BYTES, Settings

__all__ = ["AGENTS", "broker_urls", "build_app"]

AGENTS = ("dedup", "tag", "time", "stories")


def broker_urls(bootstrap: str) -> list[str]:
    """``host:port,host:port`` to Faust's ``kafka://`` URLs."""
    return [f"kafka://{hp.strip()}" for hp in bootstrap.split(",") if hp.strip()]


def faust_config(settings: Settings, bootstrap: str) -> dict[str, Any]:
    """The Faust settings every Warta worker runs with (the pass-through benchmark reuses them)."""
    return {
        "broker": broker_urls(bootstrap),
        # TLS/SASL for Faust's consumer, producer and admin client alike (None: PLAINTEXT).
        "broker_credentials": faust_credentials(settings.security),
        "store": "rocksdb://",
        "datadir": str(settings.data_dir),
        "topic_partitions": settings.partitions,
        "topic_replication_factor": settings.replication,
        # Agents see raw bytes: decoding is ours, so bad records become dead letters, not crashes.
        "key_serializer": "raw",
        "value_serializer": "raw",
        "consumer_auto_offset_reset": "earliest",
        "producer_max_request_size": MAX_MESSAGE_BYTES,
        "consumer_max_fetch_size": MAX_MESSAGE_BYTES,
        "producer_acks": -1,
        # Stages send in bursts (a batch's articles and audits, an owner's changelog records). aiokafka holds one
        # batch in flight per partition and makes the next send wait once the open batch is full, so with
        # Faust's 16 KiB default a burst waits one broker round trip per 16 KiB. Half a MiB stays under the
        # 1 MiB message limit of topics created with broker defaults (the changelogs).
        "producer_max_batch_size": 512 * 1024,
        "web_enabled": True,
        "web_port": settings.web_port,
        "web_bind": settings.web_host,
        "web_host": settings.web_host,
        # Don't wait for streams to drain at shutdown: uncommitted records are re-read on restart.
        "stream_wait_empty": False,
        # A worker killed with SIGKILL holds its partitions until its session expires: 10 s (the broker's
        # floor is 6 s) instead of 60 s lets a restarted worker take over in about 10 s, not a minute.
        "broker_session_timeout": 10.0,
        "broker_rebalance_timeout": 20.0,
    }


def build_app(settings: Settings, bootstrap: str, agents: Collection[str] = AGENTS) -> faust.App:
    """A Faust app with the chosen agents, its tables, dead letters and web views registered."""
    # Imported here so that `warta enrich` and the core never pay for faust's import.
    from streams.agents import register_agents
    from streams.web.views import register_views

    app = faust.App(settings.group_id, **faust_config(settings, bootstrap))
    ctx = register_agents(app, settings, set(agents))
    register_views(app, settings, ctx.monitor)
    return app
