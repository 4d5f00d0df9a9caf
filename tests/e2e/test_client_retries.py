"""End-to-end retry rules, counted on the server (or on the wire), with both clients.

Status, result and cancel are retried on 429 (honouring ``Retry-After``), 5xx, timeouts
and dropped connections. A submit is a paid POST without an idempotency key: it is sent
again only when no connection could be made at all, never once it may have arrived.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import httpx
import pytest
from runcomfy_sdk import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    ServerError,
)

from generator.server import ServerHandle, Timings, faults
from generator.server.faults import Route

from .conftest import (
    FAST_TIMING,
    FLF_FIELDS,
    SdkClient,
    SdkRunner,
    closed_port,
    first_last_frame,
    settle,
)

QUEUED_FOR_GOOD = Timings(queue_seconds=60, run_seconds=60)
RETRY_DELAY = FAST_TIMING.retry.initial
RETRY_AFTER = 0.1
"""Seconds the injected 429s ask for: unlike RETRY_DELAY, so the sleeps tell them apart."""
WAIT_LIMIT = 10.0

ERROR_CALLS: dict[Route, Any] = {
    "status": lambda client, request_id: client.requests.status(request_id),
    "result": lambda client, request_id: client.requests.result(request_id),
    "cancel": lambda client, request_id: client.requests.cancel(request_id),
}


async def _submit_flf(client: SdkClient) -> Any:
    return await settle(first_last_frame(client).submit(**FLF_FIELDS))


@pytest.mark.parametrize("route", list(ERROR_CALLS))
@pytest.mark.parametrize(
    ("status", "expected_sleeps"),
    [(429, [RETRY_AFTER, RETRY_AFTER]), (500, [RETRY_DELAY, RETRY_DELAY])],
    ids=["429", "500"],
)
def test_status_result_and_cancel_are_retried_on_429_and_500(
    sdk: SdkRunner,
    server: ServerHandle,
    route: Route,
    status: int,
    expected_sleeps: list[float],
) -> None:
    server.controller.set_timings(QUEUED_FOR_GOOD)  # so that cancel can succeed
    sleeps: list[float] = []

    async def scenario(client: SdkClient) -> Any:
        job = await _submit_flf(client)
        server.controller.inject(
            faults.http_error(
                route, status, times=2, retry_after=RETRY_AFTER if status == 429 else None
            )
        )
        return await settle(ERROR_CALLS[route](client, job.request_id))

    answer = sdk.run(scenario, sleeps=sleeps, max_retries=2)

    [job] = server.controller.jobs()
    assert answer.request_id == job.request_id
    assert server.controller.count(route) == 2 + 1  # two faults, then the real answer
    assert server.controller.stats().faults_fired[route] == 2
    assert sleeps == expected_sleeps  # Retry-After when the server sent one, else backoff


@pytest.mark.parametrize(("status", "error_type"), [(429, RateLimitError), (503, ServerError)])
def test_retries_stop_after_max_retries_with_the_last_error(
    sdk: SdkRunner, server: ServerHandle, status: int, error_type: type[APIStatusError]
) -> None:
    server.controller.inject(faults.http_error("status", status, times=10, retry_after=0))

    async def scenario(client: SdkClient) -> None:
        job = await _submit_flf(client)
        await settle(job.status())

    with pytest.raises(error_type) as caught:
        sdk.run(scenario, max_retries=3)

    assert caught.value.status_code == status
    assert server.controller.count("status") == 3 + 1


def test_a_retry_after_longer_than_the_client_accepts_is_raised_at_once(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    too_long = FAST_TIMING.max_retry_after + 60
    server.controller.inject(faults.http_error("status", 429, retry_after=too_long))
    sleeps: list[float] = []

    async def scenario(client: SdkClient) -> None:
        job = await _submit_flf(client)
        await settle(job.status())

    with pytest.raises(RateLimitError) as caught:
        sdk.run(scenario, sleeps=sleeps)

    assert caught.value.retry_after == too_long
    assert sleeps == []
    assert server.controller.count("status") == 1


def test_a_wait_survives_transient_errors_while_polling(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    async def scenario(client: SdkClient) -> Any:
        job = await _submit_flf(client)
        server.controller.inject(
            faults.http_error("status", 503),
            faults.http_error("status", 429, retry_after=0),
            faults.drop("status"),
            faults.http_error("result", 500),
        )
        return await settle(job.wait(timeout=WAIT_LIMIT))

    output = sdk.run(scenario, max_retries=3)

    assert output.urls()
    assert server.controller.stats().faults_fired == {
        "submit": 0,
        "status": 3,
        "result": 1,
        "cancel": 0,
        "catalog": 0,
        "files": 0,
    }


@pytest.mark.parametrize(
    ("status", "error_type"), [(429, RateLimitError), (500, ServerError), (503, ServerError)]
)
def test_a_submit_answered_with_an_error_is_not_sent_again(
    sdk: SdkRunner, server: ServerHandle, status: int, error_type: type[APIStatusError]
) -> None:
    server.controller.inject(faults.http_error("submit", status, retry_after=0))
    sleeps: list[float] = []

    async def scenario(client: SdkClient) -> None:
        await _submit_flf(client)

    with pytest.raises(error_type):
        sdk.run(scenario, sleeps=sleeps, max_retries=5)

    assert server.controller.count("submit") == 1
    assert sleeps == []


def test_a_submit_that_times_out_reading_the_answer_is_not_sent_twice(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    server.controller.inject(faults.slow("submit", delay=5.0))

    async def scenario(client: SdkClient) -> None:
        await _submit_flf(client)

    with pytest.raises(APITimeoutError) as caught:
        sdk.run(scenario, timeout=0.3, max_retries=5)

    assert server.controller.count("submit") == 1
    assert len(server.controller.jobs()) == 1  # it did arrive: a resend would bill twice
    assert "not sent again" in str(caught.value)


def test_a_submit_whose_connection_drops_is_not_sent_twice(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    server.controller.inject(faults.drop("submit"))

    async def scenario(client: SdkClient) -> None:
        await _submit_flf(client)

    with pytest.raises(APIConnectionError) as caught:
        sdk.run(scenario, max_retries=5)

    assert not isinstance(caught.value, APITimeoutError)
    assert server.controller.count("submit") == 1
    assert len(server.controller.jobs()) == 1
    assert "not sent again" in str(caught.value)


def test_a_status_call_that_times_out_or_drops_is_retried(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    async def scenario(client: SdkClient) -> Any:
        job = await _submit_flf(client)
        server.controller.inject(faults.slow("status", delay=5.0), faults.drop("status"))
        return await settle(job.status())

    status = sdk.run(scenario, timeout=0.3, max_retries=2)

    assert status.request_id == server.controller.jobs()[0].request_id
    assert server.controller.count("status") == 3


def test_a_submit_whose_connection_is_refused_is_retried(sdk: SdkRunner) -> None:
    attempts: list[httpx.Request] = []
    sleeps: list[float] = []

    async def scenario(client: SdkClient) -> None:
        await _submit_flf(client)

    with pytest.raises(APIConnectionError) as caught:
        sdk.run(
            scenario,
            base_url=f"http://127.0.0.1:{closed_port()}",
            max_retries=2,
            sleeps=sleeps,
            request_hook=attempts.append,
        )

    assert [(request.method, request.url.path) for request in attempts] == [
        ("POST", "/v1/models/community/wan-2-2/first-last-frame")
    ] * 3
    assert sleeps == [RETRY_DELAY, RETRY_DELAY]
    assert not isinstance(caught.value, APITimeoutError)
    assert "not sent again" not in str(caught.value)  # it never left: nothing to warn about


def test_a_wait_polls_through_more_transient_failures_than_a_call_retries(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    async def scenario(client: SdkClient) -> Any:
        job = await _submit_flf(client)
        server.controller.inject(
            faults.http_error("status", 503, times=2),
            faults.slow("status", delay=5.0),
            faults.drop("status"),
            faults.http_error("status", 429, retry_after=0),
            faults.http_error("result", 502, times=2),
        )
        return await settle(job.wait(timeout=WAIT_LIMIT))

    output = sdk.run(scenario, max_retries=0, timeout=0.3)  # each failure reaches the wait

    assert output.urls()
    fired = server.controller.stats().faults_fired
    assert (fired["status"], fired["result"]) == (5, 2)
    assert server.controller.count("submit") == 1


@pytest.mark.parametrize(
    ("status", "error_type"), [(401, AuthenticationError), (404, NotFoundError)]
)
def test_a_wait_raises_a_lasting_failure_at_once(
    sdk: SdkRunner, server: ServerHandle, status: int, error_type: type[APIStatusError]
) -> None:
    async def scenario(client: SdkClient) -> Any:
        job = await _submit_flf(client)
        server.controller.inject(faults.http_error("status", status, times=10))
        return await settle(job.wait(timeout=WAIT_LIMIT))

    with pytest.raises(error_type):
        sdk.run(scenario, max_retries=3)

    assert server.controller.count("status") == 1


def test_a_wait_without_a_deadline_gives_up_once_failures_outlast_the_retry_budget(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    budget = 0.3
    server.controller.inject(faults.http_error("status", 503, times=1000))

    async def scenario(client: SdkClient) -> Any:
        job = await _submit_flf(client)
        return await settle(job.wait(timeout=None))

    start = time.monotonic()
    with pytest.raises(ServerError):
        sdk.run(scenario, max_retries=0, timing=replace(FAST_TIMING, retry_budget=budget))

    assert time.monotonic() - start < budget + 5  # generous: it ended, it did not poll forever
    assert server.controller.count("status") > 1  # it did poll through the first failures
