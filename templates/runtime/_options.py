"""Per-call options of the generated ``submit``/``run`` methods, declared once.

A generated method takes ``**kwargs: Unpack[...]`` of a ``TypedDict`` that merges the
model's parameters with one of these. Their keys are reserved by the generator's naming
rules, so no model parameter can take one; ``split_options`` tells them apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from ._operations import OnUpdate

__all__ = ["AsyncRunOptions", "RunOptions", "SubmitOptions", "split_options"]


class SubmitOptions(TypedDict, total=False):
    """Options of ``submit`` besides the model's parameters (none yet)."""


class RunOptions(TypedDict, total=False):
    """Options of ``run`` besides the model's parameters."""

    timeout: float | None
    """Seconds to wait in all before giving up (None waits indefinitely)."""
    on_update: OnUpdate | None
    """Called with every change of state or queue position."""


class AsyncRunOptions(TypedDict, total=False):
    """Options of the async ``run`` besides the model's parameters."""

    timeout: float | None
    """Seconds to wait in all before giving up (None waits indefinitely)."""
    on_update: OnUpdate | None
    """Called with every change of state or queue position."""


def option_names(options: type) -> frozenset[str]:
    """The keys an options ``TypedDict`` declares."""
    keys: frozenset[str] = options.__required_keys__ | options.__optional_keys__  # type: ignore[attr-defined]
    return keys


def split_options(
    kwargs: Mapping[str, Any], options: frozenset[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(parameters, options)`` of a generated method's keyword arguments."""
    parameters: dict[str, Any] = {}
    chosen: dict[str, Any] = {}
    for key, value in kwargs.items():
        (chosen if key in options else parameters)[key] = value
    return parameters, chosen
