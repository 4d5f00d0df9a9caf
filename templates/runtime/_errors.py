"""Every error the SDK raises, in one module, and how API answers map onto them.

The hierarchy::

    RunComfyError                       every error raised by this package
    ├── MissingTokenError               no api_token given and no token in the environment
    ├── InputValidationError            the inputs do not fit the model (found before sending)
    ├── APIError                        a call to the API did not give a usable answer
    │   ├── APIConnectionError          no HTTP response at all (DNS, refused, reset …)
    │   │   └── APITimeoutError         the connection or the response timed out
    │   ├── BadResponseError            a response that is not the JSON the API documents
    │   └── APIStatusError              the API answered with an error (HTTP status / error_code)
    │       ├── BadRequestError         400 without a more specific error_code
    │       │   └── InvalidModelError   error_code 400001: no such model id
    │       ├── AuthenticationError     401, error_code 400004: missing, expired or revoked token
    │       ├── InsufficientBalanceError  402, error_code 400002
    │       ├── PermissionDeniedError   403, error_code 403001: the request is someone else's
    │       ├── NotFoundError           404, error_code 404001: unknown or expired request
    │       ├── RequestValidationError  422: the body does not fit the model's schema (.detail)
    │       ├── RateLimitError          429 (.retry_after)
    │       └── ServerError             5xx
    ├── JobError                        the job ran (or was meant to) but gave no output
    │   ├── JobFailedError              the model run failed (.error holds the server's error)
    │   ├── JobCancelledError           the job was cancelled
    │   ├── NotCancellableError         cancel() on a job that is no longer queued
    │   └── WaitTimeoutError            wait()/run() deadline passed; the job keeps running
    └── DownloadError                   fetching an output file failed
        └── DownloadTooLargeError       the file is larger than max_bytes

Every error carries ``message``, ``status_code``, ``error_code`` and ``request_id`` (None
where unknown), and its text ends with what to do next. No error ever contains the API
token: messages taken from server bodies are scrubbed before they get here.

Both validation errors, the local ``InputValidationError`` and the server's
``RequestValidationError``, list their ``problems`` as ``FieldProblem``s that name each field
by its friendly name and its wire key, whichever of the two the problem was reported under.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ._problems import (
    NO_FIELD_NAMES,
    FieldNames,
    FieldProblem,
    local_problem,
    server_problem,
    with_problems,
)

if TYPE_CHECKING:
    import httpx
    from pydantic import ValidationError
    from pydantic_core import ErrorDetails

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BadResponseError",
    "DownloadError",
    "DownloadTooLargeError",
    "FieldProblem",
    "InputValidationError",
    "InsufficientBalanceError",
    "InvalidModelError",
    "JobCancelledError",
    "JobError",
    "JobFailedError",
    "MissingTokenError",
    "NotCancellableError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RawResponse",
    "RequestValidationError",
    "RunComfyError",
    "ServerError",
    "WaitTimeoutError",
    "error_from_response",
]

TOKEN_VARIABLE = "RUNCOMFY_API_TOKEN"
TOKEN_VARIABLES = (TOKEN_VARIABLE, "RUNCOMFY_TOKEN")
"""Where the token is looked up, in this order (RunComfy's own CLI reads the second)."""


@dataclass(frozen=True, slots=True)
class RawResponse:
    """The HTTP answer an error or a result came from: status, headers and parsed JSON."""

    status_code: int
    headers: httpx.Headers
    body: object
    """The decoded JSON body (None if it was not JSON)."""


class RunComfyError(Exception):
    """Base of every error raised by this package."""

    hint: ClassVar[str] = ""
    """What the caller can do next; appended to the message."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        error_code: int | str | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.error_code = error_code
        self.request_id = request_id

    def __str__(self) -> str:
        context = ", ".join(
            part
            for part in (
                f"HTTP {self.status_code}" if self.status_code is not None else "",
                f"error_code {self.error_code}" if self.error_code is not None else "",
                f"request_id {self.request_id}" if self.request_id is not None else "",
            )
            if part
        )
        text = self.message.rstrip(". ")
        if context:
            text += f" ({context})"
        return f"{text}. {self.hint}" if self.hint else f"{text}."

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status_code={self.status_code!r}, "
            f"error_code={self.error_code!r}, request_id={self.request_id!r})"
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors do not survive pickle's default (cls(*args)); rebuild
        # from the instance dict instead, so errors cross process boundaries intact.
        return (_restore, (type(self), self.args, self.__dict__.copy()))


def _restore(cls: type[RunComfyError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class MissingTokenError(RunComfyError):
    hint = (
        f"Pass api_token=... to the client or set the {TOKEN_VARIABLE} (or RUNCOMFY_TOKEN) "
        "environment variable "
        "(create a token in your RunComfy profile)."
    )


class InputValidationError(RunComfyError, ValueError):
    """The inputs do not fit the model's schema; found locally, so nothing was sent.

    ``problems`` names each field by its friendly name and wire key; ``errors()`` gives
    pydantic's own details. It is a ``ValueError`` too, as pydantic's errors are.
    """

    hint = "Fix the fields listed in .problems; nothing was sent to RunComfy."

    def __init__(
        self,
        message: str,
        *,
        problems: Sequence[FieldProblem] = (),
        validation_error: ValidationError | None = None,
    ) -> None:
        super().__init__(message)
        self.problems: tuple[FieldProblem, ...] = tuple(problems)
        self.validation_error = validation_error
        """The pydantic error this one was made from (also its ``__cause__``)."""

    def errors(self) -> list[ErrorDetails]:
        """pydantic's details of each problem (``loc``, ``msg``, ``type``, ``input`` …)."""
        return [] if self.validation_error is None else self.validation_error.errors()


def input_error(
    error: ValidationError, *, names: FieldNames, model_id: str | None
) -> InputValidationError:
    """The SDK's error for a pydantic error raised while building a request."""
    problems = [local_problem(item, names) for item in error.errors()]
    count = f"{len(problems)} invalid input{'s' if len(problems) != 1 else ''}"
    message = with_problems(f"{count} for {model_id}" if model_id else count, problems)
    return InputValidationError(message, problems=problems, validation_error=error)


class APIError(RunComfyError):
    """A call to the API did not give a usable answer."""


class APIConnectionError(APIError):
    hint = "Check the network connection, proxy settings and base_url, then try again."


class APITimeoutError(APIConnectionError):
    hint = "Try again later, or give the client a larger timeout=."


class BadResponseError(APIError):
    hint = "The API answered in an unexpected form; try again, and report it if it persists."


class APIStatusError(APIError):
    """The API answered with an error: an HTTP error status, or an error_code in the body."""

    hint = "See the message; try again, or contact RunComfy support if it persists."

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        error_code: int | str | None = None,
        request_id: str | None = None,
        body: object = None,
        response: RawResponse | None = None,
    ) -> None:
        super().__init__(
            message, status_code=status_code, error_code=error_code, request_id=request_id
        )
        self.body = body
        """The decoded JSON body of the error response (None if it was not JSON)."""
        self.response = response
        """The whole answer: ``status_code``, ``headers`` and ``body`` (JSON)."""

    @property
    def headers(self) -> httpx.Headers | None:
        """The answer's HTTP headers (None for an error not built from an answer)."""
        return None if self.response is None else self.response.headers


