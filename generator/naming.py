"""Every naming rule of the generator: Python identifiers, class and module names.

Friendly field names are chosen in this order (the first that yields a name wins):

1. an explicit entry in the checked-in overrides file (``schemas/overrides.toml``);
2. the field's title, if it is ASCII: parenthesised parts are dropped and the rest is
   snake-cased ("Resolution (W:H)" → ``resolution``); titles of more than
   ``MAX_TITLE_WORDS`` words read as sentences and are skipped;
3. the wire key without its ComfyUI node prefix (``68_image`` → ``image``).

Every candidate is then made a valid identifier (``make_identifier``) and collisions inside
one model are resolved deterministically (``resolve_collisions``). Class and module names
derive from the model id. Nothing here reads files or knows about templates.
"""

from __future__ import annotations

import builtins
import hashlib
import keyword
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from generator.comfy import NodeInput

MAX_TITLE_WORDS = 6

# Names a field must not take in a generated pydantic model or client method: pydantic
# BaseModel members (v2 and the deprecated v1 ones it still defines), the members our
# runtime base classes add, and the keyword arguments that run()/submit() add themselves.
_MODEL_MEMBERS = frozenset(
    {
        "construct", "copy", "dict", "fields", "from_orm", "json", "parse_file", "parse_obj",
        "parse_raw", "schema", "schema_json", "update_forward_refs", "validate",
        "to_body", "urls", "download", "adownload",
        "self", "cls", "timeout", "on_update", "request_id",
    }
)  # fmt: skip
_RESERVED = (
    frozenset(keyword.kwlist)
    | frozenset(name for name in dir(builtins) if not name.startswith("_"))
    | _MODEL_MEMBERS
)

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_PARENTHESISED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")


@dataclass(frozen=True, slots=True)
class NameRequest:
    """One field's candidate name, as the collision resolver sees it."""

    wire_key: str
    candidate: str
    explicit: bool
    targets: tuple[NodeInput, ...]


@dataclass(frozen=True, slots=True)
class Rename:
    """A collision that was resolved: ``wire_key`` wanted ``wanted`` and got ``given``."""

    wire_key: str
    wanted: str
    given: str
    rivals: tuple[str, ...]
    explicit: bool


def words(text: str, *, split_camel: bool) -> list[str]:
    """Lower-case ASCII words of ``text``; apostrophes join ("Artist's" → ``artists``)."""
    # Decompose accents first so that "ñandú" reads as "nandu", not as "and".
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.replace("'", "")
    if split_camel:
        text = _CAMEL_BOUNDARY.sub("_", text)
    return [word.lower() for word in _NON_ALNUM.split(text) if word]


def snake(parts: Sequence[str]) -> str:
    """Join words into a snake_case identifier; leading numbers move to the end."""
    leading = 0
    while leading < len(parts) and parts[leading][:1].isdigit():
        leading += 1
    ordered = [*parts[leading:], *parts[:leading]]
    if ordered and ordered[0][:1].isdigit():
        ordered.insert(0, "value")
    return "_".join(ordered)


def name_from_title(title: str | None) -> str | None:
    """The snake-cased ASCII title, or None when the title cannot name a field."""
    if not title or not title.isascii():
        return None
    stripped = _PARENTHESISED.sub(" ", title)
    parts = words(stripped, split_camel=False)
    if not parts or len(parts) > MAX_TITLE_WORDS:
        return None
    return snake(parts)


def name_from_wire_key(wire_key: str, targets: tuple[NodeInput, ...]) -> str:
    """The wire key without node prefixes: ``68_image`` → ``image``; combined → ``width_x_height``."""
    inputs = [words(target.input, split_camel=True) for target in targets]
    joined: list[str] = []
    for index, parts in enumerate(inputs):
        if index:
            joined.append("x")
        joined.extend(parts)
    return snake(joined) if joined else _hashed_name(wire_key)


