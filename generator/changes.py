"""The change report: what a user of the generated SDK feels when a model schema changes.

``compare_packages(old, new)`` compares two IR packages and classifies every difference
by how it affects code written against the SDK generated from ``old``:

* **breaking**: code that worked may stop working (a keyword argument, class or attribute
  disappears or is renamed, or values that validated before are now rejected);
* **compatible**: everything that worked keeps working; something new is possible;
* **notice**: nothing stops type-checking or validating, but behaviour may differ (the
  server applies another default, a server-side check was added) or only docs changed.

Kind ids follow oasdiff's published rule ids where oasdiff has one (its ERR is breaking,
INFO compatible, WARN notice, unless the SDK surface makes the change breaking); the
``python-*`` kinds describe the Python surface and are reported in addition to the wire
change behind them, so a reader sees both "what the API did" and "what my code feels".
Input fields are matched by wire key, never by friendly name, because the friendly name
is itself part of what may change.

==========================================  ==========  ============================================
kind                                        severity    why
==========================================  ==========  ============================================
model-added                                 compatible  a new resource; existing code is unaffected
model-removed                               breaking    calls to the resource and imports break
model-description-changed                   notice      only docstrings change
new-optional-request-property               compatible  a new optional keyword argument
new-required-request-property               breaking    existing calls lack the new argument
request-property-removed                    breaking    the keyword argument disappears (oasdiff WARN)
request-property-type-changed               breaking    values of the old type stop validating
request-property-type-generalized           compatible  integer → number, or → any: old values fit
request-property-format-changed             breaking    media kind changed, or media ↔ plain string
request-property-became-enum                breaking    only a closed set of values is accepted now
request-property-became-not-enum            compatible  the closed set of values was lifted
request-property-enum-value-added           compatible  more values are accepted
request-property-enum-value-removed         breaking    calls passing a removed value fail
request-property-min-increased              breaking    narrower range
request-property-min-decreased              compatible  wider range
request-property-min-set                    breaking    narrower range
request-property-min-unset                  compatible  wider range
request-property-exclusive-min-increased    breaking    narrower range
request-property-exclusive-min-decreased    compatible  wider range
request-property-exclusive-min-set          breaking    narrower range
request-property-exclusive-min-unset        compatible  wider range
request-property-max-decreased              breaking    narrower range
request-property-max-increased              compatible  wider range
request-property-max-set                    breaking    narrower range
request-property-max-unset                  compatible  wider range
request-property-exclusive-max-decreased    breaking    narrower range
request-property-exclusive-max-increased    compatible  wider range
request-property-exclusive-max-set          breaking    narrower range
request-property-exclusive-max-unset        compatible  wider range
request-property-min-length-increased       breaking    shorter strings are rejected
request-property-min-length-decreased       compatible  shorter strings are accepted
request-property-min-length-set             breaking    shorter strings are rejected
request-property-min-length-unset           compatible  shorter strings are accepted
request-property-max-length-decreased       breaking    longer strings are rejected
request-property-max-length-increased       compatible  longer strings are accepted
request-property-max-length-set             breaking    longer strings are rejected
request-property-max-length-unset           compatible  longer strings are accepted
request-property-min-items-increased        breaking    shorter lists are rejected
request-property-min-items-decreased        compatible  shorter lists are accepted
request-property-min-items-set              breaking    shorter lists are rejected
request-property-min-items-unset            compatible  shorter lists are accepted
request-property-max-items-decreased        breaking    longer lists are rejected
request-property-max-items-increased        compatible  longer lists are accepted
request-property-max-items-set              breaking    longer lists are rejected
request-property-max-items-unset            compatible  longer lists are accepted
request-property-multiple-of-set            breaking    values off the new step are rejected
request-property-multiple-of-changed        breaking    values off the new step are rejected
request-property-multiple-of-generalized    compatible  the old step is a multiple of the new one
request-property-multiple-of-unset          compatible  any step is accepted
request-property-pattern-added              breaking    strings may not match (oasdiff ERR)
request-property-pattern-changed            notice      may or may not be narrower (oasdiff WARN)
request-property-pattern-removed            compatible  any string is accepted
request-property-became-required            breaking    calls leaving the argument out fail
request-property-became-optional            compatible  the argument may be left out
request-property-became-not-nullable        breaking    calls passing None fail
request-property-became-nullable            compatible  None is accepted as well
request-property-default-value-added        notice      the server applies another value if omitted
request-property-default-value-removed      notice      the server applies another value if omitted
request-property-default-value-changed      notice      the server applies another value if omitted
request-property-validation-added           notice      a new server-side check may reject inputs
request-property-validation-removed         compatible  a server-side check was dropped
request-property-validation-narrowed        breaking    a server-side limit is stricter
request-property-validation-widened         compatible  a server-side limit is looser
request-property-validation-changed         notice      a server-side check changed, unrankable
request-property-title-changed              notice      only docs change
request-property-description-changed        notice      only docs change
response-property-added                     compatible  a new attribute on the output
response-property-removed                   breaking    code reading the attribute breaks
response-property-type-changed              breaking    code reading the attribute gets another type
python-module-renamed                       breaking    imports of the module break
python-request-class-renamed                breaking    imports and annotations break
python-output-class-renamed                 breaking    imports and annotations break
python-resource-class-renamed               breaking    imports and annotations break
python-async-resource-class-renamed         breaking    imports and annotations break
python-accessor-renamed                     breaking    ``client.<old path>`` no longer exists
python-argument-renamed                     breaking    calls passing the old keyword fail
python-argument-became-required             breaking    calls leaving the keyword out fail
python-literal-narrowed                     breaking    the Literal lost values (maybe gained some)
python-literal-widened                      compatible  the Literal only gained values
python-output-attribute-renamed             breaking    code reading the old attribute breaks
==========================================  ==========  ============================================

Judgement calls: bounds are compared numerically (``1`` and ``1.0`` are equal); bounds are
not compared when the type changed incomparably or became an enum (the enum supersedes
them and the IR drops them); a pattern *added* follows oasdiff (ERR) because the SDK
enforces patterns client-side; output fields carry no required flag, so every removed one
is breaking.
"""

