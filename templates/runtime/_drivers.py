"""The two thin shells that run sans-IO operations: one blocking, one asyncio.

Each performs the steps an operation yields (send with httpx, sleep, call back) and
feeds the outcome back in. They hold no policy: what to send, how to read it and
whether to retry are all decided in ``_sansio`` and ``_operations``.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx

from ._sansio import ApiCall, Failed, Notify, Operation, Received, Reply, Send, Settings, Step

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
        reply: Reply = None
        try:
            while True:
                try:
                    step = operation.send(reply)
                except StopIteration as done:
                    result: T = done.value
                    return result
                reply = self._perform(step)
        finally:
            operation.close()

    def _perform(self, step: Step) -> Reply:
        if isinstance(step, Send):
            return self._send(step.call)
        if isinstance(step, Notify):
            step.callback(step.status)
        else:
            self._sleep(step.seconds)
        return None

    def _send(self, api: ApiCall) -> Received | Failed:
        try:
            response = self._http.request(
                api.method,
                api.url,
                params=api.params or None,  # an empty tuple makes httpx re-parse the URL
                json=api.body,
                headers=self._settings.headers(),
                timeout=self._timeout,
            )
        except httpx.TransportError as error:
            return Failed(error)
        return Received(
            response.status_code, response.content, response.reason_phrase, response.headers
        )


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
        reply: Reply = None
        try:
            while True:
                try:
                    step = operation.send(reply)
                except StopIteration as done:
                    result: T = done.value
                    return result
                reply = await self._perform(step)
        finally:
            operation.close()

    async def _perform(self, step: Step) -> Reply:
        if isinstance(step, Send):
            return await self._send(step.call)
        if isinstance(step, Notify):
            outcome = step.callback(step.status)
            if inspect.isawaitable(outcome):  # async callbacks are welcome here
                await outcome
        else:
            await self._sleep(step.seconds)
        return None

    async def _send(self, api: ApiCall) -> Received | Failed:
        try:
            response = await self._http.request(
                api.method,
                api.url,
                params=api.params or None,  # an empty tuple makes httpx re-parse the URL
                json=api.body,
                headers=self._settings.headers(),
                timeout=self._timeout,
            )
        except httpx.TransportError as error:
            return Failed(error)
        return Received(
            response.status_code, response.content, response.reason_phrase, response.headers
        )
