"""Typed answers of the queue and catalog endpoints.

Every model keeps keys it does not know (``extra="allow"``), so a field the API adds
tomorrow neither breaks parsing nor gets lost. A job's ``status`` stays a plain string:
an unknown state is kept as sent, and the ``is_*`` helpers answer for the known ones.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final, Generic

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)

from ._errors import RawResponse
from ._typevars import OutputT

__all__ = [
    "CancelResponse",
    "JobResult",
    "JobState",
    "JobStatus",
    "ModelEntry",
    "ModelList",
    "SubmitResponse",
]


class JobState:
    """Known values of a job's ``status``. The API may send others; they are kept as is."""

    IN_QUEUE: Final = "in_queue"
    IN_PROGRESS: Final = "in_progress"
    COMPLETED: Final = "completed"
    SUCCEEDED: Final = "succeeded"
    FAILED: Final = "failed"
    CANCELLED: Final = "cancelled"
    CANCELED: Final = "canceled"

    SUCCESS: Final = frozenset({COMPLETED, SUCCEEDED})
    FAILURE: Final = frozenset({FAILED})
    CANCELLATION: Final = frozenset({CANCELLED, CANCELED})
    TERMINAL: Final = SUCCESS | FAILURE | CANCELLATION
    KNOWN: Final = TERMINAL | {IN_QUEUE, IN_PROGRESS}


def _lenient_datetime(value: Any, handler: ValidatorFunctionWrapHandler) -> datetime | None:
    # A timestamp in a shape we cannot read must not cost the caller their output.
    try:
        result: datetime | None = handler(value)
    except ValidationError:
        return None
    return result


LenientDatetime = Annotated[datetime | None, WrapValidator(_lenient_datetime)]


class _Answer(BaseModel):
    # Validators are built on first use: most programs never parse half of these answers.
    model_config = ConfigDict(extra="allow", protected_namespaces=(), frozen=True, defer_build=True)


class _HasState(_Answer):
    request_id: str
    status: str
    """The job's state as the server spelled it (see ``JobState``)."""

    def _state(self) -> str:
        return self.status.strip().lower()

    @property
    def is_queued(self) -> bool:
        return self._state() == JobState.IN_QUEUE

    @property
    def is_running(self) -> bool:
        return self._state() == JobState.IN_PROGRESS

    @property
    def is_succeeded(self) -> bool:
        return self._state() in JobState.SUCCESS

    @property
    def is_failed(self) -> bool:
        return self._state() in JobState.FAILURE

    @property
    def is_cancelled(self) -> bool:
        return self._state() in JobState.CANCELLATION

    @property
    def is_terminal(self) -> bool:
        """True once the job can no longer change (succeeded, failed or cancelled)."""
        return self._state() in JobState.TERMINAL

    @property
    def is_known(self) -> bool:
        """False for a state this SDK does not know; such a job is treated as still running."""
        return self._state() in JobState.KNOWN


class SubmitResponse(_Answer):
    """Answer to a submit: the new job's id and where to follow it."""

    request_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    status_url: str | None = None
    result_url: str | None = None
    cancel_url: str | None = None


class JobStatus(_HasState):
    """A job's state; ``queue_position`` is set while it waits in the queue."""

    queue_position: int | None = None
    status_url: str | None = None
    result_url: str | None = None


class JobResult(_HasState, Generic[OutputT]):
    """A job's result. ``output`` is None until the job has succeeded."""

    output: OutputT | None = None
    created_at: LenientDatetime = None
    finished_at: LenientDatetime = None
    error: JsonValue = None
    """What the server reported for a failed job."""
    cost: float | dict[str, JsonValue] | None = None
    """Only present when asked for (``include_cost=True``)."""
    _response: RawResponse | None = PrivateAttr(default=None)

    @property
    def response(self) -> RawResponse | None:
        """The HTTP answer this result came from: ``status_code``, ``headers``, ``body`` (JSON)."""
        return self._response


class CancelResponse(_HasState):
    """Answer to a cancel. ``outcome`` is ``cancelled`` or ``not_cancellable``."""

    outcome: str | None = None

    @property
    def is_accepted(self) -> bool:
        """True when the job was cancelled (or already was)."""
        outcome = (self.outcome or "").strip().lower()
        if outcome:
            return outcome in JobState.CANCELLATION
        return self.is_cancelled


class ModelEntry(_Answer):
    """One model of the catalog."""

    model_id: str = Field(validation_alias=AliasChoices("model_id", "id"))
    name: str | None = None
    description: str | None = None
    input_schema: dict[str, JsonValue] | None = None
    output_schema: dict[str, JsonValue] | None = None


class ModelList(_Answer):
    """One page of the catalog."""

    models: list[ModelEntry] = Field(default_factory=list)
    total: int | None = None
