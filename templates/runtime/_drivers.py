"""The two thin shells that run sans-IO operations: one blocking, one asyncio.

Each performs the steps an operation yields (send with httpx, sleep, call back) and
feeds the outcome back in. They hold no policy: what to send, how to read it and
whether to retry are all decided in ``_sansio`` and ``_operations``.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Awaitable, Callable
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
            step.callback(step.value)
        else:
            self._sleep(step.seconds)
        return None

    def _send(self, api: ApiCall) -> Received | Failed:
        attempt = _Attempt(api, self._timeout, self._settings)
        try:
            with self._http.stream(**attempt.request()) as response:
                body = bytearray()
                for chunk in response.iter_bytes():  # decoded: the cap counts what we keep
                    attempt.take(body, chunk)
                content = bytes(body)
        except httpx.TransportError as error:
            return Failed(error)
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
            async with self._http.stream(**attempt.request()) as response:
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    attempt.take(body, chunk)
                content = bytes(body)
        except httpx.TransportError as error:
            return Failed(error)
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
    longest part in seconds, and the body a size cap. httpx bounds each read; a server that
    sends a byte just in time, forever, passes every such bound, so the attempt is bounded
    here too.
    """

    def __init__(self, api: ApiCall, timeout: httpx.Timeout, settings: Settings) -> None:
        chosen = timeout if api.timeout is None else api.timeout  # the call's own, if it has one
        timeout = attempt_timeout(api, chosen, settings.timing)
        self._api, self._settings, self._timeout = api, settings, timeout
        parts = (timeout.connect, timeout.read, timeout.write, timeout.pool)
        limit = max((part for part in parts if part is not None), default=None)
        self._deadline = None if limit is None else time.monotonic() + limit
        self._limit = limit

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
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise ResponseTooSlowError(
                f"the answer was still arriving after {self._limit:g} s (the call's timeout)"
            )
