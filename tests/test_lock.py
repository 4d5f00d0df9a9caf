"""The name lock file: its format round-trips, and a broken lock is a located error."""

from __future__ import annotations

import tomllib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.diagnostics import Diagnostics, format_diagnostic
from generator.ingest import toml_string
from generator.lock import LOCK_FILE, ModelLock, NameLock, dumps, load_lock, read_lock

NAME = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
KEY = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(text=KEY)
def test_any_text_is_spelled_as_a_toml_string_that_reads_back(text: str) -> None:
    """Diagnostics tell users what to write in overrides.toml: it must be valid TOML."""
    assert tomllib.loads(f"x = {toml_string(text)}")["x"] == text


@settings(max_examples=100, deadline=None)
@given(
    fields=st.dictionaries(KEY, NAME, max_size=6),
    model_id=st.from_regex(r"[a-z0-9]+(/[a-z0-9._-]+){0,2}", fullmatch=True),
)
def test_a_lock_reads_back_as_it_was_written(fields: dict[str, str], model_id: str) -> None:
    lock = NameLock(
        models={
            model_id: ModelLock(
                module="acme_model",
                class_base="AcmeModel",
                accessor=("acme", "model"),
                fields=fields,
                output_fields={"video": "video"},
            )
        },
        namespaces={"acme": "AcmeNamespace"},
    )
    diags = Diagnostics()
    again = read_lock(dumps(lock).encode(), diags, shown_as=LOCK_FILE)
    assert list(diags) == []
    assert dict(again.models[model_id].fields) == fields
    assert again.models[model_id].accessor == ("acme", "model")
    assert dumps(again) == dumps(lock)


def test_a_missing_lock_is_empty(tmp_path: Path) -> None:
    diags = Diagnostics()
    assert load_lock(tmp_path / LOCK_FILE, diags, shown_as=LOCK_FILE).models == {}
    assert list(diags) == []


def diagnostics_of(text: str) -> list[str]:
    diags = Diagnostics()
    read_lock(text.encode(), diags, shown_as="schemas/names.lock")
    return [format_diagnostic(d) for d in diags]


def test_a_lock_that_is_no_json_is_an_error_with_its_position() -> None:
    (message,) = diagnostics_of('{"version": 1,\n  "models": }')
    assert message == (
        "schemas/names.lock: error[L001]: lock file is not valid JSON: "
        "Expecting value (line 2, column 13)"
    )


def test_a_repeated_key_is_an_error() -> None:
    (message,) = diagnostics_of('{"version": 1, "version": 1}')
    assert "repeats the key 'version'" in message


def test_an_unknown_version_is_an_error() -> None:
    assert diagnostics_of('{"version": 7}') == [
        "schemas/names.lock#/version: error[L001]: unknown lock version 7 (expected 1)"
    ]


MODEL = """{"version": 1, "models": {"acme/x": {
  "accessor": "acme.x", "module": "acme_x", "output_class": "AcmeXOutput",
  "request_class": "AcmeXRequest", "resource_class": "AcmeXResource",
  "fields": {"6_text": "FIELD"}}}}
"""


def test_a_locked_name_that_cannot_be_used_is_a_located_error() -> None:
    (message,) = diagnostics_of(MODEL.replace("FIELD", "class"))
    assert message.startswith("schemas/names.lock#/models/acme~1x/fields/6_text: error[L002]")
    assert "overrides.toml" in message


def test_classes_of_one_model_must_share_their_stem() -> None:
    text = MODEL.replace("FIELD", "prompt").replace('"AcmeXOutput"', '"OtherOutput"')
    (message,) = diagnostics_of(text)
    assert "error[L002]" in message and "share one stem" in message


def test_a_valid_lock_has_no_diagnostics() -> None:
    assert diagnostics_of(MODEL.replace("FIELD", "prompt")) == []
