"""Submit-body validation: RunComfy's schema dialect → standard JSON Schema → 422 ``detail``.

RunComfy's input schemas are almost JSON Schema. ``to_json_schema`` removes the differences
(``"float"`` type, ``*_uri`` formats, the ``validations`` list of checks on fetched files)
and forbids unknown top-level keys, as the real API and our SDK do. ``validation_detail``
turns jsonschema's errors into the sorted ``detail`` list of a 422 answer.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

_TYPE_ALIASES = {"float": "number"}
# Keywords that only describe checks RunComfy makes on the fetched file, not on the body.
_DIALECT_ONLY_KEYWORDS = frozenset({"validations"})
_SCHEMA_MAP_KEYWORDS = frozenset(
    {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
)
_SCHEMA_KEYWORDS = frozenset(
    {
        "items",
        "additionalItems",
        "additionalProperties",
        "contains",
        "not",
        "if",
        "then",
        "else",
        "propertyNames",
        "unevaluatedItems",
        "unevaluatedProperties",
    }
)
_SCHEMA_LIST_KEYWORDS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})


def to_json_schema(input_schema: Mapping[str, Any]) -> dict[str, Any]:
    """The standard JSON Schema (2020-12) that a submit body for ``input_schema`` must meet."""
    translated = _translate_schema(input_schema)
    translated["additionalProperties"] = False
    return translated


def build_validator(input_schema: Mapping[str, Any]) -> Draft202012Validator:
    """A validator for submit bodies; raises ``jsonschema.SchemaError`` for a broken schema."""
    schema = to_json_schema(input_schema)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def validation_detail(validator: Draft202012Validator, body: object) -> list[dict[str, Any]]:
    """One ``{loc, msg, type}`` entry per problem, sorted so the answer is deterministic.

    An unknown-keys error names several keys at once; it becomes one entry per key, so
    each entry's ``loc`` points at exactly one wire key.
    """
    entries = [entry for error in validator.iter_errors(body) for entry in _entries_for(error)]
    return sorted(entries, key=_sort_key)


def _translate_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    translated: dict[str, Any] = {}
    for keyword, value in schema.items():
        if keyword in _DIALECT_ONLY_KEYWORDS or _is_media_format(keyword, value):
            continue
        translated[keyword] = _translate_keyword(keyword, value)
    return translated


def _translate_keyword(keyword: str, value: Any) -> Any:
    if keyword == "type":
        return _translate_type(value)
    if keyword in _SCHEMA_MAP_KEYWORDS and isinstance(value, Mapping):
        return {name: _translate_subschema(sub) for name, sub in value.items()}
    if keyword in _SCHEMA_KEYWORDS:
        return _translate_subschema(value)
    if keyword in _SCHEMA_LIST_KEYWORDS and isinstance(value, list):
        return [_translate_subschema(sub) for sub in value]
    # Everything else (enum, default, bounds, titles) is data: copy it so the result
    # shares nothing with the input.
    return copy.deepcopy(value)


def _translate_subschema(value: Any) -> Any:
    if isinstance(value, Mapping):
        return _translate_schema(value)
    if isinstance(value, list):  # the old tuple form of ``items``
        return [_translate_subschema(item) for item in value]
    return copy.deepcopy(value)  # boolean schemas


def _translate_type(value: Any) -> Any:
    if isinstance(value, str):
        return _TYPE_ALIASES.get(value, value)
    if isinstance(value, list):
        return [_TYPE_ALIASES.get(item, item) if isinstance(item, str) else item for item in value]
    return copy.deepcopy(value)


def _is_media_format(keyword: str, value: Any) -> bool:
    # "image_uri", "video_uri", ...: RunComfy fetches the URL itself; for the body it is text.
    return keyword == "format" and isinstance(value, str) and value.endswith("_uri")


def _entries_for(error: ValidationError) -> Iterator[dict[str, Any]]:
    path = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        for key in _unexpected_keys(error.instance, error.schema):
            message = f"Additional properties are not allowed ({key!r} was unexpected)"
            yield _entry([*path, key], message, "additionalProperties")
        return
    if error.validator == "required":
        missing = _missing_key(error)
        yield _entry([*path, missing] if missing is not None else path, error.message, "required")
        return
    yield _entry(path, error.message, str(error.validator))


def _entry(path: list[Any], message: str, kind: str) -> dict[str, Any]:
    return {"loc": ["body", *path], "msg": message, "type": kind}


def _unexpected_keys(instance: Mapping[Any, Any], schema: object) -> list[str]:
    known = schema.get("properties", {}) if isinstance(schema, Mapping) else {}
    return sorted(str(key) for key in instance if key not in known)


def _missing_key(error: ValidationError) -> str | None:
    # jsonschema reports each missing key in its own error but only names it in the message.
    required = error.validator_value if isinstance(error.validator_value, list) else []
    for key in required:
        if error.message == f"{key!r} is a required property":
            return str(key)
    return None


def _sort_key(entry: Mapping[str, Any]) -> tuple[tuple[str, ...], str, str]:
    return tuple(str(part) for part in entry["loc"]), str(entry["type"]), str(entry["msg"])
