"""Bases of the generated per-model accessors.

A generated accessor sets ``request_type`` and ``output_type``; its ``submit``/``run``
take either a built request object or the model's friendly keyword arguments (typed by a
``TypedDict``, see ``_options``) and hand them here. Both submit with one POST that is
never resent once it may have reached the server (a submit is paid and has no
idempotency key); only a failure to connect at all is retried.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._jobs import AsyncJob, Job
from ._models import RequestModel
from ._operations import OnUpdate
from ._options import AsyncRunOptions, RunOptions, SubmitOptions, option_names, split_options
from ._types import OutputT

if TYPE_CHECKING:
    from ._client import AsyncRunComfyBase, RunComfyBase

__all__ = ["AsyncModelResource", "ModelResource"]

RequestT = TypeVar("RequestT", bound=RequestModel)

_SUBMIT_OPTIONS = option_names(SubmitOptions)
_RUN_OPTIONS = option_names(RunOptions)
_ASYNC_RUN_OPTIONS = option_names(AsyncRunOptions)


class _Resource(Generic[RequestT, OutputT]):
    """What both flavours share: the model's classes and turning arguments into a request."""

    request_type: type[RequestT]
    output_type: type[OutputT]

    def _request(self, request: RequestT | None, parameters: Mapping[str, Any]) -> RequestT:
        """The request object given, or one validated from the keyword arguments."""
        if request is None:
            return self.request_type.model_validate(parameters)
        if parameters:
            raise TypeError(
                f"pass either a {self.request_type.__name__} or keyword arguments, not both "
                f"(got the object and {', '.join(sorted(parameters))})"
            )
        if not isinstance(request, self.request_type):
            raise TypeError(
                f"expected a {self.request_type.__name__}, got {type(request).__name__}: "
                f"build it with {self.request_type.__name__}(...) or pass keyword arguments"
            )
        return request

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model_id={self.request_type.model_id!r})"


class ModelResource(_Resource[RequestT, OutputT]):
    """One model's ``submit``/``run``/``job`` on a blocking client."""

    def __init__(self, client: RunComfyBase) -> None:
        self._client = client

    def job(self, request_id: str) -> Job[OutputT]:
        """A handle on an earlier job of this model, from its stored request id."""
        return Job(self._client, request_id, self.output_type)

    def _submit_with(self, request: RequestT | None, kwargs: Mapping[str, Any]) -> Job[OutputT]:
        parameters, _ = split_options(kwargs, _SUBMIT_OPTIONS)
        return self._submit(self._request(request, parameters))

    def _run_with(self, request: RequestT | None, kwargs: Mapping[str, Any]) -> OutputT:
        parameters, options = split_options(kwargs, _RUN_OPTIONS)
        return self._run(self._request(request, parameters), **options)

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


class AsyncModelResource(_Resource[RequestT, OutputT]):
    """One model's ``submit``/``run``/``job`` on an asyncio client."""

    def __init__(self, client: AsyncRunComfyBase) -> None:
        self._client = client

    def job(self, request_id: str) -> AsyncJob[OutputT]:
        """A handle on an earlier job of this model, from its stored request id."""
        return AsyncJob(self._client, request_id, self.output_type)

    async def _submit_with(
        self, request: RequestT | None, kwargs: Mapping[str, Any]
    ) -> AsyncJob[OutputT]:
        parameters, _ = split_options(kwargs, _SUBMIT_OPTIONS)
        return await self._submit(self._request(request, parameters))

    async def _run_with(self, request: RequestT | None, kwargs: Mapping[str, Any]) -> OutputT:
        parameters, options = split_options(kwargs, _ASYNC_RUN_OPTIONS)
        return await self._run(self._request(request, parameters), **options)

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
