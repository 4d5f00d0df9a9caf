"""Ingest: sources merge into one canonical file per model, and disagreements are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import canonical
from generator.diagnostics import Diagnostics, format_diagnostic
from generator.ingest import ingest_sources, load_schemas
from tests.helpers import REPO

PAGES = REPO / "tests" / "fixtures" / "seed_pages"
ENGLISH_PAGE = PAGES / "001_8061a351021e3f57.txt"


def wrapped(model_id: str, **input_overrides: object) -> bytes:
    properties: dict[str, object] = {"prompt": {"type": "string", "title": "Prompt"}}
    properties.update(input_overrides)
    document = {
        "model_id": model_id,
        "input_schema": {"type": "object", "required": ["prompt"], "properties": properties},
    }
    return json.dumps(document).encode()


def ingest(
    *sources: tuple[str, bytes], model_id: str | None = None
) -> tuple[list[str], Diagnostics]:
    diags = Diagnostics()
    files = ingest_sources(list(sources), model_id=model_id, diags=diags)
    return [file.path.as_posix() for file in files], diags


def test_two_sources_that_disagree_name_both_files_and_the_json_path() -> None:
    page = ENGLISH_PAGE.read_text(encoding="utf-8")
    edited = page.replace('"maximum": 20', '"maximum": 25', 1)
    assert edited != page
    paths, diags = ingest(("en.txt", page.encode()), ("edited.txt", edited.encode()))
    assert paths == []
    (error,) = diags.errors()
    text = format_diagnostic(error)
    assert error.code == "I011"
    assert "en.txt" in text and "edited.txt" in text
    assert "/input_schema/properties/57_steps/maximum" in text
    assert "20" in text and "25" in text


def test_sources_that_agree_merge_and_fill_each_others_gaps() -> None:
    page = ENGLISH_PAGE.read_bytes()
    bare_schema = json.dumps(
        json.loads(
            (REPO / "schemas" / "community" / "wan-2-2" / "first-last-frame.json").read_text()
        )["input_schema"]
    ).encode()
    paths, diags = ingest(
        ("page.txt", page),
        ("bare.json", bare_schema),
        model_id="community/wan-2-2/first-last-frame",
    )
    assert not diags.has_errors, [format_diagnostic(d) for d in diags]
    assert paths == ["community/wan-2-2/first-last-frame.json"]


def test_json_source_without_output_schema_gets_the_standard_one() -> None:
    diags = Diagnostics()
    (file,) = ingest_sources([("m.json", wrapped("acme/model"))], model_id=None, diags=diags)
    assert set(file.document["output_schema"]["properties"]) == {
        "image",
        "video",
        "images",
        "videos",
    }


@pytest.mark.parametrize(
    "model_id",
    [
        "../escape",
        "/etc/passwd",
        "a/../../b",
        "a//b",
        "C:/windows",
        "a\\b",
        "bad id/x",
        "x/.hidden",
        "",
    ],
)
def test_unsafe_model_ids_are_refused_before_any_path_is_built(model_id: str) -> None:
    paths, diags = ingest(("m.json", wrapped(model_id)), model_id=None)
    assert paths == []
    assert diags.has_errors
    assert any(d.code in {"I005", "I010"} for d in diags.errors())


def test_a_file_at_the_wrong_path_is_an_error(tmp_path: Path) -> None:
    target = tmp_path / "acme" / "other.json"
    target.parent.mkdir(parents=True)
    diags = Diagnostics()
    (file,) = ingest_sources([("m.json", wrapped("acme/model"))], model_id=None, diags=diags)
    target.write_text(json.dumps(file.document))
    assert load_schemas(tmp_path, diags, shown_as="schemas") == []
    assert [d.code for d in diags.errors()] == ["S004"]


def test_a_catalog_listing_ingests_every_model_it_lists() -> None:
    """The local server's ``GET /v1/models?include_schema=true`` goes back to the same schemas."""
    import httpx

    from generator.server import running_server

    with running_server(REPO / "schemas") as server:
        listing = httpx.get(
            f"{server.base_url}/v1/models",
            params={"include_schema": "true", "limit": 100},
            headers={"Authorization": f"Bearer {server.token}"},
        ).content
    diags = Diagnostics()
    files = ingest_sources([("catalog.json", listing)], model_id=None, diags=diags)
    assert not diags.has_errors, [format_diagnostic(d) for d in diags]
    assert len(files) == 3
    for file in files:
        committed = json.loads((REPO / "schemas" / file.path).read_text(encoding="utf-8"))
        assert file.document["input_schema"] == committed["input_schema"]
        assert file.document["output_schema"] == committed["output_schema"]


def test_a_schema_sent_as_a_json_string_is_read_as_the_object_it_holds() -> None:
    document = json.loads(wrapped("acme/model"))
    document["input_schema"] = json.dumps(document["input_schema"])
    diags = Diagnostics()
    (file,) = ingest_sources(
        [("m.json", json.dumps(document).encode())], model_id=None, diags=diags
    )
    assert not diags.has_errors
    assert set(file.document["input_schema"]["properties"]) == {"prompt"}


def test_a_page_whose_output_schema_is_not_wrapped_still_separates_input_and_output() -> None:
    page = ENGLISH_PAGE.read_text(encoding="utf-8")
    start = page.index('{\n  "output"')
    end = page.index("RunComfy\nCopyright")
    wrapped_output = json.loads(page[start:end])
    bare = page[:start] + json.dumps(wrapped_output["output"], indent=2) + "\n" + page[end:]
    diags = Diagnostics()
    files = ingest_sources([("bare.txt", bare.encode())], model_id=None, diags=diags)
    assert not diags.has_errors, [format_diagnostic(d) for d in diags]
    committed = REPO / "schemas" / "community" / "wan-2-2" / "first-last-frame.json"
    assert [canonical.dumps(f.document) for f in files] == [committed.read_text(encoding="utf-8")]
