"""Every naming rule of the generator: field names, identifiers, class, module and
accessor names, and the one collision policy they all share.

A field's friendly name is chosen in this order (the first that yields a name wins):

1. an explicit entry in the checked-in overrides file (``schemas/overrides.toml``);
2. the name the lock file (``schemas/names.lock``) holds from an earlier generation;
3. a wire key with no ComfyUI node prefix that already is a snake_case identifier keeps
   its own name (``image_urls``, ``num_images``, ``seed``): RunComfy's docs and curl
   examples use it, and a page in another language cannot change it;
4. for node-prefixed keys (``68_image``) and keys that are no identifier: the field's
   title, if it is ASCII (parenthesised parts dropped, snake-cased; titles of more than
   ``MAX_TITLE_WORDS`` words read as sentences and are skipped);
5. the wire key without its node prefix (``68_image`` → ``image``).

Every candidate is made a valid identifier (``make_identifier``): keywords, pydantic
members, the runtime's own members and the client's own parameters get a trailing ``_``;
builtins are fine (``format``, ``type``, ``id``), except the few the generated code spells
in annotations. ``allocate`` then gives every claimant of one scope (the fields of a model,
the classes or modules of the package, the attributes of one accessor level) a unique
name: a person's choice wins, a locked name is never taken away, and a newcomer whose
name is taken gets a suffix and a report naming both. Nothing here reads files.
"""

from __future__ import annotations

import builtins
import hashlib
import keyword
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .canonical import property_sort_key
from .comfy import NodeInput
from .pyexpr import ANNOTATION_BUILTINS

MAX_TITLE_WORDS = 6

# Pydantic BaseModel members (v2's ``model_*`` are caught by prefix; these are the
# deprecated v1 ones it still defines) and the members our runtime bases add.
_MODEL_MEMBERS = frozenset(
    {
        "construct", "copy", "dict", "fields", "from_orm", "json", "parse_file", "parse_obj",
        "parse_raw", "schema", "schema_json", "update_forward_refs", "validate",
        "to_body", "urls", "download", "adownload",
    }
)  # fmt: skip
# Keyword arguments the generated submit()/run() methods take besides the fields, now and
# as the client's escape hatches (per-call options, callbacks) are added.
CLIENT_PARAMETERS = frozenset(
    {
        "self", "cls", "timeout", "on_update", "on_submitted", "request_id", "max_retries",
        "extra_headers", "extra_query", "extra_body", "cancel_on_interrupt",
    }
)  # fmt: skip
_RESERVED = frozenset(keyword.kwlist) | _MODEL_MEMBERS | CLIENT_PARAMETERS | ANNOTATION_BUILTINS
_BUILTINS = frozenset(name for name in dir(builtins) if not name.startswith("_"))

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_PARENTHESISED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_SNAKE_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")


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


def field_candidate(wire_key: str, title: object, targets: tuple[NodeInput, ...]) -> str:
    """The rule-based name of an input field (before collisions; see the module docstring)."""
    if is_plain_identifier(wire_key, targets):
        return wire_key
    from_title = name_from_title(title if isinstance(title, str) else None)
    return from_title or name_from_wire_key(wire_key, targets)


def is_plain_identifier(wire_key: str, targets: tuple[NodeInput, ...]) -> bool:
    """A key with no node prefix that already reads as a snake_case Python name."""
    no_node = len(targets) == 1 and targets[0].node is None
    return no_node and _SNAKE_IDENTIFIER.fullmatch(wire_key) is not None


