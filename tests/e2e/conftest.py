"""Fixtures for end-to-end tests: a local RunComfy-compatible server on a free loopback port.

- ``server``: one server for the whole session, serving the repository's ``schemas/`` with
  short job timings (``E2E_TIMINGS``); it is reset (jobs, faults, counters, knobs) before
  each test that uses it. Use ``server.base_url``, ``server.token``, ``server.controller``.
- ``server_factory``: start a server of your own (config, clock, schemas dir); it stops when
  the test ends.
- ``http_client``: an ``httpx.Client`` on ``server`` that sends its token.
- ``sdk``: runs a scenario with the generated SDK's sync client, then (second
  parametrization) its async client, against ``server`` (see ``SdkRunner``).
"""

from __future__ import annotations

import asyncio
import inspect
import socket
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, TypeAlias, TypeVar, cast

import httpx
import pytest
from runcomfy_sdk import AsyncRunComfy, Backoff, RunComfy, Timing

from generator.server import Clock, ServerConfig, ServerHandle, Timings, running_server

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "schemas"
E2E_TIMINGS = Timings(queue_seconds=0.1, run_seconds=0.2)

ServerFactory = Callable[..., ServerHandle]


@pytest.fixture(scope="session")
def session_server() -> Iterator[ServerHandle]:
    with running_server(SCHEMAS, config=ServerConfig(timings=E2E_TIMINGS)) as handle:
        yield handle


@pytest.fixture
def server(session_server: ServerHandle) -> ServerHandle:
    session_server.controller.reset()
    return session_server


@pytest.fixture
def server_factory() -> Iterator[ServerFactory]:
    with ExitStack() as stack:

        def start(
            *,
            schemas_dir: Path = SCHEMAS,
            config: ServerConfig | None = None,
            clock: Clock | None = None,
        ) -> ServerHandle:
            chosen = config or ServerConfig(timings=E2E_TIMINGS)
            return stack.enter_context(running_server(schemas_dir, config=chosen, clock=clock))

        yield start


@pytest.fixture(scope="session")
def session_http_client(session_server: ServerHandle) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {session_server.token}"}
    with httpx.Client(base_url=session_server.base_url, headers=headers, timeout=5.0) as client:
        yield client


@pytest.fixture
def http_client(server: ServerHandle, session_http_client: httpx.Client) -> httpx.Client:
    """Shared by the session (creating an httpx client costs ~50 ms): do not mutate it."""
    return session_http_client


# The generated SDK against the server ----------------------------------------------------

FAST_TIMING = Timing(
    poll=Backoff(initial=0.05, factor=1.0, maximum=0.05),
    retry=Backoff(initial=0.01, factor=1.0, maximum=0.01),
)
"""Client schedules for tests: poll every 50 ms, retry after 10 ms, no jitter."""
SDK_TIMEOUT = 5.0
"""Per HTTP call; far above any answer of the local server."""

SdkClient: TypeAlias = RunComfy | AsyncRunComfy
ClientKind: TypeAlias = Literal["sync", "async"]
T = TypeVar("T")


async def settle(value: Awaitable[T] | T) -> T:
    """The outcome of a call on either client: awaited for the async one, as is for the sync."""
    if inspect.isawaitable(value):
        return cast(T, await value)
    return value


@dataclass(frozen=True, slots=True)
class SdkRunner:
    """Runs a scenario with a fresh client of one kind (sync or async) against one server.

    Scenarios are written once, as coroutines that pass every client call through
    ``settle``: the async client's calls are awaited, the sync client's calls simply block
    inside the event loop. So both clients go through exactly the same steps, each over its
    own HTTP stack, and the async client lives and dies inside a single event loop.
    """

    kind: ClientKind
    base_url: str
    token: str

    def on(self, handle: ServerHandle) -> SdkRunner:
        """The same kind of client, pointed at another server."""
        return replace(self, base_url=handle.base_url, token=handle.token)

    def run(
        self,
        scenario: Callable[[SdkClient], Awaitable[T]],
        *,
        sleeps: list[float] | None = None,
        request_hook: Callable[[httpx.Request], None] | None = None,
        **options: Any,
    ) -> T:
        """``scenario(client)`` with a new client, closed afterwards.

        Args:
            sleeps: receives every delay the client sleeps (polls and retries), in order.
            request_hook: sees every HTTP request the client starts, before it connects.
            options: client arguments (``api_token``, ``base_url``, ``max_retries`` …) that
                replace the defaults: this runner's server and token, ``FAST_TIMING``.
        """

        async def main() -> T:
            http = self._http_client(request_hook)
            client = self._client(sleeps, http, options)
            try:
                return await scenario(client)
            finally:
                await settle(client.close())
                if isinstance(http, httpx.AsyncClient):
                    await http.aclose()
                elif http is not None:
                    http.close()

        return asyncio.run(main())

    def _client(
        self,
        sleeps: list[float] | None,
        http: httpx.Client | httpx.AsyncClient | None,
        options: dict[str, Any],
    ) -> SdkClient:
        arguments: dict[str, Any] = {
            "api_token": self.token,
            "base_url": self.base_url,
            "timing": FAST_TIMING,
            "timeout": SDK_TIMEOUT,
            **options,
        }
        if http is not None:
            arguments["http_client"] = http
        if self.kind == "sync":
            if sleeps is not None:
                arguments["sleep"] = _recording_sleep(sleeps)
            return RunComfy(**arguments)
        if sleeps is not None:
            arguments["sleep"] = _recording_async_sleep(sleeps)
        return AsyncRunComfy(**arguments)

    def _http_client(
        self, request_hook: Callable[[httpx.Request], None] | None
    ) -> httpx.Client | httpx.AsyncClient | None:
        if request_hook is None:
            return None
        if self.kind == "sync":
            return httpx.Client(event_hooks={"request": [request_hook]})

        async def async_hook(request: httpx.Request) -> None:
            request_hook(request)

        return httpx.AsyncClient(event_hooks={"request": [async_hook]})


def _recording_sleep(sleeps: list[float]) -> Callable[[float], None]:
    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        time.sleep(seconds)

    return sleep


def _recording_async_sleep(sleeps: list[float]) -> Callable[[float], Awaitable[None]]:
    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        await asyncio.sleep(seconds)

    return sleep


@pytest.fixture(params=["sync", "async"])
def sdk(request: pytest.FixtureRequest, server: ServerHandle) -> SdkRunner:
    """Runs scenarios with the sync and then the async client, on ``server``."""
    return SdkRunner(kind=request.param, base_url=server.base_url, token=server.token)


FLF_MODEL_ID = "community/wan-2-2/first-last-frame"
FLF_FIELDS: dict[str, Any] = {
    "prompt": "a puppy runs across the garden",
    "start_image": "https://example.com/frames/first.png",
    "end_image": "https://example.com/frames/last.png",
}
"""The required inputs of ``community/wan-2-2/first-last-frame``, by their friendly names."""


def first_last_frame(client: SdkClient) -> Any:
    """The accessor of ``community/wan-2-2/first-last-frame`` on either client.

    ``Any``, because a scenario calls it the same way on both clients and ``settle``s the
    outcome, which no checker can follow through the union of the sync and async types.
    """
    return client.community.wan_2_2.first_last_frame


def closed_port() -> int:
    """A loopback port nobody listens on: connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port
