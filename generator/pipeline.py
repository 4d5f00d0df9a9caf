"""The pipeline in one call: ingest → normalize → render, in memory; ``emit`` writes.

``generate`` is what the ``generate`` and ``check`` commands run when the manifest's fast
path cannot tell that nothing changed; it never writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from .cache import Cache
from .check import MANIFEST
from .config import Config
from .diagnostics import Diagnostic, Diagnostics, SourceRef
from .ingest import Overrides, SchemaFile, load_overrides, load_schemas, parse_schemas
from .ir import Package
from .lock import LOCK_FILE, ModelLock, NameLock, dumps, lock_of, read_lock
from .manifest import FastState, inputs_of, manifest_text, with_lock
from .modeldocs import docs_files
from .normalize import build_package
from .render import render, render_models


@dataclass(frozen=True, slots=True)
class Result:
    """The rendered tree and the name lock to keep (None when any diagnostic is an error),
    the package they came from, and every diagnostic.

    ``files`` are keyed by their path in the generated package's own directory
    (``Config.package_dir``), which holds the manifest too.
    """

    files: Mapping[PurePosixPath, str] | None
    diagnostics: Diagnostics
    lock_text: str | None = None
    package: Package | None = None
    partial: bool = False
    """``files`` holds only what changed (and the manifest); the rest of the tree stands."""
    names_before: NameLock | None = None
    """The lock this run read (parsed once, so the change report need not read it again)."""
    names_after: NameLock | None = None
    """The lock ``lock_text`` spells."""


def load_inputs(config: Config, diags: Diagnostics) -> tuple[list[SchemaFile], Overrides, NameLock]:
    """The schema files, the overrides and the lock of ``config``'s schemas directory."""
    files = load_schemas(
        config.schemas_dir, diags, shown_as=config.schemas_label, cache=Cache(config.cache_dir)
    )
    overrides, lock, _ = _names_inputs(config, diags)
    return files, overrides, lock


def _names_inputs(config: Config, diags: Diagnostics) -> tuple[Overrides, NameLock, bytes | None]:
    """The overrides and the lock: what names a package besides its schemas; and the lock
    file's bytes (None: no lock yet)."""
    overrides = load_overrides(config.overrides_path, diags, shown_as=config.overrides_label)
    path = config.schemas_dir / LOCK_FILE
    data = path.read_bytes() if path.is_file() else None
    lock = read_lock(data, diags, shown_as=f"{config.schemas_label}/{LOCK_FILE}")
    return overrides, lock, data


def generate(config: Config, *, progress: Progress | None = None) -> Result:
    """Run ingest → normalize → render for ``config``; never writes.

    ``progress`` hears of each stage as it starts (the command line shows it on a terminal).
    """
    report = progress or _silent
    diags = Diagnostics()
    report("reading the schemas")
    files, overrides, lock = load_inputs(config, diags)
    if not files and not diags.has_errors:
        diags.error("S006", "no model schemas (*.json) found", SourceRef(config.schemas_label))
    if diags.has_errors:
        return Result(None, diags)
    report(f"naming {len(files)} models")
    package = build_package(
        files, overrides=overrides, lock=lock, package_name=config.package, diags=diags
    )
    if diags.has_errors:
        return Result(None, diags)
    report(f"rendering {len(package.models)} models")
    tree = _in_package(render(package, config, cache=Cache(config.cache_dir)), config)
    tree.update(docs_files(package, config, with_index=True))
    new_lock = lock_of(package)
    lock_text = dumps(new_lock)
    # The schema files were just read and hashed: the manifest takes their hashes.
    inputs = inputs_of(config, schemas={file.ref.file: file.sha256 for file in files})
    tree[MANIFEST] = manifest_text(with_lock(inputs, lock_text), tree, diags)
    return Result(tree, diags, lock_text, package, names_before=lock, names_after=new_lock)


Progress = Callable[[str], None]


def _silent(_: str) -> None:
    pass


def check_ingested(files: Sequence[SchemaFile], config: Config, diags: Diagnostics) -> None:
    """Normalize freshly ingested documents (with the existing overrides and lock) to report
    problems before anything is written; overrides of other models are not this run's concern."""
    overrides, lock, _ = _names_inputs(config, Diagnostics())
    ids = {file.document["model_id"] for file in files}
    build_package(
        files,
        overrides=_overrides_of(overrides, ids),
        lock=lock,
        package_name=config.package,
        diags=diags,
    )


# An edit of more models than this share of the catalog takes the full path anyway.
_INCREMENTAL_SHARE = 0.25


