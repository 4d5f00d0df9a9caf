"""Every API operation, once, as a sans-IO generator (see ``_sansio``).

``Operations`` builds the requests of the queue and catalog endpoints, parses their
answers into the typed models of ``_types`` and, for ``wait``/``run``, decides when to
poll, what to report and when to give up. The sync and async clients only choose a
driver to run these generators with.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ValidationError

from ._errors import (
    APIError,
    BadResponseError,
    JobCancelledError,
    JobFailedError,
    NotCancellableError,
    RateLimitError,
    RunComfyError,
    WaitTimeoutError,
)
from ._options import NO_OPTIONS, CallOptions, OnSubmitted, OnUpdate
from ._problems import NO_FIELD_NAMES, FieldNames
from ._sansio import (
    ApiCall,
    Notify,
    Operation,
    Settings,
    Sleep,
    call,
    call_with_response,
    is_transient,
    logger,
)
from ._submission import Submission
from ._timing import Timing
from ._types import (
    CancelResponse,
    JobResult,
    JobStatus,
    ModelEntry,
    ModelList,
    SubmitResponse,
)
from ._typevars import OutputT

__all__ = ["OnUpdate", "Operations"]

_AnswerT = TypeVar("_AnswerT", bound=BaseModel)


class Operations:
    """The API's operations for one client's settings; each method returns a generator.

    ``options`` (``CallOptions``) apply to every HTTP call an operation makes.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def submit(
        self,
        submission: Submission,
        *,
        options: CallOptions = NO_OPTIONS,
        on_submitted: OnSubmitted | None = None,
    ) -> Operation[SubmitResponse]:
        """Start a job. Not resent once it may have reached the server (paid, no idempotency).

        ``on_submitted`` hears the request id as soon as the server has accepted the job.
        """
        api = self._api_call(
            "POST",
            self._url("v1", "models", _model_path(submission.model_id)),
            options=options,
            body=submission.body,
            resendable=False,
            names=submission.names,
        )
        try:
            body = yield from call(api, self.settings)
        except BaseException as stop:
            if _is_interruption(stop):
                stop.add_note(
                    f"A submit to {submission.model_id} was interrupted: it may have reached "
                    "RunComfy and started a job; check your requests before submitting again."
                )
            raise
        submitted = self._accepted(body)
        logger.info(
            "submitted %s as request %s",
            submission.model_id,
            self.settings.token.scrub(submitted.request_id),
        )
        if on_submitted is not None:
            yield from _told(on_submitted, submitted.request_id)
        return submitted

    def _accepted(self, body: dict[str, Any]) -> SubmitResponse:
        try:
            return _parse(SubmitResponse, body, request_id=None)
        except BadResponseError as error:
            # The job may exist (and be billed): say so, and keep all the server said.
            said = self.settings.token.scrub(json.dumps(body, ensure_ascii=False)[:2000])
            raise BadResponseError(
                f"{error.message}. The job may have been created: check your RunComfy "
                f"requests before submitting again. The server answered: {said}",
                status_code=error.status_code,
            ) from None

    def status(
        self,
        request_id: str,
        *,
        deadline: float | None = None,
        options: CallOptions = NO_OPTIONS,
    ) -> Operation[JobStatus]:
        request_id = _require_id(request_id)
        api = self._request_call("GET", request_id, "status", options=options)
        body = yield from call(api, self.settings, deadline=deadline)
        return _parse(JobStatus, _with_id(body, request_id), request_id=request_id)

    def result(
        self,
        request_id: str,
        output_type: type[OutputT],
        *,
        include_cost: bool = False,
        deadline: float | None = None,
        options: CallOptions = NO_OPTIONS,
    ) -> Operation[JobResult[OutputT]]:
        """The job's result, with the HTTP answer it came from (``JobResult.response``)."""
        request_id = _require_id(request_id)
        params = (("include_cost", "true"),) if include_cost else ()
        api = self._request_call("GET", request_id, "result", params=params, options=options)
        body, response = yield from call_with_response(api, self.settings, deadline=deadline)
        model: type[JobResult[OutputT]] = _result_model(output_type)
        if "error" in body:
            # A failed job's report is shown to users; a server that echoes the token must not leak it.
            body = {**body, "error": self.settings.token.scrub_json(body["error"])}
        parsed = _parse(model, _with_id(body, request_id), request_id=request_id)
        parsed._response = replace(response, body=body)
        return parsed

    def cancel(
        self,
        request_id: str,
        *,
        deadline: float | None = None,
        options: CallOptions = NO_OPTIONS,
    ) -> Operation[CancelResponse]:
        """Cancel a queued job; a running or finished one raises ``NotCancellableError``."""
        request_id = _require_id(request_id)
        api = self._request_call("POST", request_id, "cancel", options=options)
        body = yield from call(api, self.settings, deadline=deadline)
        answer = _parse(CancelResponse, _with_id(body, request_id), request_id=request_id)
        if not answer.is_accepted:
            raise NotCancellableError(
                f"Request {request_id} cannot be cancelled (outcome {answer.outcome!r}, "
                f"state {answer.status!r})",
                request_id=request_id,
                status=answer.status,
            )
        return answer

    def list_models(
        self,
        *,
        limit: int | None = None,
        offset: int | None = None,
        include_schema: bool = False,
        options: CallOptions = NO_OPTIONS,
    ) -> Operation[ModelList]:
        wanted = {
            "include_schema": "true" if include_schema else None,
            "limit": limit,
            "offset": offset,
        }
        params = tuple((name, str(value)) for name, value in wanted.items() if value is not None)
        api = self._api_call(
            "GET", self._url("v1", "models"), options=options, params=params, resendable=True
        )
        body = yield from call(api, self.settings)
        return _parse(ModelList, body, request_id=None)

    def get_model(
        self, model_id: str, *, options: CallOptions = NO_OPTIONS
    ) -> Operation[ModelEntry]:
        url = self._url("v1", "models", _model_path(model_id))
        api = self._api_call("GET", url, options=options, resendable=True)
        body = yield from call(api, self.settings)
        return _parse(ModelEntry, body, request_id=None)

    def run(
        self,
        submission: Submission,
        output_type: type[OutputT],
        *,
        timeout: float | None = None,
        on_update: OnUpdate | None = None,
        options: CallOptions = NO_OPTIONS,
        on_submitted: OnSubmitted | None = None,
        cancel_on_interrupt: bool = False,
    ) -> Operation[OutputT]:
        """Submit, then wait for the output; ``timeout`` counts from the submit.

        Whatever ends the wait, the request id goes with it: RunComfy errors carry it, and
        anything else (a callback's error, Ctrl-C, task cancellation) gets a note naming it.
        With ``cancel_on_interrupt``, an interruption first sends one bounded cancel.
        """
        deadline = _deadline(timeout, self.settings)
        submitted = yield from self.submit(submission, options=options, on_submitted=on_submitted)
        request_id = submitted.request_id
        try:
            output = yield from self._wait(
                request_id,
                output_type,
                deadline=deadline,
                timeout=timeout,
                on_update=on_update,
                options=options,
            )
        except RunComfyError:
            raise  # it carries the request id
        except GeneratorExit:
            raise  # the driver is closing us: no more steps
        except BaseException as stop:
            report = f"Request {request_id} was submitted and goes on."
            if cancel_on_interrupt and _is_interruption(stop):
                report = yield from self._cancel_on_interrupt(request_id, options)
            logger.warning("run of request %s stopped: %s", request_id, report)
            stop.add_note(report)
            raise
        return output

    def _cancel_on_interrupt(self, request_id: str, options: CallOptions) -> Operation[str]:
        """One cancel, not retried, bounded by ``timing.cancel_on_interrupt``; what came of it."""
        deadline = self.settings.timing.monotonic() + self.settings.timing.cancel_on_interrupt
        once = replace(options, max_retries=0)
        try:
            yield from self.cancel(request_id, deadline=deadline, options=once)
        except NotCancellableError as refused:
            return (
                f"Request {request_id} could not be cancelled on interrupt (it is "
                f"{refused.status!r}): it goes on and may be billed; resume it with "
                f"client.job({request_id!r})."
            )
        except RunComfyError as error:
            return (
                f"The cancel of request {request_id} on interrupt failed ({type(error).__name__}); "
                "the job may go on: check your RunComfy requests."
            )
        return f"Request {request_id} was cancelled on interrupt."

    def wait(
        self,
        request_id: str,
        output_type: type[OutputT],
        *,
        timeout: float | None = None,
        on_update: OnUpdate | None = None,
        options: CallOptions = NO_OPTIONS,
    ) -> Operation[OutputT]:
        """Poll until the job ends; return its output or raise why there is none.

        ``timeout`` None waits as long as the job takes.
        """
        deadline = _deadline(timeout, self.settings)
        output = yield from self._wait(
            _require_id(request_id),
            output_type,
            deadline=deadline,
            timeout=timeout,
            on_update=on_update,
            options=options,
        )
        return output

    def _wait(
        self,
        request_id: str,
        output_type: type[OutputT],
        *,
        deadline: float | None,
        timeout: float | None,
        on_update: OnUpdate | None,
        options: CallOptions,
    ) -> Operation[OutputT]:
        tracker = _Tracker()
        outage = _Outage()
        timing = self.settings.timing
        last: str | None = None
        while True:
            try:
                current = yield from self.status(request_id, deadline=deadline, options=options)
                if tracker.observe(current):
                    _log_status(current)
                    if on_update is not None:
                        yield Notify(on_update, current)
                last = current.status
                output = None
                if current.is_terminal:
                    output = yield from self._outcome(
                        current, output_type, deadline=deadline, options=options
                    )
            except APIError as error:
                # A failure that may pass is polled through while the wait has time left.
                delay = outage.delay(error, timing, bounded=deadline is not None)
                if delay is None:
                    raise
                pause = _pause(delay, deadline, timing.monotonic())
                if pause is None:  # the poll ran out of time with the wait: the wait's timeout
                    raise WaitTimeoutError(
                        f"Request {request_id} did not end within {timeout}s "
                        f"(last known status {last!r}); the job goes on",
                        request_id=request_id,
                        timeout=timeout,
                        last_status=last,
                    ) from error
                logger.info(
                    "request %s: poll failed (%s); polling again in %.2fs",
                    request_id,
                    type(error).__name__,
                    pause,
                )
                yield Sleep(pause)
                continue
            outage = _Outage()
            if output is not None:
                return output
            pause = _pause(tracker.next_delay(timing), deadline, timing.monotonic())
            if pause is None:
                raise WaitTimeoutError(
                    f"Request {request_id} is still {current.status!r} after {timeout}s",
                    request_id=request_id,
                    timeout=timeout,
                    last_status=current.status,
                )
            yield Sleep(pause)

    def _outcome(
        self,
        current: JobStatus,
        output_type: type[OutputT],
        *,
        deadline: float | None,
        options: CallOptions,
    ) -> Operation[OutputT | None]:
        """The output of a job that ended, an error, or None if the result lags behind."""
        request_id = current.request_id
        if current.is_cancelled:
            raise JobCancelledError(f"Request {request_id} was cancelled", request_id=request_id)
        final = yield from self.result(request_id, output_type, deadline=deadline, options=options)
        if current.is_failed or final.is_failed:
            raise JobFailedError(
                self.settings.token.scrub(f"Request {request_id} failed: {_describe(final.error)}"),
                request_id=request_id,
                error=final.error,
            )
        if final.is_cancelled:
            raise JobCancelledError(f"Request {request_id} was cancelled", request_id=request_id)
        if not final.is_succeeded:
            return None
        if final.output is None:
            raise BadResponseError(
                f"Request {request_id} is {final.status!r} but its result has no output",
                request_id=request_id,
            )
        return final.output

    def _request_call(
        self,
        method: Literal["GET", "POST"],
        request_id: str,
        action: str,
        *,
        options: CallOptions = NO_OPTIONS,
        params: tuple[tuple[str, str], ...] = (),
    ) -> ApiCall:
        url = self._url("v1", "requests", quote(request_id, safe=""), action)
        return self._api_call(
            method, url, options=options, params=params, resendable=True, request_id=request_id
        )

    def _api_call(
        self,
        method: Literal["GET", "POST"],
        url: str,
        *,
        options: CallOptions,
        resendable: bool,
        params: tuple[tuple[str, str], ...] = (),
        body: dict[str, Any] | None = None,
        request_id: str | None = None,
        names: FieldNames = NO_FIELD_NAMES,
    ) -> ApiCall:
        """Every HTTP call of every operation is built here, with the caller's options."""
        return ApiCall(
            method=method,
            url=url,
            params=(*params, *options.query),
            body=body,
            resendable=resendable,
            request_id=request_id,
            headers=options.headers,
            timeout=options.timeout,
            max_retries=options.max_retries,
            names=names,
        )

    def _url(self, *parts: str) -> str:
        return "/".join((self.settings.base_url, *parts))


