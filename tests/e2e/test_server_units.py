"""Unit tests of the server's pure parts: job states, outputs, faults, config and CLI."""

from __future__ import annotations

import math
from typing import Any

import pytest

from generator.server import faults
from generator.server.cli import build_parser, config_from_args, describe_tokens
from generator.server.config import DEFAULT_TOKEN, ServerConfig, Timings
from generator.server.controller import DEFAULT_JOB_ERROR, Controller
from generator.server.faults import FaultBook, FaultKind, fault_from_json
from generator.server.jobs import CancelOutcome, JobBook, JobStatus, ManualClock, status_at
from generator.server.outputs import (
    content_type_for,
    extension_for,
    placeholder_bytes,
    placeholder_chunks,
    placeholder_output,
)

TIMINGS = Timings(queue_seconds=10, run_seconds=20)


def _book_with(*model_ids: str, now: float = 0.0) -> tuple[JobBook, list[Any]]:
    book = JobBook()
    jobs = [
        book.add(model_id=m, owner="o", body={}, now=now, timings=TIMINGS, failure=None)
        for m in model_ids
    ]
    return book, jobs


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (0.0, JobStatus.IN_QUEUE),
        (9.999, JobStatus.IN_QUEUE),
        (10.0, JobStatus.IN_PROGRESS),
        (29.999, JobStatus.IN_PROGRESS),
        (30.0, JobStatus.COMPLETED),
        (1e9, JobStatus.COMPLETED),
    ],
)
def test_state_follows_the_clock(now: float, expected: JobStatus) -> None:
    _, (job,) = _book_with("m")
    assert status_at(job, now) is expected


def test_a_job_with_a_failure_ends_failed() -> None:
    book = JobBook()
    job = book.add(model_id="m", owner="o", body={}, now=0, timings=TIMINGS, failure={"x": 1})
    assert status_at(job, 29) is JobStatus.IN_PROGRESS
    assert status_at(job, 30) is JobStatus.FAILED


def test_an_infinite_queue_time_keeps_the_job_queued() -> None:
    book = JobBook()
    timings = Timings(queue_seconds=math.inf, run_seconds=1)
    job = book.add(model_id="m", owner="o", body={}, now=0, timings=timings, failure=None)
    assert status_at(job, 1e12) is JobStatus.IN_QUEUE


def test_queue_position_counts_queued_jobs_of_the_same_model_ahead() -> None:
    book, (first, other_model, second, third) = _book_with("m", "n", "m", "m")
    assert [book.view(job, 1).queue_position for job in (first, second, third)] == [0, 1, 2]
    assert book.view(other_model, 1).queue_position == 0
    book.cancel(first, 1)
    assert book.view(third, 1).queue_position == 1
    assert book.view(third, 10).queue_position is None  # running now


def test_cancel_only_while_queued_and_idempotent() -> None:
    book, (job, running) = _book_with("m", "m")
    view, outcome = book.cancel(job, 5)
    assert (view.status, outcome) == (JobStatus.CANCELLED, CancelOutcome.CANCELLED)
    assert view.job.finished_at == 5
    again, outcome = book.cancel(view.job, 50)
    assert (again.status, outcome) == (JobStatus.CANCELLED, CancelOutcome.CANCELLED)
    late, outcome = book.cancel(running, 15)
    assert (late.status, outcome) == (JobStatus.IN_PROGRESS, CancelOutcome.NOT_CANCELLABLE)


def test_manual_clock_moves_only_forward() -> None:
    clock = ManualClock(100.0)
    clock.advance(2.5)
    assert clock() == 102.5
    with pytest.raises(ValueError):
        clock.advance(-1)


@pytest.mark.parametrize(
    ("key", "extension"),
    [
        ("video", ".mp4"),
        ("videos", ".mp4"),
        ("Image", ".png"),
        ("images", ".png"),
        ("audio_track", ".wav"),
        ("image_to_video", ".mp4"),
        ("mask", ".bin"),
    ],
)
def test_extension_comes_from_the_key(key: str, extension: str) -> None:
    assert extension_for(key) == extension


def test_placeholder_output_fills_every_property_by_type() -> None:
    schema = {
        "type": "object",
        "properties": {
            "video": {"type": "string", "format": "uri"},
            "images": {"type": "array", "items": {"type": "string"}},
            "seed": {"type": "integer"},
            "nsfw": {"type": "boolean"},
            "extra": {},
        },
    }
    output = placeholder_output(schema, base_url="http://h:1", request_id="r1")
    assert output == {
        "video": "http://h:1/files/r1/video.mp4",
        "images": ["http://h:1/files/r1/images-0.png"],
        "seed": 0,
        "nsfw": False,
        "extra": "http://h:1/files/r1/extra.bin",
    }
    assert list(output) == list(schema["properties"])


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("r/video.mp4", "video/mp4"),
        ("r/images-0.png", "image/png"),
        ("r/a.WAV", "audio/wav"),
        ("r/x.bin", "application/octet-stream"),
        ("r.d/noext", "application/octet-stream"),
    ],
)
def test_content_type_comes_from_the_extension(path: str, content_type: str) -> None:
    assert content_type_for(path) == content_type


