"""Per-call options, ``with_options``, submissions, the environment, interruptions: unit level.

On ``httpx.MockTransport`` (the ``sdk`` fixture runs each test with both clients) or by
driving the sans-IO operations by hand.
"""

from __future__ import annotations

import logging
import pickle
from typing import Any

import httpx
import pytest
from runcomfy_sdk._runtime import (
    APIStatusError,
    AsyncRunOptions,
    AsyncSubmitOptions,
    AsyncWaitOptions,
    ClientOptions,
    InputValidationError,
    MissingTokenError,
    RequestOptions,
    RunOptions,
    SubmitOptions,
    WaitOptions,
)
from runcomfy_sdk._runtime._operations import Operations
from runcomfy_sdk._runtime._options import call_options, option_names, split_options
from runcomfy_sdk._runtime._sansio import Received, Secret, Send, Settings, Sleep
from runcomfy_sdk._runtime._submission import Submission

from generator.naming import CLIENT_PARAMETERS
from tests.runtime.fakes import (
    MODEL_ID,
    MODEL_PATH,
    TOKEN,
    FakeApi,
    FakeClock,
    Sdk,
    VideoOutput,
    VideoRequest,
    reply,
    status_body,
)

ALL_OPTIONS = (
    RequestOptions,
    SubmitOptions,
    AsyncSubmitOptions,
    WaitOptions,
    AsyncWaitOptions,
    RunOptions,
    AsyncRunOptions,
)


def test_every_option_name_is_reserved_by_the_naming_rules() -> None:
    # Generated methods merge these with the model's parameters: no field may take one.
    names = frozenset().union(*(option_names(options) for options in ALL_OPTIONS))
    assert names <= CLIENT_PARAMETERS, sorted(names - CLIENT_PARAMETERS)


def test_split_options_separates_options_from_parameters() -> None:
    parameters, options = split_options(
        {"prompt": "p", "timeout": 3, "extra_body": {"x": 1}}, option_names(RunOptions)
    )
    assert parameters == {"prompt": "p"}
    assert options == {"timeout": 3, "extra_body": {"x": 1}}


