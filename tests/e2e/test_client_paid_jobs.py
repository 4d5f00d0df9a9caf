"""End-to-end: a paid job is never lost, and the async client never blocks its loop.

``on_submitted`` hears the request id before any poll; every error ``run`` raises after the
submit names the request; ``cancel_on_interrupt`` sends one cancel on Ctrl-C (sync) or task
cancellation (async). Run with both clients against the local server; the async-only
behaviours (coroutine callbacks, downloads off the event loop) are checked against the
sync client's as a control.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from runcomfy_sdk import (
    JobCancelledError,
    JobFailedError,
    JobStatus,
    NotFoundError,
    RunComfyError,
    WaitTimeoutError,
)
from runcomfy_sdk._runtime import _download

from generator.server import ServerHandle, Timings, faults

from .conftest import FLF_FIELDS, FLF_MODEL_ID, SdkClient, SdkRunner, first_last_frame, settle

QUICK = Timings(queue_seconds=0.02, run_seconds=0.03)
STEPPED = Timings(queue_seconds=0.2, run_seconds=0.2)
QUEUED_FOR_GOOD = Timings(queue_seconds=60, run_seconds=60)
RUNNING_FOR_GOOD = Timings(queue_seconds=0, run_seconds=60)
WAIT_LIMIT = 10.0


def test_on_submitted_hears_the_request_id_before_any_poll(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    server.controller.set_timings(QUICK)
    events: list[str] = []

    def heard(request_id: str) -> None:
        events.append(f"submitted {request_id}")

    async def scenario(client: SdkClient) -> None:
        flf = first_last_frame(client)
        await settle(flf.run(**FLF_FIELDS, timeout=WAIT_LIMIT, on_submitted=heard))
        await settle(client.run(FLF_MODEL_ID, WIRE, timeout=WAIT_LIMIT, on_submitted=heard))
        await settle(flf.submit(flf.request_type(**FLF_FIELDS), on_submitted=heard))

    sdk.run(scenario, request_hook=lambda request: events.append(request.method))

    ids = [job.request_id for job in server.controller.jobs()]
    assert len(ids) == 3
    for request_id in ids:
        heard_at = events.index(f"submitted {request_id}")
        assert events[heard_at - 1] == "POST"  # right after the server accepted it …
    assert events.index(f"submitted {ids[0]}") < events.index("GET")  # … before any poll


def test_every_error_of_run_after_the_submit_names_the_request(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    control = server.controller

    def cancel_it(request_id: str) -> None:
        control.cancel(request_id)

    def fail_the_polls(request_id: str) -> None:
        # A lasting failure: transient ones (5xx) are polled through while time is left.
        control.inject(faults.http_error("status", 404, times=10))

    def explode(status: JobStatus) -> None:
        raise ValueError("a bug in the caller's callback")

    cases: list[tuple[Any, dict[str, Any]]] = [
        (lambda: control.fail_next(1), {}),
        (lambda: control.set_timings(STEPPED), {"on_submitted": cancel_it}),
        (lambda: control.set_timings(QUEUED_FOR_GOOD), {"timeout": 0.3}),
        (lambda: control.set_timings(QUICK), {"on_submitted": fail_the_polls}),
        (lambda: control.set_timings(QUICK), {"on_update": explode}),
    ]

    async def scenario(client: SdkClient) -> list[BaseException]:
        errors: list[BaseException] = []
        for setup, options in cases:
            setup()
            with pytest.raises(Exception) as caught:
                await settle(first_last_frame(client).run(**FLF_FIELDS, **options))
            errors.append(caught.value)
            control.clear_faults()
        return errors

    control.set_timings(QUICK)
    errors = sdk.run(scenario, max_retries=1)

    ids = [job.request_id for job in control.jobs()]
    assert [type(error) for error in errors] == [
        JobFailedError,
        JobCancelledError,
        WaitTimeoutError,
        NotFoundError,
        ValueError,
    ]
    for error, request_id in zip(errors[:4], ids[:4], strict=True):
        assert isinstance(error, RunComfyError) and error.request_id == request_id
    # The caller's own error stays as it was raised, with a note naming the job that goes on.
    assert any(ids[4] in note for note in errors[4].__notes__)


# Cancel on interrupt -------------------------------------------------------------------------


def _interrupt_run(sdk: SdkRunner, **options: Any) -> BaseException:
    """Run first-last-frame and interrupt it once submitted: Ctrl-C while the blocking client
    sleeps between polls, cancellation of the task that awaits the async one."""

    def ctrl_c(seconds: float) -> None:
        raise KeyboardInterrupt

    async def scenario(client: SdkClient) -> BaseException:
        flf = first_last_frame(client)
        if sdk.kind == "sync":
            with pytest.raises(KeyboardInterrupt) as caught:
                flf.run(**FLF_FIELDS, **options)
            return caught.value
        submitted = asyncio.Event()
        task = asyncio.create_task(
            flf.run(**FLF_FIELDS, on_submitted=lambda _: submitted.set(), **options)
        )
        await submitted.wait()
        await asyncio.sleep(0.1)  # well into the wait
        task.cancel()
        try:
            await task
        except asyncio.CancelledError as cancelled:
            return cancelled
        raise AssertionError("the cancelled run returned")

    return sdk.run(scenario, sleep=ctrl_c) if sdk.kind == "sync" else sdk.run(scenario)


@pytest.mark.parametrize(
    ("timings", "cancels", "outcome"),
    [
        (QUEUED_FOR_GOOD, 1, "was cancelled on interrupt"),
        (RUNNING_FOR_GOOD, 1, "could not be cancelled on interrupt"),
    ],
    ids=["queued", "running"],
)
def test_cancel_on_interrupt_sends_one_cancel_and_says_what_came_of_it(
    sdk: SdkRunner,
    server: ServerHandle,
    caplog: pytest.LogCaptureFixture,
    timings: Timings,
    cancels: int,
    outcome: str,
) -> None:
    server.controller.set_timings(timings)

    with caplog.at_level(logging.WARNING, logger="runcomfy_sdk"):
        interruption = _interrupt_run(sdk, cancel_on_interrupt=True)

    [job] = server.controller.jobs()
    assert server.controller.count("cancel") == cancels
    assert any(outcome in note and job.request_id in note for note in interruption.__notes__)
    assert outcome in caplog.text
    view = server.controller.view(job.request_id)
    assert view is not None
    assert view.status.value == ("cancelled" if timings is QUEUED_FOR_GOOD else "in_progress")


def test_without_cancel_on_interrupt_the_job_goes_on_and_is_named(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    server.controller.set_timings(QUEUED_FOR_GOOD)

    interruption = _interrupt_run(sdk)

    [job] = server.controller.jobs()
    assert server.controller.count("cancel") == 0
    assert any(f"{job.request_id} was submitted and goes on" in n for n in interruption.__notes__)


# The async client: coroutine callbacks, downloads off the event loop ------------------------


def test_the_async_client_awaits_coroutine_callbacks(server: ServerHandle) -> None:
    server.controller.set_timings(Timings(queue_seconds=0.1, run_seconds=0.1))
    heard: list[str] = []
    states: list[str] = []

    async def on_submitted(request_id: str) -> None:
        await asyncio.sleep(0)
        heard.append(request_id)

    async def on_update(status: JobStatus) -> None:
        await asyncio.sleep(0)
        states.append(status.status)

    async def scenario(client: SdkClient) -> None:
        flf = first_last_frame(client)
        await settle(flf.run(**FLF_FIELDS, on_submitted=on_submitted, on_update=on_update))
        await settle(client.run(FLF_MODEL_ID, WIRE, on_update=on_update))
        job = await settle(flf.submit(**FLF_FIELDS, on_submitted=on_submitted))
        await settle(job.wait(on_update=on_update))

    SdkRunner(kind="async", base_url=server.base_url, token=server.token).run(scenario)

    ids = [job.request_id for job in server.controller.jobs()]
    assert heard == [ids[0], ids[2]]
    assert states == ["in_queue", "in_progress", "completed"] * 3


def test_async_downloads_write_files_off_the_event_loop(
    sdk: SdkRunner, server: ServerHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.controller.set_timings(QUICK)
    threads: list[bool] = []  # one entry per file system step: was it on the main thread?
    for name in ("__enter__", "write", "__exit__"):
        original = getattr(_download._Sink, name)

        def spy(*args: Any, _original: Any = original) -> Any:
            threads.append(threading.current_thread() is threading.main_thread())
            return _original(*args)

        monkeypatch.setattr(_download._Sink, name, spy)

    async def scenario(client: SdkClient) -> list[Path]:
        output = await settle(first_last_frame(client).run(**FLF_FIELDS, timeout=WAIT_LIMIT))
        paths: list[Path] = await settle(client.download(output, tmp_path / "client"))
        if sdk.kind == "async":
            async with httpx.AsyncClient() as http:
                paths += await output.adownload(tmp_path / "output", http_client=http)
        return paths

    paths = sdk.run(scenario)

    assert paths and all(path.stat().st_size > 0 for path in paths)
    assert len(threads) >= 3 * len(paths)
    # The blocking client writes where it runs; the async one never on the loop's thread.
    assert set(threads) == {sdk.kind == "sync"}


WIRE: dict[str, Any] = {
    "6_text": FLF_FIELDS["prompt"],
    "68_image": FLF_FIELDS["start_image"],
    "62_image": FLF_FIELDS["end_image"],
}
