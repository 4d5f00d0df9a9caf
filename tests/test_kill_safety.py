"""Kill ``generate`` at random moments: the output directory is the old tree or the new one.

Each trial restores the old tree, edits one schema, starts ``runcomfy-codegen generate``,
kills it with SIGKILL after a random delay (drawn over the whole run, whose write phase
is stretched by pausing after every file), and compares the output directory with both trees. The next run then removes
what the killed one left and ends with the new tree. ``KILL_TRIALS`` sets the number of
trials (the long profile runs more).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator import canonical
from generator.catalog import catalog
from generator.emit import WRITE_PAUSE_ENV, leftovers

TRIALS = int(os.environ.get("KILL_TRIALS", "6"))
# Each written file pauses this long, so that most kills land in the write phase.
PAUSE = 0.05
pytestmark = pytest.mark.slow
# The generated package's own directory: the unit that is swapped in whole.
PACKAGE_DIR = Path("generated", "runcomfy_sdk")


def tree_digest(directory: Path) -> str:
    digest = hashlib.sha256()
    if not directory.is_dir():
        return "missing"
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def generate(project: Path, *, pause: float = 0.0) -> subprocess.Popen[bytes]:
    """``generate`` in a child process; ``pause`` stretches its write phase (fault injection)."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    if pause:
        env[WRITE_PAUSE_ENV] = str(pause)
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "generate"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, float]:
    """A project with its old tree generated, and the new tree its edit gives."""
    root = tmp_path_factory.mktemp("kill")
    project = root / "project"
    (project / "schemas").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[tool.runcomfy-codegen]\n")
    for document in catalog(10):
        path = project / "schemas" / canonical.canonical_path(document["model_id"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(canonical.canonical_text(document))
    assert generate(project).wait() == 0
    old = root / "old"
    shutil.copytree(project, old)
    edit(project)
    start = time.monotonic()
    assert generate(project, pause=PAUSE).wait() == 0
    duration = time.monotonic() - start
    new = root / "new"
    shutil.copytree(project, new)
    return old, new, duration


def edit(project: Path) -> None:
    """Add a model: a full run that rewrites the index files and adds modules."""
    document = catalog(11)[10]
    path = project / "schemas" / canonical.canonical_path(document["model_id"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(canonical.canonical_text(document))


@pytest.mark.parametrize("trial", range(TRIALS))
def test_a_killed_generate_leaves_the_old_or_the_new_tree(
    prepared: tuple[Path, Path, float], tmp_path: Path, trial: int
) -> None:
    old, new, duration = prepared
    project = tmp_path / "project"
    shutil.copytree(old, project)
    edit(project)
    delay = random.Random(trial).uniform(0.0, duration * 1.1)
    process = generate(project, pause=PAUSE)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    found = tree_digest(project / PACKAGE_DIR)
    assert found in {tree_digest(old / PACKAGE_DIR), tree_digest(new / PACKAGE_DIR)}, delay
    assert generate(project).wait() == 0
    assert tree_digest(project / PACKAGE_DIR) == tree_digest(new / PACKAGE_DIR)
    assert leftovers(project / PACKAGE_DIR) == []


def test_check_reports_leftovers_and_generate_removes_them(
    prepared: tuple[Path, Path, float], tmp_path: Path
) -> None:
    _, new, _ = prepared
    project = tmp_path / "project"
    shutil.copytree(new, project)
    stale = project / "generated" / ".runcomfy_sdk.new-12345"
    shutil.copytree(project / PACKAGE_DIR, stale)
    checked = subprocess.run(
        [sys.executable, "-m", "generator", "check"],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        check=False,
    )
    assert checked.returncode == 1 and "leftover of an interrupted run" in checked.stdout
    schema = sorted((project / "schemas").rglob("*.json"))[0]
    document = json.loads(schema.read_text())
    document["input_schema"]["description"] = "touched"
    schema.write_text(canonical.canonical_text(document))
    assert generate(project).wait() == 0
    assert not stale.exists()


def test_a_tree_lost_between_two_renames_is_brought_back(tmp_path: Path) -> None:
    from generator.emit import recover

    output = tmp_path / "generated"
    retired = tmp_path / ".generated.old-99"
    (retired / "pkg").mkdir(parents=True)
    (retired / "pkg" / "a.py").write_text("x = 1\n")
    recover(output)
    assert (output / "pkg" / "a.py").read_text() == "x = 1\n" and not retired.exists()


def test_an_output_directory_reached_through_a_link_keeps_its_link(tmp_path: Path) -> None:
    from pathlib import PurePosixPath

    from generator.emit import write_tree

    real = tmp_path / "real"
    (real / "pkg").mkdir(parents=True)
    ours = "# Code generated by runcomfy-codegen from schemas/a.json. DO NOT EDIT.\n"
    (real / "pkg" / "a.py").write_text(ours + "old\n")
    link = tmp_path / "generated"
    link.symlink_to(real, target_is_directory=True)
    write_tree({PurePosixPath("pkg/a.py"): ours + "new\n"}, link, atomic=True)
    assert link.is_symlink() and (real / "pkg" / "a.py").read_text() == ours + "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["generated", "real"]
