"""Admin calls on a fresh broker: group requests wait for the coordinator instead of failing the command."""

from __future__ import annotations

import pytest
from kafka.errors import CoordinatorNotAvailableError, UnknownTopicOrPartitionError

from streams.admin import _coordinated


def test_a_group_call_is_retried_until_the_coordinator_is_there() -> None:
    answers: list[Exception | str] = [CoordinatorNotAvailableError(), CoordinatorNotAvailableError(), "members"]

    def call() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert _coordinated(call) == "members"
    assert answers == []


def test_it_gives_up_after_its_timeout_and_does_not_retry_other_errors() -> None:
    def never() -> str:
        raise CoordinatorNotAvailableError()

    with pytest.raises(CoordinatorNotAvailableError):
        _coordinated(never, timeout=0.3)
    calls = 0

    def other() -> str:
        nonlocal calls
        calls += 1
        raise UnknownTopicOrPartitionError()

    with pytest.raises(UnknownTopicOrPartitionError):
        _coordinated(other)
    assert calls == 1


def test_an_offset_plan_waits_out_a_topic_without_leader(monkeypatch: pytest.MonkeyPatch) -> None:
    from streams import ops
    from streams.errors import BrokerError

    answers: list[object] = []

    def plan(*_args: object) -> list[object]:
        answers.append(None)
        if len(answers) < 3:
            error = BrokerError("reading offsets: [Error 5] LeaderNotAvailableError")
            error.retriable = True
            raise error
        return ["planned"]

    monkeypatch.setattr(ops, "_plan_reset", plan)
    assert ops.plan_reset("b", "g", ["t"], "latest", "hint") == ["planned"]
    assert len(answers) == 3

    def broken(*_args: object) -> list[object]:
        raise BrokerError("reading offsets: [Error 29] TopicAuthorizationFailedError")

    monkeypatch.setattr(ops, "_plan_reset", broken)
    with pytest.raises(BrokerError, match="Authorization"):
        ops.plan_reset("b", "g", ["t"], "latest", "hint")
