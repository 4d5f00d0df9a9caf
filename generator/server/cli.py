"""``runcomfy-codegen serve``: run the local RunComfy-compatible server in the foreground.

Prints where it listens and which tokens it accepts (only the documented default token is
shown in full; tokens given with ``--token`` are masked). Exit codes: 0 after a clean stop,
1 if the schemas cannot be served or the port cannot be bound, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .config import DEFAULT_FILE_SIZE, DEFAULT_TOKEN, ServerConfig, Timings
from .models import ModelLoadError
from .runner import serve


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    try:
        config = config_from_args(args)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Accepted tokens: {describe_tokens(config)}", flush=True)
    try:
        serve(
            args.schemas,
            args.host,
            args.port,
            config,
            announce=lambda url: print(
                f"RunComfy-compatible server listening on {url}", flush=True
            ),
            log_level=args.log_level,
        )
    except KeyboardInterrupt:
        # uvicorn stops gracefully on Ctrl+C, then re-raises the interrupt for its caller.
        return 0
    except ModelLoadError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="runcomfy-codegen serve",
        description="Run a local server that speaks RunComfy's Model API for every model in "
        "a schemas directory (fake jobs, placeholder output files, fault injection).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port; 0 picks a free one")
    parser.add_argument(
        "--schemas", type=Path, default=Path("schemas"), help="schemas directory (default: schemas)"
    )
    parser.add_argument(
        "--queue-seconds", type=float, default=1.0, help="time a job waits in_queue (default: 1)"
    )
    parser.add_argument(
        "--run-seconds", type=float, default=3.0, help="time a job is in_progress (default: 3)"
    )
    parser.add_argument(
        "--token",
        action="append",
        default=[],
        help=f"accept this Bearer token (repeatable; default: {DEFAULT_TOKEN})",
    )
    parser.add_argument(
        "--broke-token",
        action="append",
        default=[],
        help="accept this token, but answer its submits with 402 insufficient balance",
    )
    parser.add_argument(
        "--file-size",
        type=int,
        default=DEFAULT_FILE_SIZE,
        help=f"bytes in each placeholder output file (default: {DEFAULT_FILE_SIZE})",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="log level (default: info)",
    )
    return parser


def config_from_args(args: argparse.Namespace) -> ServerConfig:
    tokens = frozenset(args.token) if args.token else frozenset({DEFAULT_TOKEN})
    return ServerConfig(
        tokens=tokens,
        broke_tokens=frozenset(args.broke_token),
        timings=Timings(queue_seconds=args.queue_seconds, run_seconds=args.run_seconds),
        file_size=args.file_size,
    )


def describe_tokens(config: ServerConfig) -> str:
    shown = [_shown(token) for token in sorted(config.tokens)]
    shown += [f"{_shown(token)} (insufficient balance)" for token in sorted(config.broke_tokens)]
    return ", ".join(shown)


def _shown(token: str) -> str:
    if token == DEFAULT_TOKEN:
        return token
    # Enough to tell tokens apart; a real key pasted here stays out of terminals and CI logs.
    prefix = token[:3] if len(token) >= 12 else ""
    return f"{prefix}***({len(token)} chars)"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
