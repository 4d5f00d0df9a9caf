"""Template views: what the client templates lay out, with every piece of Python pre-spelled.

Templates may loop and branch on these, never build names or types. One ``Side`` per
flavour (sync, async) lets one macro emit both twins, so their methods and signatures
match by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import docs, pyexpr
from .ir import ArrayOf, Field, LiteralOf, Model, Namespace, Scalar, TypeRef
from .pyexpr import Import


@dataclass(frozen=True, slots=True)
class Side:
    """The spelling differences between the sync and the async twin."""

    is_async: bool
    def_: str
    await_: str
    client_base: str
    resource_base: str
    job_type: str


SYNC = Side(False, "def", "", "RunComfyBase", "ModelResource", "Job")
ASYNC = Side(True, "async def", "await ", "AsyncRunComfyBase", "AsyncModelResource", "AsyncJob")
SIDES = (SYNC, ASYNC)


@dataclass(frozen=True, slots=True)
class Param:
    """A keyword-only parameter of ``submit``/``run``: ``name: annotation`` (``= None``)."""

    name: str
    annotation: str
    required: bool
    doc: str


@dataclass(frozen=True, slots=True)
class ResourceClassView:
    """One model's resource class on one side (sync or async)."""

    class_name: str
    base: str
    doc: str
    def_: str
    await_: str
    job_type: str
    request_class: str
    output_class: str
    params: tuple[Param, ...]
    submit_doc: str
    run_doc: str


@dataclass(frozen=True, slots=True)
class ResourceModuleView:
    doc: str
    imports: str
    classes: tuple[ResourceClassView, ...]


@dataclass(frozen=True, slots=True)
class EntryView:
    """A cached attribute of a namespace: a nested namespace or a model resource."""

    attribute: str
    class_name: str
    module: str
    doc: str
    constructor_argument: str


@dataclass(frozen=True, slots=True)
class NamespaceView:
    class_name: str
    base: str
    doc: str
    client_type: str | None
    entries: tuple[EntryView, ...]


@dataclass(frozen=True, slots=True)
class ClientModuleView:
    doc: str
    imports: str
    type_checking_imports: tuple[tuple[str, str], ...]
    namespaces: tuple[NamespaceView, ...]


def resource_module_view(model: Model) -> ResourceModuleView:
    params = tuple(_param(field) for field in model.fields)
    arg_docs = tuple((param.name, param.doc) for param in params)
    submit_doc = pyexpr.docstring(docs.submit_doc(model, arg_docs), indent="        ")
    run_doc = pyexpr.docstring(docs.run_doc(model, arg_docs), indent="        ")
    classes = tuple(
        ResourceClassView(
            class_name=model.async_resource_class if side.is_async else model.resource_class,
            base=f"{side.resource_base}[{model.request_class}, {model.output_class}]",
            doc=pyexpr.docstring(docs.resource_doc(model, is_async=side.is_async), indent="    "),
            def_=side.def_,
            await_=side.await_,
            job_type=f"{side.job_type}[{model.output_class}]",
            request_class=model.request_class,
            output_class=model.output_class,
            params=params,
            submit_doc=submit_doc,
            run_doc=run_doc,
        )
        for side in SIDES
    )
    return ResourceModuleView(
        doc=pyexpr.docstring(docs.resource_module_doc(model)),
        imports=pyexpr.import_block(_resource_imports(model)),
        classes=classes,
    )


def client_module_view(root: Namespace) -> ClientModuleView:
    """``client.py``: the two client classes and the top level of the accessor tree."""
    return _module_view(
        root,
        doc=pyexpr.docstring(docs.client_module_doc()),
        level=1,
        namespaces_package="._namespaces",
    )


def namespace_module_view(namespace: Namespace) -> ClientModuleView:
    """``_namespaces/<module>.py``: one level of the accessor tree, sync and async."""
    return _module_view(
        namespace,
        doc=pyexpr.docstring(docs.namespace_module_doc(namespace.path)),
        level=2,
        namespaces_package=".",
    )


