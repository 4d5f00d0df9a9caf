"""What a submit sends: a model id and a JSON body, typed or not, with ``extra_body`` merged.

A generated model's accessor and ``client.submit(model_id, input)`` both build a
``Submission`` here and hand it to the same operation: a typed request gives its
``to_body()`` and the friendly names of its wire keys (so that a server's 422 names fields
as the caller wrote them); an untyped ``dict`` is sent as given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._errors import InputValidationError
from ._problems import NO_FIELD_NAMES, FieldNames, FieldProblem
from ._sansio import logger

if TYPE_CHECKING:
    from ._models import RequestModel

__all__ = ["Submission"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Submission:
    """One submit's model id and body (wire keys), and how to name its keys in errors."""

    model_id: str
    body: dict[str, Any]
    names: FieldNames = NO_FIELD_NAMES

    @classmethod
    def of_request(
        cls, request: RequestModel, *, extra_body: Mapping[str, object] | None = None
    ) -> Submission:
        """A typed request's body; ``extra_body`` may add keys no typed field covers."""
        from ._models import RequestModel, field_names  # loaded with the request's class

        if not isinstance(request, RequestModel):
            raise TypeError(f"expected a request object, not {type(request).__name__}")
        names = field_names(type(request))
        body = _merged(request.to_body(), extra_body, names, request.model_id)
        return cls(model_id=request.model_id, body=body, names=names)

    @classmethod
    def of_input(
        cls,
        model_id: str,
        input: Mapping[str, Any] | None,
        *,
        extra_body: Mapping[str, object] | None = None,
    ) -> Submission:
        """An untyped body for any model id, sent as given (wire keys)."""
        if not isinstance(model_id, str):
            raise TypeError(
                f"model_id must be a str such as 'owner/model/variant', not {model_id!r}"
            )
        body = _string_keyed(input if input is not None else {}, "input")
        return cls(model_id=model_id, body=_merged(body, extra_body, NO_FIELD_NAMES, model_id))


def _merged(
    body: dict[str, Any],
    extra_body: Mapping[str, object] | None,
    names: FieldNames,
    model_id: str,
) -> dict[str, Any]:
    if not extra_body:
        return body
    extra = _string_keyed(extra_body, "extra_body")
    clashes = [_clash(key, names) for key in extra if names.known(key) or key in body]
    if clashes:
        raise InputValidationError(
            f"extra_body for {model_id} repeats an input: "
            + "; ".join(str(problem) for problem in clashes),
            problems=clashes,
        )
    # Keys no typed field checks go out as given: say so where a developer looks.
    logger.debug("submitting %s with extra_body keys %s", model_id, ", ".join(sorted(extra)))
    return {**body, **extra}


def _clash(key: str, names: FieldNames) -> FieldProblem:
    name, wire_key = names.resolve(key)
    advice = (
        f"set {name}= instead; extra_body is for keys the typed fields do not cover"
        if name is not None
        else "give each key once, in the input or in extra_body"
    )
    return FieldProblem(name, wire_key or key, f"given in extra_body too: {advice}", (key,))


def _string_keyed(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise TypeError(f"{what} must be a mapping with str keys (wire keys), not {value!r}")
    return dict(value)
