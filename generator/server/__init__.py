"""A local server that speaks RunComfy's Model API, for end-to-end tests and demos.

It serves every model of a schemas directory: submit (validated with jsonschema, 422 with
``detail``), status, result, cancel and the catalog, behind Bearer-token auth; jobs move
``in_queue`` → ``in_progress`` → ``completed`` on a clock; outputs are URLs of placeholder
files the server itself serves under ``/files/``; faults can be injected per route.

Modules, from the wire inwards: ``runner`` (uvicorn, thread or foreground) and ``cli`` →
``app`` (routes) and ``admin`` (``/_admin`` knobs) → ``parsing``, ``bodies``, ``responses``
→ ``controller`` (all mutable state, one lock) → ``jobs``, ``faults``, ``outputs``,
``models`` and ``validation`` (pure).

Typical test use::

    with running_server(Path("schemas"), config=ServerConfig(timings=Timings(
            queue_seconds=0.05, run_seconds=0.1))) as server:
        server.controller.inject(faults.http_error("status", 429, retry_after=0))
        ...  # talk to server.base_url with "Authorization: Bearer " + server.token
        assert server.controller.count("submit") == 1
"""

from __future__ import annotations

from . import faults
from .app import create_app
from .config import DEFAULT_TOKEN, ServerConfig, Timings
from .controller import DEFAULT_JOB_ERROR, Controller, Stats
from .faults import ROUTES, Fault, FaultKind, Route
from .jobs import Clock, Job, JobStatus, ManualClock
from .models import ModelLoadError, ServedModel, load_models
from .outputs import placeholder_bytes, placeholder_output
from .runner import ServerHandle, running_server, serve
from .validation import to_json_schema

__all__ = [
    "DEFAULT_JOB_ERROR",
    "DEFAULT_TOKEN",
    "ROUTES",
    "Clock",
    "Controller",
    "Fault",
    "FaultKind",
    "Job",
    "JobStatus",
    "ManualClock",
    "ModelLoadError",
    "Route",
    "ServedModel",
    "ServerConfig",
    "ServerHandle",
    "Stats",
    "Timings",
    "create_app",
    "faults",
    "load_models",
    "placeholder_bytes",
    "placeholder_output",
    "running_server",
    "serve",
    "to_json_schema",
]
