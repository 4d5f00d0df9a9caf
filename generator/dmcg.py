"""Adapter around datamodel-code-generator: IR model → pydantic class source.

We hand datamodel-code-generator a plain JSON Schema *derived from the IR* (names already
chosen, dialect quirks already resolved), run it in-process with our own class template
(``templates/dmcg/pydantic_v2/BaseModel.jinja2``), then parse what it produced with
``ast``: the classes and fields must be exactly the ones the IR names, and the imports are
re-spelled by ``pyexpr`` so that every module of the package reads the same. Its header,
timestamp and formatting are never used.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datamodel_code_generator import generate
from datamodel_code_generator.enums import DataModelType, InputFileType
from datamodel_code_generator.format import PythonVersion

from . import docs, pyexpr
from .diagnostics import GeneratorBug
from .ir import ArrayOf, Field, LiteralOf, MediaUrl, Model, Scalar, TypeRef, thaw
from .views import choice_alias_of

RUNTIME_MODULE = "_runtime._models"
_JSON_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean"}
_CONSTRAINT_KEYWORDS = {
    "minimum": "minimum",
    "maximum": "maximum",
    "exclusive_minimum": "exclusiveMinimum",
    "exclusive_maximum": "exclusiveMaximum",
    "multiple_of": "multipleOf",
    "min_length": "minLength",
    "max_length": "maxLength",
    "pattern": "pattern",
    "min_items": "minItems",
    "max_items": "maxItems",
}


@dataclass(frozen=True, slots=True)
class ClassCode:
    """The class definitions of one model module and the imports they need."""

    imports: tuple[pyexpr.Import, ...]
    body: str
    laid_out: bool
    """Every line is spelled as black would (see ``_field_lines``), when it fits."""


def render_classes(model: Model, *, package: str, template_dir: Path) -> ClassCode:
    """Request and output classes of one model, as checked source text."""
    code = generate(
        derived_schema(model, package=package),
        input_file_type=InputFileType.JsonSchema,
        output_model_type=DataModelType.PydanticV2BaseModel,
        target_python_version=PythonVersion.PY_311,
        class_name=model.request_class,
        aliases=_aliases(model),
        base_class_map={
            model.request_class: f"{package}.{RUNTIME_MODULE}.RequestModel",
            model.output_class: f"{package}.{RUNTIME_MODULE}.OutputModel",
        },
        extra_template_data=_template_data(model),  # type: ignore[arg-type]
        custom_template_dir=template_dir,
        enum_field_as_literal="all",  # type: ignore[arg-type]  # coerced to LiteralType.All
        use_annotated=True,
        field_constraints=True,
        field_extra_keys={"examples"},
        use_standard_collections=True,
        use_union_operator=True,
        use_double_quotes=True,
        keep_model_order=True,
        disable_timestamp=True,
        formatters=[],
    )
    if not isinstance(code, str):
        raise GeneratorBug(
            f"datamodel-code-generator returned {type(code).__name__} for {model.model_id}"
        )
    return _checked(code, model, package)


def derived_schema(model: Model, *, package: str) -> dict[str, Any]:
    """Plain JSON Schema for datamodel-code-generator: one root (request) and one $def (output)."""
    media = f"{package}.{RUNTIME_MODULE}.MediaUrl"
    own_module = f"{package}.{_own_module(model)}"
    return {
        "title": model.request_class,
        "type": "object",
        "additionalProperties": False,
        "required": [field.wire_key for field in model.fields if field.required],
        "properties": {
            field.wire_key: _field_schema(field, media, own_module) for field in model.fields
        },
        "$defs": {
            model.output_class: {
                "type": "object",
                "additionalProperties": True,
                "properties": {
                    field.wire_key: _type_schema(field.type, media) for field in model.output_fields
                },
            }
        },
    }


def _own_module(model: Model) -> str:
    return f"models.{model.module_name}"


def _field_schema(field: Field, media: str, own_module: str) -> dict[str, Any]:
    # An enumeration is spelled once, as the module's alias (see views.params_view).
    alias = choice_alias_of(field)
    choice = None if alias is None else f"{own_module}.{alias}"
    schema = _type_schema(field.type, media, choice)
    # Bounds belong to the value's own type: on an anyOf around it they would describe
    # the union, which datamodel-code-generator turns into extra classes.
    for attr, keyword in _CONSTRAINT_KEYWORDS.items():
        value = getattr(field.constraints, attr)
        if value is not None:
            schema[keyword] = value
    if field.nullable and field.required:
        schema = _or_null(schema)
    if field.title:
        schema["title"] = field.title
    if field.default is not None:
        key = "examples" if field.required else "default"
        if not (field.required and field.default.value is None):
            schema[key] = (
                [thaw(field.default.value)] if field.required else thaw(field.default.value)
            )
    return schema


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema, or null. A plain type becomes a type list (``["string", "null"]``), so its
    bounds stay on the field; datamodel-code-generator makes classes of bounds in an anyOf."""
    if isinstance(schema.get("type"), str):
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def _type_schema(type_ref: TypeRef, media: str, choice: str | None = None) -> dict[str, Any]:
    if isinstance(type_ref, MediaUrl):
        return {"type": "string", "customTypePath": media}
    if isinstance(type_ref, LiteralOf):
        if choice is not None:
            return {"customTypePath": choice}
        return {"enum": list(type_ref.values)}
    if isinstance(type_ref, ArrayOf):
        return {"type": "array", "items": _type_schema(type_ref.item, media, choice)}
    if isinstance(type_ref, Scalar):
        if type_ref.kind == "object":
            return {"type": "object"}
        return {"type": _JSON_TYPES[type_ref.kind]} if type_ref.kind in _JSON_TYPES else {}
    raise GeneratorBug(f"unknown type node {type_ref!r}")


