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

from generator import naming
from generator.diagnostics import Diagnostics
from generator.ir import Model, Namespace, NamespaceEntry

# Attributes the client classes define themselves; a top-level namespace may not take them.
CLIENT_MEMBERS = frozenset(
    {
        "api_token", "base_url", "close", "aclose", "copy", "download", "http_client", "job",
        "max_retries", "models", "requests", "timeout", "timing", "with_options",
    }
)  # fmt: skip
ROOT_CLASS = "RunComfy"


@dataclass(slots=True)
class _Node:
    """A namespace while the tree is being built (mutable scratch, never leaves this module)."""

    path: tuple[str, ...]
    children: dict[str, _Node] = field(default_factory=dict)
    models: dict[str, Model] = field(default_factory=dict)


def build_namespaces(models: Sequence[Model], diags: Diagnostics) -> tuple[Namespace, ...]:
    """Every namespace of the accessor tree, root first, then sorted by path."""
    root = _Node(path=())
    for model in models:
        *parents, leaf = model.model_id.split("/")
        node = root
        for segment in parents:
            node = node.children.setdefault(segment, _Node(path=(*node.path, segment)))
        node.models[leaf] = model
    class_names = naming.unique_names(
        ("/".join(node.path), naming.class_base_name("/".join(node.path)) + "Namespace")
        for node in _walk(root)
        if node.path
    )
    class_names[""] = ROOT_CLASS
    namespaces: list[Namespace] = []
    _collect(root, class_names, namespaces, diags)
    return tuple(sorted(namespaces, key=lambda namespace: (namespace.path != "", namespace.path)))


def _walk(node: _Node) -> list[_Node]:
    """``node`` and its descendants, depth first, children in sorted order."""
    found = [node]
    for _, child in sorted(node.children.items()):
        found += _walk(child)
    return found


def _collect(
    node: _Node, class_names: dict[str, str], out: list[Namespace], diags: Diagnostics
) -> str:
    """Append ``node`` and its descendants to ``out``; return the node's class name."""
    requests = [(segment, "namespace") for segment in node.children]
    requests += [(segment, "model") for segment in node.models]
    attributes = _attribute_names(node, requests, diags)
    entries = []
    for segment, child in sorted(node.children.items()):
        child_class = _collect(child, class_names, out, diags)
        entries.append(
            NamespaceEntry(
                attribute=attributes[(segment, "namespace")],
                target_path="/".join(child.path),
                class_name=child_class,
                async_class_name=naming.async_twin(child_class),
                model=None,
            )
        )
    for segment, model in sorted(node.models.items()):
        entries.append(
            NamespaceEntry(
                attribute=attributes[(segment, "model")],
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
        )
    )
    return class_name


def _attribute_names(
    node: _Node, requests: list[tuple[str, str]], diags: Diagnostics
) -> dict[tuple[str, str], str]:
    """Unique attribute names at one level; namespaces keep theirs, clashing models get ``_model``."""
    reserved = CLIENT_MEMBERS if not node.path else frozenset()
    names: dict[tuple[str, str], str] = {}
    taken: set[str] = set()
    for segment, kind in sorted(
        requests, key=lambda request: (request[1] != "namespace", request[0])
    ):
        wanted = naming.accessor_name(segment)
        candidate = wanted + "_model" if kind == "model" and wanted in taken else wanted
        candidate = candidate + "_" if candidate in reserved else candidate
        counter = 2
        while candidate in taken:
            candidate, counter = f"{wanted}_{counter}", counter + 1
        if candidate != wanted:
            where = "/".join((*node.path, segment))
            source = (
                node.models[segment].source
                if kind == "model"
                else _first_model(node.children[segment]).source
            )
            diags.warning(
                "N008",
                f"client attribute for {where!r} is {candidate!r} ({wanted!r} is taken at that level)",
                source.child("model_id"),
            )
        taken.add(candidate)
        names[(segment, kind)] = candidate
    return names


def _first_model(node: _Node) -> Model:
    if node.models:
        return next(iter(sorted(node.models.items())))[1]
    return _first_model(next(iter(sorted(node.children.items())))[1])
