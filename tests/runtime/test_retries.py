"""Retries: which calls, on what, how often and how long apart; submit stays at most once."""

from __future__ import annotations

from email.utils import formatdate

import httpx
import pytest
from runcomfy_sdk._runtime import (
    APIConnectionError,
    APITimeoutError,
    Backoff,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from runcomfy_sdk._runtime._timing import parse_retry_after

from tests.runtime.fakes import MODEL_PATH, FakeApi, Sdk, fail, reply, status_body, submitted

STATUS_PATH = "/v1/requests/r-1/status"
OK_STATUS = reply(200, status_body("r-1", "in_progress"))


@pytest.mark.parametrize(
    "failure",
    [
        reply(429, {"error_message": "slow down"}),
        reply(500, {"error_message": "oops"}),
        reply(503, content=b"<html>unavailable</html>"),
        reply(408, {"error_message": "request timeout"}),
        fail(httpx.ConnectError),
        fail(httpx.ReadTimeout),
        fail(httpx.RemoteProtocolError),
    ],
    ids=["429", "500", "503-html", "408", "connect-error", "read-timeout", "dropped"],
)
def test_status_is_retried_until_it_succeeds(sdk: Sdk, fake_api: FakeApi, failure: object) -> None:
    fake_api.on("GET", STATUS_PATH, failure, failure, OK_STATUS)  # type: ignore[arg-type]

    status = sdk.run(sdk.client.requests.status("r-1"))

    assert status.status == "in_progress"
    assert fake_api.calls("GET", STATUS_PATH) == 3
    assert sdk.clock.sleeps == [0.5, 1.0]  # exponential backoff, no jitter (random() == 0)


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (reply(429, {"error_message": "slow down"}), RateLimitError),
        (reply(500, {"error_message": "oops"}), ServerError),
        (fail(httpx.ConnectError), APIConnectionError),
    ],
)
def test_retries_stop_after_max_retries(
    sdk: Sdk, fake_api: FakeApi, failure: object, error: type[Exception]
) -> None:
    fake_api.on("GET", STATUS_PATH, failure)  # type: ignore[arg-type]
    client = sdk.new_client(max_retries=3)

    with pytest.raises(error):
        sdk.run(client.requests.status("r-1"))

    assert fake_api.calls("GET", STATUS_PATH) == 4
    assert sdk.clock.sleeps == [0.5, 1.0, 2.0]


def test_max_retries_zero_sends_once(sdk: Sdk, fake_api: FakeApi) -> None:
    fake_api.on("GET", STATUS_PATH, reply(500))

    with pytest.raises(ServerError):
        sdk.run(sdk.new_client(max_retries=0).requests.status("r-1"))

    assert fake_api.calls("GET", STATUS_PATH) == 1


def test_client_errors_are_not_retried(sdk: Sdk, fake_api: FakeApi) -> None:
    fake_api.on("GET", STATUS_PATH, reply(404, {"error_code": 404001, "error_message": "gone"}))

    with pytest.raises(NotFoundError):
        sdk.run(sdk.client.requests.status("r-1"))

    assert fake_api.calls("GET", STATUS_PATH) == 1
    assert sdk.clock.sleeps == []


def test_retry_after_seconds_is_honoured(sdk: Sdk, fake_api: FakeApi) -> None:
    limited = reply(429, {"error_message": "slow down"}, headers={"Retry-After": "7"})
    fake_api.on("GET", STATUS_PATH, limited, OK_STATUS)

    sdk.run(sdk.client.requests.status("r-1"))

    assert sdk.clock.sleeps == [7.0]


def test_retry_after_http_date_is_honoured(sdk: Sdk, fake_api: FakeApi) -> None:
    in_twelve_seconds = formatdate(sdk.clock.wall_clock() + 12, usegmt=True)
    limited = reply(503, headers={"Retry-After": in_twelve_seconds}, content=b"")
    fake_api.on("GET", STATUS_PATH, limited, OK_STATUS)

    sdk.run(sdk.client.requests.status("r-1"))

    assert sdk.clock.sleeps == [12.0]


def test_a_retry_after_beyond_the_limit_is_not_waited_out(sdk: Sdk, fake_api: FakeApi) -> None:
    fake_api.on("GET", STATUS_PATH, reply(429, {}, headers={"Retry-After": "3600"}), OK_STATUS)

    with pytest.raises(RateLimitError) as caught:
        sdk.run(sdk.client.requests.status("r-1"))

    assert caught.value.retry_after == 3600.0
    assert sdk.clock.sleeps == []


def test_jitter_shortens_delays_within_its_fraction(sdk: Sdk, fake_api: FakeApi) -> None:
    fake_api.on("GET", STATUS_PATH, reply(500), reply(500), OK_STATUS)
    client = sdk.new_client(timing=sdk.clock.timing(random=lambda: 0.999))

    sdk.run(client.requests.status("r-1"))

    assert sdk.clock.sleeps == pytest.approx([0.5 * 0.75025, 1.0 * 0.75025])


