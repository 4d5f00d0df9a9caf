"""End-to-end tests of the local server's error answers: auth, ownership, ids, validation."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from generator.server import ServerConfig, ServerHandle

from .conftest import ServerFactory

FLF = "community/wan-2-2/first-last-frame"
FLF_BODY = {
    "6_text": "a puppy",
    "62_image": "https://example.com/end.png",
    "68_image": "https://example.com/start.png",
}
UNKNOWN_ID = "00000000-0000-0000-0000-000000000000"
V1_ROUTES = [
    ("POST", f"/v1/models/{FLF}"),
    ("GET", f"/v1/requests/{UNKNOWN_ID}/status"),
    ("GET", f"/v1/requests/{UNKNOWN_ID}/result"),
    ("POST", f"/v1/requests/{UNKNOWN_ID}/cancel"),
    ("GET", "/v1/models"),
    ("GET", f"/v1/models/{FLF}"),
]


@pytest.fixture(scope="module")
def anonymous() -> Iterator[httpx.Client]:
    """A client that sends no token (one for the module: creating clients is not free)."""
    with httpx.Client(timeout=5.0) as client:
        yield client


@pytest.mark.parametrize(("method", "path"), V1_ROUTES)
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer not-a-known-token", "Basic dGVzdC10b2tlbg==", "test-token"],
)
def test_every_v1_route_needs_a_known_bearer_token(
    server: ServerHandle,
    anonymous: httpx.Client,
    method: str,
    path: str,
    authorization: str | None,
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = anonymous.request(method, server.url(path), headers=headers, json=FLF_BODY)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert body["error_code"] == 400004
    assert "not-a-known-token" not in response.text  # a token is never echoed back
    assert server.controller.jobs() == ()


@pytest.fixture
def two_accounts(server_factory: ServerFactory) -> tuple[httpx.Client, httpx.Client]:
    handle = server_factory(config=ServerConfig(tokens=frozenset({"alice-token", "bob-token"})))
    alice = httpx.Client(base_url=handle.base_url, headers=_auth("alice-token"))
    bob = httpx.Client(base_url=handle.base_url, headers=_auth("bob-token"))
    return alice, bob


@pytest.mark.parametrize(
    ("method", "action"), [("GET", "status"), ("GET", "result"), ("POST", "cancel")]
)
def test_a_request_of_another_account_is_forbidden(
    two_accounts: tuple[httpx.Client, httpx.Client], method: str, action: str
) -> None:
    alice, bob = two_accounts
    request_id = alice.post(f"/v1/models/{FLF}", json=FLF_BODY).json()["request_id"]
    response = bob.request(method, f"/v1/requests/{request_id}/{action}")
    assert response.status_code == 403
    assert response.json()["error_code"] == 403001
    assert alice.request(method, f"/v1/requests/{request_id}/{action}").status_code == 200


@pytest.mark.parametrize(
    ("method", "action"), [("GET", "status"), ("GET", "result"), ("POST", "cancel")]
)
def test_an_unknown_request_id_is_not_found(
    http_client: httpx.Client, method: str, action: str
) -> None:
    response = http_client.request(method, f"/v1/requests/{UNKNOWN_ID}/{action}")
    assert response.status_code == 404
    assert response.json()["error_code"] == 404001


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_an_unknown_model_is_a_bad_request(http_client: httpx.Client, method: str) -> None:
    response = http_client.request(method, "/v1/models/community/no-such-model", json=FLF_BODY)
    assert response.status_code == 400
    body = response.json()
    assert body["error_code"] == 400001
    assert "community/no-such-model" in body["error_message"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"67_length": 80},
            {"loc": ["body", "67_length"], "msg": "80 is not one of [81, 141]", "type": "enum"},
        ),
        (
            {"73_frame_rate": 25},
            {
                "loc": ["body", "73_frame_rate"],
                "msg": "25 is greater than the maximum of 24",
                "type": "maximum",
            },
        ),
        (
            {"6_text": None},
            {
                "loc": ["body", "6_text"],
                "msg": "'6_text' is a required property",
                "type": "required",
            },
        ),
        (
            {"fps": 16},
            {
                "loc": ["body", "fps"],
                "msg": "Additional properties are not allowed ('fps' was unexpected)",
                "type": "additionalProperties",
            },
        ),
    ],
    ids=["off-enum", "out-of-range", "missing-required", "unknown-key"],
)
def test_an_invalid_body_gets_422_with_detail(
    server: ServerHandle, http_client: httpx.Client, change: dict[str, Any], expected: Any
) -> None:
    body = {key: value for key, value in {**FLF_BODY, **change}.items() if value is not None}
    response = http_client.post(f"/v1/models/{FLF}", json=body)
    assert response.status_code == 422
    assert response.json() == {
        "error_code": 422,
        "error_message": "Request validation failed: 1 problem; see detail.",
        "detail": [expected],
    }
    assert server.controller.jobs() == ()
    assert server.controller.count("submit") == 1


def test_detail_lists_every_problem_sorted(http_client: httpx.Client) -> None:
    body = {"zzz": 1, "57_steps": 5, "67_length": "81", "6_text": "x"}
    detail = http_client.post(f"/v1/models/{FLF}", json=body).json()["detail"]
    assert [(entry["loc"][1], entry["type"]) for entry in detail] == [
        ("57_steps", "minimum"),
        ("62_image", "required"),
        ("67_length", "enum"),
        ("67_length", "type"),
        ("68_image", "required"),
        ("zzz", "additionalProperties"),
    ]


@pytest.mark.parametrize(
    ("content", "kind"), [(b"{not json", "json_invalid"), (b'["a list"]', "type")]
)
def test_a_body_that_is_not_a_json_object_gets_422(
    http_client: httpx.Client, content: bytes, kind: str
) -> None:
    response = http_client.post(
        f"/v1/models/{FLF}", content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    (entry,) = response.json()["detail"]
    assert (entry["loc"], entry["type"]) == (["body"], kind)


def test_a_broke_account_cannot_submit(server_factory: ServerFactory) -> None:
    config = ServerConfig(tokens=frozenset({"rich-token"}), broke_tokens=frozenset({"poor-token"}))
    handle = server_factory(config=config)
    response = httpx.post(
        handle.url(f"/v1/models/{FLF}"), json=FLF_BODY, headers=_auth("poor-token")
    )
    assert response.status_code == 402
    assert response.json()["error_code"] == 400002
    assert handle.controller.jobs() == ()
    listed = httpx.get(handle.url("/v1/models"), headers=_auth("poor-token"))
    assert listed.status_code == 200  # the token itself is fine


def test_unknown_paths_and_methods_answer_in_the_error_shape(http_client: httpx.Client) -> None:
    missing = http_client.get("/v2/nothing")
    assert (missing.status_code, missing.json()["error_code"]) == (404, 404)
    wrong_method = http_client.delete(f"/v1/requests/{UNKNOWN_ID}/status")
    assert (wrong_method.status_code, wrong_method.json()["error_code"]) == (405, 405)
    assert "GET" in wrong_method.headers["allow"]


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_tokens_never_reach_the_logs_or_the_answers(
    server_factory: ServerFactory, caplog: pytest.LogCaptureFixture
) -> None:
    secret, stranger = "sk-secret-0123456789", "sk-stranger-9876543210"
    handle = server_factory(config=ServerConfig(tokens=frozenset({secret})))
    texts: list[str] = []
    with caplog.at_level(logging.DEBUG), httpx.Client(base_url=handle.base_url) as client:
        for token in (secret, stranger):
            headers = _auth(token)
            submitted = client.post(f"/v1/models/{FLF}", json=FLF_BODY, headers=headers)
            request_id = submitted.json().get("request_id", UNKNOWN_ID)
            texts.append(submitted.text)
            for action in ("status", "result"):
                texts.append(
                    client.get(f"/v1/requests/{request_id}/{action}", headers=headers).text
                )
            texts.append(client.post(f"/v1/requests/{request_id}/cancel", headers=headers).text)
    assert any(record.name.startswith("generator.server") for record in caplog.records)
    everything = "\n".join([caplog.text, *texts, repr(handle.controller.jobs())])
    assert secret not in everything
    assert stranger not in everything
