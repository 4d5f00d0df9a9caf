"""The client's accessor tree: one attribute per model-id segment.

``community/wan-2-2/first-last-frame`` is reached as
``client.community.wan_2_2.first_last_frame``. Each segment becomes an identifier by the
naming rules; two segments that would give one attribute at the same level, a model whose
attribute would shadow a namespace (``a/b`` beside ``a/b/c``), or a top-level name the
client itself uses are all resolved deterministically and reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .. import naming
from ..diagnostics import Diagnostics, SourceRef
from ..ingest import Overrides, toml_string
from ..ir import Model, Namespace, NamespaceEntry
from ..lock import NameLock
from .names import Scope, report

# Attributes the client classes define themselves; a top-level namespace may not take them.
CLIENT_MEMBERS = frozenset(
    {
        "api_token", "base_url", "close", "aclose", "copy", "download", "http_client", "job",
        "max_retries", "models", "requests", "run", "submit", "timeout", "timing",
        "with_options",
    }
)  # fmt: skip
ROOT_CLASS = "RunComfy"


@dataclass(slots=True)
class _Node:
    """A namespace while the tree is being built (mutable scratch, never leaves this module)."""

    path: tuple[str, ...]
    children: dict[str, _Node] = field(default_factory=dict)
    models: dict[str, Model] = field(default_factory=dict)


def build_namespaces(
    models: Sequence[Model], *, overrides: Overrides, lock: NameLock, diags: Diagnostics
) -> tuple[Namespace, ...]:
    """Every namespace of the accessor tree, root first, then sorted by path."""
    root = _Node(path=())
    for model in models:
        *parents, leaf = model.model_id.split("/")
        node = root
        for segment in parents:
            node = node.children.setdefault(segment, _Node(path=(*node.path, segment)))
        node.models[leaf] = model
    tree = _Tree(root=root, overrides=overrides, lock=lock, diags=diags)
    class_names = _namespace_classes(tree)
    modules = _namespace_modules(tree)
    namespaces: list[Namespace] = []
    _collect(root, class_names, modules, namespaces, tree)
    return tuple(sorted(namespaces, key=lambda namespace: (namespace.path != "", namespace.path)))


@dataclass(frozen=True, slots=True)
class _Tree:
    root: _Node
    overrides: Overrides
    lock: NameLock
    diags: Diagnostics


def _walk(node: _Node) -> list[_Node]:
    """``node`` and its descendants, depth first, children in sorted order."""
    found = [node]
    for _, child in sorted(node.children.items()):
        found += _walk(child)
    return found


def _namespace_classes(tree: _Tree) -> dict[str, str]:
    """Path → class name of every namespace below the root, unique across the package."""
    nodes = [node for node in _walk(tree.root) if node.path]
    claims = [
        naming.Claim(
            key="/".join(node.path),
            wanted=naming.class_base_name("/".join(node.path)) + naming.NAMESPACE_SUFFIX,
            locked=tree.lock.namespaces.get("/".join(node.path)),
        )
        for node in nodes
    ]
    allocation = naming.allocate(claims, fold=str.lower, join="", taken=(ROOT_CLASS,))
    first_model = {"/".join(node.path): _first_model(node) for node in nodes}
    scope = Scope(
        what="namespace",
        code="N009",
        where=lambda path: first_model[path].source.child("model_id"),
        hint=lambda path: "nothing (namespace classes follow model ids); edit the lock",
        overrides_file=tree.overrides.ref.file,
    )
    report(allocation, scope, tree.diags)
    names = dict(allocation.names)
    names[""] = ROOT_CLASS
    return names


def _namespace_modules(tree: _Tree) -> dict[str, str]:
    """Path → private module of every namespace below the root (unique ignoring case).

    Not locked: the modules are private (``_namespaces/``); users reach namespaces through
    the client's attributes and import nothing from them.
    """
    claims = [
        naming.Claim(key="/".join(node.path), wanted=naming.module_name("/".join(node.path)))
        for node in _walk(tree.root)
        if node.path
    ]
    modules = dict(naming.allocate(claims, fold=str.lower).names)
    modules[""] = ""
    return modules


def _collect(
    node: _Node,
    class_names: dict[str, str],
    modules: dict[str, str],
    out: list[Namespace],
    tree: _Tree,
) -> str:
    """Append ``node`` and its descendants to ``out``; return the node's class name."""
    attributes = _attribute_names(node, tree)
    entries = []
    for _, child in sorted(node.children.items()):
        child_class = _collect(child, class_names, modules, out, tree)
        entries.append(
            NamespaceEntry(
                attribute=attributes[_namespace_key(child)],
                target_path="/".join(child.path),
                class_name=child_class,
                async_class_name=naming.async_twin(child_class),
                model=None,
                module=modules["/".join(child.path)],
            )
        )
    for _, model in sorted(node.models.items()):
        entries.append(
            NamespaceEntry(
                attribute=attributes[model.model_id],
                target_path=model.model_id,
                class_name=model.resource_class,
                async_class_name=model.async_resource_class,
                model=model,
            )
        )
    class_name = class_names["/".join(node.path)]
    out.append(
        Namespace(
            path="/".join(node.path),
            class_name=class_name,
            async_class_name=naming.async_twin(class_name),
            entries=tuple(sorted(entries, key=lambda entry: entry.attribute)),
            module=modules["/".join(node.path)],
        )
    )
    return class_name


