"""What the generated docstrings say, composed as plain text from the IR.

``pyexpr.docstring`` turns this text into literals; the wording lives here, once.
"""

from __future__ import annotations

import json

from generator.ir import Field, FrozenJson, Model, thaw

_MAX_EXAMPLE_CHARS = 120


def request_doc(model: Model) -> str:
    lines = [f"Input of the RunComfy model ``{model.model_id}``."]
    if model.description:
        lines += ["", model.description]
    lines += [
        "",
        "Fields accept their friendly names or the wire keys; ``to_body()`` gives the JSON",
        "body with wire keys and only the fields that were set.",
    ]
    return "\n".join(lines)


def output_doc(model: Model) -> str:
    return f"Output of the RunComfy model ``{model.model_id}``. Keys not listed here are kept."


def module_doc(model: Model) -> str:
    return f"Request and output models of ``{model.model_id}``."


def field_doc(field: Field) -> str:
    """Title, description, wire key, example and server-side checks of one input."""
    paragraphs = [
        part
        for part in (
            _heading(field),
            _wire_key_line(field),
            _example_line(field),
            _checks_line(field),
            _extras_line(field),
        )
        if part
    ]
    return "\n\n".join(paragraphs)


def _heading(field: Field) -> str:
    title, description = field.title, field.description
    if title and description and description.strip() != title.strip():
        return f"{title}: {description}" if not description.startswith(title) else description
    return title or description or ""


def _wire_key_line(field: Field) -> str:
    if field.is_combined:
        parts = " and ".join(f"node {t.node} ``{t.input}``" for t in field.targets)
        line = f"Wire key ``{field.wire_key}`` sets {parts} from one value"
        if field.dimensions:
            sample = field.dimensions[0]
            line += f", e.g. ``{sample.value}`` is width {sample.width}, height {sample.height}"
        return line + "."
    target = field.targets[0]
    if target.node is not None:
        return (
            f"Wire key ``{field.wire_key}`` (ComfyUI node {target.node}, input ``{target.input}``)."
        )
    return f"Wire key ``{field.wire_key}``."


def _example_line(field: Field) -> str:
    if not field.required or field.default is None or field.default.value is None:
        return ""
    return f"Example: {_short(field.default.value)}."


def _checks_line(field: Field) -> str:
    if not field.validations:
        return ""
    rules = "; ".join(
        " ".join(part for part in (rule.metric, rule.operator, _short(rule.value)) if part)
        for rule in field.validations
    )
    return f"Checked by RunComfy on the fetched file: {rules}."


def _extras_line(field: Field) -> str:
    if not field.extras:
        return ""
    listed = ", ".join(f"{extra.name}={_short(extra.value)}" for extra in field.extras)
    return f"Also declared by the schema (not checked by the client): {listed}."


def _short(value: FrozenJson) -> str:
    text = json.dumps(thaw(value), ensure_ascii=False)
    return text if len(text) <= _MAX_EXAMPLE_CHARS else text[: _MAX_EXAMPLE_CHARS - 1] + "…"
