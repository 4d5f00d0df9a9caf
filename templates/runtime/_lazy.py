"""Load generated model modules on first use, so importing the package stays cheap.

A catalog of a thousand models must not import a thousand modules when the client is
created, and adding a model must not rewrite a file that lists the whole catalog. So each
level of model ids that holds models (``community/wan-2-2/``) has a small index module,
``models/_index/<level>.py``, naming its models' classes and registry entries; the
package's ``models`` and ``MODELS`` resolve names through those indexes on first access
(PEP 562 module ``__getattr__``, a lazy mapping).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from ._models import OutputModel, RequestModel

__all__ = [
    "ModelInfo",
    "ModelRegistry",
    "load_export",
    "load_indexed_export",
    "untyped_output",
]

_PACKAGE = __name__.rsplit(".", 2)[0]
_ModelT = TypeVar("_ModelT", "RequestModel", "OutputModel")


def load_export(package: str, modules: Mapping[str, str], name: str) -> object:
    """Resolve ``package.name`` from the module ``modules[name]``, caching it on the package."""
    module_name = modules.get(name)
    if module_name is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module_name}", package), name)
    setattr(sys.modules[package], name, value)
    return value


def load_indexed_export(package: str, levels: tuple[str, ...], name: str) -> object:
    """Resolve ``package.name`` through the level indexes (``_index.<level>.MODULE_OF``)."""
    for level in levels:
        modules: Mapping[str, str] = _index(package, level).MODULE_OF
        if name in modules:
            return load_export(package, modules, name)
    raise AttributeError(f"module {package!r} has no attribute {name!r}")


def indexed_names(package: str, levels: tuple[str, ...]) -> list[str]:
    """Every name the level indexes export (loads them all)."""
    return sorted(name for level in levels for name in _index(package, level).MODULE_OF)


def _index(package: str, level: str) -> ModuleType:
    return importlib.import_module(f".{level}", f"{package}._index")


class ModelRegistry(Mapping[str, "ModelInfo"]):
    """Model id → ``ModelInfo``, read from the level indexes as they are asked for.

    ``levels`` maps the level of an id (everything before its last ``/``) to its index
    module; looking one model up imports one small index, iterating imports them all.
    """

    def __init__(self, levels: Mapping[str, str]) -> None:
        self._levels = dict(levels)

    def __getitem__(self, model_id: str) -> ModelInfo:
        level = self._levels.get(model_id.rpartition("/")[0])
        if level is None:
            raise KeyError(model_id)
        entries: Mapping[str, ModelInfo] = _index(f"{_PACKAGE}.models", level).MODELS
        return entries[model_id]

    def __iter__(self) -> Iterator[str]:
        ids = (
            model_id
            for level in self._levels.values()
            for model_id in _index(f"{_PACKAGE}.models", level).MODELS
        )
        return iter(sorted(ids))

    def __len__(self) -> int:
        return sum(
            len(_index(f"{_PACKAGE}.models", level).MODELS) for level in self._levels.values()
        )

    def __repr__(self) -> str:
        return f"ModelRegistry({len(self._levels)} levels)"


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One model of the package: its id and where its generated classes live."""

    model_id: str
    module: str
    request_class: str
    output_class: str

    def request_type(self) -> type[RequestModel]:
        """The generated request class (imports its module on first use)."""
        from ._models import RequestModel

        return _load_class(self.module, self.request_class, RequestModel)

    def output_type(self) -> type[OutputModel]:
        """The generated output class (imports its module on first use)."""
        from ._models import OutputModel

        return _load_class(self.module, self.output_class, OutputModel)


def _load_class(module: str, name: str, base: type[_ModelT]) -> type[_ModelT]:
    value = load_export(f"{_PACKAGE}.models", {name: module}, name)
    if not (isinstance(value, type) and issubclass(value, base)):
        raise TypeError(f"{_PACKAGE}.models.{name} is not a {base.__name__} subclass")
    return value


def untyped_output() -> type[OutputModel]:
    """``OutputModel``, for calls by model id: pydantic loads with the first call, not the client."""
    from ._models import OutputModel

    return OutputModel
