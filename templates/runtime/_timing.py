"""How long to wait: backoff schedules, ``Retry-After`` parsing and the injectable clocks.

Pure arithmetic. The clocks and the random source live in ``Timing`` so that a client
can be given fake ones: tests then run the whole retry and polling logic without
sleeping, and with exact, repeatable delays.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime

__all__ = ["DEFAULT_TIMING", "Backoff", "Timing", "parse_retry_after"]

# Past this many steps every schedule sits at its maximum; stopping the exponent here
# keeps ``factor ** attempt`` from overflowing a float on very long waits.
_MAX_EXPONENT = 64


@dataclass(frozen=True, slots=True, kw_only=True)
class Backoff:
    """An exponential schedule: ``initial * factor ** n``, capped at ``maximum``.

    ``jitter`` is the largest fraction taken off at random, so that many clients started
    together drift apart instead of hitting the API in step; it never pushes a delay
    above ``maximum``.
    """

    initial: float
    factor: float
    maximum: float
    jitter: float = 0.0

    def __post_init__(self) -> None:
        if not (0 <= self.initial <= self.maximum and self.factor >= 1 and 0 <= self.jitter <= 1):
            raise ValueError(
                "Backoff needs 0 <= initial <= maximum, factor >= 1 and 0 <= jitter <= 1"
            )

    def delay(self, attempt: int, random_value: float) -> float:
        """The delay before step ``attempt`` (0-based); ``random_value`` is in [0, 1)."""
        base = min(self.maximum, self.initial * self.factor ** min(attempt, _MAX_EXPONENT))
        return base * (1.0 - self.jitter * random_value)


DEFAULT_POLL_BACKOFF = Backoff(initial=1.0, factor=1.5, maximum=10.0, jitter=0.2)
"""Polling a job: about 1 s at first, growing to about 10 s for long jobs."""

DEFAULT_RETRY_BACKOFF = Backoff(initial=0.5, factor=2.0, maximum=8.0, jitter=0.25)
"""Retrying a failed call when the server gave no ``Retry-After``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Timing:
    """Schedules and clocks of one client. Replace any part with ``dataclasses.replace``."""

    poll: Backoff = DEFAULT_POLL_BACKOFF
    retry: Backoff = DEFAULT_RETRY_BACKOFF
    max_retry_after: float = 60.0
    """A ``Retry-After`` longer than this is not waited out: the error is raised instead."""
    retry_budget: float = 90.0
    """Seconds one call may spend waiting between its retries, in all (besides attempts)."""
    cancel_on_interrupt: float = 5.0
    """Seconds the one cancel that ``run(cancel_on_interrupt=True)`` sends may take."""
    monotonic: Callable[[], float] = time.monotonic
    """Clock for deadlines (seconds, only differences matter)."""
    wall_clock: Callable[[], float] = time.time
    """Clock for HTTP-date ``Retry-After`` values (seconds since the epoch)."""
    random: Callable[[], float] = random.random
    """Source of jitter, in [0, 1)."""


DEFAULT_TIMING = Timing()


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or an HTTP-date.

    Returns None when the header is absent or unreadable; a date in the past means 0.
    """
    if value is None or not value.strip():
        return None
    try:
        seconds = float(value)
    except ValueError:
        return _seconds_until(value, now=now)
    # A negative or non-finite delay is no instruction at all: the caller's backoff applies.
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _seconds_until(http_date: str, *, now: float) -> float | None:
    try:
        moment = parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # an HTTP-date is always GMT, even when it fails to say so
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, moment.timestamp() - now)
