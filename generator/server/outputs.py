"""Placeholder outputs: result URLs that point back at this server, and the files behind them.

The rule is general, with no per-model cases: every property of the model's output schema
is filled; a string gets one URL, an array a one-element list of URLs, and the file
extension comes from the key (video → .mp4, image → .png, audio → .wav, else .bin).
File bytes are a pure function of the path and the size, so a test can predict them.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterator, Mapping
from pathlib import PurePosixPath
from typing import Any

FILES_PREFIX = "/files/"
CHUNK_SIZE = 64 * 1024

# Checked in order, so a key such as "video_thumbnail_image" is a video.
_EXTENSIONS = (("video", ".mp4"), ("image", ".png"), ("audio", ".wav"))
_CONTENT_TYPES = {
    ".mp4": "video/mp4",
    ".png": "image/png",
    ".wav": "audio/wav",
}
# Real magic numbers, so a sniffing client recognises the type of a placeholder.
_MAGIC = {
    ".mp4": b"\x00\x00\x00\x18ftypmp42",
    ".png": b"\x89PNG\r\n\x1a\n",
    ".wav": b"RIFF\x00\x00\x00\x00WAVE",
}
_ZERO_VALUES: Mapping[str, Any] = {"integer": 0, "number": 0.0, "boolean": False, "object": {}}


def extension_for(key: str) -> str:
    lowered = key.lower()
    return next((ext for word, ext in _EXTENSIONS if word in lowered), ".bin")


def content_type_for(path: str) -> str:
    return _CONTENT_TYPES.get(PurePosixPath(path).suffix.lower(), "application/octet-stream")


def placeholder_output(
    output_schema: Mapping[str, Any], *, base_url: str, request_id: str
) -> dict[str, Any]:
    """The ``output`` of a completed job: every output property filled, in schema order."""
    properties = output_schema.get("properties", {})
    return {
        key: _placeholder_value(key, schema, base_url=base_url, request_id=request_id)
        for key, schema in properties.items()
    }


def _placeholder_value(key: str, schema: Any, *, base_url: str, request_id: str) -> Any:
    kind = schema.get("type") if isinstance(schema, Mapping) else None
    url = f"{base_url}{FILES_PREFIX}{request_id}/{key}"
    if kind == "array":
        return [f"{url}-0{extension_for(key)}"]
    if isinstance(kind, str) and kind in _ZERO_VALUES:
        return copy.deepcopy(_ZERO_VALUES[kind])
    return f"{url}{extension_for(key)}"  # strings, and anything untyped


def placeholder_chunks(path: str, size: int) -> Iterator[bytes]:
    """The bytes of the placeholder file at ``path`` (below /files/), in chunks."""
    head = _MAGIC.get(PurePosixPath(path).suffix.lower(), b"")[:size]
    if head:
        yield head
    remaining = size - len(head)
    block = _filler_block(path)
    while remaining > 0:
        chunk = block[:remaining]
        remaining -= len(chunk)
        yield chunk


def placeholder_bytes(path: str, size: int) -> bytes:
    """All the bytes of a placeholder file, for tests that compare a download."""
    return b"".join(placeholder_chunks(path, size))


def _filler_block(path: str) -> bytes:
    seed = hashlib.sha256(path.encode("utf-8")).digest()
    return (seed * (CHUNK_SIZE // len(seed) + 1))[:CHUNK_SIZE]
