"""``make bench``: how generation and the generated SDK scale, as ratios to in-run baselines.

Absolute seconds depend on the machine; ratios to a baseline measured in the same run do
not (much). Printed, never asserted:

* generating a synthetic catalog of N models, against black-formatting the same output
  (the irreducible cost of emitting formatted Python);
* importing the generated package and creating a client, against importing pydantic and
  httpx alone (lazy loading should keep this close to 1 whatever N is);
* the first use of one model (imports its two modules), against the same baseline.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import black

from generator.config import Config
from generator.emit import write_tree
from generator.pipeline import generate
from generator.render import BLACK_MODE

REPO = Path(__file__).resolve().parent.parent
CATALOG_SIZES = (10, 100, 400)
REPEATS = 3


def main() -> int:
    seeds = sorted((REPO / "schemas").rglob("*.json"))
    print(f"{'models':>7} {'generate s':>11} {'black-only s':>13} {'ratio':>6} "
          f"{'import+client s':>16} {'baseline s':>11} {'ratio':>6} {'first use ratio':>16}")  # fmt: skip
    for size in CATALOG_SIZES:
        with tempfile.TemporaryDirectory() as scratch:
            print(_measure(seeds, size, Path(scratch)))
    return 0


def _measure(seeds: list[Path], size: int, root: Path) -> str:
    config = _synthetic_catalog(seeds, size, root)
    generated = _best(lambda: generate(config))
    files = generate(config).files
    assert files is not None
    texts = [text for path, text in files.items() if path.suffix == ".py"]
    formatting = _best(lambda: [black.format_str(text, mode=BLACK_MODE) for text in texts])
    write_tree(files, config.output_dir)
    baseline = _python_time("import pydantic, httpx", root)
    client = "import runcomfy_sdk; c = runcomfy_sdk.RunComfy(api_token='x')"
    imported = _python_time(client, config.output_dir)
    first_use = _python_time(f"{client}; c.acme.m0.first_last_frame", config.output_dir)
    return (
        f"{size:>7} {generated:>11.2f} {formatting:>13.2f} {generated / formatting:>6.2f} "
        f"{imported:>16.3f} {baseline:>11.3f} {imported / baseline:>6.2f} "
        f"{first_use / baseline:>16.2f}"
    )


def _synthetic_catalog(seeds: list[Path], size: int, root: Path) -> Config:
    """``size`` models under ``acme/m<i>/…``, cycling through the seed schemas."""
    schemas = root / "schemas"
    for index in range(size):
        seed = json.loads(seeds[index % len(seeds)].read_text(encoding="utf-8"))
        leaf = seed["model_id"].rsplit("/", 1)[-1]
        seed["model_id"] = f"acme/m{index // len(seeds)}/{leaf}"
        target = schemas / f"{seed['model_id']}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(seed), encoding="utf-8")
    return Config(
        schemas_dir=schemas,
        schemas_label="schemas",
        output_dir=root / "out",
        package="runcomfy_sdk",
        templates_dir=REPO / "templates",
    )


def _best(action: Callable[[], object]) -> float:
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return min(timings)


def _python_time(code: str, path: Path) -> float:
    """Median wall time of a fresh interpreter running ``code`` with ``path`` importable."""
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], cwd=path, check=True, env=_env(path))
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def _env(path: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(path)}


if __name__ == "__main__":
    raise SystemExit(main())
