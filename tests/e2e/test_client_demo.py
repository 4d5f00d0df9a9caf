"""The demo (``make demo``): it starts the server, makes a video through the SDK, stops."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from generator import demo

from .conftest import FAST_TIMING, REPO

VIDEO_URL = re.compile(r"^video URL: http://127\.0\.0\.1:\d+/files/\S+\.mp4$", re.MULTILINE)
QUICK_JOB = ["--queue-seconds", "0.2", "--run-seconds", "0.2"]


def test_the_demo_prints_each_state_the_video_url_and_the_downloaded_size(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert demo.main(QUICK_JOB, client_timing=FAST_TIMING) == 0

    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("local RunComfy-compatible server on http://127.0.0.1:")
    states = [line.strip() for line in lines if line.startswith("  ")]
    assert states == ["in_queue (queue position 0)", "in_progress", "completed"]
    assert VIDEO_URL.search(out)
    assert f"downloaded first-last-frame.mp4: {demo.VIDEO_BYTES} bytes" in lines
    assert lines[-1] == "local server stopped"


@pytest.mark.slow
def test_the_demo_runs_as_a_module_and_finds_the_generated_sdk_by_itself() -> None:
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    finished = subprocess.run(
        [sys.executable, "-m", "generator.demo", "--queue-seconds", "0", "--run-seconds", "0"],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert finished.returncode == 0, finished.stderr
    assert VIDEO_URL.search(finished.stdout)
    assert "local server stopped" in finished.stdout
