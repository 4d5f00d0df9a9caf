"""End-to-end tests of the catalog endpoints and the placeholder output files."""

from __future__ import annotations

import httpx
import pytest

from generator.server import ServerHandle, placeholder_bytes

FLF = "community/wan-2-2/first-last-frame"


def test_the_catalog_lists_every_model_sorted_without_schemas(
    server: ServerHandle, http_client: httpx.Client
) -> None:
    page = http_client.get("/v1/models").json()
    assert page == {"models": [{"model_id": m} for m in server.models], "total": len(server.models)}
    assert [entry["model_id"] for entry in page["models"]] == sorted(server.models)


def test_include_schema_adds_both_schemas_as_written(
    server: ServerHandle, http_client: httpx.Client
) -> None:
    page = http_client.get("/v1/models", params={"include_schema": "true"}).json()
    for entry in page["models"]:
        model = server.models[entry["model_id"]]
        assert entry["input_schema"] == model.input_schema
        assert entry["output_schema"] == model.output_schema


def test_the_catalog_pages_with_limit_and_offset(
    server: ServerHandle, http_client: httpx.Client
) -> None:
    everything = list(server.models)
    pages = [
        http_client.get("/v1/models", params={"limit": 2, "offset": offset}).json()
        for offset in range(0, len(everything) + 2, 2)
    ]
    listed = [entry["model_id"] for page in pages for entry in page["models"]]
    assert listed == everything
    assert all(page["total"] == len(everything) for page in pages)
    assert pages[-1]["models"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"include_schema": "maybe"}, "include_schema"),
    ],
)
def test_bad_catalog_parameters_get_422(
    http_client: httpx.Client, params: dict[str, str], field: str
) -> None:
    response = http_client.get("/v1/models", params=params)
    assert response.status_code == 422
    (entry,) = response.json()["detail"]
    assert entry["loc"] == ["query", field]


def test_one_model_comes_with_its_schemas(server: ServerHandle, http_client: httpx.Client) -> None:
    entry = http_client.get(f"/v1/models/{FLF}").json()
    model = server.models[FLF]
    assert entry == {
        "model_id": FLF,
        "input_schema": model.input_schema,
        "output_schema": model.output_schema,
    }
    assert entry["input_schema"]["properties"]["57_cfg"]["type"] == "float"  # the dialect, as is


def test_placeholder_files_are_public_typed_and_deterministic(server: ServerHandle) -> None:
    with httpx.Client(base_url=server.base_url) as anonymous:
        video = anonymous.get("/files/some-request/video.mp4")
        image = anonymous.get("/files/some-request/images-0.png")
        other = anonymous.get("/files/some-request/data")
    assert video.status_code == 200
    assert video.headers["content-type"] == "video/mp4"
    assert video.headers["content-length"] == str(server.controller.file_size) == "1024"
    assert video.content == placeholder_bytes("some-request/video.mp4", 1024)
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    assert other.headers["content-type"] == "application/octet-stream"


def test_placeholder_files_can_be_made_large_and_stream(
    server: ServerHandle, http_client: httpx.Client
) -> None:
    size = 5 * 1024 * 1024
    server.controller.set_file_size(size)
    received = 0
    with http_client.stream("GET", "/files/r/video.mp4") as response:
        assert response.headers["content-length"] == str(size)
        for chunk in response.iter_bytes():
            received += len(chunk)
            if received > 1024 * 1024:  # what a download size cap does: stop early
                break
    assert 1024 * 1024 < received < size
    assert http_client.get("/v1/models").status_code == 200  # the server is still fine


def test_a_download_size_cap_can_be_tested_with_full_reads(
    server: ServerHandle, http_client: httpx.Client
) -> None:
    server.controller.set_file_size(300_000)
    response = http_client.get("/files/r/image.png")
    assert len(response.content) == 300_000
    assert response.content == placeholder_bytes("r/image.png", 300_000)
