"""The client bases: configuration, the generic ``requests``/``models`` calls, job handles.

``RunComfyBase`` and ``AsyncRunComfyBase`` differ only in the driver they run the shared
operations with (``_drivers``); every method here is a one-line hand-off. The generated
``RunComfy``/``AsyncRunComfy`` subclass them and add one typed accessor per model.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar, overload

import httpx

from ._download import DEFAULT_MAX_DOWNLOAD_BYTES, adownload_urls, download_urls, origin
from ._drivers import AsyncDriver, SyncDriver
from ._errors import TOKEN_VARIABLE, MissingTokenError
from ._jobs import AsyncJob, Job
from ._models import OutputModel
from ._operations import Operations
from ._sansio import Operation, Secret, Settings
from ._timing import DEFAULT_TIMING, Timing
from ._types import CancelResponse, JobResult, JobStatus, ModelEntry, ModelList, OutputT

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "AsyncModels",
    "AsyncRequests",
    "AsyncRunComfyBase",
    "Models",
    "Requests",
    "RunComfyBase",
]

DEFAULT_BASE_URL = "https://model-api.runcomfy.net"
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
DEFAULT_MAX_RETRIES = 2

T = TypeVar("T")


def _settings(
    api_token: str | None, *, base_url: str, max_retries: int, timing: Timing
) -> Settings:
    token = api_token if api_token is not None else os.environ.get(TOKEN_VARIABLE)
    if token is None or not token.strip():
        raise MissingTokenError(
            f"No RunComfy API token: api_token is not set, nor {TOKEN_VARIABLE}"
        )
    if max_retries < 0:
        raise ValueError(f"max_retries must be >= 0, not {max_retries!r}")
    return Settings(
        base_url=base_url.rstrip("/"),
        token=Secret(token.strip()),
        max_retries=max_retries,
        timing=timing,
    )


def _timeout(value: float | httpx.Timeout | None) -> httpx.Timeout:
    return value if isinstance(value, httpx.Timeout) else httpx.Timeout(value)


class _ClientCore:
    """What both clients share and that needs no I/O."""

    _settings: Settings

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    @property
    def max_retries(self) -> int:
        return self._settings.max_retries

    @property
    def timing(self) -> Timing:
        return self._settings.timing

    def _download_headers(self) -> dict[str, dict[str, str]]:
        # Output files are public links, often on another host: the token goes only to the API.
        authorization = self._settings.headers()["Authorization"]
        return {origin(self.base_url): {"Authorization": authorization}}

    def __repr__(self) -> str:
        # Never the token: a repr ends up in logs and tracebacks.
        return f"{type(self).__name__}(base_url={self.base_url!r})"


class RunComfyBase(_ClientCore):
    """Blocking client for RunComfy's Model API.

    Args:
        api_token: Your API token; defaults to the ``RUNCOMFY_API_TOKEN`` environment
            variable. Never shown in any ``repr``, log line or error.
        base_url: The API's address (point it at a local server for tests).
        timeout: Per HTTP call, in seconds or as an ``httpx.Timeout``.
        max_retries: How often a failed status/result/cancel/catalog call is retried.
            A submit is retried only when its connection could not be established.
        http_client: Your own ``httpx.Client`` (proxies, limits …); you close it.
        timing: Poll and retry schedules and the clocks (tests pass fakes).
        sleep: How to wait between polls and retries (tests pass a recorder).
    """

    def __init__(
        self,
        api_token: str | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        timing: Timing = DEFAULT_TIMING,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise TypeError("http_client must be an httpx.Client (use AsyncRunComfy for async)")
        self._settings = _settings(
            api_token, base_url=base_url, max_retries=max_retries, timing=timing
        )
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(timeout=_timeout(timeout))
        self._driver = SyncDriver(
            self._http, self._settings, timeout=_timeout(timeout), sleep=sleep
        )
        self._ops = Operations(self._settings)
        self.requests = Requests(self)
        """Generic calls by request id: ``status``, ``result``, ``cancel``."""
        self.models = Models(self)
        """The model catalog: ``list``, ``get``."""

    @overload
    def job(self, request_id: str, output_type: None = None) -> Job[OutputModel]: ...
    @overload
    def job(self, request_id: str, output_type: type[OutputT]) -> Job[OutputT]: ...
    def job(self, request_id: str, output_type: type[Any] | None = None) -> Job[Any]:
        """A handle on an existing job, e.g. one submitted by another process.

        Without ``output_type`` the output is a plain ``OutputModel`` holding every key.
        """
        return Job(self, request_id, output_type or OutputModel)

    def download(
        self,
        output: OutputModel,
        directory: str | Path,
        *,
        max_bytes: int | None = DEFAULT_MAX_DOWNLOAD_BYTES,
        overwrite: bool = False,
    ) -> list[Path]:
        """Download every URL of ``output`` into ``directory``, streaming; return the paths.

        An existing file is kept (``DownloadError``) unless ``overwrite`` is true.
        """
        return download_urls(
            output.urls(),
            directory,
            http_client=self._http,
            max_bytes=max_bytes,
            headers_for=self._download_headers(),
            overwrite=overwrite,
        )

    def close(self) -> None:
        """Close the HTTP connections (unless the http_client was yours)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _execute(self, operation: Operation[T]) -> T:
        return self._driver.run(operation)


