"""``make bench``: how generation and the generated SDK scale, as ratios to in-run baselines.

Absolute seconds depend on the machine; ratios to a baseline measured in the same run do
not (much). Every figure is the median of several runs of a fresh process. Printed, never
asserted (targets are in the README's Performance section):

* cold generation of synthetic catalogs (``generator.catalog``: 100 and 1,000 models), with
  an empty cache, against openapi-python-client generating the same catalog written as one
  OpenAPI document; wall time and the peak RSS of the largest process of each;
* on 1,000 models: ``generate`` and ``check`` with nothing to do, and ``generate`` after one
  schema changed, against starting Python and importing httpx and pydantic;
* importing the 1,000-model SDK and creating a client, against importing httpx and
  pydantic alone; the first use of one model;
* the client's CPU time per status call against raw ``httpx.Client``, both on
  ``httpx.MockTransport`` (no network, so only the client's own work is counted);
* against the local server on loopback (in its own process, pinned to another core where
  the machine has two): client CPU per submit + status, sync and async, and the jobs/s of
  1,000 async submits with 50 in flight, against raw ``httpx`` sending the same requests;
* the status calls ``run()`` makes for a job that takes 60 s (simulated clock), against
  polling once a second.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import canonical
from .catalog import catalog

SIZES = (100, 1000)
COLD_REPEATS = 3
WARM_REPEATS = 5
BASELINE = "import httpx, pydantic"
# As long as a real API token.
_BENCH_TOKEN = "rc-0123456789abcdef0123456789abcdef"
# Measures a command's wall time and the peak RSS of the largest process it ran.
_RUSAGE_WRAPPER = """
import resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
wall = time.perf_counter() - start
print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)
"""


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    peak_kib: int


def main() -> int:
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for size in SIZES:
            project = _project(root / f"catalog-{size}", size)
            rows += _cold_rows(project, size, root)
        project = root / f"catalog-{SIZES[-1]}"
        rows += _incremental_rows(project)
        rows += _import_rows(project)
        rows += _client_rows(project)
    rows += _server_rows()
    rows += _poll_rows()
    _print_table(rows)
    return 0


def _project(directory: Path, size: int) -> Path:
    """A project with ``size`` synthetic models in ``schemas/`` (canonical files)."""
    schemas = directory / "schemas"
    for document in catalog(size):
        path = schemas / canonical.canonical_path(document["model_id"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(canonical.canonical_text(document), encoding="utf-8")
    (directory / "pyproject.toml").write_text("[tool.runcomfy-codegen]\n", encoding="utf-8")
    return directory


def _cold_rows(project: Path, size: int, root: Path) -> list[tuple[str, str, str, str]]:
    def ours() -> Run:
        shutil.rmtree(project / "generated", ignore_errors=True)
        (project / "schemas" / "names.lock").unlink(missing_ok=True)
        cache = root / "cold-cache"
        shutil.rmtree(cache, ignore_errors=True)
        return _measure([_tool(), "generate"], project, {"RUNCOMFY_CODEGEN_CACHE": str(cache)})

    document = root / f"openapi-{size}.json"
    document.write_text(json.dumps(openapi_document(catalog(size))), encoding="utf-8")

    def theirs() -> Run:
        out = root / f"opc-{size}"
        shutil.rmtree(out, ignore_errors=True)
        command = [_opc(), "generate", "--path", str(document), "--output-path", str(out)]
        return _measure(command, root, {})

    mine, baseline = _median_runs(ours, COLD_REPEATS), _median_runs(theirs, COLD_REPEATS)
    ours()  # leave a generated tree (and a warm cache) for the next measurements
    label = f"cold generate, {size} models"
    return [
        (label, f"{mine.seconds:.2f} s", f"{baseline.seconds:.2f} s (openapi-python-client)",
         f"{mine.seconds / baseline.seconds:.2f}"),
        (f"peak RSS, {size} models", f"{mine.peak_kib / 1024:.0f} MiB",
         f"{baseline.peak_kib / 1024:.0f} MiB (openapi-python-client)",
         f"{mine.peak_kib / baseline.peak_kib:.2f}"),
    ]  # fmt: skip


def _incremental_rows(project: Path) -> list[tuple[str, str, str, str]]:
    cache = {"RUNCOMFY_CODEGEN_CACHE": str(project.parent / "warm-cache")}
    _measure([_tool(), "generate"], project, cache)  # fill this cache
    baseline = _median(lambda: _measure([sys.executable, "-c", BASELINE], project, {}).seconds)
    noop = _median(lambda: _measure([_tool(), "generate"], project, cache).seconds)
    check = _median(lambda: _measure([_tool(), "check"], project, cache).seconds)
    schema = sorted((project / "schemas").rglob("*.json"))[0]
    original = schema.read_text(encoding="utf-8")

    def one_changed() -> float:
        document = json.loads(original)
        document["input_schema"]["description"] = f"changed at {time.perf_counter()}"
        schema.write_text(canonical.canonical_text(document), encoding="utf-8")
        return _measure([_tool(), "generate"], project, cache).seconds

    changed = _median(one_changed)
    schema.write_text(original, encoding="utf-8")
    _measure([_tool(), "generate"], project, cache)
    against = f"{baseline:.3f} s (python + {BASELINE})"
    models = f"{SIZES[-1]} models"
    return [
        (f"no-op generate, {models}", f"{noop:.3f} s", against, f"{noop / baseline:.2f}"),
        (f"no-op check, {models}", f"{check:.3f} s", against, f"{check / baseline:.2f}"),
        (f"one schema changed, {models}", f"{changed:.3f} s", against, f"{changed / baseline:.2f}"),
    ]


def _import_rows(project: Path) -> list[tuple[str, str, str, str]]:
    tree = project / "generated"
    # As an installed or once-imported package has it: read from bytecode, not compiled
    # on every start (the libraries of the baseline are).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree)], check=True)
    client = "import runcomfy_sdk; c = runcomfy_sdk.RunComfy(api_token='x')"
    some_model = _first_accessor(project)
    # Interleaved rounds: a slow spell of the machine falls on every series alike.
    codes = (
        BASELINE,
        client,
        f"{client}; c.{some_model}",
        f"{client}; c.{some_model}.request_type",
    )
    rounds = [[_python(code, tree) for code in codes] for _ in range(2 * WARM_REPEATS)]
    baseline, imported, first_use, classes = (
        statistics.median(times[index] for times in rounds) for index in range(len(codes))
    )
    against = f"{baseline:.3f} s ({BASELINE})"
    after_import = f"{imported:.3f} s (import + client)"
    return [
        (f"import + client, {SIZES[-1]} models", f"{imported:.3f} s", against,
         f"{imported / baseline:.2f}"),
        ("first use of one model (accessor)", f"+{(first_use - imported) * 1000:.0f} ms",
         after_import, f"{first_use / imported:.2f}"),
        ("its classes loaded (pydantic with them)", f"+{(classes - imported) * 1000:.0f} ms",
         after_import, f"{classes / imported:.2f}"),
    ]  # fmt: skip


_CLIENT_OVERHEAD = """
import json, sys, time, httpx
from runcomfy_sdk import RunComfy
body = json.dumps({"request_id": "r-1", "status": "in_queue", "queue_position": 1}).encode()
def handler(request):
    return httpx.Response(200, content=body, headers={"content-type": "application/json"})
