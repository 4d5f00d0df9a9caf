"""Template views: what the client templates lay out, with every piece of Python pre-spelled.

Templates may loop and branch on these, never build names or types. One ``Side`` per
flavour (sync, async) lets one macro emit both twins, so their methods and signatures
match by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import docs, naming, pyexpr
from .ir import Field, LiteralOf, Model, Namespace, Scalar, TypeRef, leaf_type
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
    submit_options: str
    submit_args: str
    run_options: str
    run_args: str


SYNC = Side(
    False,
    "def",
    "",
    "RunComfyBase",
    "ModelResource",
    "Job",
    "SubmitOptions",
    "_SubmitArgs",
    "RunOptions",
    "_RunArgs",
)
ASYNC = Side(
    True,
    "async def",
    "await ",
    "AsyncRunComfyBase",
    "AsyncModelResource",
    "AsyncJob",
    "AsyncSubmitOptions",
    "_AsyncSubmitArgs",
    "AsyncRunOptions",
    "_AsyncRunArgs",
)
SIDES = (SYNC, ASYNC)


@dataclass(frozen=True, slots=True)
class ParamView:
    """One key of a model's parameters ``TypedDict``: ``name: annotation`` and its doc."""

    name: str
    annotation: str
    doc: str


@dataclass(frozen=True, slots=True)
class ParamsView:
    """What a model module adds to its two classes: enumeration aliases and the params."""

    aliases: tuple[str, ...]
    class_name: str
    doc: str
    keys: tuple[ParamView, ...]
    imports: tuple[Import, ...]


@dataclass(frozen=True, slots=True)
class ArgsView:
    """A private ``TypedDict`` merging the model's params with one set of call options."""

    header: str
    doc: str


@dataclass(frozen=True, slots=True)
class MethodView:
    """``submit`` or ``run``: a request object with options, or the model's keywords.

    ``overloads`` and ``signature`` are the ``def`` lines, laid out as black lays them.
    """

    name: str
    overloads: tuple[str, ...]
    signature: str
    doc: str


@dataclass(frozen=True, slots=True)
class ResourceClassView:
    """One model's resource class on one side (sync or async)."""

    header: str
    doc: str
    await_: str
    model_info: str
    methods: tuple[MethodView, ...]


@dataclass(frozen=True, slots=True)
class ResourceModuleView:
    """A model's resource module. What only type checkers need (the model's classes, the
    options, the argument ``TypedDict``s) is imported under ``TYPE_CHECKING``: using the
    accessor loads no pydantic, and the model's module is imported on the first call."""

    doc: str
    imports: str
    type_checking_imports: str
    args: tuple[ArgsView, ...]
    classes: tuple[ResourceClassView, ...]


@dataclass(frozen=True, slots=True)
class EntryView:
    """A cached attribute of a namespace: a nested namespace or a model resource."""

    signature: str
    import_: str
    class_name: str
    doc: str
    constructor_argument: str


@dataclass(frozen=True, slots=True)
class NamespaceView:
    header: str
    doc: str
    client_type: str | None
    entries: tuple[EntryView, ...]


@dataclass(frozen=True, slots=True)
class ClientModuleView:
    doc: str
    imports: str
    type_checking_imports: str
    namespaces: tuple[NamespaceView, ...]


def resource_module_view(model: Model) -> ResourceModuleView:
    submit_doc = pyexpr.docstring(docs.submit_doc(model), indent="        ")
    run_doc = pyexpr.docstring(docs.run_doc(model), indent="        ")
    args = tuple(
        _args_view(model, args, options, _label(side, method))
        for side in SIDES
        for method, args, options in (
            ("submit", side.submit_args, side.submit_options),
            ("run", side.run_args, side.run_options),
        )
    )
    classes = tuple(
        ResourceClassView(
            header=_resource_header(model, side),
            doc=pyexpr.docstring(docs.resource_doc(model, is_async=side.is_async), indent="    "),
            await_=side.await_,
            model_info=model_info(model, "    model_info = ", indent="    "),
            methods=(
                _method_view(
                    side,
                    model,
                    "submit",
                    (side.submit_options, side.submit_args),
                    f"{side.job_type}[{model.output_class}]",
                    submit_doc,
                ),
                _method_view(
                    side,
                    model,
                    "run",
                    (side.run_options, side.run_args),
                    model.output_class,
                    run_doc,
                ),
            ),
        )
        for side in SIDES
    )
    return ResourceModuleView(
        doc=pyexpr.docstring(docs.resource_module_doc(model)),
        imports=pyexpr.import_block(_resource_imports()),
        type_checking_imports=pyexpr.import_block(_resource_typing_imports(model), indent="    "),
        args=args,
        classes=classes,
    )


