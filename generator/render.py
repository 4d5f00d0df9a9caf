"""Stage 3, render: the IR → ``{relative path: text}`` of the whole generated tree.

Pure: reads templates and the runtime sources, writes nothing. Model classes come from
datamodel-code-generator (``dmcg.py``); every other file from a jinja2 template in
``templates/package/``; the hand-written runtime (``templates/runtime/``) is copied
verbatim. Each ``.py`` file gets the do-not-edit header and is formatted by black
in-process, so the output never depends on what is on ``PATH``; a module laid out as
black lays it out (``pyexpr.is_laid_out``) is not run through black, and a run that
formats nothing does not import it.
"""

from __future__ import annotations

import ast
import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import jinja2

from . import docs, naming, pyexpr
from .cache import Cache, key_of
from .config import Config
from .dmcg import render_classes
from .ir import Model, Package
from .manifest import GENERATOR_NAME, generator_hash, tool_versions, tree_hash
from .parallel import process_map
from .requirements import REQUIREMENTS_MODULE, sdk_requirements
from .views import (
    client_module_view,
    model_info,
    namespace_module_view,
    params_view,
    resource_module_view,
)

if TYPE_CHECKING:
    import black
_TEMPLATE_FILTERS = {
    "docstring": pyexpr.docstring,
    "literal": pyexpr.literal,
}


@dataclass(frozen=True, slots=True, order=True)
class Export:
    """A name re-exported by a package ``__init__``, and the module it comes from."""

    module: str
    name: str


_PACKAGE_EXPORTS = (
    Export(".client", "AsyncRunComfy"),
    Export(".client", "RunComfy"),
    Export("._registry", "MODELS"),
    Export("._version", "__version__"),
)


# Below this many models to render, a process pool costs more than it saves.
_PARALLEL_THRESHOLD = 16


def render(
    package: Package, config: Config, *, cache: Cache | None = None, jobs: int | None = None
) -> dict[PurePosixPath, str]:
    """Every file of the generated tree, keyed by its path below the output directory.

    Models found in ``cache`` are not rendered again; the others are rendered on ``jobs``
    processes (default: one per core) when there are enough of them to pay for it.
    """
    context = _Context.of(config, package.name, cache or Cache(None))
    env = context.env
    root = PurePosixPath(package.name)
    files: dict[PurePosixPath, str] = _model_files(package.models, context, jobs)
    all_schemas = f"{config.schemas_label}/**/*.json"
    files[root / "resources" / "__init__.py"] = context.python_file(
        pyexpr.docstring("Per-model resources, each imported on first use by the client.") + "\n",
        source=all_schemas,
    )
    exports = _package_exports(config.templates_dir / "runtime" / "__init__.py")
    indexes = _model_indexes(package)
    for template, target in (
        ("package_init.py.j2", root / "__init__.py"),
        ("models_init.py.j2", root / "models" / "__init__.py"),
        ("registry.py.j2", root / "_registry.py"),
    ):
        text = env.get_template(template).render(
            package=package,
            docs=_package_docs(sdk_requirements(config.templates_dir).describe()),
            exports=exports,
            all_names=_all_names(exports),
            index_modules=sorted(index.module for index in indexes),
            levels=sorted((index.path, index.module) for index in indexes),
        )
        files[target] = context.python_file(text, source=all_schemas)
    files[root / "models" / "_index" / "__init__.py"] = context.python_file(
        pyexpr.docstring("One index per level of model ids: its models' classes and entries.")
        + "\n",
        source=all_schemas,
    )
    index_template = env.get_template("model_index.py.j2")
    for index in indexes:
        model_exports = _model_exports(index.models)
        text = index_template.render(
            doc=pyexpr.docstring(docs.index_doc(index.path)),
            exports=model_exports,
            type_imports=[_typing_import(export) for export in model_exports],
            all_names=_all_names(model_exports),
            entries=[
                model_info(model, f"    {pyexpr.literal(model.model_id)}: ", ",", indent="    ")
                for model in index.models
            ],
        )
        files[root / "models" / "_index" / f"{index.module}.py"] = context.python_file(
            text, source=all_schemas, laid_out=True
        )
    client = env.get_template("client.py.j2")
    for namespace in package.namespaces:
        if namespace.is_root:
            target, view = root / "client.py", client_module_view(namespace)
        else:
            target = root / "_namespaces" / f"{namespace.module}.py"
            view = namespace_module_view(namespace)
        files[target] = context.python_file(
            client.render(view=view), source=all_schemas, laid_out=True
        )
    files[root / "_namespaces" / "__init__.py"] = context.python_file(
        pyexpr.docstring(
            "The client's accessor tree, one module per level, each loaded on first use."
        )
        + "\n",
        source=all_schemas,
    )
    files[root / "_version.py"] = context.python_file(
        env.get_template("version.py.j2").render(
            doc=pyexpr.docstring(
                "The SDK's version (``[tool.runcomfy-codegen] version``) and its generator's."
            ),
            version=config.version,
            generator=f"{GENERATOR_NAME}/{tool_versions()[GENERATOR_NAME]}",
        ),
        source="pyproject.toml [tool.runcomfy-codegen]",
    )
    requirements = config.templates_dir / "package" / REQUIREMENTS_MODULE
    files[root / REQUIREMENTS_MODULE] = context.python_file(
        requirements.read_text(encoding="utf-8"), source=f"templates/package/{REQUIREMENTS_MODULE}"
    )
    files.update(
        _runtime_files(
            config.templates_dir / "runtime", root / "_runtime", regenerate=config.regenerate
        )
    )
    files[root / "py.typed"] = ""
    return dict(sorted(files.items()))


