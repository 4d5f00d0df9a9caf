"""Provenance of a generated tree, and the fast path that trusts it.

``MANIFEST.json`` in the generated package's directory records what the tree was made from
(the hash of every schema file, the overrides, the name lock, the templates and the
generator's own code; the package name, the SDK version and the tool versions), the hash of
every file it holds, and the diagnostics
of the run that wrote it. When the inputs hash the same and every file on disk still
matches, ``generate`` and ``check`` have nothing to do: ``fast_state`` tells that from the
files alone, without importing the pipeline (black, datamodel-code-generator, jsonschema),
so a no-op run costs a few hashes. Anything else goes down the full pipeline.

This module is also the one place for the generator's own name.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from .check import MANIFEST, is_ours, names_on_disk
from .config import LOCK_FILE, Config
from .diagnostics import Diagnostic, from_record, to_record

GENERATOR_NAME = "runcomfy-codegen"
MANIFEST_FORMAT = 3
TOOLS = (GENERATOR_NAME, "black", "datamodel-code-generator")


def tool_versions() -> dict[str, str]:
    return {name: package_version(name) for name in TOOLS}


@functools.cache  # reading package metadata costs milliseconds; versions do not change in a run
def package_version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tree_hash(directory: Path, *, skip: frozenset[str] = frozenset()) -> str:
    """One hash of every file below ``directory`` (names and contents), but ``skip``'s."""
    digest = hashlib.sha256()
    for path in sorted(
        p
        for p in directory.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and p.relative_to(directory).parts[0] not in skip
    ):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


# Parts of the package that never shape a generated tree: the local test server, the
# benchmark and its synthetic catalog, the demo.
_NOT_GENERATING = frozenset(
    {"server", "cli", "bench.py", "catalog.py", "demo.py", "pull.py", "__main__.py"}
)


def generator_hash() -> str:
    """The generator's own code: a changed generator must not trust an old manifest or cache.

    Within one released version this is the version; in a development checkout, a code
    change that leaves the version alone still shows here.
    """
    root = Path(__file__).resolve().parent
    return tree_hash(root, skip=_NOT_GENERATING)


def with_lock(inputs: Mapping[str, Any], lock_text: str) -> dict[str, Any]:
    """``inputs`` as they will be once ``lock_text`` is written.

    ``generate`` records the lock it writes (not the one it read), so that the next run,
    which reads that lock, finds the same inputs.
    """
    return {**inputs, "lock": sha256(lock_text.encode())}


def inputs_of(config: Config, *, schemas: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Everything a generation reads, hashed; ``schemas`` are hashes a caller already has."""
    if schemas is None:
        schemas = {
            f"{config.schemas_label}/{path.relative_to(config.schemas_dir).as_posix()}": sha256(
                path.read_bytes()
            )
            for path in sorted(config.schemas_dir.rglob("*.json"))
            if path.is_file()
        }
    lock = config.schemas_dir / LOCK_FILE
    overrides = config.overrides_path
    return {
        "lock": sha256(lock.read_bytes()) if lock.is_file() else None,
        "overrides": sha256(overrides.read_bytes()) if overrides.is_file() else None,
        "package": config.package,
        "regenerate": config.regenerate,
        "schemas": dict(sorted(schemas.items())),
        "schemas_label": config.schemas_label,
        "templates": tree_hash(config.templates_dir),
        "tools": tool_versions(),
        "generator": generator_hash(),
        "version": config.version,
    }


def manifest_text(
    inputs: Mapping[str, Any],
    files: Mapping[PurePosixPath, str],
    diagnostics: Iterable[Diagnostic],
    *,
    hashes: Mapping[str, str] | None = None,
) -> str:
    """The manifest of a rendered tree: inputs, the hash of every other file, diagnostics.

    ``hashes`` are file hashes already known (from the previous manifest) for files that
    ``files`` does not hold.
    """
    file_hashes = dict(hashes or {})
    file_hashes.update(
        (path.as_posix(), sha256(text.encode("utf-8")))
        for path, text in files.items()
        if path != MANIFEST
    )
    document = {
        "diagnostics": [to_record(diagnostic) for diagnostic in diagnostics],
        "files": dict(sorted(file_hashes.items())),
        "format": MANIFEST_FORMAT,
        "inputs": dict(inputs),
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@dataclass(frozen=True, slots=True)
class FastState:
    """What the manifest alone says about the output directory.

    ``inputs_match``: nothing the tree was made from has changed. ``differing``: files on
    disk that are missing, extra or not what the manifest recorded (hand edits, leftovers).
    """

    inputs_match: bool
    differing: tuple[PurePosixPath, ...]
    diagnostics: tuple[Diagnostic, ...]
    file_count: int = 0
    """How many files (besides itself) the manifest lists."""
    recorded: Mapping[str, Any] | None = None
    """The manifest itself, for a run that updates only part of the tree."""
    current: Mapping[str, Any] | None = None
    """The inputs as they are now (``inputs_of``), so that one run hashes them once."""

    @property
    def up_to_date(self) -> bool:
        return self.inputs_match and not self.differing


def fast_state(config: Config) -> FastState:
    """Compare the inputs and the output directory with the manifest; never renders."""
    directory = config.package_dir
    recorded = read_manifest(directory)
    current = inputs_of(config)
    if recorded is None:
        return FastState(inputs_match=False, differing=(), diagnostics=(), current=current)
    inputs_match = recorded.get("inputs") == current
    # POSIX strings, not paths: a thousand-model tree has thousands of files.
    files: dict[str, str] = recorded.get("files", {})
    manifest = MANIFEST.as_posix()
    on_disk = {
        name
        for name in names_on_disk(directory)
        if name != manifest and (name in files or is_ours(directory, PurePosixPath(name)))
    }
    differing = list(on_disk ^ files.keys())
    root = str(directory)
    for name in on_disk & files.keys():
        with open(os.path.join(root, name), "rb") as stream:
            if sha256(stream.read()) != files[name]:
                differing.append(name)
    diagnostics = tuple(
        diagnostic
        for diagnostic in (from_record(record) for record in recorded.get("diagnostics", []))
        if diagnostic is not None
    )
    return FastState(
        inputs_match,
        _sorted_paths(differing),
        diagnostics,
        len(files),
        recorded,
        current,
    )


def _sorted_paths(names: Iterable[str]) -> tuple[PurePosixPath, ...]:
    # The order of PurePosixPath, without its slow comparison (thousands of files).
    return tuple(PurePosixPath(name) for name in sorted(names, key=lambda name: name.split("/")))


def read_manifest(output_dir: Path) -> dict[str, Any] | None:
    """The manifest on disk, or None when it is missing, unreadable or of another format."""
    path = output_dir / MANIFEST
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(document, dict) or document.get("format") != MANIFEST_FORMAT:
        return None
    if not isinstance(document.get("files"), dict):
        return None
    return document
