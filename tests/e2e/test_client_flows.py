"""End-to-end flows of the generated SDK against the local server, with both clients.

Each test runs twice through the ``sdk`` fixture, once with ``RunComfy`` and once with
``AsyncRunComfy``: submit with friendly names, wait, resume, result with cost, cancel,
download and the catalog, over real HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from runcomfy_sdk import (
    DownloadTooLargeError,
    JobCancelledError,
    JobStatus,
    NotCancellableError,
    OutputModel,
)
from runcomfy_sdk.models.community_wan_2_1_fusionx_image_to_video import (
    CommunityWan21FusionxImageToVideoOutput,
)
from runcomfy_sdk.models.community_wan_2_2_first_last_frame import (
    CommunityWan22FirstLastFrameOutput,
)
from runcomfy_sdk.models.wan_ai_wan_2_6_image_to_image import WanAiWan26ImageToImageOutput

from generator.server import ServerHandle, Timings, placeholder_bytes

from .conftest import FLF_FIELDS, FLF_MODEL_ID, SdkClient, SdkRunner, first_last_frame, settle

# Long enough for a 50 ms poll to see each state, short enough for a fast suite.
STEPPED = Timings(queue_seconds=0.3, run_seconds=0.3)
QUICK = Timings(queue_seconds=0.02, run_seconds=0.03)
QUEUED_FOR_GOOD = Timings(queue_seconds=60, run_seconds=60)
RUNNING_FOR_GOOD = Timings(queue_seconds=0, run_seconds=60)
WAIT_LIMIT = 10.0
"""Seconds any wait here may take before the test fails (the jobs take well under 1 s)."""


@dataclass(frozen=True, slots=True)
class ModelCase:
    """One seed model: how to reach it, what to send, and what the server must receive."""

    model_id: str
    accessor: Callable[[SdkClient], Any]
    fields: dict[str, Any]
    wire_body: dict[str, Any]
    output_type: type[OutputModel]


MODEL_CASES = [
    ModelCase(
        model_id=FLF_MODEL_ID,
        accessor=first_last_frame,
        fields={**FLF_FIELDS, "steps": 12, "resolution": "480x720 (2:3)"},
        wire_body={
            "6_text": FLF_FIELDS["prompt"],
            "68_image": FLF_FIELDS["start_image"],
            "62_image": FLF_FIELDS["end_image"],
            "57_steps": 12,
            "71_widthx71_height": "480x720 (2:3)",
        },
        output_type=CommunityWan22FirstLastFrameOutput,
    ),
    ModelCase(
        model_id="community/wan-2-1/fusionx/image-to-video",
        accessor=lambda client: client.community.wan_2_1.fusionx.image_to_video,
        fields={
            "prompt": "she smiles at the camera",
            "image": "https://example.com/portrait.png",
            "steps": 8,
            "num_frames": 141,
        },
        wire_body={
            "600_prompt": "she smiles at the camera",
            "608_image": "https://example.com/portrait.png",
            "598_steps": 8,
            "602_num_frames": 141,
        },
        output_type=CommunityWan21FusionxImageToVideoOutput,
    ),
    ModelCase(
        model_id="wan-ai/wan-2-6/image-to-image",
        accessor=lambda client: client.wan_ai.wan_2_6.image_to_image,
        fields={
            "prompt": "image 1 and image 2 as radio hosts",
            "image_urls": ["https://example.com/one.png", "https://example.com/two.png"],
            "seed": 7,
            "prompt_extend": False,
        },
        wire_body={
            "prompt": "image 1 and image 2 as radio hosts",
            "image_urls": ["https://example.com/one.png", "https://example.com/two.png"],
            "seed": 7,
            "prompt_extend": False,
        },
        output_type=WanAiWan26ImageToImageOutput,
    ),
]
by_model = pytest.mark.parametrize("case", MODEL_CASES, ids=lambda case: case.model_id)


@pytest.fixture(autouse=True)
def quick_jobs(server: ServerHandle) -> None:
    """Jobs finish at once unless a test needs to see their states (it then sets its own)."""
    server.controller.set_timings(QUICK)


def _files_of(server: ServerHandle, request_id: str) -> str:
    return f"{server.base_url}/files/{request_id}/"


@by_model
def test_submit_then_wait_reports_each_state_in_order_and_returns_the_typed_output(
    sdk: SdkRunner, server: ServerHandle, case: ModelCase
) -> None:
    server.controller.set_timings(STEPPED)
    updates: list[JobStatus] = []

    async def scenario(client: SdkClient) -> tuple[str, OutputModel]:
        job = await settle(case.accessor(client).submit(**case.fields))
        output = await settle(job.wait(timeout=WAIT_LIMIT, on_update=updates.append))
        return job.request_id, output

    request_id, output = sdk.run(scenario)

    assert type(output) is case.output_type
    assert [(update.status, update.queue_position) for update in updates] == [
        ("in_queue", 0),
        ("in_progress", None),
        ("completed", None),
    ]
    assert {update.request_id for update in updates} == {request_id}
    urls = output.urls()
    assert len(urls) == 4  # image, images[0], video, videos[0]
    assert all(url.startswith(_files_of(server, request_id)) for url in urls)


@by_model
def test_run_sends_exactly_the_wire_keys_and_returns_the_typed_output(
    sdk: SdkRunner, server: ServerHandle, case: ModelCase
) -> None:
    async def scenario(client: SdkClient) -> OutputModel:
        output: OutputModel = await settle(
            case.accessor(client).run(**case.fields, timeout=WAIT_LIMIT)
        )
        return output

    output = sdk.run(scenario)

    [job] = server.controller.jobs()
    assert job.model_id == case.model_id
    assert job.body == case.wire_body
    assert type(output) is case.output_type
    assert output.urls() and all(
        url.startswith(_files_of(server, job.request_id)) for url in output.urls()
    )


@by_model
def test_a_built_request_object_is_sent_like_its_keyword_arguments(
    sdk: SdkRunner, server: ServerHandle, case: ModelCase
) -> None:
    async def scenario(client: SdkClient) -> OutputModel:
        resource = case.accessor(client)
        request = resource.request_type(**case.fields)
        await settle(resource.submit(request))
        output: OutputModel = await settle(resource.run(request, timeout=WAIT_LIMIT))
        return output

    output = sdk.run(scenario)

    assert [job.body for job in server.controller.jobs()] == [case.wire_body] * 2
    assert type(output) is case.output_type


def test_a_request_object_with_keyword_arguments_or_of_another_model_is_refused(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    async def scenario(client: SdkClient) -> list[str]:
        resource = first_last_frame(client)
        other = client.community.wan_2_1.fusionx.image_to_video
        refusals = []
        for call in (
            lambda: resource.submit(resource.request_type(**FLF_FIELDS), steps=12),
            lambda: resource.run(other.request_type(prompt="p", image="https://e.com/x.png")),
        ):
            with pytest.raises(TypeError) as refused:
                await settle(call())
            refusals.append(str(refused.value))
        return refusals

    both, wrong = sdk.run(scenario)

    assert "not both" in both and "steps" in both
    assert "CommunityWan22FirstLastFrameRequest" in wrong
    assert server.controller.jobs() == ()


def test_wait_reports_each_new_queue_position(sdk: SdkRunner, server: ServerHandle) -> None:
    updates: list[JobStatus] = []

    async def scenario(client: SdkClient) -> None:
        model = first_last_frame(client)
        server.controller.set_timings(Timings(queue_seconds=0.2, run_seconds=0.1))
        await settle(model.submit(**FLF_FIELDS))  # ahead in the queue for 0.2 s
        server.controller.set_timings(Timings(queue_seconds=0.6, run_seconds=0.1))
        second = await settle(model.submit(**FLF_FIELDS))
        await settle(second.wait(timeout=WAIT_LIMIT, on_update=updates.append))

    sdk.run(scenario)

    assert [(update.status, update.queue_position) for update in updates] == [
        ("in_queue", 1),
        ("in_queue", 0),
        ("in_progress", None),
        ("completed", None),
    ]


def test_a_new_client_resumes_a_job_from_its_request_id(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    async def submit(client: SdkClient) -> str:
        job = await settle(first_last_frame(client).submit(**FLF_FIELDS))
        return str(job.request_id)

    request_id = sdk.run(submit)

    async def resume(client: SdkClient) -> tuple[OutputModel, OutputModel, OutputModel]:
        by_accessor = await settle(first_last_frame(client).job(request_id).wait(timeout=10))
        typed = client.job(request_id, CommunityWan22FirstLastFrameOutput)
        by_output_type = await settle(typed.wait(timeout=WAIT_LIMIT))
        untyped = await settle(client.job(request_id).wait(timeout=WAIT_LIMIT))
        return by_accessor, by_output_type, untyped

    by_accessor, by_output_type, untyped = sdk.run(resume)

    assert type(by_accessor) is CommunityWan22FirstLastFrameOutput
    assert type(by_output_type) is CommunityWan22FirstLastFrameOutput
    assert type(untyped) is OutputModel  # no output class given: every key, untyped
    assert by_accessor == by_output_type
    assert untyped.urls() == by_accessor.urls()
    assert by_accessor.video == f"{_files_of(server, request_id)}video.mp4"
    assert server.controller.count("submit") == 1  # resuming never submits again


def test_result_has_the_current_state_then_the_output_and_cost_on_request(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    server.controller.set_timings(Timings(queue_seconds=0.3, run_seconds=0.02))

    async def scenario(client: SdkClient) -> dict[str, Any]:
        job = await settle(first_last_frame(client).submit(**FLF_FIELDS))
        early = await settle(job.result())
        await settle(job.wait(timeout=WAIT_LIMIT))
        return {
            "request_id": job.request_id,
            "early": early,
            "plain": await settle(job.result()),
            "with_cost": await settle(job.result(include_cost=True)),
            "generic": await settle(client.requests.result(job.request_id, include_cost=True)),
        }

    seen = sdk.run(scenario)

    early, plain, with_cost, generic = (seen[k] for k in ("early", "plain", "with_cost", "generic"))
    assert early.status == "in_queue" and early.output is None and not early.is_terminal
    assert plain.is_succeeded and plain.cost is None
    assert type(plain.output) is CommunityWan22FirstLastFrameOutput
    assert with_cost.cost == pytest.approx(server.controller.config.cost_per_job)
    assert with_cost.output == plain.output
    assert isinstance(with_cost.created_at, datetime)
    assert with_cost.finished_at > with_cost.created_at
    assert generic.request_id == seen["request_id"]
    assert generic.cost == with_cost.cost
    assert type(generic.output) is OutputModel
    assert generic.output.urls() == plain.output.urls()


def test_cancelling_a_queued_job_cancels_it_and_wait_then_raises(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    server.controller.set_timings(QUEUED_FOR_GOOD)

    async def scenario(client: SdkClient) -> tuple[str, Any, Any]:
        job = await settle(first_last_frame(client).submit(**FLF_FIELDS))
        answer = await settle(job.cancel())
        with pytest.raises(JobCancelledError) as cancelled:
            await settle(job.wait(timeout=WAIT_LIMIT))
        return job.request_id, answer, cancelled.value

    request_id, answer, error = sdk.run(scenario)

    assert (answer.request_id, answer.status, answer.outcome) == (
        request_id,
        "cancelled",
        "cancelled",
    )
    assert answer.is_accepted
    assert error.request_id == request_id
    assert request_id in str(error)


def test_the_generic_cancel_cancels_a_queued_job_by_id(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    server.controller.set_timings(QUEUED_FOR_GOOD)

    async def scenario(client: SdkClient) -> tuple[Any, Any]:
        job = await settle(first_last_frame(client).submit(**FLF_FIELDS))
        answer = await settle(client.requests.cancel(job.request_id))
        return answer, await settle(client.requests.status(job.request_id))

    answer, status = sdk.run(scenario)

    assert answer.outcome == "cancelled"
    assert status.is_cancelled and status.is_terminal


def test_cancelling_a_running_job_raises_not_cancellable_and_the_job_runs_on(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    server.controller.set_timings(RUNNING_FOR_GOOD)

    async def scenario(client: SdkClient) -> tuple[str, NotCancellableError, Any]:
        job = await settle(first_last_frame(client).submit(**FLF_FIELDS))
        with pytest.raises(NotCancellableError) as refused:
            await settle(job.cancel())
        return job.request_id, refused.value, await settle(job.status())

    request_id, error, status = sdk.run(scenario)

    assert error.request_id == request_id
    assert error.status == "in_progress"
    assert "in_progress" in str(error)
    assert status.is_running


def _served_bytes(url: str, size: int) -> bytes:
    path = urlsplit(url).path.removeprefix("/files/")
    return placeholder_bytes(path, size)


def test_download_writes_every_output_file(
    sdk: SdkRunner, server: ServerHandle, tmp_path: Path
) -> None:
    size = 200_000  # several chunks of the server's stream
    server.controller.set_file_size(size)

    async def scenario(client: SdkClient) -> tuple[OutputModel, list[Path]]:
        output = await settle(first_last_frame(client).run(**FLF_FIELDS, timeout=WAIT_LIMIT))
        paths: list[Path] = await settle(client.download(output, tmp_path / "out"))
        return output, paths

    output, paths = sdk.run(scenario)

    assert [path.name for path in paths] == [
        "image.png",
        "images-0.png",
        "video.mp4",
        "videos-0.mp4",
    ]
    for url, path in zip(output.urls(), paths, strict=True):
        assert path.parent == tmp_path / "out"
        assert path.read_bytes() == _served_bytes(url, size)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in paths)


def test_download_over_the_size_cap_raises_and_leaves_no_file(
    sdk: SdkRunner, server: ServerHandle, tmp_path: Path
) -> None:
    server.controller.set_file_size(10_000)

    async def scenario(client: SdkClient) -> tuple[OutputModel, DownloadTooLargeError]:
        output = await settle(first_last_frame(client).run(**FLF_FIELDS, timeout=WAIT_LIMIT))
        with pytest.raises(DownloadTooLargeError) as too_large:
            await settle(client.download(output, tmp_path, max_bytes=4_096))
        return output, too_large.value

    output, error = sdk.run(scenario)

    assert error.url == output.urls()[0]
    assert "max_bytes=4096" in str(error)
    assert list(tmp_path.iterdir()) == []  # neither the file nor a .part of it


def test_the_catalog_lists_every_served_model_with_its_schema(
    sdk: SdkRunner, server: ServerHandle
) -> None:
    async def scenario(client: SdkClient) -> tuple[Any, Any]:
        listed = await settle(client.models.list(include_schema=True))
        return listed, await settle(client.models.get(FLF_MODEL_ID))

    listed, entry = sdk.run(scenario)

    assert listed.total == 3
    assert sorted(model.model_id for model in listed.models) == sorted(
        case.model_id for case in MODEL_CASES
    )
    assert all(model.input_schema for model in listed.models)
    assert entry.model_id == FLF_MODEL_ID
    assert entry.input_schema is not None
    assert set(MODEL_CASES[0].wire_body) <= set(entry.input_schema["properties"])


def test_output_keys_the_schema_does_not_list_are_kept_and_downloaded(
    sdk: SdkRunner, server: ServerHandle, tmp_path: Path
) -> None:
    video, audio = server.url("files/extra/clip.mp4"), server.url("files/extra/voice.wav")
    server.controller.set_output(FLF_MODEL_ID, {"video": video, "audio": audio, "fps": 16})

    async def scenario(client: SdkClient) -> tuple[OutputModel, list[Path]]:
        output = await settle(first_last_frame(client).run(**FLF_FIELDS, timeout=WAIT_LIMIT))
        paths: list[Path] = await settle(client.download(output, tmp_path))
        return output, paths

    output, paths = sdk.run(scenario)

    assert type(output) is CommunityWan22FirstLastFrameOutput
    assert output.model_extra == {"audio": audio, "fps": 16}
    assert output.urls() == [video, audio]
    assert [path.name for path in paths] == ["clip.mp4", "voice.wav"]