def _aliases(model: Model) -> dict[str, str]:
    """Class-scoped aliases (``Class.wire_key``), only where the name differs from the key."""
    pairs = [(model.request_class, field.wire_key, field.py_name) for field in model.fields]
    pairs += [(model.output_class, field.wire_key, field.py_name) for field in model.output_fields]
    return {f"{owner}.{key}": name for owner, key, name in pairs if name != key}


def _template_data(model: Model) -> dict[str, dict[str, Any]]:
    """Pre-spelled text our class template lays out (it decides nothing itself)."""
    return {
        model.request_class: {
            "class_docstring": pyexpr.docstring(docs.request_doc(model), indent="    "),
            "class_attributes": [f"model_id = {pyexpr.literal(model.model_id)}"],
            "field_docstrings": {
                f.py_name: pyexpr.docstring(docs.field_doc(f), indent="    ") for f in model.fields
            },
        },
        model.output_class: {
            "class_docstring": pyexpr.docstring(docs.output_doc(model), indent="    "),
            "class_attributes": [],
            "field_docstrings": {
                f.py_name: pyexpr.docstring(f.description, indent="    ")
                for f in model.output_fields
                if f.description
            },
        },
    }


def _checked(code: str, model: Model, package: str) -> ClassCode:
    """Verify the classes against the IR; split imports from class bodies."""
    # Literals are spelled as black spells them before any line is measured: a layout
    # decided on other spellings could differ from black's.
    respelled = pyexpr.black_literals(code)
    code = respelled or code
    tree = ast.parse(code)
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    expected = {
        model.request_class: [(f.py_name, f.wire_key) for f in model.fields],
        model.output_class: [(f.py_name, f.wire_key) for f in model.output_fields],
    }
    if set(classes) != set(expected):
        raise GeneratorBug(
            f"{model.model_id}: expected classes {sorted(expected)}, got {sorted(classes)}"
        )
    for name, fields in expected.items():
        found = _fields_of(classes[name])
        if found != fields:
            raise GeneratorBug(
                f"{model.model_id}: {name} fields {found} differ from the IR's {fields}"
            )
    lines = code.splitlines()
    ordered = [classes[model.request_class], classes[model.output_class]]
    used = {name.id for node in ordered for name in ast.walk(node) if isinstance(name, ast.Name)}
    own_module = _own_module(model)
    imports = tuple(
        item
        for item in _imports(tree, package)
        if (item.name in used or item.section == pyexpr.FUTURE) and item.module != own_module
    )
    body = "\n\n\n".join(_class_text(code, lines, node) for node in ordered)
    return ClassCode(imports=imports, body=body, laid_out=respelled is not None)


def _class_text(code: str, lines: list[str], node: ast.ClassDef) -> str:
    """The class's source, its field declarations split the way black would split them.

    black still formats the module; laying the long declarations out first spares it
    most of its work (trying one split after another), which was two thirds of its time.
    """
    out: list[str] = []
    line = node.lineno - 1
    for statement in node.body:
        laid_out = _field_lines(lines, statement)
        if laid_out is None:
            continue
        assert isinstance(statement, ast.AnnAssign) and statement.end_lineno is not None
        out += lines[line : statement.lineno - 1]
        out += laid_out
        line = statement.end_lineno
    out += lines[line : node.end_lineno]
    return "\n".join(out)


_INDENT = "    "


