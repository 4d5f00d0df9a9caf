"""Property test: whatever a schema file holds, generation reports or renders — never crashes.

Random property schemas (plausible keywords with values of any JSON type, keys of any
text) go through the whole pipeline. Either diagnostics with errors stop it (and nothing is
rendered), or every rendered Python file compiles.
"""

from __future__ import annotations

import importlib
import itertools
import json
import os
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.diagnostics import format_diagnostic
from generator.emit import write_tree
from generator.pipeline import generate
from tests.helpers import config_for

_PACKAGE_NUMBERS = itertools.count()

KEYWORDS = [
    "type", "title", "description", "default", "enum", "format", "items", "minimum", "maximum",
    "exclusiveMinimum", "multipleOf", "minLength", "maxLength", "pattern", "minItems", "maxItems",
    "validations", "x-extra",
]  # fmt: skip
TYPES = st.sampled_from(
    ["string", "integer", "number", "float", "boolean", "array", "object", "null", "file"]
)
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=12),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
KEYS = st.one_of(
    st.text(min_size=1, max_size=16),
    st.from_regex(r"[0-9]{1,3}_[a-z_]{1,10}", fullmatch=True),
    st.from_regex(r"[0-9]{1,2}_widthx[0-9]{1,2}_height", fullmatch=True),
    st.sampled_from(
        ["class", "type", "json", "model_config", "timeout", "self", "_private", "__init__"]
    ),
)


@st.composite
def property_schema(draw: st.DrawFn) -> dict[str, Any]:
    schema: dict[str, Any] = {}
    if draw(st.booleans()):
        schema["type"] = draw(TYPES | st.lists(TYPES, min_size=1, max_size=2))
    for keyword in draw(st.lists(st.sampled_from(KEYWORDS), max_size=5, unique=True)):
        if keyword == "enum":
            schema["enum"] = draw(st.lists(JSON_SCALARS, min_size=1, max_size=4))
        elif keyword == "format":
            schema["format"] = draw(
                st.sampled_from(["image_uri", "video_uris", "uri", "date", "audio_uri"])
            )
        elif keyword == "items":
            schema["items"] = {"type": draw(TYPES)}
        elif keyword == "validations":
            schema["validations"] = [
                {
                    "validation_rule": draw(st.text(min_size=1, max_size=8)),
                    "validation_value": draw(JSON_SCALARS),
                }
            ]
        elif keyword != "type":
            schema[keyword] = draw(JSON_VALUES)
    return schema


@settings(
    # The long profile (``make fuzz``) raises this; ``make test`` runs the fast one.
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    properties=st.dictionaries(KEYS, property_schema(), min_size=1, max_size=5),
    required=st.lists(KEYS, max_size=3),
)
def test_generation_never_crashes_and_renders_only_valid_python(
    tmp_path_factory: Any, properties: dict[str, Any], required: list[str]
) -> None:
    schemas = tmp_path_factory.mktemp("schemas")
    document = {
        "model_id": "acme/fuzz",
        "input_schema": {"type": "object", "required": required, "properties": properties},
        "output_schema": {"type": "object", "properties": {"video": {"type": "string"}}},
    }
    target = schemas / "acme" / "fuzz.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(document), encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    package = f"fuzz_sdk_{next(_PACKAGE_NUMBERS)}"
    result = generate(config_for(schemas, out, package=package))
    for diagnostic in result.diagnostics:
        text = format_diagnostic(diagnostic)
        assert text.startswith("schemas/acme/fuzz.json"), text
    if result.files is None:
        assert result.diagnostics.has_errors
        return
    for path, text in result.files.items():
        if path.suffix == ".py":
            compile(text, str(path), "exec")
    write_tree(result.files, out / package)
    _import_and_exercise(out, package)


def _import_and_exercise(root: Path, package: str) -> None:
    """Import the generated model and resource modules; build the JSON schema of each class."""
    sys.path.insert(0, str(root))
    try:
        models = importlib.import_module(f"{package}.models.acme_fuzz")
        importlib.import_module(f"{package}.resources.acme_fuzz")
        for name in ("AcmeFuzzRequest", "AcmeFuzzOutput"):
            getattr(models, name).model_json_schema()
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]
