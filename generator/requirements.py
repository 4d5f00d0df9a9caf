"""What the generated SDK needs to run: Python, pydantic and httpx floors.

They are stated once, in ``templates/package/_requirements.py``, the module the SDK runs
on import to check them; this reads them from there (without running it) so that the
package's docstring and an optional ``pyproject.toml`` say the same.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

REQUIREMENTS_MODULE = "_requirements.py"


@dataclass(frozen=True, slots=True)
class SdkRequirements:
    python: str
    """The lowest supported Python, as ``3.11``."""
    dependencies: tuple[tuple[str, str], ...]
    """(distribution, lowest supported version) pairs, as ``("pydantic", "2.11")``."""

    def describe(self) -> str:
        """``Python 3.11+, pydantic 2.11+ and httpx 0.27+``."""
        parts = [
            f"Python {self.python}+",
            *(f"{name} {floor}+" for name, floor in self.dependencies),
        ]
        return ", ".join(parts[:-1]) + " and " + parts[-1]

    def specifiers(self) -> tuple[str, ...]:
        """``pydantic>=2.11``, one per dependency, for a ``pyproject.toml``."""
        return tuple(f"{name}>={floor}" for name, floor in self.dependencies)


def sdk_requirements(templates_dir: Path) -> SdkRequirements:
    """The floors written in the requirements module of ``templates_dir/package``."""
    tree = ast.parse((templates_dir / "package" / REQUIREMENTS_MODULE).read_text(encoding="utf-8"))
    values = {
        target.id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id in {"PYTHON", "DEPENDENCIES"}
    }
    return SdkRequirements(
        python=_dotted(values["PYTHON"]),
        dependencies=tuple((name, _dotted(floor)) for name, floor in values["DEPENDENCIES"]),
    )


def _dotted(release: tuple[int, ...]) -> str:
    return ".".join(str(number) for number in release)