from __future__ import annotations

import dataclasses
import enum
import itertools
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TypeAlias, cast

from .ir import (
    ArrayOf,
    Field,
    FrozenJson,
    LiteralOf,
    MediaUrl,
    Model,
    OutputField,
    Package,
    Scalar,
    TypeRef,
    ValidationRule,
    accessor_paths,
    thaw,
)

JsonValue: TypeAlias = "str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None"


class Severity(enum.Enum):
    BREAKING = "breaking"
    COMPATIBLE = "compatible"
    NOTICE = "notice"


_SEVERITY_ORDER: Mapping[Severity, int] = MappingProxyType(
    {Severity.BREAKING: 0, Severity.COMPATIBLE: 1, Severity.NOTICE: 2}
)
_B, _C, _N = Severity.BREAKING, Severity.COMPATIBLE, Severity.NOTICE


@dataclasses.dataclass(frozen=True, slots=True)
class _Rule:
    """A kind's severity and the reason a user of the SDK gets for it."""

    severity: Severity
    reason: str


@dataclasses.dataclass(frozen=True, slots=True)
class _Bound:
    """One range/length/count bound of ``ir.Constraints`` and how it narrows."""

    attr: str
    slug: str
    label: str
    lower: bool

    def kind(self, verb: str) -> str:
        return f"request-property-{self.slug}-{verb}"

    @property
    def narrowing_verb(self) -> str:
        return "increased" if self.lower else "decreased"

    @property
    def widening_verb(self) -> str:
        return "decreased" if self.lower else "increased"


_BOUNDS: tuple[_Bound, ...] = (
    _Bound("minimum", "min", "minimum", lower=True),
    _Bound("exclusive_minimum", "exclusive-min", "exclusive minimum", lower=True),
    _Bound("maximum", "max", "maximum", lower=False),
    _Bound("exclusive_maximum", "exclusive-max", "exclusive maximum", lower=False),
    _Bound("min_length", "min-length", "minimum length", lower=True),
    _Bound("max_length", "max-length", "maximum length", lower=False),
    _Bound("min_items", "min-items", "minimum number of items", lower=True),
    _Bound("max_items", "max-items", "maximum number of items", lower=False),
)

_DEFAULT_REASON = (
    "the server applies a different value when the caller omits the field, so results may "
    "change without any change to the calling code"
)
_CLASS_REASON = "code that imports the old class name or annotates with it breaks"


def _bound_rules() -> dict[str, _Rule]:
    """Four kinds per bound: narrowed and set are breaking, widened and unset compatible."""
    rules: dict[str, _Rule] = {}
    for bound in _BOUNDS:
        narrowed = _Rule(
            _B,
            f"the SDK now rejects values outside the new {bound.label}, so calls that worked "
            "before may fail validation",
        )
        widened = _Rule(_C, f"the {bound.label} is looser; every value accepted before still is")
        rules[bound.kind(bound.narrowing_verb)] = narrowed
        rules[bound.kind("set")] = narrowed
        rules[bound.kind(bound.widening_verb)] = widened
        rules[bound.kind("unset")] = widened
    return rules


