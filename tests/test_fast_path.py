"""The manifest's fast path: a run with nothing to do must say exactly what a full run says.

``generate`` and ``check`` first compare the inputs and the output directory with
``MANIFEST.json``; only when something differs do they run the pipeline. These tests
hold the fast path to the full run's behaviour, including when the manifest is gone,
corrupt or lies about the tree.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator import canonical
from generator.catalog import catalog
from generator.cli import main
from generator.config import read_file_config, resolve
from generator.manifest import MANIFEST, fast_state
from tests.helpers import REPO

PAGES = REPO / "tests" / "fixtures" / "seed_pages"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.runcomfy-codegen]\n")
    monkeypatch.chdir(tmp_path)
    assert main(["ingest", *map(str, sorted(PAGES.glob("*.txt")))]) == 0
    # A warning that every run must report, fast or not.
    schema = tmp_path / "schemas" / "wan-ai" / "wan-2-6" / "image-to-image.json"
    document = json.loads(schema.read_text(encoding="utf-8"))
    document["input_schema"]["properties"]["seed"]["x-unknown"] = 1
    schema.write_text(json.dumps(document, indent=2), encoding="utf-8")
    assert main(["generate"]) == 0
    return tmp_path


def run(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = main(arguments)
    return code, capsys.readouterr().out


def test_nothing_to_do_is_decided_from_the_manifest(project: Path) -> None:
    state = fast_state(resolve(read_file_config(project / "pyproject.toml"), root=Path(".")))
    assert state.up_to_date


def test_a_no_op_run_prints_what_a_full_run_prints(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fast = run(["generate"], capsys)
    (project / "generated" / MANIFEST).unlink()
    full = run(["generate"], capsys)
    assert "G010" in fast[1]
    assert fast[0] == full[0] == 0
    assert [line for line in full[1].splitlines() if not line.startswith("wrote ")] == [
        *fast[1].splitlines()[:-1],
        full[1].splitlines()[-1],
    ]
    assert run(["generate"], capsys) == fast  # the manifest is back


def test_strict_fails_on_the_recorded_warnings_too(project: Path) -> None:
    assert main(["check", "--strict"]) == 1
    assert main(["generate", "--strict"]) == 1


@pytest.mark.parametrize("damage", ["delete", "garbage", "other-format", "lie"])
def test_a_missing_or_corrupt_manifest_changes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str], damage: str
) -> None:
    manifest = project / "generated" / MANIFEST
    before = {p: p.read_bytes() for p in (project / "generated").rglob("*.py")}
    good = manifest.read_text()
    if damage == "delete":
        manifest.unlink()
    elif damage == "garbage":
        manifest.write_text("{not json")
    elif damage == "other-format":
        manifest.write_text(json.dumps({"format": 1, "files": {}}))
    else:  # claims a file the tree does not have
        document = json.loads(good)
        document["files"]["runcomfy_sdk/invented.py"] = "0" * 64
        manifest.write_text(json.dumps(document))
    assert run(["check"], capsys)[0] == 1
    assert main(["generate"]) == 0
    assert manifest.read_text() == good
    assert {p: p.read_bytes() for p in (project / "generated").rglob("*.py")} == before
    assert run(["check"], capsys)[0] == 0


def test_check_catches_a_hand_edit_and_a_leftover(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = next((project / "generated").rglob("community_wan_2_2_first_last_frame.py"))
    module.write_text(module.read_text() + "# hand edit\n")
    code, out = run(["check"], capsys)
    assert code == 1 and "-# hand edit" in out
    assert main(["generate"]) == 0
    leftover = project / "generated" / "runcomfy_sdk" / "models" / "stray.py"
    leftover.write_text("x = 1\n")
    code, out = run(["check"], capsys)
    assert code == 1 and "unexpected file: runcomfy_sdk/models/stray.py" in out


def test_a_changed_input_takes_the_full_path(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "schemas" / "overrides.toml").write_text(
        '["community/wan-2-2/first-last-frame"]\n"57_steps" = "num_steps"\n'
    )
    assert run(["check"], capsys)[0] == 1
    assert run(["generate"], capsys)[0] == 0
    assert "num_steps" in (project / "schemas" / "names.lock").read_text()
    assert run(["check"], capsys)[0] == 0


def test_a_changed_generator_takes_the_full_path(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A development change of the generator's code, with the same version, is not trusted."""
    from generator import manifest

    monkeypatch.setattr(manifest, "generator_hash", lambda: "another generator")
    state = fast_state(resolve(read_file_config(project / "pyproject.toml"), root=Path(".")))
    assert not state.inputs_match
    assert run(["check"], capsys)[0] == 1


def edits() -> list[tuple[str, Any]]:
    """Edits of one existing schema, each a different kind of change."""

    def description(document: dict[str, Any]) -> None:
        document["input_schema"]["description"] = "Edited description."

    def colliding_field(document: dict[str, Any]) -> None:
        document["input_schema"]["properties"]["99_text"] = {"type": "string", "title": "Prompt"}

    def new_warning(document: dict[str, Any]) -> None:
        first = next(iter(document["input_schema"]["properties"].values()))
        first["x-vendor"] = True

    def dropped_field(document: dict[str, Any]) -> None:
        properties = document["input_schema"]["properties"]
        properties.pop(sorted(properties)[-1])

    def narrowed(document: dict[str, Any]) -> None:
        for schema in document["input_schema"]["properties"].values():
            if "maximum" in schema:
                schema["maximum"] = schema.get("minimum", 0) + 1
                schema.pop("default", None)

    return [
        (f.__name__, f)
        for f in (description, colliding_field, new_warning, dropped_field, narrowed)
    ]


@pytest.mark.parametrize(("name", "edit"), edits(), ids=[name for name, _ in edits()])
def test_an_edit_of_one_schema_gives_the_full_runs_tree(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    edit: Any,
) -> None:
    """The run that re-renders only the edited model must equal a full run, byte for byte."""
    base = tmp_path / "base"
    (base / "schemas").mkdir(parents=True)
    (base / "pyproject.toml").write_text("[tool.runcomfy-codegen]\n")
    for document in catalog(9):
        path = base / "schemas" / canonical.canonical_path(document["model_id"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(canonical.canonical_text(document))
    monkeypatch.chdir(base)
    assert main(["generate"]) == 0
    target = sorted((base / "schemas").rglob("*.json"))[3]
    document = json.loads(target.read_text())
    edit(document)
    target.write_text(canonical.canonical_text(document))
    outcomes = {}
    for way in ("incremental", "full"):
        project = tmp_path / way
        shutil.copytree(base, project)
        monkeypatch.chdir(project)
        if way == "full":
            (project / "generated" / MANIFEST).unlink()
        capsys.readouterr()
        check = main(["check"])
        assert main(["generate"]) == 0
        out = capsys.readouterr().out
        warnings = sorted(line for line in out.splitlines() if "warning[" in line)
        files = {
            p.relative_to(project).as_posix(): p.read_bytes()
            for p in sorted(project.rglob("*"))
            if p.is_file() and ".cache" not in p.parts
        }
        outcomes[way] = (check, warnings, files)
    assert outcomes["incremental"][0] == 1
    assert outcomes["incremental"][1] == outcomes["full"][1]
    assert outcomes["incremental"][2] == outcomes["full"][2]
