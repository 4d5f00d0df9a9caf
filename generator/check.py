"""Compare a rendered tree with a directory on disk: what is missing, extra or changed.

Used by ``runcomfy-codegen check`` / ``make check`` on ``generated/`` and by the golden
tests on their expected trees, so both report drift the same way. Never writes.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_DIFF_LINES = 200
_IGNORED_PARTS = frozenset({"__pycache__"})


@dataclass(frozen=True, slots=True)
class Stale:
    missing: tuple[PurePosixPath, ...] = ()
    extra: tuple[PurePosixPath, ...] = ()
    changed: Mapping[PurePosixPath, str] = field(default_factory=dict)

    @property
    def is_clean(self) -> bool:
        return not (self.missing or self.extra or self.changed)

    def report(self, *, update_hint: str) -> str:
        """Missing and extra files first, then a unified diff per changed file, then the fix."""
        lines = [f"missing file: {path}" for path in self.missing]
        lines += [f"unexpected file: {path}" for path in self.extra]
        for diff in self.changed.values():
            lines.append(diff)
        lines.append(f"To accept the new output, run: {update_hint}")
        return "\n".join(lines)


def files_on_disk(directory: Path) -> Iterator[PurePosixPath]:
    """Relative paths of the files below ``directory``, minus caches and hidden files."""
    if not directory.is_dir():
        return
    for path in sorted(directory.rglob("*")):
        relative = PurePosixPath(path.relative_to(directory).as_posix())
        hidden = any(part.startswith(".") or part in _IGNORED_PARTS for part in relative.parts)
        if path.is_file() and not hidden:
            yield relative


def compare(
    rendered: Mapping[PurePosixPath, str], directory: Path, *, partial: bool = False
) -> Stale:
    """``partial``: ``rendered`` is only part of the tree; other files are not extra."""
    on_disk = set(files_on_disk(directory))
    missing = tuple(sorted(set(rendered) - on_disk))
    extra = () if partial else tuple(sorted(on_disk - set(rendered)))
    changed = {}
    for path in sorted(set(rendered) & on_disk):
        actual = (
            (directory / path).read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n")
        )
        if actual != rendered[path]:
            changed[path] = unified_diff(actual, rendered[path], path)
    return Stale(missing=missing, extra=extra, changed=changed)


def unified_diff(on_disk: str, expected: str, path: PurePosixPath) -> str:
    """``on_disk`` → ``expected``, cut after ``MAX_DIFF_LINES`` lines with a count of the rest."""
    lines = list(
        difflib.unified_diff(
            on_disk.splitlines(keepends=True),
            expected.splitlines(keepends=True),
            fromfile=f"on disk/{path}",
            tofile=f"generator/{path}",
        )
    )
    shown = "".join(lines[:MAX_DIFF_LINES])
    if len(lines) > MAX_DIFF_LINES:
        shown += f"\n... {len(lines) - MAX_DIFF_LINES} more diff lines\n"
    return shown.rstrip("\n")
