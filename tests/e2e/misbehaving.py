"""A misbehaving HTTP server on loopback, scripted per route, that counts what it received.

A well-behaved HTTP stack cannot trickle a status line or reset a connection on purpose,
so this one is a raw socket server. Each connection is routed from its request line
(peeked, not read), and the route's script says what to do with it: the first request
to ``status`` gets the script's first act, the second its second act, and so on; once a
script is used up, the route answers as a good server would. ``received`` counts the
requests the server read in full: a request reset before it was read never arrived.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Route = Literal["submit", "status", "result", "cancel"]
Perform = Callable[[socket.socket, "Context"], None]

TRICKLE_PAUSE = 0.05
"""Seconds between two bytes of a trickle: each read alone is well within any timeout."""
HANG_LIMIT = 30.0
"""A hanging answer is released at the latest after this long, or when the server stops."""


@dataclass(frozen=True, slots=True)
class Context:
    """What an act may use: the request id the URL names, and the server's stop signal."""

    request_id: str
    stopping: threading.Event


@dataclass(frozen=True, slots=True)
class Act:
    """What the server does with one connection."""

    perform: Perform
    name: str
    reads_request: bool = True
    """False: act on the connection before reading the request (it never arrives)."""


def answer(
    status: int,
    body: object,
    *,
    headers: Mapping[str, str] | None = None,
    reason: str | None = None,
) -> Act:
    """A complete answer; ``body`` is JSON-encoded unless it is bytes or a callable of the id."""

    def perform(connection: socket.socket, context: Context) -> None:
        content = _content(body(context.request_id) if callable(body) else body)
        connection.sendall(response_head(status, headers or {}, reason, len(content)) + content)

    return Act(perform, f"HTTP {status}")


def response_head(
    status: int, headers: Mapping[str, str], reason: str | None, length: int | None
) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason if reason is not None else 'Status'}"]
    lines += ["Content-Type: application/json", "Connection: close"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _content(body: object) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


def _trickle_body(connection: socket.socket, context: Context) -> None:
    connection.sendall(response_head(200, {}, "OK", 100_000))
    while not context.stopping.wait(TRICKLE_PAUSE):
        connection.sendall(b" ")


def _trickle_head(connection: socket.socket, context: Context) -> None:
    head = response_head(200, {"X-Padding": "x" * 10_000}, "OK", 2) + b"{}"
    for byte in head:
        if context.stopping.wait(TRICKLE_PAUSE):
            return
        connection.sendall(bytes([byte]))


def _hang(connection: socket.socket, context: Context) -> None:
    context.stopping.wait(HANG_LIMIT)


def _endless(connection: socket.socket, context: Context) -> None:
    connection.sendall(response_head(200, {"Transfer-Encoding": "chunked"}, "OK", None))
    chunk = b" " * 65536
    while not context.stopping.is_set():
        connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))


def _reset(connection: socket.socket, context: Context) -> None:
    # Linger on, zero seconds: close() sends RST instead of FIN.
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def garbage(text: str = "") -> Act:
    def perform(connection: socket.socket, context: Context) -> None:
        connection.sendall(b"\x00\xffnot http at all " + text.encode() + b"\r\n\r\n")

    return Act(perform, "garbage")


TRICKLE_BODY = Act(_trickle_body, "trickle-body")
TRICKLE_HEAD = Act(_trickle_head, "trickle-head")
HANG = Act(_hang, "hang")
ENDLESS = Act(_endless, "endless")
RESET_BEFORE_READ = Act(_reset, "reset-before-read", reads_request=False)
RESET_AFTER_READ = Act(_reset, "reset-after-read")


def good_answer(route: Route, request_id: str) -> Act:
    """What a good server says on ``route``: a new job, or a job that has completed."""
    bodies: dict[Route, Any] = {
        "submit": {"request_id": "r-new", "status": "in_queue"},
        "status": {"request_id": request_id, "status": "completed"},
        "result": {
            "request_id": request_id,
            "status": "completed",
            "output": {"video": "https://example.com/out.mp4"},
        },
        "cancel": {"request_id": request_id, "status": "cancelled", "outcome": "cancelled"},
    }
    return answer(200, bodies[route])


@dataclass
class MisbehavingServer:
    """Serves ``script`` on a free loopback port until ``close``."""

    script: Mapping[Route, Sequence[Act]]
    received: Counter[Route] = field(default_factory=Counter)
    _next: Counter[Route] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def close(self) -> None:
        self._stopping.set()
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            try:
                connection.settimeout(HANG_LIMIT)
                route, request_id = _route(_peek_request_line(connection))
                act = self._take(route, request_id)
                if act.reads_request:
                    _read_request(connection)
                    with self._lock:
                        self.received[route] += 1
                act.perform(connection, Context(request_id, self._stopping))
            except (OSError, ValueError):
                pass  # the client went away, or sent what this server does not route

    def _take(self, route: Route, request_id: str) -> Act:
        with self._lock:
            index = self._next[route]
            self._next[route] += 1
        acts = self.script.get(route, ())
        return acts[index] if index < len(acts) else good_answer(route, request_id)


def _peek_request_line(connection: socket.socket) -> bytes:
    while True:
        data = connection.recv(65536, socket.MSG_PEEK)
        if not data:
            raise ValueError("the client closed before sending a request")
        if b"\r\n" in data:
            return data.split(b"\r\n", 1)[0]


def _read_request(connection: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            raise ValueError("the client closed inside its request")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = connection.recv(65536)
        if not chunk:
            raise ValueError("the client closed inside its request body")
        body += chunk


def _route(request_line: bytes) -> tuple[Route, str]:
    method, path, _ = request_line.decode("latin-1").split(" ", 2)
    parts = path.split("?", 1)[0].strip("/").split("/")
    if method == "POST" and parts[:2] == ["v1", "models"]:
        return "submit", ""
    if parts[:2] == ["v1", "requests"] and len(parts) == 4 and parts[3] in _ACTIONS:
        return _ACTIONS[parts[3]], parts[2]
    raise ValueError(f"no route for {request_line!r}")


_ACTIONS: dict[str, Route] = {"status": "status", "result": "result", "cancel": "cancel"}