def make_identifier(name: str) -> str:
    """A valid, non-reserved, lower-case Python identifier for ``name``."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    result = snake(words(ascii_text, split_camel=True)) or _hashed_name(name)
    if result in _RESERVED or result.startswith("model_"):
        result += "_"
    return result


def resolve_collisions(requests: Sequence[NameRequest]) -> tuple[dict[str, str], list[Rename]]:
    """Give every wire key a unique name; explicit names win, rivals get suffixed.

    Every non-explicit member of a colliding group is renamed (none keeps the bare name), so
    the result does not depend on property order. Suffixes are the node ids, then the
    sanitised wire key, then a counter.
    """
    wanted = {request.wire_key: make_identifier(request.candidate) for request in requests}
    holders: dict[str, list[NameRequest]] = {}
    for request in requests:
        holders.setdefault(wanted[request.wire_key], []).append(request)

    final: dict[str, str] = {}
    renames: list[Rename] = []
    keepers = {name: _keeper(group, name) for name, group in holders.items()}
    taken = {name for name, keeper in keepers.items() if keeper is not None}
    for name, group in sorted(holders.items()):
        keeper = keepers[name]
        for request in sorted(group, key=lambda r: r.wire_key):
            if request is keeper:
                final[request.wire_key] = name
                continue
            given = _free_variant(name, request, taken)
            taken.add(given)
            final[request.wire_key] = given
            rivals = tuple(sorted(r.wire_key for r in group if r is not request))
            renames.append(Rename(request.wire_key, name, given, rivals, request.explicit))
    return final, renames


def _keeper(group: Sequence[NameRequest], name: str) -> NameRequest | None:
    """The member that keeps the bare name, if one has a better claim than the others.

    That is the only member, else the only explicit one, else the only one whose wire key
    is the name itself (``image`` keeps ``image`` against ``68_image``).
    """
    if len(group) == 1:
        return group[0]
    if any(request.explicit for request in group):
        return _sole(request for request in group if request.explicit)
    return _sole(request for request in group if make_identifier(request.wire_key) == name)


def _sole(requests: Iterable[NameRequest]) -> NameRequest | None:
    found = list(requests)
    return found[0] if len(found) == 1 else None


def _free_variant(name: str, request: NameRequest, taken: set[str]) -> str:
    nodes = [target.node for target in request.targets if target.node]
    suffixes: list[str] = []
    if nodes:
        suffixes.append("_".join(dict.fromkeys(nodes)))
    suffixes.append(make_identifier(request.wire_key).rstrip("_"))
    for suffix in suffixes:
        candidate = make_identifier(f"{name}_{suffix}")
        if candidate not in taken:
            return candidate
    counter = 2
    while f"{name}_{counter}" in taken:
        counter += 1
    return f"{name}_{counter}"


def class_base_name(model_id: str) -> str:
    """``community/wan-2-2/first-last-frame`` → ``CommunityWan22FirstLastFrame``."""
    parts = words(model_id, split_camel=True)
    pascal = "".join(part[:1].upper() + part[1:] for part in snake(parts).split("_"))
    return pascal or "Model" + _hashed_name(model_id).title().replace("_", "")


def module_name(model_id: str) -> str:
    """``community/wan-2-2/first-last-frame`` → ``community_wan_2_2_first_last_frame``."""
    result = snake(words(model_id, split_camel=True)) or _hashed_name(model_id)
    return result + "_" if result in _RESERVED else result


def unique_names(names: Iterable[tuple[str, str]], *, joiner: str = "") -> dict[str, str]:
    """Make names unique across a package: ``(key, name)`` pairs in order, later ones suffixed.

    Names are compared case-insensitively, since module files may land on such file systems.
    """
    seen: set[str] = set()
    result: dict[str, str] = {}
    for key, name in names:
        candidate, counter = name, 2
        while candidate.lower() in seen:
            candidate, counter = f"{name}{joiner}{counter}", counter + 1
        seen.add(candidate.lower())
        result[key] = candidate
    return result


def _hashed_name(text: str) -> str:
    """A stable ASCII name for text with no usable ASCII letters (e.g. all-CJK keys)."""
    return "input_" + hashlib.sha256(text.encode()).hexdigest()[:8]


@dataclass(frozen=True, slots=True)
class ModelNames:
    """The Python names one model gets in the generated package."""

    module: str
    request_class: str
    output_class: str
    resource_class: str
    async_resource_class: str


def model_names(model_ids: Sequence[str]) -> dict[str, ModelNames]:
    """Class and module names of every model, unique across the package (in id order)."""
    bases = unique_names((model_id, class_base_name(model_id)) for model_id in model_ids)
    modules = unique_names(
        ((model_id, module_name(model_id)) for model_id in model_ids), joiner="_"
    )
    return {
        model_id: ModelNames(
            module=modules[model_id],
            request_class=f"{bases[model_id]}Request",
            output_class=f"{bases[model_id]}Output",
            resource_class=f"{bases[model_id]}Resource",
            async_resource_class=async_twin(f"{bases[model_id]}Resource"),
        )
        for model_id in model_ids
    }


def async_twin(class_name: str) -> str:
    """The name of the async counterpart of a sync class: ``RunComfy`` → ``AsyncRunComfy``."""
    return f"Async{class_name}"


def accessor_name(segment: str) -> str:
    """The client attribute for one model-id segment: ``wan-2-2`` → ``wan_2_2``.

    Attributes of namespace classes cannot clash with pydantic or builtins, so only Python
    keywords get the trailing underscore (``Model.V2`` stays ``model_v2``).
    """
    result = snake(words(segment, split_camel=False)) or _hashed_name(segment)
    return result + "_" if keyword.iskeyword(result) else result
