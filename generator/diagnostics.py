"""Diagnostics are data: every stage reports input problems here instead of raising.

A diagnostic names the source file, the JSON pointer inside it, a stable code and a
message. Every code is listed once, in ``CODES`` below, with its level and meaning; the
README's table is held against it by a test. Only the command line (``cli/``) prints diagnostics.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field


class Level(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


MAX_MESSAGE = 400

# code → (level, meaning). Letters: I ingest, S schema file, G schema content,
# N naming (overrides and collisions), L the name lock.
CODES: dict[str, tuple[Level, str]] = {
    "I000": (Level.ERROR, "a source given to ingest does not exist, or a directory holds none"),
    "I001": (Level.ERROR, "a source file is too large"),
    "I002": (Level.ERROR, "a source file is not UTF-8 text"),
    "I003": (Level.ERROR, "a JSON source has the wrong shape"),
    "I004": (Level.ERROR, "`--model-id` differs from the source's id, or cannot apply to it"),
    "I005": (Level.ERROR, "no model id found; pass `--model-id`"),
    "I006": (Level.WARNING, "unknown top-level key in a JSON source (ignored)"),
    "I007": (Level.ERROR, "a page shows no input schema, or several"),
    "I008": (Level.ERROR, "a page shows several different output schemas or example bodies"),
    "I009": (Level.ERROR, "a page names several model ids"),
    "I010": (Level.ERROR, "the model id could escape `schemas/` (unsafe path)"),
    "I011": (Level.ERROR, "two sources describe the same model differently"),
    "I012": (Level.ERROR, "not strict JSON: syntax (line, column), duplicate key, NaN, depth"),
    "S001": (Level.ERROR, "a schema file has the wrong shape (meta-schema)"),
    "S002": (Level.ERROR, "a schema file is not UTF-8 or not strict JSON (as I012)"),
    "S003": (Level.ERROR, "a schema file's model id is unusable"),
    "S004": (Level.ERROR, "a schema file is not at the path its model id gives"),
    "S005": (Level.WARNING, "a schema file is not in canonical form"),
    "S006": (Level.ERROR, "no model schemas found"),
    "G001": (Level.WARNING, "no type given and none inferred (any value accepted)"),
    "G002": (Level.WARNING, "several types (any value accepted)"),
    "G003": (Level.WARNING, "enum on a non-scalar field (not enforced)"),
    "G004": (Level.WARNING, "duplicate enum values (merged)"),
    "G005": (Level.ERROR, "enum values of the wrong type"),
    "G006": (Level.WARNING, "fractional enum values (not checked by the client)"),
    "G007": (Level.WARNING, "a bound that does not apply to the field's type (not enforced)"),
    "G008": (Level.ERROR, "a minimum above its maximum (also lengths, item counts)"),
    "G009": (Level.WARNING, "a validation rule of unknown shape (kept as text)"),
    "G010": (Level.WARNING, "unknown keyword (kept, not enforced)"),
    "G011": (Level.WARNING, "a default that contradicts its own field (dropped)"),
    "G012": (Level.WARNING, "a `required` entry names no property (ignored)"),
    "G013": (Level.WARNING, "an invalid `pattern` (dropped)"),
    "G014": (Level.WARNING, "a combined-key enum value that is no `WIDTHxHEIGHT` size"),
    "G015": (
        Level.WARNING,
        "an enum whose only member is null (dropped: the field takes its type)",
    ),
    "N001": (Level.ERROR, "the overrides file is not valid TOML"),
    "N002": (Level.ERROR, "the overrides file has the wrong shape"),
    "N003": (Level.ERROR, "an override gives a name that cannot be used as it is"),
    "N004": (Level.WARNING, "a new field's name is taken: it gets a suffix (both are named)"),
    "N005": (Level.ERROR, "two overrides, or an override and the lock, give one name twice"),
    "N006": (Level.WARNING, "an override names a model that is not in the schemas"),
    "N007": (Level.WARNING, "an override names an input the model does not have"),
    "N008": (Level.WARNING, "a new client attribute is taken: it gets a suffix (both are named)"),
    "N009": (Level.WARNING, "a new model's (or namespace's) class name is taken: it gets a suffix"),
    "N010": (Level.WARNING, "a new model's module name is taken: it gets a suffix"),
    "N011": (Level.WARNING, "an override renames a locked name (a breaking rename, reported)"),
    "L001": (Level.ERROR, "the name lock is not valid JSON or has the wrong shape"),
    "L002": (Level.ERROR, "a locked name cannot be used (or a model's classes disagree)"),
}


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
        self._add(Diagnostic(Level.ERROR, code, message, source))

    def warning(self, code: str, message: str, source: SourceRef) -> None:
        self._add(Diagnostic(Level.WARNING, code, message, source))

    def _add(self, diagnostic: Diagnostic) -> None:
        if CODES.get(diagnostic.code, (None,))[0] is not diagnostic.level:
            raise GeneratorBug(f"{diagnostic.code} is not a {diagnostic.level.value} in CODES")
        message = diagnostic.message
        if len(message) > MAX_MESSAGE:
            # Messages quote schema text; a 100 KB key must not become a 100 KB line.
            cut = len(message) - MAX_MESSAGE
            message = f"{message[:MAX_MESSAGE]}… ({cut} more characters)"
            diagnostic = Diagnostic(diagnostic.level, diagnostic.code, message, diagnostic.source)
        self._items.append(diagnostic)

    def extend(self, other: Diagnostics | Iterable[Diagnostic]) -> None:
        for item in other._items if isinstance(other, Diagnostics) else other:
            self._add(item)

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


def to_record(diagnostic: Diagnostic) -> list[str]:
    """A diagnostic as plain JSON data (for the manifest)."""
    source = diagnostic.source
    return [
        diagnostic.level.value,
        diagnostic.code,
        source.file,
        source.pointer,
        diagnostic.message,
    ]


def from_record(record: object) -> Diagnostic | None:
    """The inverse of ``to_record``; None for anything else."""
    if not isinstance(record, list) or len(record) != 5:
        return None
    if not all(isinstance(part, str) for part in record):
        return None
    level, code, file, pointer, message = record
    if level not in {item.value for item in Level} or code not in CODES:
        return None
    return Diagnostic(Level(level), code, message, SourceRef(file, pointer))


def format_diagnostic(diagnostic: Diagnostic) -> str:
    """Compiler style: ``schemas/x.json#/input_schema/properties/a: error[G012]: ...``."""
    return f"{diagnostic.source}: {diagnostic.level.value}[{diagnostic.code}]: {diagnostic.message}"


class GeneratorBug(AssertionError):
    """An internal invariant was broken: a bug in the generator, not in the input."""
