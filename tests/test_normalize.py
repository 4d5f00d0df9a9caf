"""The normalizer: RunComfy's schema dialect → the frozen IR, through ``build_package``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

import pytest

from generator.comfy import NodeInput
from generator.diagnostics import Diagnostics, Level, SourceRef
from generator.ingest import STANDARD_OUTPUT_SCHEMA, Overrides, SchemaFile
from generator.ir import (
    ArrayOf,
    Constraints,
    DefaultValue,
    DimensionChoice,
    ExtraKeyword,
    Field,
    FrozenObject,
    LiteralOf,
    MediaUrl,
    Model,
    Scalar,
    TypeRef,
    ValidationRule,
)
from generator.metaschema import check_document
from generator.normalize import build_package

MODEL_ID = "acme/model"
FILE = "schemas/acme/model.json"
PROPERTIES = f"{FILE}#/input_schema/properties"


def schema_file(
    properties: Mapping[str, Any],
    required: list[str] | None = None,
    *,
    root: Mapping[str, Any] | None = None,
    example: Mapping[str, Any] | None = None,
) -> SchemaFile:
    """An in-memory canonical file; it must pass the structural check, as real ones do."""
    input_schema: dict[str, Any] = {"type": "object", "properties": dict(properties)}
    if required is not None:
        input_schema["required"] = required
    input_schema.update(root or {})
    document: dict[str, Any] = {
        "model_id": MODEL_ID,
        "input_schema": input_schema,
        "output_schema": STANDARD_OUTPUT_SCHEMA,
    }
    if example is not None:
        document["example_request"] = dict(example)
    check = Diagnostics()
    assert check_document(document, SourceRef(FILE), check), [str(d) for d in check]
    digest = hashlib.sha256(json.dumps(document).encode()).hexdigest()
    return SchemaFile(
        ref=SourceRef(FILE), path=PurePosixPath("acme/model.json"), document=document, sha256=digest
    )


def build(
    properties: Mapping[str, Any],
    required: list[str] | None = None,
    *,
    root: Mapping[str, Any] | None = None,
    names: Mapping[str, str] | None = None,
    example: Mapping[str, Any] | None = None,
) -> tuple[Model, Diagnostics]:
    """The one model that ``build_package`` makes of the given input properties."""
    diags = Diagnostics()
    overrides = Overrides(
        names={MODEL_ID: dict(names)} if names else {}, ref=SourceRef("schemas/overrides.toml")
    )
    package = build_package(
        [schema_file(properties, required, root=root, example=example)],
        overrides=overrides,
        package_name="runcomfy_sdk",
        diags=diags,
    )
    (model,) = package.models
    return model, diags


def field(model: Model, key: str) -> Field:
    (found,) = [item for item in model.fields if item.wire_key == key]
    return found


def one_field(schema: Mapping[str, Any]) -> tuple[Field, Diagnostics]:
    model, diags = build({"x": schema})
    return field(model, "x"), diags


def summary(diags: Diagnostics) -> set[tuple[str, str, str]]:
    """(level, code, pointer) of every diagnostic."""
    return {(item.level.value, item.code, item.source.pointer) for item in diags}


# --- types --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string"}, Scalar(kind="string")),
        ({"type": "integer"}, Scalar(kind="integer")),
        ({"type": "number"}, Scalar(kind="number")),
        ({"type": "float"}, Scalar(kind="number")),
        ({"type": "boolean"}, Scalar(kind="boolean")),
        ({"type": "object"}, Scalar(kind="object")),
        ({"type": "string", "format": "uri"}, Scalar(kind="string")),
        ({"type": "string", "format": "image_uri"}, MediaUrl(kind="image")),
        ({"type": "string", "format": "video_uri"}, MediaUrl(kind="video")),
        ({"type": "string", "format": "audio_uri"}, MediaUrl(kind="audio")),
        ({"type": "string", "format": "image_uris"}, MediaUrl(kind="image")),
        (
            {"type": "array", "items": {"type": "string", "format": "image_uri"}},
            ArrayOf(item=MediaUrl(kind="image")),
        ),
        (
            {"type": "array", "items": {"type": "string", "format": "video_uri"}},
            ArrayOf(item=MediaUrl(kind="video")),
        ),
        (
            {"type": "array", "format": "audio_uris", "items": {"type": "string"}},
            ArrayOf(item=MediaUrl(kind="audio")),
        ),
        ({"type": "array", "format": "image_uris"}, ArrayOf(item=MediaUrl(kind="image"))),
        ({"type": "array"}, ArrayOf(item=Scalar(kind="any"))),
        ({"type": "array", "items": {"type": "float"}}, ArrayOf(item=Scalar(kind="number"))),
        ({"type": "array", "items": {"type": "string"}}, ArrayOf(item=Scalar(kind="string"))),
    ],
)
def test_types(schema: dict[str, Any], expected: TypeRef) -> None:
    found, diags = one_field(schema)
    assert found.type == expected
    assert not found.nullable
    assert not diags.has_errors


def test_float_defaults_are_numbers() -> None:
    found, diags = one_field({"type": "float", "default": 4, "minimum": 0.6, "maximum": 4})
    assert list(diags) == []
    assert found.type == Scalar(kind="number")
    assert found.default == DefaultValue(value=4.0)
    assert isinstance(found.default.value, float)
    assert found.constraints == Constraints(minimum=0.6, maximum=4)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": ["integer", "null"]},
        {"type": "integer", "enum": [1, 2, None]},
    ],
)
def test_null_makes_a_field_nullable(schema: dict[str, Any]) -> None:
    found, diags = one_field(schema)
    assert found.nullable
    assert not diags.has_errors


def test_enum_becomes_a_literal_and_keeps_its_order() -> None:
    found, diags = one_field({"type": "integer", "enum": [141, 81], "default": 81})
    assert list(diags) == []
    assert found.type == LiteralOf(values=(141, 81), base=Scalar(kind="integer"))
    assert found.default == DefaultValue(value=81)


# --- validations --------------------------------------------------------------------------

WAN26_IMAGES: dict[str, Any] = {
    "title": "参照画像",
    "type": "array",
    "items": {"type": "string", "format": "image_uri"},
    "minItems": 1,
    "maxItems": 3,
    "validations": [
        {
            "validation_rule": "file_size_mb<",
            "validation_value": 10,
            "validation_error": "ファイルサイズは10MB未満である必要があります。",
        },
        {"validation_rule": "width_pixels>", "validation_value": 384, "validation_error": ""},
    ],
}


def test_validations_become_structured_rules() -> None:
    model, diags = build({"image_urls": WAN26_IMAGES})
    assert list(diags) == []
    found = field(model, "image_urls")
    ref = SourceRef(FILE, "/input_schema/properties/image_urls/validations")
    assert found.validations == (
        ValidationRule(
            rule="file_size_mb<",
            metric="file_size_mb",
            operator="<",
            value=10,
            message="ファイルサイズは10MB未満である必要があります。",
            source=ref.child(0),
        ),
        ValidationRule(
            rule="width_pixels>",
            metric="width_pixels",
            operator=">",
            value=384,
            message=None,
            source=ref.child(1),
        ),
    )
    assert found.type == ArrayOf(item=MediaUrl(kind="image"))
    assert found.constraints == Constraints(min_items=1, max_items=3)


@pytest.mark.parametrize("operator", ["<", ">", "<=", ">=", "==", "!="])
def test_validation_operators(operator: str) -> None:
    rule = {"validation_rule": f"duration_s {operator} ", "validation_value": [1, "x"]}
    found, diags = one_field({"type": "string", "validations": [rule]})
    assert list(diags) == []
    (parsed,) = found.validations
    assert (parsed.metric, parsed.operator, parsed.value) == ("duration_s", operator, (1, "x"))


def test_validation_rule_of_unknown_shape_is_kept_as_text_with_a_warning() -> None:
    rule = {"validation_rule": "must be square", "validation_value": True}
    found, diags = one_field({"type": "string", "validations": [rule]})
    (parsed,) = found.validations
    assert (parsed.rule, parsed.metric, parsed.operator, parsed.value) == (
        "must be square",
        "must be square",
        "",
        True,
    )
    assert summary(diags) == {("warning", "G009", "/input_schema/properties/x/validations/0")}


# --- what is kept -------------------------------------------------------------------------


def test_defaults_enums_bounds_and_required_are_kept() -> None:
    model, diags = build(
        {
            "prompt": {"type": "string", "maxLength": 2000, "default": "a cat"},
            "steps": {"type": "integer", "minimum": 6, "maximum": 20, "default": 10},
            "mode": {"type": "string", "enum": ["fast", "slow"], "default": "slow"},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 4},
            "loop": {"type": "boolean", "default": False},
        },
        required=["prompt"],
    )
    assert list(diags) == []
    prompt, steps, mode = field(model, "prompt"), field(model, "steps"), field(model, "mode")
    tags, loop = field(model, "tags"), field(model, "loop")
    assert prompt.required and not steps.required and not tags.required
    assert prompt.constraints == Constraints(max_length=2000)
    assert prompt.default == DefaultValue(value="a cat")
    assert steps.constraints == Constraints(minimum=6, maximum=20)
    assert steps.default == DefaultValue(value=10)
    assert mode.type == LiteralOf(values=("fast", "slow"), base=Scalar(kind="string"))
    assert mode.default == DefaultValue(value="slow")
    assert tags.constraints == Constraints(min_items=1, max_items=4)
    assert tags.default is None
    assert loop.default == DefaultValue(value=False)


def test_titles_and_descriptions_are_kept() -> None:
    found, _ = one_field({"type": "string", "title": "Prompt", "description": "What to draw."})
    assert (found.title, found.description) == ("Prompt", "What to draw.")
    found, _ = one_field({"type": "string", "title": "", "description": ""})
    assert (found.title, found.description) == (None, None)


def test_unknown_keywords_are_kept_and_reported() -> None:
    model, diags = build(
        {"x": {"type": "string", "x-ui": {"widget": "text"}, "examples": ["a"]}},
        root={"x-root": 1},
    )
    found = field(model, "x")
    ref = SourceRef(FILE, "/input_schema/properties/x")
    assert found.extras == (
        ExtraKeyword(name="examples", value=("a",), source=ref.child("examples")),
        ExtraKeyword(
            name="x-ui", value=FrozenObject((("widget", "text"),)), source=ref.child("x-ui")
        ),
    )
    assert summary(diags) == {
        ("warning", "G010", "/input_schema/properties/x/examples"),
        ("warning", "G010", "/input_schema/properties/x/x-ui"),
        ("warning", "G010", "/input_schema/x-root"),
    }
    assert not diags.has_errors


# --- catalog variations -------------------------------------------------------------------

CATALOG: dict[str, Any] = {
    "prompt": {"type": "string", "maxLength": 2000},
    "negative_prompt": {"title": "ネガティブプロンプト", "type": "string", "default": None},
    "6_text": {"title": "提示词", "type": "string"},
    "68_image": {"title": "開始画像", "type": "string", "format": "image_uri"},
    "tags": {"type": "array"},
    "duration": {"type": "string", "enum": ["auto", "5", "6"], "default": "auto"},
    "quality": {"type": "string", "enum": ["720P"]},
    "mode": {"type": "string", "enum": ["fast", "slow"]},
    "offset": {"type": "integer", "default": -5, "minimum": -100, "maximum": 100},
    "temperature": {"type": "float", "minimum": -1.5, "maximum": 2.5},
    "image_url_1": {"type": "string", "format": "image_uri"},
    "image_url_2": {"type": "string", "format": "image_uri"},
    "image_url_10": {"type": "string", "format": "image_uri"},
}


@pytest.fixture(scope="module")
def catalog() -> tuple[Model, Diagnostics]:
    return build(CATALOG, required=["prompt", "ghost_field", "image_url_1"])


def test_catalog_variations_build_without_errors(catalog: tuple[Model, Diagnostics]) -> None:
    model, diags = catalog
    assert not diags.has_errors, [str(d) for d in diags.errors()]
    assert {field.wire_key for field in model.fields} == set(CATALOG)


def test_missing_and_foreign_titles_name_fields_by_key(catalog: tuple[Model, Diagnostics]) -> None:
    model, _ = catalog
    names = {field.wire_key: field.py_name for field in model.fields}
    assert names["prompt"] == "prompt"
    assert names["negative_prompt"] == "negative_prompt"
    assert names["6_text"] == "text"
    assert names["68_image"] == "image"
    assert names["image_url_1"] == "image_url_1"
    assert names["image_url_10"] == "image_url_10"


def test_catalog_field_types(catalog: tuple[Model, Diagnostics]) -> None:
    model, _ = catalog
    assert field(model, "tags").type == ArrayOf(item=Scalar(kind="any"))
    duration = field(model, "duration")
    assert duration.type == LiteralOf(values=("auto", "5", "6"), base=Scalar(kind="string"))
    assert duration.default == DefaultValue(value="auto")
    assert duration.dimensions == ()
    quality = field(model, "quality")
    assert quality.type == LiteralOf(values=("720P",), base=Scalar(kind="string"))
    assert quality.default is None
    mode = field(model, "mode")
    assert (mode.required, mode.default, mode.nullable) == (False, None, False)
    assert field(model, "negative_prompt").default == DefaultValue(value=None)
    offset = field(model, "offset")
    assert offset.constraints == Constraints(minimum=-100, maximum=100)
    assert offset.default == DefaultValue(value=-5)
    temperature = field(model, "temperature")
    assert temperature.type == Scalar(kind="number")
    assert temperature.constraints == Constraints(minimum=-1.5, maximum=2.5)


def test_required_entry_naming_no_property_is_a_warning(
    catalog: tuple[Model, Diagnostics],
) -> None:
    model, diags = catalog
    assert summary(diags) == {("warning", "G012", "/input_schema/required/1")}
    assert {field.wire_key for field in model.fields if field.required} == {
        "prompt",
        "image_url_1",
    }


# --- contradictions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "integer", "default": "five"},
        {"type": "integer", "default": True},
        {"type": "integer", "default": 1.5},
        {"type": "boolean", "default": 0},
        {"type": "string", "default": 5},
        {"type": "string", "format": "image_uri", "default": ["a.png"]},
        {"type": "array", "items": {"type": "integer"}, "default": [1, "x"]},
        {"type": "string", "enum": ["a", "b"], "default": "c"},
        {"type": "integer", "enum": [81, 141], "default": 100},
        {"type": "integer", "enum": [0, 1], "default": False},
        {"type": "integer", "minimum": 12, "maximum": 24, "default": 30},
        {"type": "float", "minimum": 0.6, "default": 0.5},
        {"type": "integer", "minimum": -10, "default": -11},
        {"type": "string", "maxLength": 3, "default": "long"},
        {"type": "array", "minItems": 2, "default": ["a"]},
        {"type": "array", "maxItems": 1, "default": ["a", "b"]},
    ],
)
def test_contradictory_defaults_are_dropped_with_a_warning(schema: dict[str, Any]) -> None:
    found, diags = one_field(schema)
    assert found.default is None
    assert summary(diags) == {("warning", "G011", "/input_schema/properties/x/default")}


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "float", "enum": [1, 2], "default": 1.0},
        {"type": "integer", "minimum": 12, "maximum": 24, "default": 12},
        {"type": "string", "maxLength": 4, "default": "four"},
        {"type": "array", "minItems": 1, "maxItems": 1, "default": ["a"]},
    ],
)
def test_defaults_on_the_edge_are_kept(schema: dict[str, Any]) -> None:
    found, diags = one_field(schema)
    assert found.default is not None
    assert list(diags) == []


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "number", "exclusiveMinimum": 0, "default": 0},
        {"type": "number", "exclusiveMaximum": 1, "default": 1},
        {"type": "string", "minLength": 3, "default": "ab"},
    ],
)
def test_defaults_outside_exclusive_bounds_or_min_length_are_dropped(
    schema: dict[str, Any],
) -> None:
    found, diags = one_field(schema)
    assert found.default is None
    assert ("warning", "G011", "/input_schema/properties/x/default") in summary(diags)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "integer", "minimum": 20, "maximum": 6},
        {"type": "float", "minimum": 2.5, "maximum": -1.5},
        {"type": "string", "minLength": 10, "maxLength": 5},
        {"type": "array", "minItems": 4, "maxItems": 3},
    ],
)
def test_min_greater_than_max_is_an_error(schema: dict[str, Any]) -> None:
    _, diags = one_field(schema)
    assert ("error", "G008", "/input_schema/properties/x") in summary(diags)
    assert {item.code for item in diags.errors()} == {"G008"}


def test_wrongly_typed_enum_is_an_error() -> None:
    _, diags = one_field({"type": "integer", "enum": [1, "small"]})
    assert summary(diags) == {("error", "G005", "/input_schema/properties/x/enum")}


def test_bounds_that_do_not_apply_are_warned_about() -> None:
    found, diags = one_field({"type": "string", "minimum": 1})
    assert found.constraints == Constraints()
    assert summary(diags) == {("warning", "G007", "/input_schema/properties/x/minimum")}


# --- combined keys ------------------------------------------------------------------------

RESOLUTION: dict[str, Any] = {
    "title": "Resolution (W:H)",
    "type": "string",
    "enum": ["480x480 (1:1)", "720x1280 (9:16)", "1024*576 (16:9)"],
    "default": "720x1280 (9:16)",
}


def test_combined_key_has_two_targets_and_dimension_choices() -> None:
    model, diags = build({"71_widthx71_height": RESOLUTION})
    assert list(diags) == []
    found = field(model, "71_widthx71_height")
    assert found.is_combined
    assert found.targets == (NodeInput("71", "width"), NodeInput("71", "height"))
    assert found.py_name == "resolution"
    assert found.dimensions == (
        DimensionChoice(value="480x480 (1:1)", width=480, height=480, label="1:1"),
        DimensionChoice(value="720x1280 (9:16)", width=720, height=1280, label="9:16"),
        DimensionChoice(value="1024*576 (16:9)", width=1024, height=576, label="16:9"),
    )
    assert found.default == DefaultValue(value="720x1280 (9:16)")


def test_combined_key_without_title_is_named_after_both_inputs() -> None:
    untitled = {key: value for key, value in RESOLUTION.items() if key != "title"}
    model, _ = build({"71_widthx72_height": untitled})
    found = field(model, "71_widthx72_height")
    assert found.py_name == "width_x_height"
    assert found.targets == (NodeInput("71", "width"), NodeInput("72", "height"))


def test_enums_that_are_not_all_sizes_have_no_dimensions() -> None:
    found, _ = one_field({"type": "string", "enum": ["720x720 (1:1)", "auto"]})
    assert found.dimensions == ()


# --- naming and order ---------------------------------------------------------------------


def test_overrides_titles_and_keys_name_fields() -> None:
    model, diags = build(
        {
            "68_image": {"type": "string", "title": "Start Image"},
            "62_image": {"type": "string", "title": "End Image"},
            "6_text": {"type": "string", "title": "Prompt"},
            "57_noise_seed": {"type": "integer"},
        },
        names={"6_text": "positive_prompt"},
    )
    assert list(diags) == []
    assert {f.wire_key: f.py_name for f in model.fields} == {
        "68_image": "start_image",
        "62_image": "end_image",
        "6_text": "positive_prompt",
        "57_noise_seed": "noise_seed",
    }


def test_colliding_names_are_resolved_and_warned_about() -> None:
    model, diags = build({"68_image": {"type": "string"}, "62_image": {"type": "string"}})
    assert {f.wire_key: f.py_name for f in model.fields} == {
        "62_image": "image",
        "68_image": "image_68",
    }
    assert {item.code for item in diags} == {"N004"}
    assert not diags.has_errors


def test_fields_are_required_first_then_in_natural_key_order() -> None:
    keys = ["prompt", "68_image", "6_text", "57_cfg", "image_url_10", "image_url_2", "62_image"]
    model, _ = build(
        {key: {"type": "string"} for key in keys}, required=["prompt", "68_image", "image_url_10"]
    )
    assert [f.wire_key for f in model.fields] == [
        "68_image",
        "image_url_10",
        "prompt",
        "6_text",
        "57_cfg",
        "62_image",
        "image_url_2",
    ]


def test_every_field_source_points_at_its_property() -> None:
    model, _ = build({**CATALOG, "a/b~c": {"type": "string"}})
    for found in model.fields:
        escaped = found.wire_key.replace("~", "~0").replace("/", "~1")
        assert found.source == SourceRef(FILE, f"/input_schema/properties/{escaped}")
        assert str(found.source) == f"{PROPERTIES}/{escaped}"
    assert field(model, "a/b~c").source.pointer == "/input_schema/properties/a~1b~0c"


# --- the model ----------------------------------------------------------------------------


def test_model_level_parts() -> None:
    model, _ = build(
        {"prompt": {"type": "string"}},
        root={"description": "Makes images."},
        example={"prompt": "a cat"},
    )
    assert model.model_id == MODEL_ID
    assert model.module_name == "acme_model"
    assert model.request_class == "AcmeModelRequest"
    assert model.output_class == "AcmeModelOutput"
    assert model.description == "Makes images."
    assert model.example_request == FrozenObject((("prompt", "a cat"),))
    assert model.source == SourceRef(FILE)
    outputs = {out.wire_key: (out.py_name, out.type) for out in model.output_fields}
    assert outputs == {
        "image": ("image", Scalar(kind="string")),
        "video": ("video", Scalar(kind="string")),
        "images": ("images", ArrayOf(item=Scalar(kind="string"))),
        "videos": ("videos", ArrayOf(item=Scalar(kind="string"))),
    }
    assert [out.wire_key for out in model.output_fields] == ["image", "images", "video", "videos"]


def test_diagnostics_from_the_normalizer_are_located_in_the_file() -> None:
    _, diags = build({"x": {"type": "integer", "default": "y", "x-extra": 1}}, ["ghost"])
    assert {item.code for item in diags} == {"G010", "G011", "G012"}
    assert all(item.source.file == FILE for item in diags)
    assert all(item.level is Level.WARNING for item in diags)


def test_combined_key_with_a_value_that_is_no_size_is_reported() -> None:
    model, diags = build({"7_widthx7_height": {"type": "string", "enum": ["512x512 (1:1)", "big"]}})
    assert field(model, "7_widthx7_height").dimensions == ()
    assert ("warning", "G014", "/input_schema/properties/7_widthx7_height/enum") in summary(diags)
    sized, quiet = build(
        {"7_widthx7_height": {"type": "string", "enum": ["512x512 (1:1)", "768x512"]}}
    )
    assert [(d.width, d.height, d.label) for d in field(sized, "7_widthx7_height").dimensions] == [
        (512, 512, "1:1"),
        (768, 512, None),
    ]
    assert "G014" not in {item.code for item in quiet}
