"""Running the server: in a background thread for tests, or in the foreground for the CLI.

Both bind the listening socket themselves and hand it to uvicorn, so the real port is known
before the first request (port 0 picks a free one). ``running_server`` waits until uvicorn
has started, yields a handle, and shuts down cleanly when the block ends.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from .app import create_app
from .config import ServerConfig
from .controller import Controller
from .jobs import Clock
from .models import ServedModel, load_models

logger = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
_POLL_SECONDS = 0.01
_STOP_TIMEOUT_SECONDS = 5.0
# uvicorn reports every intentionally dropped connection (fault kind "drop") as an error.
_DROP_MESSAGE = "ASGI callable returned without completing response."


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerHandle:
    """A running server: where it is, the token to use, and its test controls."""

    base_url: str
    token: str
    controller: Controller
    models: Mapping[str, ServedModel]

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"


@contextmanager
def running_server(
    schemas_dir: Path,
    *,
    config: ServerConfig | None = None,
    clock: Clock | None = None,
    host: str = LOOPBACK,
    startup_timeout: float = 10.0,
) -> Iterator[ServerHandle]:
    """Serve ``schemas_dir`` on a free port of ``host`` in a background thread."""
    models = load_models(schemas_dir)
    controller = Controller(config, clock=clock or time.time)
    sock = bind_socket(host, 0)
    server = uvicorn.Server(_uvicorn_config(create_app(models, controller), host, "warning"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="runcomfy-local-server", daemon=True
    )
    try:
        thread.start()
        _wait_until_started(server, thread, startup_timeout)
        yield ServerHandle(
            base_url=_base_url(sock),
            token=controller.config.primary_token,
            controller=controller,
            models=models,
        )
    finally:
        _stop(server, thread)
        sock.close()


def serve(
    schemas_dir: Path,
    host: str,
    port: int,
    config: ServerConfig,
    *,
    announce: Callable[[str], None] | None = None,
    log_level: str = "info",
) -> None:
    """Serve ``schemas_dir`` until interrupted; ``announce`` gets the base URL once bound."""
    models = load_models(schemas_dir)
    controller = Controller(config)
    sock = bind_socket(host, port)
    try:
        base_url = _base_url(sock)
        logger.info("serving %d model(s) from %s on %s", len(models), schemas_dir, base_url)
        if announce is not None:
            announce(base_url)
        server = uvicorn.Server(_uvicorn_config(create_app(models, controller), host, log_level))
        server.run(sockets=[sock])
    finally:
        sock.close()


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket; connections made before uvicorn starts wait in the backlog."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP,
    # and without it every keep-alive response waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def _uvicorn_config(app: object, host: str, log_level: str) -> uvicorn.Config:
    _quiet_intentional_drops()
    return uvicorn.Config(
        app,  # type: ignore[arg-type]  # uvicorn's app type is a union Starlette satisfies
        host=host,
        port=0,  # only for uvicorn's "running on" message, which then reads the socket
        log_level=log_level,
        log_config=None,  # leave the host program's logging set-up alone
        access_log=False,
        lifespan="off",
        http="h11",
        loop="asyncio",
        ws="none",
        timeout_graceful_shutdown=2,
    )


def _wait_until_started(server: uvicorn.Server, thread: threading.Thread, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the local server stopped during start-up; see the log above")
        if time.monotonic() > deadline:
            raise TimeoutError(f"the local server did not start within {timeout} s")
        time.sleep(_POLL_SECONDS)


def _stop(server: uvicorn.Server, thread: threading.Thread) -> None:
    server.should_exit = True
    thread.join(_STOP_TIMEOUT_SECONDS)
    if thread.is_alive():
        server.force_exit = True
        thread.join(_STOP_TIMEOUT_SECONDS)


def _base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class _IntentionalDropFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != _DROP_MESSAGE


def _quiet_intentional_drops() -> None:
    uvicorn_logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _IntentionalDropFilter) for f in uvicorn_logger.filters):
        uvicorn_logger.addFilter(_IntentionalDropFilter())
