"""The two thin shells that run sans-IO operations: one blocking, one asyncio.

Each performs the steps an operation yields (send with httpx, sleep, call back) and
feeds the outcome back in. They hold no policy: what to send, how to read it and
whether to retry are all decided in ``_sansio`` and ``_operations``.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, TypeVar

import httpx

from ._sansio import (
    ApiCall,
    Failed,
    Notify,
    Operation,
    Received,
    Reply,
    Send,
    Settings,
    Step,
    attempt_timeout,
)

__all__ = ["AsyncDriver", "SyncDriver"]

T = TypeVar("T")


class SyncDriver:
    def __init__(
        self,
        http: httpx.Client,
        settings: Settings,
        *,
        timeout: httpx.Timeout,
        sleep: Callable[[float], object],
    ) -> None:
        self._http = http
        self._settings = settings
        self._timeout = timeout
        self._sleep = sleep
        _bound_network(http)

    def run(self, operation: Operation[T]) -> T:
        outcome: Reply | BaseException = None
        try:
            while True:
                try:
                    step = _advance(operation, outcome)
                except StopIteration as done:
                    result: T = done.value
                    return result
                try:
                    outcome = self._perform(step)
                except BaseException as raised:  # Ctrl-C too: the operation decides what next
                    outcome = raised
        finally:
            operation.close()

    def _perform(self, step: Step) -> Reply:
        if isinstance(step, Send):
            return self._send(step.call)
        if isinstance(step, Notify):
            outcome = step.callback(step.value)
            if inspect.iscoroutine(outcome):  # an object whose __call__ is async, say
                outcome.close()  # never awaited, and no warning about it
                raise TypeError(
                    "a callback returned a coroutine, which the blocking client cannot "
                    "await: pass a plain function, or use AsyncRunComfy"
                )
        else:
            self._sleep(step.seconds)
        return None

    def _send(self, api: ApiCall) -> Received | Failed:
        attempt = _Attempt(api, self._timeout, self._settings)
        bounded = _ATTEMPT_DEADLINE.set(attempt.deadline)  # read by _DeadlineStream
        try:
            with self._http.stream(**attempt.request()) as response:
                body = bytearray()
                for chunk in response.iter_bytes():  # decoded: the cap counts what we keep
                    attempt.take(body, chunk)
                content = bytes(body)
        except httpx.TransportError as error:
            return Failed(attempt.explain(error))
        finally:
            _ATTEMPT_DEADLINE.reset(bounded)
        return Received(response.status_code, content, response.reason_phrase, response.headers)


class AsyncDriver:
    def __init__(
        self,
        http: httpx.AsyncClient,
        settings: Settings,
        *,
        timeout: httpx.Timeout,
        sleep: Callable[[float], Awaitable[object]],
    ) -> None:
        self._http = http
        self._settings = settings
        self._timeout = timeout
        self._sleep = sleep

    async def run(self, operation: Operation[T]) -> T:
        outcome: Reply | BaseException = None
        try:
            while True:
                try:
                    step = _advance(operation, outcome)
                except StopIteration as done:
                    result: T = done.value
                    return result
                try:
                    outcome = await self._perform(step)
                except BaseException as raised:  # task cancellation too
                    outcome = raised
        finally:
            operation.close()

    async def _perform(self, step: Step) -> Reply:
        if isinstance(step, Send):
            return await self._send(step.call)
        if isinstance(step, Notify):
            outcome = step.callback(step.value)
            if inspect.isawaitable(outcome):  # async callbacks are welcome here
                await outcome
        else:
            await self._sleep(step.seconds)
        return None

    async def _send(self, api: ApiCall) -> Received | Failed:
        attempt = _Attempt(api, self._timeout, self._settings)
        try:
            # The whole attempt, from connecting to the last byte, headers included.
            async with asyncio.timeout(attempt.limit):
                async with self._http.stream(**attempt.request()) as response:
                    body = bytearray()
                    async for chunk in response.aiter_bytes():
                        attempt.take(body, chunk)
                    content = bytes(body)
        except httpx.TransportError as error:
            return Failed(attempt.explain(error))
        except TimeoutError:
            return Failed(attempt.too_slow())
        return Received(response.status_code, content, response.reason_phrase, response.headers)


def _advance(operation: Operation[T], outcome: Reply | BaseException) -> Step:
    """The operation's next step, given what became of the last one.

    What a step raised (Ctrl-C, task cancellation, a callback's error) is thrown into the
    operation, which may take a last step or two (``run``'s cancel on interrupt) or let it
    through; everything else is the step's reply.
    """
    if isinstance(outcome, BaseException):
        return operation.throw(outcome)
    return operation.send(outcome)


# API answers are small JSON documents; a body beyond this is refused, not buffered.
MAX_RESPONSE_BYTES = 16 * 1024 * 1024


class ResponseTooLargeError(httpx.ReadError):
    """The answer's body passed ``MAX_RESPONSE_BYTES`` (an endless or hostile body)."""


class ResponseTooSlowError(httpx.ReadTimeout):
    """The answer kept trickling past the call's timeout (each read alone was in time)."""


class _Attempt:
    """One attempt: the request both drivers send, and what it may take in all.

    The timeout is capped to the call's deadline; the whole attempt gets the timeout's
    longest part in seconds (``limit``), and the body a size cap. httpx bounds each read;
    a server that sends a byte just in time, forever, passes every such bound, so the
    attempt is bounded as a whole too: by ``asyncio.timeout`` in the async driver, and in
    the sync one by the network streams, which cap each read and write to the time left.
    """

    def __init__(self, api: ApiCall, timeout: httpx.Timeout, settings: Settings) -> None:
        chosen = timeout if api.timeout is None else api.timeout  # the call's own, if it has one
        timeout = attempt_timeout(api, chosen, settings.timing)
        self._api, self._settings, self._timeout = api, settings, timeout
        parts = (timeout.connect, timeout.read, timeout.write, timeout.pool)
        self.limit = max((part for part in parts if part is not None), default=None)
        self.deadline = None if self.limit is None else time.monotonic() + self.limit

    def request(self) -> dict[str, Any]:
        """The arguments of ``httpx.Client.stream`` (and its async twin) for the call."""
        api = self._api
        return {
            "method": api.method,
            "url": api.url,
            "params": api.params or None,  # an empty tuple makes httpx re-parse the URL
            "json": api.body,
            "headers": {**self._settings.headers(), **dict(api.headers)},
            "timeout": self._timeout,
        }

    def take(self, body: bytearray, chunk: bytes) -> None:
        body += chunk
        if len(body) > MAX_RESPONSE_BYTES:
            raise ResponseTooLargeError(
                f"the answer is larger than {MAX_RESPONSE_BYTES} bytes; it was not read further"
            )
        if self._passed():
            raise self.too_slow()

    def explain(self, error: httpx.TransportError) -> httpx.TransportError:
        """``error``, or the attempt's own timeout when the deadline cut the network short."""
        if self._passed() and not isinstance(error, httpx.TimeoutException):
            return self.too_slow()  # a read cut short at the deadline, seen as a protocol error
        return error

    def too_slow(self) -> ResponseTooSlowError:
        return ResponseTooSlowError(
            f"the answer was still arriving after {self.limit:g} s (the call's timeout)"
        )

    def _passed(self) -> bool:
        return self.deadline is not None and time.monotonic() > self.deadline


# The deadline of the sync attempt running in this thread (None outside one).
_ATTEMPT_DEADLINE: ContextVar[float | None] = ContextVar("_ATTEMPT_DEADLINE", default=None)


def _capped(timeout: float | None) -> float | None:
    deadline = _ATTEMPT_DEADLINE.get()
    if deadline is None:
        return timeout
    left = max(deadline - time.monotonic(), 0.001)  # past the deadline: only what is buffered
    return left if timeout is None else min(timeout, left)


def _bound_network(http: httpx.Client) -> None:
    """Give ``http``'s connection pools network streams that honour the attempt's deadline.

    httpx has no public hook for this: the pools of httpx's own transport (and of its
    proxy mounts) are found by attribute. Another transport keeps its per-read bounds,
    and the attempt is then bounded only once its headers are in.
    """
    mounts = getattr(http, "_mounts", None)
    transports = [getattr(http, "_transport", None)]
    transports += list(mounts.values()) if isinstance(mounts, dict) else []
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if backend is not None and not isinstance(backend, _DeadlineBackend):
            pool._network_backend = _DeadlineBackend(backend)  # type: ignore[union-attr]


class _DeadlineBackend:
    """A network backend whose connections give up at the sync attempt's deadline."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> _DeadlineStream:
        stream = self._backend.connect_tcp(
            host, port, _capped(timeout), local_address, socket_options
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> _DeadlineStream:
        stream = self._backend.connect_unix_socket(path, _capped(timeout), socket_options)
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class _DeadlineStream:
    """A connection whose every read and write waits at most until the attempt's deadline."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data: bytes = self._stream.read(max_bytes, _capped(timeout))
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _capped(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> _DeadlineStream:
        return _DeadlineStream(
            self._stream.start_tls(ssl_context, server_hostname, _capped(timeout))
        )

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)