def _resource_header(model: Model, side: Side) -> str:
    """``class XResource(ModelResource["XRequest", "XOutput"]):``, split where it must be.

    The classes are named as strings: the module imports them for type checkers only.
    """
    name = model.async_resource_class if side.is_async else model.resource_class
    arguments = [
        pyexpr.string_literal(model.request_class),
        pyexpr.string_literal(model.output_class),
    ]
    header = pyexpr.bracketed(
        f"class {name}", [f"{side.resource_base}[{', '.join(arguments)}]"], ":"
    )
    if pyexpr.fits(header):
        return header
    base = pyexpr.bracketed(
        f"    {side.resource_base}", arguments, ",", indent="    ", brackets="[]"
    )
    return f"class {name}(\n{base}\n):"


def _method_view(
    side: Side, model: Model, name: str, typed_dicts: tuple[str, str], returns: str, doc: str
) -> MethodView:
    options, args = typed_dicts
    head = f"    {side.def_} {name}"
    request = model.request_class
    overloads = (
        pyexpr.bracketed(
            head,
            ["self", f"request: {request}", "/", f"**options: Unpack[{options}]"],
            f" -> {returns}: ...",
            indent="    ",
        ),
        pyexpr.bracketed(
            head, ["self", "/", f"**kwargs: Unpack[{args}]"], f" -> {returns}: ...", indent="    "
        ),
    )
    signature = pyexpr.bracketed(
        head,
        ["self", f"request: {request} | None = None", "/", "**kwargs: Any"],
        f" -> {returns}:",
        indent="    ",
    )
    return MethodView(name=name, overloads=overloads, signature=signature, doc=doc)


def _label(side: Side, method: str) -> str:
    return f"the async ``{method}``" if side.is_async else f"``{method}``"


def _args_view(model: Model, class_name: str, options: str, label: str) -> ArgsView:
    """Declared under ``if TYPE_CHECKING:``, hence one level in."""
    return ArgsView(
        header=pyexpr.bracketed(
            f"    class {class_name}",
            [model.params_class, options, "total=False"],
            ":",
            indent="    ",
        ),
        doc=pyexpr.docstring(
            f"The keyword arguments of {label}: the model's and the options.", indent="        "
        ),
    )


def model_info(model: Model, head: str, tail: str = "", *, indent: str = "") -> str:
    """``head ModelInfo(...) tail``: where a model's classes live, for the resource that
    loads them on its first call and for its level's index."""
    arguments = [
        f"{keyword}={pyexpr.string_literal(value)}"
        for keyword, value in (
            ("model_id", model.model_id),
            ("module", model.module_name),
            ("request_class", model.request_class),
            ("output_class", model.output_class),
        )
    ]
    return pyexpr.bracketed(f"{head}ModelInfo", arguments, tail, indent=indent)


def params_view(model: Model) -> ParamsView:
    """The ``Literal`` aliases and the parameters ``TypedDict`` of a model module.

    Each enumeration is spelled once, as an alias the request class and the parameters
    share; each parameter list once, as the ``TypedDict`` every ``submit``/``run`` unpacks.
    """
    aliases = tuple(
        pyexpr.hugged(
            f"{naming.choice_alias(field.py_name)}: TypeAlias = Literal",
            [pyexpr.literal(value) for value in leaf.values],
            "",
        )
        for field in model.fields
        if isinstance(leaf := leaf_type(field.type), LiteralOf)
    )
    keys = tuple(_param_view(field) for field in model.fields)
    imports = [Import(pyexpr.STDLIB, 0, "typing", "TypedDict")]
    if aliases:
        imports += [
            Import(pyexpr.STDLIB, 0, "typing", "Literal"),
            Import(pyexpr.STDLIB, 0, "typing", "TypeAlias"),
        ]
    if any(field.required for field in model.fields):
        imports.append(Import(pyexpr.STDLIB, 0, "typing", "Required"))
    if any(_needs_any(field.type) for field in model.fields):
        imports.append(Import(pyexpr.STDLIB, 0, "typing", "Any"))
    return ParamsView(
        aliases=aliases,
        class_name=model.params_class,
        doc=pyexpr.docstring(docs.params_doc(model), indent="    "),
        keys=keys,
        imports=tuple(imports),
    )


