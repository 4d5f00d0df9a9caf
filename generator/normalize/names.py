"""The naming pass: friendly field names and per-model class/module names.

The rules themselves live in ``generator.naming``; this pass applies them to a model's
properties, checks the overrides file against the models it names, and turns collisions
and unusable overrides into diagnostics.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator import naming
from generator.comfy import NodeInput
from generator.diagnostics import Diagnostics, SourceRef
from generator.ingest import Overrides, SchemaFile


def assign_field_names(
    properties: Mapping[str, Mapping[str, Any]],
    targets_of: Mapping[str, tuple[NodeInput, ...]],
    explicit: Mapping[str, str],
    ref: SourceRef,
    diags: Diagnostics,
) -> dict[str, str]:
    """Wire key → unique friendly name for one model's input properties."""
    requests = []
    for key, targets in targets_of.items():
        if key in explicit:
            candidate = explicit[key]
            usable = naming.make_identifier(candidate)
            if usable != candidate:
                diags.error(
                    "N003",
                    f"override name {candidate!r} for {key!r} is not a usable field name "
                    f"(it would become {usable!r})",
                    ref.child("properties", key),
                )
        else:
            title = properties[key].get("title")
            candidate = naming.name_from_title(title if isinstance(title, str) else None) or (
                naming.name_from_wire_key(key, targets)
            )
        requests.append(naming.NameRequest(key, candidate, key in explicit, targets))
    names, renames = naming.resolve_collisions(requests)
    for rename in renames:
        rivals = ", ".join(repr(rival) for rival in rename.rivals)
        if rename.explicit:
            diags.error(
                "N005",
                f"overrides give {rename.wanted!r} to {rename.wire_key!r} and to {rivals}",
                ref.child("properties", rename.wire_key),
            )
        else:
            diags.warning(
                "N004",
                f"{rename.wire_key!r} and {rivals} would both be named {rename.wanted!r}; "
                f"{rename.wire_key!r} is named {rename.given!r} (set a name in the overrides file)",
                ref.child("properties", rename.wire_key),
            )
    return names


def check_overrides(
    overrides: Overrides, files: Mapping[str, SchemaFile], diags: Diagnostics
) -> None:
    """Warn about override entries that match nothing, so stale ones do not linger."""
    for model_id, entries in sorted(overrides.names.items()):
        file = files.get(model_id)
        if file is None:
            diags.warning(
                "N006",
                f"overrides name model {model_id!r}, which is not in the schemas",
                overrides.ref.child(model_id),
            )
            continue
        properties = file.document["input_schema"]["properties"]
        for key in sorted(set(entries) - set(properties)):
            diags.warning(
                "N007",
                f"override for {key!r}: model {model_id!r} has no such input",
                overrides.ref.child(model_id, key),
            )
