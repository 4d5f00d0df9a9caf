"""runcomfy-codegen: RunComfy model schemas → a typed Python SDK.

The pipeline, one module per stage:

    ingest (ingest.py, sources.py, canonical.py)   pages / JSON → canonical schemas/*.json
    normalize (normalize/)                          canonical schemas → frozen IR (ir.py)
    render (render.py, dmcg.py, pyexpr.py)          IR → {relative path: file text}
    write (emit.py) / check (check.py)              rendered tree ↔ generated/

Only ``cli.py`` touches the terminal; only ``emit.py`` writes generated files.
"""
