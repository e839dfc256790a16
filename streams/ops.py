"""An operator's tools on the cluster (kafka-python, CLI side): consumer groups and their lag, resetting Warta's
group's offsets, re-sending a time range of a topic or dead letters, records with their metadata."""

from __future__ import annotations

import base64
import binascii
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from kafka import TopicPartition
from kafka.admin import OffsetSpec
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from streams import admin, codec
from streams.errors import BrokerError, ConfigError, InvalidMessage

__all__ = [
    "REPLAY_HEADER",
    "DeadLetter",
    "GroupInfo",
    "Member",
    "OffsetMove",
    "PartitionLag",
    "apply_reset",
    "bounded_records",
    "dead_letters",
    "describe_groups",
    "parse_when",
    "plan_reset",
    "record_meta",
    "require_no_members",
]

# Re-sent records carry this header: where the original was (`<topic>:<partition>:<offset>`).
REPLAY_HEADER = "warta-replay"


# ---------------------------------------------------------------- time

def parse_when(text: str, option: str) -> datetime:
    """An ISO 8601 date or date-time, with or without a zone (without one: this machine's local time)."""
    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"{option} {text!r}: expected an ISO 8601 date-time such as 2024-10-13T00:00+07:00, "
                          "2024-10-13T00:00 (local time) or 2024-10-13") from None
    return when if when.tzinfo is not None else when.astimezone()


def iso_ms(ms: int | None) -> str | None:
    """A Kafka timestamp (epoch milliseconds) as ISO 8601 UTC with milliseconds."""
    if ms is None or ms < 0:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def epoch_ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


# ---------------------------------------------------------------- consumer groups

@dataclass
class Member:
    """One member of a consumer group and the partitions it holds."""

    member_id: str
    client_id: str
    host: str
    assignment: dict[str, list[int]]


@dataclass
class PartitionLag:
    """A partition's committed offset (None: never committed), end offset and lag (end - committed, or end -
    earliest without a commit); None where the topic no longer exists."""

    topic: str
    partition: int
    committed: int | None
    end: int | None
    lag: int | None
    member: str | None


@dataclass
class GroupInfo:
    """A consumer group: state, members and lag per partition."""

    group: str
    state: str
    protocol: str
    members: list[Member] = field(default_factory=list)
    partitions: list[PartitionLag] = field(default_factory=list)
    error: str | None = None

    @property
    def lag(self) -> int:
        return sum(p.lag or 0 for p in self.partitions)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "lag": self.lag}


def _assignment(raw: Any) -> dict[str, list[int]]:
    """A member's decoded assignment ({} if kafka-python could not decode it)."""
    if not isinstance(raw, dict):
        return {}
    out: dict[str, list[int]] = {}
    for item in raw.get("assigned_partitions") or []:
        out[str(item["topic"])] = sorted(int(p) for p in item.get("partitions") or [])
    return dict(sorted(out.items()))


def _uncommitted_by_design(topic: str) -> bool:
    """Faust's table changelogs and leader topic: assigned to a worker, read for recovery, never committed."""
    return topic.endswith("-changelog") or topic.endswith("__assignor-__leader")


def describe_groups(bootstrap: str, group_ids: list[str] | None) -> list[GroupInfo]:
    """The groups (every group of the cluster if None) with members, committed and end offsets."""
    client = admin.admin_client(bootstrap)
    try:
        if group_ids is None:
            group_ids = sorted(str(g["group_id"]) for g in client.list_groups())
        if not group_ids:
            return []
        described = client.describe_groups(group_ids)
        committed_by_group = client.list_group_offsets(group_ids)
        existing = set(client.list_topics())
        groups: list[GroupInfo] = []
        wanted: set[TopicPartition] = set()
        for gid in group_ids:
            info = described.get(gid) or {}
            members = [
                Member(str(m.get("member_id") or ""), str(m.get("client_id") or ""),
                       str(m.get("client_host") or "").lstrip("/"), _assignment(m.get("member_assignment")))
                for m in info.get("members") or []
            ]
            owner = {(t, p): m.member_id for m in members for t, ps in m.assignment.items() for p in ps}
            committed = {(tp.topic, tp.partition): om.offset
                         for tp, om in (committed_by_group.get(gid) or {}).items() if om.offset >= 0}
            keys = set(committed) | {k for k in owner if not _uncommitted_by_design(k[0])}
            parts = [PartitionLag(t, p, committed.get((t, p)), None, None, owner.get((t, p))) for t, p in sorted(keys)]
            wanted |= {TopicPartition(x.topic, x.partition) for x in parts if x.topic in existing}
            groups.append(GroupInfo(gid, str(info.get("group_state") or "Dead"), str(info.get("protocol_data") or ""),
                                    members, parts, info.get("error")))
        if wanted:
            ends = client.list_partition_offsets({tp: OffsetSpec.LATEST for tp in wanted})
            starts = client.list_partition_offsets({tp: OffsetSpec.EARLIEST for tp in wanted})
            for g in groups:
                for x in g.partitions:
                    tp = TopicPartition(x.topic, x.partition)
                    if tp in ends:
                        x.end = int(ends[tp].offset)
                        base = x.committed if x.committed is not None else int(starts[tp].offset)
                        x.lag = max(0, x.end - base)
        return groups
    except KafkaError as exc:
        raise BrokerError(f"describing consumer groups on {bootstrap}: {exc}") from None
    finally:
        client.close()


