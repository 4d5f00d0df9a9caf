"""The canonical schema file: model id paths, natural order, annotations, differences."""

from __future__ import annotations

import json
import random
from pathlib import PurePosixPath
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import canonical

SEED_IDS = [
    "community/wan-2-2/first-last-frame",
    "community/wan-2-1/fusionx/image-to-video",
    "wan-ai/wan-2-6/image-to-image",
]
OUTPUT = {
    "output": {
        "type": "object",
        "title": "Output",
        "description": "what the model returns",
        "properties": {
            "image": {"type": "string", "format": "uri", "description": "single image URL"},
            "images": {
                "type": "array",
                "description": "multiple image URLs",
                "items": {"type": "string", "format": "uri", "title": "URL"},
            },
        },
    }
}
PROPERTY_KEY = st.one_of(
    st.builds("{}_{}".format, st.integers(1, 999), st.text("abcxyz_", min_size=1, max_size=6)),
    st.builds(
        "{}{}".format, st.text("abcxyz", min_size=1, max_size=6), st.sampled_from(["", "_1", "_10"])
    ),
    st.text(max_size=6),
)
PROPERTY_SCHEMA = st.fixed_dictionaries(
    {"type": st.sampled_from(["string", "integer", "float", "boolean"])},
    optional={
        "title": st.text(max_size=8),
        "description": st.text(max_size=8),
        "default": st.integers() | st.text(max_size=4),
        "enum": st.lists(st.text(max_size=4), min_size=1, max_size=4),
        "minimum": st.integers(),
        "maximum": st.integers(),
        "x-unknown": st.booleans(),
    },
)


def document(input_schema: dict[str, Any], output: dict[str, Any] | None = None) -> dict[str, Any]:
    return canonical.canonical_document(
        model_id="acme/model",
        input_schema=input_schema,
        output_schema=OUTPUT if output is None else output,
        example_request=None,
    )


def shuffled_dict(mapping: dict[str, Any], rnd: random.Random) -> dict[str, Any]:
    keys = list(mapping)
    rnd.shuffle(keys)
    return {key: mapping[key] for key in keys}


# --- model ids and paths ------------------------------------------------------------------


@pytest.mark.parametrize(
    "model_id",
    [
        "",
        "/abs",
        "/abs/model",
        "a/../b",
        "../b",
        "a/..",
        "a//b",
        "a/./b",
        "a/",
        "a\\b",
        "C:x",
        "c:/x",
        "a b",
        "a/b c",
        ".hidden/x",
        "a/-b",
        "a/b?c",
        "a/画像",
        "x" * (canonical.MODEL_ID_MAX_LENGTH + 1),
        "a/" + "b" * 101,
    ],
)
def test_model_id_problem_refuses(model_id: str) -> None:
    assert canonical.model_id_problem(model_id) is not None
    with pytest.raises(ValueError):
        canonical.canonical_path(model_id)


@pytest.mark.parametrize("model_id", [None, 5, ["a"]])
def test_model_id_must_be_a_string(model_id: object) -> None:
    assert canonical.model_id_problem(model_id) is not None


@pytest.mark.parametrize("model_id", [*SEED_IDS, "a", "a/b.c_d-e", "A1/" + "b" * 100])
def test_model_id_problem_accepts(model_id: str) -> None:
    assert canonical.model_id_problem(model_id) is None


def test_canonical_path() -> None:
    assert canonical.canonical_path("community/wan-2-2/first-last-frame") == PurePosixPath(
        "community/wan-2-2/first-last-frame.json"
    )
    assert canonical.canonical_path("a") == PurePosixPath("a.json")


# --- natural order ------------------------------------------------------------------------


def test_property_sort_key_is_natural() -> None:
    keys = ["prompt", "image_url_10", "68_image", "6_text", "57_noise_seed", "image_url_2"]
    keys += ["57_cfg", "image_url_1", "62_image", "71_widthx71_height", "600_prompt"]
    assert sorted(keys, key=canonical.property_sort_key) == [
        "6_text",
        "57_cfg",
        "57_noise_seed",
        "62_image",
        "68_image",
        "71_widthx71_height",
        "600_prompt",
        "image_url_1",
        "image_url_2",
        "image_url_10",
        "prompt",
    ]


