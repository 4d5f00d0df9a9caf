"""The client fault suite: a misbehaving server on loopback, one table, one test per property.

Each row of ``FAULTS`` is what a server does wrong (``misbehaving.py`` acts, per route and
attempt), the call that meets it, and what the client must make of it. Every row runs once
with the sync client and once with the async one, with small timeouts and a small retry
budget, and each property below is one test over all rows:

- the outcome is the row's typed ``RunComfyError`` subclass, or the call succeeds (a retry);
- the call ends within its bound: attempts x timeout + the retry budget for a single call,
  the wait's timeout + one attempt for ``wait``/``run`` (plus scheduling slack);
- the server received each route as often as the retry rules allow, and a submit at most once;
- the token shows nowhere: no log record (DEBUG, every logger), no ``str``/``repr``/args of
  the error or anything in its chain, no formatted traceback, no pickle of the error, no
  ``repr`` of the value returned or of the client; where the server echoed it, the scrubbed
  text says ``[REDACTED]`` instead.
"""

from __future__ import annotations

import asyncio
import json
import logging
import pickle
import time
import traceback
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import pytest
from runcomfy_sdk import (
    APIConnectionError,
    APITimeoutError,
    AsyncRunComfy,
    AuthenticationError,
    Backoff,
    BadResponseError,
    NotFoundError,
    RateLimitError,
    RunComfy,
    RunComfyError,
    ServerError,
    Timing,
    WaitTimeoutError,
)

from .conftest import FLF_FIELDS, SdkClient, closed_port, first_last_frame, settle
from .misbehaving import (
    ENDLESS,
    HANG,
    RESET_AFTER_READ,
    RESET_BEFORE_READ,
    TRICKLE_BODY,
    TRICKLE_HEAD,
    Act,
    MisbehavingServer,
    Route,
    answer,
    garbage,
)

TOKEN = "rc/fault+suite=token~5f1e9a07"
"""Slash, plus and equals: its raw, JSON-escaped and URL-encoded spellings all differ."""
SPELLINGS = {
    "raw": TOKEN,
    "json-slash": json.dumps(TOKEN)[1:-1].replace("/", "\\/"),
    "url": urllib.parse.quote(TOKEN, safe=""),
}
"""How a server may spell the token inside a JSON string, as it travels on the wire."""
REQUEST_ID = "r-1"

TIMEOUT = 0.2
"""Per HTTP attempt."""
MAX_RETRIES = 2
ATTEMPTS = MAX_RETRIES + 1
RETRY_BUDGET = 1.0
TIMING = Timing(
    poll=Backoff(initial=0.05, factor=1.0, maximum=0.05),
    retry=Backoff(initial=0.02, factor=1.0, maximum=0.02),
    max_retry_after=0.5,
    retry_budget=RETRY_BUDGET,
)
WAIT = 0.6
"""The ``timeout`` of ``wait``/``run``."""

CALL_BOUND = ATTEMPTS * TIMEOUT + RETRY_BUDGET
WAIT_BOUND = WAIT + TIMEOUT
SLACK = 3.0
"""Scheduling slack on a busy machine: the bounds tell a bounded call from a hanging one."""

