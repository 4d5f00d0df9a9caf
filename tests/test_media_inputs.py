"""Media inputs: which fields are media URLs, and what the generated models accept for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.comfy import media_kind_by_name, parse_wire_key
from generator.diagnostics import Diagnostics, SourceRef
from generator.ir import ArrayOf, LiteralOf, MediaUrl, Scalar, TypeRef
from generator.normalize.properties import normalize_property


def field_type(key: str, schema: dict[str, object]) -> TypeRef:
    hint = media_kind_by_name(parse_wire_key(key))
    parts = normalize_property(
        schema, SourceRef("m.json", f"/p/{key}"), Diagnostics(), media_hint=hint
    )
    return parts.type


@pytest.mark.parametrize(
    ("key", "schema", "expected"),
    [
        ("68_image", {"type": "string"}, MediaUrl(kind="image")),
        ("7_video", {"type": "string", "format": "uri"}, MediaUrl(kind="video")),
        ("image_url_1", {"type": "string"}, MediaUrl(kind="image")),
        ("audio_url", {"type": "string"}, MediaUrl(kind="audio")),
        (
            "video_urls",
            {"type": "array", "items": {"type": "string"}},
            ArrayOf(item=MediaUrl(kind="video")),
        ),
        ("prompt", {"type": "string", "format": "image_uri"}, MediaUrl(kind="image")),
        ("image_size", {"type": "string"}, Scalar(kind="string")),
        ("71_widthx71_height", {"type": "string"}, Scalar(kind="string")),
        ("68_image", {"type": "string", "format": "date"}, Scalar(kind="string")),
        ("5_image", {"type": "integer"}, Scalar(kind="integer")),
    ],
)
def test_media_urls_come_from_the_format_or_the_comfyui_input_name(
    key: str, schema: dict[str, object], expected: TypeRef
) -> None:
    assert field_type(key, schema) == expected


def test_an_enum_is_never_a_media_url() -> None:
    found = field_type("68_image", {"type": "string", "enum": ["a.png", "b.png"]})
    assert isinstance(found, LiteralOf)


@pytest.mark.parametrize(
    "value",
    ["https://example.com/a.png", "http://127.0.0.1:8000/x.mp4", "Runcomfy_Example_1259_1.png"],
)
def test_public_urls_and_hosted_asset_names_are_accepted(value: str) -> None:
    from runcomfy_sdk._runtime._models import require_public_url

    assert require_public_url(value) == value


@pytest.mark.parametrize(
    "value",
    ["./cat.png", "/home/me/cat.png", "images/cat.png", "C:\\cat.png", "~/cat.png",
     "file:///tmp/cat.png", "data:image/png;base64,AAAA", "http://", "", "   "],
)  # fmt: skip
def test_local_paths_and_unfetchable_values_are_refused_with_advice(value: str) -> None:
    from runcomfy_sdk._runtime._models import require_public_url

    with pytest.raises(ValueError, match="publicly reachable HTTPS URL"):
        require_public_url(value)


def test_a_bare_name_that_is_a_local_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from runcomfy_sdk._runtime._models import require_public_url

    monkeypatch.chdir(tmp_path)
    (tmp_path / "cat.png").write_bytes(b"\x89PNG")
    with pytest.raises(ValueError, match="local path or file"):
        require_public_url("cat.png")
    assert require_public_url("dog.png") == "dog.png"


def test_the_first_last_frame_images_refuse_local_paths() -> None:
    from runcomfy_sdk import InputValidationError
    from runcomfy_sdk.models import CommunityWan22FirstLastFrameRequest

    with pytest.raises(InputValidationError, match="start_image"):
        CommunityWan22FirstLastFrameRequest(
            start_image="./first.png", end_image="https://e.com/b.png", prompt="p"
        )
