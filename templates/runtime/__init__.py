"""The hand-written runtime every generated package carries: client, jobs, errors.

Generated code imports from here; users import the same names from the package root.

Every name loads on first access (PEP 562): importing the package and creating a client
import httpx but not pydantic, which comes with the first call that parses an answer or
builds a request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import load_export

if TYPE_CHECKING:
    from ._client import (
        BASE_URL_VARIABLE,
        DEFAULT_BASE_URL,
        DEFAULT_MAX_RETRIES,
        DEFAULT_TIMEOUT,
        AsyncModels,
        AsyncRequests,
        AsyncRunComfyBase,
        Models,
        Requests,
        RunComfyBase,
    )
    from ._download import (
        DEFAULT_MAX_DOWNLOAD_BYTES,
    )
    from ._errors import (
        APIConnectionError,
        APIError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        BadResponseError,
        DownloadError,
        DownloadTooLargeError,
        FieldProblem,
        InputValidationError,
        InsufficientBalanceError,
        InvalidModelError,
        JobCancelledError,
        JobError,
        JobFailedError,
        MissingTokenError,
        NotCancellableError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        RawResponse,
        RequestValidationError,
        RunComfyError,
        ServerError,
        WaitTimeoutError,
    )
    from ._jobs import (
        AsyncJob,
        Job,
    )
    from ._models import (
        MediaUrl,
        OutputModel,
        RequestModel,
    )
    from ._options import (
        AsyncOnSubmitted,
        AsyncOnUpdate,
        AsyncRunOptions,
        AsyncSubmitOptions,
        AsyncWaitOptions,
        ClientOptions,
        OnSubmitted,
        OnUpdate,
        RequestOptions,
        RunOptions,
        SubmitOptions,
        WaitOptions,
    )
    from ._resource import (
        AsyncModelResource,
        ModelResource,
    )
    from ._submission import (
        Submission,
    )
    from ._timing import (
        DEFAULT_TIMING,
        Backoff,
        Timing,
    )
    from ._types import (
        CancelResponse,
        JobResult,
        JobState,
        JobStatus,
        ModelEntry,
        ModelList,
        SubmitResponse,
    )

# Each public name → the runtime module that defines it.
_MODULE_OF = {
    "BASE_URL_VARIABLE": "_client",
    "DEFAULT_BASE_URL": "_client",
    "DEFAULT_MAX_DOWNLOAD_BYTES": "_download",
    "DEFAULT_MAX_RETRIES": "_client",
    "DEFAULT_TIMEOUT": "_client",
    "DEFAULT_TIMING": "_timing",
    "APIConnectionError": "_errors",
    "APIError": "_errors",
    "APIStatusError": "_errors",
    "APITimeoutError": "_errors",
    "AsyncJob": "_jobs",
    "AsyncModelResource": "_resource",
    "AsyncModels": "_client",
    "AsyncOnSubmitted": "_options",
    "AsyncOnUpdate": "_options",
    "AsyncRequests": "_client",
    "AsyncRunComfyBase": "_client",
    "AsyncRunOptions": "_options",
    "AsyncSubmitOptions": "_options",
    "AsyncWaitOptions": "_options",
    "AuthenticationError": "_errors",
    "Backoff": "_timing",
    "BadRequestError": "_errors",
    "BadResponseError": "_errors",
    "CancelResponse": "_types",
    "ClientOptions": "_options",
    "DownloadError": "_errors",
    "DownloadTooLargeError": "_errors",
    "FieldProblem": "_errors",
    "InputValidationError": "_errors",
    "InsufficientBalanceError": "_errors",
    "InvalidModelError": "_errors",
    "Job": "_jobs",
    "JobCancelledError": "_errors",
    "JobError": "_errors",
    "JobFailedError": "_errors",
    "JobResult": "_types",
    "JobState": "_types",
    "JobStatus": "_types",
    "MediaUrl": "_models",
    "MissingTokenError": "_errors",
    "ModelEntry": "_types",
    "ModelList": "_types",
    "ModelResource": "_resource",
    "Models": "_client",
    "NotCancellableError": "_errors",
    "NotFoundError": "_errors",
    "OnSubmitted": "_options",
    "OnUpdate": "_options",
    "OutputModel": "_models",
    "PermissionDeniedError": "_errors",
    "RateLimitError": "_errors",
    "RawResponse": "_errors",
    "RequestModel": "_models",
    "RequestOptions": "_options",
    "RequestValidationError": "_errors",
    "Requests": "_client",
    "RunComfyBase": "_client",
    "RunComfyError": "_errors",
    "RunOptions": "_options",
    "ServerError": "_errors",
    "Submission": "_submission",
    "SubmitOptions": "_options",
    "SubmitResponse": "_types",
    "Timing": "_timing",
    "WaitOptions": "_options",
    "WaitTimeoutError": "_errors",
}

__all__ = [
    "BASE_URL_VARIABLE",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "DEFAULT_TIMING",
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncJob",
    "AsyncModelResource",
    "AsyncModels",
    "AsyncOnSubmitted",
    "AsyncOnUpdate",
    "AsyncRequests",
    "AsyncRunComfyBase",
    "AsyncRunOptions",
    "AsyncSubmitOptions",
    "AsyncWaitOptions",
    "AuthenticationError",
    "Backoff",
    "BadRequestError",
    "BadResponseError",
    "CancelResponse",
    "ClientOptions",
    "DownloadError",
    "DownloadTooLargeError",
    "FieldProblem",
    "InputValidationError",
    "InsufficientBalanceError",
    "InvalidModelError",
    "Job",
    "JobCancelledError",
    "JobError",
    "JobFailedError",
    "JobResult",
    "JobState",
    "JobStatus",
    "MediaUrl",
    "MissingTokenError",
    "ModelEntry",
    "ModelList",
    "ModelResource",
    "Models",
    "NotCancellableError",
    "NotFoundError",
    "OnSubmitted",
    "OnUpdate",
    "OutputModel",
    "PermissionDeniedError",
    "RateLimitError",
    "RawResponse",
    "RequestModel",
    "RequestOptions",
    "RequestValidationError",
    "Requests",
    "RunComfyBase",
    "RunComfyError",
    "RunOptions",
    "ServerError",
    "Submission",
    "SubmitOptions",
    "SubmitResponse",
    "Timing",
    "WaitOptions",
    "WaitTimeoutError",
]

if not TYPE_CHECKING:  # type checkers read the imports above; a misspelt name stays an error

    def __getattr__(name: str) -> object:
        return load_export(__name__, _MODULE_OF, name)

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
