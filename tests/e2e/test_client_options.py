"""End-to-end: per-call options, ``with_options``, any model by id, raw answers, identity.

Every test runs with the sync and the async client (the ``sdk`` fixture) against the local
server over real HTTP; headers and query strings are read where the server receives them
(a request hook sees each request as it leaves the client).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import runcomfy_sdk
from runcomfy_sdk import (
    APITimeoutError,
    InputValidationError,
    InvalidModelError,
    JobFailedError,
    NotFoundError,
    OutputModel,
    RequestValidationError,
    ServerError,
)

from generator.server import ServerHandle, Timings, faults

from .conftest import (
    FLF_FIELDS,
    FLF_MODEL_ID,
    SCHEMAS,
    SdkClient,
    SdkRunner,
    ServerFactory,
    first_last_frame,
    settle,
)

NEW_MODEL_ID = "acme/brand-new/v1"
"""A model the server serves and the generated SDK has never heard of."""
FLF_WIRE = {
    "6_text": FLF_FIELDS["prompt"],
    "68_image": FLF_FIELDS["start_image"],
    "62_image": FLF_FIELDS["end_image"],
}
A_URL = "https://example.com/a.png"
QUICK = Timings(queue_seconds=0.02, run_seconds=0.03)


@pytest.fixture(autouse=True)
def quick_jobs(server: ServerHandle) -> None:
    server.controller.set_timings(QUICK)


def _schemas_ahead_of_the_sdk(directory: Path) -> Path:
    """The seed schemas, plus what the API has and the SDK does not know yet: a new input
    of first-last-frame (``99_motion``) and a whole new model."""
    shutil.copytree(SCHEMAS, directory)
    flf = directory / f"{FLF_MODEL_ID}.json"
    schema = json.loads(flf.read_text(encoding="utf-8"))
    schema["input_schema"]["properties"]["99_motion"] = {"type": "float", "title": "Motion"}
    flf.write_text(json.dumps(schema), encoding="utf-8")
    new = json.loads((directory / "wan-ai/wan-2-6/image-to-image.json").read_text("utf-8"))
    new["model_id"] = NEW_MODEL_ID
    (directory / "acme/brand-new").mkdir(parents=True)
    (directory / "acme/brand-new/v1.json").write_text(json.dumps(new), encoding="utf-8")
    return directory


@pytest.fixture
def ahead(server_factory: ServerFactory, tmp_path: Path) -> ServerHandle:
    handle = server_factory(schemas_dir=_schemas_ahead_of_the_sdk(tmp_path / "schemas"))
    handle.controller.set_timings(QUICK)
    return handle


class Recorder:
    """Every request the client sends: method, path, query and headers."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> None:
        self.requests.append(request)

    def paths(self) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.requests]


# Per-call options ---------------------------------------------------------------------------


