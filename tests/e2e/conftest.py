"""Fixtures for end-to-end tests: a local RunComfy-compatible server on a free loopback port.

- ``server``: one server for the whole session, serving the repository's ``schemas/`` with
  short job timings (``E2E_TIMINGS``); it is reset (jobs, faults, counters, knobs) before
  each test that uses it. Use ``server.base_url``, ``server.token``, ``server.controller``.
- ``server_factory``: start a server of your own (config, clock, schemas dir); it stops when
  the test ends.
- ``http_client``: an ``httpx.Client`` on ``server`` that sends its token.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

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
