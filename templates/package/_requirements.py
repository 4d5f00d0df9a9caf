"""What this SDK needs to run, checked on import before anything else.

An older Python, pydantic or httpx would otherwise fail later and far from the cause (on
pydantic 2.10, every call fails with a long ``ValidationError``): this says it in one
sentence instead. The floors below are the generator's one statement of them. Kept to
syntax that Python 3.7 and later can parse.
"""

from __future__ import annotations

import sys

# Why these floors: the runtime annotates with ``typing.Self`` (Python 3.11); its models are
# configured with ``validate_by_name``/``validate_by_alias`` (pydantic 2.11: older releases
# ignore them, so friendly names stop validating); httpx 0.27 is the oldest release the
# project has declared. Tested: a job runs on pydantic 2.11.0 with httpx 0.27.0, and
# pydantic 2.10 is refused on import (tests/test_sdk_floors.py).
PYTHON = (3, 11)
DEPENDENCIES = (("pydantic", (2, 11)), ("httpx", (0, 27)))


def _release(version: str) -> tuple[int, ...]:
    """``2.11.0b1`` → ``(2, 11, 0)``: the leading digits of each dotted part."""
    numbers = []
    for part in version.split("."):
        digits = ""
        for character in part:
            if not character.isdigit():
                break
            digits += character
        if not digits:
            break
        numbers.append(int(digits))
    return tuple(numbers)


def _dotted(release: tuple[int, ...]) -> str:
    return ".".join(str(number) for number in release)


def _installed(name: str) -> str | None:
    try:
        module = __import__(name)
    except ImportError:
        return None
    return str(getattr(module, "VERSION", None) or getattr(module, "__version__", "0"))


def problems() -> list[str]:
    """What is missing or too old, each as ``name X or newer (found: Y)``."""
    found = []
    if sys.version_info < PYTHON:
        running = _dotted(tuple(sys.version_info[:3]))
        found.append(f"Python {_dotted(PYTHON)} or newer (found: {running})")
    for name, floor in DEPENDENCIES:
        version = _installed(name)
        if version is None or _release(version) < floor:
            found.append(f"{name} {_dotted(floor)} or newer (found: {version or 'none'})")
    return found


_PROBLEMS = problems()
if _PROBLEMS:
    raise ImportError(
        f"{__package__} needs {', '.join(_PROBLEMS)}; "
        "install or upgrade them, e.g. pip install "
        + " ".join(f"'{name}>={_dotted(floor)}'" for name, floor in DEPENDENCIES)
    )
