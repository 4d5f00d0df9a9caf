"""``generated/`` must be exactly what the generator makes from ``schemas/`` now."""

from __future__ import annotations

from generator.check import compare
from generator.config import read_file_config, resolve
from generator.diagnostics import format_diagnostic
from generator.lock import LOCK_FILE
from generator.pipeline import generate
from tests.helpers import REPO


def test_generated_tree_is_not_stale() -> None:
    config = resolve(read_file_config(REPO / "pyproject.toml"), root=REPO)
    result = generate(config)
    errors = [format_diagnostic(d) for d in result.diagnostics.errors()]
    assert result.files is not None, "\n".join(errors)
    stale = compare(result.files, config.package_dir)
    assert stale.is_clean, stale.report(update_hint="make generate")


def test_name_lock_is_not_stale() -> None:
    config = resolve(read_file_config(REPO / "pyproject.toml"), root=REPO)
    result = generate(config)
    assert result.lock_text is not None
    lock = config.schemas_dir / LOCK_FILE
    assert lock.is_file(), f"{LOCK_FILE} is missing; run make generate and commit it"
    assert lock.read_text(encoding="utf-8") == result.lock_text, "run make generate"
