"""A content-addressed cache of rendered text, kept outside the generated package.

Rendering a model (datamodel-code-generator, jinja2, black) is the expensive part of a
generation; its result depends only on the model's IR and on the generator itself. So
each model's files, and every text black formats, are stored under a key that hashes
everything they depend on (the generator's own sources and versions included). The
cache is an optimisation only: a missing, unreadable or corrupt entry is a miss, never
an error, and a miss renders exactly what a hit would return.

Entries live in ``<cache dir>/<namespace>/<key[:2]>/<key>``; each starts with the hash of
its payload, so a truncated or edited entry is detected and ignored. Writes go to a
temporary file that is then renamed, so concurrent runs never see half an entry.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

CACHE_ENV = "RUNCOMFY_CODEGEN_CACHE"
DEFAULT_CACHE_DIR = Path(".cache") / "runcomfy-codegen"


def default_cache_dir(root: Path) -> Path | None:
    """``$RUNCOMFY_CODEGEN_CACHE`` (empty: no cache), else ``<root>/.cache/runcomfy-codegen``."""
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) if configured.strip() else None
    return root / DEFAULT_CACHE_DIR


def key_of(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Cache:
    """``directory`` None means no cache: every lookup misses and nothing is stored."""

    directory: Path | None

    def get(self, namespace: str, key: str) -> str | None:
        if self.directory is None:
            return None
        try:
            data = self._path(namespace, key).read_bytes()
        except OSError:
            return None
        checksum, _, payload = data.partition(b"\n")
        if hashlib.sha256(payload).hexdigest().encode() != checksum:
            return None
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def put(self, namespace: str, key: str, text: str) -> None:
        if self.directory is None:
            return
        payload = text.encode("utf-8")
        path = self._path(namespace, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        except OSError:
            return  # a read-only or full disk only costs speed
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
            os.replace(temporary, path)
        except OSError:
            Path(temporary).unlink(missing_ok=True)

    def _path(self, namespace: str, key: str) -> Path:
        assert self.directory is not None
        return self.directory / namespace / key[:2] / key
