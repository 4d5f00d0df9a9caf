"""The generated SDK on the oldest pydantic and httpx it declares, and one release older.

Each runs in a fresh venv holding only those packages (installed from the package index),
with ``generated/`` on its path: on the floors, a job runs end to end over
``httpx.MockTransport`` (friendly names, validation, polling, the typed output); one
pydantic release below the floor, importing the SDK fails with one sentence that says why.
"""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

from generator.requirements import sdk_requirements
from tests.helpers import REPO, TEMPLATES

pytestmark = pytest.mark.slow

SCENARIO = """
import json, httpx, pydantic
from runcomfy_sdk import RunComfy, InputValidationError
from runcomfy_sdk.models import CommunityWan22FirstLastFrameRequest

states = iter(["in_queue", "in_progress", "completed"])
def answer(request):
    if request.method == "POST":
        assert json.loads(request.content)["57_steps"] == 12, request.content
        return httpx.Response(200, json={"request_id": "r-1"})
    if request.url.path.endswith("/status"):
        return httpx.Response(200, json={"request_id": "r-1", "status": next(states)})
    return httpx.Response(200, json={
        "request_id": "r-1", "status": "completed", "output": {"video": "https://x/v.mp4"}})

client = RunComfy(api_token="t", base_url="http://api.test", sleep=lambda s: None,
                  http_client=httpx.Client(transport=httpx.MockTransport(answer)))
flf = client.community.wan_2_2.first_last_frame
output = flf.run(prompt="p", start_image="https://x/a.png", end_image="https://x/b.png", steps=12)
assert output.video == "https://x/v.mp4", output
request = CommunityWan22FirstLastFrameRequest(prompt="p", start_image="a", end_image="b")
assert request.to_body() == {"6_text": "p", "68_image": "a", "62_image": "b"}
try:
    flf.submit(prompt="p", start_image="a", end_image="b", steps=25)
except InputValidationError as error:
    assert "steps" in str(error)
else:
    raise AssertionError("steps=25 was accepted")
print("ok", pydantic.VERSION, httpx.__version__)
"""


def _venv_with(root: Path, *requirements: str) -> Path:
    venv.EnvBuilder(with_pip=False).create(root)
    python = root / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
    done = subprocess.run([*pip, *requirements], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"cannot install {requirements}: {done.stderr[-2000:]}")
    return python


def _run(python: Path, code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-c", code],
        cwd=REPO / "generated",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_job_runs_on_the_oldest_supported_pydantic_and_httpx(tmp_path: Path) -> None:
    floors = dict(sdk_requirements(TEMPLATES).dependencies)
    python = _venv_with(
        tmp_path / "floors", f"pydantic=={floors['pydantic']}.0", f"httpx=={floors['httpx']}.0"
    )
    done = _run(python, SCENARIO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"ok {floors['pydantic']}.0 {floors['httpx']}.0")


def test_one_pydantic_release_below_the_floor_fails_on_import_in_one_sentence(
    tmp_path: Path,
) -> None:
    major, minor = (
        int(part) for part in dict(sdk_requirements(TEMPLATES).dependencies)["pydantic"].split(".")
    )
    python = _venv_with(tmp_path / "older", f"pydantic=={major}.{minor - 1}.*", "httpx")
    done = _run(python, "import runcomfy_sdk")
    assert done.returncode != 0
    last = done.stderr.strip().splitlines()[-1]
    assert "pydantic" in last and f"{major}.{minor}" in last, done.stderr