def require_no_members(bootstrap: str, group_id: str) -> None:
    """A one-line BrokerError while the group has members (its workers must be stopped first)."""
    client = admin.admin_client(bootstrap)
    try:
        members = admin.group_members(client, group_id)
    except KafkaError as exc:
        raise BrokerError(f"describing consumer group {group_id} on {bootstrap}: {exc}") from None
    finally:
        client.close()
    if members:
        raise BrokerError(f"consumer group {group_id} has {members} running member(s): stop its workers first")


# ---------------------------------------------------------------- offsets reset

@dataclass
class OffsetMove:
    """One partition's committed offset now (None: none) and after the reset."""

    topic: str
    partition: int
    current: int | None
    target: int
    end: int


# How long a command waits out a broker's passing states (a topic without leader, a group without coordinator).
_SETTLE_SECONDS = 15.0


def plan_reset(
    bootstrap: str, group_id: str, topics: list[str], to: str | datetime, hint: str
) -> list[OffsetMove]:
    """Where each partition of `topics` would go: to the earliest or latest offset, or to the first record at or
    after a time (ListOffsets by timestamp, as offsets_for_times; the end offset when no record is that recent)."""
    # A topic created a moment ago may have no leader or metadata yet, and a new group no coordinator: those
    # answers are retriable, and a command should wait them out (a few seconds) rather than fail.
    deadline = time.monotonic() + _SETTLE_SECONDS
    while True:
        try:
            return _plan_reset(bootstrap, group_id, topics, to, hint)
        except BrokerError as exc:
            if not exc.retriable or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _plan_reset(
    bootstrap: str, group_id: str, topics: list[str], to: str | datetime, hint: str
) -> list[OffsetMove]:
    client = admin.admin_client(bootstrap)
    try:
        existing = set(client.list_topics())
        tps: list[TopicPartition] = []
        for topic in topics:
            if topic not in existing:
                raise admin.missing_topic(topic, bootstrap, hint)
            [described] = client.describe_topics([topic])
            tps += sorted(TopicPartition(topic, int(p["partition_index"])) for p in described["partitions"])
        committed = {tp: om.offset for tp, om in (client.list_group_offsets([group_id]).get(group_id) or {}).items()}
        starts = client.list_partition_offsets({tp: OffsetSpec.EARLIEST for tp in tps})
        ends = client.list_partition_offsets({tp: OffsetSpec.LATEST for tp in tps})
        if to == "earliest":
            targets = {tp: starts[tp].offset for tp in tps}
        elif to == "latest":
            targets = {tp: ends[tp].offset for tp in tps}
        else:
            assert isinstance(to, datetime)
            found = client.list_partition_offsets({tp: epoch_ms(to) for tp in tps})
            targets = {tp: found[tp].offset if found[tp].offset >= 0 else ends[tp].offset for tp in tps}
        return [OffsetMove(tp.topic, tp.partition, committed[tp] if committed.get(tp, -1) >= 0 else None,
                           int(targets[tp]), int(ends[tp].offset)) for tp in tps]
    except KafkaError as exc:
        error = BrokerError(f"reading offsets on {bootstrap}: {exc}")
        error.retriable = bool(getattr(exc, "retriable", False))
        raise error from None
    finally:
        client.close()


def apply_reset(bootstrap: str, group_id: str, moves: list[OffsetMove]) -> None:
    """Commit the planned offsets for the group (which must have no members)."""
    client = admin.admin_client(bootstrap)
    try:
        if admin.group_members(client, group_id):
            raise BrokerError(f"consumer group {group_id} has running member(s): stop its workers first")
        result = client.alter_group_offsets(
            group_id, {TopicPartition(m.topic, m.partition): OffsetAndMetadata(m.target, "", -1) for m in moves}
        )
        failed = {f"{tp.topic}[{tp.partition}]": err.__name__ for tp, err in result.items()
                  if err is not None and err.__name__ != "NoError"}
        if failed:
            raise BrokerError(f"resetting offsets of {group_id}: {failed}")
    except KafkaError as exc:
        raise BrokerError(f"resetting offsets of {group_id} on {bootstrap}: {exc}") from None
    finally:
        client.close()


