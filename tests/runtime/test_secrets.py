"""The API token never shows: not in any repr, log line (DEBUG included) or error text."""

from __future__ import annotations

import json
import logging
import traceback
import urllib.parse
from typing import Any

import httpx
import pytest
from runcomfy_sdk._runtime import RunComfyError, WaitTimeoutError
from runcomfy_sdk._runtime._sansio import Secret

from tests.runtime.fakes import (
    MODEL_PATH,
    TOKEN,
    FakeApi,
    Sdk,
    VideoOutput,
    fail,
    reply,
    status_body,
    submitted,
)


def _texts(error: BaseException) -> list[str]:
    return [str(error), repr(error), "".join(traceback.format_exception(error))]


def test_token_is_absent_from_reprs_logs_and_errors(
    sdk: Sdk, fake_api: FakeApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echoed = {"error_code": 400004, "error_message": f"token {TOKEN} has expired"}
    fake_api.on("POST", MODEL_PATH, fail(httpx.ConnectError), reply(200, submitted("r-1")))
    fake_api.on(
        "GET",
        "/v1/requests/r-1/status",
        reply(429, {"message": f"slow down, {TOKEN}"}, headers={"Retry-After": "1"}),
        reply(200, status_body("r-1", "in_queue", 2)),
    )
    fake_api.on("GET", "/v1/requests/r-2/status", reply(401, echoed))
    fake_api.on(
        "GET", "/v1/requests/r-3/status", fail(httpx.ReadTimeout, "The read operation timed out")
    )
    fake_api.on("GET", "/v1/requests/r-4/status", reply(200, content=f"oops {TOKEN}".encode()))
    client = sdk.new_client(max_retries=1)
    texts = [repr(client), str(client), repr(client._settings), repr(sdk.model(client))]

    job = sdk.run(sdk.model(client).submit(prompt="p", start_image="https://x/a.png"))
    texts.append(repr(job))
    with pytest.raises(WaitTimeoutError) as timed_out:
        sdk.run(job.wait(timeout=1.5))
    texts += _texts(timed_out.value)
    for request_id in ("r-2", "r-3", "r-4"):
        with pytest.raises(RunComfyError) as caught:
            sdk.run(client.requests.status(request_id))
        texts += _texts(caught.value)

    assert fake_api.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert any("[REDACTED]" in text for text in texts), "the echoed token was scrubbed"
    logged = [record.getMessage() for record in caplog.records]
    assert any("retry" in line for line in logged), "the scenario did log at DEBUG/INFO"
    leaks = [text for text in texts + logged if TOKEN in text]
    assert leaks == []


def test_secret_hides_its_value() -> None:
    secret = Secret("abc123")
    assert "abc123" not in repr(secret) and "abc123" not in str(secret)
    assert secret.reveal() == "abc123"
    assert secret.scrub("x abc123 y") == "x [REDACTED] y"


def test_resumed_job_repr_names_no_token(sdk: Sdk) -> None:
    assert TOKEN not in repr(sdk.client.job("r-1", VideoOutput))


@pytest.mark.parametrize(
    "spell",
    [
        lambda token: token,
        lambda token: json.dumps(token)[1:-1].replace("/", "\\/"),
        lambda token: urllib.parse.quote(token, safe=""),
        lambda token: urllib.parse.quote_plus(token, safe=""),
        lambda token: repr(json.dumps(token)[1:-1].replace("/", "\\/"))[1:-1],
    ],
    ids=["raw", "json-escaped-slash", "url-encoded", "form-encoded", "repr-of-escaped"],
)
def test_the_token_is_scrubbed_in_every_spelling_a_server_may_echo(spell: Any) -> None:
    token = 'rc/secret+token="x"'
    secret = Secret(token)
    echoed = f"invalid token {spell(token)} for this request"
    assert secret.scrub(echoed) == "invalid token [REDACTED] for this request"
    assert secret.appears_in(echoed)
    assert secret.scrub_json({spell(token): [echoed]}) == {
        "[REDACTED]": ["invalid token [REDACTED] for this request"]
    }


def test_a_long_token_is_scrubbed_wherever_it_occurs() -> None:
    secret = Secret("abcdef123456")  # Secret.SCRUB_ANYWHERE characters
    assert secret.scrub("Bearerabcdef123456xyz") == "Bearer[REDACTED]xyz"


@pytest.mark.parametrize("token", ["t", "ok", "abc1", "test-token"])
def test_a_short_token_is_scrubbed_only_where_it_stands_alone(token: str) -> None:
    secret = Secret(token)
    text = f"the {token}: {token}, tokens{token}s and {token}2 stay"
    assert secret.scrub(text) == f"the [REDACTED]: [REDACTED], tokens{token}s and {token}2 stay"
    assert secret.scrub("at the top of the list, a total") == "at the top of the list, a total"


@pytest.mark.parametrize("token", ["tok en", "tok\ten", "tok\nen", "tokén", "tok\x00en"])
def test_a_token_that_cannot_travel_in_a_header_is_refused_without_quoting_it(
    sdk: Sdk, token: str
) -> None:
    with pytest.raises(ValueError, match="cannot be sent in an HTTP header") as caught:
        sdk.new_client(api_token=token)
    assert token not in str(caught.value)


LONG_TOKEN = "rc-0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    "answer",
    [
        {"status": LONG_TOKEN},
        {"status": LONG_TOKEN.replace("r", "\\u0072", 1)},  # a \u escape spells part of it
        {LONG_TOKEN: "as a key"},
        {"status": "a", "nested": [{"deep": f"x{LONG_TOKEN}y"}]},
    ],
)
def test_the_raw_text_search_never_lets_a_decoded_token_through(answer: dict[str, Any]) -> None:
    """Answers are walked only when their raw text may hold the token: this must not miss."""
    secret = Secret(LONG_TOKEN)
    content = json.dumps(answer).replace("\\\\u", "\\u").encode()
    decoded = json.loads(content)
    assert LONG_TOKEN in json.dumps(decoded)
    assert secret.may_be_in_json(content)
    assert LONG_TOKEN not in json.dumps(secret.scrub_json(decoded))


def test_an_answer_without_the_token_is_not_walked() -> None:
    secret = Secret(LONG_TOKEN)
    assert not secret.may_be_in_json(b'{"request_id": "r-1", "status": "in_queue"}')
    assert Secret("short").may_be_in_json(b'{"status": "in_queue"}')  # short: always walked
