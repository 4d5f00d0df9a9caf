"""End-to-end token safety: with DEBUG logging on, the API token shows up nowhere.

A flow that succeeds, downloads, and then fails in every way the SDK reports (an HTTP
error, an error inside a 200, a failed job, a refused connection, a read timeout, a bad
token), against a server that even echoes the token back in its error messages. Every
log record (the SDK's, httpx's and the server's) and the str, repr and full traceback of
every error must be free of the token, and so must the repr of every client object.
"""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from typing import Any

import pytest
from runcomfy_sdk import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    JobFailedError,
    NotFoundError,
    RunComfyError,
    ServerError,
)

from generator.server import ServerConfig, ServerHandle, Timings, faults

from .conftest import (
    FLF_FIELDS,
    SdkClient,
    SdkRunner,
    ServerFactory,
    closed_port,
    first_last_frame,
    settle,
)

SECRET = "sk-secret-XYZ"
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
WAIT_LIMIT = 10.0


@pytest.fixture
def secret_server(server_factory: ServerFactory) -> ServerHandle:
    """A server that accepts only ``SECRET``."""
    return server_factory(
        config=ServerConfig(
            tokens=frozenset({SECRET}), timings=Timings(queue_seconds=0.05, run_seconds=0.05)
        )
    )


@pytest.fixture(autouse=True)
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


def _texts_of(error: BaseException) -> dict[str, str]:
    return {
        "str": str(error),
        "repr": repr(error),
        "args": repr(error.args),
        "traceback": "".join(traceback.format_exception(error)),  # causes included
    }


def _leaks(texts: dict[str, str]) -> list[str]:
    return [f"{where}: {text}" for where, text in texts.items() if SECRET in text]


async def _expect(error_type: type[RunComfyError], call: Any) -> RunComfyError:
    with pytest.raises(error_type) as caught:
        await settle(call())
    return caught.value


def test_the_token_is_in_no_log_record_error_text_or_repr(
    sdk: SdkRunner,
    secret_server: ServerHandle,
    debug_logs: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    controller = secret_server.controller
    updates: list[Any] = []

    async def on_the_secret_server(client: SdkClient) -> tuple[dict[str, str], list[Any]]:
        model = first_last_frame(client)
        output = await settle(model.run(**FLF_FIELDS, timeout=WAIT_LIMIT, on_update=updates.append))
        await settle(client.download(output, tmp_path))
        job = await settle(model.submit(**FLF_FIELDS))
        reprs = {
            "client": repr(client),
            "client attributes": repr(vars(client)),
            "requests": repr(client.requests),
            "models": repr(client.models),
            "resource": repr(model),
            "job": repr(job),
        }
        errors = [await _expect(NotFoundError, lambda: client.requests.status(UNKNOWN_ID))]
        # A server that echoes the token: the SDK must scrub it from what it reports.
        controller.inject(faults.http_error("result", 500, times=3, message=f"Bearer {SECRET}?"))
        errors.append(await _expect(ServerError, lambda: job.result()))
        controller.inject(faults.error_in_200("status", error_code=400004, message=SECRET))
        errors.append(await _expect(AuthenticationError, lambda: job.status()))
        controller.fail_next(error={"error_message": f"worker saw token {SECRET}"})
        errors.append(
            await _expect(JobFailedError, lambda: model.run(**FLF_FIELDS, timeout=WAIT_LIMIT))
        )
        failed_id = errors[-1].request_id
        assert failed_id is not None
        reprs["failed result"] = repr(await settle(client.requests.result(failed_id)))
        controller.inject(faults.slow("submit", delay=5.0))
        errors.append(await _expect(APITimeoutError, lambda: model.submit(**FLF_FIELDS)))
        return reprs, errors

    async def refused(client: SdkClient) -> RunComfyError:
        return await _expect(APIConnectionError, lambda: client.requests.status(UNKNOWN_ID))

    async def rejected(client: SdkClient) -> RunComfyError:
        return await _expect(
            AuthenticationError, lambda: first_last_frame(client).submit(**FLF_FIELDS)
        )

    reprs, errors = sdk.on(secret_server).run(on_the_secret_server, max_retries=2, timeout=0.5)
    errors.append(sdk.run(refused, api_token=SECRET, base_url=f"http://127.0.0.1:{closed_port()}"))
    errors.append(sdk.run(rejected, api_token=SECRET))  # ``server`` does not accept it

    # The flow really ran with the token, and the echoed messages reached the errors.
    assert updates[-1].status == "completed"
    assert controller.count("submit") == 4 and len(list(tmp_path.iterdir())) == 4
    assert "Bearer" in str(errors[1]) and "worker saw token" in str(errors[3])
    failed = errors[3]
    assert isinstance(failed, JobFailedError)
    assert "worker saw token" in repr(failed.error) and SECRET not in repr(failed.error)
    assert "worker saw token" in reprs["failed result"]
    assert _leaks(reprs) == []
    for error in errors:
        assert _leaks(_texts_of(error)) == [], type(error).__name__
    records = debug_logs.records
    assert any(r.name.startswith("runcomfy_sdk") and r.levelno == logging.DEBUG for r in records)
    assert any(r.name.startswith("httpx") for r in records)
    leaking = [r for r in records if SECRET in r.getMessage() or SECRET in repr(r.args)]
    assert leaking == []
    assert SECRET not in debug_logs.text
