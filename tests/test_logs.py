"""logs: the Kafka client libraries' repeated warnings are rate-limited, with a count of what was dropped."""

from __future__ import annotations

import io
import logging
import logging.config

from streams.logs import RepeatFilter, logging_config


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _record(name: str, msg: str, *args: object, level: int = logging.WARNING) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


def test_one_line_a_second_per_template_then_the_count_of_the_dropped_ones() -> None:
    clock = Clock()
    rate = RepeatFilter(clock=clock)
    shown: list[str] = []
    for i in range(2500):  # 2,500 lines in 2.5 s, each with its own node number
        clock.now = 100.0 + i / 1000
        record = _record("aiokafka.conn", "Unable connect to node with id %s: %s", i, "refused")
        if rate.filter(record):
            shown.append(record.getMessage())
    assert shown == [
        "Unable connect to node with id 0: refused",
        "Unable connect to node with id 1000: refused (repeated 999 times in the last 1.0 s)",
        "Unable connect to node with id 2000: refused (repeated 999 times in the last 1.0 s)",
    ]


def test_loggers_are_limited_apart_and_others_pass() -> None:
    clock = Clock()
    rate = RepeatFilter(clock=clock)
    assert rate.filter(_record("kafka.client", "A %s", 1))
    assert not rate.filter(_record("kafka.client", "B %s", 1))  # another template of the same logger: its second
    assert rate.filter(_record("faust.transport", "A %s", 1))  # another logger
    assert not rate.filter(_record("kafka.client", "A %s", 2))
    assert rate.filter(_record("mode.services", "A", level=logging.ERROR))  # first of its logger
    for _ in range(5):  # Warta's own warnings, and a library's info lines, are never dropped
        assert rate.filter(_record("warta.agents", "dead letter %s", 1))
        assert rate.filter(_record("aiokafka.consumer", "joined %s", 1, level=logging.INFO))
    clock.now += 1.0
    again = _record("kafka.client", "A %s", 3)
    assert rate.filter(again)
    assert again.getMessage() == "A 3 (repeated 1 times and 1 other lines dropped in the last 1.0 s)"
    after = _record("kafka.client", "A %s", 4)
    clock.now += 1.5
    assert rate.filter(after) and after.getMessage() == "A 4"  # nothing dropped since: no count
    assert not rate.filter(_record("kafka.client", "B %s", 2))
    clock.now += 1.0
    other = _record("kafka.client", "C %s", 1)
    assert rate.filter(other) and other.getMessage() == "C 1 (1 other lines dropped in the last 1.0 s)"


def test_two_templates_of_one_logger_make_one_line_a_second() -> None:
    """aiokafka's two alternating lines while the broker is away (seen on the real broker: two lines a second)."""
    clock = Clock()
    rate = RepeatFilter(clock=clock)
    shown = 0
    for i in range(2000):  # 10 s, a line every 5 ms, the two templates in turn
        clock.now = 100.0 + i * 0.005
        template = "Unable connect to node with id %s: refused" if i % 2 else "Unable to update metadata from %s"
        shown += rate.filter(_record("aiokafka", template, 1))
    assert shown == 10


def test_the_worker_handler_carries_the_filter() -> None:
    for log_format in ("text", "json"):
        config = logging_config(log_format, "warning", {})
        handler = dict(config["handlers"]["default"])
        stream = io.StringIO()
        handler.update({"class": "logging.StreamHandler", "stream": stream})
        handler.pop("formatter")
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False, "filters": config["filters"],
                                   "handlers": {"h": handler},
                                   "loggers": {"aiokafka.test": {"handlers": ["h"], "propagate": False}}})
        log = logging.getLogger("aiokafka.test")
        for i in range(50):
            log.warning("Heartbeat failed: %s", i)
        assert stream.getvalue().splitlines() == ["Heartbeat failed: 0"], log_format
