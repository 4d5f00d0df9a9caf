"""Submitting, waiting and resuming jobs: polling order, backoff, deadlines, outcomes."""

from __future__ import annotations

import json
import logging

import pytest
from runcomfy_sdk._runtime import (
    BadResponseError,
    JobCancelledError,
    JobFailedError,
    JobStatus,
    NotCancellableError,
    RateLimitError,
    WaitTimeoutError,
)

from tests.runtime.fakes import (
    MODEL_PATH,
    TOKEN,
    FakeApi,
    FakeClock,
    Sdk,
    VideoOutput,
    reply,
    submitted,
)

VIDEO = "https://cdn.runcomfy.test/out/r-1/video.mp4"
DONE = {
    "request_id": "r-1",
    "status": "completed",
    "output": {"video": VIDEO, "audio": "https://cdn.runcomfy.test/out/r-1/a.wav"},
    "created_at": "2025-01-02T03:04:05Z",
    "finished_at": "not a date",
}
STATUS_PATH = "/v1/requests/r-1/status"
RESULT_PATH = "/v1/requests/r-1/result"


def test_run_submits_wire_keys_to_the_model_path(sdk: Sdk, fake_api: FakeApi) -> None:
    fake_api.script_job("r-1", [("completed", None)], DONE)

    output = sdk.run(sdk.model().run(prompt="a dog", start_image="https://x/a.png", steps=8))

    assert isinstance(output, VideoOutput)
    assert output.video == VIDEO
    assert output.model_extra == {"audio": "https://cdn.runcomfy.test/out/r-1/a.wav"}
    submit = fake_api.requests[0]
    assert submit.method == "POST"
    assert submit.url.raw_path == b"/v1/models/community/wan-2-2/first-last-frame"
    assert json.loads(submit.content) == {
        "6_text": "a dog",
        "68_image": "https://x/a.png",
        "57_steps": 8,
    }


def test_wait_reports_each_new_state_and_queue_position_in_order(
    sdk: Sdk, fake_api: FakeApi, caplog: pytest.LogCaptureFixture
) -> None:
    states = [("in_queue", 3), ("in_queue", 3), ("in_queue", 1), ("in_progress", None)]
    fake_api.script_job("r-1", [*states, ("in_progress", None), ("completed", None)], DONE)
    seen: list[JobStatus] = []
    caplog.set_level(logging.INFO, logger="runcomfy_sdk")

    job = sdk.run(sdk.model().submit(prompt="p", start_image="https://x/a.png"))
    output = sdk.run(job.wait(on_update=seen.append))

    assert output.video == VIDEO
    assert [(s.status, s.queue_position) for s in seen] == [
        ("in_queue", 3),
        ("in_queue", 1),
        ("in_progress", None),
        ("completed", None),
    ]
    reported = [r.getMessage() for r in caplog.records if r.getMessage().startswith("request r-1")]
    assert reported == [
        "request r-1: in_queue (queue position 3)",
        "request r-1: in_queue (queue position 1)",
        "request r-1: in_progress",
        "request r-1: completed",
    ]
    # 1 s at first, growing 1.5x while the state holds, back to 1 s when it changes.
    assert sdk.clock.sleeps == [1.0, 1.5, 2.25, 1.0, 1.5]
    assert fake_api.calls("GET", RESULT_PATH) == 1


def test_poll_interval_stops_growing_near_ten_seconds(sdk: Sdk, fake_api: FakeApi) -> None:
    fake_api.script_job("r-1", [("in_progress", None)] * 12 + [("completed", None)], DONE)

    sdk.run(sdk.client.job("r-1", VideoOutput).wait())

    assert sdk.clock.sleeps[0] == 1.0
    assert max(sdk.clock.sleeps) == 10.0
    assert sdk.clock.sleeps[-3:] == [10.0, 10.0, 10.0]


@pytest.mark.parametrize("spelling", ["completed", "succeeded", "COMPLETED"])
def test_success_spellings_end_the_wait(sdk: Sdk, fake_api: FakeApi, spelling: str) -> None:
    fake_api.script_job("r-1", [(spelling, None)], {**DONE, "status": spelling})

    assert sdk.run(sdk.client.job("r-1", VideoOutput).wait()).video == VIDEO


def test_a_failed_job_raises_with_the_servers_error(sdk: Sdk, fake_api: FakeApi) -> None:
    error = {"message": "CUDA out of memory", "node": "57"}
    failed = {"request_id": "r-1", "status": "failed", "output": None, "error": error}
    fake_api.script_job("r-1", [("in_progress", None), ("failed", None)], failed)

    with pytest.raises(JobFailedError) as caught:
        sdk.run(sdk.client.job("r-1", VideoOutput).wait())

    assert caught.value.error == error
    assert caught.value.request_id == "r-1"
    assert "CUDA out of memory" in str(caught.value)
    assert fake_api.calls("GET", STATUS_PATH) == 2, "polling stops at the terminal state"


