"""Extracting model id, schemas and example body from saved pages and JSON files."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pytest

from generator import canonical
from generator.diagnostics import Diagnostics, SourceRef
from generator.sources import MAX_SOURCE_BYTES, Extracted, read_source
from tests.helpers import REPO

# The saved API pages the project started from live beside the repository.
SEEDS = REPO / "tests" / "fixtures" / "seed_pages"
WAN22 = "community/wan-2-2/first-last-frame"
FUSIONX = "community/wan-2-1/fusionx/image-to-video"
WAN26 = "wan-ai/wan-2-6/image-to-image"
OUTPUT_PROPERTIES = {"image", "video", "images", "videos"}
# seed prefix → (model id, number of input properties, example body keys)
SEED_FACTS: dict[str, tuple[str, int, set[str]]] = {
    "000": (WAN22, 10, {"62_image", "6_text", "68_image"}),
    "001": (WAN22, 10, {"62_image", "6_text", "68_image"}),
    "002": (WAN22, 10, {"62_image", "6_text", "68_image"}),
    "003": (FUSIONX, 9, {"600_prompt", "608_image"}),
    "004": (WAN26, 6, {"prompt", "image_urls"}),
}
needs_seeds = pytest.mark.skipif(
    not any(SEEDS.glob("0*.txt")), reason="seed pages not found beside the repository"
)

PAGE = """\
Use RunComfy's API to run acme/model.
curl --request POST \\
  --url https://model-api.runcomfy.net/v1/models/acme/model \\
  --data '{"prompt": "a cat"}'
