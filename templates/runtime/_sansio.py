"""The sans-IO core: one API call as a generator of steps, with every decision in it.

An *operation* is a generator that yields steps (``Send`` an HTTP request, ``Sleep``,
``Notify`` a callback) and receives each step's outcome back. It decides everything:
which request to send, how to read the answer, which error to raise, whether and how
long to wait before retrying. It performs no I/O, so the sync and the async client run
the very same operations through two small drivers (``_drivers.py``), and the tests
drive it with fakes.

Retry rules, in one place (``_retry_delay``):

* Status, result, cancel and catalog calls are retried on connection errors, timeouts,
  dropped connections, HTTP 408, 429 and 5xx, with exponential backoff and jitter,
  honouring ``Retry-After``, up to ``max_retries`` times.
* A submit is a paid POST and the API offers no idempotency key: once the request may
  have reached the server, sending it again could start (and bill) a second job. It is
  therefore retried only when the connection could not be established at all (connect
  error, connect timeout, no free pooled connection), never after a read timeout, a
  dropped connection or any HTTP answer.
* ``wait``/``run`` poll again after a failure that may pass (``is_transient``: no answer,
  408, 429, 5xx) for as long as their deadline allows, once the poll's own retries are
  spent; without a deadline, until such failures have lasted ``timing.retry_budget``.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import unicodedata
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, TypeVar
from urllib.parse import quote, quote_plus

import httpx

from .._version import GENERATOR, __version__
from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    BadResponseError,
    RateLimitError,
    RawResponse,
    RunComfyError,
    ServerError,
    error_from_response,
)
from ._problems import NO_FIELD_NAMES, FieldNames
from ._timing import Timing, parse_retry_after

if TYPE_CHECKING:
    from ._types import JobStatus

__all__ = [
    "ApiCall",
    "Failed",
    "Notify",
    "Operation",
    "Received",
    "Reply",
    "Secret",
    "Send",
    "Settings",
    "Sleep",
    "Step",
    "call",
    "call_with_response",
    "is_transient",
    "logger",
]

PACKAGE = __name__.rsplit(".", 2)[0]
logger = logging.getLogger(PACKAGE)
# Names this SDK, its generator and the platform, so the API can tell versions apart.
USER_AGENT = (
    f"{PACKAGE}/{__version__} ({GENERATOR}; python/{'.'.join(map(str, sys.version_info[:3]))}; "
    f"httpx/{httpx.__version__})"
)

T = TypeVar("T")
TransportKind = Literal["not_sent", "timeout", "broken", "fatal"]
_REDACTED = "[REDACTED]"
_RETRYABLE_STATUS = frozenset({408, 429})


class Secret:
    """The API token: never shown by ``repr``/``str``, and scrubbed from what servers send.

    A token must be visible ASCII (it travels in an HTTP header, where anything else
    cannot be sent). A token of at least ``SCRUB_ANYWHERE`` characters is scrubbed
    wherever it occurs: a string that long does not turn up by chance. A shorter one
    (a test server's, say) is scrubbed only where it stands alone, not inside a longer run
    of letters and digits, so that a token such as ``t`` does not blank every ``t``.
    """

    __slots__ = ("_pattern", "_value")

    SCRUB_ANYWHERE = 12

    def __init__(self, value: str) -> None:
        _check_token(value)
        self._value = value
        # Every spelling a server may echo it in: raw, JSON-escaped (with and without
        # escaped slashes), URL- and form-encoded; and each as a repr shows it (backslashes
        # doubled). Longest first, so that no shorter form leaves part of a longer one behind.
        escaped = json.dumps(value)[1:-1]
        forms = {
            value,
            escaped,
            escaped.replace("/", "\\/"),
            quote(value, safe=""),
            quote_plus(value, safe=""),
        }
        forms |= {form.replace("\\", "\\\\") for form in forms}
        alternatives = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
        if len(value) < self.SCRUB_ANYWHERE:
            alternatives = f"(?<![A-Za-z0-9])(?:{alternatives})(?![A-Za-z0-9])"
        self._pattern = re.compile(alternatives)

    def reveal(self) -> str:
        return self._value

    def scrub(self, text: str) -> str:
        """``text`` with every occurrence of the secret, in any of its spellings, blanked out."""
        return self._pattern.sub(_REDACTED, text)

    def appears_in(self, text: str) -> bool:
        return self._pattern.search(text) is not None

    def may_be_in_json(self, content: bytes) -> bool:
        """Whether a JSON text may hold the secret once decoded.

        A visible-ASCII token inside a JSON string reads as one of its spellings above,
        unless a ``\\u`` escape spells part of it; without such escapes, a search of the
        raw text says it all, and the decoded answer need not be walked. A short token is
        matched by its neighbours, which escapes (``\\n``) change: it is always walked.
        """
        if len(self._value) < self.SCRUB_ANYWHERE or b"\\u" in content:
            return True
        return self.appears_in(content.decode("utf-8", "replace"))

    def scrub_json(self, value: object) -> object:
        """A parsed JSON value with the secret blanked out of every string (and key) in it."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_json(item) for item in value]
        if isinstance(value, dict):
            return {self.scrub(key): self.scrub_json(item) for key, item in value.items()}
        return value

    def __repr__(self) -> str:
        return f"Secret({_REDACTED})"

    __str__ = __repr__


def _check_token(value: str) -> None:
    # Never quote the token itself: this message may end up in a log.
    for position, character in enumerate(value):
        if not "!" <= character <= "~":
            raise ValueError(
                f"the API token has a character that cannot be sent in an HTTP header "
                f"(position {position}: {unicodedata.name(character, 'a control character')}); "
                "copy the token again from your RunComfy profile"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """What every operation needs to know about its client."""

    base_url: str
    token: Secret
    max_retries: int
    timing: Timing
    user_agent: str = USER_AGENT

    def headers(self) -> dict[str, str]:
        """Headers of every API call."""
        return {
            "Authorization": f"Bearer {self.token.reveal()}",
            "Accept": "application/json",
            "User-Agent": self.user_agent,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiCall:
    """One HTTP call to the API, fully built."""

    method: Literal["GET", "POST"]
    url: str
    params: tuple[tuple[str, str], ...] = ()
    body: dict[str, Any] | None = None
    resendable: bool
    """False for a submit: resending after it may have reached the server could bill twice."""
    request_id: str | None = None
    """The job this call is about, for error messages."""
    deadline: float | None = None
    """A ``timing.monotonic`` time this call must not outlast: the driver caps its timeout."""
    headers: tuple[tuple[str, str], ...] = ()
    """Added to (or replacing) the client's headers (the caller's ``extra_headers``)."""
    timeout: httpx.Timeout | None = None
    """This call's HTTP timeout; None: the client's."""
    max_retries: int | None = None
    """This call's retries; None: the client's."""
    names: FieldNames = NO_FIELD_NAMES
    """The friendly names of the body's wire keys, for a 422's problems."""


@dataclass(frozen=True, slots=True)
class Send:
    call: ApiCall


@dataclass(frozen=True, slots=True)
class Sleep:
    seconds: float


@dataclass(frozen=True, slots=True)
class Notify:
    """Call the caller's ``callback`` with ``value`` (awaited if the async one returns an
    awaitable)."""

    callback: Callable[[Any], object]
    value: JobStatus | str


@dataclass(frozen=True, slots=True)
class Received:
    """An HTTP answer, read in full."""

    status_code: int
    content: bytes
    reason: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Case-insensitive when it comes from httpx; keys in lower case otherwise."""


@dataclass(frozen=True, slots=True)
class Failed:
    """No HTTP answer: the transport raised."""

    exception: Exception


Step: TypeAlias = Send | Sleep | Notify
Reply: TypeAlias = Received | Failed | None
Operation: TypeAlias = Generator[Step, Reply, T]


def call(api: ApiCall, settings: Settings, *, deadline: float | None = None) -> Operation[Any]:
    """Send ``api``, retrying as the module docstring says; return the decoded JSON body.

    With a ``deadline`` (a ``timing.monotonic`` value), no retry sleeps past it: the last
    error is raised instead.
    """
    body, _ = yield from call_with_response(api, settings, deadline=deadline)
    return body


def call_with_response(
    api: ApiCall, settings: Settings, *, deadline: float | None = None
) -> Operation[tuple[Any, RawResponse]]:
    """``call``, returning the whole answer as well as its decoded JSON body."""
    attempt, slept = 0, 0.0
    if deadline is not None:
        api = replace(api, deadline=deadline)
    while True:
        reply = yield Send(api)
        if not isinstance(reply, Received | Failed):
            raise TypeError(f"a Send step must be answered with Received or Failed, not {reply!r}")
        _log_reply(api, reply)
        try:
            body = _decode(reply, api, settings)
        except RunComfyError as error:
            delay = _retry_delay(api, reply, error, attempt=attempt, settings=settings)
            over_budget = delay is not None and slept + delay > settings.timing.retry_budget
            if delay is None or over_budget or _passes(deadline, delay, settings.timing):
                raise
            logger.info(
                "%s %s failed (%s); retry %d of %d in %.2fs",
                api.method,
                _path(api.url),
                _short(error),
                attempt + 1,
                _max_retries(api, settings),
                delay,
            )
        else:
            assert isinstance(reply, Received)  # _decode raises for a Failed reply
            return body, _raw_response(reply, body, settings)
        yield Sleep(delay)
        attempt, slept = attempt + 1, slept + delay


def _decode(reply: Received | Failed, api: ApiCall, settings: Settings) -> Any:
    if isinstance(reply, Failed):
        error = _transport_error(reply.exception, api, settings)
        # A cause that quotes the token (a garbage answer echoing it) is left out.
        leaks = settings.token.appears_in(f"{reply.exception!s} {reply.exception!r}")
        raise error from None if leaks else reply.exception
    # Every string a server sends is scrubbed before anything reads it: an answer that
    # echoes the token must not carry it into an error, a log line or a repr.
    body = _json(reply.content)
    if settings.token.may_be_in_json(reply.content):
        body = settings.token.scrub_json(body)
    if not 200 <= reply.status_code < 300 or _signals_error(body):
        raise _status_error(reply, body, api, settings)
    if not isinstance(body, dict):
        text = settings.token.scrub(reply.content.decode("utf-8", "replace"))
        raise BadResponseError(
            f"Expected a JSON object from {api.method} {_path(api.url)}, got {text[:200]!r}",
            status_code=reply.status_code,
            request_id=api.request_id,
        )
    return body


_NOT_JSON = object()


def _json(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
        return _NOT_JSON


def _signals_error(body: object) -> bool:
    """Some answers say "error" with HTTP 200 and an error_code/error_message body."""
    if not isinstance(body, dict):
        return False
    return body.get("error_code") not in (None, "", 0) or bool(body.get("error_message"))


def _status_error(
    reply: Received, body: object, api: ApiCall, settings: Settings
) -> APIStatusError:
    parsed = None if body is _NOT_JSON else body
    return error_from_response(
        status_code=reply.status_code,
        body=parsed,
        reason=settings.token.scrub(reply.reason),
        request_id=api.request_id,
        retry_after=_retry_after(reply, settings.timing),
        response=_raw_response(reply, parsed, settings),
        names=api.names,
    )


def _raw_response(reply: Received, body: object, settings: Settings) -> RawResponse:
    # Header values are scrubbed too: a server may echo the token in any of them. Most
    # answers hold none of it, and keep their headers as they came (one search, no copy).
    # The search reads the raw bytes as latin-1 (one byte, one character): every spelling
    # of the token is ASCII, so it is found there exactly when it is in the decoded values.
    token = settings.token
    if isinstance(reply.headers, httpx.Headers) and not token.appears_in(
        b"\n".join(value for _, value in reply.headers.raw).decode("latin-1")
    ):
        return RawResponse(status_code=reply.status_code, headers=reply.headers, body=body)
    headers = httpx.Headers([(name, token.scrub(value)) for name, value in reply.headers.items()])
    return RawResponse(status_code=reply.status_code, headers=headers, body=body)


def attempt_timeout(api: ApiCall, timeout: httpx.Timeout, timing: Timing) -> httpx.Timeout:
    """``timeout`` with every part capped to what is left before the call's deadline.

    A poll inside ``wait(timeout=5)`` must not hang for the client's 60 s read timeout.
    """
    if api.deadline is None:
        return timeout
    left = max(0.001, api.deadline - timing.monotonic())

    def cap(part: float | None) -> float:
        return left if part is None else min(part, left)

    return httpx.Timeout(
        connect=cap(timeout.connect), read=cap(timeout.read), write=cap(timeout.write),
        pool=cap(timeout.pool),
    )  # fmt: skip


def classify(exception: Exception) -> TransportKind:
    """How far a failed request got, from the exception the transport raised."""
    if isinstance(exception, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return "not_sent"
    if isinstance(exception, httpx.UnsupportedProtocol):
        return "fatal"
    if isinstance(exception, httpx.TimeoutException):
        return "timeout"
    return "broken"


def _transport_error(exception: Exception, api: ApiCall, settings: Settings) -> APIConnectionError:
    kind = classify(exception)
    what = (
        f"{type(exception).__name__}: {exception}" if str(exception) else type(exception).__name__
    )
    message = f"{api.method} {_path(api.url)} failed: {what}"
    if not api.resendable and kind != "not_sent":
        message += (
            ". The submit was not sent again, because it may have reached RunComfy and a "
            "second submit would start (and bill) a second job. Check your RunComfy request "
            "history before submitting again"
        )
    cls = APITimeoutError if isinstance(exception, httpx.TimeoutException) else APIConnectionError
    return cls(settings.token.scrub(message), request_id=api.request_id)


def _retry_delay(
    api: ApiCall,
    reply: Received | Failed,
    error: RunComfyError,
    *,
    attempt: int,
    settings: Settings,
) -> float | None:
    """Seconds to wait before sending ``api`` again, or None to give up with ``error``."""
    if attempt >= _max_retries(api, settings) or not _retryable(api, reply, error):
        return None
    timing = settings.timing
    backoff = timing.retry.delay(attempt, timing.random())
    wait = _retry_after(reply, timing) if isinstance(reply, Received) else None
    if wait is None:
        return backoff
    # Retry-After is a floor, never a reason to hammer: 0, a past date or a value below our
    # own backoff waits the backoff; one beyond ``max_retry_after`` is not waited out.
    return max(wait, backoff) if wait <= timing.max_retry_after else None


def _max_retries(api: ApiCall, settings: Settings) -> int:
    return settings.max_retries if api.max_retries is None else api.max_retries


def is_transient(error: RunComfyError) -> bool:
    """Whether the same call, made again later, may succeed: no answer, 408, 429 or 5xx."""
    if isinstance(error, APIConnectionError):
        return not isinstance(error.__cause__, httpx.UnsupportedProtocol)  # a bad base_url
    return error.status_code in _RETRYABLE_STATUS or isinstance(error, RateLimitError | ServerError)


def _retryable(api: ApiCall, reply: Received | Failed, error: RunComfyError) -> bool:
    if isinstance(reply, Failed):
        kind = classify(reply.exception)
        return kind == "not_sent" or (api.resendable and kind != "fatal")
    if not api.resendable:
        return False
    return reply.status_code in _RETRYABLE_STATUS or isinstance(error, RateLimitError | ServerError)


def _retry_after(reply: Received | Failed, timing: Timing) -> float | None:
    if not isinstance(reply, Received):
        return None
    value = reply.headers.get("retry-after") or reply.headers.get("Retry-After")
    return parse_retry_after(value, now=timing.wall_clock())


def _passes(deadline: float | None, delay: float, timing: Timing) -> bool:
    return deadline is not None and timing.monotonic() + delay > deadline


def _log_reply(api: ApiCall, reply: Received | Failed) -> None:
    if not logger.isEnabledFor(logging.DEBUG):
        return  # parsing the URL for a line nobody reads costs more than the call's own work
    outcome = (
        f"HTTP {reply.status_code}"
        if isinstance(reply, Received)
        else type(reply.exception).__name__
    )
    logger.debug("%s %s -> %s", api.method, _path(api.url), outcome)


def _path(url: str) -> str:
    return httpx.URL(url).raw_path.decode("ascii", "replace")


def _short(error: RunComfyError) -> str:
    status = f"HTTP {error.status_code}" if error.status_code is not None else ""
    return status or type(error).__name__