_RULES: Mapping[str, _Rule] = MappingProxyType(
    {
        "model-added": _Rule(_C, "a new model resource on the client; existing code is unaffected"),
        "model-removed": _Rule(
            _B, "code that calls this model's resource or imports its classes breaks"
        ),
        "model-description-changed": _Rule(_N, "only the generated docstrings change"),
        "new-optional-request-property": _Rule(
            _C, "a new optional keyword argument; existing calls keep working"
        ),
        "new-required-request-property": _Rule(
            _B, "every existing call lacks the new required keyword argument"
        ),
        "request-property-removed": _Rule(
            _B,
            "the keyword argument disappears, so calls that pass it fail (oasdiff rates this "
            "WARN; the SDK signature makes it breaking)",
        ),
        "request-property-type-changed": _Rule(
            _B, "values of the old type no longer validate and the annotation changes"
        ),
        "request-property-type-generalized": _Rule(
            _C, "the new type accepts every value of the old one"
        ),
        "request-property-format-changed": _Rule(
            _B,
            "the kind of media URL changed (or a media URL became a plain string or back); "
            "values valid before are now wrong or validated differently",
        ),
        "request-property-became-enum": _Rule(
            _B, "the field now takes a closed set of values; any other value fails validation"
        ),
        "request-property-became-not-enum": _Rule(
            _C, "the closed set of values was lifted; every value accepted before still is"
        ),
        "request-property-enum-value-added": _Rule(_C, "more values are accepted"),
        "request-property-enum-value-removed": _Rule(
            _B, "calls that pass a removed value fail validation"
        ),
        **_bound_rules(),
        "request-property-multiple-of-set": _Rule(
            _B, "values that are not multiples of the new step fail validation"
        ),
        "request-property-multiple-of-changed": _Rule(
            _B, "values that were multiples of the old step may not be multiples of the new one"
        ),
        "request-property-multiple-of-generalized": _Rule(
            _C, "the old step is a multiple of the new one, so every value accepted before still is"
        ),
        "request-property-multiple-of-unset": _Rule(_C, "values no longer need to be multiples"),
        "request-property-pattern-added": _Rule(
            _B,
            "the SDK checks the pattern client-side; strings that passed before may not "
            "match it (oasdiff ERR)",
        ),
        "request-property-pattern-changed": _Rule(
            _N,
            "whether the new pattern is narrower cannot be decided; check the strings you "
            "pass (oasdiff WARN)",
        ),
        "request-property-pattern-removed": _Rule(_C, "any string accepted before still is"),
        "request-property-became-required": _Rule(
            _B, "calls that leave the field out are now rejected"
        ),
        "request-property-became-optional": _Rule(
            _C, "the field may now be left out; existing calls keep working"
        ),
        "request-property-became-not-nullable": _Rule(
            _B, "calls that pass None (null) now fail validation"
        ),
        "request-property-became-nullable": _Rule(_C, "None (null) is accepted as well"),
        "request-property-default-value-added": _Rule(_N, _DEFAULT_REASON),
        "request-property-default-value-removed": _Rule(_N, _DEFAULT_REASON),
        "request-property-default-value-changed": _Rule(_N, _DEFAULT_REASON),
        "request-property-validation-added": _Rule(
            _N,
            "a new server-side check may reject inputs that passed before; the SDK does "
            "not enforce it, so nothing fails before the request is sent",
        ),
        "request-property-validation-removed": _Rule(
            _C, "a server-side check was dropped; every input accepted before still is"
        ),
        "request-property-validation-narrowed": _Rule(
            _B, "a server-side limit is stricter; inputs that passed before may be rejected"
        ),
        "request-property-validation-widened": _Rule(
            _C, "a server-side limit is looser; every input accepted before still is"
        ),
        "request-property-validation-changed": _Rule(
            _N,
            "a server-side check changed in a way that cannot be ranked (a non-numeric "
            "value, an equality operator or only its error message)",
        ),
        "request-property-title-changed": _Rule(
            _N, "only documentation changes (a resulting keyword rename is reported separately)"
        ),
        "request-property-description-changed": _Rule(_N, "only documentation changes"),
        "response-property-added": _Rule(
            _C, "a new attribute on the output model; existing code is unaffected"
        ),
        "response-property-removed": _Rule(_B, "code that reads the attribute breaks"),
        "response-property-type-changed": _Rule(
            _B, "code that reads the attribute gets a value of another type"
        ),
        "python-module-renamed": _Rule(_B, "imports from the model's module break"),
        "python-request-class-renamed": _Rule(_B, _CLASS_REASON),
        "python-output-class-renamed": _Rule(_B, _CLASS_REASON),
        "python-resource-class-renamed": _Rule(_B, _CLASS_REASON),
        "python-async-resource-class-renamed": _Rule(_B, _CLASS_REASON),
        "python-accessor-renamed": _Rule(_B, "code that reaches the model by the old path breaks"),
        "python-argument-renamed": _Rule(
            _B, "calls that pass the old keyword argument fail; the wire key is unchanged"
        ),
        "python-argument-became-required": _Rule(
            _B, "the keyword argument loses its default; calls that leave it out fail"
        ),
        "python-literal-narrowed": _Rule(
            _B, "the Literal annotation lost values; type checkers and validation reject them"
        ),
        "python-literal-widened": _Rule(_C, "the Literal annotation only gained values"),
        "python-output-attribute-renamed": _Rule(_B, "code that reads the old attribute breaks"),
    }
)

