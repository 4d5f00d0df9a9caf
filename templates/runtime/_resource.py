"""Bases of the generated per-model accessors.

A generated accessor sets ``model_info``, which names its request and output classes;
they are imported on first use, so an accessor costs no pydantic until it is called. Its
``submit``/``run`` take either a built request object or the model's friendly keyword
arguments (typed by a ``TypedDict``, see ``_options``) and hand them here. Both submit with one POST that is
never resent once it may have reached the server (a submit is paid and has no
idempotency key); only a failure to connect at all is retried.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar, Generic, cast

from ._jobs import AsyncJob, Job
from ._lazy import ModelInfo
from ._options import (
    AsyncRunOptions,
    AsyncSubmitOptions,
    RunOptions,
    SubmitOptions,
    option_names,
    split_options,
)
from ._submission import Submission
from ._typevars import OutputT, RequestT

if TYPE_CHECKING:
    from ._client import AsyncRunComfyBase, RunComfyBase

__all__ = ["AsyncModelResource", "ModelResource"]

_SUBMIT_OPTIONS = option_names(SubmitOptions)
_RUN_OPTIONS = option_names(RunOptions)
_ASYNC_SUBMIT_OPTIONS = option_names(AsyncSubmitOptions)
_ASYNC_RUN_OPTIONS = option_names(AsyncRunOptions)


class _Resource(Generic[RequestT, OutputT]):
    """What both flavours share: the model's classes and turning arguments into a request."""

    model_info: ClassVar[ModelInfo]

    @cached_property
    def request_type(self) -> type[RequestT]:
        """The model's request class."""
        return cast("type[RequestT]", self.model_info.request_type())

    @cached_property
    def output_type(self) -> type[OutputT]:
        """The model's output class."""
        return cast("type[OutputT]", self.model_info.output_type())

    def _submission(
        self, request: RequestT | None, kwargs: Mapping[str, Any], options: frozenset[str]
    ) -> tuple[Submission, dict[str, Any]]:
        """What to submit, and the call's options (the client checks them)."""
        parameters, chosen = split_options(kwargs, options)
        built = self._request(request, parameters)
        return Submission.of_request(built, extra_body=chosen.get("extra_body")), chosen

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
    """One model's ``submit``/``run``/``job`` on a blocking client.

    The same calls as ``client.submit(model_id, ...)``/``client.run(...)``, with the
    request checked locally and the output typed.
    """

    def __init__(self, client: RunComfyBase) -> None:
        self._client = client

    def job(self, request_id: str) -> Job[OutputT]:
        """A handle on an earlier job of this model, from its stored request id."""
        return Job(self._client, request_id, self.output_type)

    def _submit_with(self, request: RequestT | None, kwargs: Mapping[str, Any]) -> Job[OutputT]:
        submission, options = self._submission(request, kwargs, _SUBMIT_OPTIONS)
        return self._client._submit(submission, self.output_type, options)

    def _run_with(self, request: RequestT | None, kwargs: Mapping[str, Any]) -> OutputT:
        submission, options = self._submission(request, kwargs, _RUN_OPTIONS)
        return self._client._run(submission, self.output_type, options)


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
        submission, options = self._submission(request, kwargs, _ASYNC_SUBMIT_OPTIONS)
        return await self._client._submit(submission, self.output_type, options)

    async def _run_with(self, request: RequestT | None, kwargs: Mapping[str, Any]) -> OutputT:
        submission, options = self._submission(request, kwargs, _ASYNC_RUN_OPTIONS)
        return await self._client._run(submission, self.output_type, options)
