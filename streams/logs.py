"""A worker's logging: Faust's text lines or JSON Lines, and one "ready" line when its partitions are assigned.

Faust's worker configures logging itself (mode's ``setup_logging``: one handler on the root logger at the chosen
level). We only hand it a ``logging_config`` to merge into its own, through the worker's public argument: the
handler loses its level (the root logger's level still filters everything else), so the `warta.worker` logger
can say "ready" at INFO while the default level is WARNING; and with the json format, the handler writes
`JsonFormatter`'s lines to stderr.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, ClassVar

import orjson

__all__ = [
    "LOG_FORMATS",
    "READY_LOGGER",
    "JsonFormatter",
    "PayloadFilter",
    "RepeatFilter",
    "announce_ready",
    "assignment_text",
    "logging_config",
]

LOG_FORMATS = ("text", "json")
READY_LOGGER = "warta.worker"

# Attributes every LogRecord has: anything else on a record came from `extra=` and goes into the JSON object.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "extra", "data"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the worker's fields, the record's
    extras, and the traceback (`exc`) if any."""

    def __init__(self, fields: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.fields = dict(fields or {})

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **self.fields,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in doc:
                doc[key] = value
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            doc["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(doc, default=str, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")


class RepeatFilter(logging.Filter):
    """At most one warning or error line a second per logger from the Kafka client libraries; the next line printed
    says how many were dropped (how many like itself, how many others). While the broker was down a worker logged
    47,460 such lines (5 MB) in 19 s, all alike ("Unable connect to node …", "Heartbeat failed …"); the first of each
    is what says something. Limited per logger, not per template: `aiokafka` alone alternates two templates while the
    broker is away ("Unable connect …", "Unable to update metadata …"), which made two lines a second. Warta's own
    lines, and other levels, pass untouched."""

    LIBRARIES = frozenset({"aiokafka", "kafka", "faust", "mode"})
    MAX_KEYS = 1000  # a bound on memory, should a library put variable text in its logger names or templates

    def __init__(self, interval: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.interval = interval
        self.clock = clock
        # logger -> when its last line was printed
        self.printed: dict[str, float] = {}
        # logger -> template -> lines dropped since its last printed line
        self.dropped: dict[str, Counter[str]] = defaultdict(Counter)

    def filter(self, record: logging.LogRecord) -> bool:
        """False within the interval after the logger's last line; a line let through after drops gets their count."""
        if record.levelno < logging.WARNING or record.name.partition(".")[0] not in self.LIBRARIES:
            return True
        template = str(record.msg)
        now = self.clock()
        last = self.printed.get(record.name)
        if last is not None and now - last < self.interval:
            dropped = self.dropped[record.name]
            if template in dropped or len(dropped) < self.MAX_KEYS:
                dropped[template] += 1
            else:
                dropped[""] += 1  # counted among the others
            return False
        dropped = self.dropped.pop(record.name, Counter())
        if last is not None and dropped:
            same = dropped[template]
            others = sum(dropped.values()) - same
            parts = ([f"repeated {same} times"] if same else []) + ([f"{others} other lines dropped"] if others else [])
            # No "%" in the addition: the record's own arguments still format its template.
            record.msg = f"{record.msg} ({' and '.join(parts)} in the last {now - last:.1f} s)"
        if record.name not in self.printed and len(self.printed) >= self.MAX_KEYS:
            self.printed.pop(next(iter(self.printed)))
        self.printed[record.name] = now
        return True


class PayloadFilter(logging.Filter):
    """Record values out of the Kafka client libraries' debug lines: Faust's "send: topic=… k=… v=…" and aiokafka's
    "Sending (key=… value=…)" printed every article whole (text that is not ours to copy into logs, and megabytes a
    line); the value becomes its size, the key (an article id) stays."""

    # template -> the position of the record value among its arguments
    VALUES: ClassVar[dict[str, int]] = {
        "send: topic=%r k=%r v=%r timestamp=%r partition=%r": 2,
        "Sending (key=%s value=%s) to %s": 1,
    }

    def filter(self, record: logging.LogRecord) -> bool:
        """Always True: the line stays, with the value's size in place of the value."""
        at = self.VALUES.get(str(record.msg))
        if at is not None and isinstance(record.args, tuple) and len(record.args) > at:
            value = record.args[at]
            if isinstance(value, bytes | bytearray | memoryview | str):
                args = list(record.args)
                args[at] = _Size(len(value))
                record.args = tuple(args)
        return True


class _Size(int):
    """A value's size, shown as "<N bytes>" by %r and %s alike."""

    def __repr__(self) -> str:
        return f"<{int(self)} bytes>"

    __str__ = __repr__


def worker_fields(app_id: str, web: str) -> dict[str, Any]:
    """What every JSON log line of a worker says about the worker."""
    return {"app_id": app_id, "host": socket.gethostname(), "pid": os.getpid(), "web": web}


def logging_config(log_format: str, level: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The dict that Faust's worker merges into its logging configuration (``Worker(logging_config=…)``)."""
    numeric = logging.getLevelName(level.upper())
    numeric = numeric if isinstance(numeric, int) else logging.WARNING
    if log_format == "json":
        formatters = {"json": {"()": JsonFormatter, "fields": fields}}
        handler: dict[str, Any] = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                                   "formatter": "json"}
    else:
        formatters = {}
        handler = {"class": "colorlog.StreamHandler", "formatter": "colored"}  # Faust's own, without its level
    handler["filters"] = ["repeats", "payloads"]
    return {
        "merge": True,
        "formatters": formatters,
        "filters": {"repeats": {"()": RepeatFilter}, "payloads": {"()": PayloadFilter}},
        "handlers": {"default": handler},
        # The ready line shows at the default level (warning) and below; --log-level error keeps it quiet.
        "loggers": {READY_LOGGER: {"level": min(numeric, logging.INFO)}} if numeric <= logging.WARNING else {},
    }


def _ranges(numbers: Iterable[int]) -> str:
    """[0, 1, 2, 5] -> "0-2,5"."""
    out: list[str] = []
    run: list[int] = []
    for n in sorted(set(numbers)):
        if run and n != run[-1] + 1:
            out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
            run = []
        run.append(n)
    if run:
        out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ",".join(out)


def assignment_text(assignment: dict[str, list[int]]) -> str:
    """Topics with the same partitions together: "0-3 of a, b; 0 of c" ("no partitions" if empty)."""
    by_parts: dict[str, list[str]] = defaultdict(list)
    for topic in sorted(assignment):
        by_parts[_ranges(assignment[topic])].append(topic)
    if not by_parts:
        return "no partitions"
    return "; ".join(f"partitions {parts} of {', '.join(topics)}" for parts, topics in by_parts.items())


def _stream_assignment(tps: Iterable[Any]) -> dict[str, list[int]]:
    """A worker's assigned partitions by topic, without Faust's table changelogs and leader topic (read for
    recovery, not processed)."""
    out: dict[str, list[int]] = defaultdict(list)
    for tp in tps:
        if tp.topic.endswith("-changelog") or tp.topic.endswith("__assignor-__leader"):
            continue
        out[tp.topic].append(tp.partition)
    return {topic: sorted(parts) for topic, parts in sorted(out.items())}


def announce_ready(app: Any, web: str) -> None:
    """Log "ready" once the worker's first assignment is recovered (and "reassigned" after each later
    rebalance): its partitions and web address, at INFO on `warta.worker`."""
    log = logging.getLogger(READY_LOGGER)
    seen = {"ready": False}

    async def on_rebalance_complete(sender: Any, **_: Any) -> None:
        assignment = _stream_assignment(app.consumer.assignment())
        what = "reassigned" if seen["ready"] else "ready"
        seen["ready"] = True
        log.info("%s: %s; web %s", what, assignment_text(assignment), web,
                 extra={"event": what, "assignment": assignment})

    app.on_rebalance_complete.connect(on_rebalance_complete)
