"""Type variables of the runtime's generic classes, bound by name.

Bound by name so that the client, jobs and resources can be imported (and a client
created) without pydantic: the models they are bound to load with the first call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from ._models import OutputModel, RequestModel

__all__ = ["OutputT", "RequestT"]

OutputT = TypeVar("OutputT", bound="OutputModel")
RequestT = TypeVar("RequestT", bound="RequestModel")
