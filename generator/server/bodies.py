"""JSON bodies of the API's answers, built from jobs and models (pure functions, no HTTP).

Shapes follow the contract: submit → request id and absolute URLs on the server's own base
URL; status → state (and queue position while queued); result → output and timestamps once
finished, else the current state; cancel → state and outcome; catalog → entries and total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from .jobs import CancelOutcome, JobStatus, JobView
from .models import ServedModel


def request_urls(base_url: str, request_id: str) -> dict[str, str]:
    root = f"{base_url}/v1/requests/{request_id}"
    return {
        "status_url": f"{root}/status",
        "result_url": f"{root}/result",
        "cancel_url": f"{root}/cancel",
    }


def submit_body(request_id: str, *, base_url: str) -> dict[str, Any]:
    return {"request_id": request_id, **request_urls(base_url, request_id)}


def status_body(view: JobView, *, base_url: str) -> dict[str, Any]:
    urls = request_urls(base_url, view.job.request_id)
    body: dict[str, Any] = {"request_id": view.job.request_id, "status": view.status.value}
    if view.queue_position is not None:
        body["queue_position"] = view.queue_position
    return {**body, "status_url": urls["status_url"], "result_url": urls["result_url"]}


def result_body(
    view: JobView,
    *,
    base_url: str,
    output: Mapping[str, Any] | None,
    cost: float | None,
) -> dict[str, Any]:
    """The result answer; ``output`` is used only if the job completed, ``cost`` if not None."""
    if not view.status.is_finished:
        return status_body(view, base_url=base_url)
    completed = view.status is JobStatus.COMPLETED
    body: dict[str, Any] = {
        "request_id": view.job.request_id,
        "status": view.status.value,
        "output": dict(output) if completed and output is not None else None,
        "created_at": timestamp(view.job.submitted_at),
        "finished_at": timestamp(view.job.finished_at),
    }
    if view.status is JobStatus.FAILED and view.job.failure is not None:
        body["error"] = dict(view.job.failure)
    if cost is not None:
        body["cost"] = cost if completed else 0.0
    return body


def cancel_body(view: JobView, outcome: CancelOutcome) -> dict[str, Any]:
    return {
        "request_id": view.job.request_id,
        "status": view.status.value,
        "outcome": outcome.value,
    }


def catalog_entry(model: ServedModel, *, include_schema: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"model_id": model.model_id}
    if include_schema:
        entry["input_schema"] = model.input_schema
        entry["output_schema"] = model.output_schema
    return entry


def catalog_page(
    models: Sequence[ServedModel], *, include_schema: bool, limit: int, offset: int
) -> dict[str, Any]:
    page = models[offset : offset + limit]
    return {
        "models": [catalog_entry(model, include_schema=include_schema) for model in page],
        "total": len(models),
    }


def timestamp(seconds: float) -> str:
    """ISO 8601 in UTC with milliseconds, e.g. ``2023-11-14T22:13:20.000+00:00``."""
    return datetime.fromtimestamp(seconds, tz=UTC).isoformat(timespec="milliseconds")
