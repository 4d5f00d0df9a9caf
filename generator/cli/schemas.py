"""``ingest`` and ``pull``: sources (saved pages, JSON files, catalog answers) → ``schemas/``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from .. import canonical
from ..check import unified_diff
from ..config import Config
from ..diagnostics import Diagnostics, SourceRef
from ..emit import write_tree
from .common import EXIT_BAD_INPUT, EXIT_OK, Progress, print_diagnostics

if TYPE_CHECKING:
    from ..snapshot import Snapshot

# The catalog API's defaults; ``pull`` imports httpx only when it runs.
DEFAULT_BASE_URL = "https://model-api.runcomfy.net"
TOKEN_ENV = "RUNCOMFY_API_TOKEN"


def ingest(args: argparse.Namespace, config: Config) -> int:
    diags = Diagnostics()
    paths = [found for path in args.files for found in _source_files(path, diags)]
    sources = [(str(path), path.read_bytes()) for path in paths]
    texts = _ingested(sources, config, diags, model_id=args.model_id)
    if texts is None:
        return EXIT_BAD_INPUT
    _print_schema_states(texts, config, show_diff=args.dry_run)
    if not args.dry_run:
        write_tree(texts, config.schemas_dir, prune=False)
    return EXIT_OK


def _ingested(
    sources: Sequence[tuple[str, bytes]],
    config: Config,
    diags: Diagnostics,
    *,
    model_id: str | None,
    command: str = "ingest",
) -> dict[PurePosixPath, str] | None:
    """The canonical text of every model the sources describe, keyed by its path below
    the schemas directory; None, with the diagnostics printed, on any error."""
    from ..ingest import ingest_sources
    from ..pipeline import check_ingested

    files = ingest_sources(sources, model_id=model_id, diags=diags) if sources else []
    if files and not diags.has_errors:
        check_ingested(files, config, diags)
    print_diagnostics(diags)
    if diags.has_errors:
        print(f"{command} failed: nothing was written", file=sys.stderr)
        return None
    return {file.path: canonical.dumps(file.document) for file in files}


def _print_schema_states(
    texts: Mapping[PurePosixPath, str], config: Config, *, show_diff: bool
) -> None:
    """``created``/``updated``/``unchanged`` per schema file; with ``show_diff``, the diff
    of each file that would change."""
    for relative, text in texts.items():
        target = config.schemas_dir / relative
        old = target.read_text(encoding="utf-8", errors="replace") if target.is_file() else None
        state = "created" if old is None else "unchanged" if old == text else "updated"
        print(f"{state}: {config.schemas_label}/{relative}")
        if show_diff and state != "unchanged":
            label = PurePosixPath(config.schemas_label) / relative
            print(unified_diff(old or "", text, label))


def pull(args: argparse.Namespace, config: Config) -> int:
    """Fetch every model (``--all``) or the named ones, ingest them, report what changed."""
    from ..pull import PullError, catalog_client, fetch_catalog, fetch_models

    if bool(args.all) == bool(args.models):
        print("error: name the models to pull, or pass --all (not both)", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.prune and not args.all:
        print(
            "error: --prune needs --all (only the whole catalog tells what left it)",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        print(f"error: set {TOKEN_ENV} to your RunComfy API token", file=sys.stderr)
        return EXIT_BAD_INPUT
    progress = Progress.on_terminal("pull")
    try:
        with catalog_client(base_url=args.base_url, token=token) as client:
            answers = (
                fetch_catalog(client, progress=progress.show)
                if args.all
                else fetch_models(client, args.models, progress=progress.show)
            )
    except PullError as error:
        progress.end()
        print(f"error: {error}; nothing was written", file=sys.stderr)
        return EXIT_BAD_INPUT
    progress.end()
    sources = [(answer.label, answer.body) for answer in answers]
    texts = _ingested(sources, config, Diagnostics(), model_id=None, command="pull")
    if texts is None:
        return EXIT_BAD_INPUT
    before = _schemas_snapshot(config)
    _print_schema_states(texts, config, show_diff=False)
    write_tree(texts, config.schemas_dir, prune=False)
    if args.all:
        _left_the_catalog(texts, config, remove=args.prune)
    _print_change_report(before, _schemas_snapshot(config), config)
    return EXIT_OK


def _left_the_catalog(texts: Mapping[PurePosixPath, str], config: Config, *, remove: bool) -> None:
    """Schema files of models the whole catalog no longer lists: named, and with ``remove``
    deleted (the change report then shows each model's removal)."""
    if not config.schemas_dir.is_dir():
        return
    stale = sorted(
        relative
        for path in config.schemas_dir.rglob("*.json")
        if (relative := PurePosixPath(path.relative_to(config.schemas_dir).as_posix())) not in texts
    )
    for relative in stale:
        label = f"{config.schemas_label}/{relative}"
        if remove:
            (config.schemas_dir / relative).unlink()
            _remove_empty_folders(config.schemas_dir, relative.parent)
            print(f"removed, not in the catalog: {label}")
        else:
            print(f"not in the catalog: {label} (kept; pull --all --prune removes it)")


def _remove_empty_folders(root: Path, folder: PurePosixPath) -> None:
    while folder.parts:
        path = root / folder
        if any(path.iterdir()):
            return
        path.rmdir()
        folder = folder.parent


def _schemas_snapshot(config: Config) -> Snapshot:
    from ..review import working_tree
    from ..snapshot import empty

    if not config.schemas_dir.is_dir():
        return empty(config.schemas_label)
    return working_tree(config)


def _print_change_report(before: Snapshot, after: Snapshot, config: Config) -> None:
    from ..review import compare_snapshots

    report = compare_snapshots(before, after, package_name=config.package, diags=Diagnostics())
    if report is None:
        print("no change report: the schemas had errors before this pull")
    elif not report.changes:
        print("no changes for SDK users")
    else:
        from ..changes import format_text  # the change engine only when reporting

        print(format_text(report), end="")


# What ``ingest DIRECTORY`` reads: saved pages and JSON files, nothing else found there.
SOURCE_SUFFIXES = frozenset({".json", ".txt", ".html", ".htm"})


def _source_files(path: Path, diags: Diagnostics) -> list[Path]:
    """A file as given; a directory's page and JSON files (recursively, sorted)."""
    if path.is_file():
        return [path]
    if path.is_dir():
        found = sorted(
            child
            for child in path.rglob("*")
            if child.is_file()
            and child.suffix.lower() in SOURCE_SUFFIXES
            and not any(part.startswith(".") for part in child.relative_to(path).parts)
        )
        if not found:
            kinds = ", ".join(sorted(SOURCE_SUFFIXES))
            diags.error(
                "I000", f"the directory holds no source files ({kinds})", SourceRef(str(path))
            )
        return found
    diags.error("I000", "no such file or directory", SourceRef(str(path)))
    return []