class BadRequestError(APIStatusError):
    hint = "Check the request against the model's schema."


class InvalidModelError(BadRequestError):
    hint = "Check the model id; client.models.list() shows the models you can call."


class AuthenticationError(APIStatusError):
    hint = (
        f"Check the API token (api_token= or {TOKEN_VARIABLE}): it may be missing, mistyped, "
        "expired or revoked; create a new one in your RunComfy profile."
    )


class InsufficientBalanceError(APIStatusError):
    hint = "Top up your RunComfy balance, then submit again."


class PermissionDeniedError(APIStatusError):
    hint = "This request belongs to another account: use the token of the account that made it."


class NotFoundError(APIStatusError):
    hint = "Check the id; requests expire after a while and can then no longer be fetched."


class RequestValidationError(APIStatusError):
    hint = "Fix the fields listed in .problems and submit again."

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        error_code: int | str | None = None,
        request_id: str | None = None,
        body: object = None,
        response: RawResponse | None = None,
        detail: list[dict[str, Any]] | None = None,
        names: FieldNames = NO_FIELD_NAMES,
    ) -> None:
        super().__init__(
            message,
            status_code=status_code,
            error_code=error_code,
            request_id=request_id,
            body=body,
            response=response,
        )
        self.detail: list[dict[str, Any]] = detail or []
        """One entry per problem, as the server sent them (usually ``loc``, ``msg``, ``type``)."""
        self.problems: tuple[FieldProblem, ...] = tuple(
            server_problem(item, names) for item in self.detail
        )
        """The same problems, each naming its field by friendly name and wire key where known."""


class RateLimitError(APIStatusError):
    hint = "Slow down and try again later; a larger max_retries makes the client wait longer."

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        error_code: int | str | None = None,
        request_id: str | None = None,
        body: object = None,
        response: RawResponse | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(
            message,
            status_code=status_code,
            error_code=error_code,
            request_id=request_id,
            body=body,
            response=response,
        )
        self.retry_after = retry_after
        """Seconds the server asked us to wait (from ``Retry-After``), if it said."""