def generate_changed(config: Config, state: FastState) -> Result | None:
    """The run for an edit of existing schema files only; None when it does not apply.

    When the manifest shows that nothing but the contents of some schema files changed (the
    same files, overrides, lock, templates, tools and settings) and the tree on disk is
    what the manifest says, every other model keeps its files, its names (all locked) and
    its diagnostics; only the edited models are loaded, named with the lock, and rendered.
    ``files`` then holds the re-rendered files and the manifest only (``partial``). Any
    error or doubt falls back to the full pipeline (None), which reports it in full.
    """
    recorded = state.recorded
    if recorded is None or state.differing:
        return None
    before, now = recorded.get("inputs", {}), state.current or inputs_of(config)
    if {k: v for k, v in before.items() if k != "schemas"} != {
        k: v for k, v in now.items() if k != "schemas"
    } or set(before.get("schemas", {})) != set(now["schemas"]):
        return None
    changed = sorted(
        label for label, digest in now["schemas"].items() if before["schemas"][label] != digest
    )
    if not changed or len(changed) > max(1, int(len(now["schemas"]) * _INCREMENTAL_SHARE)):
        return None
    diags = Diagnostics()
    prefix = f"{config.schemas_label}/"
    texts = {
        PurePosixPath(label.removeprefix(prefix)): (
            config.schemas_dir / label.removeprefix(prefix)
        ).read_bytes()
        for label in changed
    }
    files = parse_schemas(
        texts, diags, shown_as=config.schemas_label, cache=Cache(config.cache_dir)
    )
    overrides, lock, lock_data = _names_inputs(config, diags)
    ids = {file.document["model_id"] for file in files}
    if diags.has_errors or len(files) != len(changed) or not ids <= set(lock.models):
        return None
    subset = build_package(
        files,
        overrides=_overrides_of(overrides, ids),
        lock=lock,
        package_name=config.package,
        diags=diags,
    )
    fresh = lock_of(subset).models
    if diags.has_errors or _names_moved(fresh, lock):
        return None
    merged = Diagnostics()
    merged.extend(d for d in state.diagnostics if not _concerns(d, changed, ids, overrides))
    merged.extend(diags)
    new_lock = NameLock(models={**lock.models, **fresh}, namespaces=lock.namespaces)
    lock_text = _lock_text(new_lock, lock, lock_data, edited=fresh)
    tree = _in_package(
        render_models(
            subset.models, config, package_name=config.package, cache=Cache(config.cache_dir)
        ),
        config,
    )
    # The index lists model ids only, which an edit of existing models cannot change.
    tree.update(docs_files(subset, config, with_index=False))
    tree[MANIFEST] = manifest_text(
        with_lock(now, lock_text), tree, merged, hashes=recorded["files"]
    )
    return Result(
        tree, merged, lock_text, subset, partial=True, names_before=lock, names_after=new_lock
    )


def _in_package(rendered: Mapping[PurePosixPath, str], config: Config) -> dict[PurePosixPath, str]:
    """The rendered files (below a folder named as the package) keyed within the package."""
    root = PurePosixPath(config.package)
    return {path.relative_to(root): text for path, text in rendered.items()}


def _overrides_of(overrides: Overrides, ids: set[str]) -> Overrides:
    return Overrides(
        names={key: value for key, value in overrides.names.items() if key in ids},
        models={key: value for key, value in overrides.models.items() if key in ids},
        ref=overrides.ref,
    )


def _lock_text(
    new_lock: NameLock, lock: NameLock, lock_data: bytes | None, *, edited: Mapping[str, ModelLock]
) -> str:
    """The text of ``new_lock``: the file as it is when no edited model's names moved.

    The manifest vouches for the lock file (its hash is the one this generator wrote), so
    the file spells ``lock`` exactly; spelling a thousand models again costs a tenth of
    a second.
    """
    if lock_data is not None and all(lock.models[key] == entry for key, entry in edited.items()):
        return lock_data.decode("utf-8")
    return dumps(new_lock)


def _names_moved(fresh: Mapping[str, ModelLock], lock: NameLock) -> bool:
    """Whether an edited model's module, classes or accessor differ from the lock's."""
    for model_id, entry in fresh.items():
        old = lock.models[model_id]
        if (entry.module, entry.class_base, entry.accessor) != (
            old.module,
            old.class_base,
            old.accessor,
        ):
            return True
    return False


def _concerns(
    diagnostic: Diagnostic, changed: Sequence[str], ids: set[str], overrides: Overrides
) -> bool:
    """Whether a recorded diagnostic is about an edited model (so it is reported afresh)."""
    if diagnostic.source.file in changed:
        return True
    if diagnostic.source.file != overrides.ref.file:
        return False
    escaped = {model_id.replace("~", "~0").replace("/", "~1") for model_id in ids}
    top = diagnostic.source.pointer.split("/")[1] if diagnostic.source.pointer.count("/") else ""
    return top in escaped