raw = httpx.Client(transport=httpx.MockTransport(handler), base_url="http://api.test")
sdk = RunComfy(api_token=sys.argv[1], base_url="http://api.test",
               http_client=httpx.Client(transport=httpx.MockTransport(handler)))
def cpu(action, n=2000):
    start = time.process_time()
    for _ in range(n):
        action()
    return (time.process_time() - start) / n
cpu(lambda: raw.get("/v1/requests/r-1/status").json(), 200)
cpu(lambda: sdk.requests.status("r-1"), 200)
print(cpu(lambda: sdk.requests.status("r-1")), cpu(lambda: raw.get("/v1/requests/r-1/status").json()))
"""


def _client_rows(project: Path) -> list[tuple[str, str, str, str]]:
    """Client CPU per status call against raw httpx, both on ``httpx.MockTransport``."""
    tree = project / "generated"
    runs = []
    for _ in range(WARM_REPEATS):
        completed = subprocess.run(
            [sys.executable, "-c", _CLIENT_OVERHEAD, _BENCH_TOKEN],
            env={**os.environ, "PYTHONPATH": str(tree)},
            capture_output=True,
            text=True,
            check=True,
        )
        ours, raw = (float(part) for part in completed.stdout.split())
        runs.append((ours, raw))
    ours = statistics.median(run[0] for run in runs)
    raw = statistics.median(run[1] for run in runs)
    return [
        ("client CPU per status call (no network)", f"{ours * 1e6:.0f} µs",
         f"{raw * 1e6:.0f} µs (raw httpx.Client)", f"{ours / raw:.2f}"),
    ]  # fmt: skip


_SEED_MODEL = "community/wan-2-2/first-last-frame"
_SEED_FIELDS = {
    "prompt": "a puppy runs across the garden",
    "start_image": "https://example.com/first.png",
    "end_image": "https://example.com/last.png",
}
_SERVER_CLIENT = """
import asyncio, json, sys, time, httpx
from runcomfy_sdk import AsyncRunComfy, RunComfy
base, token, model, fields, submits, in_flight = sys.argv[1:7]
fields, submits, in_flight = json.loads(fields), int(submits), int(in_flight)
sdk = RunComfy(api_token=token, base_url=base)
resource = sdk.community.wan_2_2.first_last_frame
body = resource.request_type.model_validate(fields).to_body()
headers = {"Authorization": f"Bearer {token}"}
raw = httpx.Client(base_url=base, headers=headers)

