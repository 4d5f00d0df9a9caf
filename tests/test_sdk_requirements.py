"""The generated SDK states what it needs and, on import, says in one sentence what is missing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from generator.requirements import sdk_requirements
from tests.helpers import REPO, TEMPLATES

INSTALL = "install or upgrade them, e.g. pip install 'pydantic>=2.11' 'httpx>=0.27'"


def import_sdk(prelude: str) -> subprocess.CompletedProcess[str]:
    """Import the generated SDK in a fresh interpreter after ``prelude`` fakes its world."""
    return subprocess.run(
        [sys.executable, "-c", f"{prelude}\nimport runcomfy_sdk"],
        cwd=REPO / "generated",
        env={key: value for key, value in os.environ.items() if key != "PYTHONPATH"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("prelude", "sentence"),
    [
        (
            "import pydantic; pydantic.VERSION = '2.10.6'",
            "runcomfy_sdk needs pydantic 2.11 or newer (found: 2.10.6); " + INSTALL,
        ),
        (
            "import sys; sys.version_info = (3, 10, 12, 'final', 0)",
            "runcomfy_sdk needs Python 3.11 or newer (found: 3.10.12); " + INSTALL,
        ),
        (
            "import sys; sys.modules['httpx'] = None; import pydantic; pydantic.VERSION = '1.10.2'",
            "runcomfy_sdk needs pydantic 2.11 or newer (found: 1.10.2), "
            "httpx 0.27 or newer (found: none); " + INSTALL,
        ),
    ],
    ids=["old-pydantic", "old-python", "pydantic-1-and-no-httpx"],
)
def test_an_unmet_requirement_fails_the_import_with_one_sentence(
    prelude: str, sentence: str
) -> None:
    imported = import_sdk(prelude)
    assert imported.returncode == 1
    assert imported.stderr.splitlines()[-1] == f"ImportError: {sentence}"


def test_met_requirements_import_quietly() -> None:
    imported = import_sdk("")
    assert (imported.returncode, imported.stderr) == (0, "")


def test_the_package_states_its_requirements() -> None:
    requirements = sdk_requirements(TEMPLATES)
    assert requirements.specifiers() == ("pydantic>=2.11", "httpx>=0.27")
    docstring = (REPO / "generated" / "runcomfy_sdk" / "__init__.py").read_text(encoding="utf-8")
    assert "Needs Python 3.11+, pydantic 2.11+ and httpx 0.27+ (checked on import)." in docstring
