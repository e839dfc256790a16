"""Whether a worker is ready to serve: partitions assigned and its tables recovered, and not rebalancing."""

from __future__ import annotations

__all__ = ["readiness"]


def readiness(*, recovered: bool, rebalancing: bool, assignment: dict[str, list[int]]) -> tuple[bool, str]:
    """(ready?, why) for `/warta/ready`: a worker without partitions is alive but has nothing to serve."""
    if rebalancing:
        return False, "rebalancing"
    if not recovered:
        return False, "tables not recovered yet"
    if not any(assignment.values()):
        return False, "no partitions assigned"
    return True, "ready"