def choice_alias_of(field: Field) -> str | None:
    """The alias that spells the field's enumeration, if it has one."""
    return (
        naming.choice_alias(field.py_name) if isinstance(leaf_type(field.type), LiteralOf) else None
    )


def _param_view(field: Field) -> ParamView:
    annotation = signature_annotation(field.type, literal_name=choice_alias_of(field))
    if field.nullable or not field.required:
        annotation += " | None"
    if field.required:
        annotation = f"Required[{annotation}]"
    return ParamView(
        name=field.py_name,
        annotation=annotation,
        doc=pyexpr.docstring(docs.param_doc(field), indent="    "),
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
    type_checking = [
        Import(pyexpr.LOCAL, *_relative(targets[entry.attribute]), name)
        for entry in namespace.entries
        for name in (entry.class_name, entry.async_class_name)
    ]
    return ClientModuleView(
        doc=doc,
        imports=pyexpr.import_block(imports),
        type_checking_imports=pyexpr.import_block(type_checking, indent="    "),
        namespaces=tuple(_namespace_view(namespace, side, targets) for side in SIDES),
    )


def _relative(module: str) -> tuple[int, str]:
    """``..resources.x`` → ``(2, "resources.x")``: the level and the module of an import."""
    name = module.lstrip(".")
    return len(module) - len(name), name


def _namespace_view(namespace: Namespace, side: Side, targets: dict[str, str]) -> NamespaceView:

    def pick(sync_name: str, async_name: str) -> str:
        return async_name if side.is_async else sync_name

    entries = tuple(
        _entry_view(
            entry.attribute,
            pick(entry.class_name, entry.async_class_name),
            targets[entry.attribute],
            doc=docs.entry_doc(entry.target_path, is_model=entry.model is not None),
            argument="self" if namespace.is_root else "self._client",
        )
        for entry in namespace.entries
    )
    class_name = pick(namespace.class_name, namespace.async_class_name)
    base = side.client_base if namespace.is_root else ""
    return NamespaceView(
        header=f"class {class_name}({base}):" if base else f"class {class_name}:",
        doc=pyexpr.docstring(
            docs.namespace_doc(namespace.path, is_async=side.is_async), indent="    "
        ),
        client_type=None if namespace.is_root else side.client_base,
        entries=entries,
    )


def _entry_view(
    attribute: str, class_name: str, module: str, *, doc: str, argument: str
) -> EntryView:
    return EntryView(
        signature=pyexpr.bracketed(
            f"    def {attribute}", ["self"], f" -> {class_name}:", indent="    "
        ),
        import_=pyexpr.import_block(
            [Import(pyexpr.LOCAL, *_relative(module), class_name)], indent="        "
        ),
        class_name=class_name,
        doc=pyexpr.docstring(doc),
        constructor_argument=argument,
    )


def signature_annotation(type_ref: TypeRef, *, literal_name: str | None = None) -> str:
    """Client signatures take plain strings for media; the request model checks them."""
    return pyexpr.annotation(type_ref, media_type="str", literal_name=literal_name)


def _needs_any(type_ref: TypeRef) -> bool:
    leaf = leaf_type(type_ref)
    return isinstance(leaf, Scalar) and leaf.kind in {"any", "object"}


def _resource_imports() -> list[Import]:
    typing = ("TYPE_CHECKING", "Any", "Unpack", "overload")
    return [
        Import(pyexpr.FUTURE, 0, "__future__", "annotations"),
        *(Import(pyexpr.STDLIB, 0, "typing", name) for name in typing),
        *(Import(pyexpr.LOCAL, 2, "_runtime", side.resource_base) for side in SIDES),
        Import(pyexpr.LOCAL, 2, "_runtime._lazy", "ModelInfo"),
    ]


def _resource_typing_imports(model: Model) -> list[Import]:
    runtime = (
        *(side.job_type for side in SIDES),
        *(side.submit_options for side in SIDES),
        *(side.run_options for side in SIDES),
    )
    module = f"models.{model.module_name}"
    return [
        *(Import(pyexpr.LOCAL, 2, "_runtime", name) for name in runtime),
        *(
            Import(pyexpr.LOCAL, 2, module, name)
            for name in (model.request_class, model.output_class, model.params_class)
        ),
    ]