class AsyncRunComfyBase(_ClientCore):
    """Asyncio client for RunComfy's Model API; the same surface as ``RunComfyBase``.

    ``sleep`` must be awaitable (default ``asyncio.sleep``); ``on_update`` callbacks may
    be plain functions or coroutines.
    """

    def __init__(
        self,
        api_token: str | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
        timing: Timing = DEFAULT_TIMING,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise TypeError("http_client must be an httpx.AsyncClient (use RunComfy for sync)")
        self._settings = _settings(
            api_token, base_url=base_url, max_retries=max_retries, timing=timing
        )
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(timeout=_timeout(timeout))
        self._driver = AsyncDriver(
            self._http, self._settings, timeout=_timeout(timeout), sleep=sleep
        )
        self._ops = Operations(self._settings)
        self.requests = AsyncRequests(self)
        """Generic calls by request id: ``status``, ``result``, ``cancel``."""
        self.models = AsyncModels(self)
        """The model catalog: ``list``, ``get``."""

    @overload
    def job(self, request_id: str, output_type: None = None) -> AsyncJob[OutputModel]: ...
    @overload
    def job(self, request_id: str, output_type: type[OutputT]) -> AsyncJob[OutputT]: ...
    def job(self, request_id: str, output_type: type[Any] | None = None) -> AsyncJob[Any]:
        """A handle on an existing job, e.g. one submitted by another process.

        Without ``output_type`` the output is a plain ``OutputModel`` holding every key.
        """
        return AsyncJob(self, request_id, output_type or OutputModel)

    async def download(
        self,
        output: OutputModel,
        directory: str | Path,
        *,
        max_bytes: int | None = DEFAULT_MAX_DOWNLOAD_BYTES,
        overwrite: bool = False,
    ) -> list[Path]:
        """Download every URL of ``output`` into ``directory``, streaming; return the paths.

        An existing file is kept (``DownloadError``) unless ``overwrite`` is true.
        """
        return await adownload_urls(
            output.urls(),
            directory,
            http_client=self._http,
            max_bytes=max_bytes,
            headers_for=self._download_headers(),
            overwrite=overwrite,
        )

    async def close(self) -> None:
        """Close the HTTP connections (unless the http_client was yours)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def _execute(self, operation: Operation[T]) -> T:
        return await self._driver.run(operation)


class Requests:
    """Calls on any request by id; results come back with an untyped ``OutputModel``."""

    def __init__(self, client: RunComfyBase) -> None:
        self._client = client

    def status(self, request_id: str) -> JobStatus:
        return self._client._execute(self._client._ops.status(request_id))

    def result(self, request_id: str, *, include_cost: bool = False) -> JobResult[OutputModel]:
        operation = self._client._ops.result(request_id, OutputModel, include_cost=include_cost)
        return self._client._execute(operation)

    def cancel(self, request_id: str) -> CancelResponse:
        """Cancel a queued job; raises ``NotCancellableError`` once it runs."""
        return self._client._execute(self._client._ops.cancel(request_id))


class AsyncRequests:
    """Calls on any request by id; results come back with an untyped ``OutputModel``."""

    def __init__(self, client: AsyncRunComfyBase) -> None:
        self._client = client

    async def status(self, request_id: str) -> JobStatus:
        return await self._client._execute(self._client._ops.status(request_id))

    async def result(
        self, request_id: str, *, include_cost: bool = False
    ) -> JobResult[OutputModel]:
        operation = self._client._ops.result(request_id, OutputModel, include_cost=include_cost)
        return await self._client._execute(operation)

    async def cancel(self, request_id: str) -> CancelResponse:
        """Cancel a queued job; raises ``NotCancellableError`` once it runs."""
        return await self._client._execute(self._client._ops.cancel(request_id))


class Models:
    """The model catalog."""

    def __init__(self, client: RunComfyBase) -> None:
        self._client = client

    def list(
        self, *, limit: int | None = None, offset: int | None = None, include_schema: bool = False
    ) -> ModelList:
        operation = self._client._ops.list_models(
            limit=limit, offset=offset, include_schema=include_schema
        )
        return self._client._execute(operation)

    def get(self, model_id: str) -> ModelEntry:
        """One model, with its ``input_schema``."""
        return self._client._execute(self._client._ops.get_model(model_id))


class AsyncModels:
    """The model catalog."""

    def __init__(self, client: AsyncRunComfyBase) -> None:
        self._client = client

    async def list(
        self, *, limit: int | None = None, offset: int | None = None, include_schema: bool = False
    ) -> ModelList:
        operation = self._client._ops.list_models(
            limit=limit, offset=offset, include_schema=include_schema
        )
        return await self._client._execute(operation)

    async def get(self, model_id: str) -> ModelEntry:
        """One model, with its ``input_schema``."""
        return await self._client._execute(self._client._ops.get_model(model_id))
