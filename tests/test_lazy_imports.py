"""What importing the generated package, creating a client and reaching a model load.

Each check runs in a fresh interpreter on the generated tree: importing the package and
creating a client load httpx and the runtime's client half, not pydantic's models; an
accessor loads its resource module only; the model's classes (and pydantic) come with
the first call that needs them. Every exported name still resolves, to the object its
module defines.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GENERATED = REPO / "generated"
PACKAGE = "runcomfy_sdk"

_PROBE = """
import json, sys
from runcomfy_sdk import RunComfy

def loaded():
    return {
        "pydantic_models": "pydantic.main" in sys.modules,
        "model_modules": sorted(
            name for name in sys.modules if name.startswith("runcomfy_sdk.models.")
            and not name.startswith("runcomfy_sdk.models._index")
        ),
        "resources": sorted(
            name for name in sys.modules if name.startswith("runcomfy_sdk.resources.")
        ),
    }

steps = {}
client = RunComfy(api_token="t" * 32)
steps["client"] = loaded()
resource = client.community.wan_2_2.first_last_frame
steps["accessor"] = loaded()
steps["repr"] = repr(resource)
resource.request_type(prompt="p", start_image="https://e.com/a.png", end_image="https://e.com/b.png")
steps["request"] = loaded()
print(json.dumps(steps))
"""


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=GENERATED,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_client_and_an_accessor_load_no_pydantic_model_until_the_first_call() -> None:
    steps = json.loads(_run(_PROBE))
    assert steps["client"] == {"pydantic_models": False, "model_modules": [], "resources": []}
    assert steps["accessor"] == {
        "pydantic_models": False,
        "model_modules": [],
        "resources": [f"{PACKAGE}.resources.community_wan_2_2_first_last_frame"],
    }
    assert "community/wan-2-2/first-last-frame" in steps["repr"]
    assert steps["request"]["pydantic_models"] is True
    assert steps["request"]["model_modules"] == [
        f"{PACKAGE}.models.community_wan_2_2_first_last_frame"
    ]


@pytest.mark.parametrize("module", [PACKAGE, f"{PACKAGE}._runtime"])
def test_every_exported_name_resolves_to_its_defining_object(module: str) -> None:
    code = f"""
    import importlib, json
    package = importlib.import_module({module!r})
    names = list(package.__all__)
    resolved = {{name: getattr(package, name) is not None for name in names}}
    missing = sorted(set(names) - set(dir(package)))
    print(json.dumps({{"resolved": resolved, "missing": missing}}))
    """
    found = json.loads(_run(code))
    assert found["missing"] == []
    assert all(found["resolved"].values())


def test_the_runtime_names_each_export_once_with_the_module_defining_it() -> None:
    code = """
    import importlib, json
    runtime = importlib.import_module("runcomfy_sdk._runtime")
    modules = runtime._MODULE_OF
    wrong = sorted(
        name for name, module in modules.items()
        if name not in vars(importlib.import_module(f"runcomfy_sdk._runtime.{module}"))
    )
    print(json.dumps({"names": sorted(modules), "all": sorted(runtime.__all__), "wrong": wrong}))
    """
    found = json.loads(_run(code))
    assert found["names"] == found["all"]
    assert found["wrong"] == []


def test_a_misspelt_name_is_an_attribute_error_naming_it() -> None:
    code = """
    import runcomfy_sdk
    try:
        runcomfy_sdk.RunComfyy
    except AttributeError as error:
        print(error)
    """
    assert "RunComfyy" in _run(code)
