"""Python spelling: literals, docstrings, annotations and import blocks."""

from __future__ import annotations

import ast
import math
import random
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator import pyexpr
from generator.diagnostics import GeneratorBug
from generator.ir import ArrayOf, FrozenObject, LiteralOf, MediaUrl, Scalar, TypeRef, freeze
from generator.pyexpr import FUTURE, LOCAL, STDLIB, THIRD_PARTY, Import
from generator.render import format_python

# Characters that break naive escaping, mixed into otherwise arbitrary text.
TRICKY = st.sampled_from(
    ['"', '"""', "'", "\\", "\n", "\r", "\t", " ", "{{", "}}", "\x00", "\x0c", "\x85", "\u2028"]
)
ANY_CHAR = st.characters(exclude_categories=())  # includes lone surrogates
ANY_TEXT = st.one_of(
    st.text(ANY_CHAR, max_size=60),
    st.lists(st.one_of(TRICKY, st.text(max_size=3)), max_size=20).map("".join),
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(ANY_CHAR, max_size=10),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(ANY_CHAR, max_size=6), children, max_size=4),
    max_leaves=15,
)


def same_json(left: Any, right: Any) -> bool:
    """Equality that also tells 1, 1.0 and True apart (plain ``==`` does not)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(same_json(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(same_json, left, right))
    if isinstance(left, float):
        return left == right and math.copysign(1, left) == math.copysign(1, right)
    return bool(left == right)


def class_docstring(source: str) -> str | None:
    """The docstring of ``class A`` in ``source``, exactly as the compiler reads it."""
    tree = ast.parse(source)
    compile(tree, "<generated>", "exec")
    node = tree.body[0]
    assert isinstance(node, ast.ClassDef)
    return ast.get_docstring(node, clean=False)


# --- docstrings ---------------------------------------------------------------------------


def _words(text: str) -> list[list[str]]:
    """A text's lines, each split on spaces: what a docstring keeps whatever its layout."""
    return [line.split(" ") for line in text.split("\n")]


def _same_words(value: str, text: str) -> bool:
    kept = [[word for word in line if word] for line in _words(value)]
    return kept == [[word for word in line if word] for line in _words(text.strip())]


@settings(max_examples=200, deadline=None)
@given(text=ANY_TEXT)
@example(text='ends with a quote"')
@example(text='""""""')
@example(text='"starts with a quote')
@example(text="trailing backslash \\")
@example(text="\\N{BULLET} and \\u1234 stay text")
def test_docstring_reads_back_up_to_spaces_at_line_edges(text: str) -> None:
    value = ast.literal_eval(pyexpr.docstring(text))
    # A multi-line docstring closes on a line of its own (PEP 257), which adds one newline.
    if "\n" in text.strip():
        assert value.endswith("\n")
        value = value[:-1]
    assert _same_words(value, text)


@settings(max_examples=200, deadline=None)
@given(text=ANY_TEXT, indent=st.sampled_from(["", "    "]))
@example(text="first\n\n    indented\nlast", indent="    ")
@example(text="first  \n    all indented \n      more", indent="    ")
@example(text='two lines\nending in a quote"', indent="")
@example(text='"""""""', indent="")
def test_docstring_is_what_black_keeps_in_a_module_a_class_and_after_a_field(
    text: str, indent: str
) -> None:
    doc = pyexpr.docstring(text, indent=indent)
    if indent:
        source = f"class A:\n    {doc}\n\n    x: int\n    {doc}\n"
    else:
        source = f"{doc}\n\nx: int\n{doc}\n"
    assert format_python(source) == source
    assert pyexpr.is_laid_out(source) or not pyexpr.fits(source.replace(doc, ""))
    value = ast.literal_eval(doc)
    assert _same_words(value.removesuffix("\n" + indent) if "\n" in value else value, text)


