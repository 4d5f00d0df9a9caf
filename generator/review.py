"""Change reports between snapshots, for ``diff``, ``generate`` and ``check --require-version-bump``.

``changes.compare_packages`` classifies the differences of two IR packages; this module
gets those packages from schema snapshots (a directory, a git revision), narrows a report
to what one generation wrote, and checks that a breaking change moved the major version.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path, PurePosixPath

from . import snapshot
from .canonical import canonical_path, model_id_problem
from .changes import ChangeReport, compare_packages
from .config import DEFAULT_VERSION, OVERRIDES_FILE, Config
from .diagnostics import Diagnostics
from .ir import Package
from .lock import LOCK_FILE, NameLock

_MAJOR = re.compile(r"[0-9]+")


def resolve_side(argument: str, config: Config) -> snapshot.Snapshot:
    """A directory if ``argument`` names one (with its own overrides), else the schemas
    directory (and overrides) of ``config`` at git revision ``argument``."""
    if Path(argument).is_dir():
        return snapshot.from_directory(Path(argument), label=argument.rstrip("/") or argument)
    return at_revision(argument, config)


def at_revision(revision: str, config: Config) -> snapshot.Snapshot:
    """The schemas directory (and overrides) of ``config`` at git ``revision``."""
    return snapshot.from_git(
        revision,
        config.schemas_dir,
        label=config.schemas_label,
        overrides=config.overrides_file,
        overrides_label=config.overrides_name,
    )


def working_tree(config: Config) -> snapshot.Snapshot:
    """The schemas directory (and overrides) of ``config`` as they are on disk."""
    return snapshot.from_directory(
        config.schemas_dir,
        label=config.schemas_label,
        overrides=config.overrides_file,
        overrides_label=config.overrides_name,
    )


def compare_snapshots(
    old: snapshot.Snapshot, new: snapshot.Snapshot, *, package_name: str, diags: Diagnostics
) -> ChangeReport | None:
    """The change report from ``old`` to ``new``; None when either side has schema errors."""
    old_package = snapshot.package_of(old, package_name=package_name, diags=diags)
    new_package = snapshot.package_of(new, package_name=package_name, diags=diags)
    if old_package is None or new_package is None:
        return None
    return compare_packages(old_package, new_package)


def generation_report(
    new_package: Package, touched: Iterable[str], config: Config, *, base: str = "HEAD"
) -> ChangeReport | None:
    """What one ``generate`` changed for the models it ``touched``, against git ``base``.

    Only those models are compared (and loaded from ``base``), so running ``generate``
    twice reports nothing the second time and a one-model edit costs one model. None when
    there is no git history to compare with (or it holds schemas that do not generate).
    """
    ids = set(touched)
    if not ids or not snapshot.has_revision(base):
        return None
    try:
        old_side = at_revision(base, config)
    except snapshot.SnapshotError:
        return None
    keep = {canonical_path(model_id) for model_id in ids if not model_id_problem(model_id)}
    keep |= {PurePosixPath(OVERRIDES_FILE), PurePosixPath(LOCK_FILE)}
    old_subset = snapshot.Snapshot(
        label=old_side.label,
        files={path: data for path, data in old_side.files.items() if path in keep},
        overrides_label=old_side.overrides_label,
    )
    old_package = snapshot.package_of(
        old_subset, package_name=new_package.name, diags=Diagnostics()
    )
    if old_package is None:
        return None
    new_subset = replace(
        new_package, models=tuple(m for m in new_package.models if m.model_id in ids)
    )
    return compare_packages(old_package, new_subset)


def touched_models(
    schemas_before: Mapping[str, str],
    schemas_after: Mapping[str, str],
    lock_before: NameLock,
    lock_after: NameLock,
    *,
    schemas_label: str,
) -> set[str]:
    """Model ids whose schema file changed (or came or went) or whose locked names moved."""
    prefix = f"{schemas_label}/"
    moved = {
        label
        for label in schemas_before.keys() | schemas_after.keys()
        if schemas_before.get(label) != schemas_after.get(label)
    }
    touched = {label.removeprefix(prefix).removesuffix(".json") for label in moved}
    old, new = lock_before.models, lock_after.models
    touched |= {
        model_id for model_id in old.keys() | new.keys() if old.get(model_id) != new.get(model_id)
    }
    return touched


def version_at(revision: str, pyproject: Path) -> str:
    """The SDK version ``[tool.runcomfy-codegen] version`` said at ``revision``."""
    data = snapshot.file_at(revision, pyproject)
    if data is None:
        return DEFAULT_VERSION
    try:
        table = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return DEFAULT_VERSION
    value = table.get("tool", {}).get("runcomfy-codegen", {}).get("version", DEFAULT_VERSION)
    return value if isinstance(value, str) else DEFAULT_VERSION


def version_bump_problem(report: ChangeReport, old_version: str, new_version: str) -> str | None:
    """Why the version must move (a breaking change and the same major); None if it is fine."""
    if not report.has_breaking or _major(new_version) > _major(old_version):
        return None
    breaking = report.counts()["breaking"]
    return (
        f"{breaking} breaking change(s), but the major version did not move "
        f"({old_version} → {new_version}): set [tool.runcomfy-codegen] version to "
        f"{_major(old_version) + 1}.0.0 or later in pyproject.toml"
    )


def _major(version: str) -> int:
    match = _MAJOR.match(version)
    return int(match.group()) if match else 0
