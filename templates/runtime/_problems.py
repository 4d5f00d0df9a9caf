"""Invalid inputs, named both ways: friendly name and wire key.

A request class knows each field's friendly name (``steps``) and wire key (``57_steps``);
pydantic reports a problem under whichever the caller used, the server under the wire key.
``FieldProblem`` carries both, so the validation errors of ``_errors`` (local and the
server's 422) read the way the caller wrote the request.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

__all__ = [
    "NO_FIELD_NAMES",
    "FieldNames",
    "FieldProblem",
    "local_problem",
    "server_problem",
    "with_problems",
]

_MAX_PROBLEM_LINES = 5
_MAX_INPUT_REPR = 60


@dataclass(frozen=True, slots=True)
class FieldNames:
    """A request class's fields: friendly name ↔ wire key (empty for an untyped body)."""

    wire_key_of: Mapping[str, str] = field(default_factory=dict)
    """Friendly name → wire key."""
    name_of: Mapping[str, str] = field(default_factory=dict)
    """Wire key → friendly name."""

    @classmethod
    def of(cls, wire_key_of: Mapping[str, str]) -> FieldNames:
        return cls(dict(wire_key_of), {wire: name for name, wire in wire_key_of.items()})

    def resolve(self, key: object) -> tuple[str | None, str | None]:
        """``(friendly name, wire key)`` of a key given in either spelling; None where unknown."""
        if not isinstance(key, str):
            return None, None
        if key in self.wire_key_of:
            return key, self.wire_key_of[key]
        if key in self.name_of:
            return self.name_of[key], key
        return None, None

    def known(self, key: str) -> bool:
        return key in self.wire_key_of or key in self.name_of

    def suggest(self, key: str) -> str | None:
        """The friendly name closest to a mistyped ``key``, if one is close."""
        close = difflib.get_close_matches(key, list(self.wire_key_of), n=1, cutoff=0.75)
        return close[0] if close else None


NO_FIELD_NAMES = FieldNames()


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One invalid input, named both ways (``None`` where the name is not known)."""

    field: str | None
    """The friendly name (``steps``)."""
    wire_key: str | None
    """The key in the JSON body (``57_steps``)."""
    message: str
    location: tuple[str | int, ...]
    """Where the problem is, as reported (a wire key or friendly name, then any item index)."""
    type: str | None = None
    """The kind of problem as reported (``less_than_equal``, ``maximum``, ``extra_forbidden``)."""

    def __str__(self) -> str:
        where = _spell_field(self.field, self.wire_key, self.location)
        return f"{where}: {self.message}" if where else self.message


def _spell_field(name: str | None, wire_key: str | None, location: tuple[str | int, ...]) -> str:
    inner = "".join(f"[{part}]" for part in location[1:])
    if name is not None and wire_key is not None and name != wire_key:
        return f"{name}{inner} (wire key {wire_key})"
    if name is not None or wire_key is not None:
        return f"{name or wire_key}{inner}"
    return ".".join(str(part) for part in location)


def local_problem(item: ErrorDetails, names: FieldNames) -> FieldProblem:
    location = tuple(item["loc"])
    name, wire_key = names.resolve(location[0] if location else None)
    message = item["msg"].removeprefix("Value error, ").rstrip(". ")
    if item["type"] == "extra_forbidden" and location and isinstance(location[0], str):
        suggestion = names.suggest(location[0])
        message = "unknown input" + (f"; did you mean {suggestion!r}?" if suggestion else "")
    elif item["type"] not in ("missing", "value_error"):
        message += f" (got {_short_repr(item.get('input'))})"
    return FieldProblem(name, wire_key, message, location, item["type"])


def _short_repr(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_INPUT_REPR else text[: _MAX_INPUT_REPR - 1] + "…"


def server_problem(item: Mapping[str, Any], names: FieldNames) -> FieldProblem:
    raw = item.get("loc")
    location = tuple(raw) if isinstance(raw, list | tuple) else ()
    if location[:1] == ("body",):  # FastAPI-style: ["body", "57_steps", 0]
        location = location[1:]
    # The server speaks in wire keys; the friendly name is known for a typed request only.
    wire_key = location[0] if location and isinstance(location[0], str) else None
    name = names.name_of.get(wire_key) if wire_key is not None else None
    message = str(item.get("msg") or item.get("message") or item).rstrip(". ")
    kind = item.get("type")
    return FieldProblem(name, wire_key, message, location, kind if isinstance(kind, str) else None)


def with_problems(message: str, problems: Sequence[FieldProblem]) -> str:
    lines = [str(problem) for problem in problems[:_MAX_PROBLEM_LINES]]
    if len(problems) > _MAX_PROBLEM_LINES:
        lines.append(f"… and {len(problems) - _MAX_PROBLEM_LINES} more (see .problems)")
    return message if not lines else message.rstrip(". ") + ": " + "; ".join(lines)