def test_extra_headers_and_query_reach_every_call_they_are_given_to(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    extra = {"extra_headers": {"X-Trace": "t-1"}, "extra_query": {"trace": "q-1"}}

    async def scenario(client: SdkClient) -> None:
        job = await settle(first_last_frame(client).submit(**FLF_FIELDS))
        await settle(client.requests.status(job.request_id, **extra))
        await settle(job.wait(timeout=10, **extra))
        await settle(job.result(**extra))
        await settle(client.models.list(limit=1, **extra))
        await settle(client.models.get(FLF_MODEL_ID, **extra))
        await settle(client.submit(FLF_MODEL_ID, FLF_WIRE, **extra))

    recorder = Recorder()
    sdk.run(scenario, request_hook=recorder)

    first, *rest = recorder.requests
    assert first.method == "POST" and "x-trace" not in first.headers  # not given: not sent
    assert rest, recorder.paths()
    for request in rest:
        assert request.headers["x-trace"] == "t-1", request.url
        assert request.url.params["trace"] == "q-1", request.url
        assert request.headers["authorization"] == f"Bearer {server.token}"  # still there


def test_max_retries_per_call_overrides_the_clients_either_way(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    async def scenario(client: SdkClient) -> None:
        job = await settle(client.submit(FLF_MODEL_ID, FLF_WIRE))
        server.controller.inject(faults.http_error("status", 503, times=2, retry_after=0))
        await settle(job.status(max_retries=2))  # the client alone would give up
        server.controller.inject(faults.http_error("status", 503, times=5, retry_after=0))
        with pytest.raises(ServerError):
            await settle(client.with_options(max_retries=5).requests.status(
                job.request_id, max_retries=0
            ))  # fmt: skip

    sdk.run(scenario, max_retries=0)

    assert server.controller.count("status") == 3 + 1


def test_a_per_call_timeout_bounds_that_call_only(sdk: SdkRunner, server: ServerHandle) -> None:
    async def scenario(client: SdkClient) -> None:
        job = await settle(client.submit(FLF_MODEL_ID, FLF_WIRE))
        server.controller.inject(faults.slow("status", delay=3.0))
        with pytest.raises(APITimeoutError) as caught:
            await settle(job.status(timeout=0.2, max_retries=0))
        assert caught.value.request_id == job.request_id
        await settle(job.status())  # the client's own timeout is untouched

    sdk.run(scenario)


def test_extra_body_sends_an_input_the_typed_fields_do_not_cover(
    sdk: SdkRunner, ahead: ServerHandle
) -> None:
    async def scenario(client: SdkClient) -> None:
        await settle(first_last_frame(client).submit(**FLF_FIELDS, extra_body={"99_motion": 0.5}))

    sdk.on(ahead).run(scenario)

    [job] = ahead.controller.jobs()
    assert job.body == {**FLF_WIRE, "99_motion": 0.5}


def test_extra_body_naming_a_typed_field_is_refused_before_sending(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    async def scenario(client: SdkClient) -> list[InputValidationError]:
        refused = []
        for key in ("57_steps", "steps"):
            with pytest.raises(InputValidationError) as caught:
                await settle(first_last_frame(client).run(**FLF_FIELDS, extra_body={key: 30}))
            refused.append(caught.value)
        with pytest.raises(InputValidationError) as caught:  # the untyped call: given twice
            await settle(client.submit(FLF_MODEL_ID, FLF_WIRE, extra_body={"6_text": "again"}))
        refused.append(caught.value)
        return refused

    wire_key, name, repeated = sdk.run(scenario)

    for error in (wire_key, name):
        [problem] = error.problems
        assert (problem.field, problem.wire_key) == ("steps", "57_steps")
        assert "set steps= instead" in str(error)
    assert repeated.problems[0].wire_key == "6_text"
    assert server.controller.count("submit") == 0


def test_with_options_gives_a_configured_copy_on_the_same_connections(
    sdk: SdkRunner, server: ServerHandle, ahead: ServerHandle
) -> None:
    async def scenario(client: SdkClient) -> None:
        other = client.with_options(base_url=ahead.base_url + "/", timeout=2.5, max_retries=0)
        assert (other.base_url, other.max_retries) == (ahead.base_url, 0)
        assert other.timeout == httpx.Timeout(2.5)
        assert (client.base_url, client.max_retries) == (server.base_url, 2)
        assert other._http is client._http  # one pool
        await settle(other.submit(NEW_MODEL_ID, {"prompt": "p", "image_urls": [A_URL]}))
        await settle(other.close())  # a copy does not close the pool it shares
        await settle(client.models.get(FLF_MODEL_ID))
        with pytest.raises(TypeError, match="http_client"):
            client.with_options(http_client=None)  # type: ignore[call-arg]

    sdk.run(scenario, max_retries=2)

    assert ahead.controller.count("submit") == 1
    assert server.controller.count("catalog") == 1


def test_unknown_options_and_bad_values_are_usage_errors(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    async def scenario(client: SdkClient) -> None:
        with pytest.raises(TypeError, match="retries"):
            await settle(client.requests.status("r-1", retries=3))
        with pytest.raises(ValueError, match="max_retries"):
            await settle(client.requests.status("r-1", max_retries=-1))
        with pytest.raises(TypeError, match="extra_headers"):
            await settle(client.models.list(extra_headers=["X-Trace"]))

    sdk.run(scenario)
    assert server.controller.stats().requests == {
        route: 0 for route in server.controller.stats().requests
    }


# Any model by id -----------------------------------------------------------------------------


def test_a_model_the_sdk_does_not_know_is_called_by_id(sdk: SdkRunner, ahead: ServerHandle) -> None:
    body = {"prompt": "a lighthouse at dusk", "image_urls": ["https://example.com/a.png"]}

    async def scenario(client: SdkClient) -> tuple[Any, Any, Any]:
        job = await settle(client.submit(NEW_MODEL_ID, body))
        waited = await settle(job.wait(timeout=10))
        ran = await settle(client.run(NEW_MODEL_ID, input=body, timeout=10))
        return job, waited, ran

    job, waited, ran = sdk.on(ahead).run(scenario)

    assert job.output_type is OutputModel
    for output in (waited, ran):
        assert type(output) is OutputModel
        assert output.urls() and all(url.startswith(ahead.base_url) for url in output.urls())
    assert [j.body for j in ahead.controller.jobs()] == [body, body]
    assert [j.model_id for j in ahead.controller.jobs()] == [NEW_MODEL_ID] * 2


def test_the_typed_accessor_and_the_call_by_id_send_the_same_request(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    async def scenario(client: SdkClient) -> None:
        await settle(first_last_frame(client).submit(**FLF_FIELDS, steps=12))
        await settle(client.submit(FLF_MODEL_ID, {**FLF_WIRE, "57_steps": 12}))

    recorder = Recorder()
    sdk.run(scenario, request_hook=recorder)

    typed, generic = recorder.requests
    assert (typed.method, typed.url) == (generic.method, generic.url)
    assert json.loads(typed.content) == json.loads(generic.content)
    assert {k: v for k, v in typed.headers.items() if k != "content-length"} == {
        k: v for k, v in generic.headers.items() if k != "content-length"
    }


def test_calls_by_id_get_the_same_errors(sdk: SdkRunner, server: ServerHandle) -> None:
    server.controller.fail_model(FLF_MODEL_ID)

    async def scenario(client: SdkClient) -> list[Exception]:
        errors: list[Exception] = []
        for call in (
            lambda: client.run("acme/no-such-model", {"prompt": "p"}),
            lambda: client.submit(FLF_MODEL_ID, {"6_text": "p", "57_steps": 99}),
            lambda: client.run(FLF_MODEL_ID, FLF_WIRE, timeout=10),
        ):
            with pytest.raises(Exception) as caught:
                await settle(call())
            errors.append(caught.value)
        return errors

    unknown, invalid, failed = sdk.run(scenario)

    assert isinstance(unknown, InvalidModelError)
    assert isinstance(invalid, RequestValidationError)
    # Untyped: the server's wire keys are all there is to name the fields by.
    assert {(p.field, p.wire_key) for p in invalid.problems} >= {(None, "57_steps")}
    assert isinstance(failed, JobFailedError)
    assert failed.request_id == server.controller.jobs()[-1].request_id


# Validation errors --------------------------------------------------------------------------


def test_a_server_422_names_fields_as_the_caller_wrote_them(
    sdk: SdkRunner, server_factory: ServerFactory, tmp_path: Path
) -> None:
    strict_dir = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, strict_dir)
    path = strict_dir / f"{FLF_MODEL_ID}.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["input_schema"]["properties"]["57_steps"]["maximum"] = 10
    path.write_text(json.dumps(schema), encoding="utf-8")
    strict = server_factory(schemas_dir=strict_dir)

    async def scenario(client: SdkClient) -> None:
        await settle(first_last_frame(client).submit(**FLF_FIELDS, steps=15))

    with pytest.raises(RequestValidationError) as caught:
        sdk.on(strict).run(scenario)

    [problem] = caught.value.problems
    assert (problem.field, problem.wire_key, problem.location) == (
        "steps",
        "57_steps",
        ("57_steps",),
    )
    assert "steps (wire key 57_steps)" in str(caught.value)
    assert caught.value.detail[0]["loc"] == ["body", "57_steps"]  # as the server sent it


def test_an_out_of_range_input_is_a_runcomfy_error_naming_both_names(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    async def scenario(client: SdkClient) -> InputValidationError:
        try:
            await settle(first_last_frame(client).run(**FLF_FIELDS, steps=25))
        except runcomfy_sdk.RunComfyError as error:  # the README's catch-all catches it
            assert isinstance(error, InputValidationError)
            return error
        raise AssertionError("steps=25 was accepted")

    error = sdk.run(scenario)

    [problem] = error.problems
    assert (problem.field, problem.wire_key, problem.type) == (
        "steps",
        "57_steps",
        "less_than_equal",
    )
    assert "steps (wire key 57_steps): Input should be less than or equal to 20 (got 25)" in str(
        error
    )
    assert error.errors()[0]["ctx"] == {"le": 20}  # pydantic's details
    assert server.controller.count("submit") == 0


# Raw answers --------------------------------------------------------------------------------


def test_results_and_status_errors_expose_the_http_answer(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    async def scenario(client: SdkClient) -> tuple[Any, NotFoundError]:
        output = await settle(client.run(FLF_MODEL_ID, FLF_WIRE, timeout=10))
        assert output.urls()
        request_id = server.controller.jobs()[0].request_id
        result = await settle(client.requests.result(request_id, include_cost=True))
        with pytest.raises(NotFoundError) as caught:
            await settle(client.requests.result("no-such-request"))
        return result, caught.value

    result, missing = sdk.run(scenario)

    assert result.response.status_code == 200
    assert result.response.headers["content-type"] == "application/json"
    assert result.response.body["request_id"] == result.request_id
    assert result.response.body["cost"] == result.cost
    assert missing.response is not None and missing.response.status_code == 404
    assert missing.headers is not None and missing.headers["content-type"] == "application/json"
    assert missing.response.body == missing.body and missing.body["error_code"] == 404001


# Environment and identity -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variables", "works"),
    [
        ({"RUNCOMFY_API_TOKEN": "{token}"}, True),
        ({"RUNCOMFY_TOKEN": "  {token}\n"}, True),
        ({"RUNCOMFY_API_TOKEN": "   ", "RUNCOMFY_TOKEN": "{token}"}, True),
        ({"RUNCOMFY_API_TOKEN": "{token}", "RUNCOMFY_TOKEN": "wrong"}, True),
        ({"RUNCOMFY_API_TOKEN": "wrong", "RUNCOMFY_TOKEN": "{token}"}, False),
    ],
    ids=["api-token", "cli-token-trimmed", "blank-is-unset", "api-token-first", "no-fallback"],
)
def test_token_and_base_url_come_from_the_environment(
    sdk: SdkRunner,
    server: ServerHandle,
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, str],
    works: bool,
) -> None:
    for name in ("RUNCOMFY_API_TOKEN", "RUNCOMFY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value.format(token=server.token))
    monkeypatch.setenv("RUNCOMFY_BASE_URL", f"  {server.base_url}/ ")

    async def scenario(client: SdkClient) -> None:
        assert client.base_url == server.base_url
        await settle(client.models.list())

    if works:
        sdk.run(scenario, api_token=None, base_url=None)
    else:
        with pytest.raises(runcomfy_sdk.AuthenticationError):
            sdk.run(scenario, api_token=None, base_url=None)


def test_the_user_agent_names_the_sdk_its_generator_and_python(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    async def scenario(client: SdkClient) -> None:
        await settle(client.models.list())

    recorder = Recorder()
    sdk.run(scenario, request_hook=recorder)

    agent = recorder.requests[0].headers["user-agent"]
    python = ".".join(map(str, sys.version_info[:3]))
    assert agent.startswith(f"runcomfy_sdk/{runcomfy_sdk.__version__} (runcomfy-codegen/")
    assert f"python/{python}" in agent
