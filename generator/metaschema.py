"""The shape every canonical schema file must have, checked with ``jsonschema``.

This catches structural problems (a property that is not an object, an unknown ``type``,
a ``minimum`` that is not a number) with their JSON path before the normalizer reads the
file, so the normalizer can trust the shapes it walks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from .diagnostics import Diagnostics, SourceRef

KNOWN_TYPES = ("string", "integer", "number", "float", "boolean", "array", "object", "null")
_NUMBER = {"type": "number"}
# Lengths and item counts are ints in pydantic; beyond 2**31 - 1 no real input can exist.
MAX_COUNT = 2**31 - 1
_COUNT = {"type": "integer", "minimum": 0, "maximum": MAX_COUNT}
_TYPE = {"anyOf": [{"enum": list(KNOWN_TYPES)}, {"type": "array", "items": {"enum": list(KNOWN_TYPES)}, "minItems": 1}]}  # fmt: skip
_PROPERTY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "type": _TYPE,
        "title": {"type": "string"},
        "description": {"type": "string"},
        "format": {"type": "string"},
        "enum": {
            "type": "array",
            "minItems": 1,
            "items": {"type": ["string", "number", "boolean", "null"]},
        },
        "minimum": _NUMBER,
        "maximum": _NUMBER,
        "exclusiveMinimum": _NUMBER,
        "exclusiveMaximum": _NUMBER,
        "multipleOf": {"type": "number", "exclusiveMinimum": 0},
        "minLength": _COUNT,
        "maxLength": _COUNT,
        "minItems": _COUNT,
        "maxItems": _COUNT,
        "pattern": {"type": "string"},
        "items": {"$ref": "#/$defs/property"},
        "properties": {"$ref": "#/$defs/properties"},
        "required": {"type": "array", "items": {"type": "string"}},
        "validations": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["validation_rule", "validation_value"],
                "properties": {
                    "validation_rule": {"type": "string", "minLength": 1},
                    "validation_error": {"type": "string"},
                },
            },
        },
    },
}
_OBJECT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "type": {"const": "object"},
        "properties": {"$ref": "#/$defs/properties"},
        "required": {"type": "array", "items": {"type": "string"}},
    },
}
CANONICAL_DOCUMENT: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["model_id", "input_schema", "output_schema"],
    "properties": {
        "model_id": {"type": "string", "minLength": 1},
        "input_schema": {**_OBJECT_SCHEMA, "required": ["properties"]},
        "output_schema": _OBJECT_SCHEMA,
        "example_request": {"type": "object"},
    },
    "$defs": {
        "property": _PROPERTY,
        "properties": {
            "type": "object",
            # An empty name cannot be sent as a key that the API or pydantic tells apart.
            "propertyNames": {"minLength": 1},
            "additionalProperties": {"$ref": "#/$defs/property"},
        },
    },
}
_VALIDATOR = Draft202012Validator(CANONICAL_DOCUMENT)


def check_document(document: Mapping[str, Any], ref: SourceRef, diags: Diagnostics) -> bool:
    """Report every structural problem of a canonical document; True when there is none."""
    errors = sorted(_VALIDATOR.iter_errors(document), key=_error_order)
    for error in errors:
        diags.error("S001", _describe(error), ref.child(*error.absolute_path))
    return not errors


def _error_order(error: ValidationError) -> tuple[str, ...]:
    return tuple(str(part) for part in error.absolute_path)


def _describe(error: ValidationError) -> str:
    if error.validator == "anyOf" and error.absolute_path and error.absolute_path[-1] == "type":
        return f"unknown type {error.instance!r}; expected one of {', '.join(KNOWN_TYPES)}"
    return str(error.message)
