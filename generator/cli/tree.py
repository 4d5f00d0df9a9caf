"""``generate``, ``check`` and ``diff``: the schemas → the generated package, and reports."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ..check import Stale, compare, unified_diff
from ..config import LOCK_FILE, Config
from ..diagnostics import Diagnostics, format_diagnostic
from ..distribution import PYPROJECT, pyproject_text
from ..emit import leftovers, write_tree
from ..manifest import GENERATOR_NAME, FastState, fast_state, inputs_of
from .common import (
    EXIT_BAD_INPUT,
    EXIT_DRIFT,
    EXIT_OK,
    SHORT_REPORT_LINES,
    Progress,
    print_diagnostics,
)

if TYPE_CHECKING:
    from ..pipeline import Result

# The pipeline, the change report and ingest import black, jinja2 and jsonschema; each
# command imports them only once it knows it needs them, so that a run that finds
# nothing to do stays fast.


def generate(args: argparse.Namespace, config: Config) -> int:
    code = _generate_tree(args, config)
    if code == EXIT_OK and config.distribution is not None:
        written = write_tree(
            {PYPROJECT: pyproject_text(config, distribution=config.distribution)},
            config.output_dir,
            prune=False,
            guard=True,
        )
        for path in written.written:
            print(f"wrote {config.output_dir / path}")
    return code


def _distribution_drift(config: Config) -> str | None:
    """A diff of the distribution's ``pyproject.toml`` on disk against what it should say."""
    if config.distribution is None:
        return None
    expected = pyproject_text(config, distribution=config.distribution)
    path = config.output_dir / PYPROJECT
    if not path.is_file():
        return f"missing file: {path}"
    actual = path.read_text(encoding="utf-8", errors="replace")
    return None if actual == expected else unified_diff(actual, expected, PYPROJECT)


def _generate_tree(args: argparse.Namespace, config: Config) -> int:
    state = fast_state(config)
    if state.up_to_date:
        return _nothing_to_do(
            args, state, f"0 written, 0 removed, {state.file_count + 1} unchanged"
        )
    result = _generated(args, config, state)
    if result is None or result.files is None or result.lock_text is None:
        return EXIT_BAD_INPUT
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
    total = state.file_count + 1 if result.partial else len(result.files)
    unchanged = total - len(report.written)
    print(f"{len(report.written)} written, {len(report.removed)} removed, {unchanged} unchanged")
    if result.package is not None and (report.written or report.removed):
        _print_generation_report(result, state, config)
    return EXIT_OK


def _print_generation_report(result: Result, state: FastState, config: Config) -> None:
    """The short change report for the models whose schemas or names this run changed."""
    from ..review import generation_report, touched_models

    assert result.package is not None
    assert result.names_before is not None and result.names_after is not None
    touched = touched_models(
        (state.recorded or {}).get("inputs", {}).get("schemas", {}),
        (state.current or inputs_of(config))["schemas"],
        result.names_before,
        result.names_after,
        schemas_label=config.schemas_label,
    )
    changes = generation_report(result.package, touched, config)
    if changes is not None and not changes.changes:
        print("no changes for SDK users since HEAD")
    elif changes is not None:
        print(f"changes since HEAD for SDK users (full report: {GENERATOR_NAME} diff HEAD):")
        from ..changes import format_text  # the change engine only when reporting

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
    distribution: str | None = None
    leftovers: tuple[Path, ...] = ()
    version_bump: str | None = None

    @property
    def found(self) -> bool:
        return bool(
            not self.stale.is_clean
            or self.lock
            or self.distribution
            or self.leftovers
            or self.version_bump
        )

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
        parts += ["the distribution's pyproject.toml is stale"] if self.distribution else []
        parts += ["an interrupted run left files"] if self.leftovers else []
        parts += ["a breaking change needs a major version"] if self.version_bump else []
        return f"{where} is stale: {', '.join(parts)}; run: {config.regenerate}"


def check(args: argparse.Namespace, config: Config) -> int:
    """0 up to date; 1 drift (stale files or lock, leftovers, a breaking change without
    a major version); 2 bad input (schema errors, or warnings with ``--strict``)."""
    bump = _version_bump_problem(args, config) if args.require_version_bump else None
    interrupted = tuple(leftovers(config.package_dir))
    state = fast_state(config)
    if state.up_to_date:
        code = _nothing_to_do(args, state, None)
        if code != EXIT_OK:
            return code
        drift = _Drift(
            distribution=_distribution_drift(config), leftovers=interrupted, version_bump=bump
        )
    else:
        result = _generated(args, config, state)
        if result is None or result.files is None or result.lock_text is None:
            return EXIT_BAD_INPUT
        drift = _Drift(
            stale=compare(result.files, config.package_dir, partial=result.partial),
            lock=lock_difference(result.lock_text, config),
            distribution=_distribution_drift(config),
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
    for text in (drift.lock, drift.distribution):
        if text is not None:
            print(text)
    if not drift.stale.is_clean:
        print(drift.stale.report(update_hint=config.regenerate))


def _version_bump_problem(args: argparse.Namespace, config: Config) -> str | None:
    from ..review import (
        compare_snapshots,
        resolve_side,
        version_at,
        version_bump_problem,
        working_tree,
    )
    from ..snapshot import SnapshotError

    diags = Diagnostics()
    try:
        old = resolve_side(args.base, config)
        old_version = version_at(args.base, Path("pyproject.toml"))
    except SnapshotError as error:
        return f"cannot compare with {args.base!r}: {error}"
    new = working_tree(config)
    report = compare_snapshots(old, new, package_name=config.package, diags=diags)
    if report is None:
        print_diagnostics(diags)
        return f"the schemas at {args.base!r} do not generate; cannot compare"
    problem = version_bump_problem(report, old_version, config.version)
    if problem is not None:
        from ..changes import format_text  # the change engine only when reporting

        print(format_text(report, limit=SHORT_REPORT_LINES), file=sys.stderr)
    return problem


def diff(args: argparse.Namespace, config: Config) -> int:
    """Exit 0 when nothing breaks, 1 when something does, 2 when a side cannot be read."""
    from ..review import compare_snapshots, resolve_side, working_tree
    from ..snapshot import SnapshotError

    diags = Diagnostics()
    try:
        old = resolve_side(args.old, config)
        new = resolve_side(args.new, config) if args.new is not None else working_tree(config)
    except SnapshotError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    report = compare_snapshots(old, new, package_name=config.package, diags=diags)
    if report is None:
        for diagnostic in diags.errors():
            print(format_diagnostic(diagnostic), file=sys.stderr)
        print("diff stopped: a side has schema errors", file=sys.stderr)
        return EXIT_BAD_INPUT
    from ..changes import format_json, format_text  # the change engine only when reporting

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
    from ..pipeline import generate, generate_changed

    changed = generate_changed(config, state) if state is not None else None
    progress = Progress.on_terminal(args.command)
    result: Result = changed if changed is not None else generate(config, progress=progress.show)
    progress.end()
    print_diagnostics(result.diagnostics, quiet=getattr(args, "quiet", False))
    strict_failure = args.strict and len(result.diagnostics.warnings()) > 0
    if result.files is None or strict_failure:
        reason = "warnings with --strict" if result.files is not None else "errors"
        print(f"generation stopped by {reason}: nothing was written", file=sys.stderr)
        return None
    return result
