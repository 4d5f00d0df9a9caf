"""runcomfy-codegen: RunComfy model schemas → a typed Python SDK.

The pipeline, one module per stage:

    ingest (ingest.py, sources.py, canonical.py)   pages / JSON → canonical schemas/*.json
    pull (pull.py)                                  the catalog API → the same ingest
    normalize (normalize/)                          canonical schemas → frozen IR (ir.py)
    render (render.py, dmcg.py, pyexpr.py,          IR → {relative path: file text}
            modeldocs.py, distribution.py)
    write (emit.py) / check (check.py)              rendered tree ↔ the package directory

Only the command line (``cli/``) touches the terminal; only ``emit.py`` writes generated files.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Result", "check_ingested", "generate", "load_inputs"]


def __getattr__(name: str) -> Any:
    # The pipeline imports black, jinja2 and jsonschema: only load it when it is used, so
    # that a command which finds nothing to do starts fast.
    if name in __all__:
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
