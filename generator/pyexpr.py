"""The only place that spells Python: literals, docstrings, annotations and imports.

Literals always go through ``repr`` (never hand-built escaping); docstrings are escaped
so that any text — quotes, triple quotes, backslashes, ``{{ }}``, control characters —
reads back exactly (up to the whitespace black normalises). Templates get these as
filters; nothing else builds Python source text.
"""

from __future__ import annotations

import ast
import io
import math
import re
import tokenize
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .diagnostics import GeneratorBug
from .ir import ArrayOf, FrozenJson, FrozenObject, LiteralOf, MediaUrl, Scalar, TypeRef

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
    if isinstance(value, str):
        return string_literal(value)
    return number_literal(repr(value)) if isinstance(value, int | float) else repr(value)


def string_literal(value: str) -> str:
    """``repr``, in the quotes black prefers: double unless that needs more escapes.

    black swaps a single-quoted string to double quotes when the swap escapes no more
    quotes than it unescapes, so the choice depends only on how many of each the value holds.
    """
    spelled = repr(value)
    if spelled[0] == '"' or value.count('"') > value.count("'"):
        return spelled
    return '"' + _REPR_QUOTE_ESCAPES.sub(_swap_quote_escape, spelled[1:-1]) + '"'


# In a single-quoted ``repr``: an escape (backslash and one character) or a bare double quote.
_REPR_QUOTE_ESCAPES = re.compile(r'\\.|"', re.DOTALL)


def _swap_quote_escape(match: re.Match[str]) -> str:
    token = match.group()
    if token == '"':
        return '\\"'
    return "'" if token == "\\'" else token


def black_literals(code: str) -> str | None:
    """``code`` with every string and number spelled as black spells it, or None if unsure.

    Plain string tokens are spelled again by ``string_literal`` (black's quote choice;
    their value is kept); our docstrings (triple double quotes) are already black's. A
    prefixed string or one in triple single quotes is a spelling this module does not
    produce: None, so that black formats the module. Numbers are ``repr``'s, re-spelled
    by ``number_literal``; any other spelling is None too.
    """
    starts = [0]
    for line in code.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    out: list[str] = []
    last = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(code, newline="\n").readline):
            if token.type == tokenize.NUMBER:
                if not _REPR_NUMBER.fullmatch(token.string):
                    return None
                spelled = number_literal(token.string)
            elif token.type != tokenize.STRING or token.string.startswith('"""'):
                continue
            elif token.string[0] not in "'\"" or token.string.startswith("'''"):
                return None
            else:
                spelled = string_literal(ast.literal_eval(token.string))
            begin = starts[token.start[0] - 1] + token.start[1]
            out.append(code[last:begin])
            out.append(spelled)
            last = begin + len(token.string)
    except (tokenize.TokenError, SyntaxError):
        return None  # black reports what is wrong with it
    out.append(code[last:])
    return "".join(out)


# A number as ``repr`` spells an int or a finite float.
_REPR_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:e[+-][0-9]+)?")


def number_literal(spelled: str) -> str:
    """A number ``repr`` spelled, as black spells it: no ``+`` in an exponent (``1e308``)."""
    return spelled.replace("e+", "e")


# Pydantic copies a mutable default for every instance, so the class-attribute warning
# (shared mutable state) does not apply to model fields.
MUTABLE_DEFAULTS_PRAGMA = (
    "# ruff: noqa: RUF012 (pydantic copies mutable field defaults per instance)"
)


def is_mutable(value: FrozenJson) -> bool:
    """True for JSON arrays and objects, which Python spells as list and dict displays."""
    return isinstance(value, tuple | FrozenObject)


def docstring(text: str, *, indent: str = "") -> str:
    """A triple-quoted literal of ``text``, laid out exactly as black keeps a docstring.

    ``indent`` is the indentation of the statement (four spaces a level, as black's).
    The value is ``text`` up to the whitespace black normalises: spaces at line ends, the
    common indentation of the lines after the first, a space that keeps a leading or
    trailing quote off the delimiters. The body never holds three quotes in a row, so
    ``is_laid_out`` can tell where it ends from its text.
    """
    lines = _escape_docstring(text.strip()).split("\n")
    # black keeps a quote off the delimiters with a space (a one-line docstring also ends
    # next to them); an odd backslash cannot end the body, since every one is doubled.
    first = " " + lines[0] if lines[0].startswith('"') else lines[0]
    if len(lines) == 1:
        return f'"""{first} """' if first.endswith('"') else f'"""{first}"""'
    rest = [line.rstrip(" ") for line in lines[1:]]
    margin = min((len(line) - len(line.lstrip(" ")) for line in rest if line), default=0)
    body = [first.rstrip(" ")] + [f"{indent}{line[margin:]}" if line else "" for line in rest]
    return '"""' + "\n".join(body) + f'\n{indent}"""'


def _escape_docstring(text: str) -> str:
    """Escaped text; every third quote of a run is escaped, counting an escaped one too."""
    out: list[str] = []
    quote_run = 0
    for char in text:
        if char == '"':
            quote_run += 1
            if quote_run == 3:
                out.append('\\"')
                quote_run = 1
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
"""black's line length for generated code (``render.black_mode`` uses it too)."""


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


def hugged(head: str, items: Sequence[str], tail: str, *, indent: str = "") -> str:
    """``head[items]tail`` as black splits a subscript or a display that is not a ``def``.

    One line when it fits; else the items on one line of their own between the brackets
    (black adds no comma there), as a lone item always is; else one item per line, with
    the comma black adds.
    """
    joined = ", ".join(items)
    line = f"{head}[{joined}]{tail}"
    inner = indent + "    "
    if len(line) <= LINE_LENGTH or not items:
        return line
    if len(items) == 1 or len(inner) + len(joined) <= LINE_LENGTH:
        return f"{head}[\n{inner}{joined}\n{indent}]{tail}"
    return bracketed(head, items, tail, indent=indent, brackets="[]")


def fits(text: str) -> bool:
    """Every line within black's line length."""
    return all(len(line) <= LINE_LENGTH for line in text.splitlines())


# A line black cannot split, however long: one string, maybe a keyword's value, maybe
# followed by the comma of an exploded list.
_UNSPLITTABLE = re.compile(
    r' *(?:[A-Za-z_][A-Za-z0-9_]*=)?(?:"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'),?'
)
# black measures a line in columns: its table counts a character as one or, from U+1100
# on, maybe two (East Asian wide); never zero. So a line is at least as wide as it is long.
_MAYBE_WIDE = "\u1100"


def _surely_fits(line: str) -> bool:
    if line.isascii():
        return len(line) <= LINE_LENGTH
    return len(line) + sum(char >= _MAYBE_WIDE for char in line) <= LINE_LENGTH


def is_laid_out(text: str) -> bool:
    """True when black would keep ``text``, given that its code was laid out here.

    Every line of code must fit (for sure, whatever the width of its characters), or be
    one that black cannot split (a lone string). A layout decided here on a length over
    the limit is black's too, since a line is at least as wide as it is long. Lines of
    docstrings, which black never splits, may be longer: ``docstring`` spells them as
    black keeps them and never puts three quotes in a row inside one, so a docstring of
    more than one line ends on a line that holds only its closing quotes.
    """
    in_docstring = False
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        if in_docstring:
            in_docstring = stripped != '"""'
        elif stripped.startswith('"""'):
            in_docstring = len(stripped) < 6 or not stripped.endswith('"""')
        elif not _surely_fits(line) and not _UNSPLITTABLE.fullmatch(line):
            return False
    return not in_docstring


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
