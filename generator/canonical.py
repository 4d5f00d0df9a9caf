"""The canonical form of one model's schema file under ``schemas/``.

A canonical file is what ``runcomfy-codegen ingest`` writes and ``generate`` reads:

    {"model_id": ..., "input_schema": {...}, "output_schema": {...}, "example_request": {...}}

It must not depend on which page (language, property order) it was extracted from, so:

* the input schema's root ``title`` is dropped: pages localise it ("Input",
  "入力スキーマ", "输入结构") and it names the page's schema block, not the model;
* the output schema is unwrapped from ``{"output": ...}`` and its ``title`` and
  ``description`` annotations are dropped at every level: pages localise that block's
  prose ("single image URL", "単一画像 URL"), while its structure is the contract;
* keys are ordered: inside a schema object, well-known keywords in ``KEYWORD_ORDER``
  first, then the others alphabetically; property names, ``required`` entries and example
  body keys in natural order (``property_sort_key``: ``6_text`` before ``57_cfg``
  before ``68_image`` before ``prompt``); every other list keeps its order (enum order
  is meaningful);
* JSON is written as UTF-8 (not ``\\u`` escapes), indented by two spaces, with a final
  newline.

The path of a model's file is its id plus ``.json``; ids that could escape ``schemas/``
or that hold unusual characters are refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

MODEL_ID_MAX_LENGTH = 200
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_NATURAL_CHUNK = re.compile(r"[0-9]+|[^0-9]+")
_DOCUMENT_ORDER = ("model_id", "input_schema", "output_schema", "example_request")
KEYWORD_ORDER = (
    "$schema", "type", "title", "description", "format", "enum", "const", "default",
    "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "multipleOf",
    "minLength", "maxLength", "pattern", "items", "minItems", "maxItems", "uniqueItems",
    "required", "properties", "additionalProperties", "validations",
    "validation_rule", "validation_value", "validation_error",
)  # fmt: skip
_NATURALLY_SORTED_MAPS = frozenset({"properties"})
_OUTPUT_ANNOTATIONS = frozenset({"title", "description"})
# Keywords whose values are instance data, not schemas: kept exactly as they are.
DATA_KEYWORDS = frozenset({"default", "enum", "const", "examples", "example", "validation_value"})


def model_id_problem(model_id: object) -> str | None:
    """Why ``model_id`` cannot name a file under ``schemas/``; None when it can."""
    if not isinstance(model_id, str) or not model_id:
        return "the model id must be a non-empty string"
    if len(model_id) > MODEL_ID_MAX_LENGTH:
        return f"the model id is longer than {MODEL_ID_MAX_LENGTH} characters"
    if model_id.startswith("/") or "\\" in model_id or ":" in model_id:
        return f"model id {model_id!r} must be a relative path of plain segments"
    for segment in model_id.split("/"):
        if segment in {"", ".", ".."}:
            return f"model id {model_id!r} has an empty, '.' or '..' segment"
        if not _SEGMENT.fullmatch(segment):
            return (
                f"model id {model_id!r} has segment {segment!r}: segments are letters, digits, "
                "'.', '_' and '-', starting with a letter or digit"
            )
    return None


def canonical_path(model_id: str) -> PurePosixPath:
    """``community/wan-2-2/first-last-frame`` → ``community/wan-2-2/first-last-frame.json``."""
    problem = model_id_problem(model_id)
    if problem:
        raise ValueError(problem)
    return PurePosixPath(model_id + ".json")


def property_sort_key(key: str) -> tuple[tuple[int, int, str], ...]:
    """Natural order: digit runs compare as numbers, so ``6_text`` < ``57_cfg``."""
    chunks = _NATURAL_CHUNK.findall(key)
    keyed = tuple((0, int(c), c) if c[0] in "0123456789" else (1, 0, c) for c in chunks)
    return (*keyed, (2, 0, key))


def canonical_document(
    *,
    model_id: str,
    input_schema: Mapping[str, Any],
    output_schema: Mapping[str, Any],
    example_request: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """The canonical document for one model, keys in canonical order."""
    document: dict[str, Any] = {
        "model_id": model_id,
        "input_schema": order_schema({k: v for k, v in input_schema.items() if k != "title"}),
        "output_schema": order_schema(strip_output_annotations(unwrap_output(output_schema))),
    }
    if example_request is not None:
        document["example_request"] = _natural_mapping(example_request)
    return {key: document[key] for key in _DOCUMENT_ORDER if key in document}


def canonical_text(document: Mapping[str, Any]) -> str:
    """The canonical file text of a whole document (``{model_id, input_schema, ...}``)."""
    return dumps(
        canonical_document(
            model_id=document["model_id"],
            input_schema=document["input_schema"],
            output_schema=document["output_schema"],
            example_request=document.get("example_request"),
        )
    )


def unwrap_output(output_schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """Pages show the output schema as ``{"output": {...}}``; the canonical form is the inside."""
    inner = output_schema.get("output")
    if set(output_schema) == {"output"} and isinstance(inner, Mapping):
        return inner
    return output_schema


def strip_output_annotations(value: Any) -> Any:
    """Drop ``title``/``description`` everywhere, but never a property that has such a name."""
    if isinstance(value, Mapping):
        return {
            key: _strip_output_value(key, item)
            for key, item in value.items()
            if key not in _OUTPUT_ANNOTATIONS
        }
    if isinstance(value, list):
        return [strip_output_annotations(item) for item in value]
    return value


def _strip_output_value(key: str, value: Any) -> Any:
    if key in DATA_KEYWORDS:
        return value
    return _strip_properties(value) if key == "properties" else strip_output_annotations(value)


def _strip_properties(properties: Any) -> Any:
    if not isinstance(properties, Mapping):
        return properties
    return {name: strip_output_annotations(schema) for name, schema in properties.items()}


def order_schema(value: Any, *, parent_key: str | None = None) -> Any:
    """Order keys recursively by the canonical rules (see the module docstring)."""
    if parent_key in DATA_KEYWORDS:
        return value
    if isinstance(value, Mapping):
        if parent_key in _NATURALLY_SORTED_MAPS:
            return {key: order_schema(value[key]) for key in sorted(value, key=property_sort_key)}
        return {key: order_schema(value[key], parent_key=key) for key in _keyword_sorted(value)}
    if isinstance(value, list):
        if parent_key == "required" and all(isinstance(item, str) for item in value):
            return sorted(dict.fromkeys(value), key=property_sort_key)
        return [order_schema(item) for item in value]
    return value


def _keyword_sorted(mapping: Mapping[str, Any]) -> list[str]:
    known = [key for key in KEYWORD_ORDER if key in mapping]
    return known + sorted(key for key in mapping if key not in KEYWORD_ORDER)


def _natural_mapping(mapping: Mapping[str, Any]) -> dict[str, Any]:
    return {key: mapping[key] for key in sorted(mapping, key=property_sort_key)}


def dumps(document: Mapping[str, Any]) -> str:
    """The exact text of a canonical file: strict JSON (ingest refuses NaN and infinities)."""
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def first_difference(left: Any, right: Any, pointer: str = "") -> str | None:
    """The JSON pointer of the first place where two documents differ, or None."""
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        for key in sorted(set(left) | set(right), key=property_sort_key):
            child = f"{pointer}/{_escape(key)}"
            if key not in left or key not in right:
                return child
            found = first_difference(left[key], right[key], child)
            if found is not None:
                return found
        return None
    if isinstance(left, list) and isinstance(right, list):
        for index, (a, b) in enumerate(zip(left, right, strict=False)):
            found = first_difference(a, b, f"{pointer}/{index}")
            if found is not None:
                return found
        return None if len(left) == len(right) else f"{pointer}/{min(len(left), len(right))}"
    same = type(left) is type(right) and left == right
    return None if same else pointer


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The value at ``pointer``, or the string ``"(absent)"`` where there is none."""
    value = document
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return "(absent)"
    return value


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
