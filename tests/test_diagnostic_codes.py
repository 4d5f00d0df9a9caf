"""Every diagnostic code is listed once, in ``diagnostics.CODES`` and in the README's table."""

from __future__ import annotations

import re

from generator.diagnostics import CODES
from tests.helpers import REPO

CODE = re.compile(r'"([ISGNL][0-9]{3})"')
ROW = re.compile(r"^\| `?([A-Z][0-9]{3})`? \| (error|warning) \| (.+?) \|$", re.MULTILINE)


def codes_in_source() -> set[str]:
    found: set[str] = set()
    for path in (REPO / "generator").rglob("*.py"):
        if path.name != "diagnostics.py":
            found |= set(CODE.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_code_the_generator_emits_is_registered_and_every_registered_code_is_used() -> None:
    used = codes_in_source()
    assert sorted(used - set(CODES)) == [], "emitted but not in diagnostics.CODES"
    assert sorted(set(CODES) - used) == [], "registered but never emitted"


def test_the_readme_table_lists_every_code_with_its_level_and_meaning() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = {code: (level, meaning) for code, level, meaning in ROW.findall(readme)}
    expected = {code: (level.value, meaning) for code, (level, meaning) in CODES.items()}
    assert rows == expected, "README's diagnostics table and diagnostics.CODES disagree"