class ServerError(APIStatusError):
    hint = "RunComfy had a server-side problem (already retried); try again later."


class JobError(RunComfyError):
    """The job gave no output."""


class JobFailedError(JobError):
    hint = "The model run failed on RunComfy; see .error, adjust the inputs and submit again."

    def __init__(self, message: str, *, request_id: str | None = None, error: object = None):
        super().__init__(message, request_id=request_id)
        self.error = error
        """The ``error`` the server reported for the job, as it sent it."""


class JobCancelledError(JobError):
    hint = "A cancelled job has no output; submit it again if you still need it."


class NotCancellableError(JobError):
    hint = "Only queued jobs can be cancelled; wait for this one to finish instead."

    def __init__(self, message: str, *, request_id: str | None = None, status: str | None = None):
        super().__init__(message, request_id=request_id)
        self.status = status
        """The job's state when the cancel was refused."""


class WaitTimeoutError(JobError):
    hint = (
        "The job keeps running on RunComfy: resume it later with client.job(request_id).wait(), "
        "or stop it with .cancel() while it is still queued."
    )

    def __init__(
        self,
        message: str,
        *,
        request_id: str | None = None,
        timeout: float | None = None,
        last_status: str | None = None,
    ) -> None:
        super().__init__(message, request_id=request_id)
        self.timeout = timeout
        self.last_status = last_status


class DownloadError(RunComfyError):
    hint = "Output links can expire: fetch a fresh result and try again."

    def __init__(self, message: str, *, url: str, status_code: int | None = None) -> None:
        super().__init__(message, status_code=status_code)
        self.url = url


class DownloadTooLargeError(DownloadError):
    hint = "Pass a larger max_bytes (or None for no limit) if you trust the source."


_BY_ERROR_CODE: Mapping[int, type[APIStatusError]] = {
    400001: InvalidModelError,
    400002: InsufficientBalanceError,
    400004: AuthenticationError,
    403001: PermissionDeniedError,
    404001: NotFoundError,
    422: RequestValidationError,
    429: RateLimitError,
}
_BY_STATUS: Mapping[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: InsufficientBalanceError,
    403: PermissionDeniedError,
    404: NotFoundError,
    410: NotFoundError,
    422: RequestValidationError,
    429: RateLimitError,
}


def error_class(status_code: int, error_code: int | str | None) -> type[APIStatusError]:
    """The most specific class for an error answer: its error_code first, then its status.

    RunComfy's six-digit codes start with the HTTP status they belong to (403001 → 403),
    so an unlisted code still lands in the right family.
    """
    if isinstance(error_code, int):
        for candidate in (error_code, error_code // 1000):
            if candidate in _BY_ERROR_CODE:
                return _BY_ERROR_CODE[candidate]
            if candidate in _BY_STATUS:
                return _BY_STATUS[candidate]
            if 500 <= candidate < 600:
                return ServerError
    if status_code in _BY_STATUS:
        return _BY_STATUS[status_code]
    return ServerError if status_code >= 500 else APIStatusError


def error_from_response(
    *,
    status_code: int,
    body: object,
    reason: str,
    request_id: str | None,
    retry_after: float | None = None,
    response: RawResponse | None = None,
    names: FieldNames = NO_FIELD_NAMES,
) -> APIStatusError:
    """Build the error for an error answer (HTTP error status, or 200 with an error_code).

    ``names`` maps the wire keys of the body that was sent back to friendly names.
    """
    fields = _mapping(body)
    error_code = _error_code(fields.get("error_code"))
    cls = error_class(status_code, error_code)
    message = _message(fields, fallback=reason or f"HTTP {status_code}")
    body_request_id = fields.get("request_id")
    common: dict[str, Any] = {
        "status_code": status_code,
        "error_code": error_code,
        "request_id": body_request_id if isinstance(body_request_id, str) else request_id,
        "body": body,
        "response": response,
    }
    if issubclass(cls, RequestValidationError):
        detail = _detail(fields.get("detail"))
        problems = [server_problem(item, names) for item in detail]
        return cls(with_problems(message, problems), detail=detail, names=names, **common)
    if issubclass(cls, RateLimitError):
        return cls(message, retry_after=retry_after, **common)
    return cls(message, **common)


def _mapping(body: object) -> Mapping[str, Any]:
    return body if isinstance(body, Mapping) else {}


def _error_code(value: object) -> int | str | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.isdigit() else text


def _message(fields: Mapping[str, Any], *, fallback: str) -> str:
    for key in ("error_message", "message", "error", "detail"):
        value = fields.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return fallback


def _detail(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item if isinstance(item, dict) else {"msg": str(item)} for item in value]