def _module_view(
    namespace: Namespace, *, doc: str, level: int, namespaces_package: str
) -> ClientModuleView:
    """A module holding one namespace's twin classes; children are imported on first use.

    ``level`` is the number of dots that lead from the module to the package root, and
    ``namespaces_package`` how it spells the ``_namespaces`` package relatively.
    """
    up = "." * level
    targets = {
        entry.attribute: (
            f"{up}resources.{entry.model.module_name}"
            if entry.model is not None
            else f"{namespaces_package.rstrip('.')}.{entry.module}"
        )
        for entry in namespace.entries
    }
    imports = [
        Import(pyexpr.FUTURE, 0, "__future__", "annotations"),
        Import(pyexpr.STDLIB, 0, "functools", "cached_property"),
        Import(pyexpr.LOCAL, level, "_runtime", SYNC.client_base),
        Import(pyexpr.LOCAL, level, "_runtime", ASYNC.client_base),
    ]
    if namespace.entries:
        imports.append(Import(pyexpr.STDLIB, 0, "typing", "TYPE_CHECKING"))
    type_checking = sorted(
        (
            targets[entry.attribute],
            ", ".join(
                sorted((entry.class_name, entry.async_class_name), key=pyexpr.imported_name_order)
            ),
        )
        for entry in namespace.entries
    )
    return ClientModuleView(
        doc=doc,
        imports=pyexpr.import_block(imports),
        type_checking_imports=tuple(_isort_relative(type_checking)),
        namespaces=tuple(_namespace_view(namespace, side, targets) for side in SIDES),
    )


def _isort_relative(imports: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """isort's order of relative imports: the more distant (more dots) first, then by name."""
    return sorted(imports, key=lambda item: (-(len(item[0]) - len(item[0].lstrip("."))), item))


def _namespace_view(namespace: Namespace, side: Side, targets: dict[str, str]) -> NamespaceView:

    def pick(sync_name: str, async_name: str) -> str:
        return async_name if side.is_async else sync_name

    entries = tuple(
        EntryView(
            attribute=entry.attribute,
            class_name=pick(entry.class_name, entry.async_class_name),
            module=targets[entry.attribute],
            doc=pyexpr.docstring(
                docs.entry_doc(entry.target_path, is_model=entry.model is not None)
            ),
            constructor_argument="self" if namespace.is_root else "self._client",
        )
        for entry in namespace.entries
    )
    return NamespaceView(
        class_name=pick(namespace.class_name, namespace.async_class_name),
        base=side.client_base if namespace.is_root else "",
        doc=pyexpr.docstring(
            docs.namespace_doc(namespace.path, is_async=side.is_async), indent="    "
        ),
        client_type=None if namespace.is_root else side.client_base,
        entries=entries,
    )


def _param(field: Field) -> Param:
    annotation = signature_annotation(field.type)
    if field.nullable or not field.required:
        annotation += " | None"
    return Param(
        name=field.py_name,
        annotation=annotation,
        required=field.required,
        doc=docs.first_line(docs.field_doc(field)),
    )


def signature_annotation(type_ref: TypeRef) -> str:
    """Client signatures take plain strings for media; the request model checks them."""
    return pyexpr.annotation(type_ref, media_type="str")


def _resource_imports(model: Model) -> list[Import]:
    runtime = ("AsyncJob", "AsyncModelResource", "Job", "JobStatus", "ModelResource")
    imports = [Import(pyexpr.FUTURE, 0, "__future__", "annotations")]
    imports.append(Import(pyexpr.STDLIB, 0, "collections.abc", "Callable"))
    leaves = [_leaf(field.type) for field in model.fields]
    if any(isinstance(leaf, LiteralOf) for leaf in leaves):
        imports.append(Import(pyexpr.STDLIB, 0, "typing", "Literal"))
    if any(isinstance(leaf, Scalar) and leaf.kind in {"any", "object"} for leaf in leaves):
        imports.append(Import(pyexpr.STDLIB, 0, "typing", "Any"))
    imports += [Import(pyexpr.LOCAL, 2, "_runtime", name) for name in runtime]
    module = f"models.{model.module_name}"
    imports += [
        Import(pyexpr.LOCAL, 2, module, model.request_class),
        Import(pyexpr.LOCAL, 2, module, model.output_class),
    ]
    return imports


def _leaf(type_ref: TypeRef) -> TypeRef:
    """The element type of (nested) arrays, the type itself otherwise."""
    return _leaf(type_ref.item) if isinstance(type_ref, ArrayOf) else type_ref