@settings(max_examples=200, deadline=None)
@given(left=st.text(max_size=8), right=st.text(max_size=8))
def test_property_sort_key_is_a_total_order(left: str, right: str) -> None:
    left_key, right_key = canonical.property_sort_key(left), canonical.property_sort_key(right)
    assert (left_key == right_key) == (left == right)


@settings(max_examples=200, deadline=None)
@given(
    prefix=st.text("abcxyz_", max_size=4),
    a=st.integers(0, 10**6),
    b=st.integers(0, 10**6),
)
def test_numbers_inside_keys_compare_as_numbers(prefix: str, a: int, b: int) -> None:
    ordered = sorted([f"{prefix}{a}", f"{prefix}{b}"], key=canonical.property_sort_key)
    assert ordered == [f"{prefix}{min(a, b)}", f"{prefix}{max(a, b)}"]


# --- the canonical document ---------------------------------------------------------------


def test_document_key_order_and_example_order() -> None:
    result = canonical.canonical_document(
        model_id="acme/model",
        input_schema={"properties": {}, "type": "object"},
        output_schema=OUTPUT,
        example_request={"prompt": "p", "68_image": "a", "6_text": "t"},
    )
    assert list(result) == ["model_id", "input_schema", "output_schema", "example_request"]
    assert list(result["example_request"]) == ["6_text", "68_image", "prompt"]
    assert "example_request" not in document({"type": "object", "properties": {}})


def test_only_the_input_root_title_is_dropped() -> None:
    result = document(
        {
            "type": "object",
            "title": "入力スキーマ",
            "description": "kept",
            "properties": {
                "title": {"type": "string", "title": "Title"},
                "prompt": {"type": "string", "title": "Prompt", "description": "kept too"},
            },
        }
    )
    schema = result["input_schema"]
    assert "title" not in schema
    assert schema["description"] == "kept"
    assert schema["properties"]["title"] == {"type": "string", "title": "Title"}
    assert schema["properties"]["prompt"]["title"] == "Prompt"
    assert schema["properties"]["prompt"]["description"] == "kept too"


def test_output_is_unwrapped_and_loses_every_title_and_description() -> None:
    output = document({"type": "object", "properties": {}})["output_schema"]
    assert output == {
        "type": "object",
        "properties": {
            "image": {"type": "string", "format": "uri"},
            "images": {"type": "array", "items": {"type": "string", "format": "uri"}},
        },
    }


def test_output_properties_named_title_or_description_survive() -> None:
    output = {
        "output": {
            "type": "object",
            "description": "dropped",
            "properties": {
                "title": {"type": "string", "title": "dropped"},
                "description": {"type": "string", "description": "dropped"},
            },
        }
    }
    result = document({"type": "object", "properties": {}}, output)["output_schema"]
    assert result == {
        "type": "object",
        "properties": {"description": {"type": "string"}, "title": {"type": "string"}},
    }


def test_unwrapped_output_schemas_are_taken_as_they_are() -> None:
    bare = {"type": "object", "properties": {"video": {"type": "string"}}}
    assert document({"type": "object", "properties": {}}, bare)["output_schema"] == bare
    wrapped_with_more = {"output": {"type": "object"}, "type": "object"}
    assert (
        document({"type": "object", "properties": {}}, wrapped_with_more)["output_schema"]
        == wrapped_with_more
    )


def test_keywords_are_ordered_and_lists_keep_their_order() -> None:
    result = document(
        {
            "properties": {
                "mode": {"zeta": 1, "default": "b", "enum": ["b", "a", "c"], "type": "string"},
            },
            "required": ["prompt", "10_x", "2_x"],
            "type": "object",
        }
    )
    schema = result["input_schema"]
    assert list(schema) == ["type", "required", "properties"]
    assert schema["required"] == ["2_x", "10_x", "prompt"]
    assert list(schema["properties"]["mode"]) == ["type", "enum", "default", "zeta"]
    assert schema["properties"]["mode"]["enum"] == ["b", "a", "c"]


def test_values_inside_defaults_are_not_reordered() -> None:
    value = {"required": ["b", "a", "b"]}
    result = document(
        {"type": "object", "properties": {"opts": {"type": "object", "default": value}}}
    )
    assert result["input_schema"]["properties"]["opts"]["default"] == value