Call = Literal["status", "submit", "wait", "run"]
CALLS: dict[Call, Callable[[SdkClient], Any]] = {
    "status": lambda client: client.requests.status(REQUEST_ID),
    "submit": lambda client: first_last_frame(client).submit(**FLF_FIELDS),
    "wait": lambda client: client.job(REQUEST_ID).wait(timeout=WAIT),
    "run": lambda client: first_last_frame(client).run(**FLF_FIELDS, timeout=WAIT),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Fault:
    name: str
    call: Call
    script: Mapping[Route, Sequence[Act]] = field(default_factory=dict)
    expect: type[RunComfyError] | None
    """The error the call must raise (its exact class); None: it must succeed."""
    bound: float
    received: Mapping[Route, int] = field(default_factory=dict)
    """Exactly how many requests these routes must receive, where the rules decide it."""
    says: str = ""
    """A phrase the error's text must contain."""
    echoes: bool = False
    """The server echoes the token: somewhere the client's text must say [REDACTED]."""
    listening: bool = True
    """False: nothing listens on the port (the connection is refused)."""
    options: Mapping[str, Any] = field(default_factory=dict)
    third_party_logs_clean: bool = True
    """False where httpx and httpcore log the token themselves (a reason phrase or header
    the server echoes it in): their records are left out; the SDK's own must stay clean."""


NOT_SENT_AGAIN = "not sent again"


def _times(act: Act, count: int) -> list[Act]:
    return [act] * count


def _status(status: str, **extra: Any) -> Act:
    return answer(200, lambda request_id: {"request_id": request_id, "status": status, **extra})


def _too_many(retry_after: str) -> Act:
    return answer(429, {"error_message": "slow down"}, headers={"Retry-After": retry_after})


TRANSPORT = [
    Fault(name="trickle-body", call="status", script={"status": _times(TRICKLE_BODY, 9)},
          expect=APITimeoutError, bound=CALL_BOUND, received={"status": ATTEMPTS}),
    Fault(name="trickle-head", call="status", script={"status": _times(TRICKLE_HEAD, 9)},
          expect=APITimeoutError, bound=CALL_BOUND, received={"status": ATTEMPTS}),
    Fault(name="trickle-head-submit", call="submit", script={"submit": [TRICKLE_HEAD]},
          expect=APITimeoutError, bound=TIMEOUT, received={"submit": 1}, says=NOT_SENT_AGAIN),
    Fault(name="hang", call="status", script={"status": _times(HANG, 9)},
          expect=APITimeoutError, bound=CALL_BOUND, received={"status": ATTEMPTS}),
    Fault(name="hang-submit", call="submit", script={"submit": [HANG]},
          expect=APITimeoutError, bound=TIMEOUT, received={"submit": 1}, says=NOT_SENT_AGAIN),
    Fault(name="endless-body", call="status", script={"status": _times(ENDLESS, 9)},
          expect=APIConnectionError, bound=CALL_BOUND, received={"status": ATTEMPTS}),
    Fault(name="garbage", call="status", script={"status": _times(garbage(), 9)},
          expect=APIConnectionError, bound=CALL_BOUND, received={"status": ATTEMPTS}),
    Fault(name="garbage-submit", call="submit", script={"submit": [garbage()]},
          expect=APIConnectionError, bound=TIMEOUT, received={"submit": 1},
          says=NOT_SENT_AGAIN),
    Fault(name="refused", call="status", listening=False,
          expect=APIConnectionError, bound=CALL_BOUND),
    Fault(name="refused-submit", call="submit", listening=False,
          expect=APIConnectionError, bound=CALL_BOUND),
    Fault(name="reset-before-read", call="status", script={"status": _times(RESET_BEFORE_READ, 9)},
          expect=APIConnectionError, bound=CALL_BOUND, received={"status": 0}),
    Fault(name="reset-before-read-submit", call="submit", script={"submit": [RESET_BEFORE_READ]},
          expect=APIConnectionError, bound=TIMEOUT, received={"submit": 0},
          says=NOT_SENT_AGAIN),
    Fault(name="reset-after-read", call="status", script={"status": _times(RESET_AFTER_READ, 9)},
          expect=APIConnectionError, bound=CALL_BOUND, received={"status": ATTEMPTS}),
    Fault(name="reset-after-read-submit", call="submit", script={"submit": [RESET_AFTER_READ]},
          expect=APIConnectionError, bound=TIMEOUT, received={"submit": 1},
          says=NOT_SENT_AGAIN),
    Fault(name="reset-then-answer", call="status", script={"status": [RESET_AFTER_READ]},
          expect=None, bound=CALL_BOUND, received={"status": 2}),
    Fault(name="hang-in-wait", call="wait", script={"status": _times(HANG, 99)},
          expect=WaitTimeoutError, bound=WAIT_BOUND),
    Fault(name="trickle-in-run", call="run", script={"status": _times(TRICKLE_HEAD, 99)},
          expect=WaitTimeoutError, bound=WAIT_BOUND, received={"submit": 1}),
]  # fmt: skip

RATE_LIMITS = [
    *(
        Fault(name=f"429-retry-after-{label}", call="status",
              script={"status": _times(_too_many(value), 2)},
              expect=None, bound=CALL_BOUND, received={"status": 3})
        for label, value in [
            ("negative", "-5"), ("zero", "0"), ("nan", "NaN"), ("junk", "soon"),
            ("short", "0.1"), ("past-date", "Mon, 01 Jan 2001 00:00:00 GMT"),
        ]
    ),
    Fault(name="429-retry-after-huge", call="status", script={"status": [_too_many("1e9")]},
          expect=RateLimitError, bound=TIMEOUT, received={"status": 1}),
    Fault(name="429-retry-after-future-date", call="status",
          script={"status": [_too_many("Fri, 01 Jan 2100 00:00:00 GMT")]},
          expect=RateLimitError, bound=TIMEOUT, received={"status": 1}),
    Fault(name="429-storm", call="status", script={"status": _times(_too_many("0"), 99)},
          expect=RateLimitError, bound=CALL_BOUND, received={"status": ATTEMPTS}),
    Fault(name="429-storm-over-budget", call="status",
          script={"status": _times(_too_many("0.4"), 99)}, options={"max_retries": 50},
          expect=RateLimitError, bound=CALL_BOUND, received={"status": 3}),
    Fault(name="429-submit", call="submit", script={"submit": [_too_many("0")]},
          expect=RateLimitError, bound=TIMEOUT, received={"submit": 1}),
]  # fmt: skip

SERVER_ERRORS = [
    Fault(name="5xx-then-answer", call="status",
          script={"status": [answer(500, {}), answer(502, b"<html>bad gateway</html>")]},
          expect=None, bound=CALL_BOUND, received={"status": 3}),
    Fault(name="5xx-storm", call="status", script={"status": _times(answer(503, {}), 99)},
          expect=ServerError, bound=CALL_BOUND, received={"status": ATTEMPTS}),
    Fault(name="5xx-submit", call="submit", script={"submit": [answer(500, {})]},
          expect=ServerError, bound=TIMEOUT, received={"submit": 1}),
    Fault(name="404", call="status", script={"status": [answer(404, {"error_code": 404001})]},
          expect=NotFoundError, bound=TIMEOUT, received={"status": 1}),
    Fault(name="5xx-and-hangs-in-wait", call="wait", options={"max_retries": 0},
          script={"status": [answer(503, {}), HANG, RESET_AFTER_READ, _too_many("0.1")],
                  "result": [answer(500, {})]},
          expect=None, bound=WAIT_BOUND, received={"status": 6, "result": 2}),
    Fault(name="401-in-wait", call="wait", script={"status": [answer(401, {})]},
          expect=AuthenticationError, bound=TIMEOUT, received={"status": 1}),
]  # fmt: skip

JOB_STATES = [
    Fault(name="status-never-ends", call="wait", script={"status": _times(_status("in_progress"), 999)},
          expect=WaitTimeoutError, bound=WAIT_BOUND, received={"result": 0}),
    Fault(name="unknown-status-then-done", call="wait",
          script={"status": _times(_status("warming_up"), 3)},
          expect=None, bound=WAIT_BOUND, received={"status": 4, "result": 1}),
    Fault(name="unknown-status-forever", call="run",
          script={"status": _times(_status("warming_up"), 999)},
          expect=WaitTimeoutError, bound=WAIT_BOUND, received={"submit": 1, "result": 0}),
    Fault(name="empty-request-id", call="run", script={"submit": [answer(200, {"request_id": ""})]},
          expect=BadResponseError, bound=TIMEOUT, received={"submit": 1, "status": 0},
          says="may have been created"),
    Fault(name="submit-answer-not-json", call="submit",
          script={"submit": [answer(200, b"<html>queued</html>")]},
          expect=BadResponseError, bound=TIMEOUT, received={"submit": 1}),
]  # fmt: skip


def _echoes(spelling: str, token: str) -> list[Fault]:
    """The server echoes the token, spelled ``token`` on the wire, in error and good answers."""
    said = f"token {token} is not valid"

    def echo(status: int, body: Mapping[str, Any]) -> Act:
        # The spelling goes into the JSON text as is: ``\\/`` is an escape there, not a string.
        return answer(status, lambda request_id: _json_text(body, request_id, said))

    return [
        Fault(name=f"echo-{spelling}-401-body", call="status", echoes=True,
              script={"status": [echo(401, {"error_code": 400004, "error_message": SAID})]},
              expect=AuthenticationError, bound=TIMEOUT, received={"status": 1}),
        Fault(name=f"echo-{spelling}-500-body", call="status", echoes=True,
              script={"status": _times(echo(500, {"message": SAID, "detail": [SAID]}), 9)},
              expect=ServerError, bound=CALL_BOUND, received={"status": ATTEMPTS}),
        Fault(name=f"echo-{spelling}-error-in-200", call="status", echoes=True,
              script={"status": [echo(200, {"error_code": 400004, "error_message": SAID})]},
              expect=AuthenticationError, bound=TIMEOUT),
        Fault(name=f"echo-{spelling}-200-status", call="status", echoes=True,
              script={"status": [echo(200, {"request_id": REQUEST_ID, "status": SAID})]},
              expect=None, bound=TIMEOUT),
        Fault(name=f"echo-{spelling}-200-status-in-wait", call="wait", echoes=True,
              script={"status": _times(echo(200, {"request_id": REQUEST_ID, "status": SAID}), 999)},
              expect=WaitTimeoutError, bound=WAIT_BOUND),
        Fault(name=f"echo-{spelling}-200-request-id", call="submit", echoes=True,
              script={"submit": [echo(200, {"request_id": SAID})]}, expect=None, bound=TIMEOUT),
        Fault(name=f"echo-{spelling}-200-other-fields", call="status", echoes=True,
              script={"status": [echo(200, {"request_id": REQUEST_ID, "status": "in_queue",
                                            "status_url": SAID, SAID: {"seen": [SAID]}})]},
              expect=None, bound=TIMEOUT),
        Fault(name=f"echo-{spelling}-submit-answer-without-id", call="submit", echoes=True,
              script={"submit": [echo(200, {"request_id": "", "message": SAID})]},
              expect=BadResponseError, bound=TIMEOUT, received={"submit": 1}),
        Fault(name=f"echo-{spelling}-not-json", call="submit", echoes=True,
              script={"submit": [answer(200, f"<html>{'x' * 173}{said}</html>".encode())]},
              expect=BadResponseError, bound=TIMEOUT, received={"submit": 1}),
        Fault(name=f"echo-{spelling}-garbage", call="status", echoes=True,
              script={"status": _times(garbage(said), 9)}, third_party_logs_clean=False,
              expect=APIConnectionError, bound=CALL_BOUND),
    ]  # fmt: skip


SAID = "@said@"
"""Where an echo row puts what the server says (the spelled token) into its JSON text."""


def _json_text(body: Mapping[str, Any], request_id: str, said: str) -> bytes:
    return json.dumps(body).replace(SAID, said).encode()


TOKEN_ECHOES = [
    *(fault for spelling, token in SPELLINGS.items() for fault in _echoes(spelling, token)),
    Fault(name="echo-escaped-in-a-string", call="status", echoes=True,
          script={"status": [answer(401, {"error_message": f"got {SPELLINGS['json-slash']}"})]},
          expect=AuthenticationError, bound=TIMEOUT),
    Fault(name="echo-in-reason-phrase", call="status", echoes=True,
          script={"status": _times(answer(500, {}, reason=f"Bad {TOKEN}"), 9)},
          expect=ServerError, bound=CALL_BOUND, third_party_logs_clean=False),
    Fault(name="echo-in-header", call="status",
          script={"status": [answer(401, {}, headers={"WWW-Authenticate": f"Bearer {TOKEN}"})]},
          expect=AuthenticationError, bound=TIMEOUT, third_party_logs_clean=False),
]  # fmt: skip

FAULTS = [*TRANSPORT, *RATE_LIMITS, *SERVER_ERRORS, *JOB_STATES, *TOKEN_ECHOES]
KINDS = ["sync", "async"]


# Running a row once per client kind ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    value: object
    error: RunComfyError | None
    elapsed: float
    received: Counter[Route]
    records: tuple[logging.LogRecord, ...]
    client_repr: str

    def texts(self, *, third_party_logs: bool) -> dict[str, str]:
        """Every text the caller (or a log) may show, by where it comes from."""
        texts = {"client repr": self.client_repr, "value repr": repr(self.value)}
        for index, record in enumerate(self.records):
            if third_party_logs or record.name.split(".")[0] not in ("httpx", "httpcore"):
                texts[f"log {index} ({record.name})"] = f"{record.getMessage()} {record.args!r}"
        if self.error is not None:
            texts["traceback"] = "".join(traceback.format_exception(self.error))
            texts["pickle"] = pickle.dumps(self.error).decode("latin-1")
            for depth, link in enumerate(_chain(self.error)):
                texts[f"chain {depth} str"] = str(link)
                texts[f"chain {depth} repr"] = f"{link!r} {link.args!r}"
        return texts


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: BaseException | None = error
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


@contextmanager
def _all_logs() -> Iterator[list[logging.LogRecord]]:
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = records.append  # type: ignore[method-assign]
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield records
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def run_fault(fault: Fault, kind: str) -> Outcome:
    server = MisbehavingServer(fault.script) if fault.listening else None
    base_url = server.base_url if server else f"http://127.0.0.1:{closed_port()}"
    try:
        with _all_logs() as records:
            start = time.monotonic()
            value, error, client_repr = asyncio.run(_call(fault, kind, base_url))
            elapsed = time.monotonic() - start
    finally:
        if server is not None:
            server.close()
    received = Counter(server.received) if server else Counter[Route]()
    return Outcome(value, error, elapsed, received, tuple(records), client_repr)


async def _call(fault: Fault, kind: str, base_url: str) -> tuple[object, RunComfyError | None, str]:
    options: dict[str, Any] = {
        "api_token": TOKEN,
        "base_url": base_url,
        "timeout": TIMEOUT,
        "max_retries": MAX_RETRIES,
        "timing": TIMING,
        **fault.options,
    }
    client: SdkClient = RunComfy(**options) if kind == "sync" else AsyncRunComfy(**options)
    try:
        return await settle(CALLS[fault.call](client)), None, repr(client)
    except RunComfyError as error:  # anything else is untyped, and fails the row as it is
        return None, error, repr(client)
    finally:
        await settle(client.close())


@pytest.fixture(scope="module")
def outcomes() -> Callable[[Fault, str], Outcome]:
    """Each row runs once per client kind, whichever property test asks first."""
    seen: dict[tuple[str, str], Outcome] = {}

    def outcome(fault: Fault, kind: str) -> Outcome:
        key = (fault.name, kind)
        if key not in seen:
            seen[key] = run_fault(fault, kind)
        return seen[key]

    return outcome


each_fault = pytest.mark.parametrize("fault", FAULTS, ids=[fault.name for fault in FAULTS])
each_kind = pytest.mark.parametrize("kind", KINDS)
Outcomes = Callable[[Fault, str], Outcome]


# The properties --------------------------------------------------------------------------


@each_kind
@each_fault
def test_the_call_fails_typed_or_succeeds(fault: Fault, kind: str, outcomes: Outcomes) -> None:
    outcome = outcomes(fault, kind)
    if fault.expect is None:
        assert outcome.error is None
        assert outcome.value is not None
    else:
        assert type(outcome.error) is fault.expect, repr(outcome.error)
        assert fault.says in str(outcome.error)


@each_kind
@each_fault
def test_the_call_ends_within_its_bound(fault: Fault, kind: str, outcomes: Outcomes) -> None:
    assert outcomes(fault, kind).elapsed < fault.bound + SLACK


@each_kind
@each_fault
def test_a_submit_reaches_the_server_at_most_once(
    fault: Fault, kind: str, outcomes: Outcomes
) -> None:
    assert outcomes(fault, kind).received["submit"] <= 1


@each_kind
@each_fault
def test_the_server_receives_what_the_retry_rules_allow(
    fault: Fault, kind: str, outcomes: Outcomes
) -> None:
    received = outcomes(fault, kind).received
    assert {route: received[route] for route in fault.received} == dict(fault.received)


@each_kind
@each_fault
def test_the_token_shows_nowhere(fault: Fault, kind: str, outcomes: Outcomes) -> None:
    texts = outcomes(fault, kind).texts(third_party_logs=fault.third_party_logs_clean)
    leaks = [
        f"{where}: {spelling}" for where, text in texts.items()
        for spelling, token in SPELLINGS.items() if token in text or repr(token)[1:-1] in text
    ]  # fmt: skip
    assert leaks == []
    if fault.echoes:
        assert any("[REDACTED]" in text for text in texts.values()), "the echo was scrubbed"


def test_the_table_covers_every_fault_the_issue_lists() -> None:
    names = " ".join(fault.name for fault in FAULTS)
    for fault in (
        "trickle-body", "trickle-head", "hang", "reset-before-read", "reset-after-read",
        "refused", "endless-body", "garbage", "429-retry-after-negative", "429-retry-after-nan",
        "429-retry-after-huge", "429-retry-after-past-date", "429-retry-after-future-date",
        "5xx", "status-never-ends", "unknown-status", "empty-request-id", "echo-raw",
        "echo-json-slash", "echo-url",
    ):  # fmt: skip
        assert fault in names
