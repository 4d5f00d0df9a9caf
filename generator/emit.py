"""Stage 4, write: apply a rendered tree to the output directory.

Only changed files are written. Files the generator no longer produces are removed only
when they carry our header (or are our MANIFEST), so a hand-written file in the output
directory is never touched.

``write_tree(..., atomic=True)`` (the generated SDK) never leaves a mixed tree: the new
tree is built beside the old one (unchanged files hard-linked, changed ones written),
then the two directories are exchanged in one ``renameat2(RENAME_EXCHANGE)`` call, so a
reader or a kill at any moment sees the old tree or the new one. Where the system has no
such call, two renames stand in, and a kill between them is repaired by the next run.
Leftovers of an interrupted run (``.<name>.new-*``/``.<name>.old-*`` beside the output
directory) are removed by the next write and reported by ``leftovers``. Writes into the
schemas directory (``atomic=False``) replace each file atomically on its own.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .check import files_on_disk, is_ours
from .manifest import GENERATOR_NAME, read_manifest

# Fault injection for the kill tests: seconds to pause after each file of the write phase,
# so that a kill lands inside it. Unset (the default) pauses nowhere.
WRITE_PAUSE_ENV = "RUNCOMFY_CODEGEN_WRITE_PAUSE"


def _pause() -> None:
    seconds = os.environ.get(WRITE_PAUSE_ENV)
    if seconds:
        time.sleep(float(seconds))


@dataclass(frozen=True, slots=True)
class WriteReport:
    written: tuple[PurePosixPath, ...]
    removed: tuple[PurePosixPath, ...]
    unchanged: int


def write_tree(
    rendered: Mapping[PurePosixPath, str],
    directory: Path,
    *,
    prune: bool = True,
    atomic: bool = False,
    guard: bool = False,
) -> WriteReport:
    """Make ``directory`` hold ``rendered``; with ``prune``, drop our files it no longer has.

    ``atomic`` (the generated package) or ``guard`` (a generated file beside it): refuse to
    replace a file the generator did not write.
    """
    # The package directory or a folder above it (the output directory, a host package).
    blocker = next(
        (p for p in (directory, *directory.parents) if p.exists() and not p.is_dir()), None
    )
    if blocker is not None:
        raise NotADirectoryError(errno.ENOTDIR, "the output must be a directory", str(blocker))
    if atomic and directory.is_symlink():
        directory = directory.resolve()  # swap the tree where it lives, keep the user's link
    if atomic:
        recover(directory)
    changed = [path for path in sorted(rendered) if _differs(directory / path, rendered[path])]
    if atomic or guard:
        _refuse_foreign(directory, changed)
    orphans = [
        path
        for path in (files_on_disk(directory) if prune else ())
        if path not in rendered and is_ours(directory, path)
    ]
    report = WriteReport(tuple(changed), tuple(orphans), len(rendered) - len(changed))
    if atomic and (changed or orphans):
        _swap_in(directory, {path: rendered[path] for path in changed}, orphans)
        return report
    staged = _stage(directory, {path: rendered[path] for path in changed})
    for temporary, target in staged:
        os.replace(temporary, target)
        _pause()
    for path in orphans:
        (directory / path).unlink()
        _remove_empty_parents(directory / path, stop=directory)
    return report


def _refuse_foreign(directory: Path, changed: list[PurePosixPath]) -> None:
    """Never write over a file of the package directory that the generator did not write
    (a host's README where the docs index would go, a hand-written module)."""
    recorded = read_manifest(directory) or {}
    listed = set(recorded.get("files", {}))
    for path in changed:
        target = directory / path
        if target.is_file() and path.as_posix() not in listed and not is_ours(directory, path):
            raise FileExistsError(
                errno.EEXIST,
                f"not written by {GENERATOR_NAME}, and generate would replace it; "
                "move it out of the package or delete it",
                str(target),
            )


def leftovers(directory: Path) -> list[Path]:
    """Trees an interrupted run left beside ``directory`` (the next write removes them)."""
    parent = directory.parent
    if not parent.is_dir():
        return []
    prefixes = (f".{directory.name}.new-", f".{directory.name}.old-")
    return sorted(path for path in parent.iterdir() if path.name.startswith(prefixes))


def recover(directory: Path) -> None:
    """Undo what an interrupted atomic write left: bring back a tree lost between two
    renames, then remove every staging or retired tree."""
    found = leftovers(directory)
    retired = [path for path in found if ".old-" in path.name]
    if not directory.exists() and retired:
        os.replace(retired[0], directory)
        found = leftovers(directory)
    for path in found:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _swap_in(
    directory: Path, contents: Mapping[PurePosixPath, str], removed: list[PurePosixPath]
) -> None:
    staging = directory.with_name(f".{directory.name}.new-{os.getpid()}")
    try:
        if directory.is_dir():
            _link_copy(directory, staging)
        else:
            staging.mkdir(parents=True)
        for path, text in contents.items():
            target = staging / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)  # a hard link: never write through it
            target.write_bytes(text.encode("utf-8"))
            _pause()
        for path in removed:
            (staging / path).unlink(missing_ok=True)
            _remove_empty_parents(staging / path, stop=staging)
        if not directory.exists():
            os.replace(staging, directory)
            return
        if _exchange(staging, directory):
            shutil.rmtree(staging, ignore_errors=True)
            return
        retired = directory.with_name(f".{directory.name}.old-{os.getpid()}")
        os.replace(directory, retired)
        os.replace(staging, directory)
        shutil.rmtree(retired, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _link_copy(source: Path, target: Path) -> None:
    """``target`` as a copy of ``source`` whose files are hard links (copies where links fail)."""

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst, follow_symlinks=False)
        except OSError:
            shutil.copy2(src, dst, follow_symlinks=False)

    shutil.copytree(source, target, symlinks=True, copy_function=link)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two directories in one step (Linux ``renameat2``); False where unsupported."""
    libc = _libc()
    function = getattr(libc, "renameat2", None) if libc is not None else None
    if function is None:
        return False
    result = function(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    return bool(result == 0)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _stage(directory: Path, contents: Mapping[PurePosixPath, str]) -> list[tuple[Path, Path]]:
    """Write every file to a temporary sibling; on any failure remove them all and re-raise."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in contents.items():
            target = directory / path
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            temporary.write_bytes(text.encode("utf-8"))
            staged.append((temporary, target))
            _pause()
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    return staged


def _differs(path: Path, text: str) -> bool:
    return not path.is_file() or path.read_bytes() != text.encode("utf-8")


def _remove_empty_parents(path: Path, *, stop: Path) -> None:
    parent = path.parent
    while parent != stop and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent
