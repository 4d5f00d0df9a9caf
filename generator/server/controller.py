"""The server's whole mutable state behind one lock, and the knobs tests turn.

The app (on the server's event-loop thread) and a test (on its own thread) share one
``Controller``: the test injects faults, makes jobs fail, changes timings and outputs, and
reads the per-route counters; the app records requests and jobs through it. The admin HTTP
routes are a thin JSON skin over the same methods.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .config import ServerConfig, Timings
from .faults import ROUTES, Fault, FaultBook, Route
from .jobs import CancelOutcome, Clock, Job, JobBook, JobView

DEFAULT_JOB_ERROR: Mapping[str, Any] = {
    "error_code": 500,
    "error_message": "The workflow failed while running (simulated failure).",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Stats:
    """Counters since the last reset. ``requests`` counts every request a route received,
    including those a fault answered and those that failed authentication."""

    requests: Mapping[Route, int]
    faults_fired: Mapping[Route, int]
    jobs: int
    pending_faults: tuple[tuple[Fault, int], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "requests": dict(self.requests),
            "faults_fired": dict(self.faults_fired),
            "jobs": self.jobs,
            "pending_faults": [
                {**fault.to_json(), "remaining": remaining}
                for fault, remaining in self.pending_faults
            ],
        }


@dataclass(slots=True)
class _Knobs:
    timings: Timings
    file_size: int
    failures_next: list[Mapping[str, Any]] = field(default_factory=list)
    failures_by_model: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    outputs: dict[str, Mapping[str, Any]] = field(default_factory=dict)


class Controller:
    """Thread-safe state and test controls of one server."""

    def __init__(self, config: ServerConfig | None = None, *, clock: Clock = time.time) -> None:
        self.config = config or ServerConfig()
        self._clock = clock
        self._lock = threading.Lock()
        self._jobs = JobBook()
        self._faults = FaultBook()
        self._knobs = self._default_knobs()

    # Test controls -----------------------------------------------------------------------

    def inject(self, *faults: Fault) -> None:
        """Queue faults; each fires on its route's next ``times`` requests, in order given."""
        with self._lock:
            for fault in faults:
                self._faults.add(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear_pending()

    def set_timings(self, timings: Timings) -> None:
        """Timings for jobs submitted from now on; jobs already submitted keep theirs."""
        with self._lock:
            self._knobs.timings = timings

    def fail_next(self, count: int = 1, *, error: Mapping[str, Any] | None = None) -> None:
        """Make the next ``count`` submitted jobs (of any model) end ``failed`` with ``error``."""
        if count < 1:
            raise ValueError(f"count must be at least 1, got {count}")
        with self._lock:
            self._knobs.failures_next.extend(_error_object(error) for _ in range(count))

    def fail_model(self, model_id: str, *, error: Mapping[str, Any] | None = None) -> None:
        """Make every job of ``model_id`` submitted from now on end ``failed``."""
        with self._lock:
            self._knobs.failures_by_model[model_id] = _error_object(error)

    def set_output(self, model_id: str, output: Mapping[str, Any] | None) -> None:
        """Answer completed jobs of ``model_id`` with ``output`` as given (None: the default)."""
        with self._lock:
            if output is None:
                self._knobs.outputs.pop(model_id, None)
            else:
                self._knobs.outputs[model_id] = copy.deepcopy(dict(output))

    def set_file_size(self, size: int | None) -> None:
        """Size in bytes of every placeholder file served from now on (None: the default)."""
        if size is not None and size < 0:
            raise ValueError(f"size must be >= 0, got {size}")
        with self._lock:
            self._knobs.file_size = self.config.file_size if size is None else size

    def reset(self) -> None:
        """Forget jobs, faults, counters and knobs: back to the state of a fresh server."""
        with self._lock:
            self._jobs.clear()
            self._faults.reset()
            self._knobs = self._default_knobs()

    # Observations ------------------------------------------------------------------------

    def now(self) -> float:
        return self._clock()

    def count(self, route: Route) -> int:
        """How many requests ``route`` received since the last reset."""
        if route not in ROUTES:
            raise ValueError(f"unknown route {route!r}; routes are {', '.join(ROUTES)}")
        with self._lock:
            return self._faults.requests[route]

    def stats(self) -> Stats:
        with self._lock:
            return Stats(
                requests=dict(self._faults.requests),
                faults_fired=dict(self._faults.fired),
                jobs=len(self._jobs.all()),
                pending_faults=self._faults.pending(),
            )

    def jobs(self) -> tuple[Job, ...]:
        """Every job since the last reset, in submission order, with the body it was sent."""
        with self._lock:
            return self._jobs.all()

    @property
    def timings(self) -> Timings:
        with self._lock:
            return self._knobs.timings

    @property
    def file_size(self) -> int:
        with self._lock:
            return self._knobs.file_size

    # Used by the app ---------------------------------------------------------------------

    def on_request(self, route: Route) -> Fault | None:
        """Count a request to ``route``; the fault to apply to it, if one is pending."""
        with self._lock:
            return self._faults.on_request(route)

    def submit(self, *, model_id: str, owner: str, body: Mapping[str, Any]) -> Job:
        with self._lock:
            return self._jobs.add(
                model_id=model_id,
                owner=owner,
                body=copy.deepcopy(dict(body)),
                now=self._clock(),
                timings=self._knobs.timings,
                failure=self._take_failure(model_id),
            )

    def view(self, request_id: str) -> JobView | None:
        with self._lock:
            job = self._jobs.get(request_id)
            return None if job is None else self._jobs.view(job, self._clock())

    def cancel(self, request_id: str) -> tuple[JobView, CancelOutcome] | None:
        with self._lock:
            job = self._jobs.get(request_id)
            return None if job is None else self._jobs.cancel(job, self._clock())

    def output_override(self, model_id: str) -> Mapping[str, Any] | None:
        with self._lock:
            output = self._knobs.outputs.get(model_id)
            return None if output is None else copy.deepcopy(dict(output))

    def _take_failure(self, model_id: str) -> Mapping[str, Any] | None:
        if self._knobs.failures_next:
            return self._knobs.failures_next.pop(0)
        return self._knobs.failures_by_model.get(model_id)

    def _default_knobs(self) -> _Knobs:
        return _Knobs(timings=self.config.timings, file_size=self.config.file_size)


def _error_object(error: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return copy.deepcopy(dict(error if error is not None else DEFAULT_JOB_ERROR))
