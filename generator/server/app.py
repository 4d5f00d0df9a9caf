"""The Starlette app: RunComfy's queue and catalog API, placeholder files, and admin routes.

Every API route goes through one wrapper that counts the request, applies a pending fault
and turns ``ApiError`` into a RunComfy error answer; the handlers themselves only speak the
contract. Job state comes from the ``Controller`` (and so from its clock).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from . import bodies
from .admin import admin_routes
from .controller import Controller
from .faults import Fault, FaultKind
from .faults import Route as RouteName
from .jobs import JobStatus, JobView
from .models import ServedModel
from .outputs import content_type_for, placeholder_chunks, placeholder_output
from .parsing import (
    ApiError,
    bearer_token,
    bounded_int,
    fingerprint,
    flag,
    json_body,
    validation_error,
)
from .responses import ErrorCode, error_response, fault_response
from .validation import validation_detail

logger = logging.getLogger(__name__)

Handler = Callable[[Request], Awaitable[Response]]
DEFAULT_PAGE_LIMIT = 50
MAX_PAGE_LIMIT = 100
_DISCONNECT_POLL_SECONDS = 0.02


def create_app(models: Mapping[str, ServedModel], controller: Controller) -> Starlette:
    """The ASGI app serving ``models``, with its state and test controls in ``controller``."""
    api = _Api(models, controller)
    routes: list[BaseRoute] = [
        Route("/v1/models", api.guard("catalog", api.list_models), methods=["GET"]),
        Route("/v1/models/{model_id:path}", api.guard("catalog", api.get_model), methods=["GET"]),
        Route("/v1/models/{model_id:path}", api.guard("submit", api.submit), methods=["POST"]),
        Route("/v1/requests/{request_id}/status", api.guard("status", api.status)),
        Route("/v1/requests/{request_id}/result", api.guard("result", api.result)),
        Route(
            "/v1/requests/{request_id}/cancel", api.guard("cancel", api.cancel), methods=["POST"]
        ),
        Route("/files/{path:path}", api.guard("files", api.file)),
        *admin_routes(controller),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: _http_exception})


class _Api:
    def __init__(self, models: Mapping[str, ServedModel], controller: Controller) -> None:
        self.models = dict(models)
        self.controller = controller
        self.config = controller.config

    def guard(self, route: RouteName, handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            fault = self.controller.on_request(route)
            if fault is not None:
                logger.info("injecting a %s fault on %s", fault.kind.value, route)
            if fault is not None and fault.kind.replaces_route:
                return fault_response(fault)
            try:
                response = await handler(request)
            except ApiError as error:
                response = error.response()
            return response if fault is None else await _spoil(fault, request, response)

        return endpoint

    async def submit(self, request: Request) -> Response:
        token = bearer_token(request, self.config.all_tokens)
        model = self._model(request.path_params["model_id"])
        body = await json_body(request)
        detail = validation_detail(model.validator, body)
        if detail:
            raise validation_error(detail)
        if token in self.config.broke_tokens:
            raise ApiError(
                402,
                ErrorCode.INSUFFICIENT_BALANCE,
                "Insufficient balance: top up your account, then submit again.",
            )
        job = self.controller.submit(model_id=model.model_id, owner=fingerprint(token), body=body)
        logger.info("accepted request %s for %s", job.request_id, model.model_id)
        return JSONResponse(bodies.submit_body(job.request_id, base_url=_base_url(request)))

    async def status(self, request: Request) -> Response:
        view = self._owned_view(request)
        return JSONResponse(bodies.status_body(view, base_url=_base_url(request)))

    async def result(self, request: Request) -> Response:
        view = self._owned_view(request)
        include_cost = flag(request, "include_cost")
        base_url = _base_url(request)
        body = bodies.result_body(
            view,
            base_url=base_url,
            output=self._output(view, base_url),
            cost=self.config.cost_per_job if include_cost else None,
        )
        return JSONResponse(body)

    async def cancel(self, request: Request) -> Response:
        view = self._owned_view(request)
        cancelled = self.controller.cancel(view.job.request_id)
        if cancelled is None:  # reset between the two calls
            raise _not_found()
        after, outcome = cancelled
        logger.info("cancel %s: %s", view.job.request_id, outcome.value)
        return JSONResponse(bodies.cancel_body(after, outcome))

    async def list_models(self, request: Request) -> Response:
        bearer_token(request, self.config.all_tokens)
        include_schema = flag(request, "include_schema")
        limit = bounded_int(
            request, "limit", default=DEFAULT_PAGE_LIMIT, low=1, high=MAX_PAGE_LIMIT
        )
        offset = bounded_int(request, "offset", default=0, low=0, high=2**31 - 1)
        page = bodies.catalog_page(
            list(self.models.values()), include_schema=include_schema, limit=limit, offset=offset
        )
        return JSONResponse(page)

    async def get_model(self, request: Request) -> Response:
        bearer_token(request, self.config.all_tokens)
        model = self._model(request.path_params["model_id"])
        return JSONResponse(bodies.catalog_entry(model, include_schema=True))

    async def file(self, request: Request) -> Response:
        # Output files are public URLs, like RunComfy's storage links: no token.
        path = request.path_params["path"]
        size = self.controller.file_size

        async def chunks() -> AsyncIterator[bytes]:
            for chunk in placeholder_chunks(path, size):
                yield chunk

        headers = {"Content-Length": str(size)}
        return StreamingResponse(chunks(), media_type=content_type_for(path), headers=headers)

    def _model(self, model_id: str) -> ServedModel:
        model = self.models.get(model_id)
        if model is None:
            raise ApiError(
                400,
                ErrorCode.INVALID_MODEL,
                f"Unknown model id {model_id!r}. List the available models with GET /v1/models.",
            )
        return model

    def _owned_view(self, request: Request) -> JobView:
        owner = fingerprint(bearer_token(request, self.config.all_tokens))
        view = self.controller.view(request.path_params["request_id"])
        if view is None:
            raise _not_found()
        if view.job.owner != owner:
            raise ApiError(
                403,
                ErrorCode.FOREIGN_REQUEST,
                "This request belongs to another account; use the token that submitted it.",
            )
        return view

    def _output(self, view: JobView, base_url: str) -> Mapping[str, Any] | None:
        if view.status is not JobStatus.COMPLETED:
            return None
        override = self.controller.output_override(view.job.model_id)
        if override is not None:
            return override
        model = self.models.get(view.job.model_id)
        schema = model.output_schema if model is not None else {}
        return placeholder_output(schema, base_url=base_url, request_id=view.job.request_id)


async def _spoil(fault: Fault, request: Request, response: Response) -> Response:
    if fault.kind is FaultKind.SLOW:
        await _sleep_unless_client_leaves(request, fault.delay)
        return response
    return fault_response(fault)


async def _sleep_unless_client_leaves(request: Request, seconds: float) -> None:
    # A client that timed out has gone; stop waiting so shutdown is not held up.
    deadline = time.monotonic() + seconds
    while (remaining := deadline - time.monotonic()) > 0:
        if await request.is_disconnected():
            return
        await asyncio.sleep(min(_DISCONNECT_POLL_SECONDS, remaining))


def _not_found() -> ApiError:
    return ApiError(
        404,
        ErrorCode.REQUEST_NOT_FOUND,
        "Request not found or expired. Check the request id; results are kept for a limited time.",
    )


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


async def _http_exception(request: Request, exc: Exception) -> Response:
    # Unknown paths and wrong methods answer in RunComfy's error shape too.
    if not isinstance(exc, HTTPException):
        return error_response(500, 500, "Internal server error.")
    return error_response(exc.status_code, exc.status_code, exc.detail, headers=exc.headers)
