"""The SDK vendored inside a host package under a dotted name (``acme._vendor.runcomfy``).

The host's own files (its ``__init__.py`` files, a README inside the generated package's
directory) are never flagged, touched or removed; the manifest lives in the generated
package; headers name the host's own regenerate command. The vendored package passes
``mypy --strict`` and runs a job against the local server.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main
from generator.server import ServerHandle
from tests.helpers import REPO

pytestmark = pytest.mark.slow

PACKAGE = "acme._vendor.runcomfy"
REGENERATE = "tox -e sdk"
# The host project's own files, by path below the project, with their contents.
HOST_FILES = {
    "src/acme/__init__.py": '"""Acme: a host package that vendors the RunComfy SDK."""\n',
    "src/acme/_vendor/__init__.py": "",
    "src/acme/_vendor/runcomfy/README.md": "Vendored; see pyproject.toml for how to refresh it.\n",
}
SCHEMA = Path("schemas", "community", "wan-2-2", "first-last-frame.json")


def make_project(root: Path) -> Path:
    """A host project with its own package, the repository's schemas, and the SDK generated."""
    project = root / "host"
    shutil.copytree(REPO / "schemas", project / "schemas")
    for relative, text in HOST_FILES.items():
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_text(text, encoding="utf-8")
    (project / "pyproject.toml").write_text(
        f'[tool.runcomfy-codegen]\noutput = "src"\npackage = "{PACKAGE}"\n'
        f'regenerate = "{REGENERATE}"\n',
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        assert main(["generate"]) == 0
    return project


@pytest.fixture(scope="module")
def vendored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("vendored"))


def host_files(project: Path) -> dict[str, str]:
    return {relative: (project / relative).read_text(encoding="utf-8") for relative in HOST_FILES}


def test_the_package_lives_in_its_own_directory_below_untouched_host_files(
    vendored: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    package_dir = vendored / "src" / "acme" / "_vendor" / "runcomfy"
    assert (package_dir / "MANIFEST.json").is_file()
    assert host_files(vendored) == HOST_FILES
    outside = {
        path.relative_to(vendored).as_posix()
        for path in (vendored / "src").rglob("*")
        if path.is_file() and package_dir not in path.parents
    }
    assert outside == {"src/acme/__init__.py", "src/acme/_vendor/__init__.py"}
    client = (package_dir / "client.py").read_text(encoding="utf-8").splitlines()
    assert client[1] == f"# Regenerate with: {REGENERATE}"
    monkeypatch.chdir(vendored)
    capsys.readouterr()
    assert main(["check"]) == 0
    assert capsys.readouterr().out == "src/acme/_vendor/runcomfy is up to date\n"


def test_check_fails_with_a_readable_diff_after_a_schema_edit_and_generate_keeps_host_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(tmp_path)
    monkeypatch.chdir(project)
    document = json.loads((project / SCHEMA).read_text(encoding="utf-8"))
    document["input_schema"]["properties"]["57_steps"]["maximum"] = 15
    (project / SCHEMA).write_text(json.dumps(document), encoding="utf-8")
    capsys.readouterr()
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    module = "models/community_wan_2_2_first_last_frame.py"
    assert f"--- on disk/{module}" in out and f"+++ generator/{module}" in out
    assert "le=15" in out and "unexpected file" not in out
    assert out.splitlines()[-1] == (
        f"src/acme/_vendor/runcomfy is stale: 3 changed files; run: {REGENERATE}"
    )
    assert main(["generate"]) == 0
    assert main(["check"]) == 0
    assert host_files(project) == HOST_FILES


def test_the_vendored_package_passes_mypy_strict(vendored: Path, tmp_path: Path) -> None:
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(tmp_path / "mypy-cache"),
            "-p",
            "acme",
        ],
        cwd=vendored / "src",
        env={**os.environ, "MYPYPATH": str(vendored / "src")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.fixture
def vendored_sdk(vendored: Path) -> Iterator[Any]:
    sys.path.insert(0, str(vendored / "src"))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(vendored / "src"))
        for name in [m for m in sys.modules if m == "acme" or m.startswith("acme.")]:
            del sys.modules[name]


def test_a_job_runs_through_the_vendored_package(vendored_sdk: Any, server: ServerHandle) -> None:
    assert vendored_sdk.__name__ == PACKAGE
    with vendored_sdk.RunComfy(server.token, base_url=server.base_url) as client:
        output = client.community.wan_2_2.first_last_frame.run(
            start_image="https://example.com/first.png",
            end_image="https://example.com/last.png",
            prompt="A puppy runs across the garden",
            timeout=30,
        )
    assert type(output).__module__ == f"{PACKAGE}.models.community_wan_2_2_first_last_frame"
    assert output.video.startswith(server.base_url)