@pytest.mark.parametrize("spelling", ["cancelled", "canceled"])
def test_a_cancelled_job_raises_its_own_error(sdk: Sdk, fake_api: FakeApi, spelling: str) -> None:
    fake_api.script_job("r-1", [("in_queue", 2), (spelling, None)])

    with pytest.raises(JobCancelledError) as caught:
        sdk.run(sdk.client.job("r-1", VideoOutput).wait())

    assert caught.value.request_id == "r-1"
    assert fake_api.calls("GET", STATUS_PATH) == 2
    assert fake_api.calls("GET", RESULT_PATH) == 0


def test_an_unknown_state_is_kept_and_polling_goes_on(sdk: Sdk, fake_api: FakeApi) -> None:
    fake_api.script_job("r-1", [("warming_up", None), ("completed", None)], DONE)
    seen: list[JobStatus] = []

    sdk.run(sdk.client.job("r-1", VideoOutput).wait(on_update=seen.append))

    assert seen[0].status == "warming_up"
    assert not seen[0].is_known and not seen[0].is_terminal


def test_wait_times_out_without_sleeping_past_the_deadline(sdk: Sdk, fake_api: FakeApi) -> None:
    fake_api.script_job("r-1", [("in_progress", None)])

    with pytest.raises(WaitTimeoutError) as caught:
        sdk.run(sdk.client.job("r-1", VideoOutput).wait(timeout=5.0))

    assert caught.value.request_id == "r-1"
    assert caught.value.last_status == "in_progress"
    assert "client.job(request_id).wait()" in str(caught.value)
    # 1 + 1.5 + 2.25 = 4.75, then only the 0.25 s left, then one last look at the deadline.
    assert sdk.clock.sleeps == [1.0, 1.5, 2.25, 0.25]
    assert fake_api.calls("GET", STATUS_PATH) == 5


def test_a_zero_timeout_looks_once(sdk: Sdk, fake_api: FakeApi) -> None:
    fake_api.script_job("r-1", [("in_queue", 9)])

    with pytest.raises(WaitTimeoutError):
        sdk.run(sdk.client.job("r-1", VideoOutput).wait(timeout=0))

    assert sdk.clock.sleeps == []
    assert fake_api.calls("GET", STATUS_PATH) == 1


def test_run_timeout_counts_from_the_submit(sdk: Sdk, fake_api: FakeApi) -> None:
    fake_api.script_job("r-1", [("in_queue", 1)])

    with pytest.raises(WaitTimeoutError) as caught:
        sdk.run(sdk.model().run(prompt="p", start_image="https://x/a.png", timeout=2.0))

    assert caught.value.request_id == "r-1"
    assert sum(sdk.clock.sleeps) == 2.0


def test_retries_while_waiting_respect_the_deadline(sdk: Sdk, fake_api: FakeApi) -> None:
    fake_api.on("GET", STATUS_PATH, reply(429, {}, headers={"Retry-After": "30"}))

    with pytest.raises(WaitTimeoutError) as caught:
        sdk.run(sdk.client.job("r-1", VideoOutput).wait(timeout=10))

    assert isinstance(caught.value.__cause__, RateLimitError)
    assert sum(sdk.clock.sleeps) == 10  # the Retry-After is waited out only up to the deadline


def test_a_result_that_lags_behind_the_status_is_polled_again(sdk: Sdk, fake_api: FakeApi) -> None:
    fake_api.script_job("r-1", [("completed", None)])
    fake_api.on(
        "GET",
        RESULT_PATH,
        reply(200, {"request_id": "r-1", "status": "in_progress", "output": None}),
        reply(200, DONE),
    )

    assert sdk.run(sdk.client.job("r-1", VideoOutput).wait()).video == VIDEO
    assert fake_api.calls("GET", RESULT_PATH) == 2


def test_completed_without_output_is_a_bad_response(sdk: Sdk, fake_api: FakeApi) -> None:
    fake_api.script_job("r-1", [("completed", None)], {"request_id": "r-1", "status": "completed"})

    with pytest.raises(BadResponseError, match="no output"):
        sdk.run(sdk.client.job("r-1", VideoOutput).wait())


def test_async_on_update_callbacks_are_awaited(fake_api: FakeApi, clock: FakeClock) -> None:
    sdk = Sdk("async", fake_api, clock)
    fake_api.script_job("r-1", [("in_queue", 1), ("completed", None)], DONE)
    seen: list[str] = []

    async def record(status: JobStatus) -> None:
        seen.append(status.status)

    sdk.run(sdk.client.job("r-1", VideoOutput).wait(on_update=record))
    sdk.close()

    assert seen == ["in_queue", "completed"]


@pytest.mark.parametrize("callback", ["on_update", "on_submitted"])
def test_the_blocking_client_refuses_a_coroutine_callback_before_submitting(
    fake_api: FakeApi, clock: FakeClock, callback: str
) -> None:
    sdk = Sdk("sync", fake_api, clock)

    async def record(value: object) -> None:
        raise AssertionError("never called")

    with pytest.raises(TypeError, match=f"{callback} is a coroutine function.*AsyncRunComfy"):
        sdk.model().run(prompt="p", start_image="https://x/a.png", **{callback: record})
    with pytest.raises(TypeError, match="coroutine function"):
        sdk.client.job("r-1", VideoOutput).wait(on_update=record)
    sdk.close()

    assert fake_api.requests == [], "nothing is sent, and no job is paid for"


