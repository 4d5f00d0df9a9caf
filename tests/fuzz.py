"""``make fuzz``: random schemas through ingest → normalize → render, with a summary.

Runs the strategy of ``test_hostile_schemas`` for ``FUZZ_EXAMPLES`` examples outside
pytest, split over one process per core (each with its own seed, printed), and prints how many ran, how many ended in diagnostics (by code) and how many
generated code that compiled, imported and built its JSON schema. Any other ending (a
traceback, rendered code that does not compile or import) is a bug: it is counted, the first
few are printed with their schema, and the run fails once the summary is out.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from generator.emit import write_tree
from generator.pipeline import generate
from tests.helpers import config_for
from tests.test_hostile_schemas import KEYS, PACKAGE, _import_and_exercise, property_schema

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10000"))


def main() -> int:
    """Split the examples over one process per core; sum and print what they found."""
    workers = max(1, min(os.cpu_count() or 1, EXAMPLES))
    shares = [EXAMPLES // workers + (index < EXAMPLES % workers) for index in range(workers)]
    first_seed = int.from_bytes(os.urandom(4), "big")
    started = time.monotonic()
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    )
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        runs = list(pool.map(_run, shares, [first_seed + index for index in range(workers)]))
    outcomes: Counter[str] = sum((run.outcomes for run in runs), Counter())
    codes: Counter[str] = sum((run.codes for run in runs), Counter())
    bugs = [bug for run in runs for bug in run.bugs]
    print(
        f"fuzz: {sum(outcomes.values())} cases in {time.monotonic() - started:.0f} s "
        f"on {workers} processes (seeds {first_seed}..{first_seed + workers - 1})"
    )
    for outcome, count in sorted(outcomes.items()):
        print(f"  {outcome}: {count}")
    print("  diagnostics by code: " + ", ".join(f"{c} {n}" for c, n in sorted(codes.items())))
    for bug in bugs[:3]:
        print(f"  bug: {bug}")
    return 1 if bugs else 0


@dataclasses.dataclass(frozen=True)
class _Run:
    outcomes: Counter[str]
    codes: Counter[str]
    bugs: list[str]


def _run(examples: int, seed_value: int) -> _Run:
    """``examples`` random schemas through the pipeline, in this process."""
    codes: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    numbers = itertools.count()  # a replayed example gets a fresh directory too
    bugs: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)

        @seed(seed_value)
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(
            properties=st.dictionaries(KEYS, property_schema(), min_size=1, max_size=5),
            required=st.lists(KEYS, max_size=3),
        )
        def one(properties: dict[str, Any], required: list[str]) -> None:
            case = root / f"case{next(numbers)}"
            schemas = case / "schemas" / "acme"
            schemas.mkdir(parents=True)
            document = {
                "model_id": "acme/fuzz",
                "input_schema": {"type": "object", "required": required, "properties": properties},
                "output_schema": {"type": "object", "properties": {"video": {"type": "string"}}},
            }
            (schemas / "fuzz.json").write_text(json.dumps(document), encoding="utf-8")
            try:
                outcome = _one_case(document, case, cache=root / "cache", codes=codes)
            except Exception as bug:  # every ending but the two above is a bug
                outcome = "a generator bug (see below)"
                bugs.append(f"{type(bug).__name__}: {bug}\n    from {json.dumps(properties)}")
            finally:  # keep memory and disk flat over thousands of cases
                shutil.rmtree(case, ignore_errors=True)
            outcomes[outcome] += 1

        one()
    return _Run(outcomes, codes, bugs)


def _one_case(document: dict[str, Any], case: Path, *, cache: Path, codes: Counter[str]) -> str:
    config = config_for(case / "schemas", case / "out", package=PACKAGE)
    result = generate(dataclasses.replace(config, cache_dir=cache))
    codes.update(diagnostic.code for diagnostic in result.diagnostics)
    if result.files is None:
        assert result.diagnostics.has_errors, "no files and no error"
        return "stopped with located errors"
    for path, text in result.files.items():
        if path.suffix == ".py":
            compile(text, str(path), "exec")
    write_tree(result.files, case / "out" / PACKAGE)
    _import_and_exercise(case / "out", PACKAGE, keep=f"{PACKAGE}._runtime")
    return "generated, imported and verified"


if __name__ == "__main__":
    sys.exit(main())