@pytest.mark.parametrize(
    ("options", "error", "match"),
    [
        ({"retries": 1}, TypeError, "retries"),
        ({"max_retries": -1}, ValueError, "max_retries"),
        ({"max_retries": True}, ValueError, "max_retries"),
        ({"extra_headers": ["X-A: b"]}, TypeError, "extra_headers"),
        ({"extra_query": {1: "x"}}, TypeError, "extra_query"),
        ({"extra_headers": {" authorization": "Bearer x"}}, ValueError, "api_token"),
    ],
)
def test_bad_options_are_usage_errors(
    options: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        call_options(options, RequestOptions)


def test_timeout_is_an_http_timeout_only_where_it_is_one() -> None:
    assert call_options({"timeout": 3}, RequestOptions).timeout == httpx.Timeout(3)
    assert call_options({"timeout": None}, RequestOptions).timeout == httpx.Timeout(None)
    assert call_options({}, RequestOptions).timeout is None  # the client's
    assert call_options({"timeout": 3}, RunOptions, http_timeout=False).timeout is None


def test_per_call_options_reach_the_request(sdk: Sdk, fake_api: FakeApi) -> None:
    fake_api.on("GET", "/v1/requests/r-1/status", reply(200, status_body("r-1", "in_queue")))

    sdk.run(
        sdk.client.requests.status(
            "r-1", timeout=3.5, extra_headers={"X-Trace": "t"}, extra_query={"q": "1"}
        )
    )
    sdk.run(sdk.client.requests.status("r-1"))

    given, default = fake_api.requests
    assert given.extensions["timeout"] == {"connect": 3.5, "read": 3.5, "write": 3.5, "pool": 3.5}
    assert (given.headers["x-trace"], given.url.params["q"]) == ("t", "1")
    assert default.extensions["timeout"]["read"] == 60.0
    assert "x-trace" not in default.headers and "q" not in default.url.params


def test_with_options_copies_settings_and_shares_the_connections(sdk: Sdk) -> None:
    copy = sdk.client.with_options(timeout=7, max_retries=0, base_url="https://other.test/")

    assert (copy.base_url, copy.max_retries, copy.timeout) == (
        "https://other.test",
        0,
        httpx.Timeout(7),
    )
    assert copy._http is sdk.client._http
    assert (sdk.client.max_retries, sdk.client.timeout) == (2, httpx.Timeout(60.0, connect=10.0))
    sdk.run(copy.close())
    assert not sdk.client._http.is_closed  # the copy does not own the pool
    with pytest.raises(TypeError, match="sleep"):
        sdk.client.with_options(sleep=None)
    assert set(option_names(ClientOptions)) == {"timeout", "max_retries", "base_url", "api_token"}


def test_a_copy_with_another_token_sends_and_scrubs_that_token(sdk: Sdk, fake_api: FakeApi) -> None:
    other = "rc-another-token-0a1b2c3d4e5f"
    fake_api.on("GET", "/v1/requests/r-1/status", reply(500, {"message": f"bad {other}"}))
    copy = sdk.client.with_options(api_token=other, max_retries=0)

    with pytest.raises(APIStatusError) as raised:
        sdk.run(copy.requests.status("r-1"))

    assert fake_api.requests[-1].headers["authorization"] == f"Bearer {other}"
    assert other not in str(raised.value) and other not in repr(copy)
    with pytest.raises(MissingTokenError):
        sdk.client.with_options(api_token=" ")


def test_extra_body_is_merged_and_logged_and_may_not_repeat_a_field(
    caplog: pytest.LogCaptureFixture,
) -> None:
    request = VideoRequest(prompt="p", start_image="https://e.com/a.png")

    with caplog.at_level(logging.DEBUG, logger="runcomfy_sdk"):
        merged = Submission.of_request(request, extra_body={"99_motion": 0.5})

    assert merged.body == {"6_text": "p", "68_image": "https://e.com/a.png", "99_motion": 0.5}
    assert "extra_body keys 99_motion" in caplog.text
    for key in ("57_steps", "steps", "6_text"):  # set or not, by wire key or friendly name
        with pytest.raises(InputValidationError, match="extra_body") as caught:
            Submission.of_request(request, extra_body={key: 1})
        [problem] = caught.value.problems
        assert problem.field in ("steps", "prompt") and problem.wire_key in ("57_steps", "6_text")


def test_an_untyped_submission_is_sent_as_given() -> None:
    submission = Submission.of_input("owner/model", {"1_x": [1, 2]}, extra_body={"2_y": None})
    assert (submission.model_id, submission.body) == ("owner/model", {"1_x": [1, 2], "2_y": None})
    assert Submission.of_input("owner/model", None).body == {}
    with pytest.raises(TypeError, match="input"):
        Submission.of_input("owner/model", [("1_x", 1)])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="model_id"):
        Submission.of_input(None, {})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"RUNCOMFY_API_TOKEN": "a", "RUNCOMFY_TOKEN": "b"}, "a"),
        ({"RUNCOMFY_TOKEN": " b \n"}, "b"),
        ({"RUNCOMFY_API_TOKEN": "  ", "RUNCOMFY_TOKEN": "b"}, "b"),
        ({"RUNCOMFY_API_TOKEN": "", "RUNCOMFY_TOKEN": "\t"}, None),
    ],
)
def test_the_token_is_looked_up_in_order_trimmed_and_blank_is_unset(
    sdk: Sdk,
    fake_api: FakeApi,
    monkeypatch: pytest.MonkeyPatch,
    environment: dict[str, str],
    expected: str | None,
) -> None:
    for name in ("RUNCOMFY_API_TOKEN", "RUNCOMFY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    if expected is None:
        with pytest.raises(MissingTokenError, match="RUNCOMFY_API_TOKEN or RUNCOMFY_TOKEN"):
            sdk.new_client(api_token=None)
        return
    fake_api.on("GET", "/v1/requests/r-1/status", reply(200, status_body("r-1", "in_queue")))
    sdk.run(sdk.new_client(api_token=None).requests.status("r-1"))
    assert fake_api.requests[0].headers["authorization"] == f"Bearer {expected}"


def test_base_url_comes_from_the_argument_then_the_environment(
    sdk: Sdk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNCOMFY_BASE_URL", " https://env.test/ ")
    assert sdk.new_client(base_url=None).base_url == "https://env.test"
    assert sdk.new_client(base_url="https://arg.test").base_url == "https://arg.test"
    monkeypatch.setenv("RUNCOMFY_BASE_URL", "   ")
    assert sdk.new_client(base_url=None).base_url == "https://model-api.runcomfy.net"
    with pytest.raises(ValueError, match="http"):
        sdk.new_client(base_url="model-api.runcomfy.net")
    with pytest.raises(MissingTokenError, match="blank"):
        sdk.new_client(api_token="  ")


def test_a_status_error_keeps_the_answer_with_the_token_scrubbed(
    sdk: Sdk, fake_api: FakeApi
) -> None:
    headers = {"WWW-Authenticate": f'Bearer error="invalid_token", token="{TOKEN}"'}
    fake_api.on(
        "GET", "/v1/requests/r-1/status", reply(401, {"error_code": 400004}, headers=headers)
    )

    with pytest.raises(Exception) as caught:
        sdk.run(sdk.client.requests.status("r-1"))

    error = caught.value
    assert error.response.status_code == 401 and error.response.body == {"error_code": 400004}
    assert TOKEN not in error.headers["www-authenticate"]
    assert "[REDACTED]" in error.headers["www-authenticate"]


def test_the_generic_run_and_a_typed_run_send_the_same_body(sdk: Sdk, fake_api: FakeApi) -> None:
    fake_api.script_job("r-1", [("completed", None)], {"status": "completed", "output": {}})

    sdk.run(sdk.model().submit(prompt="p", start_image="https://e.com/a.png", steps=3))
    sdk.run(
        sdk.client.submit(
            MODEL_ID, {"6_text": "p", "68_image": "https://e.com/a.png", "57_steps": 3}
        )
    )

    typed, generic = (r for r in fake_api.requests if r.url.path == MODEL_PATH)
    assert typed.content == generic.content


def test_input_validation_errors_survive_pickling() -> None:
    with pytest.raises(InputValidationError) as caught:
        VideoRequest(prompt="p", start_image="./a.png", steps="many")
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.problems, str(copy)) == (caught.value.problems, str(caught.value))
    assert [problem.field for problem in copy.problems] == ["start_image", "steps"]


# Interruptions, driven by hand -----------------------------------------------------------------


def _operations(clock: FakeClock) -> Operations:
    settings = Settings(
        base_url="https://api.test", token=Secret("t"), max_retries=2, timing=clock.timing()
    )
    return Operations(settings)


def _answer(body: bytes) -> Received:
    return Received(200, body, "OK", {})


def _run_until_the_first_sleep(clock: FakeClock, **options: Any) -> Any:
    request = VideoRequest(prompt="p", start_image="https://e.com/a.png")
    operation = _operations(clock).run(Submission.of_request(request), VideoOutput, **options)
    assert isinstance(next(operation), Send)  # the submit
    assert isinstance(operation.send(_answer(b'{"request_id": "r-9"}')), Send)  # first poll
    assert isinstance(operation.send(_answer(b'{"status": "in_queue"}')), Sleep)
    return operation


def test_an_interruption_sends_one_bounded_cancel_then_goes_on(clock: FakeClock) -> None:
    operation = _run_until_the_first_sleep(clock, cancel_on_interrupt=True)

    step = operation.throw(KeyboardInterrupt())

    assert isinstance(step, Send)
    cancel = step.call
    assert (cancel.method, cancel.url) == ("POST", "https://api.test/v1/requests/r-9/cancel")
    assert cancel.max_retries == 0
    assert cancel.deadline == clock.now + clock.timing().cancel_on_interrupt
    with pytest.raises(KeyboardInterrupt) as caught:
        operation.send(_answer(b'{"status": "cancelled", "outcome": "cancelled"}'))
    assert caught.value.__notes__ == ["Request r-9 was cancelled on interrupt."]


def test_without_the_option_an_interruption_only_names_the_job(clock: FakeClock) -> None:
    operation = _run_until_the_first_sleep(clock)

    with pytest.raises(KeyboardInterrupt) as caught:
        operation.throw(KeyboardInterrupt())

    assert caught.value.__notes__ == ["Request r-9 was submitted and goes on."]


def test_closing_the_operation_sends_nothing_more(clock: FakeClock) -> None:
    operation = _run_until_the_first_sleep(clock, cancel_on_interrupt=True)
    operation.close()  # a driver that stops: no cancel, no error
