"""Base classes shared by every generated request and output model.

Generated model modules subclass these; the behaviour lives here, once, so that a
thousand generated modules stay declarative.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict

if TYPE_CHECKING:
    import httpx

__all__ = [
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    "MediaUrl",
    "OutputModel",
    "RequestModel",
    "require_public_url",
]

_FETCHABLE_SCHEMES = ("http", "https")

DEFAULT_MAX_DOWNLOAD_BYTES = 2 * 1024**3
"""2 GiB: far above any model output, low enough to stop a runaway stream."""
_URL_PREFIXES = ("http://", "https://")


def require_public_url(value: str) -> str:
    """Accept an http(s) URL; reject local paths and other schemes with advice."""
    parts = urlsplit(value)
    if parts.scheme.lower() in _FETCHABLE_SCHEMES and parts.netloc:
        return value
    raise ValueError(
        f"{value!r} is not an http(s) URL. RunComfy fetches every media input itself "
        "from a publicly reachable HTTPS URL, so a local path or file cannot be sent: "
        "upload the file (object storage, a pre-signed URL) and pass that URL instead."
    )


MediaUrl = Annotated[str, AfterValidator(require_public_url)]
"""A media input (image, video, audio): a URL that RunComfy downloads itself."""


class RequestModel(BaseModel):
    """Input of one model: friendly names or wire keys in, wire keys out."""

    model_config = ConfigDict(
        extra="forbid",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        use_attribute_docstrings=True,
        protected_namespaces=(),
        # Schema patterns are written for Python-style engines (lookarounds and all).
        regex_engine="python-re",
    )

    model_id: ClassVar[str]
    """The RunComfy model id this request is submitted to."""

    def to_body(self) -> dict[str, Any]:
        """The JSON body to submit: wire keys, only the fields that were set.

        Unset fields are left out so that the server applies its own defaults; a
        field set to None counts as unset.
        """
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude_none=True)


class OutputModel(BaseModel):
    """Output of one model. Keys the schema does not list (``audio`` …) are kept."""

    model_config = ConfigDict(
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        use_attribute_docstrings=True,
        protected_namespaces=(),
    )

    def urls(self) -> list[str]:
        """Every URL in the output, in field order, extra keys included."""
        found: list[str] = []
        for value in self.model_dump(mode="json").values():
            if isinstance(value, str) and value.startswith(_URL_PREFIXES):
                found.append(value)
            elif isinstance(value, list):
                found.extend(
                    item
                    for item in value
                    if isinstance(item, str) and item.startswith(_URL_PREFIXES)
                )
        return found

    def download(
        self,
        directory: str | Path,
        *,
        max_bytes: int | None = DEFAULT_MAX_DOWNLOAD_BYTES,
        http_client: httpx.Client | None = None,
    ) -> list[Path]:
        """Stream every URL of the output into ``directory``; return the paths, in order.

        File names come from the URLs, made safe. A file larger than ``max_bytes`` (None:
        no limit) raises ``DownloadTooLargeError`` and leaves no partial file behind.
        """
        from ._download import download_urls  # httpx only when downloading

        return download_urls(self.urls(), directory, http_client=http_client, max_bytes=max_bytes)

    async def adownload(
        self,
        directory: str | Path,
        *,
        max_bytes: int | None = DEFAULT_MAX_DOWNLOAD_BYTES,
        http_client: httpx.AsyncClient | None = None,
    ) -> list[Path]:
        """The async twin of ``download``."""
        from ._download import adownload_urls

        return await adownload_urls(
            self.urls(), directory, http_client=http_client, max_bytes=max_bytes
        )
