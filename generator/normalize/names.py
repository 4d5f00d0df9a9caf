"""The naming pass: friendly field names and per-model class/module names.

The rules and the one collision policy live in ``generator.naming``; this pass builds the
claims of each scope (the fields of a model, the model classes and modules of the
package) from the schemas, the overrides file and the lock, and turns what the policy
reports into diagnostics that name both parties and say how to choose another name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .. import naming
from ..comfy import NodeInput
from ..diagnostics import Diagnostics, SourceRef
from ..ingest import Overrides, SchemaFile, toml_string
from ..lock import NameLock


@dataclass(frozen=True, slots=True)
class Scope:
    """How to talk about one scope's conflicts: what it names, with which code, and where."""

    what: str
    code: str
    where: Callable[[str], SourceRef]
    hint: Callable[[str], str]
    overrides_file: str


def report(allocation: naming.Allocation, scope: Scope, diags: Diagnostics) -> None:
    """Every conflict and every lock override of one allocation, as located diagnostics."""
    for conflict in allocation.conflicts:
        where = scope.where(conflict.key)
        to_choose = f"to choose a name, add {scope.hint(conflict.key)} to {scope.overrides_file}"
        if conflict.cause == "explicit-clash":
            holder = f"{conflict.holder!r} already has it" if conflict.holder else "it is reserved"
            diags.error(
                "N005",
                f"overrides give {conflict.wanted!r} to {scope.what} {conflict.key!r}, but "
                f"{holder}; choose another name",
                where,
            )
        elif conflict.cause == "locked-taken":
            diags.error(
                "N005",
                f"an override gives {conflict.wanted!r} to {conflict.holder!r}, but the lock "
                f"holds it for {scope.what} {conflict.key!r}; {to_choose}",
                where,
            )
        else:
            held = {
                "locked": "already has (in the lock)",
                "explicit": "has from the overrides file",
                "newcomer": "also wants",
                "reserved": "is reserved",
            }[conflict.cause]
            holder = f"{conflict.holder!r} {held}" if conflict.holder else "is reserved"
            diags.warning(
                scope.code,
                f"{scope.what} {conflict.key!r} would be named {conflict.wanted!r}, which "
                f"{holder}; it is named {conflict.given!r} instead ({to_choose})",
                where,
            )
    for change in allocation.overridden:
        diags.warning(
            "N011",
            f"{scope.what} {change.key!r} is renamed from {change.locked!r} (locked) to "
            f"{change.given!r} by {scope.overrides_file}: code that uses the old name breaks",
            scope.where(change.key),
        )


def assign_field_names(
    properties: Mapping[str, Mapping[str, Any]],
    targets_of: Mapping[str, tuple[NodeInput, ...]],
    *,
    model_id: str,
    overrides: Overrides,
    lock: NameLock,
    ref: SourceRef,
    diags: Diagnostics,
) -> dict[str, str]:
    """Wire key → unique friendly name for one model's input properties."""
    explicit = overrides.names.get(model_id, {})
    locked = lock.models[model_id].fields if model_id in lock.models else {}
    claims = []
    for key, targets in targets_of.items():
        choice = explicit.get(key)
        if choice is not None and not naming.is_usable_field_name(choice):
            diags.error(
                "N003",
                f"override name {choice!r} for {key!r} is not a usable field name "
                f"(it would become {naming.make_identifier(choice)!r})",
                ref.child("properties", key),
            )
            choice = None
        wanted = naming.make_identifier(
            naming.field_candidate(key, properties[key].get("title"), targets)
        )
        claims.append(
            naming.Claim(
                key=key,
                wanted=wanted,
                explicit=choice,
                locked=locked.get(key),
                natural=naming.is_plain_identifier(key, targets),
                suffixes=naming.field_suffixes(key, targets),
            )
        )
    allocation = naming.allocate(claims)
    scope = Scope(
        what="input",
        code="N004",
        where=lambda key: ref.child("properties", key),
        hint=lambda key: f'{_toml_key(key)} = "..." under [{_toml_key(model_id)}]',
        overrides_file=overrides.ref.file,
    )
    report(allocation, scope, diags)
    return allocation.names


def assign_output_names(
    keys: Sequence[str],
    targets_of: Mapping[str, tuple[NodeInput, ...]],
    *,
    model_id: str,
    lock: NameLock,
    ref: SourceRef,
    overrides_file: str,
    diags: Diagnostics,
) -> dict[str, str]:
    """Wire key → attribute name of an output class (outputs keep their own keys)."""
    locked = lock.models[model_id].output_fields if model_id in lock.models else {}
    claims = [
        naming.Claim(
            key=key,
            wanted=naming.make_identifier(key),
            locked=locked.get(key),
            natural=naming.is_plain_identifier(key, targets_of[key]),
            suffixes=naming.field_suffixes(key, targets_of[key]),
        )
        for key in keys
    ]
    allocation = naming.allocate(claims)
    scope = Scope(
        what="output",
        code="N004",
        where=lambda key: ref.child("properties", key),
        hint=lambda key: "nothing (output names follow their keys); edit the lock",
        overrides_file=overrides_file,
    )
    report(allocation, scope, diags)
    return allocation.names


def model_names(
    files: Sequence[SchemaFile], *, overrides: Overrides, lock: NameLock, diags: Diagnostics
) -> dict[str, naming.ModelNames]:
    """Class stem and module of every model, unique across the package."""
    sources = {file.document["model_id"]: file.ref.child("model_id") for file in files}
    chosen = {model_id: overrides.models.get(model_id) for model_id in sources}
    locked = {model_id: lock.models.get(model_id) for model_id in sources}

    def claims(
        rule: Callable[[str], str],
        pick: Callable[[Any], str | None],
        usable: Callable[[str], bool],
        what: str,
    ) -> list[naming.Claim]:
        found = []
        for model_id in sources:
            override = chosen[model_id]
            choice = pick(override) if override is not None else None
            if choice is not None and not usable(choice):
                diags.error(
                    "N003",
                    f"override {what} {choice!r} for {model_id!r} is not usable as it is",
                    overrides.ref.child(model_id, "model"),
                )
                choice = None
            entry = locked[model_id]
            found.append(
                naming.Claim(
                    key=model_id,
                    wanted=rule(model_id),
                    explicit=choice,
                    locked=None if entry is None else pick(entry),
                )
            )
        return found

    def scope(what: str, code: str, option: str) -> Scope:
        return Scope(
            what=what,
            code=code,
            where=lambda model_id: sources[model_id],
            hint=lambda model_id: f'{option} = "..." under [{_toml_key(model_id)}.model]',
            overrides_file=overrides.ref.file,
        )

    bases = naming.allocate(
        claims(
            naming.class_base_name,
            lambda entry: entry.class_base,
            naming.is_usable_class_base,
            "class",
        ),
        fold=str.lower,
        join="",
    )
    report(bases, scope("model", "N009", "class"), diags)
    modules = naming.allocate(
        claims(naming.module_name, lambda entry: entry.module, naming.is_usable_module, "module"),
        fold=str.lower,
    )
    report(modules, scope("module of model", "N010", "module"), diags)
    return {
        model_id: naming.ModelNames(
            module=modules.names[model_id], class_base=bases.names[model_id]
        )
        for model_id in sources
    }


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


def _toml_key(text: str) -> str:
    return toml_string(text)
