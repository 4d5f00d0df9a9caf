"""Configuration: ``[tool.runcomfy-codegen]`` in pyproject.toml, then command-line flags.

``FileConfig`` is what the file may say (every key optional, unknown keys an error);
``resolve`` turns it and the flags into one frozen ``Config``. No global state.
"""

from __future__ import annotations

import importlib.util
import keyword
import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .cache import default_cache_dir

DEFAULT_PACKAGE = "runcomfy_sdk"
# The naming overrides a person writes, beside the schemas.
OVERRIDES_FILE = "overrides.toml"
# The names the SDK has exposed, beside the schemas (see lock.py).
LOCK_FILE = "names.lock"
DEFAULT_VERSION = "0.1.0"
# What generated headers and ``check`` tell a reader to run; a project whose pyproject holds
# the settings needs no flags. A project that wraps it (``make generate``) says so in ``regenerate``.
DEFAULT_REGENERATE = "runcomfy-codegen generate"
# A release segment and an optional PEP 440 pre/post/dev suffix: what ``__version__`` may say.
_VERSION = re.compile(r"[0-9]+(\.[0-9]+){0,3}((a|b|rc)[0-9]+)?(\.post[0-9]+)?(\.dev[0-9]+)?")


class ConfigError(Exception):
    """The configuration file or flags cannot be used; the message says why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FileConfig:
    """``[tool.runcomfy-codegen]``; each key is documented in the README's Configuration."""

    schemas: str | None = None
    output: str | None = None
    package: str | None = None
    version: str | None = None
    regenerate: str | None = None
    distribution: str | None = None
    overrides: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """Where to read, where to write, and what to call the package.

    ``schemas_label`` is how generated headers and diagnostics name the schemas
    directory: relative, so output never contains a machine's absolute path.
    """

    schemas_dir: Path
    schemas_label: str
    output_dir: Path
    package: str
    templates_dir: Path
    version: str = DEFAULT_VERSION
    regenerate: str = DEFAULT_REGENERATE
    """The command generated headers name as the way to regenerate the tree."""
    distribution: str | None = None
    """The name of a distribution to make the package (a ``pyproject.toml`` beside it)."""
    overrides_file: Path | None = None
    """The naming overrides, where configured elsewhere than beside the schemas."""
    overrides_name: str | None = None
    """How diagnostics name ``overrides_file`` (relative, as configured)."""

    @property
    def overrides_path(self) -> Path:
        return self.overrides_file or self.schemas_dir / OVERRIDES_FILE

    @property
    def overrides_label(self) -> str:
        return self.overrides_name or f"{self.schemas_label}/{OVERRIDES_FILE}"

    cache_dir: Path | None = None
    """Where rendered text is cached between runs (None: no cache); never inside the output."""

    @property
    def package_dir(self) -> Path:
        """The generated package's own directory, the one tree ``generate`` owns.

        ``output_dir`` is the import root (the directory on ``sys.path``); a dotted package
        (``acme._vendor.runcomfy``) lives below it in its host packages, which are not ours.
        """
        return self.output_dir.joinpath(*self.package.split("."))


def read_file_config(pyproject: Path) -> FileConfig:
    if not pyproject.is_file():
        return FileConfig()
    try:
        table = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{pyproject.name}: {error}") from error
    section = table.get("tool", {}).get("runcomfy-codegen", {})
    known = {field.name for field in fields(FileConfig)}
    unknown = sorted(set(section) - known)
    if unknown:
        raise ConfigError(
            f"{pyproject.name} [tool.runcomfy-codegen]: unknown keys {unknown} "
            f"(known: {', '.join(sorted(known))})"
        )
    for key, value in section.items():
        if not isinstance(value, str):
            raise ConfigError(f"{pyproject.name} [tool.runcomfy-codegen]: {key} must be a string")
    return FileConfig(**section)


def resolve(
    file_config: FileConfig,
    *,
    root: Path,
    schemas: str | None = None,
    output: str | None = None,
    package: str | None = None,
    version: str | None = None,
    regenerate: str | None = None,
    distribution: str | None = None,
    overrides: str | None = None,
) -> Config:
    """Flags win over the file, the file over defaults; paths are relative to ``root``."""
    schemas_label = schemas or file_config.schemas or "schemas"
    package_name = package or file_config.package or DEFAULT_PACKAGE
    problem = package_name_problem(package_name)
    if problem is not None:
        raise ConfigError(f"package name {package_name!r} {problem}")
    sdk_version = version or file_config.version or DEFAULT_VERSION
    if not _VERSION.fullmatch(sdk_version):
        raise ConfigError(
            f"version {sdk_version!r} is not a release version such as '1.2.0' (PEP 440)"
        )
    return Config(
        schemas_dir=root / schemas_label,
        schemas_label=Path(schemas_label).as_posix(),
        output_dir=root / (output or file_config.output or "generated"),
        package=package_name,
        templates_dir=bundled_templates(),
        version=sdk_version,
        regenerate=_one_line(
            "regenerate", regenerate or file_config.regenerate or DEFAULT_REGENERATE
        ),
        distribution=_distribution(distribution or file_config.distribution, package_name),
        **_overrides(overrides or file_config.overrides, root=root),
        cache_dir=default_cache_dir(root),
    )


def _overrides(name: str | None, *, root: Path) -> dict[str, Any]:
    if name is None:
        return {}
    return {"overrides_file": root / name, "overrides_name": Path(name).as_posix()}


# PEP 508 names: letters, digits, and ``.``, ``-``, ``_`` inside.
_DISTRIBUTION = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")


def _distribution(name: str | None, package: str) -> str | None:
    if name is None:
        return None
    if not _DISTRIBUTION.fullmatch(name):
        raise ConfigError(f"distribution {name!r} is not a distribution name (PEP 508)")
    if "." in package:
        raise ConfigError(
            f"distribution {name!r} needs a top-level package; {package!r} is vendored "
            "inside another package"
        )
    return name


def _one_line(key: str, value: str) -> str:
    # The value goes into a comment at the top of every generated file (Python or Markdown).
    if not value.strip() or not value.isprintable() or "-->" in value:
        raise ConfigError(f"{key} {value!r} must be one line of printable text without '-->'")
    return value


def package_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be imported as a (dotted) package name; None when it can."""
    for part in name.split("."):
        if not (part.isascii() and part.isidentifier()):
            return f"is not a dotted Python name ({part!r} is not an identifier)"
        if keyword.iskeyword(part):
            return f"is not a dotted Python name ({part!r} is a keyword)"
    return None


def bundled_templates() -> Path:
    """The templates the generator renders with, found through its own package.

    Installed, they are the package data ``runcomfy_codegen.templates``. In a source
    checkout run as ``python -m generator`` there is no such subpackage: the build maps the
    checkout's top-level ``templates/`` folder there, so that folder is the same data.
    """
    spec = importlib.util.find_spec(f"{__package__}.templates")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return Path(__file__).resolve().parent.parent / "templates"
