"""The name lock: every public name the generated SDK exposes, kept across regenerations.

``schemas/names.lock`` is committed beside the schemas. ``generate`` reads it before
naming anything and writes it afterwards, so a name once given is kept (the naming rules
only name what is new; an override in ``overrides.toml`` is the way to change a name).
Models and fields that are gone leave the lock. The file is JSON (like ``Pipfile.lock``:
it parses forty times faster than TOML, which matters on a catalog of thousands of models),
sorted, one entry per line, so that changes to two models in two branches merge cleanly::

    {
      "about": "...",
      "version": 1,
      "models": {
        "community/wan-2-2/first-last-frame": {
          "accessor": "community.wan_2_2.first_last_frame",
          "module": "community_wan_2_2_first_last_frame",
          ...
          "fields": {
            "6_text": "prompt",

This module is the only place that knows the format: parsing (with located diagnostics),
building the lock of a package, and spelling it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from . import naming
from .canonical import property_sort_key
from .config import LOCK_FILE as LOCK_FILE
from .diagnostics import Diagnostics, SourceRef
from .ir import Package, accessor_paths

LOCK_VERSION = 1
_ABOUT = (
    "Public names of the generated SDK, kept stable across regenerations. Written by "
    "`runcomfy-codegen generate`; commit it with the schemas. To change a name, set it in "
    "overrides.toml (the change is reported as a rename)."
)
_MODEL_KEYS = ("accessor", "module", "request_class", "output_class", "resource_class")


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelLock:
    """The locked names of one model; ``class_base`` is the common stem of its classes."""

    module: str
    class_base: str
    accessor: tuple[str, ...]
    fields: Mapping[str, str] = field(default_factory=dict)
    output_fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class NameLock:
    models: Mapping[str, ModelLock] = field(default_factory=dict)
    namespaces: Mapping[str, str] = field(default_factory=dict)
    ref: SourceRef = field(default_factory=lambda: SourceRef(LOCK_FILE))


def load_lock(path: Path, diags: Diagnostics, *, shown_as: str) -> NameLock:
    """The lock file; a missing file is an empty lock (a first generation)."""
    return read_lock(path.read_bytes() if path.is_file() else None, diags, shown_as=shown_as)


def read_lock(data: bytes | None, diags: Diagnostics, *, shown_as: str) -> NameLock:
    """The lock from the file's bytes (None: no file yet)."""
    ref = SourceRef(shown_as)
    if data is None:
        return NameLock(ref=ref)
    try:
        table = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except UnicodeDecodeError as error:
        diags.error("L001", f"lock file is not UTF-8 ({error.reason} at byte {error.start})", ref)
        return NameLock(ref=ref)
    except json.JSONDecodeError as error:
        diags.error(
            "L001",
            f"lock file is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})",
            ref,
        )
        return NameLock(ref=ref)
    except _DuplicateKey as error:
        diags.error("L001", f"lock file repeats the key {error.args[0]!r}", ref)
        return NameLock(ref=ref)
    if not isinstance(table, dict):
        diags.error("L001", "lock file must hold a JSON object", ref)
        return NameLock(ref=ref)
    return parse_lock(table, ref, diags)


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for key, value in pairs:
        if key in table:
            raise _DuplicateKey(key)
        table[key] = value
    return table


def parse_lock(table: Mapping[str, Any], ref: SourceRef, diags: Diagnostics) -> NameLock:
    """Check the shape and every name of a parsed lock; bad entries are errors, never guesses."""
    if table.get("version") != LOCK_VERSION:
        diags.error(
            "L001",
            f"unknown lock version {table.get('version')!r} (expected 1)",
            ref.child("version"),
        )
        return NameLock(ref=ref)
    unknown = sorted(set(table) - {"about", "version", "models", "namespaces"})
    for key in unknown:
        diags.error("L001", f"unknown lock entry {key!r}", ref.child(key))
    models: dict[str, ModelLock] = {}
    raw_models = table.get("models", {})
    if not isinstance(raw_models, dict):
        diags.error("L001", "'models' must be a table", ref.child("models"))
        raw_models = {}
    for model_id, entry in sorted(raw_models.items()):
        parsed = _model_lock(entry, ref.child("models", model_id), diags)
        if parsed is not None:
            models[model_id] = parsed
    namespaces = _string_table(table.get("namespaces", {}), ref.child("namespaces"), diags)
    for path, name in namespaces.items():
        _check_name(
            name, naming.is_usable_class_base, partial(ref.child, "namespaces", path), diags
        )
    return NameLock(models=models, namespaces=namespaces, ref=ref)


