"""The command line: ``runcomfy-codegen {ingest,pull,generate,check,diff,serve}``.

This package is the only one that prints: ``schemas`` runs ``ingest`` and ``pull``,
``tree`` runs ``generate``, ``check`` and ``diff``. Exit codes, for every command: 0 success; 1 drift (a stale
generated tree or lock for ``check``, a breaking change for ``diff``); 2 bad input or
usage (schema errors, warnings with ``--strict``, argparse's own usage errors, unreadable
``diff`` sides, configuration, file system and internal errors: one line each on stderr,
never a traceback unless ``RUNCOMFY_CODEGEN_DEBUG`` is set); 130 when interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from ..config import ConfigError, read_file_config, resolve
from ..manifest import GENERATOR_NAME
from . import schemas, tree
from .common import EXIT_BAD_INPUT
from .schemas import DEFAULT_BASE_URL, TOKEN_ENV


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["serve"]:
        return _serve(arguments[1:])
    parser = _parser()
    args = parser.parse_args(arguments)
    try:
        config = resolve(
            read_file_config(Path("pyproject.toml")),
            root=Path("."),
            schemas=args.schemas,
            output=getattr(args, "output", None),
            package=getattr(args, "package", None),
            version=getattr(args, "version", None),
            distribution=getattr(args, "distribution", None),
            overrides=getattr(args, "overrides", None),
        )
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    handlers = {
        "ingest": schemas.ingest,
        "pull": schemas.pull,
        "generate": tree.generate,
        "check": tree.check,
        "diff": tree.diff,
    }
    try:
        code: int = handlers[args.command](args, config)
    except KeyboardInterrupt:
        print(
            "interrupted: the output directory holds the old tree or the new one", file=sys.stderr
        )
        return 130
    except OSError as error:
        # A file system problem (permissions, a full disk, a path that is no directory) is
        # the user's to fix, and deserves one line, not a traceback.
        where = f"{error.filename}: " if error.filename else ""
        print(f"error: {where}{error.strerror or error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as error:
        if os.environ.get(DEBUG_ENV):
            raise
        print(
            f"internal error (a bug in {GENERATOR_NAME}, please report it): "
            f"{type(error).__name__}: {error}; set {DEBUG_ENV}=1 for the traceback",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    return code


DEBUG_ENV = "RUNCOMFY_CODEGEN_DEBUG"
# What the local server needs beyond the generator: the ``server`` extra.
SERVER_DEPENDENCIES = frozenset({"starlette", "uvicorn"})


def _serve(arguments: list[str]) -> int:
    # The server has its own flags; argparse's REMAINDER would not pass on "--port".
    try:
        from ..server.cli import main as serve_main
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] not in SERVER_DEPENDENCIES:
            raise
        print(
            f"error: the local server needs {error.name}, which is not installed: "
            f"pip install '{GENERATOR_NAME}[server]'",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    served: int = serve_main(arguments)
    return served


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="runcomfy-codegen",
        description="Generate a typed Python SDK from RunComfy model schemas.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser(
        "ingest", help="turn saved model pages or JSON schemas into canonical schemas/ files"
    )
    ingest.add_argument("files", nargs="+", type=Path, metavar="FILE")
    ingest.add_argument("--model-id", help="model id for a bare input-schema JSON file")
    ingest.add_argument(
        "--dry-run", action="store_true", help="show what would change, with diffs; write nothing"
    )

    pull = commands.add_parser(
        "pull",
        help=f"refresh schemas/ from RunComfy's catalog API (token from {TOKEN_ENV})",
    )
    pull.add_argument("models", nargs="*", metavar="MODEL_ID", help="the models to fetch")
    pull.add_argument("--all", action="store_true", help="fetch every model of the catalog")
    pull.add_argument(
        "--prune",
        action="store_true",
        help="with --all: remove the schemas of models the catalog no longer lists",
    )
    pull.add_argument(
        "--base-url",
        default=DEFAULT_BASE_URL,
        help=f"the API's address (default: {DEFAULT_BASE_URL})",
    )

    for name, text in (
        ("generate", "regenerate the SDK from the schemas (writes nothing if any schema is bad)"),
        ("check", "exit 1 with diffs if the generated SDK is not what the schemas give"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--output", help="output directory (default: generated)")
        sub.add_argument("--package", help="package name (default: runcomfy_sdk)")
        sub.add_argument("--strict", action="store_true", help="treat warnings as errors")

    check = commands.choices["check"]
    check.add_argument(
        "--require-version-bump",
        action="store_true",
        help="also fail when the schemas changed in a breaking way since --base "
        "and the major version did not move",
    )
    check.add_argument(
        "--base", default="HEAD", help="git revision to compare with (default: HEAD)"
    )
    check.add_argument(
        "--quiet", action="store_true", help="print one summary line (and errors) only"
    )
    for name in ("generate", "check"):
        commands.choices[name].add_argument(
            "--version", help="the SDK's __version__ (default: [tool.runcomfy-codegen] version)"
        )
        commands.choices[name].add_argument(
            "--distribution",
            metavar="NAME",
            help="also write a pyproject.toml beside the package that builds it as NAME",
        )

    diff = commands.add_parser(
        "diff",
        help="report what changed for SDK users between two schema directories or git "
        "revisions; exit 1 if anything breaks",
    )
    diff.add_argument("old", metavar="OLD", help="a schemas directory or a git revision")
    diff.add_argument(
        "new",
        metavar="NEW",
        nargs="?",
        help="a schemas directory or a git revision (default: the working tree's schemas)",
    )
    diff.add_argument("--format", choices=("text", "json"), default="text")

    serve = commands.add_parser(
        "serve", help="run a local RunComfy-compatible server", add_help=False
    )
    serve.add_argument("serve_args", nargs=argparse.REMAINDER)

    for sub in (ingest, pull, *(commands.choices[name] for name in ("generate", "check", "diff"))):
        sub.add_argument("--schemas", help="schemas directory (default: schemas)")
        sub.add_argument(
            "--overrides", help="naming overrides file (default: overrides.toml in the schemas)"
        )
    return parser