SEVERITY_BY_KIND: Mapping[str, Severity] = MappingProxyType(
    {kind: rule.severity for kind, rule in _RULES.items()}
)
"""Every kind the report can contain → its severity (docs and tests read this)."""


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One difference a user of the SDK feels; ``id`` is stable across runs."""

    id: str
    model_id: str
    kind: str
    severity: Severity
    subject: str
    message: str
    reason: str
    old: JsonValue
    new: JsonValue


@dataclasses.dataclass(frozen=True, slots=True)
class ChangeReport:
    """Every change, sorted by (model id, severity, kind, subject) whatever order it came in,
    so that text and JSON output never depend on how the changes were found."""

    changes: tuple[Change, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "changes", tuple(sorted(self.changes, key=_sort_key)))

    @property
    def has_breaking(self) -> bool:
        return any(change.severity is Severity.BREAKING for change in self.changes)

    @property
    def semver(self) -> str:
        """The version bump the changes call for: major, minor, patch or none."""
        severities = {change.severity for change in self.changes}
        if Severity.BREAKING in severities:
            return "major"
        if Severity.COMPATIBLE in severities:
            return "minor"
        return "patch" if severities else "none"

    def counts(self) -> dict[str, int]:
        """Changes per severity value; every severity is present, zero or not."""
        found = {severity.value: 0 for severity in Severity}
        for change in self.changes:
            found[change.severity.value] += 1
        return found


# ---------------------------------------------------------------------------------------
# Building changes


def _make(
    model_id: str,
    kind: str,
    subject: str,
    message: str,
    *,
    old: JsonValue = None,
    new: JsonValue = None,
    qualifier: str = "",
) -> Change:
    """A change of a kind from the table; ``qualifier`` tells apart changes of one subject."""
    rule = _RULES[kind]
    parts = [model_id, kind, subject] + ([qualifier] if qualifier else [])
    return Change(
        id=":".join(parts),
        model_id=model_id,
        kind=kind,
        severity=rule.severity,
        subject=subject,
        message=message,
        reason=rule.reason,
        old=old,
        new=new,
    )


def _json(value: FrozenJson) -> JsonValue:
    return cast(JsonValue, thaw(value))


def _show(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _same_json(one: JsonValue, two: JsonValue) -> bool:
    """JSON equality: numbers compare numerically (1 == 1.0), but a bool is not a number."""
    if isinstance(one, bool) or isinstance(two, bool):
        return type(one) is type(two) and one == two
    if isinstance(one, int | float) and isinstance(two, int | float):
        return one == two
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(map(_same_json, one, two))
    if isinstance(one, dict) and isinstance(two, dict):
        return one.keys() == two.keys() and all(_same_json(one[k], two[k]) for k in one)
    return type(one) is type(two) and one == two


def _value_key(value: JsonValue) -> tuple[str, str]:
    """A hashable key that keeps ``True`` and ``1`` apart but ``1`` and ``1.0`` together."""
    if isinstance(value, bool):
        return ("bool", str(value))
    if isinstance(value, int | float):
        return ("number", repr(float(value)))
    return ("json", _show(value))


# ---------------------------------------------------------------------------------------
# Types


def _describe_type(type_ref: TypeRef, *, media: bool = True) -> str:
    """A normalized, comparable spelling of a type: ``array<image_url>``, ``literal<integer>[1, 2]``.

    With ``media=False`` media URLs read as plain strings, which tells a change of media
    format apart from a change of type.
    """
    if isinstance(type_ref, ArrayOf):
        return f"array<{_describe_type(type_ref.item, media=media)}>"
    if isinstance(type_ref, MediaUrl):
        return f"{type_ref.kind}_url" if media else "string"
    if isinstance(type_ref, LiteralOf):
        return f"literal<{type_ref.base.kind}>{_show(list(type_ref.values))}"
    return type_ref.kind


def _base(type_ref: TypeRef) -> TypeRef:
    """The type without its top-level enum, whose values are compared separately."""
    return type_ref.base if isinstance(type_ref, LiteralOf) else type_ref


def _generalizes(old: TypeRef, new: TypeRef) -> bool:
    """Whether every value of ``old`` is a value of ``new`` (integer → number, x → any)."""
    if isinstance(new, Scalar) and new.kind == "any":
        return True
    if isinstance(old, Scalar) and isinstance(new, Scalar):
        return old.kind == "integer" and new.kind == "number"
    if isinstance(old, ArrayOf) and isinstance(new, ArrayOf):
        return _generalizes(old.item, new.item)
    return False


def _type_kind(old: TypeRef, new: TypeRef) -> str | None:
    """The kind of a change of base type, or None when the base types are equal."""
    old_base, new_base = _base(old), _base(new)
    if _describe_type(old_base) == _describe_type(new_base):
        return None
    if _describe_type(old_base, media=False) == _describe_type(new_base, media=False):
        return "request-property-format-changed"
    if _generalizes(old_base, new_base):
        return "request-property-type-generalized"
    return "request-property-type-changed"


# ---------------------------------------------------------------------------------------
# Models


def compare_packages(old: Package, new: Package) -> ChangeReport:
    """Every change from ``old`` to ``new``, classified for a user of the generated SDK."""
    old_models = {model.model_id: model for model in old.models}
    new_models = {model.model_id: model for model in new.models}
    old_paths, new_paths = accessor_paths(old), accessor_paths(new)
    changes: list[Change] = []
    for model_id in sorted(old_models.keys() | new_models.keys()):
        before, after = old_models.get(model_id), new_models.get(model_id)
        if after is None:
            changes.append(_model_removed(model_id, old_paths.get(model_id)))
        elif before is None:
            changes.append(_model_added(model_id, new_paths.get(model_id)))
        else:
            changes += _compare_model(before, after)
            changes += _accessor(model_id, old_paths.get(model_id), new_paths.get(model_id))
    return ChangeReport(_unique_ids(sorted(changes, key=_sort_key)))


def _sort_key(change: Change) -> tuple[str, int, str, str, str]:
    return (
        change.model_id,
        _SEVERITY_ORDER[change.severity],
        change.kind,
        change.subject,
        change.id,
    )


def _unique_ids(changes: Sequence[Change]) -> tuple[Change, ...]:
    """Ids are unique by construction; should two ever meet, number the later ones."""
    seen: dict[str, int] = {}
    unique: list[Change] = []
    for change in changes:
        count = seen.get(change.id, 0) + 1
        seen[change.id] = count
        if count > 1:
            change = dataclasses.replace(change, id=f"{change.id}#{count}")
        unique.append(change)
    return tuple(unique)


def _model_added(model_id: str, path: str | None) -> Change:
    where = f" as client.{path}" if path else ""
    return _make(model_id, "model-added", model_id, f"model {model_id} added{where}", new=path)


def _model_removed(model_id: str, path: str | None) -> Change:
    where = f" (was client.{path})" if path else ""
    return _make(model_id, "model-removed", model_id, f"model {model_id} removed{where}", old=path)


def _accessor(model_id: str, old: str | None, new: str | None) -> list[Change]:
    if old is None or new is None or old == new:
        return []
    message = f"accessor renamed from client.{old} to client.{new}"
    return [_make(model_id, "python-accessor-renamed", old, message, old=old, new=new)]


_NAMED_PARTS: tuple[tuple[str, str, str], ...] = (
    ("module_name", "python-module-renamed", "module"),
    ("request_class", "python-request-class-renamed", "request class"),
    ("output_class", "python-output-class-renamed", "output class"),
    ("resource_class", "python-resource-class-renamed", "resource class"),
    ("async_resource_class", "python-async-resource-class-renamed", "async resource class"),
)


def _compare_model(old: Model, new: Model) -> Iterator[Change]:
    for attr, kind, label in _NAMED_PARTS:
        before, after = getattr(old, attr), getattr(new, attr)
        if before != after:
            message = f"{label} renamed from {before} to {after}"
            yield _make(old.model_id, kind, before, message, old=before, new=after)
    if old.description != new.description:
        yield _make(
            old.model_id,
            "model-description-changed",
            old.model_id,
            "model description changed",
            old=old.description,
            new=new.description,
        )
    yield from _compare_inputs(old, new)
    yield from _compare_outputs(old, new)


# ---------------------------------------------------------------------------------------
# Input fields


@dataclasses.dataclass(frozen=True, slots=True)
class _Where:
    """The field a change is about, for ids and messages."""

    model_id: str
    wire_key: str
    py_name: str

    @property
    def label(self) -> str:
        return f"property '{self.wire_key}' (keyword argument '{self.py_name}')"

    def change(
        self,
        kind: str,
        detail: str,
        *,
        old: JsonValue = None,
        new: JsonValue = None,
        qualifier: str = "",
    ) -> Change:
        message = f"{self.label}: {detail}"
        return _make(
            self.model_id, kind, self.wire_key, message, old=old, new=new, qualifier=qualifier
        )


def _field_summary(field: Field) -> dict[str, JsonValue]:
    return {
        "python_name": field.py_name,
        "required": field.required,
        "type": _describe_type(field.type),
    }


def _compare_inputs(old: Model, new: Model) -> Iterator[Change]:
    before = {field.wire_key: field for field in old.fields}
    after = {field.wire_key: field for field in new.fields}
    for key in sorted(before.keys() | after.keys()):
        old_field, new_field = before.get(key), after.get(key)
        if new_field is None:
            assert old_field is not None
            where = _Where(old.model_id, key, old_field.py_name)
            yield where.change("request-property-removed", "removed", old=_field_summary(old_field))
        elif old_field is None:
            where = _Where(old.model_id, key, new_field.py_name)
            kind = f"new-{'required' if new_field.required else 'optional'}-request-property"
            required = "required" if new_field.required else "optional"
            yield where.change(kind, f"added ({required})", new=_field_summary(new_field))
        else:
            yield from _compare_field(
                _Where(old.model_id, key, new_field.py_name), old_field, new_field
            )


def _compare_field(where: _Where, old: Field, new: Field) -> Iterator[Change]:
    type_kind = _type_kind(old.type, new.type)
    comparable = type_kind != "request-property-type-changed"
    if type_kind is not None:
        old_type, new_type = _describe_type(_base(old.type)), _describe_type(_base(new.type))
        yield where.change(
            type_kind, f"type changed from {old_type} to {new_type}", old=old_type, new=new_type
        )
    if comparable:
        yield from _enum_changes(where, old.type, new.type)
    if comparable and not isinstance(new.type, LiteralOf):
        yield from _bound_changes(where, old, new)
        yield from _multiple_of_changes(
            where, old.constraints.multiple_of, new.constraints.multiple_of
        )
        yield from _pattern_changes(where, old.constraints.pattern, new.constraints.pattern)
    yield from _flag_changes(where, old, new)
    yield from _default_changes(where, old, new)
    yield from _validation_changes(where, old.validations, new.validations)
    yield from _doc_changes(where, old, new)
    yield from _surface_changes(where, old, new)


def _listed(values: Iterable[str | int | bool]) -> list[JsonValue]:
    return list(values)


def _enum_changes(where: _Where, old: TypeRef, new: TypeRef) -> Iterator[Change]:
    old_values = _listed(old.values) if isinstance(old, LiteralOf) else None
    new_values = _listed(new.values) if isinstance(new, LiteralOf) else None
    if old_values is None and new_values is not None:
        yield where.change(
            "request-property-became-enum", f"now one of {_show(new_values)}", new=new_values
        )
    elif old_values is not None and new_values is None:
        yield where.change(
            "request-property-became-not-enum",
            f"no longer limited to {_show(old_values)}",
            old=old_values,
        )
    elif old_values is not None and new_values is not None:
        added, removed = _value_difference(old_values, new_values)
        if added:
            yield where.change(
                "request-property-enum-value-added",
                f"enum values added: {_show(added)}",
                old=old_values,
                new=new_values,
            )
        if removed:
            yield where.change(
                "request-property-enum-value-removed",
                f"enum values removed: {_show(removed)}",
                old=old_values,
                new=new_values,
            )


def _value_difference(
    old: Sequence[JsonValue], new: Sequence[JsonValue]
) -> tuple[list[JsonValue], list[JsonValue]]:
    """Values only in ``new`` and values only in ``old``, each in its schema order."""
    old_keys = {_value_key(value) for value in old}
    new_keys = {_value_key(value) for value in new}
    added = [value for value in new if _value_key(value) not in old_keys]
    removed = [value for value in old if _value_key(value) not in new_keys]
    return added, removed


def _bound_changes(where: _Where, old: Field, new: Field) -> Iterator[Change]:
    for bound in _BOUNDS:
        before = getattr(old.constraints, bound.attr)
        after = getattr(new.constraints, bound.attr)
        verb = _bound_verb(before, after)
        if verb is None:
            continue
        detail = {
            "set": f"{bound.label} set to {_show(after)}",
            "unset": f"{bound.label} removed (was {_show(before)})",
        }.get(verb, f"{bound.label} {verb} from {_show(before)} to {_show(after)}")
        yield where.change(bound.kind(verb), detail, old=before, new=after)


def _bound_verb(before: float | None, after: float | None) -> str | None:
    """How a bound moved: set, unset, increased, decreased; None when it did not (1 == 1.0)."""
    if before is None and after is None:
        return None
    if before is None:
        return "set"
    if after is None:
        return "unset"
    if before == after:
        return None
    return "increased" if after > before else "decreased"


def _multiple_of_changes(
    where: _Where, before: float | None, after: float | None
) -> Iterator[Change]:
    if before == after:
        return
    if before is None:
        kind, detail = "request-property-multiple-of-set", f"multipleOf set to {_show(after)}"
    elif after is None:
        kind, detail = (
            "request-property-multiple-of-unset",
            f"multipleOf removed (was {_show(before)})",
        )
    else:
        generalized = _is_multiple(before, of=after)
        kind = f"request-property-multiple-of-{'generalized' if generalized else 'changed'}"
        detail = f"multipleOf changed from {_show(before)} to {_show(after)}"
    yield where.change(kind, detail, old=before, new=after)


def _is_multiple(value: float, *, of: float) -> bool:
    ratio = value / of
    return math.isclose(ratio, round(ratio)) and round(ratio) >= 1


def _pattern_changes(where: _Where, before: str | None, after: str | None) -> Iterator[Change]:
    if before == after:
        return
    if before is None:
        kind, detail = "request-property-pattern-added", f"pattern {_show(after)} added"
    elif after is None:
        kind, detail = "request-property-pattern-removed", f"pattern {_show(before)} removed"
    else:
        kind = "request-property-pattern-changed"
        detail = f"pattern changed from {_show(before)} to {_show(after)}"
    yield where.change(kind, detail, old=before, new=after)


def _flag_changes(where: _Where, old: Field, new: Field) -> Iterator[Change]:
    if old.required != new.required:
        kind = f"request-property-became-{'required' if new.required else 'optional'}"
        detail = "became required" if new.required else "became optional"
        yield where.change(kind, detail, old=old.required, new=new.required)
    if old.nullable != new.nullable:
        kind = f"request-property-became-{'nullable' if new.nullable else 'not-nullable'}"
        detail = "now accepts null" if new.nullable else "no longer accepts null"
        yield where.change(kind, detail, old=old.nullable, new=new.nullable)


def _default_changes(where: _Where, old: Field, new: Field) -> Iterator[Change]:
    before = None if old.default is None else _json(old.default.value)
    after = None if new.default is None else _json(new.default.value)
    if old.default is None and new.default is None:
        return
    if old.default is None:
        yield where.change(
            "request-property-default-value-added", f"default {_show(after)} added", new=after
        )
    elif new.default is None:
        yield where.change(
            "request-property-default-value-removed",
            f"default removed (was {_show(before)})",
            old=before,
        )
    elif not _same_json(before, after):
        yield where.change(
            "request-property-default-value-changed",
            f"default changed from {_show(before)} to {_show(after)}",
            old=before,
            new=after,
        )


def _rule_json(rule: ValidationRule) -> dict[str, JsonValue]:
    return {"rule": rule.rule, "value": _json(rule.value), "message": rule.message}


def _keyed_rules(rules: Iterable[ValidationRule]) -> dict[str, ValidationRule]:
    """Rules by ``metric`` + ``operator``; a repeated pair gets ``#2``, ``#3``..."""
    keyed: dict[str, ValidationRule] = {}
    seen: dict[str, int] = {}
    for rule in rules:
        base = f"{rule.metric}{rule.operator}"
        seen[base] = seen.get(base, 0) + 1
        keyed[base if seen[base] == 1 else f"{base}#{seen[base]}"] = rule
    return keyed


