"""The sans-IO core driven by hand: operations only yield steps and read what they are sent."""

from __future__ import annotations

import httpx
import pytest
from runcomfy_sdk._runtime import JobStatus
from runcomfy_sdk._runtime._operations import Operations
from runcomfy_sdk._runtime._sansio import (
    Failed,
    Notify,
    Received,
    Secret,
    Send,
    Settings,
    Sleep,
    call,
)

from tests.runtime.fakes import FakeClock, VideoOutput


def _operations(clock: FakeClock, max_retries: int = 2) -> Operations:
    settings = Settings(
        base_url="https://api.test",
        token=Secret("t"),
        max_retries=max_retries,
        timing=clock.timing(),
    )
    return Operations(settings)


def _json(body: bytes) -> Received:
    return Received(200, body, "OK", {})


def test_wait_is_a_plain_generator_of_steps(clock: FakeClock) -> None:
    reported: list[JobStatus] = []
    operation = _operations(clock).wait("r-1", VideoOutput, on_update=reported.append)

    step = next(operation)
    assert isinstance(step, Send)
    assert (step.call.method, step.call.url) == ("GET", "https://api.test/v1/requests/r-1/status")
    step = operation.send(_json(b'{"status": "in_queue", "queue_position": 2}'))
    assert isinstance(step, Notify) and step.value.queue_position == 2
    assert operation.send(None) == Sleep(1.0)
    clock.now += 1.0
    assert isinstance(operation.send(None), Send)
    step = operation.send(_json(b'{"status": "completed"}'))
    assert isinstance(step, Notify)
    step = operation.send(None)
    assert isinstance(step, Send) and step.call.url.endswith("/r-1/result")
    with pytest.raises(StopIteration) as done:
        operation.send(_json(b'{"status": "completed", "output": {"video": "https://v"}}'))
    assert done.value.value == VideoOutput(video="https://v")
    assert reported == [] and clock.sleeps == [], "the core performs nothing itself"


def test_a_send_answered_with_nothing_is_a_driver_bug(clock: FakeClock) -> None:
    operation = _operations(clock).status("r-1")
    next(operation)
    with pytest.raises(TypeError, match="Received or Failed"):
        operation.send(None)


def test_retry_decisions_are_steps_too(clock: FakeClock) -> None:
    ops = _operations(clock, max_retries=1)
    operation = call(ops._request_call("GET", "r-1", "status"), ops.settings)
    request = httpx.Request("GET", "https://api.test/")

    next(operation)
    assert operation.send(Failed(httpx.ReadTimeout("slow", request=request))) == Sleep(0.5)
    assert isinstance(operation.send(None), Send)
    with pytest.raises(StopIteration) as done:
        operation.send(_json(b'{"status": "in_queue"}'))
    assert done.value.value == {"status": "in_queue"}
