"""Small builders shared by the tests: configs for a schemas dir, generation in memory."""

from __future__ import annotations

from pathlib import Path

from generator.config import Config
from generator.pipeline import Result, generate

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "templates"


def config_for(schemas_dir: Path, output_dir: Path, package: str = "runcomfy_sdk") -> Config:
    """A config that names the schemas dir ``schemas`` in headers, wherever it really is."""
    return Config(
        schemas_dir=schemas_dir,
        schemas_label="schemas",
        output_dir=output_dir,
        package=package,
        templates_dir=TEMPLATES,
    )


def generate_from(schemas_dir: Path, output_dir: Path | None = None) -> Result:
    return generate(config_for(schemas_dir, output_dir or schemas_dir.parent / "out"))
