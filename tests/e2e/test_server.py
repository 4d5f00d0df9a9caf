"""End-to-end tests of the local server's job flow, over real HTTP with httpx."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from generator.server import ManualClock, ServerConfig, ServerHandle, Timings, placeholder_bytes

from .conftest import ServerFactory

FLF = "community/wan-2-2/first-last-frame"
FLF_BODY = {
    "6_text": "a puppy",
    "62_image": "https://example.com/end.png",
    "68_image": "https://example.com/start.png",
}
SEED_MODELS = ("community/wan-2-1/fusionx/image-to-video", FLF, "wan-ai/wan-2-6/image-to-image")
SLOW_TIMINGS = Timings(queue_seconds=10, run_seconds=20)
START = 1_700_000_000.0


@pytest.fixture
def clocked(
    server_factory: ServerFactory,
) -> Iterator[tuple[ServerHandle, ManualClock, httpx.Client]]:
    """A server of its own whose jobs move only when the test advances its clock."""
    clock = ManualClock(START)
    handle = server_factory(config=ServerConfig(timings=SLOW_TIMINGS), clock=clock)
    with _client(handle) as client:
        yield handle, clock, client


def test_a_job_walks_through_every_state_in_order(
    clocked: tuple[ServerHandle, ManualClock, httpx.Client],
) -> None:
    server, clock, client = clocked
    request_id = _submit(client, FLF, FLF_BODY)["request_id"]
    status_url = f"{server.base_url}/v1/requests/{request_id}/status"
    result_url = f"{server.base_url}/v1/requests/{request_id}/result"

    queued = client.get(status_url).json()
    assert queued == {
        "request_id": request_id,
        "status": "in_queue",
        "queue_position": 0,
        "status_url": status_url,
        "result_url": result_url,
    }
    assert client.get(result_url).json() == queued  # not finished: the current state

    clock.advance(10)
    running = client.get(status_url).json()
    assert running["status"] == "in_progress"
    assert "queue_position" not in running
    assert client.get(result_url).json() == running

    clock.advance(20)
    assert client.get(status_url).json()["status"] == "completed"
    result = client.get(result_url).json()
    assert result == {
        "request_id": request_id,
        "status": "completed",
        "output": {
            "image": f"{server.base_url}/files/{request_id}/image.png",
            "images": [f"{server.base_url}/files/{request_id}/images-0.png"],
            "video": f"{server.base_url}/files/{request_id}/video.mp4",
            "videos": [f"{server.base_url}/files/{request_id}/videos-0.mp4"],
        },
        "created_at": "2023-11-14T22:13:20.000+00:00",
        "finished_at": "2023-11-14T22:13:50.000+00:00",
    }
    with_cost = client.get(result_url, params={"include_cost": "true"}).json()
    assert with_cost == {**result, "cost": 0.05}


def test_submit_answers_absolute_urls_on_the_server(http_client: httpx.Client) -> None:
    server_url = str(http_client.base_url).rstrip("/")
    submitted = _submit(http_client, FLF, FLF_BODY)
    root = f"{server_url}/v1/requests/{submitted['request_id']}"
    assert submitted == {
        "request_id": submitted["request_id"],
        "status_url": f"{root}/status",
        "result_url": f"{root}/result",
        "cancel_url": f"{root}/cancel",
    }


def test_a_real_time_job_completes_with_states_in_order(
    server: ServerHandle, http_client: httpx.Client
) -> None:
    submitted = _submit(http_client, FLF, FLF_BODY)
    seen = _poll_states(http_client, submitted["status_url"])
    order = ["in_queue", "in_progress", "completed"]
    assert seen[-1] == "completed"
    assert seen == sorted(seen, key=order.index)
    result = http_client.get(submitted["result_url"]).json()
    assert set(result["output"]) == {"image", "images", "video", "videos"}


def test_queue_position_counts_the_jobs_ahead(
    clocked: tuple[ServerHandle, ManualClock, httpx.Client],
) -> None:
    _, _, client = clocked
    submitted = [_submit(client, FLF, FLF_BODY) for _ in range(3)]
    other_model = _submit(client, "wan-ai/wan-2-6/image-to-image", _WAN_BODY)
    positions = [client.get(s["status_url"]).json()["queue_position"] for s in submitted]
    assert positions == [0, 1, 2]
    assert client.get(other_model["status_url"]).json()["queue_position"] == 0

    client.post(submitted[0]["cancel_url"])
    assert client.get(submitted[2]["status_url"]).json()["queue_position"] == 1


def test_cancel_works_only_while_queued(
    clocked: tuple[ServerHandle, ManualClock, httpx.Client],
) -> None:
    _, clock, client = clocked
    queued, running = _submit(client, FLF, FLF_BODY), _submit(client, FLF, FLF_BODY)

    cancelled = client.post(queued["cancel_url"])
    assert cancelled.status_code == 200
    assert cancelled.json() == {
        "request_id": queued["request_id"],
        "status": "cancelled",
        "outcome": "cancelled",
    }
    clock.advance(15)
    refused = client.post(running["cancel_url"]).json()
    assert refused == {
        "request_id": running["request_id"],
        "status": "in_progress",
        "outcome": "not_cancellable",
    }
    assert client.get(queued["status_url"]).json()["status"] == "cancelled"
    assert client.get(running["status_url"]).json()["status"] == "in_progress"  # still runs
    result = client.get(queued["result_url"]).json()
    assert (result["status"], result["output"]) == ("cancelled", None)
    assert result["finished_at"] == "2023-11-14T22:13:20.000+00:00"

    clock.advance(100)
    done = client.post(running["cancel_url"]).json()
    assert (done["status"], done["outcome"]) == ("completed", "not_cancellable")
    again = client.post(queued["cancel_url"]).json()
    assert (again["status"], again["outcome"]) == ("cancelled", "cancelled")


def test_failed_jobs_carry_the_error_in_the_result(
    clocked: tuple[ServerHandle, ManualClock, httpx.Client],
) -> None:
    server, clock, client = clocked
    error = {"error_code": 500123, "error_message": "CUDA out of memory"}
    server.controller.fail_next(1, error=error)
    failing, fine = _submit(client, FLF, FLF_BODY), _submit(client, FLF, FLF_BODY)
    clock.advance(30)
    assert client.get(failing["status_url"]).json()["status"] == "failed"
    result = client.get(failing["result_url"], params={"include_cost": "1"}).json()
    assert result == {
        "request_id": failing["request_id"],
        "status": "failed",
        "output": None,
        "created_at": "2023-11-14T22:13:20.000+00:00",
        "finished_at": "2023-11-14T22:13:50.000+00:00",
        "error": error,
        "cost": 0.0,
    }
    assert client.get(fine["status_url"]).json()["status"] == "completed"


def test_a_model_can_be_made_to_fail(
    clocked: tuple[ServerHandle, ManualClock, httpx.Client],
) -> None:
    server, clock, client = clocked
    server.controller.fail_model(FLF)
    flf = _submit(client, FLF, FLF_BODY)
    wan = _submit(client, "wan-ai/wan-2-6/image-to-image", _WAN_BODY)
    clock.advance(30)
    assert client.get(flf["result_url"]).json()["error"]["error_code"] == 500
    assert client.get(wan["result_url"]).json()["status"] == "completed"


def test_timings_change_for_later_jobs_only(
    clocked: tuple[ServerHandle, ManualClock, httpx.Client],
) -> None:
    server, clock, client = clocked
    before = _submit(client, FLF, FLF_BODY)
    server.controller.set_timings(Timings(queue_seconds=0, run_seconds=1))
    after = _submit(client, FLF, FLF_BODY)
    clock.advance(1)
    assert client.get(before["status_url"]).json()["status"] == "in_queue"
    assert client.get(after["status_url"]).json()["status"] == "completed"


def test_the_output_of_a_model_can_be_overridden(
    clocked: tuple[ServerHandle, ManualClock, httpx.Client],
) -> None:
    server, clock, client = clocked
    server.controller.set_output(FLF, {"video": "https://cdn.example/v.mp4"})
    submitted = _submit(client, FLF, FLF_BODY)
    clock.advance(30)
    result = client.get(submitted["result_url"]).json()
    assert result["output"] == {"video": "https://cdn.example/v.mp4"}


def test_the_server_records_each_submitted_body(
    server: ServerHandle, http_client: httpx.Client
) -> None:
    submitted = _submit(http_client, FLF, {**FLF_BODY, "57_cfg": 2.5})
    (job,) = server.controller.jobs()
    assert (job.request_id, job.model_id) == (submitted["request_id"], FLF)
    assert job.body == {**FLF_BODY, "57_cfg": 2.5}


@pytest.mark.parametrize("model_id", SEED_MODELS)
def test_every_model_runs_its_example_and_its_output_files_download(
    server: ServerHandle, http_client: httpx.Client, model_id: str
) -> None:
    server.controller.set_timings(Timings(queue_seconds=0, run_seconds=0))
    model = server.models[model_id]
    submitted = _submit(http_client, model_id, dict(model.example_request))
    result = http_client.get(submitted["result_url"]).json()
    assert result["status"] == "completed"
    assert set(result["output"]) == set(model.output_schema["properties"])
    for url in _urls(result["output"]):
        download = http_client.get(url)
        assert download.status_code == 200
        path = url.split("/files/", 1)[1]
        assert download.content == placeholder_bytes(path, server.controller.file_size)


def test_server_factory_serves_its_own_config(server_factory: ServerFactory) -> None:
    handle = server_factory(config=ServerConfig(tokens=frozenset({"other-token"})))
    assert handle.token == "other-token"
    with _client(handle) as client:
        assert client.get("/v1/models").status_code == 200
    assert httpx.get(handle.url("/v1/models"), headers=_auth("test-token")).status_code == 401


_WAN_BODY = {"prompt": "two monsters", "image_urls": ["https://example.com/a.png"]}


def _client(handle: ServerHandle) -> httpx.Client:
    return httpx.Client(base_url=handle.base_url, headers=_auth(handle.token), timeout=5.0)


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _submit(client: httpx.Client, model_id: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"/v1/models/{model_id}", json=body)
    assert response.status_code == 200, response.text
    submitted: dict[str, Any] = response.json()
    return submitted


def _poll_states(client: httpx.Client, status_url: str, attempts: int = 500) -> list[str]:
    """Distinct states in the order seen, until a finished one (bounded, no timing asserts)."""
    seen: list[str] = []
    for _ in range(attempts):
        state = client.get(status_url).json()["status"]
        if not seen or seen[-1] != state:
            seen.append(state)
        if state in ("completed", "failed", "cancelled"):
            return seen
        time.sleep(0.01)
    pytest.fail(f"the job did not finish; states seen: {seen}")


def _urls(output: dict[str, Any]) -> Iterator[str]:
    for value in output.values():
        yield from value if isinstance(value, list) else [value]
