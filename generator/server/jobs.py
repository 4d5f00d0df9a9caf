"""Jobs and their lifecycle, derived from a clock rather than driven by background tasks.

A job records when it was submitted and the timings in force then; its state at any moment
follows from those alone (``status_at``), so a test with a ``ManualClock`` sees every state
exactly when it chooses to, and nothing runs behind the server's back.
Not thread-safe by itself: the ``Controller`` serialises access.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from .config import Timings

Clock = Callable[[], float]
"""Seconds since the Unix epoch (``time.time`` or a ``ManualClock``)."""


class ManualClock:
    """A clock that moves only when told to; a fixed default start keeps timestamps stable."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        with self._lock:
            self._now += seconds


class JobStatus(StrEnum):
    IN_QUEUE = "in_queue"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_finished(self) -> bool:
        return self in _FINISHED


_FINISHED = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """One submitted request. ``owner`` is a fingerprint of the token, never the token."""

    request_id: str
    model_id: str
    owner: str
    body: Mapping[str, Any]
    sequence: int
    submitted_at: float
    timings: Timings
    failure: Mapping[str, Any] | None = None
    cancelled_at: float | None = None

    @property
    def started_at(self) -> float:
        return self.submitted_at + self.timings.queue_seconds

    @property
    def finished_at(self) -> float:
        if self.cancelled_at is not None:
            return self.cancelled_at
        return self.started_at + self.timings.run_seconds


def status_at(job: Job, now: float) -> JobStatus:
    """The state of ``job`` at time ``now``."""
    if job.cancelled_at is not None:
        return JobStatus.CANCELLED
    if now < job.started_at:
        return JobStatus.IN_QUEUE
    if now < job.finished_at:
        return JobStatus.IN_PROGRESS
    return JobStatus.FAILED if job.failure is not None else JobStatus.COMPLETED


@dataclass(frozen=True, slots=True, kw_only=True)
class JobView:
    """A job as seen at one moment: what the status, result and cancel answers are built from."""

    job: Job
    status: JobStatus
    queue_position: int | None
    now: float


class CancelOutcome(StrEnum):
    CANCELLED = "cancelled"
    NOT_CANCELLABLE = "not_cancellable"


class JobBook:
    """Every job the server has accepted, in submission order."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}

    def add(
        self,
        *,
        model_id: str,
        owner: str,
        body: Mapping[str, Any],
        now: float,
        timings: Timings,
        failure: Mapping[str, Any] | None,
    ) -> Job:
        job = Job(
            request_id=str(uuid.uuid4()),
            model_id=model_id,
            owner=owner,
            body=body,
            sequence=len(self._jobs),
            submitted_at=now,
            timings=timings,
            failure=failure,
        )
        self._jobs[job.request_id] = job
        return job

    def get(self, request_id: str) -> Job | None:
        return self._jobs.get(request_id)

    def all(self) -> tuple[Job, ...]:
        return tuple(self._jobs.values())

    def view(self, job: Job, now: float) -> JobView:
        status = status_at(job, now)
        position = self._jobs_ahead(job, now) if status is JobStatus.IN_QUEUE else None
        return JobView(job=job, status=status, queue_position=position, now=now)

    def cancel(self, job: Job, now: float) -> tuple[JobView, CancelOutcome]:
        """Cancel a queued job; a job already cancelled stays so (cancel is idempotent)."""
        status = status_at(job, now)
        if status is JobStatus.CANCELLED:
            return self.view(job, now), CancelOutcome.CANCELLED
        if status is not JobStatus.IN_QUEUE:
            return self.view(job, now), CancelOutcome.NOT_CANCELLABLE
        cancelled = replace(job, cancelled_at=now)
        self._jobs[job.request_id] = cancelled
        return self.view(cancelled, now), CancelOutcome.CANCELLED

    def clear(self) -> None:
        self._jobs.clear()

    def _jobs_ahead(self, job: Job, now: float) -> int:
        # The queue is per model, as each model runs on its own workers.
        return sum(
            1
            for other in self._jobs.values()
            if other.model_id == job.model_id
            and other.sequence < job.sequence
            and status_at(other, now) is JobStatus.IN_QUEUE
        )
