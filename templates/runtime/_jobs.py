"""Job handles: one submitted request, with its typed output class.

A handle is only a request id, an output class and a client, so it can be rebuilt from
a stored id (``client.job(request_id, OutputClass)`` or ``client.<model>.job(id)``) in
a process that did not submit the job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic

from ._operations import OnUpdate
from ._types import CancelResponse, JobResult, JobStatus, OutputT

if TYPE_CHECKING:
    from ._client import AsyncRunComfyBase, RunComfyBase

__all__ = ["AsyncJob", "Job"]


class _JobBase(Generic[OutputT]):
    def __init__(self, request_id: str, output_type: type[OutputT]) -> None:
        if not isinstance(request_id, str) or not request_id.strip():
            raise ValueError(f"request_id must be a non-empty string, not {request_id!r}")
        self._request_id = request_id.strip()
        self._output_type = output_type

    @property
    def request_id(self) -> str:
        """Store this to resume the job later, from any process."""
        return self._request_id

    @property
    def output_type(self) -> type[OutputT]:
        return self._output_type

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(request_id={self._request_id!r}, "
            f"output_type={self._output_type.__name__})"
        )


class Job(_JobBase[OutputT]):
    """A submitted job (blocking calls)."""

    def __init__(self, client: RunComfyBase, request_id: str, output_type: type[OutputT]) -> None:
        super().__init__(request_id, output_type)
        self._client = client

    def status(self) -> JobStatus:
        return self._client._execute(self._client._ops.status(self.request_id))

    def result(self, *, include_cost: bool = False) -> JobResult[OutputT]:
        """The current result; ``output`` stays None until the job has succeeded."""
        ops = self._client._ops
        return self._client._execute(
            ops.result(self.request_id, self.output_type, include_cost=include_cost)
        )

    def cancel(self) -> CancelResponse:
        """Cancel the job while it is queued; raises ``NotCancellableError`` once it runs."""
        return self._client._execute(self._client._ops.cancel(self.request_id))

    def wait(self, *, timeout: float | None = None, on_update: OnUpdate | None = None) -> OutputT:
        """Poll until the job ends and return its output.

        Polls about every second at first, backing off to about every 10 s. Each new
        state or queue position goes to ``on_update`` and to the ``runcomfy_sdk`` logger.
        Raises ``JobFailedError``, ``JobCancelledError``, or ``WaitTimeoutError`` once
        ``timeout`` seconds have passed (None: no limit); the job itself keeps running.
        """
        operation = self._client._ops.wait(
            self.request_id, self.output_type, timeout=timeout, on_update=on_update
        )
        return self._client._execute(operation)


class AsyncJob(_JobBase[OutputT]):
    """A submitted job (asyncio calls); see ``Job`` for the behaviour of each method."""

    def __init__(
        self, client: AsyncRunComfyBase, request_id: str, output_type: type[OutputT]
    ) -> None:
        super().__init__(request_id, output_type)
        self._client = client

    async def status(self) -> JobStatus:
        return await self._client._execute(self._client._ops.status(self.request_id))

    async def result(self, *, include_cost: bool = False) -> JobResult[OutputT]:
        ops = self._client._ops
        return await self._client._execute(
            ops.result(self.request_id, self.output_type, include_cost=include_cost)
        )

    async def cancel(self) -> CancelResponse:
        return await self._client._execute(self._client._ops.cancel(self.request_id))

    async def wait(
        self, *, timeout: float | None = None, on_update: OnUpdate | None = None
    ) -> OutputT:
        operation = self._client._ops.wait(
            self.request_id, self.output_type, timeout=timeout, on_update=on_update
        )
        return await self._client._execute(operation)