def make_identifier(name: str) -> str:
    """A valid, non-reserved, lower-case Python identifier for ``name``."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    result = snake(words(ascii_text, split_camel=True)) or _hashed_name(name)
    if result in _RESERVED or result.startswith("model_"):
        result += "_"
    return result


def is_usable_field_name(name: str) -> bool:
    """Whether a person's (or the lock's) choice can be emitted as a field unchanged."""
    plain = _SNAKE_IDENTIFIER.fullmatch(name) is not None
    pydantic_namespace = name.startswith("model_") and not name.endswith("_")
    return plain and name not in _RESERVED and not pydantic_namespace


def is_usable_class_base(name: str) -> bool:
    return name.isascii() and name.isidentifier() and name[:1].isupper()


def is_usable_module(name: str) -> bool:
    return module_name(name) == name


def is_usable_accessor(name: str) -> bool:
    return name.isascii() and name.isidentifier() and not keyword.iskeyword(name)


# --- the collision policy -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Claim:
    """Someone in one scope who wants a name: a wire key, a model id, a namespace path.

    ``wanted`` is the rules' name (already usable), ``explicit`` a person's choice from the
    overrides file, ``locked`` the name the lock file holds. ``natural`` marks a claim whose
    key *is* the name (a plain wire key ``image`` against ``68_image``). ``suffixes`` are the
    readable disambiguators to try before a counter (a field's node id, then its wire key).
    """

    key: str
    wanted: str
    explicit: str | None = None
    locked: str | None = None
    natural: bool = False
    suffixes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Conflict:
    """A claim that did not get the name it asked for, and who holds that name.

    ``cause`` is ``"locked"`` (an earlier generation gave the name to ``holder``),
    ``"explicit"`` (the overrides file gave it to ``holder``), ``"newcomer"`` (a claimant
    of the same run with a better claim or an earlier key holds it), ``"reserved"`` (the
    scope keeps the name; ``holder`` is empty); or, errors a person has to settle:
    ``"explicit-clash"`` (two overrides name one thing twice) and ``"locked-taken"`` (an
    override took the name this claim holds in the lock).
    """

    key: str
    wanted: str
    given: str
    holder: str
    cause: str


@dataclass(frozen=True, slots=True)
class LockOverride:
    """An override that renamed a locked name: a person's decision, reported as a rename."""

    key: str
    locked: str
    given: str


@dataclass(frozen=True, slots=True)
class Allocation:
    names: dict[str, str]
    conflicts: tuple[Conflict, ...]
    overridden: tuple[LockOverride, ...]


def allocate(
    claims: Iterable[Claim],
    *,
    fold: Callable[[str], str] = str,
    join: str = "_",
    taken: Iterable[str] = (),
) -> Allocation:
    """Unique names for every claim of one scope; the same claims always give the same result.

    Precedence: a person's choice (overrides), then the lock (a name once given is never
    taken away), then newcomers in natural key order, a natural claim first. ``fold``
    compares names (``str.lower`` where names become file names); ``taken`` names are
    never handed out (the scope's reserved words).
    """
    ordered = sorted(claims, key=lambda claim: (property_sort_key(claim.key), claim.key))
    by_key = {claim.key: claim for claim in ordered}
    holders: dict[str, str] = {fold(name): "" for name in taken}
    names: dict[str, str] = {}
    conflicts: list[Conflict] = []
    overridden: list[LockOverride] = []

    def grant(claim: Claim, name: str) -> None:
        holders[fold(name)] = claim.key
        names[claim.key] = name

    def settle(claim: Claim, name: str, cause: str) -> None:
        holder = holders.get(fold(name))
        if holder is None:
            grant(claim, name)
            return
        given = _free_variant(name, claim, holders, fold=fold, join=join)
        cause = cause if holder else "reserved"
        conflicts.append(Conflict(claim.key, name, given, holder, cause))
        grant(claim, given)

    for claim in ordered:
        if claim.explicit is not None:
            settle(claim, claim.explicit, "explicit-clash")
            if claim.locked is not None and names[claim.key] != claim.locked:
                overridden.append(LockOverride(claim.key, claim.locked, names[claim.key]))
    for claim in ordered:
        if claim.explicit is None and claim.locked is not None:
            # Only an override can hold a locked name: a person has to place this one too.
            settle(claim, claim.locked, "locked-taken")
    newcomers = [claim for claim in ordered if claim.explicit is None and claim.locked is None]
    # Every free name goes to its first claimant before any loser picks a suffixed variant,
    # so that a variant never takes the name another newcomer asks for by the rules.
    losers = []
    for claim in sorted(newcomers, key=lambda claim: not claim.natural):
        if fold(claim.wanted) in holders:
            losers.append(claim)
        else:
            grant(claim, claim.wanted)
    for claim in losers:
        holder = by_key.get(holders.get(fold(claim.wanted), ""))
        cause = "newcomer"
        if holder is not None and holder.explicit is not None:
            cause = "explicit"
        elif holder is not None and holder.locked is not None:
            cause = "locked"
        settle(claim, claim.wanted, cause)
    return Allocation(names, tuple(conflicts), tuple(overridden))


def _free_variant(
    name: str, claim: Claim, holders: dict[str, str], *, fold: Callable[[str], str], join: str
) -> str:
    for suffix in claim.suffixes:
        candidate = f"{name}{join}{suffix}"
        if fold(candidate) not in holders:
            return candidate
    counter = 2
    while fold(f"{name}{join}{counter}") in holders:
        counter += 1
    return f"{name}{join}{counter}"


def field_suffixes(wire_key: str, targets: tuple[NodeInput, ...]) -> tuple[str, ...]:
    """Readable disambiguators of a field: its node ids, then its sanitised wire key."""
    nodes = [target.node for target in targets if target.node]
    suffixes = ["_".join(dict.fromkeys(nodes))] if nodes else []
    suffixes.append(make_identifier(wire_key).rstrip("_"))
    return tuple(suffixes)


# --- model-level names --------------------------------------------------------------------


def class_base_name(model_id: str) -> str:
    """``community/wan-2-2/first-last-frame`` → ``CommunityWan22FirstLastFrame``."""
    parts = words(model_id, split_camel=True)
    pascal = "".join(part[:1].upper() + part[1:] for part in snake(parts).split("_"))
    return pascal or "Model" + _hashed_name(model_id).title().replace("_", "")


def module_name(model_id: str) -> str:
    """``community/wan-2-2/first-last-frame`` → ``community_wan_2_2_first_last_frame``."""
    result = snake(words(model_id, split_camel=True)) or _hashed_name(model_id)
    return result + "_" if keyword.iskeyword(result) or result in _BUILTINS else result


def _hashed_name(text: str) -> str:
    """A stable ASCII name for text with no usable ASCII letters (e.g. all-CJK keys)."""
    return "input_" + hashlib.sha256(text.encode()).hexdigest()[:8]


REQUEST_SUFFIX, OUTPUT_SUFFIX, RESOURCE_SUFFIX, NAMESPACE_SUFFIX, PARAMS_SUFFIX = (
    "Request",
    "Output",
    "Resource",
    "Namespace",
    "Params",
)
# Type aliases of a model's enumerations: no class or imported name ends so.
CHOICE_SUFFIX = "Choice"


@dataclass(frozen=True, slots=True)
class ModelNames:
    """The Python names one model gets in the generated package."""

    module: str
    class_base: str

    @property
    def request_class(self) -> str:
        return self.class_base + REQUEST_SUFFIX

    @property
    def output_class(self) -> str:
        return self.class_base + OUTPUT_SUFFIX

    @property
    def resource_class(self) -> str:
        return self.class_base + RESOURCE_SUFFIX

    @property
    def params_class(self) -> str:
        return self.class_base + PARAMS_SUFFIX

    @property
    def async_resource_class(self) -> str:
        return async_twin(self.resource_class)


def choice_alias(field_name: str) -> str:
    """The type alias of a field's allowed values: ``num_frames`` → ``NumFramesChoice``.

    Field names are lower-case snake_case, so the mapping is one to one: each part is
    capitalised, and an underscore stays where the next part does not start with a letter
    (``x_1`` → ``X_1Choice``, ``x1`` → ``X1Choice``, ``format_`` → ``Format_Choice``).
    Two fields of a model never share an alias, and it follows the field's (locked) name.
    """
    parts = field_name.split("_")
    out = [parts[0][:1].upper() + parts[0][1:]]
    for part in parts[1:]:
        out.append(part[:1].upper() + part[1:] if part[:1].isalpha() else "_" + part)
    return "".join(out) + CHOICE_SUFFIX


def index_module(namespace_module: str) -> str:
    """The module of a level's model index (``models/_index/``): its namespace's module.

    The root level has no namespace module; ``_root`` cannot clash, since namespace
    modules never start with an underscore.
    """
    return namespace_module or "_root"


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
