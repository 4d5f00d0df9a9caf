"""The tool as a user gets it: built into an sdist and a wheel, installed into a fresh venv.

The sdist is built from a copy of the checkout and the wheel from the sdist (what
``python -m build`` does), so a file the sdist forgets fails here. One venv per session
holds the wheel; its dependencies come from this project's environment through a ``.pth``
line placed after the venv's own site-packages, so that what runs is the installed
``runcomfy_codegen``, never the checkout's ``generator/`` (an assertion checks it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO

pytestmark = pytest.mark.slow

PAGE = REPO / "tests" / "fixtures" / "seed_pages" / "001_8061a351021e3f57.txt"
# What the build reads from the checkout.
SOURCES = ("pyproject.toml", "README.md", "generator", "templates")
SCHEMA = Path("api", "schemas", "community", "wan-2-2", "first-last-frame.json")
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}


@dataclass(frozen=True, slots=True)
class Installed:
    wheel: Path
    bin: Path

    def run(
        self,
        arguments: Sequence[str],
        cwd: Path,
        *,
        check: bool = True,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """A command of the venv (or ``bash -c``), with nothing of the checkout on its path."""
        environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
        environment.update(GIT_IDENTITY, **(env or {}))
        environment["PATH"] = f"{self.bin}{os.pathsep}{environment.get('PATH', '')}"
        program = arguments[0] if arguments[0] in {"bash", "git"} else str(self.bin / arguments[0])
        done = subprocess.run(
            [program, *arguments[1:]],
            cwd=cwd,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if check:
            assert done.returncode == 0, f"{arguments}: {done.stdout}\n{done.stderr}"
        return done


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("installed")
    source = root / "source"
    source.mkdir()
    for name in SOURCES:
        origin = REPO / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, source / name)
    dist = root / "dist"
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source)])
    (wheel,) = dist.glob("*.whl")
    environment = root / "venv"
    venv.EnvBuilder(with_pip=False).create(environment)
    python = environment / "bin" / "python"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            str(wheel),
        ]
    )
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
    (Path(purelib.strip()) / "zz_dependencies.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )
    return Installed(wheel=wheel, bin=environment / "bin")


def _run(arguments: Sequence[str]) -> str:
    done = subprocess.run(arguments, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{arguments}: {done.stdout}\n{done.stderr}"
    return done.stdout


def test_every_source_folder_is_a_listed_package() -> None:
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]
    listed = set(setuptools["packages"])
    folders = {
        f"runcomfy_codegen.{root}.{'.'.join(path.relative_to(REPO / folder).parts)}".rstrip(
            "."
        ).replace("runcomfy_codegen.generator", "runcomfy_codegen")
        for folder, root in (("generator", "generator"), ("templates", "templates"))
        for path in [REPO / folder, *(REPO / folder).rglob("*")]
        if path.is_dir() and path.name != "__pycache__"
    }
    assert folders == listed


def test_the_wheel_holds_one_package_of_its_own_name_with_its_templates(
    installed: Installed,
) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = wheel.namelist()
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        requirements = [
            line
            for line in wheel.read(metadata).decode().splitlines()
            if line.startswith("Requires-Dist:")
        ]
    roots = {name.split("/")[0] for name in names}
    assert {root for root in roots if not root.endswith(".dist-info")} == {"runcomfy_codegen"}
    for template in (
        "runcomfy_codegen/templates/package/resource.py.j2",
        "runcomfy_codegen/templates/dmcg/pydantic_v2/BaseModel.jinja2",
        "runcomfy_codegen/templates/runtime/_client.py",
    ):
        assert template in names
    server = [line for line in requirements if "starlette" in line or "uvicorn" in line]
    assert server and all("extra ==" in line for line in server), requirements


def test_the_installed_tool_runs_its_own_code_and_templates(
    installed: Installed, tmp_path: Path
) -> None:
    found = installed.run(
        [
            "python",
            "-c",
            "import importlib.util, json, runcomfy_codegen.config as c; print(json.dumps("
            "[c.__file__, str(c.bundled_templates()), importlib.util.find_spec('generator')"
            " is None]))",
        ],
        cwd=tmp_path,
    )
    module, templates, no_generator = json.loads(found.stdout)
    venv_root = installed.bin.parent
    assert Path(module).is_relative_to(venv_root) and Path(templates).is_relative_to(venv_root)
    assert no_generator


def write_pyproject(project: Path, version: str) -> None:
    (project / "pyproject.toml").write_text(
        f'[project]\nname = "acme"\nversion = "{version}"\n\n'
        '[tool.runcomfy-codegen]\nschemas = "api/schemas"\noutput = "src"\n'
        f'package = "acme_sdk"\nversion = "{version}"\n',
        encoding="utf-8",
    )


def set_maximum(project: Path, maximum: int) -> None:
    document = json.loads((project / SCHEMA).read_text())
    document["input_schema"]["properties"]["57_steps"]["maximum"] = maximum
    (project / SCHEMA).write_text(json.dumps(document), encoding="utf-8")


def test_ingest_generate_and_check_in_an_unrelated_project(
    installed: Installed, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    write_pyproject(project, "2.0.0")
    shutil.copy2(PAGE, project / "page.txt")
    ingested = installed.run(["runcomfy-codegen", "ingest", "page.txt"], cwd=project)
    assert f"created: {SCHEMA.as_posix()}" in ingested.stdout
    installed.run(["runcomfy-codegen", "generate"], cwd=project)
    init = project / "src" / "acme_sdk" / "__init__.py"
    assert init.read_text().splitlines()[1] == "# Regenerate with: runcomfy-codegen generate"
    assert (project / "src" / "acme_sdk" / "MANIFEST.json").is_file()
    assert installed.run(["runcomfy-codegen", "check"], cwd=project).returncode == 0
    imported = installed.run(
        ["python", "-c", "import acme_sdk; print(acme_sdk.__version__, acme_sdk.RunComfy)"],
        cwd=project / "src",
    )
    assert imported.stdout.startswith("2.0.0 ")

    document = json.loads((project / SCHEMA).read_text())
    document["input_schema"]["properties"]["6_text"]["description"] = "What the video shows."
    (project / SCHEMA).write_text(json.dumps(document), encoding="utf-8")
    stale = installed.run(["runcomfy-codegen", "check"], cwd=project, check=False)
    assert stale.returncode == 1, stale.stderr
    assert "+" in stale.stdout and "What the video shows." in stale.stdout
    quiet = installed.run(["runcomfy-codegen", "check", "--quiet"], cwd=project, check=False)
    assert quiet.returncode == 1 and quiet.stdout == (
        # the model module, its doc page and the manifest
        "src/acme_sdk is stale: 3 changed files; run: runcomfy-codegen generate\n"
    )


def test_serve_without_the_server_extra_says_how_to_install_it(
    installed: Installed, tmp_path: Path
) -> None:
    # The dependencies this venv borrows include starlette: hide it as if never installed.
    hidden = installed.run(
        [
            "python",
            "-c",
            "import sys; sys.modules['starlette'] = None; sys.modules['uvicorn'] = None\n"
            "from runcomfy_codegen.cli import main; raise SystemExit(main(['serve']))",
        ],
        cwd=tmp_path,
        check=False,
    )
    assert hidden.returncode == 2
    assert "pip install 'runcomfy-codegen[server]'" in hidden.stderr
    assert "Traceback" not in hidden.stderr


def test_the_pre_commit_hook_and_the_ci_example_work_as_documented(
    installed: Installed, tmp_path: Path
) -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = (hook for hook in hooks if hook["id"] == "runcomfy-codegen-check")
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    workflow = yaml.safe_load((REPO / "docs" / "ci-workflow.yml").read_text(encoding="utf-8"))
    steps = [
        s for s in workflow["jobs"]["drift"]["steps"] if "run" in s and s.get("id") != "install"
    ]
    assert [s.get("if") is not None for s in steps] == [False, True, True]

    def ci(project: Path) -> list[int]:
        pull_request = {"GITHUB_BASE_REF": "main"}
        return [
            installed.run(
                ["bash", "-ec", s["run"]], project, check=False, env=pull_request
            ).returncode
            for s in steps
        ]

    def hook_run(project: Path) -> subprocess.CompletedProcess[str]:
        return installed.run(["bash", "-c", hook["entry"]], project, check=False)

    origin = tmp_path / "origin"
    origin.mkdir()
    write_pyproject(origin, "1.0.0")
    installed.run(["runcomfy-codegen", "ingest", str(PAGE)], origin)
    installed.run(["runcomfy-codegen", "generate"], origin)
    installed.run(["git", "init", "-q", "-b", "main"], origin)
    installed.run(["git", "add", "."], origin)
    installed.run(["git", "commit", "-qm", "SDK 1.0.0"], origin)
    clone = tmp_path / "clone"
    installed.run(["git", "clone", "-q", str(origin), str(clone)], tmp_path)

    set_maximum(clone, 15)  # a narrowed maximum: breaking for SDK users
    stale = hook_run(clone)
    assert stale.returncode == 1 and stale.stdout.startswith("src/acme_sdk is stale: ")
    installed.run(["runcomfy-codegen", "generate"], clone)
    assert hook_run(clone).returncode == 0
    installed.run(["git", "commit", "-qam", "narrow steps"], clone)
    assert ci(clone) == [0, 0, 1]  # up to date; report shown; the major version must move
    write_pyproject(clone, "2.0.0")
    installed.run(["runcomfy-codegen", "generate"], clone)
    installed.run(["git", "commit", "-qam", "SDK 2.0.0"], clone)
    assert ci(clone) == [0, 0, 0]
