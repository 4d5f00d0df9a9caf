"""Normalize one property schema of RunComfy's dialect into IR parts.

The dialect's quirks handled here: ``"type": "float"`` is a number; ``format``
``image_uri``/``video_uri``/``audio_uri`` (and ``*_uris``) mark media URLs, and so does a
ComfyUI media input name (``68_image``, ``image_url_1``, ``video_urls``: ``media_hint``) on
a string field with no enum and no other format (RunComfy's own schemas leave the format
out on many file inputs); ``validations``
entries become structured rules; ``"type": [..., "null"]`` and ``null`` enum members make a
field nullable. Defaults that contradict their own field (wrong type, outside the enum or
the range) are reported and left out rather than emitted as code that cannot type-check.
Unknown keywords are kept as ``ExtraKeyword`` and reported.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, cast

from pydantic_core import SchemaError, SchemaValidator, ValidationError, core_schema

from ..comfy import parse_dimensions
from ..diagnostics import Diagnostics, SourceRef
from ..ir import (
    ArrayOf,
    Constraints,
    DefaultValue,
    DimensionChoice,
    ExtraKeyword,
    LiteralOf,
    MediaKind,
    MediaUrl,
    Scalar,
    ScalarKind,
    TypeRef,
    ValidationRule,
    freeze,
)

KNOWN_KEYWORDS = frozenset(
    {
        "type", "title", "description", "default", "enum", "format", "items", "validations",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "minLength", "maxLength", "pattern", "minItems", "maxItems",
    }
)  # fmt: skip
_TYPE_NAMES: Mapping[str, ScalarKind] = {
    "string": "string",
    "integer": "integer",
    "number": "number",
    "float": "number",
    "boolean": "boolean",
    "object": "object",
}
_GENERIC_FORMATS = frozenset({None, "uri", "url", "uri-reference"})
_MEDIA_FORMAT = re.compile(r"(?P<kind>image|video|audio)_uris?")
# A rule is a metric name and a trailing operator ("file_size_mb<"); parsed by string
# operations plus one unambiguous pattern, so any text is read in linear time.
_RULE_OPERATORS = ("<=", ">=", "==", "!=", "<", ">")
_METRIC = re.compile(r"[A-Za-z_][A-Za-z0-9_/ ]*")
_COUNT_ATTRIBUTES = frozenset({"min_length", "max_length", "min_items", "max_items"})
_BOUNDS_BY_KIND: Mapping[str, frozenset[str]] = {
    "numeric": frozenset(
        {"minimum", "maximum", "exclusive_minimum", "exclusive_maximum", "multiple_of"}
    ),
    "string": frozenset({"min_length", "max_length", "pattern"}),
    "array": frozenset({"min_items", "max_items"}),
}
_CONSTRAINT_KEYS = {
    "minimum": "minimum",
    "maximum": "maximum",
    "exclusiveMinimum": "exclusive_minimum",
    "exclusiveMaximum": "exclusive_maximum",
    "multipleOf": "multiple_of",
    "minLength": "min_length",
    "maxLength": "max_length",
    "pattern": "pattern",
    "minItems": "min_items",
    "maxItems": "max_items",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class PropertyParts:
    """What one property schema normalizes to, before naming."""

    type: TypeRef
    nullable: bool
    default: DefaultValue | None
    constraints: Constraints
    validations: tuple[ValidationRule, ...]
    dimensions: tuple[DimensionChoice, ...]
    extras: tuple[ExtraKeyword, ...]


def normalize_property(
    schema: Mapping[str, Any],
    ref: SourceRef,
    diags: Diagnostics,
    *,
    media_hint: str | None = None,
) -> PropertyParts:
    type_ref, nullable = resolve_type(schema, ref, diags, media_hint=media_hint)
    type_ref, nullable = _apply_enum(type_ref, nullable, schema, ref, diags)
    constraints = _constraints(schema, type_ref, ref, diags)
    parts = PropertyParts(
        type=type_ref,
        nullable=nullable,
        default=None,
        constraints=constraints,
        validations=_validations(schema, ref, diags),
        dimensions=_dimensions(type_ref),
        extras=_extras(schema, ref, diags),
    )
    return replace(parts, default=_default(schema, parts, ref, diags))


def resolve_type(
    schema: Mapping[str, Any], ref: SourceRef, diags: Diagnostics, *, media_hint: str | None = None
) -> tuple[TypeRef, bool]:
    """The field type and whether null is allowed, from ``type``, ``format`` and ``items``."""
    declared = schema.get("type")
    names = list(declared) if isinstance(declared, list) else [declared] if declared else []
    nullable = "null" in names
    names = [name for name in names if name != "null"]
    if not names:
        inferred = _infer_kind(schema)
        if inferred is None:
            diags.warning(
                "G001", "no type given and none can be inferred; accepting any value", ref
            )
            return Scalar(kind="any"), nullable
        names = [inferred]
    if len(set(names)) > 1:
        diags.warning("G002", f"several types {names}; accepting any value", ref.child("type"))
        return Scalar(kind="any"), nullable
    name = names[0]
    media = _media_kind(schema.get("format")) or _hinted_media(schema, media_hint)
    if name == "array":
        return ArrayOf(item=_item_type(schema, media, ref, diags)), nullable
    if media is not None and name == "string":
        return MediaUrl(kind=media), nullable
    return Scalar(kind=_TYPE_NAMES[name]), nullable


def _item_type(
    schema: Mapping[str, Any], media: MediaKind | None, ref: SourceRef, diags: Diagnostics
) -> TypeRef:
    items = schema.get("items")
    if not isinstance(items, Mapping):
        return MediaUrl(kind=media) if media else Scalar(kind="any")
    item_type, _ = resolve_type(items, ref.child("items"), diags)
    if media is not None and item_type == Scalar(kind="string"):
        return MediaUrl(kind=media)
    return item_type


def _hinted_media(schema: Mapping[str, Any], media_hint: str | None) -> MediaKind | None:
    """The name-based media kind, unless the schema says otherwise (an enum, another format)."""
    if media_hint is None or "enum" in schema or schema.get("format") not in _GENERIC_FORMATS:
        return None
    return cast(MediaKind, media_hint)


def _media_kind(format_value: object) -> MediaKind | None:
    match = _MEDIA_FORMAT.fullmatch(format_value) if isinstance(format_value, str) else None
    return cast(MediaKind, match["kind"]) if match else None


def _infer_kind(schema: Mapping[str, Any]) -> str | None:
    samples = list(schema.get("enum") or [])
    if "default" in schema and schema["default"] is not None:
        samples.append(schema["default"])
    kinds = {_json_kind(value) for value in samples if value is not None}
    if "integer" in kinds and "number" in kinds:
        kinds.discard("integer")
    return kinds.pop() if len(kinds) == 1 else None


def _json_kind(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _apply_enum(
    type_ref: TypeRef, nullable: bool, schema: Mapping[str, Any], ref: SourceRef, diags: Diagnostics
) -> tuple[TypeRef, bool]:
    values = schema.get("enum")
    if values is None:
        return type_ref, nullable
    if not isinstance(type_ref, Scalar) or type_ref.kind in {"any", "object"}:
        diags.warning("G003", "enum on a non-scalar field is not enforced", ref.child("enum"))
        return type_ref, nullable
    nullable = nullable or None in values
    members = list(dict.fromkeys(value for value in values if value is not None))
    if not members:
        diags.warning(
            "G015", "the enum allows only null, which the client cannot check", ref.child("enum")
        )
        return type_ref, nullable
    if len(members) + (None in values) < len(values):
        diags.warning("G004", "duplicate enum values were merged", ref.child("enum"))
    wrong = [value for value in members if not _fits(value, type_ref.kind)]
    if wrong:
        diags.error(
            "G005", f"enum values {wrong!r} are not of type {type_ref.kind}", ref.child("enum")
        )
        return type_ref, nullable
    if type_ref.kind == "number" and any(
        isinstance(v, float) and not v.is_integer() for v in members
    ):
        diags.warning(
            "G006", "fractional enum values cannot be checked by the client", ref.child("enum")
        )
        return type_ref, nullable
    literal_values = tuple(int(v) if type_ref.kind == "number" else v for v in members)
    return LiteralOf(values=literal_values, base=type_ref), nullable


def _fits(value: object, kind: str) -> bool:
    actual = _json_kind(value)
    return actual == kind or (kind == "number" and actual == "integer")


def _constraints(
    schema: Mapping[str, Any], type_ref: TypeRef, ref: SourceRef, diags: Diagnostics
) -> Constraints:
    given = {attr: schema[key] for key, attr in _CONSTRAINT_KEYS.items() if key in schema}
    for attr in _COUNT_ATTRIBUTES & set(given):
        given[attr] = int(given[attr])  # JSON Schema lets an integer be spelled 3.0 or 3e0
    if isinstance(type_ref, LiteralOf):
        # The enum is stricter than any bound, and pydantic cannot put bounds on a Literal.
        return Constraints()
    allowed = _BOUNDS_BY_KIND.get(_bound_kind(type_ref), frozenset())
    for attr in sorted(set(given) - allowed):
        key = next(k for k, a in _CONSTRAINT_KEYS.items() if a == attr)
        diags.warning(
            "G007",
            f"'{key}' does not apply to this field's type and is not enforced",
            ref.child(key),
        )
        del given[attr]
    if "pattern" in given and not _compiles(given["pattern"]):
        diags.warning(
            "G013",
            "pattern is not a regular expression the SDK's engine (pydantic's) accepts; "
            "it is not enforced",
            ref.child("pattern"),
        )
        del given["pattern"]
    constraints = Constraints(**given)
    for low, high in (
        ("minimum", "maximum"),
        ("min_length", "max_length"),
        ("min_items", "max_items"),
    ):
        low_value, high_value = getattr(constraints, low), getattr(constraints, high)
        if low_value is not None and high_value is not None and low_value > high_value:
            diags.error("G008", f"{low} {low_value} is greater than {high} {high_value}", ref)
    return constraints


def _parse_rule(raw: str) -> tuple[str, str] | None:
    """``"file_size_mb<"`` → (``file_size_mb``, ``<``); None for any other shape."""
    rule = raw.strip()
    operator = next((op for op in _RULE_OPERATORS if rule.endswith(op)), None)
    if operator is None:
        return None
    metric = rule[: -len(operator)].strip()
    return (metric, operator) if _METRIC.fullmatch(metric) else None


def _compiles(pattern: object) -> bool:
    """Whether the generated SDK's engine (pydantic-core's, linear time) accepts ``pattern``.

    Python's ``re`` would accept look-arounds the SDK then fails on at import, and would
    backtrack without bound on a pattern such as ``^(a+)+$``.
    """
    return isinstance(pattern, str) and _pattern_validator(pattern) is not None


@functools.lru_cache(maxsize=512)
def _pattern_validator(pattern: str) -> SchemaValidator | None:
    try:
        return SchemaValidator(core_schema.str_schema(pattern=pattern))
    except SchemaError:
        return None


def _matches(pattern: str, value: str) -> bool:
    validator = _pattern_validator(pattern)
    if validator is None:
        return True  # a pattern the SDK cannot enforce was dropped already
    try:
        validator.validate_python(value)
    except ValidationError:
        return False
    return True


def _bound_kind(type_ref: TypeRef) -> str:
    if isinstance(type_ref, ArrayOf):
        return "array"
    if isinstance(type_ref, MediaUrl) or (
        isinstance(type_ref, Scalar) and type_ref.kind == "string"
    ):
        return "string"
    if isinstance(type_ref, Scalar) and type_ref.kind in {"integer", "number"}:
        return "numeric"
    return "none"


def _validations(
    schema: Mapping[str, Any], ref: SourceRef, diags: Diagnostics
) -> tuple[ValidationRule, ...]:
    rules: list[ValidationRule] = []
    for index, entry in enumerate(schema.get("validations") or []):
        entry_ref = ref.child("validations", index)
        raw = entry["validation_rule"]
        match = _parse_rule(raw)
        if match is None:
            diags.warning(
                "G009",
                f"validation rule {raw[:80]!r} has no known 'metric<op>' shape; kept as text",
                entry_ref,
            )
        message = entry.get("validation_error")
        rules.append(
            ValidationRule(
                rule=raw,
                metric=match[0] if match else raw,
                operator=match[1] if match else "",
                value=freeze(entry["validation_value"]),
                message=message if isinstance(message, str) and message else None,
                source=entry_ref,
            )
        )
    return tuple(rules)


def _dimensions(type_ref: TypeRef) -> tuple[DimensionChoice, ...]:
    """Width, height and label of every value, when every enum value is a size."""
    if not isinstance(type_ref, LiteralOf) or type_ref.base.kind != "string":
        return ()
    parsed = [(value, parse_dimensions(str(value))) for value in type_ref.values]
    if not all(size for _, size in parsed):
        return ()
    return tuple(
        DimensionChoice(value=str(value), width=size.width, height=size.height, label=size.label)
        for value, size in parsed
        if size
    )


def _extras(
    schema: Mapping[str, Any], ref: SourceRef, diags: Diagnostics
) -> tuple[ExtraKeyword, ...]:
    extras = []
    for key in sorted(set(schema) - KNOWN_KEYWORDS):
        diags.warning("G010", f"unknown keyword '{key}' is kept but not enforced", ref.child(key))
        extras.append(ExtraKeyword(name=key, value=freeze(schema[key]), source=ref.child(key)))
    return tuple(extras)


def _default(
    schema: Mapping[str, Any], parts: PropertyParts, ref: SourceRef, diags: Diagnostics
) -> DefaultValue | None:
    if "default" not in schema:
        return None
    value = schema["default"]
    if value is None:
        return DefaultValue(value=None)
    problem = default_problem(value, parts)
    if problem:
        diags.warning(
            "G011", f"default {value!r} {problem}; the field gets no default", ref.child("default")
        )
        return None
    if isinstance(value, int) and not isinstance(value, bool) and _is_number(parts.type):
        value = float(value)
    return DefaultValue(value=freeze(value))


def default_problem(value: object, parts: PropertyParts) -> str | None:
    """Why a default cannot stand in the generated code, or None."""
    type_ref = parts.type
    if isinstance(type_ref, LiteralOf):
        return None if _is_member(value, type_ref) else "is not one of the enum values"
    if not _value_fits(value, type_ref):
        return f"is not a valid {_describe(type_ref)}"
    c = parts.constraints
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number_problem(value, c)
    if isinstance(value, str):
        return _string_problem(value, c)
    if isinstance(value, list) and not _within(len(value), c.min_items, c.max_items):
        return "has a number of items outside minItems/maxItems"
    return None


def _number_problem(value: float, c: Constraints) -> str | None:
    if not math.isfinite(value):
        return "is not a finite number"
    if not _within(value, c.minimum, c.maximum):
        return "is outside the field's minimum/maximum"
    below = c.exclusive_minimum is not None and value <= c.exclusive_minimum
    above = c.exclusive_maximum is not None and value >= c.exclusive_maximum
    if below or above:
        return "is outside the field's exclusiveMinimum/exclusiveMaximum"
    if c.multiple_of is not None and not math.isclose(
        value / c.multiple_of, round(value / c.multiple_of)
    ):
        return "is not a multiple of multipleOf"
    return None


def _string_problem(value: str, c: Constraints) -> str | None:
    if not _within(len(value), c.min_length, c.max_length):
        return "has a length outside minLength/maxLength"
    if c.pattern is not None and not _matches(c.pattern, value):
        return "does not match the field's pattern"
    return None


def _within(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _is_member(value: object, type_ref: LiteralOf) -> bool:
    if (
        type_ref.base.kind == "number"
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        return value in type_ref.values
    return any(type(member) is type(value) and member == value for member in type_ref.values)


def _value_fits(value: object, type_ref: TypeRef) -> bool:
    if isinstance(type_ref, ArrayOf):
        return isinstance(value, list) and all(_value_fits(item, type_ref.item) for item in value)
    if isinstance(type_ref, MediaUrl):
        return isinstance(value, str)
    if isinstance(type_ref, Scalar):
        return type_ref.kind == "any" or _fits(value, type_ref.kind)
    return True


def _is_number(type_ref: TypeRef) -> bool:
    return isinstance(type_ref, Scalar) and type_ref.kind == "number"


def _describe(type_ref: TypeRef) -> str:
    if isinstance(type_ref, ArrayOf):
        return f"list of {_describe(type_ref.item)}"
    if isinstance(type_ref, MediaUrl):
        return f"{type_ref.kind} URL"
    if isinstance(type_ref, LiteralOf):
        return type_ref.base.kind
    return type_ref.kind
