"""Base classes shared by every generated request and output model.

Generated model modules subclass these; the behaviour lives here, once, so that a
thousand generated modules stay declarative.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from ._download import DEFAULT_MAX_DOWNLOAD_BYTES, adownload_urls, download_urls
from ._errors import input_error
from ._problems import FieldNames

if TYPE_CHECKING:
    import httpx

__all__ = [
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    "MediaUrl",
    "OutputModel",
    "RequestModel",
    "field_names",
    "require_public_url",
]

_FETCHABLE_SCHEMES = ("http", "https")

_URL_PREFIXES = ("http://", "https://")


def _is_web_url(value: str) -> bool:
    """An http(s) link, whatever the case of its scheme (``HTTPS://`` is one too)."""
    return value[:8].lower().startswith(_URL_PREFIXES)


def require_public_url(value: str) -> str:
    """Accept what RunComfy can fetch; refuse what is evidently a local file, with advice.

    Accepted: http(s) URLs, and bare names with no path in them (RunComfy's own examples
    name hosted sample files that way, e.g. ``"Runcomfy_Example_1259_1.png"``). Refused:
    other schemes (``file:``, ``data:``), anything with a path separator or a drive
    letter, ``~`` paths, and a bare name that is a file in the current directory.
    """
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme in _FETCHABLE_SCHEMES and parts.netloc:
        return value
    if scheme in _FETCHABLE_SCHEMES or not value.strip() or _looks_local(value, scheme):
        raise ValueError(
            f"{value!r} is not a public URL. RunComfy fetches every media input itself "
            "from a publicly reachable HTTPS URL, so a local path or file cannot be sent: "
            "upload the file (object storage, a pre-signed URL) and pass that URL instead."
        )
    return value


def _looks_local(value: str, scheme: str) -> bool:
    has_scheme = len(scheme) > 1 and value.lower().startswith(scheme + ":")
    has_path = "/" in value or "\\" in value or value.startswith("~") or value[1:2] == ":"
    return has_scheme or has_path or Path(value).exists()


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
        # Validators are built on first use: a model imported but never used costs no time.
        defer_build=True,
    )

    model_id: ClassVar[str]
    """The RunComfy model id this request is submitted to."""

    # Validation errors leave as the SDK's InputValidationError (a RunComfyError naming each
    # field both ways), whichever way the request is built.
    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as error:
            raise _input_error(type(self), error) from error

    # Tells pydantic this __init__ only validates, as its own does: model_validate must not
    # route through it (an InputValidationError is a ValueError, which pydantic would wrap).
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Self:
        try:
            return super().model_validate(obj, **options)
        except ValidationError as error:
            raise _input_error(cls, error) from error

    def to_body(self) -> dict[str, Any]:
        """The JSON body to submit: wire keys, only the fields that were set.

        Unset fields are left out so that the server applies its own defaults; a
        field set to None counts as unset.
        """
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude_none=True)


def _input_error(cls: type[RequestModel], error: ValidationError) -> Exception:
    return input_error(error, names=field_names(cls), model_id=getattr(cls, "model_id", None))


@functools.cache
def field_names(model: type[BaseModel]) -> FieldNames:
    """Friendly name ↔ wire key of each field of a request class, built once per class."""
    return FieldNames.of({name: info.alias or name for name, info in model.model_fields.items()})


class OutputModel(BaseModel):
    """Output of one model. Keys the schema does not list (``audio`` …) are kept."""

    model_config = ConfigDict(
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        use_attribute_docstrings=True,
        protected_namespaces=(),
        defer_build=True,
    )

    def urls(self) -> list[str]:
        """Every URL in the output, in field order, extra keys included."""
        found: list[str] = []
        for value in self.model_dump(mode="json").values():
            if isinstance(value, str) and _is_web_url(value):
                found.append(value)
            elif isinstance(value, list):
                found.extend(item for item in value if isinstance(item, str) and _is_web_url(item))
        return found

    def download(
        self,
        directory: str | Path,
        *,
        max_bytes: int | None = DEFAULT_MAX_DOWNLOAD_BYTES,
        http_client: httpx.Client | None = None,
        overwrite: bool = False,
    ) -> list[Path]:
        """Stream every URL of the output into ``directory``; return the paths, in order.

        File names come from the URLs, made safe. A file larger than ``max_bytes`` (None:
        no limit) raises ``DownloadTooLargeError`` and leaves no partial file behind. An
        existing file is kept (``DownloadError``) unless ``overwrite`` is true.
        """
        return download_urls(
            self.urls(),
            directory,
            http_client=http_client,
            max_bytes=max_bytes,
            overwrite=overwrite,
        )

    async def adownload(
        self,
        directory: str | Path,
        *,
        max_bytes: int | None = DEFAULT_MAX_DOWNLOAD_BYTES,
        http_client: httpx.AsyncClient | None = None,
        overwrite: bool = False,
    ) -> list[Path]:
        """The async twin of ``download``."""
        return await adownload_urls(
            self.urls(),
            directory,
            http_client=http_client,
            max_bytes=max_bytes,
            overwrite=overwrite,
        )