def render_models(
    models: tuple[Model, ...], config: Config, *, package_name: str, cache: Cache | None = None
) -> dict[PurePosixPath, str]:
    """Only the model and resource modules of ``models`` (for a run that changed only them)."""
    return _model_files(models, _Context.of(config, package_name, cache or Cache(None)), None)


@dataclass(frozen=True, slots=True)
class _Context:
    """What one run's renderers share: templates, the cache, and the key of the generator.

    ``fingerprint`` hashes everything besides a model's IR that its files depend on: the
    generator's own sources, tool versions, templates, package name and header text.
    """

    config: Config
    package_name: str
    cache: Cache
    fingerprint: str
    env: jinja2.Environment

    @classmethod
    def of(cls, config: Config, package_name: str, cache: Cache) -> _Context:
        fingerprint = key_of(
            generator_hash(),
            json.dumps(tool_versions(), sort_keys=True),
            tree_hash(config.templates_dir),
            package_name,
            config.schemas_label,
            header("*", regenerate=config.regenerate),
        )
        env = _environment(config.templates_dir / "package")
        return cls(config, package_name, cache, fingerprint, env)

    def python_file(self, text: str, *, source: str, laid_out: bool = False) -> str:
        """Header, text, black: each distinct text is formatted once, then cached.

        ``laid_out`` text is spelled line by line as black would spell it (``pyexpr``:
        ``bracketed``, ``hugged``, ``docstring``, ``string_literal``; ``dmcg._field_lines``):
        when ``pyexpr.is_laid_out`` vouches for every line, black would return it
        unchanged, so it is not run (tests hold this for random names, texts and models).
        """
        unformatted = header(source, regenerate=self.config.regenerate) + "\n" + text
        if laid_out and pyexpr.is_laid_out(text):
            return unformatted
        key = key_of(self.fingerprint, unformatted)
        cached = self.cache.get("black", key)
        if cached is not None:
            return cached
        formatted = format_python(unformatted)
        self.cache.put("black", key, formatted)
        return formatted


def format_python(text: str) -> str:
    """``text`` formatted by black with the generated code's settings."""
    import black  # here: most runs lay every module out and never need black

    return black.format_str(text, mode=black_mode())


@functools.cache
def black_mode() -> black.Mode:
    """black's settings for generated code (imports black on first use)."""
    import black
    from black.mode import TargetVersion

    return black.Mode(target_versions={TargetVersion.PY311}, line_length=pyexpr.LINE_LENGTH)


def _model_files(
    models: tuple[Model, ...], context: _Context, jobs: int | None
) -> dict[PurePosixPath, str]:
    """The model and resource module of every model, from the cache where possible."""
    files: dict[PurePosixPath, str] = {}
    missing: list[tuple[Model, str]] = []
    for model in models:
        key = key_of(context.fingerprint, repr(model))
        cached = context.cache.get("model", key)
        entry = _decode_entry(cached) if cached is not None else None
        if entry is None:
            missing.append((model, key))
        else:
            files.update(entry)
    rendered = _render_many([model for model, _ in missing], context, jobs)
    for (_, key), entry in zip(missing, rendered, strict=True):
        context.cache.put("model", key, json.dumps({str(p): t for p, t in entry.items()}))
        files.update(entry)
    return files


def _decode_entry(text: str) -> dict[PurePosixPath, str] | None:
    try:
        entry = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(entry, dict) or not all(isinstance(v, str) for v in entry.values()):
        return None
    return {PurePosixPath(path): value for path, value in entry.items()}


def _render_many(
    models: list[Model], context: _Context, jobs: int | None
) -> list[dict[PurePosixPath, str]]:
    arguments = (context.config, context.package_name)
    return process_map(_render_chunk, models, arguments, per_worker=_PARALLEL_THRESHOLD, jobs=jobs)