def raw_pair():
    request_id = raw.post(f"/v1/models/{model}", json=body).json()["request_id"]
    raw.get(f"/v1/requests/{request_id}/status").json()

def sdk_pair():
    resource.submit(**fields).status()

def cpu(action, n=200):
    start = time.process_time()
    for _ in range(n):
        action()
    return (time.process_time() - start) / n

async def raw_async():
    async with httpx.AsyncClient(base_url=base, headers=headers) as client:
        async def pair():
            answer = await client.post(f"/v1/models/{model}", json=body)
            request_id = answer.json()["request_id"]
            (await client.get(f"/v1/requests/{request_id}/status")).json()
        async def submit():
            (await client.post(f"/v1/models/{model}", json=body)).json()["request_id"]
        return await measure(pair, submit)

async def sdk_async():
    async with AsyncRunComfy(api_token=token, base_url=base) as client:
        resource = client.community.wan_2_2.first_last_frame
        async def pair():
            await (await resource.submit(**fields)).status()
        async def submit():
            await resource.submit(**fields)
        return await measure(pair, submit)

async def measure(pair, submit):
    for _ in range(20):
        await pair()
    start = time.process_time()
    for _ in range(200):
        await pair()
    per_pair = (time.process_time() - start) / 200
    gate = asyncio.Semaphore(in_flight)
    async def gated():
        async with gate:
            await submit()
    start = time.perf_counter()
    await asyncio.gather(*(gated() for _ in range(submits)))
    return per_pair, submits / (time.perf_counter() - start)