def test_cancel_and_result_are_retried_too(sdk: Sdk, fake_api: FakeApi) -> None:
    cancelled = {"request_id": "r-1", "status": "cancelled", "outcome": "cancelled"}
    fake_api.on("POST", "/v1/requests/r-1/cancel", reply(503), reply(200, cancelled))
    fake_api.on(
        "GET",
        "/v1/requests/r-1/result",
        fail(httpx.ReadTimeout),
        reply(200, {"request_id": "r-1", "status": "in_queue"}),
    )

    assert sdk.run(sdk.client.requests.cancel("r-1")).outcome == "cancelled"
    assert sdk.run(sdk.client.requests.result("r-1")).status == "in_queue"
    assert fake_api.calls("POST", "/v1/requests/r-1/cancel") == 2
    assert fake_api.calls("GET", "/v1/requests/r-1/result") == 2


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (fail(httpx.ReadTimeout), APITimeoutError),
        (fail(httpx.RemoteProtocolError), APIConnectionError),
        (fail(httpx.WriteTimeout), APITimeoutError),
        (reply(500, {"error_message": "oops"}), ServerError),
        (reply(503, {}, headers={"Retry-After": "1"}), ServerError),
        (reply(429, {"error_message": "slow down"}), RateLimitError),
    ],
    ids=["read-timeout", "dropped", "write-timeout", "500", "503", "429"],
)
def test_submit_is_never_resent_once_it_may_have_arrived(
    sdk: Sdk, fake_api: FakeApi, failure: object, error: type[Exception]
) -> None:
    fake_api.on("POST", MODEL_PATH, failure, reply(200, submitted("r-2")))  # type: ignore[arg-type]

    with pytest.raises(error) as caught:
        sdk.run(sdk.model().submit(prompt="p", start_image="https://x/a.png"))

    assert fake_api.calls("POST", MODEL_PATH) == 1
    assert sdk.clock.sleeps == []
    if isinstance(caught.value, APIConnectionError):
        assert "not sent again" in str(caught.value)


@pytest.mark.parametrize(
    "failure",
    [fail(httpx.ConnectError), fail(httpx.ConnectTimeout), fail(httpx.PoolTimeout)],
    ids=["connect-error", "connect-timeout", "pool-timeout"],
)
def test_submit_is_retried_when_it_never_left(sdk: Sdk, fake_api: FakeApi, failure: object) -> None:
    fake_api.on("POST", MODEL_PATH, failure, reply(200, submitted("r-2")))  # type: ignore[arg-type]

    job = sdk.run(sdk.model().submit(prompt="p", start_image="https://x/a.png"))

    assert job.request_id == "r-2"
    assert fake_api.calls("POST", MODEL_PATH) == 2
    assert sdk.clock.sleeps == [0.5]


def test_backoff_grows_to_its_cap_and_never_overflows() -> None:
    backoff = Backoff(initial=1.0, factor=1.5, maximum=10.0, jitter=0.2)
    delays = [backoff.delay(n, 0.0) for n in range(8)]
    assert delays == pytest.approx([1.0, 1.5, 2.25, 3.375, 5.0625, 7.59375, 10.0, 10.0])
    assert backoff.delay(10_000, 0.5) == pytest.approx(9.0)
    with pytest.raises(ValueError):
        Backoff(initial=5.0, factor=2.0, maximum=1.0)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("3", 3.0),
        ("2.5", 2.5),
        ("-4", None),  # no instruction: the backoff applies
        ("Thu, 01 Jan 1970 00:00:20 GMT", 10.0),
        ("Thu, 01 Jan 1970 00:00:05 GMT", 0.0),
        ("Thu, 01 Jan 1970 00:00:20 -0000", 10.0),
        ("soon", None),
        ("nan", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, now=10.0) == expected


@pytest.mark.parametrize("header", ["-5", "0", "nan", "Thu, 01 Jan 1970 00:00:01 GMT"])
def test_a_retry_after_that_says_nothing_useful_waits_the_backoff(
    sdk: Sdk, fake_api: FakeApi, header: str
) -> None:
    limited = reply(429, {"error_message": "slow down"}, headers={"Retry-After": header})
    fake_api.on("GET", STATUS_PATH, limited, OK_STATUS)

    sdk.run(sdk.client.requests.status("r-1"))

    assert sdk.clock.sleeps == [0.5]  # the first backoff step, never a hammering 0


def test_retries_stop_when_the_time_budget_is_spent(sdk: Sdk, fake_api: FakeApi) -> None:
    just_under_the_cap = reply(429, {}, headers={"Retry-After": "59"})
    fake_api.on("GET", STATUS_PATH, just_under_the_cap)
    client = sdk.new_client(max_retries=10)

    with pytest.raises(RateLimitError):
        sdk.run(client.requests.status("r-1"))

    assert sdk.clock.sleeps == [59.0]  # a second 59 s wait would pass the 90 s budget
    assert sum(sdk.clock.sleeps) <= client.timing.retry_budget
