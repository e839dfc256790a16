"""A pass-through twin of Warta's pipeline: three Faust agents that forward bytes unchanged.

Same topics, partitions, serializers and app settings as `warta worker`, no cores: the baseline that
bench/pipeline_bench.py measures Warta against on the same broker.

    WARTA_TOPIC_PREFIX=p. KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9092 python bench/passthrough.py worker --web-port 6070
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import faust

from streams.app import faust_config
from streams.settings import Settings

settings = Settings.from_env()
# Warta's own Faust settings, but tables in memory (it has none) and the web server off.
_config = {**faust_config(settings, settings.bootstrap_servers or "127.0.0.1:9092"), "store": "memory://",
           "web_enabled": False, "datadir": tempfile.mkdtemp(prefix="warta-passthrough-")}
app = faust.App(f"{settings.topic_prefix}passthrough", **_config)


def _forward(source: str, target: str) -> None:
    out = app.topic(settings.topic(target), value_type=bytes, key_type=bytes)

    @app.agent(app.topic(settings.topic(source), value_type=bytes, key_type=bytes), name=f"forward_{source}")
    async def forward(stream: Any) -> None:
        async for event in stream.events():
            await out.send(key=event.key, value=event.value)


for _source, _target in (("articles", "deduped"), ("deduped", "tagged"), ("tagged", "enriched")):
    _forward(_source, _target)

if __name__ == "__main__":
    app.main()
