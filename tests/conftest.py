"""Shared test setup: the ``--update-goldens`` flag and paths into the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parent.parent

# CI explores the same examples on every run, so a submission never fails on a new draw;
# local runs keep drawing fresh ones (and hypothesis keeps any failure it finds).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="rewrite tests/golden/**/expected from the current generator (review the git diff!)",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    wanted = bool(request.config.getoption("--update-goldens"))
    if wanted and os.environ.get("CI"):
        pytest.fail("refusing to update golden files in CI; run `make golden` locally and commit")
    return wanted