@dataclass(slots=True)
class _Tracker:
    """What the waiter has seen so far, and how far the poll interval has grown."""

    state: str | None = None
    position: int | None = None
    polls_in_state: int = 0

    def observe(self, current: JobStatus) -> bool:
        """Record ``current``; True if its state or queue position is new."""
        changed_state = current.status != self.state
        changed = changed_state or current.queue_position != self.position
        # A new state restarts the schedule, so a job that leaves a long queue is
        # watched closely again; a moving queue position does not.
        self.polls_in_state = 0 if changed_state else self.polls_in_state + 1
        self.state, self.position = current.status, current.queue_position
        return changed

    def next_delay(self, timing: Timing) -> float:
        return timing.poll.delay(self.polls_in_state, timing.random())


@dataclass(slots=True)
class _Outage:
    """The failures of a wait's polls since its last good one."""

    failures: int = 0
    since: float | None = None

    def delay(self, error: APIError, timing: Timing, *, bounded: bool) -> float | None:
        """Seconds to wait before polling again, or None to give up with ``error``.

        A wait with a deadline polls through transient failures until the deadline; one
        without gives up once they have lasted ``timing.retry_budget``.
        """
        if not is_transient(error):
            return None
        now = timing.monotonic()
        self.since = now if self.since is None else self.since
        delay = timing.retry.delay(self.failures, timing.random())
        if isinstance(error, RateLimitError) and error.retry_after is not None:
            delay = max(delay, error.retry_after)
        self.failures += 1
        if not bounded and now - self.since + delay > timing.retry_budget:
            return None
        return delay


