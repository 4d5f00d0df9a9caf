"""Per-call options: what a caller may change for one call, and how it reaches the core.

Public methods take options as keyword arguments typed by the ``TypedDict``s below
(``**options: Unpack[RequestOptions]``); ``call_options`` checks them once and turns the
transport part into a frozen ``CallOptions`` that the operations apply to every HTTP call
they make. The generated per-model methods reuse these ``TypedDict``s, merged with each
model's parameters: option names are reserved by the naming rules, so no field can take
one, and ``split_options`` tells the two apart by these keys.

``timeout`` means "how long this call may take": for a single call, the HTTP timeout of
each attempt (as the client's ``timeout``); for ``wait``/``run``, the whole wait.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict

import httpx

if TYPE_CHECKING:
    from ._types import JobStatus

__all__ = [
    "AsyncOnSubmitted",
    "AsyncOnUpdate",
    "AsyncRunOptions",
    "AsyncSubmitOptions",
    "AsyncWaitOptions",
    "CallOptions",
    "ClientOptions",
    "OnSubmitted",
    "OnUpdate",
    "RequestOptions",
    "RunOptions",
    "SubmitOptions",
    "WaitOptions",
    "call_options",
    "option_names",
    "refuse_coroutine_callbacks",
    "split_options",
]

OnUpdate: TypeAlias = "Callable[[JobStatus], object]"
"""Called with each new job status while waiting (a new state or queue position)."""
AsyncOnUpdate: TypeAlias = "Callable[[JobStatus], Awaitable[object] | object]"
"""On the async client ``on_update`` may also be a coroutine function; it is awaited."""
OnSubmitted = Callable[[str], object]
"""Called with the request id as soon as the server has accepted a submit."""
AsyncOnSubmitted = Callable[[str], Awaitable[object] | object]


class _TransportOptions(TypedDict, total=False):
    max_retries: int
    """Retries of each call (a submit is still resent only when it could not connect)."""
    extra_headers: Mapping[str, str]
    """Headers added to (or replacing) the client's, on every HTTP call of this call."""
    extra_query: Mapping[str, str]
    """Query parameters added to every HTTP call of this call."""


class RequestOptions(_TransportOptions, total=False):
    """Options of every single call: ``status``, ``result``, ``cancel``, the catalog."""

    timeout: float | httpx.Timeout | None
    """Seconds for each HTTP attempt (None: no limit); the client's ``timeout`` otherwise."""


class _BodyOptions(TypedDict, total=False):
    extra_body: Mapping[str, object]
    """Wire keys merged into the submitted body, for inputs the typed fields do not cover
    (yet). A key that names a typed field is refused: set the field instead."""


class SubmitOptions(RequestOptions, _BodyOptions, total=False):
    """Options of ``submit``."""

    on_submitted: OnSubmitted | None


class AsyncSubmitOptions(RequestOptions, _BodyOptions, total=False):
    """Options of the async ``submit``; ``on_submitted`` may be a coroutine function."""

    on_submitted: AsyncOnSubmitted | None


class WaitOptions(_TransportOptions, total=False):
    """Options of ``wait``."""

    timeout: float | None
    """Seconds to wait in all (None: as long as the job takes); each poll is capped to the
    time left. The job itself goes on after a ``WaitTimeoutError``."""
    on_update: OnUpdate | None
    """Called with every change of state or queue position."""


class AsyncWaitOptions(_TransportOptions, total=False):
    """Options of the async ``wait``; ``on_update`` may be a coroutine function."""

    timeout: float | None
    on_update: AsyncOnUpdate | None


class _RunOnly(_BodyOptions, total=False):
    cancel_on_interrupt: bool
    """On Ctrl-C or task cancellation while waiting, send one bounded, best-effort cancel;
    the interruption then goes on, with a note saying whether the job was cancelled."""


