"""Golden tests: each case's schemas regenerate, byte for byte, into its expected tree.

Cases live in ``tests/golden/<case>/{schemas,expected}``; error cases in
``tests/golden/errors/<case>/{schemas,expected.txt}``. ``make golden`` rewrites them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.check import compare
from generator.diagnostics import format_diagnostic
from generator.emit import write_tree
from tests.helpers import generate_from

GOLDEN = Path(__file__).resolve().parent
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "schemas").is_dir())
ERROR_CASES = sorted(p.name for p in (GOLDEN / "errors").iterdir() if (p / "schemas").is_dir())
UPDATE_HINT = "make golden   (or: pytest tests/golden --update-goldens)"


@pytest.mark.parametrize("case", CASES, ids=CASES)
def test_case_regenerates_exactly(case: str, update_goldens: bool) -> None:
    result = generate_from(GOLDEN / case / "schemas")
    errors = [format_diagnostic(d) for d in result.diagnostics.errors()]
    assert result.files is not None, "generation failed:\n" + "\n".join(errors)
    expected_dir = GOLDEN / case / "expected"
    if update_goldens:
        write_tree(result.files, expected_dir)
        return
    stale = compare(result.files, expected_dir)
    assert stale.is_clean, stale.report(update_hint=UPDATE_HINT)


@pytest.mark.parametrize("case", ERROR_CASES, ids=ERROR_CASES)
def test_bad_schema_is_diagnosed(case: str, update_goldens: bool, tmp_path: Path) -> None:
    result = generate_from(GOLDEN / "errors" / case / "schemas", tmp_path / "out")
    assert result.files is None, "a bad schema must stop generation"
    assert not (tmp_path / "out").exists(), "nothing may be written for a bad schema"
    text = "\n".join(format_diagnostic(d) for d in result.diagnostics) + "\n"
    expected = GOLDEN / "errors" / case / "expected.txt"
    if update_goldens:
        expected.write_text(text, encoding="utf-8")
        return
    assert text == expected.read_text(encoding="utf-8"), (
        f"diagnostics changed:\n{text}\nTo accept them, run: {UPDATE_HINT}"
    )


def test_every_case_has_expected_output() -> None:
    missing = [case for case in CASES if not (GOLDEN / case / "expected").is_dir()]
    missing += [c for c in ERROR_CASES if not (GOLDEN / "errors" / c / "expected.txt").is_file()]
    assert not missing, f"cases without expected output: {missing}; run {UPDATE_HINT}"