def test_docstring_escapes() -> None:
    assert pyexpr.docstring("plain") == '"""plain"""'
    assert pyexpr.docstring('say "hi"') == '"""say "hi\\" """'
    assert pyexpr.docstring('"hi" she said') == '""" "hi" she said"""'
    assert pyexpr.docstring("a\\b") == '"""a\\\\b"""'
    assert pyexpr.docstring("  padded  ") == '"""padded"""'
    assert pyexpr.docstring("one  \ntwo ", indent="    ") == '"""one\n    two\n    """'
    assert pyexpr.docstring("one\n\n  two\n   three", indent="    ") == (
        '"""one\n\n    two\n     three\n    """'
    )
    assert pyexpr.docstring('"""""') == '""" ""\\""\\" """'


def test_docstring_keeps_non_ascii_text_readable() -> None:
    assert pyexpr.docstring("プロンプト — 提示词") == '"""プロンプト — 提示词"""'


# --- literals -----------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(value=JSON_VALUES)
@example(value={"a": [1, 1.0, True, None, -0.0, "x'\"\\"]})
@example(value=[10**30, 1e-300, 1.5e300])
def test_literal_evaluates_back_to_the_json_value(value: Any) -> None:
    source = pyexpr.literal(freeze(value))
    assert same_json(ast.literal_eval(source), value)


def test_literal_spelling() -> None:
    assert pyexpr.literal(None) == "None"
    assert pyexpr.literal(True) == "True"
    assert pyexpr.literal(1.0) == "1.0"
    assert pyexpr.literal("it's") == '"it\'s"'
    assert pyexpr.literal((1, "a")) == '[1, "a"]'
    assert pyexpr.literal(FrozenObject((("b", 1), ("a", ())))) == '{"b": 1, "a": []}'


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_floats_are_a_generator_bug(value: float) -> None:
    with pytest.raises(GeneratorBug):
        pyexpr.literal(value)
    with pytest.raises(GeneratorBug):
        pyexpr.literal((1, FrozenObject((("x", value),))))


# --- annotations --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("type_ref", "expected"),
    [
        (Scalar(kind="string"), "str"),
        (Scalar(kind="integer"), "int"),
        (Scalar(kind="number"), "float"),
        (Scalar(kind="boolean"), "bool"),
        (Scalar(kind="any"), "Any"),
        (Scalar(kind="object"), "dict[str, Any]"),
        (MediaUrl(kind="image"), "MediaUrl"),
        (MediaUrl(kind="video"), "MediaUrl"),
        (
            LiteralOf(values=("auto", "5", "6"), base=Scalar(kind="string")),
            'Literal["auto", "5", "6"]',
        ),
        (LiteralOf(values=(81, 141), base=Scalar(kind="integer")), "Literal[81, 141]"),
        (LiteralOf(values=(True,), base=Scalar(kind="boolean")), "Literal[True]"),
        (LiteralOf(values=("it's",), base=Scalar(kind="string")), 'Literal["it\'s"]'),
        (ArrayOf(item=Scalar(kind="string")), "list[str]"),
        (ArrayOf(item=MediaUrl(kind="image")), "list[MediaUrl]"),
        (ArrayOf(item=ArrayOf(item=Scalar(kind="any"))), "list[list[Any]]"),
    ],
)
def test_annotation(type_ref: TypeRef, expected: str) -> None:
    assert pyexpr.annotation(type_ref) == expected
    ast.parse(expected, mode="eval")


def test_annotation_uses_the_given_media_type_at_any_depth() -> None:
    assert pyexpr.annotation(MediaUrl(kind="audio"), media_type="str") == "str"
    nested = ArrayOf(item=ArrayOf(item=MediaUrl(kind="audio")))
    assert pyexpr.annotation(nested, media_type="AudioUrl") == "list[list[AudioUrl]]"


def test_unknown_type_node_is_a_generator_bug() -> None:
    with pytest.raises(GeneratorBug):
        pyexpr.annotation(object())  # type: ignore[arg-type]


