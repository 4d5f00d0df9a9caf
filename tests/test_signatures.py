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
    return flf.run(prompt="p", start_image=A, end_image=B, timeout=30, on_update=print)


async def async_calls(client: AsyncRunComfy) -> CommunityWan22FirstLastFrameOutput:
    flf = client.community.wan_2_2.first_last_frame
    job = await flf.submit(prompt="p", start_image="a", end_image="b")
    await flf.submit(prompt="p")  # type: ignore[call-overload]
    request = CommunityWan22FirstLastFrameRequest.model_validate({"prompt": "p", "start_image": A, "end_image": B})
    await flf.run(request, timeout=30)
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
