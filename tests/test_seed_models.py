"""Acceptance checks on the three seed models, against the committed schemas and SDK."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import canonical
from generator.diagnostics import Diagnostics
from generator.ingest import ingest_sources
from tests.helpers import REPO

# Copies of the saved RunComfy pages the project was started from (the API contract).
SEED_FILES = sorted((REPO / "tests" / "fixtures" / "seed_pages").glob("*.txt"))


def seed_example(model_id: str) -> dict[str, object]:
    document = json.loads((REPO / "schemas" / f"{model_id}.json").read_text(encoding="utf-8"))
    example: dict[str, object] = document["example_request"]
    return example


def test_ingesting_the_five_seed_pages_gives_exactly_the_committed_schemas() -> None:
    diags = Diagnostics()
    files = ingest_sources(
        [(p.name, p.read_bytes()) for p in SEED_FILES], model_id=None, diags=diags
    )
    assert not diags.has_errors, list(diags)
    produced = {file.path.as_posix(): canonical.dumps(file.document) for file in files}
    committed = {
        p.relative_to(REPO / "schemas").as_posix(): p.read_text(encoding="utf-8")
        for p in (REPO / "schemas").rglob("*.json")
    }
    assert produced == committed


@pytest.mark.parametrize("page", SEED_FILES[:3], ids=[p.name for p in SEED_FILES[:3]])
def test_each_wan22_page_alone_gives_the_same_canonical_file(page: Path) -> None:
    diags = Diagnostics()
    (file,) = ingest_sources([(page.name, page.read_bytes())], model_id=None, diags=diags)
    committed = REPO / "schemas" / "community" / "wan-2-2" / "first-last-frame.json"
    assert canonical.dumps(file.document) == committed.read_text(encoding="utf-8")


def test_first_last_frame_request_from_friendly_names_dumps_the_example_body_keys() -> None:
    from runcomfy_sdk.models import CommunityWan22FirstLastFrameRequest

    example = seed_example("community/wan-2-2/first-last-frame")
    request = CommunityWan22FirstLastFrameRequest(
        start_image=example["68_image"], end_image=example["62_image"], prompt=example["6_text"]
    )
    assert request.model_dump(by_alias=True, exclude_unset=True) == example
    assert request.to_body() == example
    assert set(request.to_body()) == {"62_image", "6_text", "68_image"}


def test_wire_keys_are_accepted_too() -> None:
    from runcomfy_sdk.models import CommunityWan22FirstLastFrameRequest

    example = seed_example("community/wan-2-2/first-last-frame")
    request = CommunityWan22FirstLastFrameRequest.model_validate({**example, "57_steps": 8})
    assert request.steps == 8
    assert request.to_body() == {**example, "57_steps": 8}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("steps", 25),
        ("resolution", "999x999"),
        ("num_frames", 100),
        ("fps", 30),
        ("guidance_scale", 0.1),
    ],
)
def test_out_of_range_or_off_enum_values_name_the_friendly_field(field: str, value: object) -> None:
    from runcomfy_sdk import InputValidationError, RunComfyError
    from runcomfy_sdk.models import CommunityWan22FirstLastFrameRequest

    with pytest.raises(InputValidationError) as raised:
        CommunityWan22FirstLastFrameRequest(
            start_image="https://example.com/a.png",
            end_image="https://example.com/b.png",
            prompt="p",
            **{field: value},
        )
    (error,) = raised.value.errors()  # pydantic's details stay available
    assert error["loc"] == (field,)
    assert field in str(raised.value)
    (problem,) = raised.value.problems
    wire_key = CommunityWan22FirstLastFrameRequest.model_fields[field].alias
    assert (problem.field, problem.wire_key) == (field, wire_key)
    assert f"{field} (wire key {wire_key})" in str(raised.value)
    assert isinstance(raised.value, RunComfyError)


def test_unknown_fields_are_refused() -> None:
    from runcomfy_sdk import InputValidationError
    from runcomfy_sdk.models import CommunityWan22FirstLastFrameRequest

    with pytest.raises(InputValidationError, match="stepz: unknown input; did you mean 'steps'"):
        CommunityWan22FirstLastFrameRequest(start_image="a", end_image="b", prompt="c", stepz=4)


def test_the_same_concept_has_the_same_name_across_models() -> None:
    from runcomfy_sdk.models import (
        CommunityWan21FusionxImageToVideoRequest as FusionX,
    )
    from runcomfy_sdk.models import (
        CommunityWan22FirstLastFrameRequest as FirstLast,
    )

    shared = {
        "prompt",
        "seed",
        "steps",
        "guidance_scale",
        "shift",
        "num_frames",
        "fps",
        "resolution",
    }
    assert shared <= set(FusionX.model_fields)
    assert shared <= set(FirstLast.model_fields)


def test_media_inputs_refuse_local_paths_with_advice() -> None:
    from runcomfy_sdk import InputValidationError
    from runcomfy_sdk.models import WanAiWan26ImageToImageRequest

    with pytest.raises(InputValidationError, match="publicly reachable HTTPS URL"):
        WanAiWan26ImageToImageRequest(prompt="x", image_urls=["/home/me/cat.png"])
    with pytest.raises(InputValidationError, match="at most 3 items"):
        WanAiWan26ImageToImageRequest(prompt="x", image_urls=["https://e.com/a.png"] * 4)
