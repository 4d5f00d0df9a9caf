"""Error mapping: HTTP status and RunComfy error_code, errors inside a 200, bad bodies."""

from __future__ import annotations

import pickle
import re

import httpx
import pytest
from runcomfy_sdk._runtime import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BadResponseError,
    InsufficientBalanceError,
    InvalidModelError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestValidationError,
    RunComfyError,
    ServerError,
    _errors,
)

from tests.runtime.fakes import FakeApi, Sdk, fail, reply

STATUS_PATH = "/v1/requests/r-1/status"


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (400, {"error_code": 400001, "error_message": "model not found"}, InvalidModelError),
        (400, {"error_code": "400001", "message": "model not found"}, InvalidModelError),
        (400, {"error_code": 400002, "error_message": "balance too low"}, InsufficientBalanceError),
        (402, {"message": "payment required"}, InsufficientBalanceError),
        (400, {"error_code": 400004, "error_message": "token expired"}, AuthenticationError),
        (401, {"detail": "Not authenticated"}, AuthenticationError),
        (403, {"error_code": 403001, "error_message": "not yours"}, PermissionDeniedError),
        (404, {"error_code": 404001, "error_message": "expired"}, NotFoundError),
        (404, None, NotFoundError),
        (400, {"error_message": "bad input"}, BadRequestError),
        (400, {"error_code": 400777, "error_message": "new code"}, BadRequestError),
        (418, {"error_message": "teapot"}, APIStatusError),
        (500, {"error_message": "boom"}, ServerError),
        (503, None, ServerError),
    ],
)
def test_status_and_error_code_map_to_one_class(
    sdk: Sdk, fake_api: FakeApi, status: int, body: object, expected: type[RunComfyError]
) -> None:
    fake_api.on("GET", STATUS_PATH, reply(status, body))
    client = sdk.new_client(max_retries=0)

    with pytest.raises(RunComfyError) as caught:
        sdk.run(client.requests.status("r-1"))

    assert type(caught.value) is expected
    assert caught.value.status_code == status
    assert caught.value.request_id == "r-1"


@pytest.mark.parametrize(
    ("body", "expected", "code"),
    [
        ({"error_code": 400002, "error_message": "insufficient balance"}, InsufficientBalanceError, 400002),
        ({"error_code": "403001", "error_message": "forbidden"}, PermissionDeniedError, 403001),
        ({"error_message": "something went wrong"}, APIStatusError, None),
        ({"error_code": 429, "message": "slow down"}, RateLimitError, 429),
    ],
)  # fmt: skip
def test_an_error_inside_a_200_is_an_error(
    sdk: Sdk,
    fake_api: FakeApi,
    body: dict[str, object],
    expected: type[RunComfyError],
    code: object,
) -> None:
    fake_api.on("GET", STATUS_PATH, reply(200, body))
    client = sdk.new_client(max_retries=0)

    with pytest.raises(RunComfyError) as caught:
        sdk.run(client.requests.status("r-1"))

    assert type(caught.value) is expected
    assert (caught.value.status_code, caught.value.error_code) == (200, code)


def test_a_200_with_a_null_error_code_is_not_an_error(sdk: Sdk, fake_api: FakeApi) -> None:
    body = {"request_id": "r-1", "status": "in_queue", "error_code": None, "error_message": ""}
    fake_api.on("GET", STATUS_PATH, reply(200, body))

    assert sdk.run(sdk.client.requests.status("r-1")).status == "in_queue"


def test_validation_error_carries_the_detail(sdk: Sdk, fake_api: FakeApi) -> None:
    detail = [
        {"loc": ["body", "68_image"], "msg": "field required", "type": "missing"},
        {"loc": ["body", "57_steps"], "msg": "must be <= 20", "type": "less_than_equal"},
    ]
    fake_api.on(
        "POST", "/v1/models/community/wan-2-2/first-last-frame", reply(422, {"detail": detail})
    )

    with pytest.raises(RequestValidationError) as caught:
        sdk.run(sdk.model().submit(prompt="p", start_image="https://x/a.png", steps=99))

    error = caught.value
    assert error.detail == detail
    assert error.status_code == 422
    assert "start_image (wire key 68_image): field required" in str(error)
    assert "steps (wire key 57_steps): must be <= 20" in str(error)
    assert [(p.field, p.wire_key) for p in error.problems] == [
        ("start_image", "68_image"),
        ("steps", "57_steps"),
    ]


def test_error_code_422_is_a_validation_error_even_with_a_200(sdk: Sdk, fake_api: FakeApi) -> None:
    body = {"error_code": 422, "error_message": "invalid", "detail": ["prompt is empty"]}
    fake_api.on("GET", STATUS_PATH, reply(200, body))

    with pytest.raises(RequestValidationError) as caught:
        sdk.run(sdk.client.requests.status("r-1"))

    assert caught.value.detail == [{"msg": "prompt is empty"}]


