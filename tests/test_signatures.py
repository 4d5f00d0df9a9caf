"""The generated methods' signatures, as a type checker and a user see them.

One ``mypy --strict`` run over a usage file: calls a user may write must type-check,
and every call marked ``# type: ignore[code]`` must be refused with that code (strict
mode reports an ignore that is not needed, so each refusal is checked too).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

pytestmark = pytest.mark.slow

USAGE = """
from runcomfy_sdk import AsyncRunComfy, RunComfy
from runcomfy_sdk.models.community_wan_2_2_first_last_frame import (
    CommunityWan22FirstLastFrameOutput,
    CommunityWan22FirstLastFrameParams,
    CommunityWan22FirstLastFrameRequest,
    ResolutionChoice,
)

A, B = "https://example.com/a.png", "https://example.com/b.png"


def sync_calls(client: RunComfy) -> CommunityWan22FirstLastFrameOutput:
    flf = client.community.wan_2_2.first_last_frame
    flf.submit(prompt="p", start_image="a", end_image="b", steps=12, resolution="720x720 (1:1)")
    flf.submit(CommunityWan22FirstLastFrameRequest.model_validate({"prompt": "p", "start_image": A, "end_image": B}))
    params: CommunityWan22FirstLastFrameParams = {"prompt": "p", "start_image": A, "end_image": B}
    flf.submit(**params)
    size: ResolutionChoice = "1280x720 (16:9)"
    flf.submit(prompt="p", start_image="a", end_image="b", resolution=size)
    flf.submit(prompt="p", start_image="a")  # type: ignore[call-overload]
    flf.submit(prompt="p", start_image=A, end_image=B, steps="12")  # type: ignore[call-overload]
    flf.submit(prompt="p", start_image=A, end_image=B, resolution="7x7")  # type: ignore[call-overload]
    flf.submit(prompt="p", start_image=A, end_image=B, no_such_field=1)  # type: ignore[call-overload]
    bad: ResolutionChoice = "7x7"  # type: ignore[assignment]
    flf.submit(prompt="p", start_image=A, end_image=B, extra_body={"99_x": 1}, max_retries=0)
    flf.submit(prompt="p", start_image=A, end_image=B, max_retries="2")  # type: ignore[call-overload]
    job = flf.run(prompt="p", start_image=A, end_image=B, on_submitted=print, cancel_on_interrupt=True)
    any_job = client.submit("acme/new/v1", {"1_x": 1}, timeout=5, extra_headers={"X-A": "b"})
    any_job.status(timeout=2, extra_query={"q": "1"})
    any_job.status(retries=1)  # type: ignore[call-arg]
    client.run("acme/new/v1", {"1_x": 1}, timeout=30).urls()
    client.with_options(timeout=3, max_retries=0, base_url="http://127.0.0.1:8000")
    client.with_options(api_token="rc-another-token-0123456789")
    client.with_options(http_client=None)  # type: ignore[call-arg]
    client.requests.result("r-1", include_cost=True, max_retries=1).response
    client.models.list(limit=1, extra_query={"tag": "video"})
    return flf.run(prompt="p", start_image=A, end_image=B, timeout=30, on_update=print)


async def async_calls(client: AsyncRunComfy) -> CommunityWan22FirstLastFrameOutput:
    flf = client.community.wan_2_2.first_last_frame
    job = await flf.submit(prompt="p", start_image="a", end_image="b")
    await flf.submit(prompt="p")  # type: ignore[call-overload]
    request = CommunityWan22FirstLastFrameRequest.model_validate({"prompt": "p", "start_image": A, "end_image": B})
    await flf.run(request, timeout=30, extra_headers={"X-A": "b"})

    async def heard(request_id: str) -> None: ...

    await flf.run(prompt="p", start_image=A, end_image=B, on_submitted=heard)
    await (await client.submit("acme/new/v1", {"1_x": 1}, on_submitted=heard)).wait(timeout=9)
    return await job.wait()
"""


def test_signatures_accept_what_users_write_and_refuse_the_rest(tmp_path: Path) -> None:
    usage = tmp_path / "usage.py"
    usage.write_text(USAGE.lstrip(), encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(tmp_path / "cache"),
            str(usage),
        ],
        cwd=REPO / "generated",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
