"""The command line: ``runcomfy-codegen {ingest,generate,check,diff,serve}``.

The only module that prints. Exit codes, for every command: 0 success; 1 drift (a stale
generated tree or lock for ``check``, a breaking change for ``diff``); 2 bad input or
usage (schema errors, warnings with ``--strict``, argparse's own usage errors, unreadable
``diff`` sides, configuration, file system and internal errors: one line each on stderr,
never a traceback unless ``RUNCOMFY_CODEGEN_DEBUG`` is set); 130 when interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from . import canonical
from .changes import format_json, format_text
from .check import Stale, compare, unified_diff
from .config import Config, ConfigError, read_file_config, resolve
from .diagnostics import Diagnostics, Level, SourceRef, format_diagnostic
from .emit import leftovers, write_tree
from .lock import LOCK_FILE
from .manifest import GENERATOR_NAME, FastState, fast_state, inputs_of

if TYPE_CHECKING:
    from .pipeline import Result
    from .snapshot import Snapshot

# The pipeline, the change report and ingest import black, jinja2 and jsonschema; each
# command imports them only once it knows it needs them (see ``_pipeline``), so that a
# run that finds nothing to do stays fast.

SHORT_REPORT_LINES = 20
# The catalog API's defaults; ``pull`` imports httpx only when it runs.
DEFAULT_BASE_URL = "https://model-api.runcomfy.net"
TOKEN_ENV = "RUNCOMFY_API_TOKEN"
# Exit statuses, the same for every command.
EXIT_OK = 0
EXIT_DRIFT = 1  # the generated tree is stale, or (diff) something breaks for SDK users
EXIT_BAD_INPUT = 2  # unreadable or invalid input, a usage error, a file system error


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["serve"]:
        return _serve(arguments[1:])
    parser = _parser()
    args = parser.parse_args(arguments)
    try:
        config = resolve(
            read_file_config(Path("pyproject.toml")),
            root=Path("."),
            schemas=args.schemas,
            output=getattr(args, "output", None),
            package=getattr(args, "package", None),
            version=getattr(args, "version", None),
        )
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    handlers = {
        "ingest": _ingest,
        "pull": _pull,
        "generate": _generate,
        "check": _check,
        "diff": _diff,
    }
    try:
        code: int = handlers[args.command](args, config)
    except KeyboardInterrupt:
        print(
            "interrupted: the output directory holds the old tree or the new one", file=sys.stderr
        )
        return 130
    except OSError as error:
        # A file system problem (permissions, a full disk, a path that is no directory) is
        # the user's to fix, and deserves one line, not a traceback.
        where = f"{error.filename}: " if error.filename else ""
        print(f"error: {where}{error.strerror or error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as error:
        if os.environ.get(DEBUG_ENV):
            raise
        print(
            f"internal error (a bug in {GENERATOR_NAME}, please report it): "
            f"{type(error).__name__}: {error}; set {DEBUG_ENV}=1 for the traceback",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    return code


DEBUG_ENV = "RUNCOMFY_CODEGEN_DEBUG"
# What the local server needs beyond the generator: the ``server`` extra.
SERVER_DEPENDENCIES = frozenset({"starlette", "uvicorn"})


def _serve(arguments: list[str]) -> int:
    # The server has its own flags; argparse's REMAINDER would not pass on "--port".
    try:
        from .server.cli import main as serve_main
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] not in SERVER_DEPENDENCIES:
            raise
        print(
            f"error: the local server needs {error.name}, which is not installed: "
            f"pip install '{GENERATOR_NAME}[server]'",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    served: int = serve_main(arguments)
    return served


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="runcomfy-codegen",
        description="Generate a typed Python SDK from RunComfy model schemas.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser(
        "ingest", help="turn saved model pages or JSON schemas into canonical schemas/ files"
    )
    ingest.add_argument("files", nargs="+", type=Path, metavar="FILE")
    ingest.add_argument("--model-id", help="model id for a bare input-schema JSON file")
    ingest.add_argument(
        "--dry-run", action="store_true", help="show what would change, with diffs; write nothing"
    )

    pull = commands.add_parser(
        "pull",
        help=f"refresh schemas/ from RunComfy's catalog API (token from {TOKEN_ENV})",
    )
    pull.add_argument("models", nargs="*", metavar="MODEL_ID", help="the models to fetch")
    pull.add_argument("--all", action="store_true", help="fetch every model of the catalog")
    pull.add_argument(
        "--base-url",
        default=DEFAULT_BASE_URL,
        help=f"the API's address (default: {DEFAULT_BASE_URL})",
    )

    for name, text in (
        ("generate", "regenerate the SDK from the schemas (writes nothing if any schema is bad)"),
        ("check", "exit 1 with diffs if the generated SDK is not what the schemas give"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--output", help="output directory (default: generated)")
        sub.add_argument("--package", help="package name (default: runcomfy_sdk)")
        sub.add_argument("--strict", action="store_true", help="treat warnings as errors")

    check = commands.choices["check"]
    check.add_argument(
        "--require-version-bump",
        action="store_true",
        help="also fail when the schemas changed in a breaking way since --base "
        "and the major version did not move",
    )
    check.add_argument(
        "--base", default="HEAD", help="git revision to compare with (default: HEAD)"
    )
    check.add_argument(
        "--quiet", action="store_true", help="print one summary line (and errors) only"
    )
    for name in ("generate", "check"):
        commands.choices[name].add_argument(
            "--version", help="the SDK's __version__ (default: [tool.runcomfy-codegen] version)"
        )

    diff = commands.add_parser(
        "diff",
        help="report what changed for SDK users between two schema directories or git "
        "revisions; exit 1 if anything breaks",
    )
    diff.add_argument("old", metavar="OLD", help="a schemas directory or a git revision")
    diff.add_argument(
        "new",
        metavar="NEW",
        nargs="?",
        help="a schemas directory or a git revision (default: the working tree's schemas)",
    )
    diff.add_argument("--format", choices=("text", "json"), default="text")

    serve = commands.add_parser(
        "serve", help="run a local RunComfy-compatible server", add_help=False
    )
    serve.add_argument("serve_args", nargs=argparse.REMAINDER)

    for sub in (ingest, pull, *(commands.choices[name] for name in ("generate", "check", "diff"))):
        sub.add_argument("--schemas", help="schemas directory (default: schemas)")
    return parser


def _ingest(args: argparse.Namespace, config: Config) -> int:
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
    from .ingest import ingest_sources
    from .pipeline import check_ingested

    files = ingest_sources(sources, model_id=model_id, diags=diags) if sources else []
    if files and not diags.has_errors:
        check_ingested(files, config, diags)
    _print_diagnostics(diags)
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


def _pull(args: argparse.Namespace, config: Config) -> int:
    """Fetch every model (``--all``) or the named ones, ingest them, report what changed."""
    from .pull import PullError, catalog_client, fetch_catalog, fetch_models

    if bool(args.all) == bool(args.models):
        print("error: name the models to pull, or pass --all (not both)", file=sys.stderr)
        return EXIT_BAD_INPUT
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        print(f"error: set {TOKEN_ENV} to your RunComfy API token", file=sys.stderr)
        return EXIT_BAD_INPUT
    progress = _Progress.on_terminal("pull")
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
    _print_change_report(before, _schemas_snapshot(config), config)
    return EXIT_OK


def _schemas_snapshot(config: Config) -> Snapshot:
    from .snapshot import empty, from_directory

    if not config.schemas_dir.is_dir():
        return empty(config.schemas_label)
    return from_directory(config.schemas_dir, label=config.schemas_label)


def _print_change_report(before: Snapshot, after: Snapshot, config: Config) -> None:
    from .review import compare_snapshots

    report = compare_snapshots(before, after, package_name=config.package, diags=Diagnostics())
    if report is None:
        print("no change report: the schemas had errors before this pull")
    elif not report.changes:
        print("no changes for SDK users")
    else:
        print(format_text(report), end="")


@dataclass(frozen=True, slots=True)
class _Progress:
    """One line on stderr, rewritten in place, only when stderr is a terminal."""

    command: str
    enabled: bool

    @classmethod
    def on_terminal(cls, command: str) -> _Progress:
        return cls(command, sys.stderr.isatty())

    def show(self, text: str) -> None:
        if self.enabled:
            print(f"\r{GENERATOR_NAME} {self.command}: {text}\x1b[K", end="", file=sys.stderr)
            sys.stderr.flush()

    def end(self) -> None:
        if self.enabled:
            print(file=sys.stderr)


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


def _generate(args: argparse.Namespace, config: Config) -> int:
    state = fast_state(config)
    if state.up_to_date:
        return _nothing_to_do(
            args, state, f"0 written, 0 removed, {len(state.files) + 1} unchanged"
        )
    result = _generated(args, config, state)
    if result is None or result.files is None or result.lock_text is None:
        return EXIT_BAD_INPUT
    lock_path = config.schemas_dir / LOCK_FILE
    old_lock = (
        lock_path.read_text(encoding="utf-8", errors="replace") if lock_path.is_file() else ""
    )
    report = write_tree(result.files, config.package_dir, prune=not result.partial, atomic=True)
    lock_report = write_tree(
        {PurePosixPath(LOCK_FILE): result.lock_text}, config.schemas_dir, prune=False
    )
    for path in report.written:
        print(f"wrote {config.package_dir / path}")
    for path in lock_report.written:
        print(f"wrote {config.schemas_dir / path}")
    for path in report.removed:
        print(f"removed {config.package_dir / path}")
    total = len(state.files) + 1 if result.partial else len(result.files)
    unchanged = total - len(report.written)
    print(f"{len(report.written)} written, {len(report.removed)} removed, {unchanged} unchanged")
    if result.package is not None and (report.written or report.removed):
        _print_generation_report(result, state, old_lock, config)
    return EXIT_OK


def _print_generation_report(
    result: Result, state: FastState, old_lock: str, config: Config
) -> None:
    """The short change report for the models whose schemas or names this run changed."""
    from .review import generation_report, touched_models

    assert result.package is not None and result.lock_text is not None
    touched = touched_models(
        (state.recorded or {}).get("inputs", {}).get("schemas", {}),
        (state.current or inputs_of(config))["schemas"],
        old_lock,
        result.lock_text,
        schemas_label=config.schemas_label,
    )
    changes = generation_report(
        result.package,
        touched,
        schemas_dir=config.schemas_dir,
        schemas_label=config.schemas_label,
    )
    if changes is not None and not changes.changes:
        print("no changes for SDK users since HEAD")
    elif changes is not None:
        print(f"changes since HEAD for SDK users (full report: {GENERATOR_NAME} diff HEAD):")
        print(format_text(changes, limit=SHORT_REPORT_LINES))


def _nothing_to_do(args: argparse.Namespace, state: FastState, summary: str | None) -> int:
    """What a full run would print when nothing changed: the recorded warnings, the summary."""
    if not getattr(args, "quiet", False):
        for diagnostic in state.diagnostics:
            print(format_diagnostic(diagnostic))
    if args.strict and state.diagnostics:
        print("generation stopped by warnings with --strict: nothing was written", file=sys.stderr)
        return EXIT_BAD_INPUT
    if summary is not None:
        print(summary)
    return EXIT_OK


@dataclass(frozen=True, slots=True)
class _Drift:
    """What ``check`` found besides schema problems (which stop it before this)."""

    stale: Stale = field(default_factory=Stale)
    lock: str | None = None
    leftovers: tuple[Path, ...] = ()
    version_bump: str | None = None

    @property
    def found(self) -> bool:
        return bool(not self.stale.is_clean or self.lock or self.leftovers or self.version_bump)

    def summary(self, config: Config) -> str:
        """One line: what is out of date and what to run."""
        where = config.package_dir
        if not self.found:
            return f"{where} is up to date"
        parts = [
            f"{len(items)} {name} file{'s' if len(items) != 1 else ''}"
            for name, items in (
                ("changed", self.stale.changed),
                ("missing", self.stale.missing),
                ("unexpected", self.stale.extra),
            )
            if items
        ]
        parts += ["the name lock is stale"] if self.lock else []
        parts += ["an interrupted run left files"] if self.leftovers else []
        parts += ["a breaking change needs a major version"] if self.version_bump else []
        return f"{where} is stale: {', '.join(parts)}; run: {config.regenerate}"


def _check(args: argparse.Namespace, config: Config) -> int:
    """0 up to date; 1 drift (stale files or lock, leftovers, a breaking change without
    a major version); 2 bad input (schema errors, or warnings with ``--strict``)."""
    bump = _version_bump_problem(args, config) if args.require_version_bump else None
    interrupted = tuple(leftovers(config.package_dir))
    state = fast_state(config)
    if state.up_to_date:
        code = _nothing_to_do(args, state, None)
        if code != EXIT_OK:
            return code
        drift = _Drift(leftovers=interrupted, version_bump=bump)
    else:
        result = _generated(args, config, state)
        if result is None or result.files is None or result.lock_text is None:
            return EXIT_BAD_INPUT
        drift = _Drift(
            stale=compare(result.files, config.package_dir, partial=result.partial),
            lock=lock_difference(result.lock_text, config),
            leftovers=interrupted,
            version_bump=bump,
        )
    if bump is not None:
        print(f"error: {bump}", file=sys.stderr)
    if not args.quiet:
        _print_drift(drift, config)
    print(drift.summary(config))
    return EXIT_DRIFT if drift.found else EXIT_OK


def _print_drift(drift: _Drift, config: Config) -> None:
    for path in drift.leftovers:
        print(f"leftover of an interrupted run: {path} (the next generate removes it)")
    if drift.lock is not None:
        print(drift.lock)
    if not drift.stale.is_clean:
        print(drift.stale.report(update_hint=config.regenerate))


def _version_bump_problem(args: argparse.Namespace, config: Config) -> str | None:
    from .review import compare_snapshots, resolve_side, version_at, version_bump_problem
    from .snapshot import SnapshotError, from_directory

    diags = Diagnostics()
    try:
        old = resolve_side(
            args.base, schemas_dir=config.schemas_dir, schemas_label=config.schemas_label
        )
        old_version = version_at(args.base, Path("pyproject.toml"))
    except SnapshotError as error:
        return f"cannot compare with {args.base!r}: {error}"
    new = from_directory(config.schemas_dir, label=config.schemas_label)
    report = compare_snapshots(old, new, package_name=config.package, diags=diags)
    if report is None:
        _print_diagnostics(diags)
        return f"the schemas at {args.base!r} do not generate; cannot compare"
    problem = version_bump_problem(report, old_version, config.version)
    if problem is not None:
        print(format_text(report, limit=SHORT_REPORT_LINES), file=sys.stderr)
    return problem


def _diff(args: argparse.Namespace, config: Config) -> int:
    """Exit 0 when nothing breaks, 1 when something does, 2 when a side cannot be read."""
    from .review import compare_snapshots, resolve_side
    from .snapshot import SnapshotError, from_directory

    diags = Diagnostics()
    try:
        old = resolve_side(
            args.old, schemas_dir=config.schemas_dir, schemas_label=config.schemas_label
        )
        new = (
            resolve_side(
                args.new, schemas_dir=config.schemas_dir, schemas_label=config.schemas_label
            )
            if args.new is not None
            else from_directory(config.schemas_dir, label=config.schemas_label)
        )
    except SnapshotError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    report = compare_snapshots(old, new, package_name=config.package, diags=diags)
    if report is None:
        for diagnostic in diags.errors():
            print(format_diagnostic(diagnostic), file=sys.stderr)
        print("diff stopped: a side has schema errors", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(format_json(report) if args.format == "json" else format_text(report), end="")
    return EXIT_DRIFT if report.has_breaking else EXIT_OK


def lock_difference(expected: str, config: Config) -> str | None:
    """A diff of the lock on disk against the one the generator makes now; None if equal."""
    path = config.schemas_dir / LOCK_FILE
    label = PurePosixPath(config.schemas_label) / LOCK_FILE
    if not path.is_file():
        return f"missing file: {label}"
    actual = path.read_text(encoding="utf-8", errors="replace")
    return None if actual == expected else unified_diff(actual, expected, label)


def _generated(
    args: argparse.Namespace, config: Config, state: FastState | None = None
) -> Result | None:
    from .pipeline import generate, generate_changed

    changed = generate_changed(config, state) if state is not None else None
    result: Result = changed if changed is not None else generate(config)
    _print_diagnostics(result.diagnostics, quiet=getattr(args, "quiet", False))
    strict_failure = args.strict and len(result.diagnostics.warnings()) > 0
    if result.files is None or strict_failure:
        reason = "warnings with --strict" if result.files is not None else "errors"
        print(f"generation stopped by {reason}: nothing was written", file=sys.stderr)
        return None
    return result


def _print_diagnostics(diags: Diagnostics, *, quiet: bool = False) -> None:
    """Errors on stderr; warnings on stdout, unless ``quiet``."""
    for diagnostic in diags:
        if diagnostic.level is Level.ERROR:
            print(format_diagnostic(diagnostic), file=sys.stderr)
        elif not quiet:
            print(format_diagnostic(diagnostic))
