"""Diagnostics are data: every stage reports input problems here instead of raising.

A diagnostic names the source file, the JSON pointer inside it, a stable code and a
message. Codes are listed in ``docs/diagnostics.md``; only ``cli.py`` prints them.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field


class Level(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class SourceRef:
    """Where something came from: a file (as given) and a JSON pointer inside it."""

    file: str
    pointer: str = ""

    def child(self, *parts: str | int) -> SourceRef:
        """The pointer of a nested value, escaped as RFC 6901 requires."""
        escaped = (str(part).replace("~", "~0").replace("/", "~1") for part in parts)
        return SourceRef(self.file, "/".join((self.pointer, *escaped)))

    def __str__(self) -> str:
        return f"{self.file}#{self.pointer}" if self.pointer else self.file


@dataclass(frozen=True, slots=True)
class Diagnostic:
    level: Level
    code: str
    message: str
    source: SourceRef

    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.source.file, self.source.pointer, self.code, self.message)


@dataclass(slots=True)
class Diagnostics:
    """An append-only collector shared by the stages of one run."""

    _items: list[Diagnostic] = field(default_factory=list)

    def error(self, code: str, message: str, source: SourceRef) -> None:
        self._items.append(Diagnostic(Level.ERROR, code, message, source))

    def warning(self, code: str, message: str, source: SourceRef) -> None:
        self._items.append(Diagnostic(Level.WARNING, code, message, source))

    def extend(self, other: Diagnostics) -> None:
        self._items.extend(other._items)

    @property
    def has_errors(self) -> bool:
        return any(item.level is Level.ERROR for item in self._items)

    def errors(self) -> list[Diagnostic]:
        return [item for item in self if item.level is Level.ERROR]

    def warnings(self) -> list[Diagnostic]:
        return [item for item in self if item.level is Level.WARNING]

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(sorted(set(self._items), key=Diagnostic.sort_key))

    def __len__(self) -> int:
        return len(set(self._items))


def format_diagnostic(diagnostic: Diagnostic) -> str:
    """Compiler style: ``schemas/x.json#/input_schema/properties/a: error[G012]: ...``."""
    return f"{diagnostic.source}: {diagnostic.level.value}[{diagnostic.code}]: {diagnostic.message}"


class GeneratorBug(AssertionError):
    """An internal invariant was broken: a bug in the generator, not in the input."""
