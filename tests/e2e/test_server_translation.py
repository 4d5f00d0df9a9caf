"""Unit tests: RunComfy's schema dialect → JSON Schema, 422 detail entries, model loading."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from generator.server.models import ModelLoadError, load_models
from generator.server.validation import build_validator, to_json_schema, validation_detail

from .conftest import SCHEMAS

DIALECT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["prompt", "image_urls"],
    "properties": {
        "prompt": {"type": "string", "title": "Prompt", "maxLength": 20},
        "cfg": {"type": "float", "minimum": 0.6, "maximum": 4, "default": 4},
        "steps": {"type": "integer", "minimum": 6, "maximum": 20},
        "length": {"type": "integer", "enum": [81, 141]},
        "start": {"type": "string", "format": "image_uri"},
        "image_urls": {
            "type": "array",
            "items": {"type": "string", "format": "image_uri"},
            "minItems": 1,
            "maxItems": 3,
            "validations": [
                {
                    "validation_rule": "file_size_mb<",
                    "validation_value": 10,
                    "validation_error": "too big",
                }
            ],
        },
        # Property names that look like keywords are data, not keywords.
        "type": {"type": "string"},
        "validations": {"type": "float"},
    },
}


def test_float_type_becomes_number() -> None:
    assert to_json_schema(DIALECT_SCHEMA)["properties"]["cfg"]["type"] == "number"


def test_float_in_a_type_list_becomes_number() -> None:
    schema = {"type": "object", "properties": {"x": {"type": ["float", "null"]}}}
    assert to_json_schema(schema)["properties"]["x"]["type"] == ["number", "null"]


def test_uri_formats_become_plain_strings_at_any_depth() -> None:
    properties = to_json_schema(DIALECT_SCHEMA)["properties"]
    assert properties["start"] == {"type": "string"}
    assert properties["image_urls"]["items"] == {"type": "string"}


def test_other_formats_are_kept() -> None:
    schema = {"type": "object", "properties": {"when": {"type": "string", "format": "date"}}}
    assert to_json_schema(schema)["properties"]["when"]["format"] == "date"


def test_validations_keyword_is_dropped_but_a_property_of_that_name_is_kept() -> None:
    properties = to_json_schema(DIALECT_SCHEMA)["properties"]
    assert "validations" not in properties["image_urls"]
    assert properties["validations"] == {"type": "number"}
    assert properties["type"] == {"type": "string"}


def test_unknown_top_level_keys_are_forbidden_only_at_the_top() -> None:
    schema = {
        "type": "object",
        "properties": {"inner": {"type": "object", "properties": {"a": {"type": "string"}}}},
    }
    translated = to_json_schema(schema)
    assert translated["additionalProperties"] is False
    assert "additionalProperties" not in translated["properties"]["inner"]


def test_everything_else_is_kept_as_is() -> None:
    properties = to_json_schema(DIALECT_SCHEMA)["properties"]
    assert properties["cfg"] == {"type": "number", "minimum": 0.6, "maximum": 4, "default": 4}
    assert properties["length"] == {"type": "integer", "enum": [81, 141]}
    assert to_json_schema(DIALECT_SCHEMA)["required"] == ["prompt", "image_urls"]


def test_translation_is_pure() -> None:
    original = copy.deepcopy(DIALECT_SCHEMA)
    translated = to_json_schema(DIALECT_SCHEMA)
    translated["properties"]["length"]["enum"].append(999)
    assert original == DIALECT_SCHEMA
    assert to_json_schema(DIALECT_SCHEMA) == to_json_schema(original)


def test_validator_accepts_a_good_body_and_ignores_file_checks() -> None:
    validator = build_validator(DIALECT_SCHEMA)
    body = {"prompt": "hi", "image_urls": ["not even a url"], "cfg": 1.5, "start": "x"}
    assert validation_detail(validator, body) == []


def test_detail_has_one_sorted_entry_per_problem() -> None:
    validator = build_validator(DIALECT_SCHEMA)
    body = {"length": 80, "steps": 21, "zeta": 1, "alpha": 2, "cfg": "high"}
    assert validation_detail(validator, body) == [
        _entry(
            "alpha",
            "Additional properties are not allowed ('alpha' was unexpected)",
            "additionalProperties",
        ),
        _entry("cfg", "'high' is not of type 'number'", "type"),
        _entry("image_urls", "'image_urls' is a required property", "required"),
        _entry("length", "80 is not one of [81, 141]", "enum"),
        _entry("prompt", "'prompt' is a required property", "required"),
        _entry("steps", "21 is greater than the maximum of 20", "maximum"),
        _entry(
            "zeta",
            "Additional properties are not allowed ('zeta' was unexpected)",
            "additionalProperties",
        ),
    ]


def test_detail_locates_problems_inside_arrays() -> None:
    validator = build_validator(DIALECT_SCHEMA)
    detail = validation_detail(validator, {"prompt": "p", "image_urls": ["a", 7]})
    assert [entry["loc"] for entry in detail] == [["body", "image_urls", 1]]
    assert detail[0]["type"] == "type"


def test_a_body_that_is_not_an_object_is_reported_at_the_body() -> None:
    detail = validation_detail(build_validator(DIALECT_SCHEMA), ["prompt"])
    assert detail == [_entry(None, "['prompt'] is not of type 'object'", "type")]


@pytest.mark.parametrize("model_id", sorted(load_models(SCHEMAS)))
def test_every_served_model_accepts_its_example_request(model_id: str) -> None:
    model = load_models(SCHEMAS)[model_id]
    assert validation_detail(model.validator, dict(model.example_request)) == []


def test_load_models_serves_the_repository_schemas_sorted() -> None:
    models = load_models(SCHEMAS)
    assert list(models) == sorted(models)
    assert "community/wan-2-2/first-last-frame" in models
    assert models["community/wan-2-2/first-last-frame"].output_schema["type"] == "object"


def test_load_models_skips_json_that_is_not_a_model(tmp_path: Path) -> None:
    _write(tmp_path / "a" / "b.json", _model("a/b"))
    _write(tmp_path / "notes.json", {"hello": "world"})
    (tmp_path / "overrides.toml").write_text("[x]\n", encoding="utf-8")
    assert list(load_models(tmp_path)) == ["a/b"]


def test_load_models_rejects_a_duplicate_model_id(tmp_path: Path) -> None:
    _write(tmp_path / "one.json", _model("same/id"))
    _write(tmp_path / "two.json", _model("same/id"))
    with pytest.raises(ModelLoadError, match="also defined"):
        load_models(tmp_path)


def test_load_models_names_the_file_with_broken_json(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    with pytest.raises(ModelLoadError, match=r"broken\.json: cannot read JSON"):
        load_models(tmp_path)


def test_load_models_rejects_an_invalid_input_schema(tmp_path: Path) -> None:
    document = _model("bad/schema")
    document["input_schema"]["properties"]["x"] = {"type": "no-such-type"}
    _write(tmp_path / "bad.json", document)
    with pytest.raises(ModelLoadError, match="input_schema is not valid"):
        load_models(tmp_path)


def test_load_models_needs_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="not a directory"):
        load_models(tmp_path / "missing")


def _entry(key: str | None, message: str, kind: str) -> dict[str, Any]:
    loc: list[Any] = ["body"] if key is None else ["body", key]
    return {"loc": loc, "msg": message, "type": kind}


def _model(model_id: str) -> dict[str, Any]:
    return {
        "model_id": model_id,
        "input_schema": {"type": "object", "properties": {"x": {"type": "string"}}},
        "output_schema": {"type": "object", "properties": {"image": {"type": "string"}}},
        "example_request": {"x": "y"},
    }


def _write(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")