def _validation_changes(
    where: _Where, old: Sequence[ValidationRule], new: Sequence[ValidationRule]
) -> Iterator[Change]:
    before, after = _keyed_rules(old), _keyed_rules(new)
    for key in sorted(before.keys() | after.keys()):
        old_rule, new_rule = before.get(key), after.get(key)
        old_json = None if old_rule is None else _rule_json(old_rule)
        new_json = None if new_rule is None else _rule_json(new_rule)
        kind = _validation_kind(old_rule, new_rule)
        if kind is None:
            continue
        detail = _validation_detail(kind, old_rule, new_rule)
        yield where.change(kind, detail, old=old_json, new=new_json, qualifier=key)


def _validation_detail(kind: str, old: ValidationRule | None, new: ValidationRule | None) -> str:
    verb = kind.rsplit("-", 1)[-1]
    shown = new or old
    assert shown is not None
    detail = f"server-side check '{shown.rule}' {verb}"
    if old is None or new is None:
        return f"{detail} (value {_show(_json(shown.value))})"
    return f"{detail} from {_show(_json(old.value))} to {_show(_json(new.value))}"


def _validation_kind(old: ValidationRule | None, new: ValidationRule | None) -> str | None:
    if old is None:
        return "request-property-validation-added"
    if new is None:
        return "request-property-validation-removed"
    before, after = _json(old.value), _json(new.value)
    if _same_json(before, after):
        same_text = old.message == new.message and old.rule == new.rule
        return None if same_text else "request-property-validation-changed"
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (before, after))
    if not numeric or new.operator not in {"<", "<=", ">", ">="}:
        return "request-property-validation-changed"
    assert isinstance(before, int | float) and isinstance(after, int | float)
    upper = new.operator in {"<", "<="}
    narrowed = after < before if upper else after > before
    return f"request-property-validation-{'narrowed' if narrowed else 'widened'}"


