"""Bases of the generated per-model accessors.

A generated accessor sets ``request_type`` and ``output_type`` and spells out
``submit``/``run`` with the model's friendly, typed keyword arguments; each builds the
request model and hands it to ``_submit``/``_run`` here. Both submit with one POST that
is never resent once it may have reached the server (a submit is paid and has no
idempotency key); only a failure to connect at all is retried.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

from ._jobs import AsyncJob, Job
from ._models import RequestModel
from ._operations import OnUpdate
from ._types import OutputT

if TYPE_CHECKING:
    from ._client import AsyncRunComfyBase, RunComfyBase

__all__ = ["AsyncModelResource", "ModelResource"]

RequestT = TypeVar("RequestT", bound=RequestModel)


class ModelResource(Generic[RequestT, OutputT]):
    """One model's ``submit``/``run``/``job`` on a blocking client."""

    request_type: type[RequestT]
    output_type: type[OutputT]

    def __init__(self, client: RunComfyBase) -> None:
        self._client = client

    def job(self, request_id: str) -> Job[OutputT]:
        """A handle on an earlier job of this model, from its stored request id."""
        return Job(self._client, request_id, self.output_type)

    def _submit(self, request: RequestT) -> Job[OutputT]:
        submitted = self._client._execute(self._client._ops.submit(request))
        return self.job(submitted.request_id)

    def _run(
        self, request: RequestT, *, timeout: float | None = None, on_update: OnUpdate | None = None
    ) -> OutputT:
        operation = self._client._ops.run(
            request, self.output_type, timeout=timeout, on_update=on_update
        )
        return self._client._execute(operation)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model_id={self.request_type.model_id!r})"


class AsyncModelResource(Generic[RequestT, OutputT]):
    """One model's ``submit``/``run``/``job`` on an asyncio client."""

    request_type: type[RequestT]
    output_type: type[OutputT]

    def __init__(self, client: AsyncRunComfyBase) -> None:
        self._client = client

    def job(self, request_id: str) -> AsyncJob[OutputT]:
        """A handle on an earlier job of this model, from its stored request id."""
        return AsyncJob(self._client, request_id, self.output_type)

    async def _submit(self, request: RequestT) -> AsyncJob[OutputT]:
        submitted = await self._client._execute(self._client._ops.submit(request))
        return self.job(submitted.request_id)

    async def _run(
        self, request: RequestT, *, timeout: float | None = None, on_update: OnUpdate | None = None
    ) -> OutputT:
        operation = self._client._ops.run(
            request, self.output_type, timeout=timeout, on_update=on_update
        )
        return await self._client._execute(operation)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model_id={self.request_type.model_id!r})"