cpu(raw_pair, 30), cpu(sdk_pair, 30)
results = [cpu(sdk_pair), cpu(raw_pair), *asyncio.run(sdk_async()), *asyncio.run(raw_async())]
print(*results)
"""


def _server_rows() -> list[tuple[str, str, str, str]]:
    """Client overhead and async throughput against the local server, vs raw httpx."""
    repo = Path(__file__).resolve().parent.parent
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    server_core, client_core = (cores[-1:], cores[:1]) if len(cores) >= 2 else ([], [])
    with _local_server(repo / "schemas", server_core) as (base_url, token):
        runs = []
        for _ in range(3):
            completed = subprocess.run(
                [sys.executable, "-c", _pinned(_SERVER_CLIENT, client_core), base_url, token,
                 _SEED_MODEL, json.dumps(_SEED_FIELDS), "1000", "50"],
                env={**os.environ, "PYTHONPATH": str(repo / "generated")},
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            runs.append([float(part) for part in completed.stdout.split()])
    sync_ours, sync_raw, async_ours, ours_rate, async_raw, raw_rate = (
        statistics.median(run[index] for run in runs) for index in range(6)
    )
    pinned = " (pinned)" if client_core else ""
    return [
        (f"client CPU per submit + status, sync{pinned}", f"{sync_ours * 1e6:.0f} µs",
         f"{sync_raw * 1e6:.0f} µs (raw httpx.Client)", f"{sync_ours / sync_raw:.2f}"),
        (f"client CPU per submit + status, async{pinned}", f"{async_ours * 1e6:.0f} µs",
         f"{async_raw * 1e6:.0f} µs (raw httpx.AsyncClient)", f"{async_ours / async_raw:.2f}"),
        (f"async submits, 1000 with 50 in flight{pinned}", f"{ours_rate:.0f} jobs/s",
         f"{raw_rate:.0f} jobs/s (raw httpx.AsyncClient)", f"{ours_rate / raw_rate:.2f}"),
    ]  # fmt: skip


def _pinned(code: str, cores: list[int]) -> str:
    """``code`` run on ``cores`` only (when the machine can pin a process)."""
    if not cores:
        return code
    return f"import os\nos.sched_setaffinity(0, {set(cores)!r})\n{code}"


@contextlib.contextmanager
def _local_server(schemas: Path, cores: list[int]) -> Iterator[tuple[str, str]]:
    """``runcomfy-codegen serve`` in its own process; yields its URL and token.

    The token is as long as a real one: the client scrubs a short token more carefully
    (and more slowly), which no real user would pay.
    """
    process = subprocess.Popen(
        [_tool(), "serve", "--port", "0", "--schemas", str(schemas), "--log-level", "warning",
         "--token", _BENCH_TOKEN],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        if cores and hasattr(os, "sched_setaffinity"):
            os.sched_setaffinity(process.pid, set(cores))
        assert process.stdout is not None
        for line in process.stdout:
            if "listening on " in line:
                yield line.rsplit("listening on ", 1)[1].strip(), _BENCH_TOKEN
                return
        raise SystemExit("the local server did not start")
    finally:
        process.terminate()
        process.wait(timeout=10)


_RUN_POLLS = """
import sys, httpx
from runcomfy_sdk import RunComfy, Timing
job_seconds = float(sys.argv[1])
now = [0.0]
calls = []
def sleep(seconds):
    now[0] += max(seconds, 0.0)
def answer(request):
    done = now[0] >= job_seconds
    if request.method == "POST":
        return httpx.Response(200, json={"request_id": "r-1"})
    if request.url.path.endswith("/status"):
        calls.append(now[0])
        return httpx.Response(
            200, json={"request_id": "r-1", "status": "completed" if done else "in_progress"}
        )
    return httpx.Response(
        200, json={"request_id": "r-1", "status": "completed", "output": {"video": "https://x/v.mp4"}}
    )
