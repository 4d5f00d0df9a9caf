"""``--distribution``: a ``pyproject.toml`` beside the package that builds it as its own wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from generator.cli import main
from tests.helpers import REPO

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.runcomfy-codegen]\ndistribution = "acme-runcomfy-sdk"\nversion = "1.2.0"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_distribution_builds_a_wheel_of_the_package_with_its_floors(
    project: Path, tmp_path: Path
) -> None:
    assert main(["generate"]) == 0
    assert main(["check"]) == 0
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", str(dist)],
        cwd=project / "generated",
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = dist.glob("*.whl")
    assert wheel.name == "acme_runcomfy_sdk-1.2.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = archive.read("acme_runcomfy_sdk-1.2.0.dist-info/METADATA").decode()
    for path in ("py.typed", "docs/README.md", "_runtime/_client.py", "_requirements.py"):
        assert f"runcomfy_sdk/{path}" in names
    for line in (
        "Requires-Python: >=3.11",
        "Requires-Dist: pydantic>=2.11",
        "Requires-Dist: httpx>=0.27",
    ):
        assert line in metadata.splitlines()


def test_check_reports_a_stale_distribution_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate"]) == 0
    pyproject = project / "generated" / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"1.2.0"', '"1.1.0"'))
    capsys.readouterr()
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert '-version = "1.1.0"' in out and '+version = "1.2.0"' in out
    assert out.splitlines()[-1] == (
        "generated/runcomfy_sdk is stale: the distribution's pyproject.toml is stale; "
        "run: runcomfy-codegen generate"
    )
    assert main(["generate"]) == 0 and main(["check"]) == 0


def test_a_project_file_is_never_overwritten_and_a_vendored_package_has_no_distribution(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own = (project / "pyproject.toml").read_text()
    assert main(["generate", "--output", "."]) == 2
    assert "pyproject.toml: not written by runcomfy-codegen" in capsys.readouterr().err
    assert (project / "pyproject.toml").read_text() == own
    assert main(["generate", "--package", "acme._vendor.runcomfy"]) == 2
    assert "needs a top-level package" in capsys.readouterr().err
