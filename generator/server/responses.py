"""RunComfy-style error answers, and the answers that injected faults put on the wire.

Errors carry the HTTP status plus ``{"error_code", "error_message"}`` (and ``detail`` for
validation), with RunComfy's own codes where it has them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import IntEnum
from http import HTTPStatus
from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from .faults import Fault, FaultKind


class ErrorCode(IntEnum):
    INVALID_MODEL = 400001
    INSUFFICIENT_BALANCE = 400002
    INVALID_TOKEN = 400004
    FOREIGN_REQUEST = 403001
    REQUEST_NOT_FOUND = 404001
    VALIDATION = 422


# The code RunComfy uses for an HTTP status when it has one of its own; else the status.
_CODE_FOR_STATUS = {
    400: ErrorCode.INVALID_MODEL,
    401: ErrorCode.INVALID_TOKEN,
    402: ErrorCode.INSUFFICIENT_BALANCE,
    403: ErrorCode.FOREIGN_REQUEST,
    404: ErrorCode.REQUEST_NOT_FOUND,
}
_FAULT_MESSAGES = {
    429: "Too many requests: rate limit exceeded. Retry after the Retry-After delay.",
    500: "Internal server error. Retry later.",
    502: "Bad gateway: the upstream service did not answer. Retry later.",
    503: "Service temporarily unavailable. Retry later.",
    504: "Gateway timeout: the upstream service took too long. Retry later.",
}
MALFORMED_BODY = b'{"request_id": "0b9f6a1e", "status": '
# What a dropped answer promises (Content-Length) versus what it sends before closing.
_DROPPED_FULL_LENGTH = 256
_DROPPED_PARTIAL_BODY = b'{"request_id": "'


def error_response(
    status: int,
    code: int,
    message: str,
    *,
    detail: Sequence[Mapping[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"error_code": int(code), "error_message": message}
    if detail is not None:
        body["detail"] = [dict(entry) for entry in detail]
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def fault_response(fault: Fault) -> Response:
    """The answer a fault puts in place of the route's own (all kinds except ``slow``)."""
    if fault.kind is FaultKind.HTTP_ERROR:
        return _http_error(fault)
    if fault.kind is FaultKind.ERROR_IN_200:
        code = fault.error_code if fault.error_code is not None else 500
        return error_response(200, code, fault.message or "Internal error. Retry later.")
    if fault.kind is FaultKind.MALFORMED:
        return Response(MALFORMED_BODY, status_code=200, media_type="application/json")
    if fault.kind is FaultKind.DROP:
        return DroppedResponse()
    raise ValueError(f"a {fault.kind.value} fault does not replace the answer")


def _http_error(fault: Fault) -> JSONResponse:
    code = fault.error_code if fault.error_code is not None else _default_code(fault.status)
    message = fault.message or _FAULT_MESSAGES.get(fault.status) or HTTPStatus(fault.status).phrase
    headers = {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
    return error_response(fault.status, code, message, headers=headers)


def _default_code(status: int) -> int:
    return int(_CODE_FOR_STATUS.get(status, status))


class DroppedResponse(Response):
    """Sends the status line, headers and part of the body, then stops.

    Returning before the body is complete makes uvicorn close the connection, so the client
    sees a broken response (a protocol error) after its request was fully received.
    """

    def __init__(self) -> None:
        super().__init__(status_code=200, media_type="application/json")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(_DROPPED_FULL_LENGTH).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": _DROPPED_PARTIAL_BODY, "more_body": True})
