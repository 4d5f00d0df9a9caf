"""What the generated docstrings say, composed as plain text from the IR.

``pyexpr.docstring`` turns this text into literals; the wording lives here, once.
"""

from __future__ import annotations

import json

from .ir import Field, FrozenJson, Model, thaw

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


def first_line(text: str) -> str:
    """The first line of a doc text, for one-line summaries such as ``Args:`` entries."""
    return text.strip().splitlines()[0] if text.strip() else ""


def submit_doc(model: Model) -> str:
    return "\n".join(
        [
            "Submit a job of this model and return its handle at once.",
            "",
            *_arguments_lines(model),
            "",
            "The options (``timeout`` of the request, ``on_submitted``, ``max_retries``,",
            "``extra_headers``, ``extra_query``, ``extra_body``) are documented in",
            "``SubmitOptions``. Submitting is a paid request with no idempotency key: it is",
            "retried only when the connection could not be made, never once it may have",
            "reached the server.",
        ]
    )


def run_doc(model: Model) -> str:
    return "\n".join(
        [
            "Submit a job of this model, wait for it and return its typed output.",
            "",
            *_arguments_lines(model),
            "",
            "The options (``timeout`` for the whole run, ``on_update``, ``on_submitted``,",
            "``cancel_on_interrupt``, ``max_retries``, ``extra_headers``, ``extra_query``,",
            "``extra_body``) are documented in ``RunOptions``. Polls with backoff until the job",
            "ends; raises on failure, cancellation or timeout.",
        ]
    )


def _arguments_lines(model: Model) -> list[str]:
    # Names on lines of their own: the text stays within black's line length.
    return [
        "Pass a request object or the model's fields by name, as listed, typed and documented",
        f"in ``{model.params_class}``.",
    ]


def params_doc(model: Model) -> str:
    return (
        f"Keyword arguments of ``submit`` and ``run`` for ``{model.model_id}``.\n\n"
        f"The fields of ``{model.request_class}``, by their friendly names.\n"
        "Only the keys given are sent; the server applies its defaults to the others."
    )


def param_doc(field: Field) -> str:
    """One keyword argument: what it is, what it accepts, and the server's default."""
    parts = [_heading(field) or f"Wire key ``{field.wire_key}``."]
    bounds = _bounds(field)
    if bounds:
        parts.append(bounds)
    if not field.required and field.default is not None:
        parts.append(f"Default: {_short(field.default.value)}.")
    return "\n\n".join(parts)


_BOUND_LABELS = {
    "minimum": "minimum",
    "exclusive_minimum": "exclusive minimum",
    "maximum": "maximum",
    "exclusive_maximum": "exclusive maximum",
    "multiple_of": "multiple of",
    "min_length": "min length",
    "max_length": "max length",
    "min_items": "min items",
    "max_items": "max items",
}


def _bounds(field: Field) -> str:
    said = [f"{_BOUND_LABELS[name]} {value}" for name, value in field.constraints.bounds()]
    return ("Constraints: " + ", ".join(said) + ".") if said else ""


def client_module_doc() -> str:
    # No model count here: adding a model must not rewrite this module.
    return (
        "Clients of RunComfy's Model API: ``RunComfy`` and ``AsyncRunComfy``.\n\n"
        "Each model is reached through its id: ``client.community.wan_2_2.first_last_frame``\n"
        "for ``community/wan-2-2/first-last-frame``. Namespaces and model modules load on first use."
    )


def namespace_module_doc(path: str) -> str:
    return f"The ``{path}/`` level of the client's accessor tree, sync and async."


def resource_module_doc(model: Model) -> str:
    return f"Sync and async resources of ``{model.model_id}``."


def resource_doc(model: Model, *, is_async: bool) -> str:
    flavour = "Asynchronous access" if is_async else "Access"
    return (
        f"{flavour} to ``{model.model_id}``.\n\n"
        "``submit`` returns a job handle, ``run`` waits for the typed output and\n"
        "``job(request_id)`` resumes a job submitted earlier."
    )


def index_doc(path: str) -> str:
    where = f"under ``{path}/``" if path else "at the top level"
    return f"The models {where}: their classes (imported on first use) and registry entries."


def namespace_doc(path: str, *, is_async: bool) -> str:
    if not path:
        return (
            "Asynchronous client of RunComfy's Model API."
            if is_async
            else "Client of RunComfy's Model API."
        )
    return f"Models whose id starts with ``{path}/``."


def entry_doc(target_path: str, *, is_model: bool) -> str:
    return f"The model ``{target_path}``." if is_model else f"Models under ``{target_path}/``."
