"""Fault injection: what can go wrong on which route, how many times, and per-route counters.

A ``Fault`` targets one route and fires on its next ``times`` requests there. Two kinds
answer *instead of* the route (``http_error``, ``error_in_200``: nothing happens, as when a
gateway or the API rejects the call); three kinds spoil the answer *after* the route did its
work (``slow``, ``malformed``, ``drop``: a submit still creates its job), which is what makes
a lost submit response dangerous to retry. Pure data plus a small book; no HTTP here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any, Literal, cast, get_args

Route = Literal["submit", "status", "result", "cancel", "catalog", "files"]
ROUTES: tuple[Route, ...] = get_args(Route)


class FaultKind(StrEnum):
    HTTP_ERROR = "http_error"  # an error status with a RunComfy body, optional Retry-After
    ERROR_IN_200 = "error_in_200"  # HTTP 200 whose body is {"error_code", "error_message"}
    SLOW = "slow"  # the real answer, after ``delay`` seconds
    MALFORMED = "malformed"  # HTTP 200 with a body that is not JSON
    DROP = "drop"  # headers and part of a body, then the connection is closed

    @property
    def replaces_route(self) -> bool:
        return self in (FaultKind.HTTP_ERROR, FaultKind.ERROR_IN_200)


@dataclass(frozen=True, slots=True, kw_only=True)
class Fault:
    """One injected fault. ``error_code``/``message`` default from ``status`` when unset."""

    route: Route
    kind: FaultKind
    times: int = 1
    status: int = 500
    error_code: int | None = None
    message: str | None = None
    retry_after: float | None = None
    delay: float = 1.0

    def __post_init__(self) -> None:
        if self.route not in ROUTES:
            raise ValueError(f"route must be one of {', '.join(ROUTES)}, got {self.route!r}")
        if self.times < 1:
            raise ValueError(f"times must be at least 1, got {self.times}")
        if not 400 <= self.status <= 599:
            raise ValueError(f"status must be an HTTP error status (4xx/5xx), got {self.status}")
        if not math.isfinite(self.delay) or self.delay < 0:
            raise ValueError(f"delay must be a non-negative number of seconds, got {self.delay}")
        if self.retry_after is not None and (
            not math.isfinite(self.retry_after) or self.retry_after < 0
        ):
            raise ValueError(f"retry_after must be >= 0 seconds, got {self.retry_after}")

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "kind": self.kind.value}


def http_error(
    route: Route,
    status: int,
    *,
    times: int = 1,
    retry_after: float | None = None,
    error_code: int | None = None,
    message: str | None = None,
) -> Fault:
    return Fault(
        route=route,
        kind=FaultKind.HTTP_ERROR,
        status=status,
        times=times,
        retry_after=retry_after,
        error_code=error_code,
        message=message,
    )


def error_in_200(
    route: Route, *, error_code: int = 500, message: str | None = None, times: int = 1
) -> Fault:
    return Fault(
        route=route,
        kind=FaultKind.ERROR_IN_200,
        error_code=error_code,
        message=message,
        times=times,
    )


def slow(route: Route, delay: float, *, times: int = 1) -> Fault:
    return Fault(route=route, kind=FaultKind.SLOW, delay=delay, times=times)


def malformed(route: Route, *, times: int = 1) -> Fault:
    return Fault(route=route, kind=FaultKind.MALFORMED, times=times)


def drop(route: Route, *, times: int = 1) -> Fault:
    return Fault(route=route, kind=FaultKind.DROP, times=times)


_FIELD_NAMES = frozenset(f.name for f in fields(Fault))


def fault_from_json(payload: object) -> Fault:
    """A fault from its JSON form (as ``Fault.to_json`` writes it); ValueError if it is bad."""
    if not isinstance(payload, Mapping):
        raise ValueError("a fault must be a JSON object")
    unknown = sorted(set(payload) - _FIELD_NAMES)
    if unknown:
        raise ValueError(f"unknown fault field(s): {', '.join(unknown)}")
    if "route" not in payload or "kind" not in payload:
        raise ValueError("a fault needs a 'route' and a 'kind'")
    try:
        kind = FaultKind(payload["kind"])
    except ValueError:
        kinds = ", ".join(kind.value for kind in FaultKind)
        raise ValueError(f"kind must be one of {kinds}, got {payload['kind']!r}") from None
    values = {**payload, "kind": kind, "route": cast(Route, payload["route"])}
    _check_numbers(values)
    return Fault(**values)


def _check_numbers(values: Mapping[str, Any]) -> None:
    for name in ("times", "status", "error_code"):
        value = values.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"{name} must be an integer, got {value!r}")
    for name in ("delay", "retry_after"):
        value = values.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ValueError(f"{name} must be a number, got {value!r}")
    message = values.get("message")
    if message is not None and not isinstance(message, str):
        raise ValueError(f"message must be a string, got {message!r}")


class FaultBook:
    """Pending faults and per-route counters. Not thread-safe: the ``Controller`` locks."""

    def __init__(self) -> None:
        self._pending: list[tuple[Fault, int]] = []
        self.requests: dict[Route, int] = dict.fromkeys(ROUTES, 0)
        self.fired: dict[Route, int] = dict.fromkeys(ROUTES, 0)

    def add(self, fault: Fault) -> None:
        self._pending.append((fault, fault.times))

    def pending(self) -> tuple[tuple[Fault, int], ...]:
        """Each pending fault with how many more times it fires, in firing order."""
        return tuple(self._pending)

    def on_request(self, route: Route) -> Fault | None:
        """Count a request to ``route`` and take the fault to apply to it, if any."""
        self.requests[route] += 1
        for index, (fault, remaining) in enumerate(self._pending):
            if fault.route != route:
                continue
            if remaining > 1:
                self._pending[index] = (fault, remaining - 1)
            else:
                del self._pending[index]
            self.fired[route] += 1
            return fault
        return None

    def clear_pending(self) -> None:
        self._pending.clear()

    def reset(self) -> None:
        self.clear_pending()
        self.requests = dict.fromkeys(ROUTES, 0)
        self.fired = dict.fromkeys(ROUTES, 0)
