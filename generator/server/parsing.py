"""Reading what a request carries: the Bearer token, query parameters and a JSON body.

Problems are raised as ``ApiError`` so every route answers them the same RunComfy way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from .responses import ErrorCode, error_response

_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no", ""})


class ApiError(Exception):
    """An error answer, raised from deep inside a route."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        detail: Sequence[Mapping[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail
        self.headers = headers

    def response(self) -> JSONResponse:
        return error_response(
            self.status, self.code, self.message, detail=self.detail, headers=self.headers
        )


def bearer_token(request: Request, accepted: frozenset[str]) -> str:
    """The caller's token if it is an accepted one; else a 401 (the token is never echoed)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("Missing API token: send the header 'Authorization: Bearer <token>'.")
    if token not in accepted:
        raise _unauthorized("Invalid, expired or revoked API token. Check the token you sent.")
    return token


def fingerprint(token: str) -> str:
    """What a job stores about its owner: enough to compare, useless to an attacker."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:16]


def flag(request: Request, name: str) -> bool:
    raw = request.query_params.get(name)
    value = "" if raw is None else raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise query_error(name, f"{name} must be true or false, got {raw!r}", "bool_parsing")


def bounded_int(request: Request, name: str, *, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise query_error(name, f"{name} must be an integer, got {raw!r}", "int_parsing") from None
    if not low <= value <= high:
        raise query_error(name, f"{name} must be between {low} and {high}, got {value}", "range")
    return value


async def json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        entry = {"loc": ["body"], "msg": f"Body is not valid JSON: {error}", "type": "json_invalid"}
        raise validation_error([entry]) from None


def validation_error(detail: Sequence[Mapping[str, Any]]) -> ApiError:
    count = len(detail)
    message = f"Request validation failed: {count} problem{'s' if count != 1 else ''}; see detail."
    return ApiError(422, ErrorCode.VALIDATION, message, detail=detail)


def query_error(name: str, message: str, kind: str) -> ApiError:
    return validation_error([{"loc": ["query", name], "msg": message, "type": kind}])


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, ErrorCode.INVALID_TOKEN, message, headers={"WWW-Authenticate": "Bearer"})