# ---------------------------------------------------------------- reading a bounded range

def bounded_records(
    bootstrap: str, topic: str, hint: str, since: datetime | None = None, stall: float = 30.0
) -> tuple[int, Iterator[Any]]:
    """The records of `topic` from the first one at or after `since` (the earliest if None) up to the end offsets
    of this moment, so records sent while reading (a replay to the same topic) are not read again.

    Returns how many offsets the range spans (for a progress bar) and the records, partition by partition; a
    partition that yields nothing for `stall` seconds short of its end is a BrokerError."""
    consumer = admin.topic_reader(bootstrap, topic, wait=0, hint=hint)
    try:
        tps = sorted(consumer.assignment(), key=lambda tp: tp.partition)
        ends = consumer.end_offsets(tps)
        if since is None:
            starts = consumer.beginning_offsets(tps)
        else:
            found = consumer.offsets_for_times({tp: epoch_ms(since) for tp in tps})
            starts = {tp: found[tp].offset if found.get(tp) is not None else ends[tp] for tp in tps}
    except BaseException:
        consumer.close()
        raise
    todo = {tp: (starts[tp], ends[tp]) for tp in tps if starts[tp] < ends[tp]}
    total = sum(end - start for start, end in todo.values())

    def records() -> Iterator[Any]:
        try:
            for tp, (start, end) in todo.items():
                consumer.assign([tp])
                consumer.seek(tp, start)
                last = time.monotonic()
                while consumer.position(tp) < end:
                    got = consumer.poll(timeout_ms=500)
                    if got:
                        last = time.monotonic()
                    elif time.monotonic() - last > stall:
                        raise BrokerError(f"{tp.topic}[{tp.partition}] gave no records for {stall:.0f} s at offset "
                                          f"{consumer.position(tp)} (end {end}) on {bootstrap}")
                    for batch in got.values():
                        for record in batch:
                            if record.offset >= end:
                                break
                            yield record
        finally:
            consumer.close()

    return total, records()


# ---------------------------------------------------------------- records as JSON

def _text_or_b64(raw: bytes | None) -> Any:
    if raw is None:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"b64": base64.b64encode(raw).decode("ascii")}


def record_meta(record: Any, value: Any) -> dict[str, Any]:
    """A consumed record as `warta tail --meta` prints it (a repeated header name gives a list of values)."""
    headers: dict[str, Any] = {}
    for name, raw in record.headers or []:
        value_of = _text_or_b64(raw)
        if name in headers:
            previous = headers[name]
            headers[name] = [*previous, value_of] if isinstance(previous, list) else [previous, value_of]
        else:
            headers[name] = value_of
    return {"topic": record.topic, "partition": record.partition, "offset": record.offset,
            "timestamp": iso_ms(record.timestamp), "key": _text_or_b64(record.key), "headers": headers,
            "value": value}


# ---------------------------------------------------------------- dead letters

@dataclass
class DeadLetter:
    """A dead-letter record: where it sits, what it says, and the original it carries (None if truncated)."""

    partition: int
    offset: int
    reason: str
    stage: str
    topic: str
    article_id: str | None
    key: bytes | None
    original: bytes | None
    size: int


def dead_letters(records: Iterator[Any]) -> Iterator[DeadLetter | None]:
    """Decode dead-letter records (None for a record that is not a warta.deadletter/v1 object)."""
    for record in records:
        try:
            doc = codec.loads_object(record.value)
        except InvalidMessage:
            yield None
            continue
        if doc.get("schema") != "warta.deadletter/v1" or not isinstance(doc.get("original_b64"), str):
            yield None
            continue
        original: bytes | None
        try:
            original = base64.b64decode(doc["original_b64"], validate=True)
        except (binascii.Error, ValueError):
            original = None
        size = doc.get("original_size")
        size = size if isinstance(size, int) else (len(original) if original is not None else 0)
        if original is not None and (len(original) != size or doc.get("original_truncated") is True):
            original = None  # truncated: re-sending a part of an article would only dead-letter it again
        key: bytes | None = None
        if isinstance(doc.get("key_b64"), str):
            try:
                key = base64.b64decode(doc["key_b64"], validate=True)
            except (binascii.Error, ValueError):
                key = None
        yield DeadLetter(record.partition, record.offset, str(doc.get("reason")), str(doc.get("stage")),
                         str(doc.get("topic")), doc.get("article_id"), key, original, size)


def group_count(items: list[str]) -> str:
    """"3 not_json, 1 schema" from a list of reasons."""
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        counts[item] += 1
    return ", ".join(f"{n} {k}" for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
