"""The intermediate representation: frozen, fully named, free of Python source text.

``normalize`` builds it from canonical schemas; ``render`` reads it. Every node carries
the ``SourceRef`` it came from, so any later pass can report a located diagnostic.

Ordering rules:

* models are sorted by model id (which also sorts their module and class names);
* request fields: required fields first, then optional ones, each group in the canonical
  property order of the schema file (see ``canonical.property_sort_key``);
* output fields in canonical property order;
* JSON values are frozen (lists become tuples, objects become tuples of pairs) so the
  IR stays hashable; ``thaw`` turns them back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

from .comfy import NodeInput
from .diagnostics import SourceRef

JsonScalar: TypeAlias = str | int | float | bool | None
FrozenJson: TypeAlias = "JsonScalar | tuple[FrozenJson, ...] | FrozenObject"
MediaKind = Literal["image", "video", "audio"]
ScalarKind = Literal["string", "integer", "number", "boolean", "any", "object"]


@dataclass(frozen=True, slots=True)
class FrozenObject:
    """A JSON object as sorted-in-schema-order pairs."""

    items: tuple[tuple[str, FrozenJson], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Scalar:
    kind: ScalarKind


@dataclass(frozen=True, slots=True, kw_only=True)
class MediaUrl:
    """A URL that RunComfy fetches itself (``format: image_uri`` and friends)."""

    kind: MediaKind


@dataclass(frozen=True, slots=True, kw_only=True)
class LiteralOf:
    """A closed set of values (a JSON-Schema ``enum``) over a scalar kind."""

    values: tuple[str | int | bool, ...]
    base: Scalar


@dataclass(frozen=True, slots=True, kw_only=True)
class ArrayOf:
    item: TypeRef


TypeRef: TypeAlias = "Scalar | MediaUrl | LiteralOf | ArrayOf"


@dataclass(frozen=True, slots=True, kw_only=True)
class Constraints:
    """Range, length and count bounds; None where the schema sets none."""

    minimum: int | float | None = None
    maximum: int | float | None = None
    exclusive_minimum: int | float | None = None
    exclusive_maximum: int | float | None = None
    multiple_of: int | float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    min_items: int | None = None
    max_items: int | None = None

    def bounds(self) -> tuple[tuple[str, int | float], ...]:
        """The numeric bounds that are set, as ``(attribute, value)`` in reading order."""
        return tuple(
            (name, value) for name in BOUND_ORDER if (value := getattr(self, name)) is not None
        )


# How documentation lists bounds: lower before upper, values before lengths and counts.
BOUND_ORDER = (
    "minimum", "exclusive_minimum", "maximum", "exclusive_maximum", "multiple_of",
    "min_length", "max_length", "min_items", "max_items",
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class DefaultValue:
    """A schema default; ``DefaultValue(value=None)`` is an explicit ``"default": null``."""

    value: FrozenJson


@dataclass(frozen=True, slots=True, kw_only=True)
class ValidationRule:
    """A RunComfy ``validations`` entry, e.g. ``file_size_mb<`` 10, checked server-side."""

    rule: str
    metric: str
    operator: str
    value: FrozenJson
    message: str | None
    source: SourceRef


@dataclass(frozen=True, slots=True, kw_only=True)
class DimensionChoice:
    """One enum value of a size field, e.g. ``"720x1280 (9:16)"``."""

    value: str
    width: int
    height: int
    label: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ExtraKeyword:
    """A keyword the generator does not understand: kept, reported, never dropped."""

    name: str
    value: FrozenJson
    source: SourceRef


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    wire_key: str
    py_name: str
    targets: tuple[NodeInput, ...]
    type: TypeRef
    required: bool
    nullable: bool
    default: DefaultValue | None
    title: str | None
    description: str | None
    constraints: Constraints
    validations: tuple[ValidationRule, ...]
    dimensions: tuple[DimensionChoice, ...]
    extras: tuple[ExtraKeyword, ...]
    source: SourceRef

    @property
    def is_combined(self) -> bool:
        return len(self.targets) > 1


@dataclass(frozen=True, slots=True, kw_only=True)
class OutputField:
    wire_key: str
    py_name: str
    type: TypeRef
    description: str | None
    source: SourceRef


@dataclass(frozen=True, slots=True, kw_only=True)
class Model:
    model_id: str
    module_name: str
    request_class: str
    output_class: str
    resource_class: str
    async_resource_class: str
    params_class: str
    description: str | None
    fields: tuple[Field, ...]
    output_fields: tuple[OutputField, ...]
    example_request: FrozenObject
    source: SourceRef


@dataclass(frozen=True, slots=True, kw_only=True)
class NamespaceEntry:
    """One attribute of a namespace: a nested namespace or a model's resource."""

    attribute: str
    target_path: str
    class_name: str
    async_class_name: str
    model: Model | None
    module: str = ""
    """The module of a nested namespace's class (its ``Namespace.module``); ``""`` for models."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Namespace:
    """A level of the client's accessor tree (``client.community.wan_2_2``); root path ``""``."""

    path: str
    class_name: str
    async_class_name: str
    entries: tuple[NamespaceEntry, ...]
    module: str = ""
    """The private module (under ``_namespaces/``) that defines it; ``""`` for the root."""

    @property
    def is_root(self) -> bool:
        return not self.path


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceFile:
    """An input file and the sha256 of its bytes, for the provenance manifest."""

    path: str
    sha256: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Package:
    name: str
    models: tuple[Model, ...]
    namespaces: tuple[Namespace, ...]
    sources: tuple[SourceFile, ...]


def leaf_type(type_ref: TypeRef) -> TypeRef:
    """The element type of (nested) arrays, the type itself otherwise."""
    while isinstance(type_ref, ArrayOf):
        type_ref = type_ref.item
    return type_ref


def freeze(value: object) -> FrozenJson:
    """Turn parsed JSON into the IR's hashable form."""
    if isinstance(value, dict):
        return FrozenObject(tuple((str(key), freeze(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"not a JSON value: {value!r}")


def thaw(value: FrozenJson) -> object:
    """Turn a frozen value back into plain JSON (dicts and lists)."""
    if isinstance(value, FrozenObject):
        return {key: thaw(item) for key, item in value.items}
    if isinstance(value, tuple):
        return [thaw(item) for item in value]
    return value


def accessor_paths(package: Package) -> dict[str, str]:
    """Model id → its dotted accessor below the client (``community.wan_2_2.first_last_frame``)."""
    by_path = {namespace.path: namespace for namespace in package.namespaces}
    found: dict[str, str] = {}

    def walk(namespace: Namespace, prefix: tuple[str, ...]) -> None:
        for entry in namespace.entries:
            path = (*prefix, entry.attribute)
            if entry.model is not None:
                found[entry.model.model_id] = ".".join(path)
            else:
                walk(by_path[entry.target_path], path)

    if "" in by_path:
        walk(by_path[""], ())
    return found
