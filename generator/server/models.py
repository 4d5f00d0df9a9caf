"""The models the server serves, read from a schemas directory of canonical model files.

Every ``**/*.json`` file under the directory with a ``model_id`` is one model; other files
(``overrides.toml``, notes) are not models. Each model keeps its schemas as written, for the
catalog, and a validator for submit bodies built from the input schema.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from .validation import build_validator

logger = logging.getLogger(__name__)


class ModelLoadError(Exception):
    """The schemas directory cannot be served; the message names the file and the problem."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ServedModel:
    """One model as the server knows it; the schema mappings are read-only by convention."""

    model_id: str
    input_schema: Mapping[str, Any]
    output_schema: Mapping[str, Any]
    example_request: Mapping[str, Any]
    validator: Draft202012Validator
    source: Path


def load_models(schemas_dir: Path) -> dict[str, ServedModel]:
    """Every model under ``schemas_dir``, keyed and ordered by model id."""
    if not schemas_dir.is_dir():
        raise ModelLoadError(f"{schemas_dir}: not a directory of model schemas")
    models: dict[str, ServedModel] = {}
    for path in sorted(schemas_dir.rglob("*.json")):
        model = _load_model(path)
        if model is None:
            continue
        if model.model_id in models:
            first = models[model.model_id].source
            raise ModelLoadError(f"{path}: model id {model.model_id!r} is also defined in {first}")
        models[model.model_id] = model
    return dict(sorted(models.items()))


def _load_model(path: Path) -> ServedModel | None:
    document = _read_json(path)
    if not isinstance(document, dict) or "model_id" not in document:
        logger.warning("%s: no model_id, so not served as a model", path)
        return None
    model_id = document["model_id"]
    input_schema = document.get("input_schema")
    output_schema = document.get("output_schema", {"type": "object", "properties": {}})
    if not isinstance(model_id, str) or not model_id.strip("/"):
        raise ModelLoadError(f"{path}: model_id must be a non-empty string")
    if not isinstance(input_schema, dict) or not isinstance(output_schema, dict):
        raise ModelLoadError(f"{path}: input_schema and output_schema must be JSON objects")
    try:
        validator = build_validator(input_schema)
    except SchemaError as error:
        raise ModelLoadError(f"{path}: input_schema is not valid: {error.message}") from error
    example = document.get("example_request", {})
    return ServedModel(
        model_id=model_id,
        input_schema=input_schema,
        output_schema=output_schema,
        example_request=example if isinstance(example, dict) else {},
        validator=validator,
        source=path,
    )


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelLoadError(f"{path}: cannot read JSON: {error}") from error