def test_the_blocking_client_refuses_a_callback_that_returns_a_coroutine(
    fake_api: FakeApi, clock: FakeClock
) -> None:
    sdk = Sdk("sync", fake_api, clock)
    fake_api.script_job("r-1", [("in_queue", 1), ("completed", None)], DONE)

    class Recorder:
        async def __call__(self, status: JobStatus) -> None:
            raise AssertionError("never awaited")

    with pytest.raises(TypeError, match="returned a coroutine"):
        sdk.client.job("r-1", VideoOutput).wait(on_update=Recorder())
    sdk.close()


def test_a_job_resumes_from_a_stored_id(sdk: Sdk, fake_api: FakeApi) -> None:
    fake_api.script_job("r-1", [("completed", None)], DONE)
    fake_api.on("GET", RESULT_PATH, reply(200, {**DONE, "cost": 0.42}))

    job = sdk.model().job("r-1")
    result = sdk.run(job.result(include_cost=True))

    assert job.request_id == "r-1"
    assert repr(job) in {
        "Job(request_id='r-1', output_type=VideoOutput)",
        "AsyncJob(request_id='r-1', output_type=VideoOutput)",
    }
    assert isinstance(result.output, VideoOutput)
    assert result.cost == 0.42
    assert result.created_at is not None and result.created_at.year == 2025
    assert result.finished_at is None, "an unreadable timestamp is dropped, not fatal"
    assert dict(fake_api.requests[-1].url.params) == {"include_cost": "true"}
    assert sdk.run(sdk.client.job("r-1", VideoOutput).status()).is_succeeded


def test_cancel_a_queued_job(sdk: Sdk, fake_api: FakeApi) -> None:
    answer = {"request_id": "r-1", "status": "cancelled", "outcome": "cancelled"}
    fake_api.on("POST", "/v1/requests/r-1/cancel", reply(200, answer))

    cancelled = sdk.run(sdk.client.job("r-1").cancel())

    assert cancelled.is_accepted and cancelled.outcome == "cancelled"


def test_cancel_a_running_job_is_refused(sdk: Sdk, fake_api: FakeApi) -> None:
    answer = {"request_id": "r-1", "status": "in_progress", "outcome": "not_cancellable"}
    fake_api.on("POST", "/v1/requests/r-1/cancel", reply(200, answer))

    with pytest.raises(NotCancellableError) as caught:
        sdk.run(sdk.client.requests.cancel("r-1"))

    assert caught.value.status == "in_progress"
    assert caught.value.request_id == "r-1"
    assert "Only queued jobs can be cancelled" in str(caught.value)


def test_submit_returns_a_handle_with_the_new_id(sdk: Sdk, fake_api: FakeApi) -> None:
    fake_api.on("POST", MODEL_PATH, reply(200, {**submitted("r-77"), "extra": True}))

    job = sdk.run(sdk.model().submit(prompt="p", start_image="https://x/a.png"))

    assert job.request_id == "r-77"
    assert job.output_type is VideoOutput


def test_local_paths_are_refused_before_anything_is_sent(sdk: Sdk, fake_api: FakeApi) -> None:
    with pytest.raises(ValueError, match="public"):
        sdk.run(sdk.model().submit(prompt="p", start_image="/home/me/cat.png"))
    assert fake_api.requests == []


def test_status_helpers_cover_every_known_spelling() -> None:
    def status(state: str) -> JobStatus:
        return JobStatus(request_id="r", status=state)

    assert status("in_queue").is_queued and not status("in_queue").is_terminal
    assert status("in_progress").is_running
    assert all(status(s).is_succeeded for s in ("completed", "succeeded"))
    assert status("failed").is_failed and status("failed").is_terminal
    assert all(status(s).is_cancelled for s in ("cancelled", "canceled", " Cancelled "))
    assert JobStatus.model_validate({"request_id": "r", "status": "x", "eta": 3}).model_extra == {
        "eta": 3
    }


@pytest.mark.parametrize("answer", [{"request_id": ""}, {"request_id": "   "}, {"status": "ok"}])
def test_a_submit_answer_without_a_request_id_is_a_typed_error_that_keeps_the_answer(
    sdk: Sdk, fake_api: FakeApi, answer: dict[str, str]
) -> None:
    fake_api.on("POST", MODEL_PATH, reply(200, {**answer, "note": "accepted " + TOKEN}))

    with pytest.raises(BadResponseError) as caught:
        sdk.run(sdk.model().submit(prompt="p", start_image="https://x/a.png"))

    message = str(caught.value)
    assert "The job may have been created" in message
    assert '"note": "accepted ' in message and TOKEN not in message
    assert fake_api.calls("POST", MODEL_PATH) == 1
