"""The only place that spells Python: literals, docstrings, annotations and imports.

Literals always go through ``repr`` (never hand-built escaping); docstrings are escaped
so that any text — quotes, triple quotes, backslashes, ``{{ }}``, control characters —
reads back exactly (up to the whitespace black normalises). Templates get these as
filters; nothing else builds Python source text.
"""

from __future__ import annotations

import io
import math
import re
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .diagnostics import GeneratorBug
from .ir import ArrayOf, FrozenJson, FrozenObject, LiteralOf, MediaUrl, Scalar, TypeRef

# A whole string token in single quotes with no quote, backslash or line break inside.
_PLAIN_SINGLE_QUOTED = re.compile(r"'[^'\"\\\n]*'")
# Characters that str.splitlines() treats as line breaks, besides "\n": black splits
# docstrings with it, so they must stay escaped to survive formatting.
_LINE_BREAKS = frozenset("\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_SCALAR_ANNOTATIONS = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "any": "Any",
    "object": "dict[str, Any]",
}
# Builtins the generated modules spell in annotations: a field of that name would shadow
# the type inside its own class body, so the naming rules keep them free.
ANNOTATION_BUILTINS = frozenset({"str", "int", "float", "bool", "dict", "list", "object"})


def literal(value: FrozenJson) -> str:
    """A Python expression for a JSON value (objects become dicts, arrays lists)."""
    if isinstance(value, FrozenObject):
        items = ", ".join(f"{literal(key)}: {literal(item)}" for key, item in value.items)
        return "{" + items + "}"
    if isinstance(value, tuple):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    if isinstance(value, float) and not math.isfinite(value):
        raise GeneratorBug(f"non-finite float {value!r} reached the renderer")
    return string_literal(value) if isinstance(value, str) else repr(value)


def string_literal(value: str) -> str:
    """``repr``, in double quotes where black would put them (a string with no quotes)."""
    spelled = repr(value)
    if spelled.startswith("'") and '"' not in value and "'" not in value:
        return '"' + spelled[1:-1] + '"'
    return spelled


def double_quoted(code: str) -> str:
    """``code`` with its plain single-quoted strings in double quotes, as black writes them.

    Only string tokens without a prefix, a quote or a backslash inside are touched (never
    text inside another string, such as a docstring); black normalises the rest. Spelling
    them first spares black much of a module's work.
    """
    starts = [0]
    for line in code.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    out: list[str] = []
    last = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(code, newline="\n").readline):
            if token.type == tokenize.STRING and _PLAIN_SINGLE_QUOTED.fullmatch(token.string):
                begin = starts[token.start[0] - 1] + token.start[1]
                out.append(code[last:begin])
                out.append('"' + token.string[1:-1] + '"')
                last = begin + len(token.string)
    except (tokenize.TokenError, SyntaxError):
        return code  # black reports what is wrong with it
    out.append(code[last:])
    return "".join(out)


# Pydantic copies a mutable default for every instance, so the class-attribute warning
# (shared mutable state) does not apply to model fields.
MUTABLE_DEFAULTS_PRAGMA = (
    "# ruff: noqa: RUF012 (pydantic copies mutable field defaults per instance)"
)


def is_mutable(value: FrozenJson) -> bool:
    """True for JSON arrays and objects, which Python spells as list and dict displays."""
    return isinstance(value, tuple | FrozenObject)


def docstring(text: str, *, indent: str = "") -> str:
    """A triple-quoted literal whose value is ``text`` (black may re-indent it)."""
    body = _escape_docstring(text.strip())
    lines = body.split("\n")
    if len(lines) == 1:
        return f'"""{body}"""'
    joined = "\n".join(f"{indent}{line}" if line else "" for line in lines[1:])
    return f'"""{lines[0]}\n{joined}\n{indent}"""'


def _escape_docstring(text: str) -> str:
    out: list[str] = []
    quote_run = 0
    for char in text:
        if char == '"':
            quote_run += 1
            if quote_run == 3:
                out.append('\\"')
                quote_run = 0
                continue
        else:
            quote_run = 0
        out.append(_escape_char(char))
    if out and out[-1] == '"':
        out[-1] = '\\"'
    return "".join(out)


def _escape_char(char: str) -> str:
    if char == "\\":
        return "\\\\"
    if char == "\n" or (char.isprintable() and char not in _LINE_BREAKS):
        return char
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def annotation(
    type_ref: TypeRef, *, media_type: str = "MediaUrl", literal_name: str | None = None
) -> str:
    """The annotation of a type; ``literal_name`` spells its enumeration by an alias."""
    if isinstance(type_ref, Scalar):
        return _SCALAR_ANNOTATIONS[type_ref.kind]
    if isinstance(type_ref, MediaUrl):
        return media_type
    if isinstance(type_ref, LiteralOf):
        if literal_name is not None:
            return literal_name
        return "Literal[" + ", ".join(literal(value) for value in type_ref.values) + "]"
    if isinstance(type_ref, ArrayOf):
        item = annotation(type_ref.item, media_type=media_type, literal_name=literal_name)
        return f"list[{item}]"
    raise GeneratorBug(f"unknown type node {type_ref!r}")