@pytest.mark.parametrize(
    "content", [b"{not json", b"", b"<html>502 Bad Gateway</html>", b"[1, 2]", b'"text"']
)
def test_a_2xx_that_is_not_a_json_object_is_a_bad_response(
    sdk: Sdk, fake_api: FakeApi, content: bytes
) -> None:
    fake_api.on("GET", STATUS_PATH, reply(200, content=content))

    with pytest.raises(BadResponseError) as caught:
        sdk.run(sdk.client.requests.status("r-1"))

    assert caught.value.status_code == 200
    assert len(fake_api.requests) == 1, "a malformed answer is not retried"


def test_an_answer_missing_required_fields_is_a_bad_response(sdk: Sdk, fake_api: FakeApi) -> None:
    fake_api.on("GET", STATUS_PATH, reply(200, {"request_id": "r-1", "queue_position": "soon"}))

    with pytest.raises(BadResponseError, match="status") as caught:
        sdk.run(sdk.client.requests.status("r-1"))

    assert caught.value.request_id == "r-1"


def test_an_html_error_page_still_maps_by_status(sdk: Sdk, fake_api: FakeApi) -> None:
    fake_api.on("GET", STATUS_PATH, reply(502, content=b"<html>Bad Gateway</html>"))
    client = sdk.new_client(max_retries=0)

    with pytest.raises(ServerError) as caught:
        sdk.run(client.requests.status("r-1"))

    assert caught.value.body is None
    assert caught.value.message == "Bad Gateway"


@pytest.mark.parametrize(
    ("exception", "expected"),
    [
        (httpx.ConnectError, APIConnectionError),
        (httpx.RemoteProtocolError, APIConnectionError),
        (httpx.ReadTimeout, APITimeoutError),
        (httpx.ConnectTimeout, APITimeoutError),
    ],
)
def test_transport_failures_map_to_connection_errors(
    sdk: Sdk,
    fake_api: FakeApi,
    exception: type[httpx.TransportError],
    expected: type[APIConnectionError],
) -> None:
    fake_api.on("GET", STATUS_PATH, fail(exception, "network is down"))
    client = sdk.new_client(max_retries=0)

    with pytest.raises(expected) as caught:
        sdk.run(client.requests.status("r-1"))

    assert type(caught.value) is expected
    assert isinstance(caught.value.__cause__, exception)
    assert "network is down" in str(caught.value)
    assert caught.value.request_id == "r-1"


def test_every_error_says_what_to_do_next() -> None:
    classes = [
        value
        for value in vars(_errors).values()
        if isinstance(value, type) and issubclass(value, RunComfyError)
    ]
    leaves = [c for c in classes if not any(o is not c and issubclass(o, c) for o in classes)]
    assert leaves, "the module defines error classes"
    for cls in leaves:
        assert cls.hint.strip(), f"{cls.__name__} gives no advice"


def test_message_names_status_code_and_request() -> None:
    error = _errors.error_from_response(
        status_code=404,
        body={"error_code": 404001, "error_message": "Request not found or expired"},
        reason="Not Found",
        request_id="r-9",
    )
    assert str(error) == (
        "Request not found or expired (HTTP 404, error_code 404001, request_id r-9). "
        + NotFoundError.hint
    )
    assert repr(error).startswith("NotFoundError(message='Request not found or expired'")


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (400, 403999, PermissionDeniedError),
        (400, 500123, ServerError),
        (200, 404002, NotFoundError),
        (409, None, APIStatusError),
        (599, "ODD_CODE", ServerError),
    ],
)
def test_unlisted_codes_fall_back_to_their_family(
    status: int, code: int | str | None, expected: type[APIStatusError]
) -> None:
    assert _errors.error_class(status, code) is expected


def test_errors_survive_pickling() -> None:
    error = _errors.error_from_response(
        status_code=422,
        body={"detail": [{"loc": ["body", "x"], "msg": "bad"}]},
        reason="Unprocessable Entity",
        request_id="r-1",
    )
    assert isinstance(error, RequestValidationError)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is RequestValidationError
    assert (copy.detail, copy.request_id, str(copy)) == (error.detail, "r-1", str(error))


def _drawn_parents(doc: str) -> dict[str, str | None]:
    """Each class drawn in the tree, with the class drawn as its parent."""
    parents: dict[str, str | None] = {}
    open_rows: list[tuple[int, str]] = []
    for line in doc.splitlines():
        row = re.match(r"^([ │├└─]*)(\w+Error)\b", line)
        if row is None:
            continue
        column, name = len(row.group(1)), row.group(2)
        while open_rows and open_rows[-1][0] >= column:
            open_rows.pop()
        parents[name] = open_rows[-1][1] if open_rows else None
        open_rows.append((column, name))
    return parents


def test_the_docstring_tree_matches_the_class_hierarchy() -> None:
    drawn = _drawn_parents(_errors.__doc__ or "")
    classes = {
        name: value
        for name, value in vars(_errors).items()
        if isinstance(value, type) and issubclass(value, RunComfyError)
    }
    assert set(drawn) == set(classes)
    for name, parent in drawn.items():
        assert classes[name].__bases__[0].__name__ == (parent or "Exception"), name
