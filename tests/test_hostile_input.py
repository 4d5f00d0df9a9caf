"""Hostile input: every schema text ends in located diagnostics or code, never in a traceback,
a hang or a non-strict canonical file.

The size cases are built so that a quadratic (or backtracking) pass over them would take
minutes; they run in a child process with a generous bound, which fails the test if the
work is not linear. That is a bound against hanging, not a speed measurement.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from generator import canonical
from generator.diagnostics import Diagnostics, SourceRef, format_diagnostic
from generator.ingest import Overrides, ingest_sources
from generator.normalize import build_package

HANG_BOUND_SECONDS = 60


def document(properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "model_id": "acme/hostile",
        "input_schema": {"type": "object", "properties": properties, **extra},
    }


def ingest(name: str, text: str) -> tuple[list[str], list[Any]]:
    """Ingest one source and normalize what it gave, as ``runcomfy-codegen ingest`` does."""
    diags = Diagnostics()
    files = ingest_sources(
        [(name, text.encode("utf-8", "surrogatepass"))], model_id=None, diags=diags
    )
    if files and not diags.has_errors:
        overrides = Overrides(names={}, ref=SourceRef("schemas/overrides.toml"))
        build_package(files, overrides=overrides, package_name="sdk", diags=diags)
    return [format_diagnostic(d) for d in diags], files


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"model_id": "a/b", "model_id": "a/c", "input_schema": {}}',
         "duplicate key 'model_id': first at line 1, column 2, again at line 1, column 21"),
        ('{"model_id": "a/b",\n  "input_schema": {"type": "object",, }}',
         "not valid JSON: Expecting property name enclosed in double quotes (line 2, column 37)"),
        (json.dumps(document({"a": {"type": "number"}})).replace('"number"}', '"number", "minimum": NaN}'),
         "NaN is not a JSON number"),
        (json.dumps(document({"a": {"type": "number", "maximum": 1}})).replace('"maximum": 1', '"maximum": 1e999'),
         "the number 1e999 is too large for a float"),
        (json.dumps(document({"a": {"type": "integer", "default": 1}})).replace('"default": 1', '"default": ' + "9" * 5000),
         "an integer of 5000 digits is longer than 40"),
        ('{"model_id": "a/b", "input_schema": {"type": "object", "properties": {"x": {"title": "\\ud800"}}}}',
         "lone surrogate"),
        ("[" * 300 + "]" * 300, "nested deeper than 64 levels"),
    ],
    ids=["duplicate-key", "malformed", "nan", "overflow", "huge-int", "lone-surrogate", "deep"],
)  # fmt: skip
def test_json_that_is_not_strict_is_a_located_error(text: str, expected: str) -> None:
    messages, files = ingest("model.json", text)
    assert files == []
    assert any("error[I012]" in m and expected in m for m in messages), messages


@pytest.mark.parametrize(
    ("schema", "code", "where"),
    [
        ({"type": "string", "enum": [[1], {"x": 1}]}, "S001", "/enum/"),
        ({"type": "array", "items": {"type": "string"}, "minItems": 1e20}, "S001", "/minItems"),
        ({"type": "string", "pattern": "(?=a)b"}, "G013", "/pattern"),
        ({"type": "string", "pattern": "["}, "G013", "/pattern"),
    ],
    ids=["non-scalar-enum", "count-beyond-int", "look-around", "invalid-pattern"],
)
def test_schema_values_the_sdk_cannot_use_are_located_diagnostics(
    schema: dict[str, Any], code: str, where: str
) -> None:
    messages, _ = ingest("model.json", json.dumps(document({"a": schema})))
    assert any(f"[{code}]" in m and where in m.split(":")[0] for m in messages), messages


def test_an_integral_float_count_is_an_integer() -> None:
    schema = {"type": "array", "items": {"type": "string"}, "minItems": 2.0}
    messages, files = ingest("model.json", json.dumps(document({"a": schema})))
    assert [m for m in messages if "error" in m] == [] and files


def test_canonical_files_are_strict_json() -> None:
    with pytest.raises(ValueError):
        canonical.dumps({"minimum": float("nan")})


def test_a_page_cut_off_inside_its_schema_says_where_the_schema_stops() -> None:
    page = (
        "curl https://model-api.runcomfy.net/v1/models/acme/x\n"
        'Input schema {"type": "object", "properties": {"prompt": {"type": "string"'
    )
    messages, _ = ingest("page.txt", page)
    assert any(
        "error[I007]" in m and "the JSON object at line 2, column 14 never closes" in m
        for m in messages
    ), messages


def test_a_duplicate_key_inside_a_page_object_is_reported() -> None:
    page = (
        "POST https://model-api.runcomfy.net/v1/models/acme/x\n"
        '{"type": "object", "properties": {"a": {"type": "string"}, "a": {"type": "integer"}}}'
    )
    messages, _ = ingest("page.txt", page)
    assert any("error[I012]" in m and "duplicate key 'a'" in m for m in messages), messages


def test_a_stray_brace_before_the_schema_does_not_hide_it() -> None:
    page = (
        "Tip: write {placeholders in prose.\n"
        "curl https://model-api.runcomfy.net/v1/models/acme/x\n"
        '{"type": "object", "properties": {"prompt": {"type": "string"}}}'
    )
    messages, files = ingest("page.txt", page)
    assert files and [m for m in messages if "error" in m] == [], messages


def test_long_messages_are_cut() -> None:
    schema = {"type": "string", "enum": ["a"], "default": "b" * 100_000}
    messages, _ = ingest("model.json", json.dumps(document({"a": schema})))
    assert messages and all(len(m) < 1000 for m in messages)


HOSTILE_SIZES = textwrap.dedent("""
    import json, sys
    from generator.diagnostics import Diagnostics, SourceRef
    from generator.ingest import Overrides, ingest_sources
    from generator.normalize import build_package
    n = 100_000
    overrides = Overrides(names={}, ref=SourceRef("overrides.toml"))
    def doc(props):
        return {"model_id": "acme/x", "input_schema": {"type": "object", "properties": props}}
    sources = {
        "key": doc({"1_" + "_" * n + "!": {"type": "string"}}),
        "enum": doc({"71_widthx71_height": {"type": "string", "enum": ["1x1" + " " * n + "!"]}}),
        "rule": doc({"a": {"type": "string", "validations": [
            {"validation_rule": "a" + " " * n + "!", "validation_value": 1}]}}),
        "pattern": doc({"a": {"type": "string", "pattern": "^(a+)+$", "default": "a" * n + "!"}}),
    }
    pages = {
        "braces": "{" * n,
        "strings": '{"a": "' * (n // 6),
        "tags": "<" * n + "html",
    }
    for name, value in sources.items():
        diags = Diagnostics()
        files = ingest_sources([(name + ".json", json.dumps(value).encode())], model_id=None, diags=diags)
        assert files, name
        build_package(files, overrides=overrides, package_name="sdk", diags=diags)
    for name, text in pages.items():
        ingest_sources([(name + ".txt", text.encode())], model_id=None, diags=Diagnostics())
    print("done")
    """)


def test_hundred_kilobyte_keys_values_rules_and_pages_are_read_in_linear_time() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", HOSTILE_SIZES],
        capture_output=True,
        text=True,
        timeout=HANG_BOUND_SECONDS,
        check=False,
    )
    assert completed.returncode == 0 and completed.stdout.strip() == "done", completed.stderr
