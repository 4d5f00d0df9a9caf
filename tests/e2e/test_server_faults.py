"""End-to-end tests of fault injection, as a plain httpx client sees it, and of the counters."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from generator.server import ServerHandle, Timings, faults
from generator.server.faults import Route

FLF = "community/wan-2-2/first-last-frame"
FLF_BODY = {
    "6_text": "a puppy",
    "62_image": "https://example.com/end.png",
    "68_image": "https://example.com/start.png",
}

Call = Callable[[httpx.Client, str], httpx.Response]


def _submit(client: httpx.Client, _: str) -> httpx.Response:
    return client.post(f"/v1/models/{FLF}", json=FLF_BODY)


def _status(client: httpx.Client, request_id: str) -> httpx.Response:
    return client.get(f"/v1/requests/{request_id}/status")


def _result(client: httpx.Client, request_id: str) -> httpx.Response:
    return client.get(f"/v1/requests/{request_id}/result")


def _cancel(client: httpx.Client, request_id: str) -> httpx.Response:
    return client.post(f"/v1/requests/{request_id}/cancel")


def _catalog(client: httpx.Client, _: str) -> httpx.Response:
    return client.get("/v1/models", params={"include_schema": "true"})


def _files(client: httpx.Client, request_id: str) -> httpx.Response:
    return client.get(f"/files/{request_id}/video.mp4")


CALLS: dict[Route, Call] = {
    "submit": _submit,
    "status": _status,
    "result": _result,
    "cancel": _cancel,
    "catalog": _catalog,
    "files": _files,
}


@pytest.fixture
def request_id(server: ServerHandle, http_client: httpx.Client) -> str:
    """A job that stays queued, made before the test injects any fault."""
    server.controller.set_timings(Timings(queue_seconds=60, run_seconds=60))
    submitted: str = _submit(http_client, "").json()["request_id"]
    return submitted


@pytest.mark.parametrize("route", list(CALLS))
@pytest.mark.parametrize(("status", "code"), [(429, 429), (500, 500), (502, 502), (503, 503)])
def test_http_error_faults_answer_once_with_a_runcomfy_body(
    server: ServerHandle,
    http_client: httpx.Client,
    request_id: str,
    route: Route,
    status: int,
    code: int,
) -> None:
    before = server.controller.stats()
    server.controller.inject(faults.http_error(route, status, retry_after=2))
    failed = CALLS[route](http_client, request_id)
    assert failed.status_code == status
    assert failed.headers["retry-after"] == "2"
    assert failed.json()["error_code"] == code
    assert failed.json()["error_message"]
    assert CALLS[route](http_client, request_id).status_code == 200  # fired once only
    after = server.controller.stats()
    assert after.requests[route] - before.requests[route] == 2
    assert after.faults_fired[route] - before.faults_fired[route] == 1
    assert after.jobs - before.jobs == (1 if route == "submit" else 0)  # the retry's job


def test_an_http_error_fault_can_carry_its_own_code_and_message(
    server: ServerHandle, http_client: httpx.Client, request_id: str
) -> None:
    server.controller.inject(
        faults.http_error("result", 402, error_code=400002, message="Top up first.")
    )
    failed = _result(http_client, request_id)
    assert (failed.status_code, failed.json()) == (
        402,
        {"error_code": 400002, "error_message": "Top up first."},
    )
    assert "retry-after" not in failed.headers


def test_a_fault_fires_on_its_route_only_and_as_many_times_as_asked(
    server: ServerHandle, http_client: httpx.Client, request_id: str
) -> None:
    server.controller.inject(faults.http_error("status", 500, times=2))
    assert _result(http_client, request_id).status_code == 200
    codes = [_status(http_client, request_id).status_code for _ in range(3)]
    assert codes == [500, 500, 200]
    assert server.controller.count("status") == 3
    assert server.controller.stats().pending_faults == ()


def test_faults_fire_before_authentication(server: ServerHandle) -> None:
    server.controller.inject(faults.http_error("catalog", 503))
    assert httpx.get(server.url("/v1/models")).status_code == 503
    assert httpx.get(server.url("/v1/models")).status_code == 401


@pytest.mark.parametrize("route", list(CALLS))
def test_an_error_inside_a_200_answer(
    server: ServerHandle, http_client: httpx.Client, request_id: str, route: Route
) -> None:
    jobs_before = server.controller.stats().jobs
    server.controller.inject(faults.error_in_200(route, error_code=400004, message="Expired."))
    response = CALLS[route](http_client, request_id)
    assert response.status_code == 200
    assert response.json() == {"error_code": 400004, "error_message": "Expired."}
    assert server.controller.stats().jobs == jobs_before  # it answered instead of the route


@pytest.mark.parametrize("route", list(CALLS))
def test_malformed_json_with_status_200(
    server: ServerHandle, http_client: httpx.Client, request_id: str, route: Route
) -> None:
    server.controller.inject(faults.malformed(route))
    response = CALLS[route](http_client, request_id)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()


@pytest.mark.parametrize("route", list(CALLS))
def test_a_dropped_connection_is_a_protocol_error(
    server: ServerHandle, http_client: httpx.Client, request_id: str, route: Route
) -> None:
    server.controller.inject(faults.drop(route))
    with pytest.raises(httpx.RemoteProtocolError):
        CALLS[route](http_client, request_id)
    assert CALLS[route](http_client, request_id).status_code == 200  # the server is fine


def test_a_submit_whose_answer_is_lost_still_created_its_job(
    server: ServerHandle, http_client: httpx.Client
) -> None:
    server.controller.inject(faults.drop("submit"), faults.malformed("submit"))
    with pytest.raises(httpx.RemoteProtocolError):
        _submit(http_client, "")
    assert _submit(http_client, "").status_code == 200  # malformed body, but accepted
    assert server.controller.count("submit") == 2
    assert len(server.controller.jobs()) == 2


def test_a_slow_submit_times_out_on_the_client_after_the_job_was_made(
    server: ServerHandle, http_client: httpx.Client
) -> None:
    server.controller.inject(faults.slow("submit", delay=5.0))
    with pytest.raises(httpx.ReadTimeout):
        http_client.post(f"/v1/models/{FLF}", json=FLF_BODY, timeout=0.2)
    assert server.controller.count("submit") == 1
    (job,) = server.controller.jobs()
    assert job.body == FLF_BODY


def test_a_slow_answer_arrives_intact_when_the_client_waits(
    server: ServerHandle, http_client: httpx.Client, request_id: str
) -> None:
    server.controller.inject(faults.slow("status", delay=0.05))
    response = _status(http_client, request_id)
    assert (response.status_code, response.json()["status"]) == (200, "in_queue")
    assert server.controller.stats().faults_fired["status"] == 1


def test_clear_faults_and_reset(server: ServerHandle, http_client: httpx.Client) -> None:
    server.controller.inject(faults.http_error("catalog", 500))
    server.controller.clear_faults()
    assert _catalog(http_client, "").status_code == 200
    server.controller.inject(faults.http_error("catalog", 500))
    server.controller.reset()
    assert _catalog(http_client, "").status_code == 200
    assert server.controller.count("catalog") == 1


def test_the_admin_api_controls_the_same_state(
    server: ServerHandle, http_client: httpx.Client
) -> None:
    admin = _Admin(server)
    admin.post("faults", [{"route": "status", "kind": "http_error", "status": 429, "times": 2}])
    admin.post("faults", {"route": "submit", "kind": "slow", "delay": 0.01})
    pending = admin.get("stats")["pending_faults"]
    assert [(f["route"], f["kind"], f["remaining"]) for f in pending] == [
        ("status", "http_error", 2),
        ("submit", "slow", 1),
    ]
    admin.post("timings", {"queue_seconds": 0, "run_seconds": 0})
    admin.post("failures", {"count": 1, "error": {"error_code": 1, "error_message": "x"}})
    request_id = _submit(http_client, "").json()["request_id"]
    assert [_status(http_client, request_id).status_code for _ in range(3)] == [429, 429, 200]
    assert _result(http_client, request_id).json()["error"] == {
        "error_code": 1,
        "error_message": "x",
    }

    stats = admin.get("stats")
    assert stats["requests"] == {
        "submit": 1, "status": 3, "result": 1, "cancel": 0, "catalog": 0, "files": 0
    }  # fmt: skip
    assert stats["faults_fired"]["status"] == 2
    assert admin.get("jobs")["jobs"] == [
        {"request_id": request_id, "model_id": FLF, "status": "failed", "body": FLF_BODY}
    ]
    admin.post("outputs", {"model_id": FLF, "output": {"video": "https://cdn/v.mp4"}})
    admin.post("file-size", {"size": 3})
    assert server.controller.output_override(FLF) == {"video": "https://cdn/v.mp4"}
    assert server.controller.file_size == 3

    assert admin.post("reset", {}) == {"reset": True}
    assert admin.get("stats")["jobs"] == 0
    assert server.controller.timings == server.controller.config.timings


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("faults", {"route": "status", "kind": "explode"}),
        ("faults", "not an object"),
        ("timings", {"queue_seconds": -1, "run_seconds": 0}),
        ("timings", {"queue_seconds": 1}),
        ("failures", {"count": 0}),
        ("outputs", {"model_id": FLF, "output": [1]}),
    ],
)
def test_bad_admin_requests_get_422(server: ServerHandle, path: str, payload: Any) -> None:
    response = httpx.post(server.url(f"/_admin/{path}"), json=payload)
    assert response.status_code == 422
    assert response.json()["error_code"] == 422
    assert server.controller.stats().pending_faults == ()


class _Admin:
    def __init__(self, server: ServerHandle) -> None:
        self._client = httpx.Client(base_url=server.url("/_admin/"), timeout=5.0)

    def get(self, path: str) -> Any:
        return self._checked(self._client.get(path))

    def post(self, path: str, payload: Any) -> Any:
        return self._checked(self._client.post(path, json=payload))

    @staticmethod
    def _checked(response: httpx.Response) -> Any:
        assert response.status_code == 200, response.text
        return response.json()
