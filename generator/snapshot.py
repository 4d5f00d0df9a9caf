"""Snapshots of a schemas directory: on disk or at a git revision, as the change report reads them.

A snapshot is the bytes of every file below the schemas directory (schema files, the
overrides and the name lock), keyed by relative path, and a label for diagnostics
(``schemas`` or ``HEAD:schemas``). ``package_of`` runs it through the same ingest and
normalize stages as ``generate``, so both sides of a comparison are named exactly as the
SDK generated from them. Reading git goes through the ``git`` command, bounded in time.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .config import OVERRIDES_FILE
from .diagnostics import Diagnostics
from .ingest import parse_overrides, parse_schemas
from .ir import Package
from .lock import LOCK_FILE, read_lock
from .normalize import build_package

GIT_TIMEOUT_SECONDS = 60


class SnapshotError(Exception):
    """A snapshot cannot be read (no such directory or revision, git missing); says why."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    label: str
    files: Mapping[PurePosixPath, bytes]
    overrides_label: str | None = None
    """Where the overrides came from, when not beside the schemas (for diagnostics)."""


def _with_overrides(
    files: dict[PurePosixPath, bytes], data: bytes | None
) -> dict[PurePosixPath, bytes]:
    """``files`` with the overrides read from elsewhere in place of any beside the schemas."""
    files.pop(PurePosixPath(OVERRIDES_FILE), None)
    if data is not None:
        files[PurePosixPath(OVERRIDES_FILE)] = data
    return files


def from_directory(
    directory: Path,
    *,
    label: str,
    overrides: Path | None = None,
    overrides_label: str | None = None,
) -> Snapshot:
    """The files below ``directory``; ``overrides``: the overrides file, kept elsewhere."""
    if not directory.is_dir():
        raise SnapshotError(f"{label}: no such directory")
    files = {
        PurePosixPath(path.relative_to(directory).as_posix()): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file() and not _hidden(path.relative_to(directory))
    }
    if overrides is not None:
        files = _with_overrides(files, overrides.read_bytes() if overrides.is_file() else None)
    return Snapshot(label=label, files=files, overrides_label=overrides_label)


def from_git(
    revision: str,
    directory: Path,
    *,
    label: str,
    cwd: Path = Path("."),
    overrides: Path | None = None,
    overrides_label: str | None = None,
) -> Snapshot:
    """The files of ``directory`` (relative to ``cwd``) at git ``revision``; ``overrides``:
    the overrides file, kept elsewhere."""
    commit = _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], cwd).strip()
    if not commit:
        raise SnapshotError(f"{revision!r} is neither a directory nor a git revision")
    listing = _git(["ls-tree", "-r", "-z", commit.decode(), "--", directory.as_posix()], cwd)
    blobs: list[tuple[PurePosixPath, str]] = []
    prefix = PurePosixPath(directory.as_posix())
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, _, path = entry.partition(b"\t")
        _mode, kind, sha = meta.decode().split()
        relative = PurePosixPath(path.decode("utf-8", "surrogateescape")).relative_to(prefix)
        if kind == "blob" and not _hidden(Path(relative)):
            blobs.append((relative, sha))
    contents = _cat_blobs([sha for _, sha in blobs], cwd)
    files = dict(zip((p for p, _ in blobs), contents, strict=True))
    if overrides is not None:
        files = _with_overrides(files, file_at(commit.decode(), overrides, cwd))
        overrides_label = f"{revision}:{overrides_label or overrides.as_posix()}"
    return Snapshot(label=f"{revision}:{label}", files=files, overrides_label=overrides_label)


def package_of(snapshot: Snapshot, *, package_name: str, diags: Diagnostics) -> Package | None:
    """The IR of a snapshot, named by its own overrides and lock; None on any error."""
    label = snapshot.label
    files = parse_schemas(snapshot.files, diags, shown_as=label)
    overrides = parse_overrides(
        snapshot.files.get(PurePosixPath(OVERRIDES_FILE)),
        diags,
        shown_as=snapshot.overrides_label or f"{label}/{OVERRIDES_FILE}",
    )
    lock = read_lock(
        snapshot.files.get(PurePosixPath(LOCK_FILE)), diags, shown_as=f"{label}/{LOCK_FILE}"
    )
    if diags.has_errors:
        return None
    package = build_package(
        files, overrides=overrides, lock=lock, package_name=package_name, diags=diags
    )
    return None if diags.has_errors else package


def empty(label: str) -> Snapshot:
    return Snapshot(label=label, files={})


def file_at(revision: str, path: Path, cwd: Path = Path(".")) -> bytes | None:
    """One file's bytes at ``revision`` (``path`` relative to ``cwd``); None if it has none."""
    listing = _git(["ls-tree", "-z", revision, "--", path.as_posix()], cwd)
    entries = [entry for entry in listing.split(b"\0") if entry]
    if len(entries) != 1:
        return None
    meta = entries[0].partition(b"\t")[0].decode().split()
    return _cat_blobs([meta[2]], cwd)[0] if meta[1] == "blob" else None


def in_git_work_tree(cwd: Path = Path(".")) -> bool:
    try:
        return _git(["rev-parse", "--is-inside-work-tree"], cwd).strip() == b"true"
    except SnapshotError:
        return False


def has_revision(revision: str, cwd: Path = Path(".")) -> bool:
    try:
        return bool(_git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], cwd))
    except SnapshotError:
        return False


def _hidden(relative: Path | PurePosixPath) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in relative.parts)


def _git(arguments: list[str], cwd: Path, stdin: bytes | None = None) -> bytes:
    try:
        completed = subprocess.run(
            ["git", *arguments],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError as error:
        raise SnapshotError("git is not installed; compare two directories instead") from error
    except subprocess.TimeoutExpired as error:
        raise SnapshotError(f"git {arguments[0]} took over {GIT_TIMEOUT_SECONDS} s") from error
    if completed.returncode != 0 and arguments[:1] != ["rev-parse"]:
        message = completed.stderr.decode("utf-8", "replace").strip()
        raise SnapshotError(f"git {arguments[0]} failed: {message}")
    return completed.stdout


def _cat_blobs(shas: list[str], cwd: Path) -> list[bytes]:
    """Every blob's bytes in one ``git cat-file --batch`` call (one process, not one per file)."""
    if not shas:
        return []
    output = _git(["cat-file", "--batch"], cwd, stdin="".join(f"{sha}\n" for sha in shas).encode())
    contents: list[bytes] = []
    position = 0
    for sha in shas:
        end = output.index(b"\n", position)
        header = output[position:end].split()
        if len(header) != 3 or header[0].decode() != sha:
            raise SnapshotError(f"git cat-file gave no content for {sha}")
        size = int(header[2])
        contents.append(output[end + 1 : end + 1 + size])
        position = end + 1 + size + 1
    return contents
