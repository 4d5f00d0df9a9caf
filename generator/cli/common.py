"""What every command shares: exit statuses and how diagnostics are printed.

The command-line modules (this package) are the only ones that print.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from ..diagnostics import Diagnostics, Level, format_diagnostic
from ..manifest import GENERATOR_NAME

# Exit statuses, the same for every command.
EXIT_OK = 0
EXIT_DRIFT = 1  # the generated tree is stale, or (diff) something breaks for SDK users
EXIT_BAD_INPUT = 2  # unreadable or invalid input, a usage error, a file system error
SHORT_REPORT_LINES = 20


def print_diagnostics(diags: Diagnostics, *, quiet: bool = False) -> None:
    """Errors on stderr; warnings on stdout, unless ``quiet``."""
    for diagnostic in diags:
        if diagnostic.level is Level.ERROR:
            print(format_diagnostic(diagnostic), file=sys.stderr)
        elif not quiet:
            print(format_diagnostic(diagnostic))


@dataclass(frozen=True, slots=True)
class Progress:
    """One line on stderr, rewritten in place, only when stderr is a terminal."""

    command: str
    enabled: bool

    @classmethod
    def on_terminal(cls, command: str) -> Progress:
        return cls(command, sys.stderr.isatty())

    def show(self, text: str) -> None:
        if self.enabled:
            print(f"\r{GENERATOR_NAME} {self.command}: {text}\x1b[K", end="", file=sys.stderr)
            sys.stderr.flush()

    def end(self) -> None:
        """Clear the line, so that what follows starts on a clean one."""
        if self.enabled:
            print("\r\x1b[K", end="", file=sys.stderr)
            sys.stderr.flush()
