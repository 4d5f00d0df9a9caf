"""Golden cases of the name lock: a schema change between two generations, and its outcome.

Each case in ``tests/golden/locks/<case>/`` has the schemas (and overrides) of a first
generation in ``before/`` and of the next one in ``after/``. The test generates ``before``,
carries its lock over to ``after`` (as a user's commit would), generates again, and
compares the new lock, every diagnostic and the change report with ``expected.lock``,
``expected.txt`` and ``expected-diff.txt``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.pipeline import Result
from generator.changes import compare_packages, format_text
from generator.diagnostics import format_diagnostic
from generator.lock import LOCK_FILE
from generator.manifest import MANIFEST
from tests.helpers import generate_from

CASES_DIR = Path(__file__).resolve().parent / "locks"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "before").is_dir())
UPDATE_HINT = "make golden   (or: pytest tests/golden --update-goldens)"


def generated(schemas: Path) -> Result:
    result = generate_from(schemas, schemas.parent / "out")
    errors = [format_diagnostic(d) for d in result.diagnostics.errors()]
    assert result.lock_text is not None, "generation failed:\n" + "\n".join(errors)
    return result


def second_generation(case: str, tmp_path: Path) -> tuple[Result, Result, Path]:
    before, after = tmp_path / "before", tmp_path / "after"
    shutil.copytree(CASES_DIR / case / "before", before)
    shutil.copytree(CASES_DIR / case / "after", after)
    first = generated(before)
    assert first.lock_text is not None
    (after / LOCK_FILE).write_text(first.lock_text, encoding="utf-8")
    return first, generated(after), after


def check_golden(path: Path, actual: str, update: bool) -> None:
    if update:
        path.write_text(actual, encoding="utf-8")
        return
    assert path.is_file(), f"{path.name} is missing; run {UPDATE_HINT}"
    assert actual == path.read_text(encoding="utf-8"), (
        f"{path.parent.name}/{path.name} changed:\n{actual}\nTo accept it, run: {UPDATE_HINT}"
    )


@pytest.mark.parametrize("case", CASES, ids=CASES)
def test_lock_after_a_schema_change(case: str, update_goldens: bool, tmp_path: Path) -> None:
    first, second, _ = second_generation(case, tmp_path)
    assert second.lock_text is not None
    assert first.package is not None and second.package is not None
    diagnostics = "".join(format_diagnostic(d) + "\n" for d in second.diagnostics)
    report = format_text(compare_packages(first.package, second.package))
    check_golden(CASES_DIR / case / "expected.lock", second.lock_text, update_goldens)
    check_golden(CASES_DIR / case / "expected.txt", diagnostics, update_goldens)
    check_golden(CASES_DIR / case / "expected-diff.txt", report, update_goldens)


@pytest.mark.parametrize("case", CASES, ids=CASES)
def test_a_third_generation_changes_nothing(case: str, tmp_path: Path) -> None:
    _, second, after = second_generation(case, tmp_path)
    assert second.lock_text is not None and second.files is not None
    (after / LOCK_FILE).write_text(second.lock_text, encoding="utf-8")
    third = generated(after)
    assert third.lock_text == second.lock_text
    # The manifest records each run's warnings; every other file stays byte for byte.
    assert {p: t for p, t in third.files.items() if p != MANIFEST} == {
        p: t for p, t in second.files.items() if p != MANIFEST
    }
    # Once a name is locked, the collision that gave it is settled: no warning repeats.
    renames = {"N004", "N008", "N009", "N010", "N011"}
    assert [format_diagnostic(d) for d in third.diagnostics if d.code in renames] == []