def _model_lock(entry: object, ref: SourceRef, diags: Diagnostics) -> ModelLock | None:
    if not isinstance(entry, dict):
        diags.error("L001", "each model's entry must be a table", ref)
        return None
    missing = [key for key in _MODEL_KEYS if not isinstance(entry.get(key), str)]
    if missing:
        diags.error("L001", f"model entry lacks string keys {missing}", ref)
        return None
    base = entry["request_class"].removesuffix(naming.REQUEST_SUFFIX)
    names = naming.ModelNames(module=entry["module"], class_base=base)
    expected = {"output_class": names.output_class, "resource_class": names.resource_class}
    for key, wanted in expected.items():
        if entry[key] != wanted or not entry["request_class"].endswith(naming.REQUEST_SUFFIX):
            diags.error(
                "L002",
                f"{key} {entry[key]!r} does not match request_class {entry['request_class']!r}: "
                f"a model's classes share one stem ({wanted!r})",
                ref.child(key),
            )
            return None
    accessor = tuple(entry["accessor"].split("."))
    checks = [
        (base, naming.is_usable_class_base, partial(ref.child, "request_class")),
        (entry["module"], naming.is_usable_module, partial(ref.child, "module")),
        *((part, naming.is_usable_accessor, partial(ref.child, "accessor")) for part in accessor),
    ]
    if not all(_check_name(name, usable, where, diags) for name, usable, where in checks):
        return None
    fields = _string_table(entry.get("fields", {}), ref.child("fields"), diags)
    outputs = _string_table(entry.get("output_fields", {}), ref.child("output_fields"), diags)
    usable_fields = {
        key: name
        for table, part in ((fields, "fields"), (outputs, "output_fields"))
        for key, name in table.items()
        if _check_name(name, naming.is_usable_field_name, partial(ref.child, part, key), diags)
    }
    return ModelLock(
        module=entry["module"],
        class_base=base,
        accessor=accessor,
        fields={key: name for key, name in fields.items() if key in usable_fields},
        output_fields={key: name for key, name in outputs.items() if key in usable_fields},
    )


def _string_table(value: object, ref: SourceRef, diags: Diagnostics) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        diags.error("L001", "must be a table of name strings", ref)
        return {}
    return dict(value)


def _check_name(name: str, usable: Any, where: Callable[[], SourceRef], diags: Diagnostics) -> bool:
    # ``where`` is called only for a bad name: a lock holds tens of thousands of good ones.
    if usable(name):
        return True
    diags.error(
        "L002",
        f"locked name {name!r} cannot be used as it is; choose a name in overrides.toml "
        "or delete the entry to let the rules name it",
        where(),
    )
    return False


def lock_of(package: Package) -> NameLock:
    """The names ``package`` exposes, as the lock records them."""
    accessors = accessor_paths(package)
    models = {
        model.model_id: ModelLock(
            module=model.module_name,
            class_base=model.request_class.removesuffix(naming.REQUEST_SUFFIX),
            accessor=tuple(accessors[model.model_id].split(".")),
            fields={field.wire_key: field.py_name for field in model.fields},
            output_fields={field.wire_key: field.py_name for field in model.output_fields},
        )
        for model in package.models
    }
    namespaces = {ns.path: ns.class_name for ns in package.namespaces if not ns.is_root}
    return NameLock(models=models, namespaces=namespaces)


def dumps(lock: NameLock) -> str:
    """The lock as JSON: models sorted by id, fields in natural key order, stable byte for byte."""
    models: dict[str, Any] = {}
    for model_id in sorted(lock.models):
        entry = lock.models[model_id]
        names = naming.ModelNames(module=entry.module, class_base=entry.class_base)
        models[model_id] = {
            "accessor": ".".join(entry.accessor),
            "module": entry.module,
            "request_class": names.request_class,
            "output_class": names.output_class,
            "resource_class": names.resource_class,
            "fields": _natural(entry.fields),
            "output_fields": _natural(entry.output_fields),
        }
    document = {
        "about": _ABOUT,
        "version": LOCK_VERSION,
        "models": models,
        "namespaces": {path: lock.namespaces[path] for path in sorted(lock.namespaces)},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _natural(pairs: Mapping[str, str]) -> dict[str, str]:
    return {key: pairs[key] for key in sorted(pairs, key=property_sort_key)}