def _field_lines(lines: list[str], statement: ast.stmt) -> list[str] | None:
    """``name: Annotated[T, Field(...)] = value``, split where it does not fit; None to keep."""
    if not (
        isinstance(statement, ast.AnnAssign)
        and isinstance(statement.target, ast.Name)
        and isinstance(statement.annotation, ast.Subscript)
        and isinstance(statement.annotation.slice, ast.Tuple)
        and len(statement.annotation.slice.elts) == 2
        and isinstance(call := statement.annotation.slice.elts[1], ast.Call)
        and (statement.value is None or isinstance(statement.value, ast.Constant))
        and statement.lineno == statement.end_lineno
        and not call.args
    ):
        return None
    line = lines[statement.lineno - 1]

    def segment(node: ast.expr | ast.keyword) -> str:
        return _one_line_segment(line, node)

    head = f"{_INDENT}{statement.target.id}: {segment(statement.annotation.value)}["
    kind = segment(statement.annotation.slice.elts[0])
    arguments = [segment(keyword) for keyword in call.keywords]
    function = segment(call.func)
    tail = "]" if statement.value is None else f"] = {segment(statement.value)}"
    field = f"{function}({', '.join(arguments)})"
    inner = _INDENT * 2
    if len(f"{head}{kind}, {field}{tail}") <= pyexpr.LINE_LENGTH:
        return None
    # black first splits at the parentheses it may put around the value, and keeps that
    # split when the line that opens them fits.
    assigned = f"{head}{kind}, {field}] = ("
    if statement.value is not None and len(assigned) <= pyexpr.LINE_LENGTH:
        return [assigned, f"{inner}{segment(statement.value)}", f"{_INDENT})"]
    if len(f"{inner}{kind}, {field}") <= pyexpr.LINE_LENGTH:
        return [head, f"{inner}{kind}, {field}", f"{_INDENT}{tail}"]
    if len(f"{inner}{field},") <= pyexpr.LINE_LENGTH:
        return [head, f"{inner}{kind},", f"{inner}{field},", f"{_INDENT}{tail}"]
    arguments_lines = _arguments_lines(line, call.keywords, arguments, indent=inner + _INDENT)
    field_lines = [f"{inner}{function}(", *arguments_lines, f"{inner}),"]
    return [head, f"{inner}{kind},", *field_lines, f"{_INDENT}{tail}"]


def _arguments_lines(
    line: str, keywords: list[ast.keyword], arguments: list[str], *, indent: str
) -> list[str]:
    """The arguments of an exploded call: on one line when it fits or there is only one
    (black adds no comma then), else one a line with the comma black adds."""
    joined = ", ".join(arguments)
    if len(f"{indent}{joined}") <= pyexpr.LINE_LENGTH:
        return [f"{indent}{joined}"]
    if len(keywords) == 1:
        return _argument_lines(line, keywords[0], joined, indent=indent, tail="")
    return [
        laid_out
        for keyword, argument in zip(keywords, arguments, strict=True)
        for laid_out in _argument_lines(line, keyword, argument, indent=indent, tail=",")
    ]


def _argument_lines(
    line: str, keyword: ast.keyword, argument: str, *, indent: str, tail: str
) -> list[str]:
    """``name=value``; a list value that does not fit is split as black splits it."""
    if keyword.arg is None:
        return [f"{indent}{argument}{tail}"]
    return _value_lines(line, keyword.value, head=f"{indent}{keyword.arg}=", tail=tail)


def _value_lines(line: str, value: ast.expr, *, head: str, tail: str) -> list[str]:
    """``head value tail``; a list that does not fit is split at its brackets, one level at
    a time: its items on one line, or a lone item on its own, else one item a line."""
    text = f"{head}{_one_line_segment(line, value)}{tail}"
    if len(text) <= pyexpr.LINE_LENGTH or not isinstance(value, ast.List) or not value.elts:
        return [text]
    indent = head[: len(head) - len(head.lstrip(" "))]
    inner = indent + _INDENT
    items = [_one_line_segment(line, item) for item in value.elts]
    if len(items) == 1:
        body = _value_lines(line, value.elts[0], head=inner, tail="")
    elif len(f"{inner}{', '.join(items)}") <= pyexpr.LINE_LENGTH:
        body = [f"{inner}{', '.join(items)}"]
    else:
        body = [
            laid_out
            for item in value.elts
            for laid_out in _value_lines(line, item, head=inner, tail=",")
        ]
    return [f"{head}[", *body, f"{indent}]{tail}"]


def _one_line_segment(line: str, node: ast.expr | ast.keyword) -> str:
    """The source of a node on ``line``.

    ``ast.get_source_segment`` splits the whole module again on every call: with a few
    dozen fields that was a third of the time of rendering a model. Offsets are in UTF-8
    bytes, so they index the text directly only when it is ASCII.
    """
    start, end = node.col_offset, node.end_col_offset
    if line.isascii():
        return line[start:end]
    return line.encode("utf-8")[start:end].decode("utf-8")


def _fields_of(node: ast.ClassDef) -> list[tuple[str, str]]:
    """(attribute, wire key) for every annotated field; the wire key is its alias or name."""
    found = []
    for statement in node.body:
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            name = statement.target.id
            found.append((name, _alias(statement) or name))
    return found


def _alias(statement: ast.AnnAssign) -> str | None:
    for call in ast.walk(statement):
        if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "Field":
            for keyword in call.keywords:
                if keyword.arg == "alias" and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
    return None


def _imports(tree: ast.Module, package: str) -> list[pyexpr.Import]:
    """The imports datamodel-code-generator chose, with our package made relative."""
    found: list[pyexpr.Import] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            raise GeneratorBug(f"unexpected plain import {ast.unparse(node)!r}")
        if isinstance(node, ast.ImportFrom) and node.module:
            level, module = node.level, node.module
            if module == package or module.startswith(package + "."):
                # Model modules sit one package below the root: models/<name>.py.
                level, module = 2, module[len(package) + 1 :]
            found.extend(
                pyexpr.Import(pyexpr.classify(module, level=level), level, module, alias.name)
                for alias in node.names
            )
    return found
