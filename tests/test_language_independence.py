"""The same model saved from pages in different languages gets the same public names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.diagnostics import Diagnostics, SourceRef
from generator.ingest import Overrides, SchemaFile, ingest_sources
from generator.lock import dumps, lock_of
from generator.normalize import build_package
from tests.helpers import REPO

PAGES = REPO / "tests" / "fixtures" / "seed_pages"
FLF_PAGES = ["000_0ea6c20e3b549bd0.txt", "001_8061a351021e3f57.txt", "002_1133309970ffa046.txt"]
ENGLISH_TITLES = {
    "image_size": "Aspect Ratio (W:H)",
    "image_urls": "Reference Images",
    "negative_prompt": "Negative Prompt",
    "prompt": "Prompt",
    "prompt_extend": "Magic Prompt",
    "seed": "Seed",
}


def names_of(files: list[SchemaFile]) -> str:
    diags = Diagnostics()
    overrides = Overrides(names={}, ref=SourceRef("schemas/overrides.toml"))
    package = build_package(files, overrides=overrides, package_name="sdk", diags=diags)
    assert not diags.has_errors
    return dumps(lock_of(package))


def ingested(name: str, data: bytes) -> list[SchemaFile]:
    diags = Diagnostics()
    files = ingest_sources([(name, data)], model_id=None, diags=diags)
    assert files and not diags.has_errors
    return files


@pytest.mark.parametrize("page", FLF_PAGES[1:])
def test_first_last_frame_pages_in_three_languages_give_the_same_names(page: str) -> None:
    japanese = names_of(ingested(FLF_PAGES[0], (PAGES / FLF_PAGES[0]).read_bytes()))
    assert names_of(ingested(page, (PAGES / page).read_bytes())) == japanese


def test_a_japanese_and_an_english_page_of_wan_2_6_give_the_same_names(tmp_path: Path) -> None:
    (japanese_file,) = ingested("004.txt", (PAGES / "004_cb9c59b032035429.txt").read_bytes())
    document = json.loads(json.dumps(japanese_file.document))
    for key, schema in document["input_schema"]["properties"].items():
        schema["title"] = ENGLISH_TITLES[key]
    english = ingested("english.json", json.dumps(document).encode())
    assert english[0].document != japanese_file.document  # the titles really differ
    assert names_of(english) == names_of([japanese_file])
    assert '"image_urls": "image_urls"' in names_of(english)
    assert '"prompt_extend": "prompt_extend"' in names_of(english)


def test_a_translated_page_of_a_locked_model_keeps_the_locked_names() -> None:
    """Titles name node-prefixed keys; once locked, a page in another language changes nothing."""
    (english,) = ingested("001.txt", (PAGES / FLF_PAGES[1]).read_bytes())
    diags = Diagnostics()
    overrides = Overrides(names={}, ref=SourceRef("schemas/overrides.toml"))
    first = build_package([english], overrides=overrides, package_name="sdk", diags=diags)
    document = json.loads(json.dumps(english.document))
    for schema in document["input_schema"]["properties"].values():
        schema["title"] = "日本語のタイトル"
    (translated,) = ingested("translated.json", json.dumps(document).encode())
    second = build_package(
        [translated], overrides=overrides, lock=lock_of(first), package_name="sdk", diags=diags
    )
    assert not diags.has_errors
    assert dumps(lock_of(second)) == dumps(lock_of(first))
    assert "start_image" in dumps(lock_of(second))
