"""Downloading outputs: streamed to safe file names, capped in size, token only to the API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from runcomfy_sdk._runtime import DownloadError, DownloadTooLargeError, OutputModel
from runcomfy_sdk._runtime._download import plan_downloads

from tests.runtime.fakes import BASE_URL, TOKEN, FakeApi, Sdk, VideoOutput

CDN = "https://cdn.runcomfy.test"
FILES = {
    "/out/video.mp4": b"\x00video" * 100,
    "/out/frames/video.mp4": b"second file with the same name",
    "/v1/files/r-1/audio.wav": b"RIFF....WAVE",
}


class _Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body without Content-Length, served in small pieces."""

    def __init__(self, data: bytes) -> None:
        self._pieces = [data[i : i + 64] for i in range(0, len(data), 64)]

    def __iter__(self) -> Iterator[bytes]:
        yield from self._pieces

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self._pieces:
            yield piece


def _serve_files(request: httpx.Request) -> httpx.Response:
    data = FILES.get(request.url.path)
    if data is None:
        return httpx.Response(404, content=b"gone")
    if request.url.params.get("chunked"):
        return httpx.Response(200, stream=_Chunks(data))
    return httpx.Response(200, content=data)


def _download(sdk: Sdk, output: OutputModel, directory: Path, **kwargs: Any) -> list[Path]:
    result: list[Path] = sdk.run(sdk.client.download(output, directory, **kwargs))
    return result


@pytest.fixture
def files(fake_api: FakeApi) -> FakeApi:
    fake_api.unrouted = _serve_files
    return fake_api


def test_every_output_url_is_saved_under_a_safe_unique_name(
    files: FakeApi, sdk: Sdk, tmp_path: Path
) -> None:
    output = VideoOutput.model_validate(
        {
            "video": f"{CDN}/out/video.mp4",
            "videos": [f"{CDN}/out/frames/video.mp4?chunked=1"],
            "audio": f"{BASE_URL}/v1/files/r-1/audio.wav",
        }
    )
    target = tmp_path / "new" / "dir"

    paths = _download(sdk, output, target)

    assert paths == [target / "video.mp4", target / "video-1.mp4", target / "audio.wav"]
    assert [p.read_bytes() for p in paths] == [
        FILES["/out/video.mp4"],
        FILES["/out/frames/video.mp4"],
        FILES["/v1/files/r-1/audio.wav"],
    ]
    assert sorted(p.name for p in target.iterdir()) == ["audio.wav", "video-1.mp4", "video.mp4"]
    authorization = [r.headers.get("Authorization") for r in files.requests]
    assert authorization == [None, None, f"Bearer {TOKEN}"], "the token goes to the API only"


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "streamed"])
def test_a_file_over_max_bytes_fails_and_leaves_nothing(
    files: FakeApi, sdk: Sdk, tmp_path: Path, chunked: bool
) -> None:
    url = f"{CDN}/out/video.mp4" + ("?chunked=1" if chunked else "")
    output = VideoOutput(video=url)

    with pytest.raises(DownloadTooLargeError) as caught:
        _download(sdk, output, tmp_path, max_bytes=100)

    assert caught.value.url == url
    assert "max_bytes=100" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_file_at_exactly_max_bytes_is_fine(files: FakeApi, sdk: Sdk, tmp_path: Path) -> None:
    size = len(FILES["/out/video.mp4"])
    output = VideoOutput(video=f"{CDN}/out/video.mp4?chunked=1")

    (path,) = _download(sdk, output, tmp_path, max_bytes=size)

    assert path.stat().st_size == size


def test_an_error_status_is_a_download_error(files: FakeApi, sdk: Sdk, tmp_path: Path) -> None:
    output = VideoOutput(video=f"{CDN}/expired.mp4")

    with pytest.raises(DownloadError) as caught:
        _download(sdk, output, tmp_path)

    assert caught.value.status_code == 404
    assert "expire" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_transport_failure_is_a_download_error(tmp_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    output = VideoOutput(video=f"{CDN}/out/video.mp4")
    with (
        httpx.Client(transport=httpx.MockTransport(refuse)) as http,
        pytest.raises(DownloadError, match="ConnectError") as caught,
    ):
        output.download(tmp_path, http_client=http)
    assert caught.value.url == f"{CDN}/out/video.mp4"


def test_output_model_downloads_without_a_client(tmp_path: Path) -> None:
    output = VideoOutput(video=f"{CDN}/out/video.mp4?chunked=1")
    transport = httpx.MockTransport(_serve_files)

    with httpx.Client(transport=transport) as http:
        (sync_path,) = output.download(tmp_path / "sync", http_client=http)

    async def download_async() -> list[Path]:
        async with httpx.AsyncClient(transport=transport) as http:
            return await output.adownload(tmp_path / "async", http_client=http, max_bytes=None)

    (async_path,) = asyncio.run(download_async())
    assert sync_path.read_bytes() == async_path.read_bytes() == FILES["/out/video.mp4"]


@pytest.mark.parametrize(
    ("url", "name"),
    [
        (f"{CDN}/a/b/clip.mp4?sig=abc", "clip.mp4"),
        (f"{CDN}/a/..%2F..%2F..%2Fetc%2Fpasswd", "passwd"),
        (f"{CDN}/a/..%5C..%5Cwin.ini", "win.ini"),
        (f"{CDN}/.hidden", "hidden"),
        (f"{CDN}/..", "output"),
        (f"{CDN}/", "output"),
        (f"{CDN}/we%20ird%3Bname%00.png", "we_ird_name_.png"),
        (f"{CDN}/" + "x" * 300 + ".webm", "x" * 145 + ".webm"),
    ],
)
def test_file_names_are_safe(url: str, name: str, tmp_path: Path) -> None:
    ((_, path),) = plan_downloads([url], tmp_path)
    assert path == tmp_path / name
    assert path.resolve().parent == tmp_path.resolve()


def test_an_existing_file_is_kept_unless_overwrite_is_asked(
    files: FakeApi, sdk: Sdk, tmp_path: Path
) -> None:
    output = VideoOutput.model_validate({"video": f"{CDN}/out/video.mp4"})
    (tmp_path / "video.mp4").write_bytes(b"mine")

    with pytest.raises(DownloadError, match="already exists; it was kept"):
        _download(sdk, output, tmp_path)
    assert (tmp_path / "video.mp4").read_bytes() == b"mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["video.mp4"]  # no partial left

    _download(sdk, output, tmp_path, overwrite=True)
    assert (tmp_path / "video.mp4").read_bytes() == FILES["/out/video.mp4"]


def test_a_planted_part_link_is_never_written_through(
    files: FakeApi, sdk: Sdk, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"untouched")
    target = tmp_path / "downloads"
    target.mkdir()
    (target / "video.mp4.part").symlink_to(outside)
    (target / ".video.mp4.part").symlink_to(outside)

    _download(sdk, VideoOutput.model_validate({"video": f"{CDN}/out/video.mp4"}), target)

    assert outside.read_bytes() == b"untouched"
    assert (target / "video.mp4").read_bytes() == FILES["/out/video.mp4"]


def test_links_are_found_whatever_the_case_of_their_scheme() -> None:
    output = VideoOutput.model_validate(
        {"video": "HTTPS://CDN.example/a.mp4", "videos": ["Http://cdn.example/b.mp4", "ftp://x"]}
    )
    assert output.urls() == ["HTTPS://CDN.example/a.mp4", "Http://cdn.example/b.mp4"]
