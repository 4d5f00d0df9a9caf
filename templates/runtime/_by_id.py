"""Calls by request id (``client.requests``) and on the catalog (``client.models``).

Thin hand-offs, like the rest of the clients: each checks its per-call options and runs the
shared operation with its client's driver. Results come back with an untyped ``OutputModel``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Unpack

from ._lazy import untyped_output
from ._options import RequestOptions, call_options

if TYPE_CHECKING:
    from ._client import AsyncRunComfyBase, RunComfyBase
    from ._models import OutputModel
    from ._types import CancelResponse, JobResult, JobStatus, ModelEntry, ModelList

__all__ = ["AsyncModels", "AsyncRequests", "Models", "Requests"]


class Requests:
    """Calls on any request by id; results come back with an untyped ``OutputModel``."""

    def __init__(self, client: RunComfyBase) -> None:
        self._client = client

    def status(self, request_id: str, **options: Unpack[RequestOptions]) -> JobStatus:
        call = call_options(options, RequestOptions)
        return self._client._execute(self._client._ops.status(request_id, options=call))

    def result(
        self, request_id: str, *, include_cost: bool = False, **options: Unpack[RequestOptions]
    ) -> JobResult[OutputModel]:
        call = call_options(options, RequestOptions)
        operation = self._client._ops.result(
            request_id, untyped_output(), include_cost=include_cost, options=call
        )
        return self._client._execute(operation)

    def cancel(self, request_id: str, **options: Unpack[RequestOptions]) -> CancelResponse:
        """Cancel a queued job; raises ``NotCancellableError`` once it runs."""
        call = call_options(options, RequestOptions)
        return self._client._execute(self._client._ops.cancel(request_id, options=call))


class AsyncRequests:
    """Calls on any request by id; results come back with an untyped ``OutputModel``."""

    def __init__(self, client: AsyncRunComfyBase) -> None:
        self._client = client

    async def status(self, request_id: str, **options: Unpack[RequestOptions]) -> JobStatus:
        call = call_options(options, RequestOptions)
        return await self._client._execute(self._client._ops.status(request_id, options=call))

    async def result(
        self, request_id: str, *, include_cost: bool = False, **options: Unpack[RequestOptions]
    ) -> JobResult[OutputModel]:
        call = call_options(options, RequestOptions)
        operation = self._client._ops.result(
            request_id, untyped_output(), include_cost=include_cost, options=call
        )
        return await self._client._execute(operation)

    async def cancel(self, request_id: str, **options: Unpack[RequestOptions]) -> CancelResponse:
        """Cancel a queued job; raises ``NotCancellableError`` once it runs."""
        call = call_options(options, RequestOptions)
        return await self._client._execute(self._client._ops.cancel(request_id, options=call))


class Models:
    """The model catalog."""

    def __init__(self, client: RunComfyBase) -> None:
        self._client = client

    def list(
        self,
        *,
        limit: int | None = None,
        offset: int | None = None,
        include_schema: bool = False,
        **options: Unpack[RequestOptions],
    ) -> ModelList:
        operation = self._client._ops.list_models(
            limit=limit,
            offset=offset,
            include_schema=include_schema,
            options=call_options(options, RequestOptions),
        )
        return self._client._execute(operation)

    def get(self, model_id: str, **options: Unpack[RequestOptions]) -> ModelEntry:
        """One model, with its ``input_schema``."""
        call = call_options(options, RequestOptions)
        return self._client._execute(self._client._ops.get_model(model_id, options=call))


class AsyncModels:
    """The model catalog."""

    def __init__(self, client: AsyncRunComfyBase) -> None:
        self._client = client

    async def list(
        self,
        *,
        limit: int | None = None,
        offset: int | None = None,
        include_schema: bool = False,
        **options: Unpack[RequestOptions],
    ) -> ModelList:
        operation = self._client._ops.list_models(
            limit=limit,
            offset=offset,
            include_schema=include_schema,
            options=call_options(options, RequestOptions),
        )
        return await self._client._execute(operation)

    async def get(self, model_id: str, **options: Unpack[RequestOptions]) -> ModelEntry:
        """One model, with its ``input_schema``."""
        call = call_options(options, RequestOptions)
        return await self._client._execute(self._client._ops.get_model(model_id, options=call))