@dataclass(frozen=True, slots=True, order=True)
class Import:
    """``from module import name``; ``level`` counts leading dots of a relative import."""

    section: int
    level: int
    module: str
    name: str


FUTURE, STDLIB, THIRD_PARTY, LOCAL = range(4)
_STDLIB_ROOTS = frozenset(
    {"typing", "collections", "datetime", "decimal", "enum", "functools", "uuid", "pathlib"}
)
_THIRD_PARTY_ROOTS = frozenset({"pydantic", "httpx"})


def classify(module: str, *, level: int = 0) -> int:
    """The isort section of a module: future, stdlib, third party or local."""
    if level:
        return LOCAL
    root = module.split(".")[0]
    if root == "__future__":
        return FUTURE
    if root in _STDLIB_ROOTS:
        return STDLIB
    if root in _THIRD_PARTY_ROOTS:
        return THIRD_PARTY
    raise GeneratorBug(f"generated code may not import {module!r}")


LINE_LENGTH = 100
"""black's line length for generated code (``render.BLACK_MODE`` uses it too)."""


def import_block(imports: Iterable[Import], *, indent: str = "") -> str:
    """Import statements grouped and sorted as isort/ruff expect, one block per section.

    Laid out as black lays them out: one line when it fits, else one name per line with
    a trailing comma.
    """
    grouped: dict[tuple[int, int, str], list[str]] = {}
    for item in sorted(set(imports)):
        grouped.setdefault((item.section, item.level, item.module), []).append(item.name)
    sections: list[list[str]] = []
    last_section = None
    for (section, level, module), names in sorted(grouped.items(), key=_import_order):
        if section != last_section:
            sections.append([])
            last_section = section
        head = f"{indent}from {'.' * level}{module} import "
        sections[-1].append(bracketed(head, _sorted_names(names), "", indent=indent, parens=True))
    return "\n\n".join("\n".join(lines) for lines in sections)


def bracketed(
    head: str,
    items: Sequence[str],
    tail: str,
    *,
    indent: str = "",
    parens: bool = False,
    brackets: str = "()",
) -> str:
    """``head(items)tail`` on one line when it fits, else one item per line.

    The exploded form ends with a trailing comma, which black keeps as it is (the "magic
    trailing comma"; in a subscript only with two or more items), so the text is
    black-formatted either way. ``parens`` marks an import list, whose parentheses
    appear only when it is exploded.
    """
    opening, closing = ("", "") if parens else (brackets[0], brackets[1])
    line = f"{head}{opening}{', '.join(items)}{closing}{tail}"
    if len(line) <= LINE_LENGTH or not items:
        return line
    inner = indent + "    "
    body = "\n".join(f"{inner}{item}," for item in items)
    return f"{head}{brackets[0]}\n{body}\n{indent}{brackets[1]}{tail}"


def fits(text: str) -> bool:
    """Every line within black's line length."""
    return all(len(line) <= LINE_LENGTH for line in text.splitlines())


def module_fits(text: str) -> bool:
    """``fits``, but for a module's opening one-line docstring: black splits no string, so
    it leaves that line as it is, however long (a module index names its level there)."""
    first, _, rest = text.partition("\n")
    one_line_docstring = (
        first.startswith('"""') and first.endswith('"""') and first.count('"""') == 2
    )
    return fits(rest) if one_line_docstring and len(first) > 6 else fits(text)


def _import_order(entry: tuple[tuple[int, int, str], list[str]]) -> tuple[int, int, str]:
    (section, level, module), _ = entry
    # isort puts the more distant relative imports first (``..x`` before ``.y``).
    return (section, -level, module)


def _sorted_names(names: Sequence[str]) -> list[str]:
    return sorted(dict.fromkeys(names), key=imported_name_order)


def _name_group(name: str) -> int:
    """isort's order-by-type groups: CONSTANTS, then Classes, then everything else."""
    if name.isupper() and len(name) > 1:
        return 0
    return 1 if name[:1].isupper() else 2


def imported_name_order(name: str) -> tuple[int, str, str]:
    """Order of names inside one ``from x import ...`` (isort/ruff: groups, case-insensitive)."""
    return (_name_group(name), name.lower(), name)


def dunder_all_order(name: str) -> tuple[int, str]:
    """Order of ``__all__`` entries (ruff RUF022: isort-style groups, case-sensitive)."""
    return (_name_group(name), name)
