"""Strict JSON from untrusted text, in linear time, with located diagnostics.

Schemas arrive as saved web pages, JSON files and catalog answers. ``json.loads`` alone
accepts duplicate keys (last wins), ``NaN``/``Infinity`` and numbers that overflow to
infinity, and it recurses once per nesting level, so a deep enough document raises
``RecursionError``. ``parse`` first walks the text once (``_Scanner``: strings, nesting,
the keys of every object with their positions), then decodes it with hooks that refuse
non-finite numbers and over-long integers, and turns every problem into a diagnostic with
a line and a column. ``objects_in`` finds the top-level ``{...}`` spans of free text (a
page) in one pass, and where one never closes.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .diagnostics import Diagnostics, SourceRef

MAX_DEPTH = 64
MAX_INT_DIGITS = 40


class JsonProblem(ValueError):
    """Why a text is not acceptable JSON: a message with the line and column."""


@dataclass(frozen=True, slots=True)
class Span:
    """A top-level ``{...}`` of free text; ``end`` is None when its braces never close."""

    start: int
    end: int | None


def parse(text: str, ref: SourceRef, diags: Diagnostics, *, code: str) -> Any | None:
    """The JSON value of ``text``; None (with one ``code`` error) when it is not strict JSON."""
    try:
        return loads(text)
    except JsonProblem as problem:
        diags.error(code, str(problem), ref)
        return None


def loads(text: str) -> Any:
    """Strict JSON: no duplicate keys, no non-finite numbers, bounded depth and integers."""
    _Scanner(text).check()
    try:
        value = json.loads(
            text, parse_constant=_refuse_constant, parse_float=_finite, parse_int=_bounded_int
        )
    except json.JSONDecodeError as error:
        raise JsonProblem(
            f"not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
        ) from None
    _check_unicode(value)
    return value


def _check_unicode(value: Any) -> None:
    """Refuse lone surrogates (``"\\ud800"``): no file, header or docstring can hold them."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as error:
                raise JsonProblem(
                    f"a string holds a lone surrogate (\\u{ord(item[error.start]):04x}), "
                    "which is no Unicode text"
                ) from None


def objects_in(text: str) -> Iterator[Span]:
    """Every top-level ``{...}`` span of free text, in order, found in one linear pass.

    Braces inside JSON strings do not count (quotes count only inside an object, since
    prose around the objects has quotes of its own). A span that never closes is reported
    once (``end`` None) and ends the search, since everything after it lies inside it.
    """
    depth, start, index = 0, 0, 0
    while True:
        found = _BRACE_OR_QUOTE.search(text, index)
        if found is None:
            break
        index, char = found.start(), found.group()
        if char == '"':
            if depth:
                end = _string_end(text, index)
                if end is None:
                    break
                index = end
                continue
        elif char == "{":
            if depth == 0:
                start = index
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                yield Span(start, index + 1)
        index += 1
    if depth:
        yield Span(start, None)


def position(text: str, offset: int) -> str:
    """``line L, column C`` of a character offset (both counted from 1)."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _refuse_constant(name: str) -> Any:
    raise JsonProblem(f"{name} is not a JSON number; write a finite number")


def _finite(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise JsonProblem(f"the number {literal[:40]} is too large for a float")
    return value


def _bounded_int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INT_DIGITS:
        raise JsonProblem(f"an integer of {len(literal)} digits is longer than {MAX_INT_DIGITS}")
    return int(literal)


class _Scanner:
    """One pass over a JSON text: nesting depth and duplicate keys, with positions.

    It trusts ``json.loads`` for everything else (it stops quietly on what it does not
    understand, and the decoder then reports the syntax error).
    """

    def __init__(self, text: str) -> None:
        self.text = text

    def check(self) -> None:
        text = self.text
        # One frame per open container: None for an array, key → offset for an object.
        stack: list[dict[str, int] | None] = []
        expecting_key = False
        index = 0
        while True:
            found = _STRUCTURE.search(text, index)
            if found is None:
                return
            index, char = found.start(), found.group()
            if char == '"':
                end = _string_end(text, index)
                if end is None:
                    return
                frame = stack[-1] if stack else None
                if expecting_key and frame is not None:
                    self._key(frame, text[index:end], index)
                expecting_key = False
                index = end
                continue
            if char in "{[":
                if len(stack) >= MAX_DEPTH:
                    raise JsonProblem(
                        f"nested deeper than {MAX_DEPTH} levels at {position(text, index)}"
                    )
                stack.append({} if char == "{" else None)
                expecting_key = char == "{"
            elif char in "}]":
                if stack:
                    stack.pop()
                expecting_key = False
            else:  # ","
                expecting_key = bool(stack) and stack[-1] is not None
            index += 1

    def _key(self, keys: dict[str, int], literal: str, offset: int) -> None:
        try:
            key = json.loads(literal)
        except json.JSONDecodeError:
            return
        if not isinstance(key, str):
            return
        if key in keys:
            raise JsonProblem(
                f"duplicate key {key[:80]!r}: first at {position(self.text, keys[key])}, "
                f"again at {position(self.text, offset)}"
            )
        keys[key] = offset


def _string_end(text: str, start: int) -> int | None:
    """The offset just past the JSON string that opens at ``start``; None if unterminated.

    Jumps from quote to quote; a quote preceded by an odd run of backslashes is escaped.
    Each run is counted once, so the whole scan stays linear.
    """
    index = start + 1
    while True:
        quote = text.find('"', index)
        if quote == -1:
            return None
        backslashes, before = 0, quote - 1
        while before > start and text[before] == "\\":
            backslashes, before = backslashes + 1, before - 1
        if backslashes % 2 == 0:
            return quote + 1
        index = quote + 1


_STRUCTURE = re.compile(r'["{}\[\],]')
_BRACE_OR_QUOTE = re.compile(r'[{}"]')