client = RunComfy(
    api_token="t", base_url="http://api.test", timing=Timing(monotonic=lambda: now[0]),
    sleep=sleep, http_client=httpx.Client(transport=httpx.MockTransport(answer)),
)
client.community.wan_2_2.first_last_frame.run(
    prompt="p", start_image="https://x/a.png", end_image="https://x/b.png"
)
print(len(calls), now[0])
"""


def _poll_rows() -> list[tuple[str, str, str, str]]:
    """How many status calls ``run()`` makes for a 60 s job, and how late it notices the end."""
    repo = Path(__file__).resolve().parent.parent
    completed = subprocess.run(
        [sys.executable, "-c", _RUN_POLLS, "60"],
        env={**os.environ, "PYTHONPATH": str(repo / "generated")},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    count, ended = completed.stdout.split()
    return [
        ("status calls of run() for a 60 s job", f"{count} (done at {float(ended):.1f} s)",
         "60 (polling once a second)", f"{int(count) / 60:.2f}"),
    ]  # fmt: skip


def openapi_document(documents: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The catalog as one OpenAPI 3.1 document: one submit operation per model."""
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for index, document in enumerate(documents):
        name = f"Model{index}"
        schemas[f"{name}Input"] = _plain_schema(document["input_schema"])
        schemas[f"{name}Output"] = _plain_schema(document["output_schema"])
        paths[f"/v1/models/{document['model_id']}"] = {
            "post": {
                "operationId": f"submit_{name.lower()}",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref(f"{name}Input")}},
                },
                "responses": {
                    "200": {
                        "description": "the job's result",
                        "content": {"application/json": {"schema": _ref(f"{name}Output")}},
                    }
                },
            }
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": "RunComfy", "version": "1.0.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _plain_schema(schema: Any) -> Any:
    """RunComfy's dialect as plain JSON Schema: ``float`` is ``number``; custom keys dropped."""
    if isinstance(schema, list):
        return [_plain_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    plain = {}
    for key, value in schema.items():
        if key == "validations":
            continue
        if key == "type" and value == "float":
            value = "number"
        plain[key] = value if key in {"enum", "default", "examples"} else _plain_schema(value)
    return plain


def _measure(command: list[str], cwd: Path, env: dict[str, str]) -> Run:
    completed = subprocess.run(
        [sys.executable, "-c", _RUSAGE_WRAPPER, *command],
        cwd=cwd,
        env={**os.environ, "PATH": _bin_path(), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    wall, peak, code = completed.stdout.split()
    if code != "0":
        raise SystemExit(f"benchmark command failed ({code}): {' '.join(command)}")
    return Run(float(wall), int(peak))


def _python(code: str, path: Path) -> float:
    return _measure([sys.executable, "-c", code], path, {"PYTHONPATH": str(path)}).seconds


def _median(action: Callable[[], float]) -> float:
    return statistics.median(action() for _ in range(WARM_REPEATS))


def _median_runs(action: Callable[[], Run], repeats: int) -> Run:
    runs = [action() for _ in range(repeats)]
    return Run(
        statistics.median(run.seconds for run in runs),
        int(statistics.median(run.peak_kib for run in runs)),
    )


def _first_accessor(project: Path) -> str:
    lock = json.loads((project / "schemas" / "names.lock").read_text(encoding="utf-8"))
    first = sorted(lock["models"])[0]
    return str(lock["models"][first]["accessor"])


def _bin_path() -> str:
    """The venv's scripts first: openapi-python-client runs ``ruff`` on what it writes."""
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


def _tool() -> str:
    return str(Path(sys.executable).with_name("runcomfy-codegen"))


def _opc() -> str:
    command = Path(sys.executable).with_name("openapi-python-client")
    if not command.exists():
        raise SystemExit("openapi-python-client is missing: `make bench` installs the bench extra")
    return str(command)


def _print_table(rows: list[tuple[str, str, str, str]]) -> None:
    header = ("measure", "runcomfy-codegen", "baseline (same run)", "ratio")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    for row in [header, tuple("-" * width for width in widths), *rows]:
        print(
            "| "
            + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            + " |"
        )


if __name__ == "__main__":
    raise SystemExit(main())