def _doc_changes(where: _Where, old: Field, new: Field) -> Iterator[Change]:
    if old.title != new.title:
        yield where.change(
            "request-property-title-changed",
            f"title changed from {_show(old.title)} to {_show(new.title)}",
            old=old.title,
            new=new.title,
        )
    if old.description != new.description:
        yield where.change(
            "request-property-description-changed",
            "description changed",
            old=old.description,
            new=new.description,
        )


def _surface_changes(where: _Where, old: Field, new: Field) -> Iterator[Change]:
    """The same field as the Python signature shows it: its keyword and its Literal."""
    key = where.wire_key
    if old.py_name != new.py_name:
        yield _make(
            where.model_id,
            "python-argument-renamed",
            key,
            f"keyword argument for wire key '{key}' renamed from '{old.py_name}' to "
            f"'{new.py_name}'",
            old=old.py_name,
            new=new.py_name,
        )
    if new.required and not old.required:
        yield _make(
            where.model_id,
            "python-argument-became-required",
            key,
            f"keyword argument '{new.py_name}' (wire key '{key}') must now be passed",
            old=False,
            new=True,
        )
    if isinstance(old.type, LiteralOf) and isinstance(new.type, LiteralOf):
        yield from _literal_surface(where, _listed(old.type.values), _listed(new.type.values))


