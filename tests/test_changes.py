"""The change report: every kind with its severity, ids, semver, text and JSON output.

Packages are built the way the generator builds them (``ingest_sources`` + ``build_package``)
from small inline schemas, so the comparison is tested on real IR. Friendly names are never
spelled out here: where a test needs a name it reads it from the IR or pins it with an
override, because the naming rules may change independently of this module.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from generator import changes
from generator.changes import (
    SEVERITY_BY_KIND,
    Change,
    ChangeReport,
    Severity,
    compare_packages,
    format_json,
    format_text,
)
from generator.diagnostics import Diagnostics, SourceRef
from generator.ingest import Overrides, ingest_sources
from generator.ir import Model, Namespace, NamespaceEntry, Package, accessor_paths
from generator.normalize import build_package

REPO = Path(__file__).resolve().parent.parent
MODEL = "acme/demo"
Document = dict[str, Any]
Expected = list[tuple[str, str]]

B, C, N = "breaking", "compatible", "notice"


# ---------------------------------------------------------------------------------------
# Builders


def doc(
    properties: Mapping[str, Any],
    required: Sequence[str] = (),
    *,
    model_id: str = MODEL,
    output: Mapping[str, Any] | None = None,
    description: str | None = None,
) -> Document:
    """A model JSON document as ``ingest`` reads it."""
    input_schema: Document = {"type": "object", "properties": dict(properties)}
    if required:
        input_schema["required"] = list(required)
    if description is not None:
        input_schema["description"] = description
    document: Document = {"model_id": model_id, "input_schema": input_schema}
    if output is not None:
        document["output_schema"] = {"type": "object", "properties": dict(output)}
    return document


def package(
    documents: Sequence[Document], names: Mapping[str, Mapping[str, str]] | None = None
) -> Package:
    """The IR the generator builds from ``documents``; fails the test on any error."""
    diags = Diagnostics()
    sources = [(f"src{i}.json", json.dumps(d).encode()) for i, d in enumerate(documents)]
    files = ingest_sources(sources, model_id=None, diags=diags)
    overrides = Overrides(names=dict(names or {}), ref=SourceRef("overrides.toml"))
    built = build_package(files, overrides=overrides, package_name="runcomfy_sdk", diags=diags)
    assert not diags.has_errors, [str(d) for d in diags]
    return built


def kinds(report: ChangeReport) -> Expected:
    return sorted((change.kind, change.severity.value) for change in report.changes)


def model_of(pkg: Package, model_id: str = MODEL) -> Model:
    return next(model for model in pkg.models if model.model_id == model_id)


def replace_model(pkg: Package, model: Model) -> Package:
    """``pkg`` with one model swapped, in the model list and in the namespace entries."""

    def entry(e: NamespaceEntry) -> NamespaceEntry:
        hit = e.model is not None and e.model.model_id == model.model_id
        return dataclasses.replace(e, model=model) if hit else e

    def namespace(ns: Namespace) -> Namespace:
        return dataclasses.replace(ns, entries=tuple(entry(e) for e in ns.entries))

    models = tuple(model if m.model_id == model.model_id else m for m in pkg.models)
    namespaces = tuple(namespace(ns) for ns in pkg.namespaces)
    return dataclasses.replace(pkg, models=models, namespaces=namespaces)


def rename_accessor(pkg: Package, model_id: str, attribute: str) -> Package:
    """``pkg`` with the leaf attribute that reaches ``model_id`` renamed."""

    def entry(e: NamespaceEntry) -> NamespaceEntry:
        hit = e.model is not None and e.model.model_id == model_id
        return dataclasses.replace(e, attribute=attribute) if hit else e

    def namespace(ns: Namespace) -> Namespace:
        return dataclasses.replace(ns, entries=tuple(entry(e) for e in ns.entries))

    return dataclasses.replace(pkg, namespaces=tuple(namespace(ns) for ns in pkg.namespaces))


def real_documents() -> list[Document]:
    return [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((REPO / "schemas").rglob("*.json"))
    ]


# ---------------------------------------------------------------------------------------
# The table: one schema change → the exact kinds and severities reported


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    old: list[Document]
    new: list[Document]
    expected: Expected
    old_names: Mapping[str, Mapping[str, str]] = dataclasses.field(default_factory=dict)
    new_names: Mapping[str, Mapping[str, str]] = dataclasses.field(default_factory=dict)


def field_case(
    case_id: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    expected: Expected,
    *,
    key: str = "7_value",
    old_required: bool = False,
    new_required: bool = False,
    names: Mapping[str, str] | None = None,
) -> Case:
    """One field ``key`` changing from ``old`` to ``new``; ``names`` pins its friendly name."""
    pinned = {MODEL: dict(names)} if names else {}
    return Case(
        case_id,
        [doc({key: dict(old)}, [key] if old_required else [])],
        [doc({key: dict(new)}, [key] if new_required else [])],
        expected,
        pinned,
        pinned,
    )


INTEGER: dict[str, Any] = {"type": "integer"}
STRING: dict[str, Any] = {"type": "string"}
STRINGS: dict[str, Any] = {"type": "array", "items": {"type": "string"}}

# name in the JSON schema, the kind slug, the field type it applies to, lower bound?
BOUND_KEYWORDS: list[tuple[str, str, dict[str, Any], bool]] = [
    ("minimum", "min", INTEGER, True),
    ("exclusiveMinimum", "exclusive-min", INTEGER, True),
    ("maximum", "max", INTEGER, False),
    ("exclusiveMaximum", "exclusive-max", INTEGER, False),
    ("minLength", "min-length", STRING, True),
    ("maxLength", "max-length", STRING, False),
    ("minItems", "min-items", STRINGS, True),
    ("maxItems", "max-items", STRINGS, False),
]


def bound_cases() -> list[Case]:
    cases = []
    for keyword, slug, base, lower in BOUND_KEYWORDS:
        narrow, wide = ("increased", "decreased") if lower else ("decreased", "increased")
        low, high = {**base, keyword: 2}, {**base, keyword: 5}
        kind = f"request-property-{slug}"
        cases += [
            field_case(f"{keyword} {narrow}", *((low, high) if lower else (high, low)),
                       [(f"{kind}-{narrow}", B)]),
            field_case(f"{keyword} {wide}", *((high, low) if lower else (low, high)),
                       [(f"{kind}-{wide}", C)]),
            field_case(f"{keyword} set", base, low, [(f"{kind}-set", B)]),
            field_case(f"{keyword} unset", low, base, [(f"{kind}-unset", C)]),
        ]  # fmt: skip
    return cases


def rule(text: str, value: object, message: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"validation_rule": text, "validation_value": value}
    if message is not None:
        entry["validation_error"] = message
    return entry


def with_rules(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"type": "string", "format": "image_uri", "validations": list(rules)}


OUTPUT = {
    "image": {"type": "string", "format": "uri"},
    "images": {"type": "array", "items": {"type": "string", "format": "uri"}},
}
PINNED = {"7_value": "value"}

CASES: list[Case] = [
    # models
    Case("model added", [doc({})], [doc({}), doc({}, model_id="acme/other")],
         [("model-added", C)]),
    Case("model removed", [doc({}), doc({}, model_id="acme/other")], [doc({})],
         [("model-removed", B)]),
    Case("model description changed", [doc({}, description="Old.")],
         [doc({}, description="New.")], [("model-description-changed", N)]),
    # fields appearing and disappearing
    Case("optional field added", [doc({})], [doc({"7_value": INTEGER})],
         [("new-optional-request-property", C)]),
    Case("required field added", [doc({})], [doc({"7_value": INTEGER}, ["7_value"])],
         [("new-required-request-property", B)]),
    Case("field removed", [doc({"7_value": INTEGER})], [doc({})],
         [("request-property-removed", B)]),
    # types
    field_case("type changed", INTEGER, STRING, [("request-property-type-changed", B)]),
    field_case("item type changed", STRINGS, {"type": "array", "items": INTEGER},
               [("request-property-type-changed", B)]),
    field_case("integer to number", INTEGER, {"type": "number"},
               [("request-property-type-generalized", C)]),
    field_case("float keyword reads as number", {"type": "number"}, {"type": "float"}, []),
    field_case("media kind changed", {"type": "string", "format": "image_uri"},
               {"type": "string", "format": "video_uri"},
               [("request-property-format-changed", B)]),
    field_case("media to plain string", {"type": "string", "format": "image_uri"}, STRING,
               [("request-property-format-changed", B)]),
    field_case("media list kind changed",
               {"type": "array", "items": {"type": "string", "format": "image_uri"}},
               {"type": "array", "items": {"type": "string", "format": "audio_uri"}},
               [("request-property-format-changed", B)]),
    # enums and Literals
    field_case("enum value added", {"type": "string", "enum": ["a", "b"]},
               {"type": "string", "enum": ["a", "b", "c"]},
               [("python-literal-widened", C), ("request-property-enum-value-added", C)]),
    field_case("enum value removed", {"type": "string", "enum": ["a", "b"]},
               {"type": "string", "enum": ["a"]},
               [("python-literal-narrowed", B), ("request-property-enum-value-removed", B)]),
    field_case("enum value replaced", {"type": "integer", "enum": [81, 141]},
               {"type": "integer", "enum": [81, 161]},
               [("python-literal-narrowed", B), ("request-property-enum-value-added", C),
                ("request-property-enum-value-removed", B)]),
    field_case("enum reordered", {"type": "string", "enum": ["a", "b"]},
               {"type": "string", "enum": ["b", "a"]}, []),
    field_case("became enum", STRING, {"type": "string", "enum": ["a"]},
               [("request-property-became-enum", B)]),
    field_case("enum lifted", {"type": "string", "enum": ["a"]}, STRING,
               [("request-property-became-not-enum", C)]),
    field_case("enum base integer to number, same values",
               {"type": "integer", "enum": [1, 2]}, {"type": "number", "enum": [1.0, 2.0]},
               [("request-property-type-generalized", C)]),
    field_case("enum changes base type", {"type": "integer", "enum": [1]},
               {"type": "string", "enum": ["1"]},
               [("python-literal-narrowed", B), ("request-property-type-changed", B)]),
    # bounds
    *bound_cases(),
    field_case("bound int to equal float", {"type": "number", "minimum": 1, "maximum": 4},
               {"type": "number", "minimum": 1.0, "maximum": 4.0}, []),
    field_case("bound fractional increase", {"type": "number", "maximum": 4},
               {"type": "number", "maximum": 4.5}, [("request-property-max-increased", C)]),
    field_case("bounds dropped when an enum supersedes them", {**INTEGER, "maximum": 9},
               {**INTEGER, "maximum": 9, "enum": [1, 2]},
               [("request-property-became-enum", B)]),
    field_case("multipleOf set", INTEGER, {**INTEGER, "multipleOf": 2},
               [("request-property-multiple-of-set", B)]),
    field_case("multipleOf unset", {**INTEGER, "multipleOf": 2}, INTEGER,
               [("request-property-multiple-of-unset", C)]),
    field_case("multipleOf changed", {**INTEGER, "multipleOf": 2}, {**INTEGER, "multipleOf": 3},
               [("request-property-multiple-of-changed", B)]),
    field_case("multipleOf generalized", {**INTEGER, "multipleOf": 4},
               {**INTEGER, "multipleOf": 2}, [("request-property-multiple-of-generalized", C)]),
    field_case("pattern added", STRING, {**STRING, "pattern": "^a"},
               [("request-property-pattern-added", B)]),
    field_case("pattern changed", {**STRING, "pattern": "^a"}, {**STRING, "pattern": "^b"},
               [("request-property-pattern-changed", N)]),
    field_case("pattern removed", {**STRING, "pattern": "^a"}, STRING,
               [("request-property-pattern-removed", C)]),
    # required, nullable, default
    field_case("became required", INTEGER, INTEGER,
               [("python-argument-became-required", B),
                ("request-property-became-required", B)], new_required=True),
    field_case("became optional", INTEGER, INTEGER,
               [("request-property-became-optional", C)], old_required=True),
    field_case("became not nullable", {"type": ["string", "null"]}, STRING,
               [("request-property-became-not-nullable", B)]),
    field_case("became nullable", STRING, {"type": ["string", "null"]},
               [("request-property-became-nullable", C)]),
    field_case("default added", INTEGER, {**INTEGER, "default": 3},
               [("request-property-default-value-added", N)]),
    field_case("default removed", {**INTEGER, "default": 3}, INTEGER,
               [("request-property-default-value-removed", N)]),
    field_case("default changed", {**INTEGER, "default": 3}, {**INTEGER, "default": 4},
               [("request-property-default-value-changed", N)]),
    field_case("default int to equal float", {"type": "number", "default": 3},
               {"type": "number", "default": 3.0}, []),
    # server-side validations
    field_case("validation added", with_rules(), with_rules(rule("file_size_mb<", 10)),
               [("request-property-validation-added", N)]),
    field_case("validation removed", with_rules(rule("file_size_mb<", 10)), with_rules(),
               [("request-property-validation-removed", C)]),
    field_case("upper validation lowered", with_rules(rule("file_size_mb<", 10)),
               with_rules(rule("file_size_mb<", 5)),
               [("request-property-validation-narrowed", B)]),
    field_case("upper validation raised", with_rules(rule("file_size_mb<=", 10)),
               with_rules(rule("file_size_mb<=", 20.5)),
               [("request-property-validation-widened", C)]),
    field_case("lower validation raised", with_rules(rule("width_pixels>", 384)),
               with_rules(rule("width_pixels>", 512)),
               [("request-property-validation-narrowed", B)]),
    field_case("lower validation lowered", with_rules(rule("width_pixels>=", 384)),
               with_rules(rule("width_pixels>=", 256)),
               [("request-property-validation-widened", C)]),
    field_case("validation message changed", with_rules(rule("file_size_mb<", 10, "old")),
               with_rules(rule("file_size_mb<", 10, "new")),
               [("request-property-validation-changed", N)]),
    field_case("equality validation changed", with_rules(rule("extension==", "png")),
               with_rules(rule("extension==", "jpg")),
               [("request-property-validation-changed", N)]),
    field_case("validation value int to equal float", with_rules(rule("file_size_mb<", 10)),
               with_rules(rule("file_size_mb<", 10.0)), []),
    field_case("one of two validations of a field", with_rules(
                   rule("width_pixels>", 384), rule("width_pixels<", 5000)),
               with_rules(rule("width_pixels>", 384), rule("width_pixels<", 4000)),
               [("request-property-validation-narrowed", B)]),
    # documentation (names pinned, so that a title cannot rename the keyword here)
    field_case("title changed", {**INTEGER, "title": "Value"}, {**INTEGER, "title": "Amount"},
               [("request-property-title-changed", N)], names=PINNED),
    field_case("description changed", {**INTEGER, "description": "Old."},
               {**INTEGER, "description": "New."},
               [("request-property-description-changed", N)], names=PINNED),
    # the Python surface
    Case("keyword argument renamed", [doc({"7_value": INTEGER})], [doc({"7_value": INTEGER})],
         [("python-argument-renamed", B)], {MODEL: {"7_value": "value"}},
         {MODEL: {"7_value": "amount"}}),
    # outputs
    Case("output field removed", [doc({}, output=OUTPUT)],
         [doc({}, output={"image": OUTPUT["image"]})], [("response-property-removed", B)]),
    Case("output field added", [doc({}, output={"image": OUTPUT["image"]})],
         [doc({}, output=OUTPUT)], [("response-property-added", C)]),
    Case("output type changed", [doc({}, output={"image": OUTPUT["image"]})],
         [doc({}, output={"image": OUTPUT["images"]})],
         [("response-property-type-changed", B)]),
]  # fmt: skip

# Kinds whose cause cannot be written as a schema change (the names derive from the model
# id and the naming rules); ``test_python_renames`` makes them by editing the IR.
RENAME_KINDS = {
    "python-module-renamed",
    "python-request-class-renamed",
    "python-output-class-renamed",
    "python-resource-class-renamed",
    "python-async-resource-class-renamed",
    "python-accessor-renamed",
    "python-output-attribute-renamed",
}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_change_kinds_and_severities(case: Case) -> None:
    old = package(case.old, case.old_names)
    new = package(case.new, case.new_names)
    assert kinds(compare_packages(old, new)) == sorted(case.expected)


def test_case_ids_are_unique() -> None:
    assert len({case.id for case in CASES}) == len(CASES)


def test_every_kind_is_exercised() -> None:
    exercised = {kind for case in CASES for kind, _ in case.expected} | RENAME_KINDS
    assert exercised == set(SEVERITY_BY_KIND)


def test_table_severities_agree_with_the_constant() -> None:
    for case in CASES:
        for kind, severity in case.expected:
            assert SEVERITY_BY_KIND[kind].value == severity, (case.id, kind)


def test_module_docstring_tables_every_kind_with_its_severity() -> None:
    assert changes.__doc__ is not None
    rows = {
        line.split()[0]: line.split()[1]
        for line in changes.__doc__.splitlines()
        if line.split() and line.split()[0] in SEVERITY_BY_KIND
    }
    assert rows == {kind: severity.value for kind, severity in SEVERITY_BY_KIND.items()}


def test_kinds_are_kebab_case() -> None:
    for kind in SEVERITY_BY_KIND:
        assert kind == kind.lower() and " " not in kind and "_" not in kind


# ---------------------------------------------------------------------------------------
# The Python surface when the naming rules change


def test_python_renames() -> None:
    """Class, module, accessor and output attribute names come from the naming rules; a new
    rule changes them with the schema untouched."""
    old = package([doc({"7_value": INTEGER}, output=OUTPUT)])
    model = model_of(old)
    renamed = dataclasses.replace(
        model,
        module_name=model.module_name + "_v2",
        request_class=model.request_class + "V2",
        output_class=model.output_class + "V2",
        resource_class=model.resource_class + "V2",
        async_resource_class=model.async_resource_class + "V2",
        output_fields=tuple(
            dataclasses.replace(f, py_name=f.py_name + "_url") if f.wire_key == "image" else f
            for f in model.output_fields
        ),
    )
    new = rename_accessor(replace_model(old, renamed), MODEL, "demo_v2")
    report = compare_packages(old, new)
    assert kinds(report) == sorted((kind, B) for kind in RENAME_KINDS)
    by_kind = {change.kind: change for change in report.changes}
    request = by_kind["python-request-class-renamed"]
    assert model.request_class in request.message and renamed.request_class in request.message
    assert (request.old, request.new) == (model.request_class, renamed.request_class)
    accessor = by_kind["python-accessor-renamed"]
    old_path, new_path = accessor_paths(old)[MODEL], accessor_paths(new)[MODEL]
    assert new_path.endswith(".demo_v2") and old_path != new_path
    assert accessor.message == f"accessor renamed from client.{old_path} to client.{new_path}"
    attribute = by_kind["python-output-attribute-renamed"]
    assert attribute.subject == "image" and "'image'" in attribute.message


def test_argument_rename_message_names_wire_key_and_both_names() -> None:
    old = package([doc({"7_value": INTEGER})], {MODEL: {"7_value": "value"}})
    new = package([doc({"7_value": INTEGER})], {MODEL: {"7_value": "amount"}})
    (change,) = compare_packages(old, new).changes
    assert change.subject == "7_value"
    assert all(part in change.message for part in ("'7_value'", "'value'", "'amount'"))
    assert (change.old, change.new) == ("value", "amount")


def test_wire_message_names_wire_key_and_friendly_name() -> None:
    old = package([doc({"7_steps": {**INTEGER, "maximum": 20}})])
    new = package([doc({"7_steps": {**INTEGER, "maximum": 10}})])
    (change,) = compare_packages(old, new).changes
    py_name = model_of(new).fields[0].py_name
    assert "'7_steps'" in change.message and f"'{py_name}'" in change.message
    assert (change.old, change.new) == (20, 10)


def test_literal_message_shows_values_added_and_removed() -> None:
    old = package([doc({"7_value": {"type": "integer", "enum": [81, 141]}})])
    new = package([doc({"7_value": {"type": "integer", "enum": [81, 161]}})])
    report = compare_packages(old, new)
    (literal,) = [c for c in report.changes if c.kind == "python-literal-narrowed"]
    assert "removed [141]" in literal.message and "added [161]" in literal.message
    assert (literal.old, literal.new) == ([81, 141], [81, 161])


# ---------------------------------------------------------------------------------------
# Report: empty, semver, ids, order


def test_identical_packages_give_an_empty_report() -> None:
    documents = real_documents()
    report = compare_packages(package(documents), package(documents))
    assert report.changes == ()
    assert not report.has_breaking
    assert report.semver == "none"
    assert report.counts() == {"breaking": 0, "compatible": 0, "notice": 0}
    assert format_text(report) == (
        "no changes\n0 breaking, 0 compatible, 0 notices: suggested version bump: none\n"
    )


@pytest.mark.parametrize(
    ("old", "new", "semver"),
    [
        ({"7_value": INTEGER}, {}, "major"),
        ({}, {"7_value": INTEGER}, "minor"),
        ({"7_value": {**INTEGER, "default": 1}}, {"7_value": {**INTEGER, "default": 2}}, "patch"),
        ({"7_value": INTEGER}, {"7_value": INTEGER}, "none"),
    ],
)
def test_semver(old: Document, new: Document, semver: str) -> None:
    report = compare_packages(package([doc(old)]), package([doc(new)]))
    assert report.semver == semver
    assert report.has_breaking == (semver == "major")


def test_semver_takes_the_most_severe_change() -> None:
    old = package([doc({"7_a": INTEGER, "7_b": {**INTEGER, "default": 1}})])
    new = package([doc({"7_b": {**INTEGER, "default": 2}, "7_c": INTEGER})])
    report = compare_packages(old, new)
    assert report.counts() == {"breaking": 1, "compatible": 1, "notice": 1}
    assert report.semver == "major"


def mixed_change() -> tuple[Package, Package]:
    """The real schemas with changes of every severity in two models."""
    old_documents = real_documents()
    new_documents = real_documents()
    by_id = {d["model_id"]: d for d in new_documents}
    frame = by_id["community/wan-2-2/first-last-frame"]["input_schema"]
    frame["properties"]["57_steps"]["maximum"] = 10
    frame["properties"]["57_steps"]["default"] = 10
    frame["properties"]["67_length"]["enum"] = [81, 161]
    frame["required"].append("57_cfg")
    image = by_id["wan-ai/wan-2-6/image-to-image"]["input_schema"]["properties"]["image_urls"]
    image["validations"][0]["validation_value"] = 5
    image["maxItems"] = 4
    return package(old_documents), package(new_documents)


def test_ids_are_stable_unique_and_readable() -> None:
    first = compare_packages(*mixed_change())
    second = compare_packages(*mixed_change())
    ids = [change.id for change in first.changes]
    assert ids == [change.id for change in second.changes]
    assert len(set(ids)) == len(ids)
    assert "community/wan-2-2/first-last-frame:request-property-max-decreased:57_steps" in ids
    for change in first.changes:
        assert change.id.startswith(f"{change.model_id}:{change.kind}:{change.subject}")


def test_validation_ids_tell_rules_of_one_field_apart() -> None:
    old = package([doc({"7_value": with_rules(rule("a<", 1), rule("b<", 1), rule("b<", 2))})])
    new = package([doc({"7_value": with_rules()})])
    ids = [change.id for change in compare_packages(old, new).changes]
    assert len(ids) == 3 and len(set(ids)) == 3


def sort_key(change: Change) -> tuple[str, int, str, str]:
    order = {"breaking": 0, "compatible": 1, "notice": 2}
    return (change.model_id, order[change.severity.value], change.kind, change.subject)


def test_changes_are_sorted_by_model_severity_kind_subject() -> None:
    report = compare_packages(*mixed_change())
    assert len({change.model_id for change in report.changes}) == 2
    assert {change.severity for change in report.changes} == set(Severity)
    assert list(report.changes) == sorted(report.changes, key=sort_key)
    assert ChangeReport(tuple(reversed(report.changes))) == report


def test_old_and_new_values_are_json() -> None:
    report = compare_packages(*mixed_change())
    for change in report.changes:
        assert json.loads(json.dumps([change.old, change.new])) == [change.old, change.new]
        assert change.reason and change.message and "\n" not in change.message


# ---------------------------------------------------------------------------------------
# Output


def test_json_output_is_valid_sorted_and_deterministic() -> None:
    text = format_json(compare_packages(*mixed_change()))
    assert text == format_json(compare_packages(*mixed_change()))
    assert text.endswith("}\n")
    document = json.loads(text)
    assert text == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert set(document) == {"changes", "counts", "semver"}
    assert document["semver"] == "major"
    first = document["changes"][0]
    assert set(first) == {
        "id", "model_id", "kind", "severity", "subject", "message", "reason", "old", "new"
    }  # fmt: skip
    assert first["severity"] == "breaking"
    assert sum(document["counts"].values()) == len(document["changes"])


def test_json_of_an_empty_report() -> None:
    text = format_json(ChangeReport(()))
    assert json.loads(text) == {
        "changes": [],
        "counts": {"breaking": 0, "compatible": 0, "notice": 0},
        "semver": "none",
    }


def test_text_output_groups_by_model_and_ends_with_the_summary() -> None:
    report = compare_packages(*mixed_change())
    lines = format_text(report).splitlines()
    counts = report.counts()
    assert lines[-1] == (
        f"{counts['breaking']} breaking, {counts['compatible']} compatible, "
        f"{counts['notice']} notice{'' if counts['notice'] == 1 else 's'}: "
        "suggested version bump: major"
    )
    assert lines[0] == "community/wan-2-2/first-last-frame"
    assert "wan-ai/wan-2-6/image-to-image" in lines
    assert sum(line.lstrip().startswith("why: ") for line in lines) == len(report.changes)


def test_text_limit_shows_breaking_first_and_counts_the_rest() -> None:
    report = compare_packages(*mixed_change())
    total = len(report.changes)
    lines = format_text(report, limit=2).splitlines()
    assert len(lines) == 4
    assert all(line.startswith("[breaking] ") for line in lines[:2])
    assert lines[2] == f"... and {total - 2} more changes not shown"
    assert lines[3].endswith("suggested version bump: major")


def test_text_limit_puts_breaking_first_across_models() -> None:
    """The second model's breaking change comes before the first model's notice."""
    old = package([doc({"7_a": {**INTEGER, "default": 1}}), doc({"7_b": INTEGER}, model_id="z/m")])
    new = package([doc({"7_a": {**INTEGER, "default": 2}}), doc({}, model_id="z/m")])
    lines = format_text(compare_packages(old, new), limit=1).splitlines()
    assert lines[0].startswith("[breaking] z/m: ")
    assert lines[1] == "... and 1 more change not shown"
    assert lines[2] == "1 breaking, 0 compatible, 1 notice: suggested version bump: major"


def test_text_limit_larger_than_the_report_shows_everything() -> None:
    report = compare_packages(*mixed_change())
    lines = format_text(report, limit=1000).splitlines()
    assert len(lines) == len(report.changes) + 1
    assert not any(line.startswith("... and") for line in lines)


def test_text_limit_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="limit"):
        format_text(ChangeReport(()), limit=-1)
