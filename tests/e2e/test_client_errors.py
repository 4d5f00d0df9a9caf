"""End-to-end: every way a call can go wrong arrives as the SDK's typed error, both clients.

The server's own answers (422 with ``detail``, 401, 402, 403, 404, failed jobs, errors
inside a 200, broken JSON) and the SDK's local checks (local file paths, deadlines,
missing token) are each met through the public API, over real HTTP.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from runcomfy_sdk import (
    AuthenticationError,
    BadResponseError,
    InputValidationError,
    InsufficientBalanceError,
    JobFailedError,
    MissingTokenError,
    NotFoundError,
    PermissionDeniedError,
    RequestValidationError,
    RunComfy,
    RunComfyError,
    WaitTimeoutError,
)

from generator.server import DEFAULT_TOKEN, ServerConfig, ServerHandle, Timings, faults

from .conftest import (
    FAST_TIMING,
    FLF_FIELDS,
    FLF_MODEL_ID,
    SCHEMAS,
    SdkClient,
    SdkRunner,
    ServerFactory,
    first_last_frame,
    settle,
)

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
QUEUED_FOR_GOOD = Timings(queue_seconds=60, run_seconds=60)
WAIT_LIMIT = 10.0


async def _submit_flf(client: SdkClient, **fields: Any) -> Any:
    return await settle(first_last_frame(client).submit(**{**FLF_FIELDS, **fields}))


def _strict_schemas(directory: Path) -> Path:
    """A copy of ``schemas/`` whose first/last-frame model allows at most 10 steps (SDK: 20)."""
    shutil.copytree(SCHEMAS, directory)
    path = directory / f"{FLF_MODEL_ID}.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["input_schema"]["properties"]["57_steps"]["maximum"] = 10
    path.write_text(json.dumps(schema, ensure_ascii=False, indent=2), encoding="utf-8")
    return directory


def test_a_server_side_validation_error_arrives_typed_with_its_detail(
    sdk: SdkRunner, server_factory: ServerFactory, tmp_path: Path
) -> None:
    strict = server_factory(schemas_dir=_strict_schemas(tmp_path / "schemas"))

    async def scenario(client: SdkClient) -> None:
        await _submit_flf(client, steps=15)  # the SDK allows up to 20: only the server objects

    with pytest.raises(RequestValidationError) as caught:
        sdk.on(strict).run(scenario)

    error = caught.value
    assert (error.status_code, error.error_code) == (422, 422)
    [problem] = error.detail
    assert problem["loc"] == ["body", "57_steps"]
    assert "10" in problem["msg"]
    assert "57_steps" in str(error)
    assert strict.controller.count("submit") == 1  # a 422 is final: not sent again
    assert strict.controller.jobs() == ()


def test_a_bad_token_gives_an_authentication_error_on_submit_and_status(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    async def submit(client: SdkClient) -> None:
        await _submit_flf(client)

    async def status(client: SdkClient) -> None:
        await settle(client.requests.status(UNKNOWN_ID))

    errors = []
    for scenario in (submit, status):
        with pytest.raises(AuthenticationError) as caught:
            sdk.run(scenario, api_token="not-the-token")
        errors.append(caught.value)

    assert [(e.status_code, e.error_code) for e in errors] == [(401, 400004), (401, 400004)]
    assert all("API token" in str(error) for error in errors)  # what to do next
    assert server.controller.count("submit") == 1  # neither call is retried
    assert server.controller.count("status") == 1
    assert server.controller.jobs() == ()


def test_an_unknown_request_id_gives_not_found_and_is_not_retried(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    async def scenario(client: SdkClient) -> list[NotFoundError]:
        found = []
        for call in (
            lambda: client.requests.status(UNKNOWN_ID),
            lambda: client.requests.result(UNKNOWN_ID),
            lambda: client.job(UNKNOWN_ID).wait(timeout=WAIT_LIMIT),
        ):
            with pytest.raises(NotFoundError) as caught:
                await settle(call())
            found.append(caught.value)
        return found

    errors = sdk.run(scenario)

    assert [(e.status_code, e.error_code, e.request_id) for e in errors] == [
        (404, 404001, UNKNOWN_ID)
    ] * 3
    assert server.controller.count("status") == 2
    assert server.controller.count("result") == 1


def test_a_failed_job_raises_job_failed_with_the_servers_error(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    reported = {"error_code": 500, "error_message": "CUDA out of memory in node 57"}
    server.controller.fail_next(error=reported)

    async def scenario(client: SdkClient) -> None:
        await settle(first_last_frame(client).run(**FLF_FIELDS, timeout=WAIT_LIMIT))

    with pytest.raises(JobFailedError) as caught:
        sdk.run(scenario)

    [job] = server.controller.jobs()
    error = caught.value
    assert error.request_id == job.request_id
    assert error.error == reported
    assert "CUDA out of memory in node 57" in str(error)


def test_a_wait_deadline_raises_wait_timeout_keeping_the_request_id(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    server.controller.set_timings(QUEUED_FOR_GOOD)

    async def scenario(client: SdkClient) -> tuple[str, WaitTimeoutError, WaitTimeoutError, Any]:
        job = await _submit_flf(client)
        with pytest.raises(WaitTimeoutError) as waited:
            await settle(job.wait(timeout=0.2))
        with pytest.raises(WaitTimeoutError) as ran:
            await settle(first_last_frame(client).run(**FLF_FIELDS, timeout=0.2))
        # The id kept by the error is enough to find the job again.
        assert ran.value.request_id is not None
        resumed = await settle(client.job(ran.value.request_id).status())
        return job.request_id, waited.value, ran.value, resumed

    request_id, waited, ran, resumed = sdk.run(scenario)

    assert waited.request_id == request_id
    assert (waited.timeout, waited.last_status) == (0.2, "in_queue")
    assert request_id in str(waited)
    second = server.controller.jobs()[1]
    assert ran.request_id == second.request_id
    assert resumed.request_id == second.request_id and resumed.is_queued


def test_a_local_path_as_media_input_fails_before_any_http_call(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    async def scenario(client: SdkClient) -> list[InputValidationError]:
        model = client.wan_ai.wan_2_6.image_to_image
        refused = []
        for call in (model.submit, model.run):
            with pytest.raises(InputValidationError) as caught:
                await settle(call(prompt="image 1 as a painting", image_urls=["./cat.png"]))
            refused.append(caught.value)
        return refused

    errors = sdk.run(scenario)

    for error in errors:
        assert isinstance(error, RunComfyError)  # one tree: `except RunComfyError` catches it
        [problem] = error.problems
        assert (problem.field, problem.wire_key, problem.location) == (
            "image_urls",
            "image_urls",
            ("image_urls", 0),
        )
        assert "'./cat.png'" in str(error)
        assert "publicly reachable HTTPS URL" in str(error)
    assert server.controller.count("submit") == 0


def test_insufficient_balance_gives_its_own_error(
    sdk: SdkRunner, server_factory: ServerFactory
) -> None:
    broke = server_factory(
        config=ServerConfig(tokens=frozenset({DEFAULT_TOKEN}), broke_tokens=frozenset({"broke"}))
    )

    async def scenario(client: SdkClient) -> None:
        await _submit_flf(client)

    with pytest.raises(InsufficientBalanceError) as caught:
        sdk.on(broke).run(scenario, api_token="broke")

    assert (caught.value.status_code, caught.value.error_code) == (402, 400002)
    assert "Top up" in str(caught.value)
    assert broke.controller.count("submit") == 1


def test_another_accounts_request_gives_permission_denied(
    sdk: SdkRunner, server_factory: ServerFactory
) -> None:
    shared = server_factory(config=ServerConfig(tokens=frozenset({"alice", "bob"})))

    async def submit(client: SdkClient) -> str:
        job = await _submit_flf(client)
        return str(job.request_id)

    async def peek(client: SdkClient) -> None:
        await settle(client.requests.status(request_id))

    request_id = sdk.on(shared).run(submit, api_token="alice")
    with pytest.raises(PermissionDeniedError) as caught:
        sdk.on(shared).run(peek, api_token="bob")

    assert (caught.value.status_code, caught.value.error_code) == (403, 403001)
    assert caught.value.request_id == request_id


def test_an_error_inside_an_http_200_is_raised_as_the_error_it_names(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    server.controller.inject(
        faults.error_in_200("submit", error_code=400002, message="Balance too low for this job")
    )

    async def scenario(client: SdkClient) -> None:
        await _submit_flf(client)

    with pytest.raises(InsufficientBalanceError) as caught:
        sdk.run(scenario)

    assert (caught.value.status_code, caught.value.error_code) == (200, 400002)
    assert "Balance too low for this job" in str(caught.value)
    assert server.controller.count("submit") == 1


def test_a_submit_answered_with_broken_json_is_a_bad_response_and_not_resent(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    server.controller.inject(faults.malformed("submit"))

    async def scenario(client: SdkClient) -> None:
        await _submit_flf(client)

    with pytest.raises(BadResponseError):
        sdk.run(scenario)

    assert server.controller.count("submit") == 1
    assert len(server.controller.jobs()) == 1  # the job exists: resending would make two


def test_the_token_comes_from_the_environment_and_its_absence_is_a_clear_error(
    server: ServerHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RUNCOMFY_API_TOKEN", raising=False)
    with pytest.raises(MissingTokenError) as caught:
        RunComfy(base_url=server.base_url)
    assert "RUNCOMFY_API_TOKEN" in str(caught.value)

    monkeypatch.setenv("RUNCOMFY_API_TOKEN", server.token)
    with RunComfy(base_url=server.base_url, timing=FAST_TIMING) as client:
        job = client.community.wan_2_2.first_last_frame.submit(**FLF_FIELDS)
        assert client.requests.status(job.request_id).request_id == job.request_id
    assert server.controller.count("submit") == 1