class RunOptions(WaitOptions, _RunOnly, total=False):
    """Options of ``run``: those of ``submit`` and ``wait``, and ``cancel_on_interrupt``."""

    on_submitted: OnSubmitted | None


class AsyncRunOptions(AsyncWaitOptions, _RunOnly, total=False):
    """Options of the async ``run``; callbacks may be coroutine functions."""

    on_submitted: AsyncOnSubmitted | None


class ClientOptions(TypedDict, total=False):
    """What ``with_options`` may change in the copy of a client."""

    timeout: float | httpx.Timeout | None
    max_retries: int
    base_url: str
    api_token: str
    """Another API token for the copy (scrubbed from its output as the client's own is)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CallOptions:
    """The transport options of one call, checked; applied to each HTTP call it makes."""

    timeout: httpx.Timeout | None = None
    """None: the client's timeout."""
    max_retries: int | None = None
    """None: the client's ``max_retries``."""
    headers: tuple[tuple[str, str], ...] = ()
    query: tuple[tuple[str, str], ...] = ()


NO_OPTIONS = CallOptions()


def call_options(
    options: Mapping[str, Any], allowed: type[Any], *, http_timeout: bool = True
) -> CallOptions:
    """Check ``options`` against the ``TypedDict`` ``allowed``; their transport part.

    ``http_timeout`` False: ``timeout`` is the caller's wait, not an HTTP timeout.
    """
    if not options:  # the common case, on every call
        return NO_OPTIONS
    unknown = sorted(set(options) - option_names(allowed))
    if unknown:
        raise TypeError(f"unexpected keyword argument(s): {', '.join(unknown)}")
    wants_timeout = http_timeout and "timeout" in options
    return CallOptions(
        timeout=as_timeout(options["timeout"]) if wants_timeout else None,
        max_retries=_max_retries(options.get("max_retries")),
        headers=_pairs(options.get("extra_headers"), "extra_headers"),
        query=_pairs(options.get("extra_query"), "extra_query"),
    )


def option_names(options: type[Any]) -> frozenset[str]:
    """The keys an options ``TypedDict`` declares."""
    keys: frozenset[str] = options.__required_keys__ | options.__optional_keys__
    return keys


def split_options(
    kwargs: Mapping[str, Any], options: frozenset[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(parameters, options)`` of a generated method's keyword arguments."""
    parameters: dict[str, Any] = {}
    chosen: dict[str, Any] = {}
    for key, value in kwargs.items():
        (chosen if key in options else parameters)[key] = value
    return parameters, chosen


def as_timeout(value: float | httpx.Timeout | None) -> httpx.Timeout:
    """An ``httpx.Timeout`` from seconds (None: no limit) or a ``Timeout``."""
    return value if isinstance(value, httpx.Timeout) else httpx.Timeout(value)


def check_max_retries(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"max_retries must be an int >= 0, not {value!r}")
    return value


def _max_retries(value: object) -> int | None:
    return None if value is None else check_max_retries(value)


def _pairs(value: object, name: str) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise TypeError(f"{name} must be a mapping of str to str, not {value!r}")
    pairs = tuple((key, str(item)) for key, item in value.items())
    if name == "extra_headers" and any(key.strip().lower() == "authorization" for key, _ in pairs):
        # The client scrubs its own token from everything it shows; a token slipped in here
        # would not be. Another token gets its own client: with_options(api_token=...).
        raise ValueError(
            "extra_headers may not set Authorization; for another token use "
            "client.with_options(api_token=...)"
        )
    return pairs


_CALLBACKS = ("on_update", "on_submitted")


def refuse_coroutine_callbacks(options: Mapping[str, Any]) -> None:
    """The blocking client cannot await a callback: say so before anything is sent."""
    for name in _CALLBACKS:
        callback = options.get(name)
        if callback is not None and inspect.iscoroutinefunction(callback):
            raise TypeError(
                f"{name} is a coroutine function, which the blocking client cannot await: "
                "pass a plain function, or use AsyncRunComfy"
            )
