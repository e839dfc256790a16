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