@settings(max_examples=60, deadline=None)
@given(
    properties=st.dictionaries(PROPERTY_KEY, PROPERTY_SCHEMA, max_size=8),
    seed=st.integers(min_value=0, max_value=2**32),
    data=st.data(),
)
def test_canonical_text_does_not_depend_on_order(
    properties: dict[str, dict[str, Any]], seed: int, data: st.DataObject
) -> None:
    rnd = random.Random(seed)
    required = (
        data.draw(st.lists(st.sampled_from(sorted(properties)), unique=True)) if properties else []
    )
    schema = {"type": "object", "title": "Input", "required": required, "properties": properties}
    reordered = {
        "properties": shuffled_dict(
            {key: shuffled_dict(value, rnd) for key, value in properties.items()}, rnd
        ),
        "required": rnd.sample(required, len(required)),
        "title": "入力スキーマ",
        "type": "object",
    }
    first = canonical.dumps(document(schema))
    assert first == canonical.dumps(document(reordered))
    assert canonical.dumps(json.loads(first)) == first


# --- dumps and first_difference -----------------------------------------------------------


def test_dumps_ends_with_a_newline_and_keeps_non_ascii() -> None:
    text = canonical.dumps({"title": "入力スキーマ", "description": "输入结构 — é"})
    assert text.endswith("}\n")
    assert not text.endswith("\n\n")
    assert "入力スキーマ" in text
    assert "输入结构 — é" in text
    assert "\\u" not in text
    assert text == '{\n  "title": "入力スキーマ",\n  "description": "输入结构 — é"\n}\n'


@pytest.mark.parametrize(
    ("left", "right", "pointer"),
    [
        ({"a": {"b": {"c": 1}}}, {"a": {"b": {"c": 2}}}, "/a/b/c"),
        ({"a": {"b": 1}}, {"a": {"b": 1, "c": 2}}, "/a/c"),
        ({"a": [1, 2]}, {"a": [1, 2, 3]}, "/a/2"),
        ({"a": [1, 2, 3]}, {"a": [1]}, "/a/1"),
        ({"a": [1, {"b": 2}]}, {"a": [1, {"b": 3}]}, "/a/1/b"),
        ({"a": 1}, {"a": 1.0}, "/a"),
        ({"a": True}, {"a": 1}, "/a"),
        ({"a": None}, {"a": 0}, "/a"),
        ({"a": "1"}, {"a": 1}, "/a"),
        ({"a": [1]}, {"a": {"0": 1}}, "/a"),
        (1, 1.0, ""),
        ({"a/b": 1, "c~d": 1}, {"a/b": 2, "c~d": 1}, "/a~1b"),
        ({"c~d": 1}, {"c~d": 2}, "/c~0d"),
        ({"10_x": 1, "9_x": 1}, {"10_x": 2, "9_x": 2}, "/9_x"),
    ],
)
def test_first_difference(left: Any, right: Any, pointer: str) -> None:
    assert canonical.first_difference(left, right) == pointer
    assert canonical.first_difference(right, left) == pointer


@pytest.mark.parametrize(
    "value", [{}, [], None, 0, "x", {"a": [1, {"b": None, "c": [1.5, "x"]}], "d": True}]
)
def test_first_difference_of_equal_documents_is_none(value: Any) -> None:
    assert canonical.first_difference(value, json.loads(json.dumps(value))) is None


def test_resolve_pointer_follows_first_difference() -> None:
    left = {"input_schema": {"properties": {"a/b": {"enum": [1, 2]}}}}
    right = {"input_schema": {"properties": {"a/b": {"enum": [1, 3]}}}}
    pointer = canonical.first_difference(left, right)
    assert pointer == "/input_schema/properties/a~1b/enum/1"
    assert canonical.resolve_pointer(left, pointer) == 2
    assert canonical.resolve_pointer(right, pointer) == 3
    assert canonical.resolve_pointer(left, "/input_schema/missing") == "(absent)"
    assert canonical.resolve_pointer(left, "/input_schema/properties/a~1b/enum/9") == "(absent)"
