"""Extract a model's schemas from what users feed ``ingest``: saved pages or JSON files.

A saved RunComfy model API page (in any language, with or without line breaks, plain
text or HTML) holds the model id in its curl URLs, the example body after ``--data``,
an input schema (an object with ``properties``) and an output schema (``{"output": ...}``).
JSON files hold ``{model_id, input_schema, output_schema?, example_request?}`` or a bare
input schema, whose model id then comes from the command line.

Problems are reported as diagnostics located in the source file; nothing is raised.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from . import jsontext
from .diagnostics import Diagnostics, SourceRef

MAX_SOURCE_BYTES = 8 * 1024 * 1024
# Only the characters a model id may hold (see canonical.model_id_problem), so that text
# run on after the URL ("…/first-last-frame。次へ", a closing parenthesis) is not taken in.
_MODEL_URL = re.compile(r"/v1/models/(?P<id>[A-Za-z0-9._/-]+)")
_DATA_FLAG = re.compile(r"(?:--data(?:-raw|-binary)?|-d)\s*(?:=\s*)?['\"]?\s*$")
_HTML_HINT = re.compile(r"<\s*(?:html|body|pre|code|div|span|p)\b", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]*>")  # stops at the next "<": linear on any text


@dataclass(frozen=True, slots=True, kw_only=True)
class Extracted:
    """One model as read from one source; absent parts are None."""

    source: SourceRef
    model_id: str
    input_schema: Mapping[str, Any]
    output_schema: Mapping[str, Any] | None
    example_request: Mapping[str, Any] | None


def read_models(
    ref: SourceRef, data: bytes, *, model_id: str | None, diags: Diagnostics
) -> list[Extracted]:
    """Every model in one source file: one from a page or a model JSON file, all of them from
    a catalog listing (``{"models": [...]}``, as ``GET /v1/models?include_schema=true`` gives)."""
    text = _text(ref, data, diags)
    if text is None:
        return []
    if _looks_like_json(text):
        document = jsontext.parse(text, ref, diags, code="I012")
        if document is None:
            return []
    else:
        document = _json_or_none(text)  # a bare JSON scalar, or (mostly) None: a page
    if document is None:
        found = _from_page(ref, text, model_id=model_id, diags=diags)
    elif _is_catalog(document):
        return _from_catalog(ref, document["models"], model_id=model_id, diags=diags)
    else:
        found = _from_json(ref, document, model_id=model_id, diags=diags)
    return [found] if found is not None else []


def read_source(
    ref: SourceRef, data: bytes, *, model_id: str | None, diags: Diagnostics
) -> Extracted | None:
    """The one model of a page or model JSON file; None (with diagnostics) when there is none."""
    found = read_models(ref, data, model_id=model_id, diags=diags)
    return found[0] if len(found) == 1 else None


def _is_catalog(document: Any) -> bool:
    return (
        isinstance(document, dict)
        and isinstance(document.get("models"), list)
        and not {"input_schema", "properties"} & set(document)
    )


def _from_catalog(
    ref: SourceRef, entries: list[Any], *, model_id: str | None, diags: Diagnostics
) -> list[Extracted]:
    if model_id is not None:
        diags.error("I004", "--model-id cannot apply to a catalog listing of several models", ref)
        return []
    found = (
        _from_json(ref.child("models", index), entry, model_id=None, diags=diags)
        for index, entry in enumerate(entries)
    )
    return [item for item in found if item is not None]


def _text(ref: SourceRef, data: bytes, diags: Diagnostics) -> str | None:
    if len(data) > MAX_SOURCE_BYTES:
        diags.error("I001", f"file is larger than {MAX_SOURCE_BYTES} bytes", ref)
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        diags.error("I002", f"file is not UTF-8 text ({error.reason} at byte {error.start})", ref)
        return None


def _looks_like_json(text: str) -> bool:
    """A JSON file (or answer) starts with an object or an array; a saved page does not."""
    return text.lstrip()[:1] in {"{", "["}


def _json_or_none(text: str) -> Any:
    """The strict JSON value of ``text``, or None when it is not strict JSON."""
    try:
        return jsontext.loads(text)
    except jsontext.JsonProblem:
        return None


def _from_json(
    ref: SourceRef, document: Any, *, model_id: str | None, diags: Diagnostics
) -> Extracted | None:
    if not isinstance(document, dict):
        diags.error("I003", "a JSON source must be an object", ref)
        return None
    if "input_schema" not in document:
        if "properties" not in document:
            diags.error(
                "I003", "expected {model_id, input_schema, ...} or a bare input schema", ref
            )
            return None
        document = {"input_schema": document}
    found_id = document.get("model_id")
    if model_id is not None and found_id is not None and found_id != model_id:
        diags.error("I004", f"--model-id {model_id!r} differs from the file's {found_id!r}", ref)
        return None
    chosen = model_id if model_id is not None else found_id
    if chosen is None:
        diags.error("I005", "no model id: the file has no 'model_id'; pass --model-id", ref)
        return None
    parts = {
        key: _maybe_embedded_json(document.get(key))
        for key in ("input_schema", "output_schema", "example_request")
    }
    for key, value in parts.items():
        if value is not None and not isinstance(value, dict):
            diags.error("I003", f"'{key}' must be an object", ref.child(key))
            return None
    unknown = sorted(set(document) - {"model_id", *parts})
    for key in unknown:
        diags.warning("I006", f"unknown top-level key {key!r} is ignored", ref.child(key))
    return Extracted(
        source=ref,
        model_id=chosen,
        input_schema=parts["input_schema"] or {},
        output_schema=parts["output_schema"],
        example_request=parts["example_request"],
    )


def _maybe_embedded_json(value: Any) -> Any:
    """Some APIs send a schema as a JSON string inside the JSON; read it as the object it holds."""
    if isinstance(value, str):
        parsed = _json_or_none(value)
        return parsed if isinstance(parsed, dict) else value
    return value


def _from_page(
    ref: SourceRef, text: str, *, model_id: str | None, diags: Diagnostics
) -> Extracted | None:
    if _HTML_HINT.search(text):
        text = html.unescape(_TAG.sub("", text))
    found_id = _page_model_id(ref, text, diags)
    if model_id is not None and found_id is not None and found_id != model_id:
        diags.error("I004", f"--model-id {model_id!r} differs from the page's {found_id!r}", ref)
        return None
    chosen = model_id or found_id
    several_ids = any(d.code == "I009" and d.source == ref for d in diags)
    blocks = _classify(text, ref, diags)
    inputs = _distinct(blocks["input"])
    outputs = _distinct(blocks["output"])
    examples = _distinct(blocks["example"])
    if chosen is None and not several_ids:
        diags.error("I005", "no model id found (no /v1/models/<id> URL); pass --model-id", ref)
    if len(inputs) != 1:
        unclosed = _unclosed_object(text) if not inputs else None
        cut_off = (
            f"; the JSON object at {unclosed} never closes (is the page cut off?)"
            if unclosed
            else ""
        )
        diags.error(
            "I007", f"expected one input schema on the page, found {len(inputs)}{cut_off}", ref
        )
    for label, found in (("output schema", outputs), ("example request body", examples)):
        if len(found) > 1:
            diags.error("I008", f"the page shows {len(found)} different {label}s", ref)
    if chosen is None or len(inputs) != 1 or len(outputs) > 1 or len(examples) > 1:
        return None
    return Extracted(
        source=ref,
        model_id=chosen,
        input_schema=inputs[0],
        output_schema=outputs[0] if outputs else None,
        example_request=examples[0] if examples else None,
    )


def _page_model_id(ref: SourceRef, text: str, diags: Diagnostics) -> str | None:
    ids = sorted({match["id"].rstrip("/.,;") for match in _MODEL_URL.finditer(text)})
    if len(ids) > 1:
        diags.error("I009", f"the page names several model ids: {', '.join(ids)}", ref)
        return None
    return ids[0] if ids else None


def _classify(text: str, ref: SourceRef, diags: Diagnostics) -> dict[str, list[dict[str, Any]]]:
    """Sort the page's top-level JSON objects into input schemas, outputs and examples.

    An output schema is usually wrapped as ``{"output": ...}``; a bare one is recognised by
    its shape (every property a URL or a list of URLs) when the page has another schema.
    """
    blocks: dict[str, list[dict[str, Any]]] = {"input": [], "output": [], "example": []}
    for start, value in _json_objects(text, ref, diags):
        if _DATA_FLAG.search(text[max(0, start - 40) : start]):
            blocks["example"].append(value)
        elif set(value) == {"output"} and isinstance(value["output"], dict):
            blocks["output"].append(value)
        elif isinstance(value.get("properties"), dict):
            blocks["input"].append(value)
    bare_outputs = [value for value in blocks["input"] if _only_urls(value)]
    if bare_outputs and len(bare_outputs) < len(blocks["input"]):
        blocks["output"] += bare_outputs
        blocks["input"] = [value for value in blocks["input"] if not _only_urls(value)]
    return blocks


def _only_urls(schema: dict[str, Any]) -> bool:
    properties = schema["properties"]
    return bool(properties) and all(_is_url_schema(prop) for prop in properties.values())


def _is_url_schema(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    if schema.get("type") == "array":
        return _is_url_schema(schema.get("items"))
    return schema.get("type") == "string" and schema.get("format") in {"uri", "url"}


def _json_objects(
    text: str, ref: SourceRef, diags: Diagnostics, *, offset: int = 0, level: int = 0
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Every top-level JSON object embedded in free text, with its offset, in linear time.

    A span that is no JSON (prose such as "use {braces}", or a stray "{" before the real
    objects) is searched again inside, at most ``_MAX_RESCANS`` levels deep, so that no
    text is scanned more than a few times whatever it holds.
    """
    for span in jsontext.objects_in(text):
        end = span.end if span.end is not None else len(text)
        try:
            value = jsontext.loads(text[span.start : end]) if span.end is not None else None
        except jsontext.JsonProblem as problem:
            value = None
            if _strictness(problem) and level == 0:
                where = jsontext.position(text, span.start)
                diags.error("I012", f"the JSON object at {where}: {problem}", ref)
        if isinstance(value, dict):
            yield offset + span.start, value
        elif level < _MAX_RESCANS:
            inner = text[span.start + 1 : end]
            yield from _json_objects(
                inner, ref, diags, offset=offset + span.start + 1, level=level + 1
            )


_MAX_RESCANS = 2


def _strictness(problem: jsontext.JsonProblem) -> bool:
    """A problem of JSON that parses (duplicates, NaN, depth), not of prose that is no JSON."""
    return not str(problem).startswith("not valid JSON")


def _unclosed_object(text: str) -> str | None:
    """Where a top-level object starts that never closes (a page cut off inside it)."""
    for span in jsontext.objects_in(text):
        if span.end is None:
            return jsontext.position(text, span.start)
    return None


def _distinct(values: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for value in values:
        seen.setdefault(json.dumps(value, sort_keys=True), value)
    return list(seen.values())
