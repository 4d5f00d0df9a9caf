"""Download an output's files to a directory: streamed, size-capped, with safe names.

File names come from the URL path, reduced to a safe character set (no directories,
no traversal, no hidden files) and made unique within one call. Each file is written
to a ``.part`` file first and renamed when complete, so a failed or oversized download
leaves nothing behind under the final name. Output links are public, so the API token
is sent only to the API's own origin (httpx drops it again on a cross-origin redirect).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from collections.abc import AsyncIterator, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

import httpx

from ._errors import DownloadError, DownloadTooLargeError

__all__ = [
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    "adownload_urls",
    "download_urls",
    "plan_downloads",
]

DEFAULT_MAX_DOWNLOAD_BYTES = 2 * 1024**3
"""2 GiB: far above any model output, low enough to stop a runaway stream."""

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_NAME = 150
_FALLBACK_NAME = "output"
_THREAD_WRITE_BYTES = 1024 * 1024
"""The async download hands the disk this much at a time (one worker-thread hop each)."""


def plan_downloads(urls: Iterable[str], directory: Path) -> list[tuple[str, Path]]:
    """Pair each URL with the file it is saved to: a safe name, unique within the call."""
    taken: set[str] = set()
    plan = []
    for url in urls:
        name = _unique(_safe_name(url), taken)
        taken.add(name.lower())
        plan.append((url, directory / name))
    return plan


def _safe_name(url: str) -> str:
    last = unquote(urlsplit(url).path).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", last).lstrip(".")
    if len(name) > _MAX_NAME:  # shorten the stem, keep a (short) extension
        stem, dot, suffix = name.rpartition(".")
        suffix = suffix[:16] if dot else ""
        name = (stem if dot else name)[: _MAX_NAME - len(dot) - len(suffix)] + dot + suffix
    return name or _FALLBACK_NAME


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, suffix = name.rpartition(".") if "." in name else (name, "", "")
    candidate, counter = name, 1
    while candidate.lower() in taken:
        candidate = f"{stem}-{counter}{dot}{suffix}"
        counter += 1
    return candidate


class _Sink:
    """One file being written: counts bytes against the cap, cleans up on failure.

    The bytes go to a fresh, exclusively created file beside the target (never a path
    that already exists, so never through a planted link), which is linked into place
    only when complete, and without replacing an existing file unless ``overwrite``.
    """

    def __init__(self, url: str, target: Path, max_bytes: int | None, overwrite: bool) -> None:
        self.url, self.target, self.max_bytes = url, target, max_bytes
        self.overwrite = overwrite
        self.size = 0

    def check(self, response: httpx.Response) -> None:
        """Refuse an error answer, or a declared length over the cap, before reading."""
        if not response.is_success:
            raise DownloadError(
                f"Downloading {self.url} failed with HTTP {response.status_code}",
                url=self.url,
                status_code=response.status_code,
            )
        declared = response.headers.get("content-length", "")
        if declared.isdigit():
            self._enforce(int(declared))

    def __enter__(self) -> _Sink:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        refuse_existing(self.target, url=self.url, overwrite=self.overwrite)
        import tempfile  # here, not at import: the SDK's start-up should not pay for it

        handle, name = tempfile.mkstemp(
            dir=self.target.parent, prefix=f".{self.target.name}.", suffix=".part"
        )
        self.partial = Path(name)
        self._file = os.fdopen(handle, "wb")
        return self

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        self._enforce(self.size)
        self._file.write(chunk)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._file.close()
        try:
            if exc_type is None:
                self._put_in_place()
        finally:
            self.partial.unlink(missing_ok=True)

    def _put_in_place(self) -> None:
        if self.overwrite:
            os.replace(self.partial, self.target)
            return
        try:
            os.link(self.partial, self.target)  # fails if the name was taken meanwhile
        except FileExistsError:
            refuse_existing(self.target, url=self.url, overwrite=False)
        except OSError:  # no hard links on this file system: check, then rename
            refuse_existing(self.target, url=self.url, overwrite=False)
            os.replace(self.partial, self.target)

    def _enforce(self, size: int) -> None:
        if self.max_bytes is not None and size > self.max_bytes:
            raise DownloadTooLargeError(
                f"{self.url} is larger than max_bytes={self.max_bytes}; the partial file "
                "was removed",
                url=self.url,
            )


def refuse_existing(target: Path, *, url: str, overwrite: bool) -> None:
    if not overwrite and (target.exists() or target.is_symlink()):
        raise DownloadError(
            f"{target} already exists; it was kept. Pass overwrite=True to replace it, "
            "or download into another directory",
            url=url,
        )


def download_urls(
    urls: Iterable[str],
    directory: str | Path,
    *,
    http_client: httpx.Client | None = None,
    max_bytes: int | None = DEFAULT_MAX_DOWNLOAD_BYTES,
    headers_for: Mapping[str, Mapping[str, str]] | None = None,
    overwrite: bool = False,
) -> list[Path]:
    """Stream every URL into ``directory``; return the paths written, in URL order.

    ``headers_for`` maps an origin (``scheme://host[:port]``) to extra headers for it.
    """
    client = http_client or httpx.Client(follow_redirects=True)
    try:
        paths = []
        for url, target in plan_downloads(urls, Path(directory)):
            headers = _headers(url, headers_for)
            with client.stream("GET", url, headers=headers, follow_redirects=True) as response:
                sink = _Sink(url, target, max_bytes, overwrite)
                sink.check(response)
                with sink:
                    for chunk in response.iter_bytes():
                        sink.write(chunk)
            paths.append(target)
        return paths
    except httpx.HTTPError as error:
        raise _transport_failure(error) from error
    finally:
        if http_client is None:
            client.close()


async def adownload_urls(
    urls: Iterable[str],
    directory: str | Path,
    *,
    http_client: httpx.AsyncClient | None = None,
    max_bytes: int | None = DEFAULT_MAX_DOWNLOAD_BYTES,
    headers_for: Mapping[str, Mapping[str, str]] | None = None,
    overwrite: bool = False,
) -> list[Path]:
    """The async twin of ``download_urls``.

    Every file system call (directories, the temporary file, writes, the final link) runs in
    a worker thread, so a slow disk never holds up the event loop.
    """
    client = http_client or httpx.AsyncClient(follow_redirects=True)
    try:
        paths = []
        for url, target in plan_downloads(urls, Path(directory)):
            headers = _headers(url, headers_for)
            async with client.stream(
                "GET", url, headers=headers, follow_redirects=True
            ) as response:
                sink = _Sink(url, target, max_bytes, overwrite)
                sink.check(response)
                async with _opened_in_thread(sink):
                    pending = bytearray()
                    async for chunk in response.aiter_bytes():
                        pending += chunk
                        if len(pending) >= _THREAD_WRITE_BYTES:
                            await asyncio.to_thread(sink.write, bytes(pending))
                            pending.clear()
                    await asyncio.to_thread(sink.write, bytes(pending))
            paths.append(target)
        return paths
    except httpx.HTTPError as error:
        raise _transport_failure(error) from error
    finally:
        if http_client is None:
            await client.aclose()


@contextlib.asynccontextmanager
async def _opened_in_thread(sink: _Sink) -> AsyncIterator[_Sink]:
    """``with sink``, with its file system work done in a worker thread."""
    await asyncio.to_thread(sink.__enter__)
    try:
        yield sink
    except BaseException as error:
        await asyncio.to_thread(sink.__exit__, type(error), error, error.__traceback__)
        raise
    await asyncio.to_thread(sink.__exit__, None, None, None)


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-cased, default ports dropped."""
    parsed = httpx.URL(url)
    default = {"http": 80, "https": 443}.get(parsed.scheme)
    port = "" if parsed.port in (None, default) else f":{parsed.port}"
    return f"{parsed.scheme}://{parsed.host}{port}".lower()


def _headers(url: str, headers_for: Mapping[str, Mapping[str, str]] | None) -> dict[str, str]:
    return dict((headers_for or {}).get(origin(url), {}))


def _transport_failure(error: httpx.HTTPError) -> DownloadError:
    url = str(error.request.url) if _has_request(error) else "?"
    return DownloadError(f"Downloading {url} failed: {type(error).__name__}: {error}", url=url)


def _has_request(error: httpx.HTTPError) -> bool:
    try:
        error.request  # noqa: B018 - httpx raises RuntimeError when no request is attached
    except RuntimeError:
        return False
    return True
