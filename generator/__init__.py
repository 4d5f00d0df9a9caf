"""runcomfy-codegen: RunComfy model schemas → a typed Python SDK.

The pipeline, one module per stage:

    ingest (ingest.py, sources.py, canonical.py)   pages / JSON → canonical schemas/*.json
    normalize (normalize/)                          canonical schemas → frozen IR (ir.py)
    render (render.py, dmcg.py, pyexpr.py)          IR → {relative path: file text}
    write (emit.py) / check (check.py)              rendered tree ↔ generated/

Only ``cli.py`` touches the terminal; only ``emit.py`` writes generated files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from generator.config import Config
from generator.diagnostics import Diagnostics, SourceRef
from generator.ingest import OVERRIDES_FILE, SchemaFile, load_overrides, load_schemas
from generator.normalize import build_package
from generator.render import render

__all__ = ["Result", "check_ingested", "generate"]


@dataclass(frozen=True, slots=True)
class Result:
    """The rendered tree (None when any diagnostic is an error) and every diagnostic."""

    files: Mapping[PurePosixPath, str] | None
    diagnostics: Diagnostics


def generate(config: Config) -> Result:
    """Run ingest → normalize → render for ``config``; never writes."""
    diags = Diagnostics()
    files = load_schemas(config.schemas_dir, diags, shown_as=config.schemas_label)
    overrides = load_overrides(
        config.schemas_dir / OVERRIDES_FILE,
        diags,
        shown_as=f"{config.schemas_label}/{OVERRIDES_FILE}",
    )
    if not files and not diags.has_errors:
        diags.error("S006", "no model schemas (*.json) found", SourceRef(config.schemas_label))
    if diags.has_errors:
        return Result(None, diags)
    package = build_package(files, overrides=overrides, package_name=config.package, diags=diags)
    if diags.has_errors:
        return Result(None, diags)
    return Result(render(package, config), diags)


def check_ingested(files: Sequence[SchemaFile], config: Config, diags: Diagnostics) -> None:
    """Normalize freshly ingested documents (with the existing overrides) to report problems
    before anything is written."""
    overrides = load_overrides(
        config.schemas_dir / OVERRIDES_FILE,
        Diagnostics(),
        shown_as=f"{config.schemas_label}/{OVERRIDES_FILE}",
    )
    build_package(files, overrides=overrides, package_name=config.package, diags=diags)
