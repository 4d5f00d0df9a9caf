"""Make ``runcomfy_sdk._runtime`` importable for the runtime tests, and give them fixtures.

Once the generator has copied the runtime into ``generated/runcomfy_sdk/_runtime`` the
tests use that copy (``generated/`` is on pytest's pythonpath). Until then they use a
scratch package: the generated package as it stands, with ``templates/runtime`` laid
over its ``_runtime``, so that tests elsewhere that import ``runcomfy_sdk.models`` still
find it. This runs at import, before the test modules that import the runtime at module
level are collected.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.runtime.fakes import FakeApi, FakeClock, Sdk

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates" / "runtime"
PACKAGE = "runcomfy_sdk"
GENERATED = REPO / "generated" / PACKAGE


def _generated_runtime_is_complete() -> bool:
    runtime = GENERATED / "_runtime"
    return all((runtime / source.name).is_file() for source in TEMPLATES.glob("*.py"))


def _build_scratch_package() -> Path:
    root = Path(tempfile.mkdtemp(prefix="runtime-tests-"))
    package = root / PACKAGE
    if GENERATED.is_dir():
        shutil.copytree(GENERATED, package, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        package.mkdir()
        (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "_runtime").mkdir(exist_ok=True)
    for source in TEMPLATES.glob("*.py"):
        shutil.copy(source, package / "_runtime" / source.name)
    # A stale generated package imported earlier in this session would shadow ours.
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    return root


_SCRATCH = None if _generated_runtime_is_complete() else _build_scratch_package()


@pytest.fixture(scope="session", autouse=True)
def _remove_scratch_package() -> Iterator[None]:
    yield
    if _SCRATCH is not None:
        shutil.rmtree(_SCRATCH, ignore_errors=True)


@pytest.fixture
def fake_api() -> FakeApi:
    from tests.runtime.fakes import FakeApi  # only once the runtime is importable

    return FakeApi()


@pytest.fixture
def clock() -> FakeClock:
    from tests.runtime.fakes import FakeClock

    return FakeClock()


@pytest.fixture(params=["sync", "async"])
def sdk(request: pytest.FixtureRequest, fake_api: FakeApi, clock: FakeClock) -> Iterator[Sdk]:
    """One behaviour, both clients: each test using this runs once sync and once async."""
    from tests.runtime.fakes import Sdk

    harness = Sdk(request.param, fake_api, clock)
    yield harness
    harness.close()
