"""Stage 2, normalize: checked canonical documents → the frozen IR (``ir.Package``).

``build_package`` reads each model's properties (``properties.py``), names them
(``names.py``), orders them and assembles ``ir.Model`` nodes. Problems become
diagnostics; the caller renders nothing when any is an error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .. import canonical, naming
from ..comfy import NodeInput, media_kind_by_name, parse_wire_key
from ..diagnostics import Diagnostics, SourceRef
from ..ingest import Overrides, SchemaFile
from ..ir import (
    ArrayOf,
    Field,
    FrozenObject,
    LiteralOf,
    Model,
    OutputField,
    Package,
    Scalar,
    SourceFile,
    TypeRef,
    freeze,
)
from ..lock import NameLock
from .names import (
    assign_field_names,
    assign_output_names,
    check_overrides,
    model_names,
)
from .namespaces import build_namespaces
from .properties import normalize_property

_ROOT_KEYWORDS = frozenset(
    {"type", "title", "description", "required", "properties", "additionalProperties", "$schema"}
)
_OUTPUT_DOCS: Mapping[str, str] = {
    "image": "URL of the generated image.",
    "video": "URL of the generated video.",
    "audio": "URL of the generated audio.",
    "images": "URLs of the generated images.",
    "videos": "URLs of the generated videos.",
}


def build_package(
    files: Sequence[SchemaFile],
    *,
    overrides: Overrides,
    lock: NameLock | None = None,
    package_name: str,
    diags: Diagnostics,
) -> Package:
    """The IR of every model in ``files`` (which ``ingest.load_schemas`` sorted by path).

    Names come from ``overrides``, then ``lock`` (names an earlier generation gave), then
    the naming rules; ``lock_of(package)`` is the lock to write afterwards.
    """
    lock = lock if lock is not None else NameLock()
    ordered = sorted(files, key=lambda file: file.document["model_id"])
    names = model_names(ordered, overrides=overrides, lock=lock, diags=diags)
    check_overrides(overrides, {file.document["model_id"]: file for file in ordered}, diags)
    models = tuple(
        _build_model(file, names[file.document["model_id"]], overrides, lock, diags)
        for file in ordered
    )
    sources = tuple(SourceFile(path=file.ref.file, sha256=file.sha256) for file in ordered)
    namespaces = build_namespaces(models, overrides=overrides, lock=lock, diags=diags)
    return Package(name=package_name, models=models, namespaces=namespaces, sources=sources)


def _build_model(
    file: SchemaFile,
    names: naming.ModelNames,
    overrides: Overrides,
    lock: NameLock,
    diags: Diagnostics,
) -> Model:
    document = file.document
    model_id: str = document["model_id"]
    input_ref = file.ref.child("input_schema")
    input_schema: Mapping[str, Any] = document["input_schema"]
    _warn_unknown_root_keywords(input_schema, input_ref, diags)
    properties: Mapping[str, Mapping[str, Any]] = input_schema["properties"]
    targets = {
        key: parse_wire_key(key) for key in sorted(properties, key=canonical.property_sort_key)
    }
    py_names = assign_field_names(
        properties,
        targets,
        model_id=model_id,
        overrides=overrides,
        lock=lock,
        ref=input_ref,
        diags=diags,
    )
    output_ref = file.ref.child("output_schema")
    return Model(
        model_id=model_id,
        module_name=names.module,
        request_class=names.request_class,
        output_class=names.output_class,
        resource_class=names.resource_class,
        async_resource_class=names.async_resource_class,
        params_class=names.params_class,
        description=input_schema.get("description") or None,
        fields=_fields(input_schema, targets, py_names, input_ref, diags),
        output_fields=_output_fields(
            document["output_schema"], model_id, lock, output_ref, overrides.ref.file, diags
        ),
        example_request=_example(document),
        source=file.ref,
    )


def _fields(
    schema: Mapping[str, Any],
    targets: Mapping[str, tuple[NodeInput, ...]],
    py_names: Mapping[str, str],
    ref: SourceRef,
    diags: Diagnostics,
) -> tuple[Field, ...]:
    """Every input field: required ones first, each group in canonical key order."""
    properties: Mapping[str, Mapping[str, Any]] = schema["properties"]
    required = _required(schema, ref, diags)
    fields = [
        _field(key, properties[key], targets[key], py_names[key], key in required, ref, diags)
        for key in targets
    ]
    return tuple(sorted(fields, key=lambda field: not field.required))


def _field(
    key: str,
    schema: Mapping[str, Any],
    targets: tuple[NodeInput, ...],
    py_name: str,
    required: bool,
    ref: SourceRef,
    diags: Diagnostics,
) -> Field:
    prop_ref = ref.child("properties", key)
    parts = normalize_property(schema, prop_ref, diags, media_hint=media_kind_by_name(targets))
    if len(targets) > 1 and isinstance(parts.type, LiteralOf) and not parts.dimensions:
        diags.warning(
            "G014",
            "combined key: not every enum value reads as 'WIDTHxHEIGHT (label)'",
            prop_ref.child("enum"),
        )
    return Field(
        wire_key=key,
        py_name=py_name,
        targets=targets,
        type=parts.type,
        required=required,
        nullable=parts.nullable,
        default=parts.default,
        title=schema.get("title") or None,
        description=schema.get("description") or None,
        constraints=parts.constraints,
        validations=parts.validations,
        dimensions=parts.dimensions,
        extras=parts.extras,
        source=prop_ref,
    )


def _required(schema: Mapping[str, Any], ref: SourceRef, diags: Diagnostics) -> frozenset[str]:
    listed = schema.get("required", [])
    for index, key in enumerate(listed):
        if key not in schema["properties"]:
            diags.warning(
                "G012",
                f"required entry {key!r} names no property; ignored",
                ref.child("required", index),
            )
    return frozenset(key for key in listed if key in schema["properties"])


def _warn_unknown_root_keywords(
    schema: Mapping[str, Any], ref: SourceRef, diags: Diagnostics
) -> None:
    for key in sorted(set(schema) - _ROOT_KEYWORDS):
        diags.warning(
            "G010",
            f"unknown keyword '{key}' is kept in the schema file but not used",
            ref.child(key),
        )


def _output_fields(
    schema: Mapping[str, Any],
    model_id: str,
    lock: NameLock,
    ref: SourceRef,
    overrides_file: str,
    diags: Diagnostics,
) -> tuple[OutputField, ...]:
    properties: Mapping[str, Mapping[str, Any]] = schema.get("properties", {})
    keys = sorted(properties, key=canonical.property_sort_key)
    names = assign_output_names(
        keys,
        {key: parse_wire_key(key) for key in keys},
        model_id=model_id,
        lock=lock,
        ref=ref,
        overrides_file=overrides_file,
        diags=diags,
    )
    return tuple(
        OutputField(
            wire_key=key,
            py_name=names[key],
            type=_output_type(properties[key]),
            description=_OUTPUT_DOCS.get(key),
            source=ref.child("properties", key),
        )
        for key in keys
    )


def _output_type(schema: Mapping[str, Any]) -> TypeRef:
    """Outputs are URLs or lists of them; anything else is taken as it comes."""
    kind = schema.get("type")
    if kind == "array":
        items = schema.get("items")
        item_kind = items.get("type") if isinstance(items, Mapping) else None
        return ArrayOf(item=Scalar(kind="string" if item_kind == "string" else "any"))
    return Scalar(kind="string" if kind == "string" else "any")


def _example(document: Mapping[str, Any]) -> FrozenObject:
    frozen = freeze(document.get("example_request") or {})
    assert isinstance(frozen, FrozenObject)
    return frozen
