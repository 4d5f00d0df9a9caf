"""``make demo``: a first/last-frame video made through the generated SDK, on the local server.

Starts the local RunComfy-compatible server on a free loopback port, then runs
``make_video`` against it: the SDK code a user would write (the README shows it), which
submits the job, reports each change of state, prints the video's URL and downloads the
video. The server stops when the demo ends. No account and no network access are needed.

The SDK is imported from the repository's ``generated/`` directory, as generated.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from .server import ServerConfig, ServerHandle, Timings, running_server

if TYPE_CHECKING:
    # ``generated/`` is on mypy's path (pyproject.toml); at run time _import_sdk() adds it.
    from runcomfy_sdk import JobStatus, RunComfy, Timing

REPO = Path(__file__).resolve().parent.parent
GENERATED = REPO / "generated"
SCHEMAS = REPO / "schemas"
MODEL_ID = "community/wan-2-2/first-last-frame"
VIDEO_BYTES = 256 * 1024
"""Size of the placeholder video the local server serves."""


def make_video(client: RunComfy, directory: Path) -> list[Path]:
    """Turn a first and a last frame into a video; print its URL; download it to ``directory``."""

    def report(status: JobStatus) -> None:
        position = status.queue_position
        print(f"  {status.status}" + ("" if position is None else f" (queue position {position})"))

    video = client.community.wan_2_2.first_last_frame.run(
        start_image="https://example.com/frames/first.png",
        end_image="https://example.com/frames/last.png",
        prompt="A puppy runs across the garden and catches a red ball",
        resolution="1280x720 (16:9)",
        on_update=report,
        timeout=600,
    )
    print(f"video URL: {video.video}")
    saved: list[Path] = client.download(video, directory)
    for path in saved:
        print(f"downloaded {path.name}: {path.stat().st_size} bytes")
    return saved


def main(argv: Sequence[str] | None = None, *, client_timing: Timing | None = None) -> int:
    """Run the demo; ``client_timing`` replaces the client's poll schedule (tests)."""
    options = _parser().parse_args(argv)
    sdk = _import_sdk()
    timings = Timings(queue_seconds=options.queue_seconds, run_seconds=options.run_seconds)
    config = ServerConfig(timings=timings, file_size=VIDEO_BYTES)
    with running_server(SCHEMAS, config=config) as server:
        print(f"local RunComfy-compatible server on {server.base_url}")
        _answer_like_a_video_model(server)
        extra = {} if client_timing is None else {"timing": client_timing}
        try:
            with (
                sdk.RunComfy(server.token, base_url=server.base_url, **extra) as client,
                tempfile.TemporaryDirectory(prefix="runcomfy-demo-") as directory,
            ):
                print(f"submitting a {MODEL_ID} job")
                make_video(client, Path(directory))
        except sdk.RunComfyError as error:
            print(f"demo failed: {error}", file=sys.stderr)
            return 1
    print("local server stopped")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m generator.demo", description=__doc__)
    parser.add_argument(
        "--queue-seconds", type=float, default=1.0, help="how long the job waits in the queue"
    )
    parser.add_argument("--run-seconds", type=float, default=2.0, help="how long the job runs")
    return parser


def _import_sdk() -> ModuleType:
    # The SDK is not installed: it is the generated package in the repository.
    if str(GENERATED) not in sys.path:
        sys.path.insert(0, str(GENERATED))
    return importlib.import_module("runcomfy_sdk")


def _answer_like_a_video_model(server: ServerHandle) -> None:
    # By default the server fills every output key of the schema (image, images, video,
    # videos); a video model answers with just its video.
    video_url = server.url("files/demo/first-last-frame.mp4")
    server.controller.set_output(MODEL_ID, {"video": video_url})


if __name__ == "__main__":
    raise SystemExit(main())
