"""Progress on stderr for ``generate`` and ``pull``: on a terminal only, never in a pipe."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.server import ServerHandle
from tests.helpers import REPO

pytestmark = pytest.mark.slow


def run(arguments: list[str], cwd: Path, *, terminal: bool, token: str = "") -> tuple[int, str]:
    """Run the command line with stderr on a pseudo-terminal or a pipe: (exit code, stderr)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "RUNCOMFY_API_TOKEN": token}
    command = [sys.executable, "-m", "generator", *arguments]
    if not terminal:
        done = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120
        )
        return done.returncode, done.stderr
    controller, terminal_end = pty.openpty()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=terminal_end
    )
    os.close(terminal_end)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    return process.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    (tmp_path / "pyproject.toml").write_text("[tool.runcomfy-codegen]\n", encoding="utf-8")
    return tmp_path


def test_generate_shows_its_stages_on_a_terminal_only(project: Path) -> None:
    code, shown = run(["generate"], project, terminal=True)
    assert code == 0
    assert "runcomfy-codegen generate: rendering 3 models" in shown
    (project / "generated" / "runcomfy_sdk" / "MANIFEST.json").unlink()
    assert run(["generate"], project, terminal=False) == (0, "")


def test_pull_shows_its_pages_on_a_terminal_only(project: Path, server: ServerHandle) -> None:
    pull = ["pull", "--all", "--base-url", server.base_url]
    code, shown = run(pull, project, terminal=True, token=server.token)
    assert code == 0 and "runcomfy-codegen pull: 3/3 models" in shown
    assert run(pull, project, terminal=False, token=server.token) == (0, "")