def _namespace_key(node: _Node) -> str:
    """A namespace's claim key: its path with a trailing ``/`` (a model id never has one)."""
    return "/".join(node.path) + "/"


def _attribute_names(node: _Node, tree: _Tree) -> dict[str, str]:
    """Unique attribute names at one level; a namespace has the better claim to a segment."""
    depth = len(node.path)
    reserved = CLIENT_MEMBERS if not node.path else frozenset()

    def wanted(segment: str) -> str:
        name = naming.accessor_name(segment)
        return name + "_" if name in reserved else name

    segment_names = {wanted(segment): True for segment in node.children}
    claims = []
    for segment, child in node.children.items():
        locked = _locked_prefix(child, depth, tree.lock)
        claims.append(
            naming.Claim(
                key=_namespace_key(child), wanted=wanted(segment), locked=locked, natural=True
            )
        )
    for segment, model in node.models.items():
        entry = tree.lock.models.get(model.model_id)
        override = tree.overrides.models.get(model.model_id)
        choice = override.accessor if override is not None else None
        if choice is not None and not naming.is_usable_accessor(choice):
            tree.diags.error(
                "N003",
                f"override accessor {choice!r} for {model.model_id!r} is not an identifier",
                tree.overrides.ref.child(model.model_id, "model", "accessor"),
            )
            choice = None
        locked = (
            entry.accessor[-1] if entry is not None and len(entry.accessor) == depth + 1 else None
        )
        claims.append(
            naming.Claim(
                key=model.model_id,
                wanted=wanted(segment),
                explicit=choice,
                locked=locked,
                # Beside a namespace of the same name, ``_model`` says which is which.
                suffixes=("model",) if segment_names.get(wanted(segment)) else (),
            )
        )
    allocation = naming.allocate(claims)
    sources = {claim.key: _source_of(node, claim.key) for claim in claims}
    scope = Scope(
        what="client attribute of",
        code="N008",
        where=lambda key: sources[key],
        hint=_accessor_hint,
        overrides_file=tree.overrides.ref.file,
    )
    report(allocation, scope, tree.diags)
    return allocation.names


def _accessor_hint(key: str) -> str:
    if key.endswith("/"):
        return "nothing (namespaces follow model ids); rename the model's accessor or edit the lock"
    return f'accessor = "..." under [{toml_string(key)}.model]'


def _locked_prefix(child: _Node, depth: int, lock: NameLock) -> str | None:
    """The attribute the lock gives a namespace: from the first locked model below it."""
    for model in _models_below(child):
        entry = lock.models.get(model.model_id)
        if entry is not None and len(entry.accessor) > depth + 1:
            return entry.accessor[depth]
    return None


def _models_below(node: _Node) -> list[Model]:
    found = [model for _, model in sorted(node.models.items())]
    for _, child in sorted(node.children.items()):
        found += _models_below(child)
    return found


def _source_of(node: _Node, key: str) -> SourceRef:
    if key.endswith("/"):
        child = node.children[key.rstrip("/").split("/")[-1]]
        return _first_model(child).source.child("model_id")
    return node.models[key.split("/")[-1]].source.child("model_id")


def _first_model(node: _Node) -> Model:
    return _models_below(node)[0]
