"""Load generated model modules on first use, so importing the package stays cheap.

A catalog of a thousand models must not import a thousand modules when the client is
created: package ``__init__`` modules map each public name to the module defining it and
resolve it here on first access (PEP 562 module ``__getattr__``).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

from ._models import OutputModel, RequestModel

__all__ = ["ModelInfo", "load_export"]

_PACKAGE = __name__.rsplit(".", 2)[0]
_ModelT = TypeVar("_ModelT", RequestModel, OutputModel)


def load_export(package: str, modules: Mapping[str, str], name: str) -> object:
    """Resolve ``package.name`` from the module ``modules[name]``, caching it on the package."""
    module_name = modules.get(name)
    if module_name is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module_name}", package), name)
    setattr(sys.modules[package], name, value)
    return value


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One model of the package: its id and where its generated classes live."""

    model_id: str
    module: str
    request_class: str
    output_class: str

    def request_type(self) -> type[RequestModel]:
        """The generated request class (imports its module on first use)."""
        return _load_class(self.module, self.request_class, RequestModel)

    def output_type(self) -> type[OutputModel]:
        """The generated output class (imports its module on first use)."""
        return _load_class(self.module, self.output_class, OutputModel)


def _load_class(module: str, name: str, base: type[_ModelT]) -> type[_ModelT]:
    value = load_export(f"{_PACKAGE}.models", {name: module}, name)
    if not (isinstance(value, type) and issubclass(value, base)):
        raise TypeError(f"{_PACKAGE}.models.{name} is not a {base.__name__} subclass")
    return value