def _render_chunk(
    models: list[Model], arguments: tuple[Config, str]
) -> list[dict[PurePosixPath, str]]:
    config, package_name = arguments
    context = _Context.of(config, package_name, Cache(None))
    return [_render_model(model, context) for model in models]


def _render_model(model: Model, context: _Context) -> dict[PurePosixPath, str]:
    root = PurePosixPath(context.package_name)
    resource = context.env.get_template("resource.py.j2").render(view=resource_module_view(model))
    return {
        root / "models" / f"{model.module_name}.py": _model_module(model, context),
        root
        / "resources"
        / f"{model.module_name}.py": context.python_file(
            resource, source=model.source.file, laid_out=True
        ),
    }


def header(source: str, *, regenerate: str) -> str:
    """The first lines of every generated ``.py`` file (``check.is_ours`` recognises them)."""
    return (
        f"# Code generated by {GENERATOR_NAME} from {source}. DO NOT EDIT.\n"
        f"# Regenerate with: {regenerate}\n"
    )


@functools.cache  # compiled templates are kept; jinja reloads a template whose file changed
def _environment(directory: Path) -> jinja2.Environment:
    # We emit Python, not HTML: autoescape is off and every literal is spelled by the
    # pyexpr filters. StrictUndefined turns a misspelled name into an error.
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(directory),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(_TEMPLATE_FILTERS)
    return env


def _model_module(model: Model, context: _Context) -> str:
    config = context.config
    classes = render_classes(
        model, package=context.package_name, template_dir=config.templates_dir / "dmcg"
    )
    mutable_defaults = any(
        field.default is not None and pyexpr.is_mutable(field.default.value) and not field.required
        for field in model.fields
    )
    params = params_view(model)
    text = context.env.get_template("model_module.py.j2").render(
        doc=pyexpr.docstring(docs.module_doc(model)),
        pragmas=[pyexpr.MUTABLE_DEFAULTS_PRAGMA] if mutable_defaults else [],
        imports=pyexpr.import_block((*classes.imports, *params.imports)),
        body=classes.body,
        params=params,
    )
    return context.python_file(text, source=model.source.file, laid_out=classes.laid_out)


def _package_exports(runtime_init: Path) -> list[Export]:
    """The package root re-exports the clients, the registry and the runtime's ``__all__``."""
    tree = ast.parse(runtime_init.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            names = list(ast.literal_eval(node.value))
    exports = [*_PACKAGE_EXPORTS, *(Export("._runtime", name) for name in names)]
    return _import_sorted(exports)


@dataclass(frozen=True, slots=True)
class _Index:
    """The models directly under one level of model ids, and the module indexing them."""

    path: str
    module: str
    models: tuple[Model, ...]


def _model_indexes(package: Package) -> list[_Index]:
    """One index per namespace that holds models: adding a model rewrites only its own."""
    indexes = []
    for namespace in package.namespaces:
        models = tuple(entry.model for entry in namespace.entries if entry.model is not None)
        if models:
            module = naming.index_module(namespace.module)
            indexes.append(_Index(namespace.path, module, models))
    return indexes


def _model_exports(models: tuple[Model, ...]) -> list[Export]:
    exports = [
        Export(model.module_name, name)
        for model in models
        for name in (model.request_class, model.output_class, model.params_class)
    ]
    return _import_sorted(exports)


def _typing_import(export: Export) -> str:
    """One re-export under ``if TYPE_CHECKING:``, laid out as black lays it out."""
    head = f"    from ..{export.module} import "
    return pyexpr.bracketed(
        head, [f"{export.name} as {export.name}"], "", indent="    ", parens=True
    )


def _import_sorted(exports: list[Export]) -> list[Export]:
    return sorted(exports, key=lambda e: (e.module, pyexpr.imported_name_order(e.name)))


def _all_names(exports: list[Export]) -> list[str]:
    return sorted((export.name for export in exports), key=pyexpr.dunder_all_order)


def _package_docs(requirements: str) -> Mapping[str, str]:
    # No model count: adding a model must not rewrite the package's __init__.
    return {
        "package": pyexpr.docstring(
            "Typed client for RunComfy's Model API.\n\n"
            "Generated from the models' published schemas; see the project's README.\n"
            f"Needs {requirements} (checked on import)."
        ),
    }


def _runtime_files(
    source_dir: Path, target_dir: PurePosixPath, *, regenerate: str
) -> dict[PurePosixPath, str]:
    """The runtime, copied verbatim under the header.

    Its sources are kept black-formatted with the same settings (``make lint`` and the
    generated-code tests check it), so they are not formatted again on every run: that
    was half of the time of generating a small catalog.
    """
    files = {}
    for path in sorted(source_dir.glob("*.py")):
        origin = f"templates/runtime/{path.name}"
        text = path.read_text(encoding="utf-8")
        files[target_dir / path.name] = header(origin, regenerate=regenerate) + "\n" + text
    return files
