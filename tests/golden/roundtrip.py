"""Import a generated tree and check it against its schemas (run in a subprocess).

Usage: python roundtrip.py TREE SCHEMAS_DIR. Every generated package is called
``runcomfy_sdk``, so each tree is checked in a fresh interpreter. Checks, per model: the
aliases are exactly the wire keys, titles/enums/defaults/constraints are the schema's
(so escaping round-trips through real Python), descriptions survive, and the example
body validates and dumps back unchanged.
"""

from __future__ import annotations

import json
import sys
import typing
from pathlib import Path
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError


def main(tree: str, schemas: str) -> None:
    sys.path.insert(0, tree)
    from runcomfy_sdk import MODELS

    for model_id, info in MODELS.items():
        document = json.loads((Path(schemas) / f"{model_id}.json").read_text(encoding="utf-8"))
        request, output = info.request_type(), info.output_type()
        assert request.model_id == model_id, (request.model_id, model_id)
        check_inputs(request, document["input_schema"])
        check_params(request)
        check_outputs(output, document["output_schema"])
        example = document.get("example_request")
        if example:
            assert request.model_validate(example).to_body() == example, model_id
        print(
            f"ok {model_id}: {len(request.model_fields)} inputs, {len(output.model_fields)} outputs"
        )


def check_inputs(request: Any, schema: dict[str, Any]) -> None:
    properties = schema["properties"]
    by_key = {field.alias or name: (name, field) for name, field in request.model_fields.items()}
    assert set(by_key) == set(properties), (sorted(by_key), sorted(properties))
    required = set(schema.get("required", []))
    for key, prop in properties.items():
        name, field = by_key[key]
        where = f"{request.__name__}.{name} ({key!r})"
        assert field.is_required() == (key in required), where
        assert field.title == prop.get("title"), (where, field.title, prop.get("title"))
        if prop.get("description"):
            assert squash(prop["description"]) in squash(field.description or ""), where
        if "enum" in prop and enforceable(prop["enum"]):
            members = list(dict.fromkeys(v for v in prop["enum"] if v is not None))
            assert list(literal_values(field.annotation)) == members, where
        given = prop.get("default")
        if given is not None and key not in required and field.default != given:
            # Only a default that contradicts its own field may be left out (warning G011).
            assert field.default is None, (where, field.default, given)
            assert not accepts(field, given), (where, given)


def check_params(request: Any) -> None:
    """The parameters ``TypedDict`` lists the request's fields, required where they are."""
    module = sys.modules[request.__module__]
    params = getattr(module, request.__name__.removesuffix("Request") + "Params")
    hints = typing.get_type_hints(params, include_extras=True)
    assert list(hints) == list(request.model_fields), (list(hints), list(request.model_fields))
    required = {name for name, hint in hints.items() if typing.get_origin(hint) is typing.Required}
    expected = {name for name, field in request.model_fields.items() if field.is_required()}
    assert required == expected, (sorted(required), sorted(expected))


def check_outputs(output: Any, schema: dict[str, Any]) -> None:
    keys = {field.alias or name for name, field in output.model_fields.items()}
    assert keys == set(schema.get("properties", {})), (sorted(keys), schema)
    unlisted = {"unlisted_output_key": "https://example.com/a.wav"}
    assert output.model_validate(unlisted).model_extra == unlisted


def accepts(field: Any, value: Any) -> bool:
    """Whether the field's type and constraints take ``value`` as it is (strict mode)."""
    adapter = TypeAdapter(Annotated[field.annotation, *field.metadata])
    try:
        adapter.validate_python(value, strict=True)
    except ValidationError:
        return False
    return True


def enforceable(values: list[Any]) -> bool:
    """Whether the generator spells this enum as a Literal (one JSON kind, no fractions)."""
    members = [v for v in values if v is not None]
    kinds = {type(v) for v in members}
    fractional = any(isinstance(v, float) and not v.is_integer() for v in members)
    return len(kinds) == 1 and not fractional


def literal_values(annotation: Any) -> tuple[Any, ...]:
    for arg in typing.get_args(annotation) or ():
        found = literal_values(arg)
        if found:
            return found
    if typing.get_origin(annotation) is typing.Literal:
        return typing.get_args(annotation)
    return ()


def squash(text: str) -> str:
    return " ".join(text.split())


if __name__ == "__main__":
    main(*sys.argv[1:3])