def _literal_surface(where: _Where, old: list[JsonValue], new: list[JsonValue]) -> Iterator[Change]:
    added, removed = _value_difference(old, new)
    if not added and not removed:
        return
    parts = [f"removed {_show(removed)}"] if removed else []
    parts += [f"added {_show(added)}"] if added else []
    kind = "python-literal-narrowed" if removed else "python-literal-widened"
    yield _make(
        where.model_id,
        kind,
        where.wire_key,
        f"Literal of keyword argument '{where.py_name}' (wire key '{where.wire_key}'): "
        + ", ".join(parts),
        old=old,
        new=new,
    )


# ---------------------------------------------------------------------------------------
# Output fields


def _output_summary(field: OutputField) -> dict[str, JsonValue]:
    return {"python_name": field.py_name, "type": _describe_type(field.type)}


def _compare_outputs(old: Model, new: Model) -> Iterator[Change]:
    before = {field.wire_key: field for field in old.output_fields}
    after = {field.wire_key: field for field in new.output_fields}
    model_id = old.model_id
    for key in sorted(before.keys() | after.keys()):
        old_field, new_field = before.get(key), after.get(key)
        if new_field is None:
            assert old_field is not None
            label = f"output property '{key}' (attribute '{old_field.py_name}')"
            summary = _output_summary(old_field)
            yield _make(model_id, "response-property-removed", key, f"{label} removed", old=summary)
        elif old_field is None:
            label = f"output property '{key}' (attribute '{new_field.py_name}')"
            summary = _output_summary(new_field)
            yield _make(model_id, "response-property-added", key, f"{label} added", new=summary)
        else:
            yield from _compare_output(model_id, old_field, new_field)