def _pause(delay: float, deadline: float | None, now: float) -> float | None:
    """How long to sleep before the next poll; None when the deadline has passed."""
    if deadline is None:
        return delay
    remaining = deadline - now
    return min(delay, remaining) if remaining > 0 else None


def _deadline(timeout: float | None, settings: Settings) -> float | None:
    if timeout is None:
        return None
    if timeout < 0:
        raise ValueError(f"timeout must be None or >= 0, not {timeout!r}")
    return settings.timing.monotonic() + timeout


def _log_status(current: JobStatus) -> None:
    position = (
        "" if current.queue_position is None else f" (queue position {current.queue_position})"
    )
    unknown = "" if current.is_known else " (a state this SDK does not know; still polling)"
    logger.info("request %s: %s%s%s", current.request_id, current.status, position, unknown)


def _is_interruption(stop: BaseException) -> bool:
    """Ctrl-C, task cancellation, exit: not an error of the call, and not a closing driver."""
    return not isinstance(stop, Exception | GeneratorExit)


def _told(callback: OnSubmitted, request_id: str) -> Operation[None]:
    try:
        yield Notify(callback, request_id)
    except GeneratorExit:
        raise
    except BaseException as stop:
        stop.add_note(f"Request {request_id} was submitted and goes on.")
        raise


