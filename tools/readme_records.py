"""Print one real record per public topic, from a run of the seed, for README's "Consuming Warta's topics".

Usage (from the repo root, a worker running on its own prefix, the seed produced and through):

    WARTA_TOPIC_PREFIX=readme. .venv/bin/warta topics create
    WARTA_TOPIC_PREFIX=readme. .venv/bin/warta worker --data-dir /tmp/readme-state &
    WARTA_TOPIC_PREFIX=readme. .venv/bin/warta produce examples/000_59858f91a7a8876a.txt
    .venv/bin/python -c 'import json; print(json.dumps({"id": "000_59858f91a7a8876a", "body": open(
        "examples/000_59858f91a7a8876a.txt").read()})[:200])' > /tmp/cut.jsonl   # the seed's record, cut short
    WARTA_TOPIC_PREFIX=readme. .venv/bin/warta produce --raw /tmp/cut.jsonl   # a dead letter (not_json)
    .venv/bin/python tools/readme_records.py --prefix readme. > /tmp/records.md

Each record is printed as `warta tail --meta` prints it (topic, partition, offset, timestamp, key, headers, value),
the prefix shown as the default `warta.`, with strings over 70 characters and lists of objects over one item
shortened so that the README stays readable: what remains is the record's own text, still valid against its schema.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from streams import codec, contract, ops
from streams.admin import topic_reader

SEED_ID = "000_59858f91a7a8876a"
MAX_TEXT = 70
MAX_ITEMS = 1
WIDTH = 116


def shorten(value: Any) -> Any:
    """Strings and lists of objects cut to a readable length (a cut string ends in "…")."""
    if isinstance(value, str) and len(value) > MAX_TEXT:
        return value[:MAX_TEXT] + "…"
    if isinstance(value, list):  # lists of objects (paragraphs, events) are cut; pairs such as spans are not
        return [shorten(v) for v in (value[:MAX_ITEMS] if value and isinstance(value[0], dict) else value)]
    if isinstance(value, dict):
        return {k: shorten(v) for k, v in value.items()}
    return value


def dumps(value: Any, indent: str = "") -> str:
    """JSON, one line per value that fits in WIDTH characters, else one line per member."""
    flat = json.dumps(value, ensure_ascii=False)
    if len(indent) + len(flat) <= WIDTH or not isinstance(value, dict | list) or not value:
        return flat
    inner = indent + "  "
    if isinstance(value, list):
        return "[\n" + ",\n".join(inner + dumps(v, inner) for v in value) + "\n" + indent + "]"
    return "{\n" + ",\n".join(f"{inner}{json.dumps(k)}: {dumps(v, inner)}" for k, v in value.items()) + \
        "\n" + indent + "}"


def pick(logical: str, records: list[Any]) -> Any:
    """The topic's record to show: the seed's (its ASSAULT event on `events`), else the first."""
    def seed(record: Any) -> bool:
        value = codec.loads(record.value)
        if logical == "events":
            return bool(value.get("article_id") == SEED_ID and value.get("type") == "ASSAULT")
        return record.key == SEED_ID.encode() or logical == "deadletter"
    return next((r for r in records if seed(r)), records[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS"))
    args = parser.parse_args()
    bootstrap = args.bootstrap or _local()
    for logical in contract.TOPIC_SCHEMAS:
        consumer = topic_reader(bootstrap, f"{args.prefix}{logical}")
        try:
            ends = consumer.end_offsets(list(consumer.assignment()))
            records: list[Any] = []
            while any(consumer.position(tp) < end for tp, end in ends.items()):
                for batch in consumer.poll(timeout_ms=500).values():
                    records.extend(batch)
        finally:
            consumer.close()
        if not records:
            continue
        record = pick(logical, sorted(records, key=lambda r: (r.partition, r.offset)))
        shown = ops.record_meta(record, shorten(codec.loads(record.value)))
        shown["topic"] = f"warta.{logical}"
        if isinstance(shown["value"].get("topic"), str):  # a dead letter names the topic it read
            shown["value"]["topic"] = shown["value"]["topic"].replace(args.prefix, "warta.", 1)
        print(f"`warta.{logical}` ({contract.TOPIC_SCHEMAS[logical]}):\n\n```json\n"
              f"{dumps(shown)}\n```\n")


def _local() -> str:
    from streams import kafka_local

    info = kafka_local.status()
    if info is None:
        raise SystemExit("no broker: set KAFKA_BOOTSTRAP_SERVERS or --bootstrap")
    return str(info.bootstrap)


if __name__ == "__main__":
    main()