def _compare_output(model_id: str, old: OutputField, new: OutputField) -> Iterator[Change]:
    key = old.wire_key
    label = f"output property '{key}' (attribute '{new.py_name}')"
    old_type, new_type = _describe_type(old.type), _describe_type(new.type)
    if old_type != new_type:
        yield _make(
            model_id,
            "response-property-type-changed",
            key,
            f"{label}: type changed from {old_type} to {new_type}",
            old=old_type,
            new=new_type,
        )
    if old.py_name != new.py_name:
        yield _make(
            model_id,
            "python-output-attribute-renamed",
            key,
            f"output attribute for wire key '{key}' renamed from '{old.py_name}' to "
            f"'{new.py_name}'",
            old=old.py_name,
            new=new.py_name,
        )


# ---------------------------------------------------------------------------------------
# Formatting


def _summary_line(report: ChangeReport) -> str:
    """``2 breaking, 1 compatible, 0 notices: suggested version bump: major``."""
    counts = report.counts()
    notices = counts[Severity.NOTICE.value]
    return (
        f"{counts[Severity.BREAKING.value]} breaking, {counts[Severity.COMPATIBLE.value]} "
        f"compatible, {notices} notice{'' if notices == 1 else 's'}: "
        f"suggested version bump: {report.semver}"
    )


def format_text(report: ChangeReport, *, limit: int | None = None) -> str:
    """The report for humans: grouped by model with reasons, or, with ``limit``, one short
    line per change (breaking first) for at most ``limit`` changes and a count of the rest.
    Always ends with the summary line."""
    if limit is not None and limit < 0:
        raise ValueError(f"limit must not be negative, got {limit}")
    if not report.changes:
        lines = ["no changes"]
    elif limit is None:
        lines = _full_lines(report.changes)
    else:
        lines = _short_lines(report.changes, limit)
    return "\n".join([*lines, _summary_line(report)]) + "\n"


def _full_lines(changes: Sequence[Change]) -> list[str]:
    lines: list[str] = []
    for model_id, group in itertools.groupby(changes, key=lambda change: change.model_id):
        lines.append(model_id)
        for change in group:
            lines.append(f"  [{change.severity.value}] {change.kind}: {change.message}")
            lines.append(f"      why: {change.reason}")
    return lines


def _short_lines(changes: Sequence[Change], limit: int) -> list[str]:
    ordered = sorted(
        changes, key=lambda change: (_SEVERITY_ORDER[change.severity], _sort_key(change))
    )
    lines = [
        f"[{change.severity.value}] {change.model_id}: {change.message} ({change.kind})"
        for change in ordered[:limit]
    ]
    hidden = len(ordered) - len(lines)
    if hidden:
        lines.append(f"... and {hidden} more change{'' if hidden == 1 else 's'} not shown")
    return lines


def _change_json(change: Change) -> dict[str, JsonValue]:
    return {
        "id": change.id,
        "model_id": change.model_id,
        "kind": change.kind,
        "severity": change.severity.value,
        "subject": change.subject,
        "message": change.message,
        "reason": change.reason,
        "old": change.old,
        "new": change.new,
    }


def format_json(report: ChangeReport) -> str:
    """The report as stable JSON: sorted keys, indent 2, a final newline."""
    counts: dict[str, JsonValue] = {key: value for key, value in report.counts().items()}
    document: dict[str, JsonValue] = {
        "changes": [_change_json(change) for change in report.changes],
        "counts": counts,
        "semver": report.semver,
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