Input schema
{"type": "object", "properties": {"prompt": {"type": "string"}}}
Output schema
{"output": {"type": "object", "properties": {"image": {"type": "string"}}}}
"""


def seed_page(prefix: str) -> Path:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


def read(data: str | bytes, model_id: str | None = None) -> tuple[Extracted | None, Diagnostics]:
    diags = Diagnostics()
    raw = data.encode() if isinstance(data, str) else data
    return read_source(SourceRef("source.txt"), raw, model_id=model_id, diags=diags), diags


def codes(diags: Diagnostics) -> set[str]:
    return {item.code for item in diags}


def canonical_text(found: Extracted) -> str:
    assert found.output_schema is not None
    return canonical.dumps(
        canonical.canonical_document(
            model_id=found.model_id,
            input_schema=found.input_schema,
            output_schema=found.output_schema,
            example_request=found.example_request,
        )
    )


# --- the seed pages -----------------------------------------------------------------------


@needs_seeds
@pytest.mark.parametrize("prefix", sorted(SEED_FACTS))
def test_seed_page_yields_model_schemas_and_example(prefix: str) -> None:
    model_id, property_count, example_keys = SEED_FACTS[prefix]
    found, diags = read(seed_page(prefix).read_bytes())
    assert list(diags) == []
    assert found is not None
    assert found.model_id == model_id
    assert found.input_schema["type"] == "object"
    assert len(found.input_schema["properties"]) == property_count
    assert set(found.input_schema["required"]) == example_keys
    assert found.output_schema is not None
    assert set(found.output_schema) == {"output"}
    assert set(found.output_schema["output"]["properties"]) == OUTPUT_PROPERTIES
    assert found.example_request is not None
    assert set(found.example_request) == example_keys


@needs_seeds
def test_wan26_page_keeps_its_validations_and_example_urls() -> None:
    found, _ = read(seed_page("004").read_bytes())
    assert found is not None and found.example_request is not None
    image_urls = found.input_schema["properties"]["image_urls"]
    assert image_urls["items"] == {"type": "string", "format": "image_uri"}
    assert len(image_urls["validations"]) == 5
    assert found.example_request["image_urls"] == image_urls["default"]


@needs_seeds
def test_the_three_wan22_pages_give_identical_canonical_documents() -> None:
    texts = []
    for prefix in ("000", "001", "002"):
        found, _ = read(seed_page(prefix).read_bytes())
        assert found is not None
        texts.append(canonical_text(found))
    assert texts[0] == texts[1] == texts[2]
    assert '"title": "Start Image"' in texts[0]


@needs_seeds
@pytest.mark.parametrize("prefix", sorted(SEED_FACTS))
def test_html_wrapped_seed_page_still_works(prefix: str) -> None:
    text = seed_page(prefix).read_text(encoding="utf-8")
    wrapped = f"<html><body><pre>{html.escape(text)}</pre></body></html>"
    plain, _ = read(text)
    found, diags = read(wrapped)
    assert list(diags) == []
    assert found is not None and plain is not None
    assert canonical_text(found) == canonical_text(plain)


@needs_seeds
def test_seed_page_with_windows_line_endings_and_bom_still_works() -> None:
    text = seed_page("001").read_text(encoding="utf-8")
    found, diags = read(text.replace("\n", "\r\n").encode("utf-8-sig"))
    plain, _ = read(text)
    assert list(diags) == []
    assert found is not None and plain is not None
    assert canonical_text(found) == canonical_text(plain)


# --- synthetic pages ----------------------------------------------------------------------


def test_minimal_page() -> None:
    found, diags = read(PAGE)
    assert list(diags) == []
    assert found is not None
    assert found.model_id == "acme/model"
    assert found.input_schema == {"type": "object", "properties": {"prompt": {"type": "string"}}}
    assert found.example_request == {"prompt": "a cat"}
    assert found.output_schema == {
        "output": {"type": "object", "properties": {"image": {"type": "string"}}}
    }


@pytest.mark.parametrize(
    "flag", ["--data '", "--data-raw '", "--data-binary '", "-d '", '--data "', "--data='"]
)
def test_every_curl_data_flag_marks_the_example_body(flag: str) -> None:
    body = '{"prompt": "a cat", "properties": {"x": 1}}'
    page = PAGE.replace("""--data '{"prompt": "a cat"}'""", f"{flag}{body}'")
    found, diags = read(page)
    assert list(diags) == []
    assert found is not None
    assert found.example_request == json.loads(body)


def test_page_without_example_or_output_has_none() -> None:
    page = '/v1/models/acme/model\n{"type": "object", "properties": {"a": {}}}'
    found, diags = read(page)
    assert list(diags) == []
    assert found is not None
    assert found.example_request is None
    assert found.output_schema is None


def test_repeated_identical_blocks_count_once() -> None:
    page = PAGE + PAGE.replace("Use RunComfy's API", "Again")
    found, diags = read(page)
    assert list(diags) == []
    assert found is not None


def test_page_with_no_schema() -> None:
    found, diags = read("curl https://model-api.runcomfy.net/v1/models/acme/model")
    assert found is None
    assert codes(diags) == {"I007"}


def test_page_with_two_different_input_schemas() -> None:
    page = PAGE + '{"type": "object", "properties": {"seed": {"type": "integer"}}}'
    found, diags = read(page)
    assert found is None
    assert codes(diags) == {"I007"}
    assert "found 2" in next(iter(diags)).message


def test_page_with_two_different_output_schemas() -> None:
    found, diags = read(PAGE + '{"output": {"type": "object", "properties": {}}}')
    assert found is None
    assert codes(diags) == {"I008"}


def test_page_with_two_different_example_bodies() -> None:
    found, diags = read(PAGE + 'curl --data \'{"prompt": "a dog"}\'')
    assert found is None
    assert codes(diags) == {"I008"}


def test_page_with_two_different_model_ids() -> None:
    page = PAGE + "curl https://model-api.runcomfy.net/v1/models/acme/other"
    found, diags = read(page)
    assert found is None
    assert "I009" in codes(diags)
    assert diags.has_errors
    assert any("acme/model, acme/other" in item.message for item in diags)


def test_page_with_two_model_ids_reports_only_that() -> None:
    _, diags = read(PAGE + "curl https://model-api.runcomfy.net/v1/models/acme/other")
    assert codes(diags) == {"I009"}


def test_page_without_model_id_needs_one_from_the_command_line() -> None:
    page = PAGE.replace("/v1/models/acme/model", "/v2/things")
    found, diags = read(page)
    assert found is None
    assert codes(diags) == {"I005"}
    found, diags = read(page, model_id="acme/given")
    assert list(diags) == []
    assert found is not None and found.model_id == "acme/given"


def test_page_model_id_that_differs_from_the_command_line() -> None:
    found, diags = read(PAGE, model_id="acme/other")
    assert found is None
    assert codes(diags) == {"I004"}
    found, diags = read(PAGE, model_id="acme/model")
    assert found is not None and list(diags) == []


@pytest.mark.parametrize("after", ["。次へ", ")", "`", "」"])
def test_model_id_url_followed_by_punctuation(after: str) -> None:
    page = PAGE.replace("/v1/models/acme/model \\", f"/v1/models/acme/model{after} \\")
    found, _ = read(page)
    assert found is not None
    assert found.model_id == "acme/model"


def test_text_run_together_without_line_breaks() -> None:
    found, diags = read(PAGE.replace("\n", ""))
    assert list(diags) == []
    assert found is not None
    assert found.example_request == {"prompt": "a cat"}


def test_file_that_is_not_utf8() -> None:
    found, diags = read(b"\xff\xfe\x00garbage")
    assert found is None
    assert codes(diags) == {"I002"}


def test_file_that_is_too_large() -> None:
    found, diags = read(b" " * (MAX_SOURCE_BYTES + 1))
    assert found is None
    assert codes(diags) == {"I001"}


# --- JSON sources -------------------------------------------------------------------------

INPUT_SCHEMA: dict[str, Any] = {"type": "object", "properties": {"prompt": {"type": "string"}}}


def test_wrapped_json_source() -> None:
    document = {
        "model_id": "acme/model",
        "input_schema": INPUT_SCHEMA,
        "output_schema": {"type": "object", "properties": {}},
        "example_request": {"prompt": "x"},
    }
    found, diags = read(json.dumps(document))
    assert list(diags) == []
    assert found is not None
    assert found.model_id == "acme/model"
    assert found.input_schema == INPUT_SCHEMA
    assert found.output_schema == {"type": "object", "properties": {}}
    assert found.example_request == {"prompt": "x"}


def test_wrapped_json_source_with_matching_model_id_option() -> None:
    document = {"model_id": "acme/model", "input_schema": INPUT_SCHEMA}
    found, diags = read(json.dumps(document), model_id="acme/model")
    assert list(diags) == []
    assert found is not None
    assert found.output_schema is None and found.example_request is None


def test_json_source_with_a_byte_order_mark() -> None:
    document = {"model_id": "acme/model", "input_schema": INPUT_SCHEMA}
    found, diags = read(json.dumps(document).encode("utf-8-sig"))
    assert list(diags) == []
    assert found is not None and found.model_id == "acme/model"


def test_bare_input_schema_with_model_id_option() -> None:
    found, diags = read(json.dumps(INPUT_SCHEMA), model_id="acme/bare")
    assert list(diags) == []
    assert found is not None
    assert found.model_id == "acme/bare"
    assert found.input_schema == INPUT_SCHEMA


def test_bare_input_schema_without_model_id_is_an_error() -> None:
    found, diags = read(json.dumps(INPUT_SCHEMA))
    assert found is None
    assert codes(diags) == {"I005"}


def test_json_model_id_mismatch_is_an_error() -> None:
    document = {"model_id": "acme/model", "input_schema": INPUT_SCHEMA}
    found, diags = read(json.dumps(document), model_id="acme/other")
    assert found is None
    assert codes(diags) == {"I004"}


@pytest.mark.parametrize(
    "document",
    [[1, 2], "text", {"model_id": "acme/model"}, {"model_id": "acme/model", "input_schema": []}],
)
def test_json_of_the_wrong_shape(document: Any) -> None:
    found, diags = read(json.dumps(document))
    assert found is None
    assert codes(diags) == {"I003"}


def test_unknown_top_level_json_keys_are_warned_about() -> None:
    document = {"model_id": "acme/model", "input_schema": INPUT_SCHEMA, "extra": 1}
    found, diags = read(json.dumps(document))
    assert found is not None
    assert codes(diags) == {"I006"}
    assert not diags.has_errors
    assert next(iter(diags)).source == SourceRef("source.txt", "/extra")
