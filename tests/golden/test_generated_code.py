"""The generated code itself: importable, round-trips its schemas, mypy --strict and ruff clean.

Runs over every golden expected tree and over the committed ``generated/`` tree.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

GOLDEN = Path(__file__).resolve().parent
TREES = {
    **{case.name: (case / "expected", case / "schemas") for case in sorted(GOLDEN.iterdir()) if (case / "expected").is_dir()},
    "generated": (REPO / "generated", REPO / "schemas"),
}

pytestmark = pytest.mark.slow


def run(*args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(arg) for arg in args], cwd=cwd, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("name", sorted(TREES), ids=sorted(TREES))
def test_tree_imports_and_round_trips_its_schemas(name: str) -> None:
    tree, schemas = TREES[name]
    result = run(sys.executable, GOLDEN / "roundtrip.py", tree, schemas)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("ok ") >= 1


@pytest.mark.parametrize("name", sorted(TREES), ids=sorted(TREES))
def test_tree_passes_mypy_strict(name: str, tmp_path: Path) -> None:
    tree, _ = TREES[name]
    result = run(
        sys.executable, "-m", "mypy", "--strict", "--cache-dir", tmp_path, "runcomfy_sdk", cwd=tree
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_trees_pass_ruff() -> None:
    trees = [str(tree) for tree, _ in TREES.values()]
    result = run(sys.executable, "-m", "ruff", "check", "--no-cache", *trees)
    assert result.returncode == 0, result.stdout + result.stderr


def test_trees_are_black_formatted() -> None:
    trees = [str(tree) for tree, _ in TREES.values()]
    result = run(sys.executable, "-m", "black", "--check", "--quiet", *trees)
    assert result.returncode == 0, result.stdout + result.stderr
