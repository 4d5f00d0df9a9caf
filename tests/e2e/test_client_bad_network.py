"""A misbehaving server on loopback: a body that trickles forever, a body that never ends.

Each server is a raw socket the test runs itself, since a well-behaved HTTP stack cannot
misbehave this way. Every call must end with a typed error within its timeout (plus a
little scheduling slack), whatever the server does; the bounds below are generous, they
only tell a bounded call from one that hangs.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from runcomfy_sdk import (
    APIConnectionError,
    APITimeoutError,
    AsyncRunComfy,
    RunComfy,
    WaitTimeoutError,
)

HEADERS = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
TOKEN = "rc-bad-network-token-5f1e"


def trickle(connection: socket.socket) -> None:
    connection.sendall(HEADERS + b"Content-Length: 100000\r\n\r\n")
    while True:
        connection.sendall(b" ")
        time.sleep(0.2)


def endless(connection: socket.socket) -> None:
    connection.sendall(HEADERS + b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b" " * 65536
    while True:
        connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))


@pytest.fixture
def misbehaving() -> Iterator[Callable[[Callable[[socket.socket], None]], str]]:
    servers: list[socket.socket] = []

    def start(behaviour: Callable[[socket.socket], None]) -> str:
        listener = socket.create_server(("127.0.0.1", 0))
        servers.append(listener)

        def serve() -> None:
            while True:
                try:
                    connection, _ = listener.accept()
                except OSError:
                    return
                connection.recv(65536)
                threading.Thread(target=_guarded, args=(behaviour, connection), daemon=True).start()

        threading.Thread(target=serve, daemon=True).start()
        return f"http://127.0.0.1:{listener.getsockname()[1]}"

    yield start
    for listener in servers:
        listener.close()


def _guarded(behaviour: Callable[[socket.socket], None], connection: socket.socket) -> None:
    try:
        behaviour(connection)
    except OSError:
        pass
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [(trickle, APITimeoutError), (endless, APIConnectionError)],
    ids=["trickle", "endless-body"],
)
def test_a_sync_call_ends_within_its_timeout(
    misbehaving: Callable[[Callable[[socket.socket], None]], str],
    behaviour: Callable[[socket.socket], None],
    error: type[Exception],
) -> None:
    client = RunComfy(api_token=TOKEN, base_url=misbehaving(behaviour), timeout=1.0, max_retries=0)
    start = time.monotonic()
    with pytest.raises(error):
        client.requests.status("r-1")
    assert time.monotonic() - start < 10
    client.close()


@pytest.mark.parametrize("behaviour", [trickle, endless], ids=["trickle", "endless-body"])
def test_an_async_call_ends_within_its_timeout(
    misbehaving: Callable[[Callable[[socket.socket], None]], str],
    behaviour: Callable[[socket.socket], None],
) -> None:
    async def main() -> None:
        async with AsyncRunComfy(
            api_token=TOKEN, base_url=misbehaving(behaviour), timeout=1.0, max_retries=0
        ) as client:
            await client.requests.status("r-1")

    start = time.monotonic()
    with pytest.raises(APIConnectionError):  # APITimeoutError is one too
        asyncio.run(main())
    assert time.monotonic() - start < 10


def hang(connection: socket.socket) -> None:
    time.sleep(30)


def test_wait_ends_at_its_deadline_when_a_poll_hangs(
    misbehaving: Callable[[Callable[[socket.socket], None]], str],
) -> None:
    client = RunComfy(api_token=TOKEN, base_url=misbehaving(hang), max_retries=0)  # 60 s reads
    start = time.monotonic()
    with pytest.raises(WaitTimeoutError) as caught:
        client.job("r-1").wait(timeout=1.5)
    assert time.monotonic() - start < 5  # the deadline plus one poll's bound, not 60 s
    assert caught.value.request_id == "r-1"
    client.close()


def test_async_wait_ends_at_its_deadline_when_a_poll_hangs(
    misbehaving: Callable[[Callable[[socket.socket], None]], str],
) -> None:
    async def main() -> None:
        async with AsyncRunComfy(api_token=TOKEN, base_url=misbehaving(hang)) as client:
            await client.job("r-1").wait(timeout=1.5)

    start = time.monotonic()
    with pytest.raises(WaitTimeoutError):
        asyncio.run(main())
    assert time.monotonic() - start < 5


class Counting:
    """A behaviour that counts the requests it was sent, then misbehaves."""

    def __init__(self, behaviour: Callable[[socket.socket], None]) -> None:
        self.behaviour = behaviour
        self.requests = 0

    def __call__(self, connection: socket.socket) -> None:
        self.requests += 1
        self.behaviour(connection)


def reset(connection: socket.socket) -> None:
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")


def garbage(connection: socket.socket) -> None:
    connection.sendall(b"\x00\xffnot http at all\r\n\r\n")


SUBMIT = {
    "start_image": "https://example.com/a.png",
    "end_image": "https://example.com/b.png",
    "prompt": "a cat",
}


@pytest.mark.parametrize("behaviour", [reset, garbage, hang], ids=["reset", "garbage", "hang"])
def test_a_submit_that_may_have_reached_the_server_is_never_sent_twice(
    misbehaving: Callable[[Callable[[socket.socket], None]], str],
    behaviour: Callable[[socket.socket], None],
) -> None:
    counting = Counting(behaviour)
    client = RunComfy(api_token=TOKEN, base_url=misbehaving(counting), timeout=1.0, max_retries=3)
    start = time.monotonic()
    with pytest.raises(APIConnectionError) as caught:
        client.community.wan_2_2.first_last_frame.submit(**SUBMIT)
    assert counting.requests == 1
    assert "not sent again" in str(caught.value)
    assert time.monotonic() - start < 10
    client.close()


@pytest.mark.parametrize("behaviour", [reset, garbage], ids=["reset", "garbage"])
def test_a_status_call_is_retried_then_fails_typed(
    misbehaving: Callable[[Callable[[socket.socket], None]], str],
    behaviour: Callable[[socket.socket], None],
) -> None:
    counting = Counting(behaviour)
    client = RunComfy(api_token=TOKEN, base_url=misbehaving(counting), timeout=1.0, max_retries=2)
    with pytest.raises(APIConnectionError):
        client.requests.status("r-1")
    assert counting.requests == 3  # the first attempt and two retries
    client.close()