# --- imports ------------------------------------------------------------------------------


def imported(module: str, name: str, level: int = 0) -> Import:
    return Import(pyexpr.classify(module, level=level), level, module, name)


IMPORTS = [
    imported("pydantic", "Field"),
    imported("typing", "Literal"),
    imported("typing", "Any"),
    imported("typing", "TYPE_CHECKING"),
    imported("typing", "cast"),
    imported("__future__", "annotations"),
    imported("_runtime", "RequestModel", level=1),
    imported("models", "Thing", level=2),
    imported("pydantic", "BaseModel"),
    imported("httpx", "Client"),
    imported("collections.abc", "Mapping"),
    imported("typing", "Any"),
]
EXPECTED_BLOCK = """\
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, cast

from httpx import Client
from pydantic import BaseModel, Field

from ..models import Thing
from ._runtime import RequestModel"""


def test_import_block_groups_and_sorts_like_isort() -> None:
    assert pyexpr.import_block(IMPORTS) == EXPECTED_BLOCK


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_import_block_does_not_depend_on_input_order(seed: int) -> None:
    shuffled = list(IMPORTS)
    random.Random(seed).shuffle(shuffled)
    assert pyexpr.import_block(shuffled) == EXPECTED_BLOCK


def test_import_block_of_one_section_has_no_blank_lines() -> None:
    block = pyexpr.import_block([imported("typing", "Any"), imported("datetime", "date")])
    assert block == "from datetime import date\nfrom typing import Any"
    assert pyexpr.import_block([]) == ""


@pytest.mark.parametrize(
    ("module", "level", "section"),
    [
        ("__future__", 0, FUTURE),
        ("typing", 0, STDLIB),
        ("collections.abc", 0, STDLIB),
        ("pathlib", 0, STDLIB),
        ("pydantic", 0, THIRD_PARTY),
        ("httpx", 0, THIRD_PARTY),
        ("_runtime", 1, LOCAL),
        ("os", 1, LOCAL),
    ],
)
def test_classify(module: str, level: int, section: int) -> None:
    assert pyexpr.classify(module, level=level) == section


@pytest.mark.parametrize(
    "module", ["os", "subprocess", "requests", "runcomfy_sdk", "typing_extensions"]
)
def test_disallowed_modules_are_a_generator_bug(module: str) -> None:
    with pytest.raises(GeneratorBug, match="may not import"):
        pyexpr.classify(module)


@given(ANY_TEXT)
def test_string_literals_read_back_and_are_spelled_as_black_spells_them(value: str) -> None:
    spelled = pyexpr.string_literal(value)
    assert ast.literal_eval(spelled) == value
    statement = f"x = {spelled}\n"
    assert format_python(statement) == statement


@given(
    st.lists(ANY_TEXT, max_size=4),
    st.lists(st.integers() | st.floats(allow_nan=False, allow_infinity=False), max_size=4),
    ANY_TEXT,
)
def test_literals_are_respelled_as_black_spells_them_and_docstrings_kept(
    values: list[str], numbers: list[float], doc: str
) -> None:
    code = (
        f"class C:\n    {pyexpr.docstring(doc, indent='    ')}\n\n"
        f"    x = [{', '.join(repr(value) for value in values)}]\n"
        f"    y = [{', '.join(repr(number) for number in numbers)}]\n"
    )
    quoted = pyexpr.black_literals(code)
    assert quoted is not None
    assert ast.dump(ast.parse(quoted)) == ast.dump(ast.parse(code))
    assert format_python(quoted) == format_python(code)
    assert format_python(quoted) == quoted or not pyexpr.fits(quoted)


@pytest.mark.parametrize("code", ["x = r'a'\n", "x = b'a'\n", "x = '''a'''\n", "x = 0x1F\n"])
def test_literals_black_may_respell_otherwise_are_left_to_black(code: str) -> None:
    assert pyexpr.black_literals(code) is None
