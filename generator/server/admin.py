"""Admin routes under ``/_admin``: the ``Controller``'s knobs over HTTP, for tests in another
process (or ``curl``). They need no token and are never counted or faulted.

    GET    /_admin/stats       counters, job count, pending faults
    POST   /_admin/reset       back to a fresh server
    POST   /_admin/faults      a fault object, or a list of them (see ``Fault.to_json``)
    DELETE /_admin/faults      drop pending faults
    GET    /_admin/jobs        every job with the body it was submitted with
    POST   /_admin/timings     {"queue_seconds": s, "run_seconds": s} for later jobs
    POST   /_admin/failures    {"count": n, "error": {...}} or {"model_id": id, "error": {...}}
    POST   /_admin/outputs     {"model_id": id, "output": {...} | null}
    POST   /_admin/file-size   {"size": bytes | null}
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .config import Timings
from .controller import Controller
from .faults import fault_from_json
from .jobs import status_at
from .responses import error_response

AdminAction = Callable[[Controller, Any], Any]


def admin_routes(controller: Controller) -> list[Route]:
    def route(path: str, action: AdminAction, method: str) -> Route:
        return Route(f"/_admin/{path}", _endpoint(controller, action), methods=[method])

    return [
        route("stats", lambda c, _: c.stats().to_json(), "GET"),
        route("reset", _reset, "POST"),
        route("faults", _add_faults, "POST"),
        route("faults", _clear_faults, "DELETE"),
        route("jobs", _jobs, "GET"),
        route("timings", _set_timings, "POST"),
        route("failures", _add_failures, "POST"),
        route("outputs", _set_output, "POST"),
        route("file-size", _set_file_size, "POST"),
    ]


def _endpoint(
    controller: Controller, action: AdminAction
) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            payload = await _payload(request)
            return JSONResponse(action(controller, payload))
        except KeyError as error:
            return error_response(422, 422, f"Bad admin request: missing field {error}")
        except (ValueError, TypeError) as error:
            return error_response(422, 422, f"Bad admin request: {error}")

    return endpoint


async def _payload(request: Request) -> Any:
    if request.method in ("GET", "DELETE"):
        return None
    raw = await request.body()
    return json.loads(raw) if raw.strip() else {}


def _reset(controller: Controller, _: Any) -> dict[str, Any]:
    controller.reset()
    return {"reset": True}


def _add_faults(controller: Controller, payload: Any) -> dict[str, Any]:
    faults = [
        fault_from_json(item) for item in (payload if isinstance(payload, list) else [payload])
    ]
    controller.inject(*faults)
    return controller.stats().to_json()


def _clear_faults(controller: Controller, _: Any) -> dict[str, Any]:
    controller.clear_faults()
    return controller.stats().to_json()


def _jobs(controller: Controller, _: Any) -> dict[str, Any]:
    now = controller.now()
    return {
        "jobs": [
            {
                "request_id": job.request_id,
                "model_id": job.model_id,
                "status": status_at(job, now).value,
                "body": job.body,
            }
            for job in controller.jobs()
        ]
    }


def _set_timings(controller: Controller, payload: Any) -> dict[str, Any]:
    mapping = _mapping(payload)
    timings = Timings(
        queue_seconds=float(mapping["queue_seconds"]), run_seconds=float(mapping["run_seconds"])
    )
    controller.set_timings(timings)
    return {"queue_seconds": timings.queue_seconds, "run_seconds": timings.run_seconds}


def _add_failures(controller: Controller, payload: Any) -> dict[str, Any]:
    mapping = _mapping(payload)
    error = mapping.get("error")
    if error is not None and not isinstance(error, Mapping):
        raise ValueError("error must be a JSON object")
    if "model_id" in mapping:
        controller.fail_model(str(mapping["model_id"]), error=error)
    else:
        controller.fail_next(int(mapping.get("count", 1)), error=error)
    return {"ok": True}


def _set_output(controller: Controller, payload: Any) -> dict[str, Any]:
    mapping = _mapping(payload)
    output = mapping.get("output")
    if output is not None and not isinstance(output, Mapping):
        raise ValueError("output must be a JSON object or null")
    controller.set_output(str(mapping["model_id"]), output)
    return {"ok": True}


def _set_file_size(controller: Controller, payload: Any) -> dict[str, Any]:
    size = _mapping(payload).get("size")
    controller.set_file_size(None if size is None else int(size))
    return {"size": controller.file_size}


def _mapping(payload: Any) -> Mapping[str, Any]:
    if not isinstance(payload, Mapping):
        raise ValueError("the body must be a JSON object")
    return payload
