"""The client bases: configuration, the generic ``requests``/``models`` calls, job handles.

``RunComfyBase`` and ``AsyncRunComfyBase`` differ only in the driver they run the shared
operations with (``_drivers``); every method here is a one-line hand-off. The generated
``RunComfy``/``AsyncRunComfy`` subclass them and add one typed accessor per model.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar, Unpack, overload

import httpx

from ._by_id import AsyncModels, AsyncRequests, Models, Requests
from ._download import DEFAULT_MAX_DOWNLOAD_BYTES, adownload_urls, download_urls, origin
from ._drivers import AsyncDriver, SyncDriver
from ._errors import TOKEN_VARIABLES, MissingTokenError
from ._jobs import AsyncJob, Job
from ._lazy import untyped_output
from ._options import (
    AsyncRunOptions,
    AsyncSubmitOptions,
    AsyncWaitOptions,
    ClientOptions,
    RunOptions,
    SubmitOptions,
    as_timeout,
    call_options,
    check_max_retries,
    option_names,
    refuse_coroutine_callbacks,
)
from ._sansio import Operation, Secret, Settings
from ._submission import Submission
from ._timing import DEFAULT_TIMING, Timing
from ._typevars import OutputT

if TYPE_CHECKING:
    from ._models import OutputModel
    from ._operations import Operations

__all__ = [
    "BASE_URL_VARIABLE",
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
BASE_URL_VARIABLE = "RUNCOMFY_BASE_URL"
DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
DEFAULT_MAX_RETRIES = 2

T = TypeVar("T")


def _environment(name: str) -> str | None:
    """An environment variable, trimmed; blank counts as unset."""
    value = os.environ.get(name, "").strip()
    return value or None


def _token(api_token: str | None) -> Secret:
    if api_token is not None:
        if not api_token.strip():
            raise MissingTokenError("No RunComfy API token: api_token is blank")
        return Secret(api_token.strip())
    for name in TOKEN_VARIABLES:
        found = _environment(name)
        if found is not None:
            return Secret(found)
    raise MissingTokenError(
        f"No RunComfy API token: api_token is not set, nor {' or '.join(TOKEN_VARIABLES)}"
    )


def _base_url(base_url: str | None) -> str:
    chosen = base_url if base_url is not None else _environment(BASE_URL_VARIABLE)
    url = (chosen or DEFAULT_BASE_URL).strip().rstrip("/")
    if not url.lower().startswith(("http://", "https://")):
        raise ValueError(f"base_url must be an http(s) URL, not {url!r}")
    return url


def _settings(
    api_token: str | None, *, base_url: str | None, max_retries: int, timing: Timing
) -> Settings:
    return Settings(
        base_url=_base_url(base_url),
        token=_token(api_token),
        max_retries=check_max_retries(max_retries),
        timing=timing,
    )


def _copy_settings(settings: Settings, options: ClientOptions) -> Settings:
    unknown = sorted(set(options) - option_names(ClientOptions))
    if unknown:
        raise TypeError(f"unexpected keyword argument(s): {', '.join(unknown)}")
    return Settings(
        base_url=_base_url(options.get("base_url", settings.base_url)),
        token=_token(options["api_token"]) if "api_token" in options else settings.token,
        max_retries=check_max_retries(options.get("max_retries", settings.max_retries)),
        timing=settings.timing,
        user_agent=settings.user_agent,
    )


class _ClientCore:
    """What both clients share and that needs no I/O: settings, and building operations."""

    _settings: Settings
    _timeout: httpx.Timeout

    @cached_property
    def _ops(self) -> Operations:
        # Parsing answers needs pydantic: it loads with the first call, not with the client.
        from ._operations import Operations

        return Operations(self._settings)

    @property
    def base_url(self) -> str:
        return self._settings.base_url

    @property
    def max_retries(self) -> int:
        return self._settings.max_retries

    @property
    def timeout(self) -> httpx.Timeout:
        return self._timeout

    @property
    def timing(self) -> Timing:
        return self._settings.timing

    def _copy_timeout(self, options: ClientOptions) -> httpx.Timeout:
        return as_timeout(options["timeout"]) if "timeout" in options else self._timeout

    # The typed accessors and the calls by model id share these, so both behave alike.

    _awaits_callbacks: bool
    """Whether callbacks may be coroutine functions (the async client awaits them)."""

    def _submit_operation(
        self, submission: Submission, options: Mapping[str, Any]
    ) -> Operation[str]:
        self._check_callbacks(options)
        call = call_options(options, AsyncSubmitOptions)
        submitted = self._ops.submit(
            submission, options=call, on_submitted=options.get("on_submitted")
        )
        return _request_id_of(submitted)

    def _run_operation(
        self, submission: Submission, output_type: type[OutputT], options: Mapping[str, Any]
    ) -> Operation[OutputT]:
        self._check_callbacks(options)
        return self._ops.run(
            submission,
            output_type,
            timeout=options.get("timeout"),
            on_update=options.get("on_update"),
            options=call_options(options, AsyncRunOptions, http_timeout=False),
            on_submitted=options.get("on_submitted"),
            cancel_on_interrupt=bool(options.get("cancel_on_interrupt", False)),
        )

    def _wait_operation(
        self, request_id: str, output_type: type[OutputT], options: Mapping[str, Any]
    ) -> Operation[OutputT]:
        self._check_callbacks(options)
        return self._ops.wait(
            request_id,
            output_type,
            timeout=options.get("timeout"),
            on_update=options.get("on_update"),
            options=call_options(options, AsyncWaitOptions, http_timeout=False),
        )

    def _check_callbacks(self, options: Mapping[str, Any]) -> None:
        # Before anything is sent: a submit must not be paid for a callback that cannot run.
        if not self._awaits_callbacks:
            refuse_coroutine_callbacks(options)

    def _download_headers(self) -> dict[str, dict[str, str]]:
        # Output files are public links, often on another host: the token goes only to the API.
        authorization = self._settings.headers()["Authorization"]
        return {origin(self.base_url): {"Authorization": authorization}}

    def __repr__(self) -> str:
        # Never the token: a repr ends up in logs and tracebacks.
        return f"{type(self).__name__}(base_url={self.base_url!r})"


def _request_id_of(submitted: Operation[Any]) -> Operation[str]:
    answer = yield from submitted
    request_id: str = answer.request_id
    return request_id


class RunComfyBase(_ClientCore):
    """Blocking client for RunComfy's Model API.

    Args:
        api_token: Your API token; defaults to the ``RUNCOMFY_API_TOKEN`` environment
            variable, then ``RUNCOMFY_TOKEN``. Never shown in any ``repr``, log line or error.
        base_url: The API's address (point it at a local server for tests); defaults to
            the ``RUNCOMFY_BASE_URL`` environment variable, then RunComfy's.
        timeout: Per HTTP call, in seconds or as an ``httpx.Timeout``.
        max_retries: How often a failed status/result/cancel/catalog call is retried.
            A submit is retried only when its connection could not be established.
        http_client: Your own ``httpx.Client`` (proxies, limits …); you close it.
        timing: Poll and retry schedules and the clocks (tests pass fakes).
        sleep: How to wait between polls and retries (tests pass a recorder).

    Environment values are trimmed; a blank one counts as unset.
    """

    _awaits_callbacks = False

    def __init__(
        self,
        api_token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        timing: Timing = DEFAULT_TIMING,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise TypeError("http_client must be an httpx.Client (use AsyncRunComfy for async)")
        settings = _settings(api_token, base_url=base_url, max_retries=max_retries, timing=timing)
        http = http_client or httpx.Client(timeout=as_timeout(timeout))
        self._configure(settings, http, as_timeout(timeout), sleep, owns_http=http_client is None)

    def _configure(
        self,
        settings: Settings,
        http: httpx.Client,
        timeout: httpx.Timeout,
        sleep: Callable[[float], object],
        *,
        owns_http: bool,
    ) -> None:
        self._settings, self._http, self._timeout, self._sleep = settings, http, timeout, sleep
        self._owns_http = owns_http
        self._driver = SyncDriver(http, settings, timeout=timeout, sleep=sleep)
        self.requests = Requests(self)
        """Generic calls by request id: ``status``, ``result``, ``cancel``."""
        self.models = Models(self)
        """The model catalog: ``list``, ``get``."""

    def with_options(self, **options: Unpack[ClientOptions]) -> Self:
        """A copy of this client with another ``timeout``, ``max_retries``, ``base_url`` or
        ``api_token``.

        The copy shares this client's connection pool (close this one when done with both).
        """
        copy = object.__new__(type(self))
        settings = _copy_settings(self._settings, options)
        timeout = self._copy_timeout(options)
        copy._configure(settings, self._http, timeout, self._sleep, owns_http=False)
        return copy

    def submit(
        self,
        model_id: str,
        input: Mapping[str, Any] | None = None,
        **options: Unpack[SubmitOptions],
    ) -> Job[OutputModel]:
        """Submit a job of any model by id, with an untyped body (wire keys), not checked
        locally; return its handle at once. Typed accessors do the same with checked inputs.
        """
        submission = Submission.of_input(model_id, input, extra_body=options.get("extra_body"))
        return self._submit(submission, untyped_output(), options)

    def run(
        self,
        model_id: str,
        input: Mapping[str, Any] | None = None,
        **options: Unpack[RunOptions],
    ) -> OutputModel:
        """Submit a job of any model by id (untyped body), wait, and return its output."""
        submission = Submission.of_input(model_id, input, extra_body=options.get("extra_body"))
        return self._run(submission, untyped_output(), options)

    def _submit(
        self, submission: Submission, output_type: type[OutputT], options: Mapping[str, Any]
    ) -> Job[OutputT]:
        request_id = self._execute(self._submit_operation(submission, options))
        return Job(self, request_id, output_type)

    def _run(
        self, submission: Submission, output_type: type[OutputT], options: Mapping[str, Any]
    ) -> OutputT:
        return self._execute(self._run_operation(submission, output_type, options))

    @overload
    def job(self, request_id: str, output_type: None = None) -> Job[OutputModel]: ...
    @overload
    def job(self, request_id: str, output_type: type[OutputT]) -> Job[OutputT]: ...
    def job(self, request_id: str, output_type: type[Any] | None = None) -> Job[Any]:
        """A handle on an existing job, e.g. one submitted by another process.

        Without ``output_type`` the output is a plain ``OutputModel`` holding every key.
        """
        return Job(self, request_id, output_type or untyped_output())

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
        """Close the HTTP connections (unless the http_client was yours, or shared)."""
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

    ``sleep`` must be awaitable (default ``asyncio.sleep``); ``on_update`` and
    ``on_submitted`` callbacks may be plain functions or coroutine functions.
    """

    _awaits_callbacks = True

    def __init__(
        self,
        api_token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout | None = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
        timing: Timing = DEFAULT_TIMING,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise TypeError("http_client must be an httpx.AsyncClient (use RunComfy for sync)")
        settings = _settings(api_token, base_url=base_url, max_retries=max_retries, timing=timing)
        http = http_client or httpx.AsyncClient(timeout=as_timeout(timeout))
        self._configure(settings, http, as_timeout(timeout), sleep, owns_http=http_client is None)

    def _configure(
        self,
        settings: Settings,
        http: httpx.AsyncClient,
        timeout: httpx.Timeout,
        sleep: Callable[[float], Awaitable[object]],
        *,
        owns_http: bool,
    ) -> None:
        self._settings, self._http, self._timeout, self._sleep = settings, http, timeout, sleep
        self._owns_http = owns_http
        self._driver = AsyncDriver(http, settings, timeout=timeout, sleep=sleep)
        self.requests = AsyncRequests(self)
        """Generic calls by request id: ``status``, ``result``, ``cancel``."""
        self.models = AsyncModels(self)
        """The model catalog: ``list``, ``get``."""

    def with_options(self, **options: Unpack[ClientOptions]) -> Self:
        """A copy of this client with another ``timeout``, ``max_retries``, ``base_url`` or
        ``api_token``.

        The copy shares this client's connection pool (close this one when done with both).
        """
        copy = object.__new__(type(self))
        settings = _copy_settings(self._settings, options)
        timeout = self._copy_timeout(options)
        copy._configure(settings, self._http, timeout, self._sleep, owns_http=False)
        return copy

    async def submit(
        self,
        model_id: str,
        input: Mapping[str, Any] | None = None,
        **options: Unpack[AsyncSubmitOptions],
    ) -> AsyncJob[OutputModel]:
        """Submit a job of any model by id, with an untyped body (wire keys), not checked
        locally; return its handle at once. Typed accessors do the same with checked inputs.
        """
        submission = Submission.of_input(model_id, input, extra_body=options.get("extra_body"))
        return await self._submit(submission, untyped_output(), options)

    async def run(
        self,
        model_id: str,
        input: Mapping[str, Any] | None = None,
        **options: Unpack[AsyncRunOptions],
    ) -> OutputModel:
        """Submit a job of any model by id (untyped body), wait, and return its output."""
        submission = Submission.of_input(model_id, input, extra_body=options.get("extra_body"))
        return await self._run(submission, untyped_output(), options)

    async def _submit(
        self, submission: Submission, output_type: type[OutputT], options: Mapping[str, Any]
    ) -> AsyncJob[OutputT]:
        request_id = await self._execute(self._submit_operation(submission, options))
        return AsyncJob(self, request_id, output_type)

    async def _run(
        self, submission: Submission, output_type: type[OutputT], options: Mapping[str, Any]
    ) -> OutputT:
        return await self._execute(self._run_operation(submission, output_type, options))

    @overload
    def job(self, request_id: str, output_type: None = None) -> AsyncJob[OutputModel]: ...
    @overload
    def job(self, request_id: str, output_type: type[OutputT]) -> AsyncJob[OutputT]: ...
    def job(self, request_id: str, output_type: type[Any] | None = None) -> AsyncJob[Any]:
        """A handle on an existing job, e.g. one submitted by another process.

        Without ``output_type`` the output is a plain ``OutputModel`` holding every key.
        """
        return AsyncJob(self, request_id, output_type or untyped_output())

    async def download(
        self,
        output: OutputModel,
        directory: str | Path,
        *,
        max_bytes: int | None = DEFAULT_MAX_DOWNLOAD_BYTES,
        overwrite: bool = False,
    ) -> list[Path]:
        """Download every URL of ``output`` into ``directory``, streaming; return the paths.

        An existing file is kept (``DownloadError``) unless ``overwrite`` is true. Files are
        written in a worker thread, so the event loop never waits on the disk.
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
        """Close the HTTP connections (unless the http_client was yours, or shared)."""
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
