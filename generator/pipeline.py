"""The pipeline in one call: ingest → normalize → render, in memory; ``emit`` writes.

``generate`` is what the ``generate`` and ``check`` commands run when the manifest's fast
path cannot tell that nothing changed; it never writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from generator.cache import Cache
from generator.config import OVERRIDES_FILE, Config
from generator.diagnostics import Diagnostics, SourceRef, format_diagnostic
from generator.ingest import Overrides, SchemaFile, load_overrides, load_schemas
from generator.ir import Package
from generator.lock import LOCK_FILE, NameLock, dumps, load_lock, lock_of
from generator.manifest import MANIFEST, inputs_of, manifest_text
from generator.normalize import build_package
from generator.render import render


@dataclass(frozen=True, slots=True)
class Result:
    """The rendered tree and the name lock to keep (None when any diagnostic is an error),
    the package they came from, and every diagnostic."""

    files: Mapping[PurePosixPath, str] | None
    diagnostics: Diagnostics
    lock_text: str | None = None
    package: Package | None = None


def load_inputs(config: Config, diags: Diagnostics) -> tuple[list[SchemaFile], Overrides, NameLock]:
    """The schema files, the overrides and the lock of ``config``'s schemas directory."""
    files = load_schemas(config.schemas_dir, diags, shown_as=config.schemas_label)
    overrides = load_overrides(
        config.schemas_dir / OVERRIDES_FILE,
        diags,
        shown_as=f"{config.schemas_label}/{OVERRIDES_FILE}",
    )
    lock = load_lock(
        config.schemas_dir / LOCK_FILE, diags, shown_as=f"{config.schemas_label}/{LOCK_FILE}"
    )
    return files, overrides, lock


def generate(config: Config) -> Result:
    """Run ingest → normalize → render for ``config``; never writes."""
    diags = Diagnostics()
    files, overrides, lock = load_inputs(config, diags)
    if not files and not diags.has_errors:
        diags.error("S006", "no model schemas (*.json) found", SourceRef(config.schemas_label))
    if diags.has_errors:
        return Result(None, diags)
    package = build_package(
        files, overrides=overrides, lock=lock, package_name=config.package, diags=diags
    )
    if diags.has_errors:
        return Result(None, diags)
    tree = render(package, config, cache=Cache(config.cache_dir))
    lock_text = dumps(lock_of(package))
    inputs = inputs_of(config, lock_text=lock_text)
    tree[MANIFEST] = manifest_text(inputs, tree, (format_diagnostic(d) for d in diags))
    return Result(tree, diags, lock_text, package)


def check_ingested(files: Sequence[SchemaFile], config: Config, diags: Diagnostics) -> None:
    """Normalize freshly ingested documents (with the existing overrides and lock) to report
    problems before anything is written; overrides of other models are not this run's concern."""
    ignored = Diagnostics()
    overrides = load_overrides(
        config.schemas_dir / OVERRIDES_FILE,
        ignored,
        shown_as=f"{config.schemas_label}/{OVERRIDES_FILE}",
    )
    ids = {file.document["model_id"] for file in files}
    relevant = Overrides(
        names={key: value for key, value in overrides.names.items() if key in ids},
        models={key: value for key, value in overrides.models.items() if key in ids},
        ref=overrides.ref,
    )
    lock = load_lock(config.schemas_dir / LOCK_FILE, ignored, shown_as=LOCK_FILE)
    build_package(files, overrides=relevant, lock=lock, package_name=config.package, diags=diags)
