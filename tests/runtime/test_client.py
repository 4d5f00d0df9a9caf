"""Client configuration: token, headers, base URL, ownership of the HTTP client, exports."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import runcomfy_sdk._runtime as runtime
from runcomfy_sdk._runtime import (
    AsyncRunComfyBase,
    JobStatus,
    MissingTokenError,
    OutputModel,
    RunComfyBase,
)

from tests.runtime.fakes import BASE_URL, TOKEN, FakeApi, Sdk, reply, status_body


def test_every_call_sends_the_bearer_token(sdk: Sdk, fake_api: FakeApi) -> None:
    fake_api.on("GET", "/v1/requests/r-1/status", reply(200, status_body("r-1", "in_queue", 4)))

    status = sdk.run(sdk.client.requests.status("r-1"))

    assert status == JobStatus(request_id="r-1", status="in_queue", queue_position=4)
    (request,) = fake_api.requests
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Accept"] == "application/json"
    assert str(request.url) == f"{BASE_URL}/v1/requests/r-1/status"


def test_token_comes_from_the_environment(
    sdk: Sdk, fake_api: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNCOMFY_API_TOKEN", "  env-token-123\n")
    fake_api.on("GET", "/v1/requests/r-1/status", reply(200, status_body("r-1", "in_queue")))
    client = sdk.new_client(api_token=None)

    sdk.run(client.requests.status("r-1"))

    assert fake_api.requests[0].headers["Authorization"] == "Bearer env-token-123"


@pytest.mark.parametrize("token", [None, "", "   "])
def test_missing_token_names_the_variable(
    sdk: Sdk, monkeypatch: pytest.MonkeyPatch, token: str | None
) -> None:
    monkeypatch.delenv("RUNCOMFY_API_TOKEN", raising=False)
    with pytest.raises(MissingTokenError) as caught:
        sdk.new_client(api_token=token)
    assert "RUNCOMFY_API_TOKEN" in str(caught.value)
    assert "api_token=" in str(caught.value)


def test_base_url_trailing_slash_is_ignored(sdk: Sdk, fake_api: FakeApi) -> None:
    fake_api.on("GET", "/v1/requests/r-1/status", reply(200, status_body("r-1", "in_queue")))
    client = sdk.new_client(base_url=BASE_URL + "/")

    sdk.run(client.requests.status("r-1"))

    assert str(fake_api.requests[0].url) == f"{BASE_URL}/v1/requests/r-1/status"
    assert client.base_url == BASE_URL


def test_request_ids_are_escaped_into_one_path_segment(sdk: Sdk, fake_api: FakeApi) -> None:
    with pytest.raises(runtime.NotFoundError):
        sdk.run(sdk.client.requests.status("a/../b"))
    assert fake_api.requests[0].url.raw_path == b"/v1/requests/a%2F..%2Fb/status"


@pytest.mark.parametrize("bad_id", ["", "  "])
def test_an_empty_request_id_is_refused_before_any_call(
    sdk: Sdk, fake_api: FakeApi, bad_id: str
) -> None:
    with pytest.raises(ValueError, match="request_id"):
        sdk.run(sdk.client.requests.status(bad_id))
    with pytest.raises(ValueError, match="request_id"):
        sdk.client.job(bad_id)
    assert fake_api.requests == []


def test_catalog_list_and_get(sdk: Sdk, fake_api: FakeApi) -> None:
    entry = {"model_id": "community/wan-2-2/first-last-frame", "input_schema": {"type": "object"}}
    fake_api.on("GET", "/v1/models", reply(200, {"models": [entry], "total": 7, "next": None}))
    fake_api.on("GET", "/v1/models/community/wan-2-2/first-last-frame", reply(200, entry))

    page = sdk.run(sdk.client.models.list(limit=1, offset=2, include_schema=True))
    one = sdk.run(sdk.client.models.get("community/wan-2-2/first-last-frame"))

    assert page.total == 7
    assert [m.model_id for m in page.models] == ["community/wan-2-2/first-last-frame"]
    assert one.input_schema == {"type": "object"}
    listing, single = fake_api.requests
    assert dict(listing.url.params) == {"include_schema": "true", "limit": "1", "offset": "2"}
    assert single.url.raw_path == b"/v1/models/community/wan-2-2/first-last-frame"


def test_catalog_list_sends_only_the_parameters_given(sdk: Sdk, fake_api: FakeApi) -> None:
    fake_api.on("GET", "/v1/models", reply(200, {"models": []}))

    page = sdk.run(sdk.client.models.list())

    assert page.models == [] and page.total is None
    assert fake_api.requests[0].url.query == b""


def test_the_wrong_http_client_kind_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match=r"httpx\.Client"):
        RunComfyBase(TOKEN, http_client=httpx.AsyncClient())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"httpx\.AsyncClient"):
        AsyncRunComfyBase(TOKEN, http_client=httpx.Client())  # type: ignore[arg-type]


def test_sync_client_closes_only_its_own_http_client() -> None:
    own = RunComfyBase(TOKEN)
    with own:
        pass
    assert own._http.is_closed

    theirs = httpx.Client()
    with RunComfyBase(TOKEN, http_client=theirs):
        pass
    assert not theirs.is_closed
    theirs.close()


def test_async_client_closes_only_its_own_http_client() -> None:
    async def scenario() -> tuple[bool, bool]:
        theirs = httpx.AsyncClient()
        async with AsyncRunComfyBase(TOKEN) as own, AsyncRunComfyBase(TOKEN, http_client=theirs):
            pass
        result = (own._http.is_closed, theirs.is_closed)
        await theirs.aclose()
        return result

    assert asyncio.run(scenario()) == (True, False)


def test_resumed_job_without_an_output_class_keeps_every_key(sdk: Sdk, fake_api: FakeApi) -> None:
    body = {"request_id": "r-5", "status": "completed", "output": {"video": "https://x/v.mp4"}}
    fake_api.on("GET", "/v1/requests/r-5/result", reply(200, body))

    result = sdk.run(sdk.client.job("r-5").result())

    assert type(result.output) is OutputModel
    assert result.output.urls() == ["https://x/v.mp4"]


def test_runtime_exports_are_sorted_unique_and_importable() -> None:
    names = runtime.__all__
    assert len(names) == len(set(names))
    constants = [n for n in names if n.isupper()]
    assert names == sorted(constants) + sorted(n for n in names if not n.isupper())
    assert all(hasattr(runtime, name) for name in names)
    public_errors = {
        name
        for name, value in vars(runtime._errors).items()
        if isinstance(value, type) and issubclass(value, Exception) and not name.startswith("_")
    }
    assert public_errors <= set(names)