def _model_path(model_id: str) -> str:
    # Model ids are paths ("community/wan-2-2/first-last-frame"): keep the slashes.
    path = quote(model_id.strip("/"), safe="/")
    if not path or any(part in ("", ".", "..") for part in path.split("/")):
        raise ValueError(f"{model_id!r} is not a RunComfy model id such as 'owner/model/variant'")
    return path


def _require_id(request_id: str) -> str:
    if not isinstance(request_id, str) or not request_id.strip():
        raise ValueError(f"request_id must be a non-empty string, not {request_id!r}")
    return request_id.strip()


def _with_id(body: dict[str, Any], request_id: str) -> dict[str, Any]:
    # Answers about one request sometimes leave its id out; we know it anyway.
    return body if body.get("request_id") else {**body, "request_id": request_id}


def _parse(model: type[_AnswerT], body: dict[str, Any], *, request_id: str | None) -> _AnswerT:
    try:
        return model.model_validate(body)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}" for item in error.errors()
        )
        raise BadResponseError(
            f"The API's answer does not fit {model.__name__}: {problems}", request_id=request_id
        ) from None


def _describe(error: object) -> str:
    if error is None:
        return "the server gave no reason"
    if isinstance(error, str):
        return error
    if isinstance(error, dict):
        for key in ("message", "error_message", "detail"):
            if isinstance(error.get(key), str):
                return str(error[key])
    return repr(error)


@functools.cache
def _result_model(output_type: type[OutputT]) -> type[JobResult[OutputT]]:
    """``JobResult[output_type]``, built once per output class.

    Parametrizing the generic at run time is how pydantic learns the output class; pydantic's
    own cache of parametrized models is weak and was seen rebuilding it in 8 % of calls.
    """
    return JobResult[output_type]  # type: ignore[valid-type]
