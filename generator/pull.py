"""Fetch model schemas from RunComfy's catalog API, for ``runcomfy-codegen pull``.

``GET /v1/models?include_schema=true`` is read page by page (``limit``/``offset``, until the
listing's ``total``), or ``GET /v1/models/{id}`` once per named model. Every answer is kept
as it came, labelled with the request that gave it, and goes through the same ingest stage
as a saved page: the same canonical form, the same diagnostics. Nothing here writes;
any HTTP or network failure raises ``PullError`` before anything could be.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

import httpx

PAGE_SIZE = 100
TIMEOUT_SECONDS = 60.0
# An answer larger than this is no catalog page; refusing it bounds memory.
MAX_ANSWER_BYTES = 64 * 1024 * 1024
# A catalog that never ends (a server that ignores offset) stops here.
MAX_PAGES = 10_000

Progress = Callable[[str], None]


class PullError(Exception):
    """The catalog could not be read (network, HTTP status, a malformed page); says why."""


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer of the catalog API, as ingest reads a source: a label and the bytes."""

    label: str
    body: bytes


def fetch_catalog(
    client: httpx.Client, *, page_size: int = PAGE_SIZE, progress: Progress | None = None
) -> list[Answer]:
    """Every page of the catalog listing, with schemas."""
    answers: list[Answer] = []
    offset, total = 0, None
    for _ in range(MAX_PAGES):
        path = f"/v1/models?include_schema=true&limit={page_size}&offset={offset}"
        answer = _get(client, path)
        models, total = _page(answer)
        answers.append(answer)
        offset += len(models)
        if progress is not None:
            progress(f"{offset}/{total} models")
        if not models or offset >= total:
            return answers
    raise PullError(f"the catalog did not end after {MAX_PAGES} pages")


def fetch_models(
    client: httpx.Client, model_ids: Sequence[str], *, progress: Progress | None = None
) -> list[Answer]:
    """The catalog entry (with schemas) of each named model."""
    answers = []
    for number, model_id in enumerate(model_ids, start=1):
        answers.append(_get(client, f"/v1/models/{quote(model_id, safe='/')}"))
        if progress is not None:
            progress(f"{number}/{len(model_ids)} models")
    return answers


def catalog_client(*, base_url: str, token: str) -> httpx.Client:
    return httpx.Client(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        timeout=TIMEOUT_SECONDS,
        follow_redirects=False,
    )


def _get(client: httpx.Client, path: str) -> Answer:
    label = f"GET {path}"
    try:
        with client.stream("GET", path) as response:
            body = _read_bounded(response, label)
    except httpx.HTTPError as error:
        raise PullError(f"{label}: {type(error).__name__}: {error}") from error
    if response.status_code in (401, 403):
        raise PullError(
            f"{label}: HTTP {response.status_code}: the token was refused; " "check the API token"
        )
    if response.status_code != 200:
        raise PullError(f"{label}: HTTP {response.status_code}: {_message(body)}")
    return Answer(label=label, body=body)


def _read_bounded(response: httpx.Response, label: str) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise PullError(f"{label}: the answer exceeds {MAX_ANSWER_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _page(answer: Answer) -> tuple[list[object], int]:
    """The models of a listing page and the catalog's total."""
    try:
        document = json.loads(answer.body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PullError(f"{answer.label}: not JSON ({error})") from error
    models = document.get("models") if isinstance(document, dict) else None
    total = document.get("total") if isinstance(document, dict) else None
    if not isinstance(models, list) or not isinstance(total, int) or isinstance(total, bool):
        raise PullError(f"{answer.label}: not a catalog page ({{'models': [...], 'total': N}})")
    return models, total


def _message(body: bytes) -> str:
    """The server's own message, briefly."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return body[:200].decode("utf-8", "replace") or "(empty answer)"
    if isinstance(document, dict):
        for key in ("message", "detail", "error"):
            if isinstance(document.get(key), str):
                return str(document[key])
    return json.dumps(document)[:200]
