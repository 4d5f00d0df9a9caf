"""Job handles: one submitted request, with its typed output class.

A handle is only a request id, an output class and a client, so it can be rebuilt from
a stored id (``client.job(request_id, OutputClass)`` or ``client.<model>.job(id)``) in
a process that did not submit the job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, Unpack

from ._options import AsyncWaitOptions, RequestOptions, WaitOptions, call_options
from ._typevars import OutputT

if TYPE_CHECKING:
    from ._client import AsyncRunComfyBase, RunComfyBase
    from ._types import CancelResponse, JobResult, JobStatus

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

    def status(self, **options: Unpack[RequestOptions]) -> JobStatus:
        call = call_options(options, RequestOptions)
        return self._client._execute(self._client._ops.status(self.request_id, options=call))

    def result(
        self, *, include_cost: bool = False, **options: Unpack[RequestOptions]
    ) -> JobResult[OutputT]:
        """The current result; ``output`` stays None until the job has succeeded."""
        operation = self._client._ops.result(
            self.request_id,
            self.output_type,
            include_cost=include_cost,
            options=call_options(options, RequestOptions),
        )
        return self._client._execute(operation)

    def cancel(self, **options: Unpack[RequestOptions]) -> CancelResponse:
        """Cancel the job while it is queued; raises ``NotCancellableError`` once it runs."""
        call = call_options(options, RequestOptions)
        return self._client._execute(self._client._ops.cancel(self.request_id, options=call))

    def wait(self, **options: Unpack[WaitOptions]) -> OutputT:
        """Poll until the job ends and return its output.

        Polls about every second at first, backing off to about every 10 s. Each new
        state or queue position goes to ``on_update`` and to the ``runcomfy_sdk`` logger.
        Raises ``JobFailedError``, ``JobCancelledError``, or ``WaitTimeoutError`` once
        ``timeout`` seconds have passed (None: no limit); the job itself keeps running.
        """
        operation = self._client._wait_operation(self.request_id, self.output_type, options)
        return self._client._execute(operation)


class AsyncJob(_JobBase[OutputT]):
    """A submitted job (asyncio calls); see ``Job`` for the behaviour of each method."""

    def __init__(
        self, client: AsyncRunComfyBase, request_id: str, output_type: type[OutputT]
    ) -> None:
        super().__init__(request_id, output_type)
        self._client = client

    async def status(self, **options: Unpack[RequestOptions]) -> JobStatus:
        call = call_options(options, RequestOptions)
        return await self._client._execute(self._client._ops.status(self.request_id, options=call))

    async def result(
        self, *, include_cost: bool = False, **options: Unpack[RequestOptions]
    ) -> JobResult[OutputT]:
        operation = self._client._ops.result(
            self.request_id,
            self.output_type,
            include_cost=include_cost,
            options=call_options(options, RequestOptions),
        )
        return await self._client._execute(operation)

    async def cancel(self, **options: Unpack[RequestOptions]) -> CancelResponse:
        call = call_options(options, RequestOptions)
        return await self._client._execute(self._client._ops.cancel(self.request_id, options=call))

    async def wait(self, **options: Unpack[AsyncWaitOptions]) -> OutputT:
        """Poll until the job ends; ``on_update`` may be a coroutine function."""
        operation = self._client._wait_operation(self.request_id, self.output_type, options)
        return await self._client._execute(operation)
