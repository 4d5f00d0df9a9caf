"""Test doubles for the runtime: a scripted API behind ``httpx.MockTransport``, a fake
clock, stand-ins for generated models, and a harness running each test sync and async."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Sequence
from typing import Any

import httpx
from pydantic import Field
from runcomfy_sdk._runtime import (
    AsyncJob,
    AsyncModelResource,
    AsyncRunComfyBase,
    Job,
    MediaUrl,
    ModelResource,
    OutputModel,
    RequestModel,
    RunComfyBase,
    Timing,
)

TOKEN = "rc-test-token-9f8e7d6c5b4a"
BASE_URL = "https://api.runcomfy.test"
MODEL_ID = "community/wan-2-2/first-last-frame"
MODEL_PATH = f"/v1/models/{MODEL_ID}"

Responder = Callable[[httpx.Request], httpx.Response]


def reply(
    status: int = 200,
    json: Any = None,
    *,
    headers: dict[str, str] | None = None,
    content: bytes | None = None,
) -> Responder:
    """A fresh response per call (httpx responses must not be reused)."""

    def respond(request: httpx.Request) -> httpx.Response:
        if content is not None:
            return httpx.Response(status, content=content, headers=headers)
        return httpx.Response(status, json=json, headers=headers)

    return respond


def fail(exception_type: type[httpx.TransportError], message: str = "boom") -> Responder:
    def respond(request: httpx.Request) -> httpx.Response:
        raise exception_type(message, request=request)

    return respond


def status_body(request_id: str, status: str, position: int | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"request_id": request_id, "status": status}
    if position is not None:
        body["queue_position"] = position
    return body


class FakeApi:
    """Routes ``(method, path)`` to scripted replies; the last reply of a route repeats."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._routes: dict[tuple[str, str], list[Responder]] = {}
        self.unrouted: Responder | None = None
        """Answers requests no route matches (default: a RunComfy-style 404)."""

    def on(self, method: str, path: str, *replies: Responder) -> None:
        self._routes[(method, path)] = list(replies)

    def script_job(
        self,
        request_id: str,
        states: Sequence[tuple[str, int | None]],
        result: dict[str, Any] | None = None,
    ) -> None:
        """A job that answers submit, walks through ``states``, then serves ``result``."""
        self.on("POST", MODEL_PATH, reply(200, submitted(request_id)))
        self.on(
            "GET",
            f"/v1/requests/{request_id}/status",
            *[reply(200, status_body(request_id, s, p)) for s, p in states],
        )
        if result is not None:
            self.on("GET", f"/v1/requests/{request_id}/result", reply(200, result))

    def calls(self, method: str, path: str) -> int:
        return sum(1 for r in self.requests if r.method == method and r.url.path == path)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        queue = self._routes.get((request.method, request.url.path))
        if not queue:
            if self.unrouted is not None:
                return self.unrouted(request)
            return httpx.Response(404, json={"error_code": 404001, "error_message": "no route"})
        responder = queue.pop(0) if len(queue) > 1 else queue[0]
        return responder(request)


def submitted(request_id: str) -> dict[str, Any]:
    base = f"{BASE_URL}/v1/requests/{request_id}"
    return {
        "request_id": request_id,
        "status_url": f"{base}/status",
        "result_url": f"{base}/result",
        "cancel_url": f"{base}/cancel",
    }


class FakeClock:
    """Time that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.wall = 1_700_000_000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def wall_clock(self) -> float:
        return self.wall + self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)

    def timing(self, **overrides: Any) -> Timing:
        fields: dict[str, Any] = {
            "monotonic": self.monotonic,
            "wall_clock": self.wall_clock,
            "random": lambda: 0.0,
        }
        return Timing(**(fields | overrides))


class VideoRequest(RequestModel):
    model_id = MODEL_ID

    prompt: str = Field(alias="6_text")
    start_image: MediaUrl = Field(alias="68_image")
    steps: int | None = Field(default=None, alias="57_steps")


class VideoOutput(OutputModel):
    video: str | None = None


class VideoModel(ModelResource[VideoRequest, VideoOutput]):
    """What the generator emits for one model, by hand."""

    request_type = VideoRequest
    output_type = VideoOutput

    def submit(self, request: VideoRequest | None = None, /, **kwargs: Any) -> Job[VideoOutput]:
        return self._submit_with(request, kwargs)

    def run(self, request: VideoRequest | None = None, /, **kwargs: Any) -> VideoOutput:
        return self._run_with(request, kwargs)


class AsyncVideoModel(AsyncModelResource[VideoRequest, VideoOutput]):
    request_type = VideoRequest
    output_type = VideoOutput

    async def submit(
        self, request: VideoRequest | None = None, /, **kwargs: Any
    ) -> AsyncJob[VideoOutput]:
        return await self._submit_with(request, kwargs)

    async def run(self, request: VideoRequest | None = None, /, **kwargs: Any) -> VideoOutput:
        return await self._run_with(request, kwargs)


class Sdk:
    """The client under test in one flavour; ``run(x)`` awaits ``x`` when it is async."""

    def __init__(self, flavor: str, api: FakeApi, clock: FakeClock) -> None:
        self.flavor = flavor
        self.api = api
        self.clock = clock
        self._http_clients: list[httpx.Client | httpx.AsyncClient] = []
        self.client = self.new_client()

    @property
    def is_async(self) -> bool:
        return self.flavor == "async"

    def new_client(self, **overrides: Any) -> Any:
        kwargs: dict[str, Any] = {
            "api_token": TOKEN,
            "base_url": BASE_URL,
            "timing": self.clock.timing(),
        } | overrides
        transport = httpx.MockTransport(self.api.handle)
        if self.is_async:
            async_http = httpx.AsyncClient(transport=transport)
            self._http_clients.append(async_http)
            return AsyncRunComfyBase(http_client=async_http, sleep=self.clock.asleep, **kwargs)
        http = httpx.Client(transport=transport)
        self._http_clients.append(http)
        return RunComfyBase(http_client=http, sleep=self.clock.sleep, **kwargs)

    def model(self, client: Any = None) -> Any:
        """The stand-in generated accessor of ``VideoRequest``'s model."""
        owner = client or self.client
        return AsyncVideoModel(owner) if self.is_async else VideoModel(owner)

    def run(self, value: Any) -> Any:
        return asyncio.run(value) if inspect.iscoroutine(value) else value

    def close(self) -> None:
        for http in self._http_clients:
            if isinstance(http, httpx.AsyncClient):
                asyncio.run(http.aclose())
            else:
                http.close()
