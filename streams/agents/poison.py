"""Poison records: a large record the worker died on twice goes to `deadletter` instead of killing it a third time."""

from __future__ import annotations

import logging
import struct
from typing import Any

import faust

__all__ = ["MAX_ATTEMPTS", "POISON_ERROR", "WATCH_BYTES", "PoisonGuard"]

log = logging.getLogger("warta.agents")

# A record the worker began work on this many times without ending it (it died: out of memory, killed, a crash
# below Python) is not tried again. Exceptions never count: the stages dead-letter those at once (`internal`).
MAX_ATTEMPTS = 2
# Records at least this large are watched. A watched record is marked before its work and the mark is sent to the
# broker before the work starts (one round trip): a mark still in the producer's buffer dies with the worker. Small
# records take milliseconds and bounded memory, so they are not worth a round trip each; the records that took
# workers down were the large ones (a 13 MB article, 5 MB bodies).
WATCH_BYTES = 256 * 1024
POISON_ERROR = f"the worker died {MAX_ATTEMPTS} times while working on this record; not tried again"
# offset of the record worked on (uint64), attempts begun on it (uint8; 0: its work ended)
_MARK = struct.Struct("<QB")


class PoisonGuard:
    """One mark per source partition of an agent, in a table (restored from its changelog when a worker restarts,
    on any worker that takes the partition over): the offset of the watched record being worked on and how many
    times work on it began.

    Offsets only grow within a partition, so a record read again below the mark (a restart re-reads from the last
    commit) is one whose work ended before: it is not counted.
    """

    def __init__(self, app: faust.App, agent: str, partitions: int, watch_bytes: int = WATCH_BYTES) -> None:
        self.app = app
        self.watch_bytes = watch_bytes
        self.table = app.Table(f"inflight-{agent}", key_type=bytes, value_type=bytes, partitions=partitions)

    @staticmethod
    def _key(event: Any) -> bytes:
        return f"{event.message.topic}|{event.message.partition}".encode()

    def _mark(self, event: Any) -> tuple[int, int]:
        raw = self.table.get(self._key(event))
        if raw is None:
            return -1, 0
        offset, attempts = _MARK.unpack(bytes(raw))
        return offset, attempts

    def watched(self, event: Any) -> bool:
        """Whether `event`'s record is large enough to be watched."""
        value = event.message.value
        return value is not None and len(value) >= self.watch_bytes

    async def begin(self, event: Any) -> bool:
        """Mark `event` (the current event: the mark goes to its partition) as being worked on, durably; False if
        the worker already died twice while working on it: dead-letter it (reason `poison`) instead."""
        if not self.watched(event):
            return True
        offset, attempts = self._mark(event)
        here = event.message.offset
        if here < offset:
            return True  # read again after a restart, below the mark: its work had ended
        attempts = attempts + 1 if here == offset else 1
        if attempts > MAX_ATTEMPTS:
            log.warning("poison record at %s[%s]@%s: the worker died %d times working on it; dead-lettered",
                        event.message.topic, event.message.partition, here, MAX_ATTEMPTS)
            return False
        self.table[self._key(event)] = _MARK.pack(here, attempts)
        await self.app.producer.flush()  # the mark is on the broker before the work that may kill the worker
        return True

    def end(self, event: Any) -> None:
        """The work on `event` ended (well or with a dead letter): its mark says so (buffered: no round trip), so
        that reading it again after a restart before its commit does not count as a death."""
        if not self.watched(event):
            return
        offset, attempts = self._mark(event)
        if offset == event.message.offset and attempts:
            self.table[self._key(event)] = _MARK.pack(offset, 0)