def test_placeholder_bytes_are_deterministic_sized_and_typed() -> None:
    data = placeholder_bytes("r/video.mp4", 1000)
    assert len(data) == 1000
    assert data[4:8] == b"ftyp"
    assert data == placeholder_bytes("r/video.mp4", 1000)
    assert data != placeholder_bytes("r/other.mp4", 1000)
    assert placeholder_bytes("r/image.png", 4) == b"\x89PNG"
    assert placeholder_bytes("r/image.png", 0) == b""


def test_large_placeholders_stream_in_bounded_chunks() -> None:
    size = 3 * 1024 * 1024 + 7
    chunks = list(placeholder_chunks("r/video.mp4", size))
    assert sum(map(len, chunks)) == size
    assert max(map(len, chunks)) <= 64 * 1024


def test_a_fault_fires_its_number_of_times_then_stops() -> None:
    book = FaultBook()
    book.add(faults.http_error("status", 429, times=2))
    book.add(faults.drop("submit"))
    assert book.on_request("result") is None
    fired = [book.on_request("status") for _ in range(3)]
    assert [f.status if f else None for f in fired] == [429, 429, None]
    assert book.requests["status"] == 3
    assert book.fired["status"] == 2
    assert [fault.route for fault, _ in book.pending()] == ["submit"]


def test_faults_on_one_route_fire_in_the_order_given() -> None:
    book = FaultBook()
    book.add(faults.http_error("result", 500))
    book.add(faults.malformed("result"))
    kinds = [book.on_request("result") for _ in range(2)]
    assert [f.kind if f else None for f in kinds] == [FaultKind.HTTP_ERROR, FaultKind.MALFORMED]


def test_fault_json_round_trip() -> None:
    fault = faults.http_error("status", 503, times=3, retry_after=0.5, message="busy")
    assert fault_from_json(fault.to_json()) == fault


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"route": "status"}, "needs a 'route' and a 'kind'"),
        ({"route": "nowhere", "kind": "drop"}, "route must be one of"),
        ({"route": "status", "kind": "explode"}, "kind must be one of"),
        ({"route": "status", "kind": "drop", "times": 0}, "times must be at least 1"),
        ({"route": "status", "kind": "drop", "times": "2"}, "times must be an integer"),
        ({"route": "status", "kind": "http_error", "status": 200}, "HTTP error status"),
        ({"route": "status", "kind": "slow", "delay": -1}, "delay must be"),
        ({"route": "status", "kind": "drop", "colour": "red"}, "unknown fault field"),
        (["route"], "must be a JSON object"),
    ],
)
def test_bad_fault_json_is_explained(payload: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fault_from_json(payload)


def test_controller_failures_apply_to_the_next_jobs_then_per_model() -> None:
    controller = Controller(ServerConfig(timings=Timings(queue_seconds=0, run_seconds=0)))
    controller.fail_next(1, error={"error_code": 7, "error_message": "boom"})
    controller.fail_model("bad")
    first = controller.submit(model_id="good", owner="o", body={})
    second = controller.submit(model_id="good", owner="o", body={})
    third = controller.submit(model_id="bad", owner="o", body={})
    assert first.failure == {"error_code": 7, "error_message": "boom"}
    assert second.failure is None
    assert third.failure == DEFAULT_JOB_ERROR
    controller.reset()
    assert controller.submit(model_id="bad", owner="o", body={}).failure is None


def test_controller_keeps_a_copy_of_the_submitted_body() -> None:
    controller = Controller()
    body: dict[str, Any] = {"prompt": "a"}
    job = controller.submit(model_id="m", owner="o", body=body)
    body["prompt"] = "changed"
    assert controller.jobs()[0].body == {"prompt": "a"} == job.body


def test_timings_and_config_reject_nonsense() -> None:
    with pytest.raises(ValueError):
        Timings(queue_seconds=-1)
    with pytest.raises(ValueError):
        Timings(run_seconds=math.nan)
    with pytest.raises(ValueError):
        ServerConfig(tokens=frozenset())
    with pytest.raises(ValueError):
        ServerConfig(tokens=frozenset({" padded "}))


def test_primary_token_prefers_the_default() -> None:
    assert ServerConfig().primary_token == DEFAULT_TOKEN
    assert ServerConfig(tokens=frozenset({"b", "a"})).primary_token == "a"


def test_cli_defaults_accept_the_default_token() -> None:
    config = config_from_args(build_parser().parse_args([]))
    assert config.tokens == frozenset({DEFAULT_TOKEN})
    assert describe_tokens(config) == DEFAULT_TOKEN


def test_cli_flags_build_the_config_and_mask_given_tokens() -> None:
    args = build_parser().parse_args(
        [
            "--port=0",
            "--token=sk-live-0123456789abcdef",
            "--token=short",
            "--broke-token=poor-token-000",
            "--queue-seconds=0.5",
            "--run-seconds=2",
            "--file-size=10",
        ]
    )
    config = config_from_args(args)
    assert config.tokens == frozenset({"sk-live-0123456789abcdef", "short"})
    assert config.broke_tokens == frozenset({"poor-token-000"})
    assert config.timings == Timings(queue_seconds=0.5, run_seconds=2)
    assert config.file_size == 10
    described = describe_tokens(config)
    for secret in ("sk-live-0123456789abcdef", "short", "poor-token-000", "0123456789"):
        assert secret not in described
    assert described == "***(5 chars), sk-***(24 chars), poo***(14 chars) (insufficient balance)"
