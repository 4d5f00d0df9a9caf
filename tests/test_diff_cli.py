"""``runcomfy-codegen diff`` and the reports of ``generate`` and ``check``, end to end.

Each test builds a small project (pyproject, schemas) in a temporary git repository,
changes a schema the way RunComfy might, and runs the command line as a user would.
"""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator import canonical
from generator.cli import main
from generator.lock import LOCK_FILE
from tests.helpers import REPO

FLF = "community/wan-2-2/first-last-frame"
SEED = json.loads((REPO / "schemas" / f"{FLF}.json").read_text(encoding="utf-8"))
Edit = Callable[[dict[str, Any]], None]


def write_schema(schemas: Path, document: dict[str, Any]) -> None:
    path = schemas / canonical.canonical_path(document["model_id"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(canonical.canonical_text(document), encoding="utf-8")


def git(project: Path, *arguments: str) -> str:
    completed = subprocess.run(
        ["git", "-c", "user.email=test@example.com", "-c", "user.name=test", *arguments],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A committed project with the first/last-frame seed, generated once."""
    (tmp_path / "pyproject.toml").write_text('[tool.runcomfy-codegen]\nversion = "1.4.0"\n')
    write_schema(tmp_path / "schemas", copy.deepcopy(SEED))
    monkeypatch.chdir(tmp_path)
    assert main(["generate"]) == 0
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "first generation")
    return tmp_path


def edit_seed(project: Path, edit: Edit) -> None:
    document = copy.deepcopy(SEED)
    edit(document)
    write_schema(project / "schemas", document)


def props(document: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = document["input_schema"]["properties"]
    return properties


def run_json(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    capsys.readouterr()
    code = main(arguments)
    return code, json.loads(capsys.readouterr().out)


def test_no_change_reports_nothing_and_exits_0(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = run_json(["diff", "HEAD", "--format", "json"], capsys)
    assert code == 0
    assert report["changes"] == [] and report["semver"] == "none"


def test_a_field_titled_like_an_existing_one_keeps_the_old_name_and_is_reported(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def add_prompt(document: dict[str, Any]) -> None:
        props(document)["90_text"] = {"type": "string", "title": "Prompt"}

    edit_seed(project, add_prompt)
    capsys.readouterr()
    assert main(["generate"]) == 0
    captured = capsys.readouterr()
    assert "'90_text' would be named 'prompt', which '6_text' already has" in captured.out
    assert "new-optional-request-property" in captured.out  # generate's short report
    lock = (project / "schemas" / LOCK_FILE).read_text(encoding="utf-8")
    assert '"6_text": "prompt"' in lock and '"90_text": "prompt_90"' in lock
    code, report = run_json(["diff", "HEAD", "--format", "json"], capsys)
    assert code == 0
    assert [(c["kind"], c["severity"]) for c in report["changes"]] == [
        ("new-optional-request-property", "compatible")
    ]
    assert report["semver"] == "minor"


@pytest.mark.parametrize(
    ("edit", "kind"),
    [
        (lambda d: props(d)["57_steps"].update(maximum=15, default=12), "request-property-max-decreased"),
        (lambda d: props(d)["71_widthx71_height"]["enum"].pop(), "request-property-enum-value-removed"),
        (lambda d: props(d).pop("54_shift"), "request-property-removed"),
        (lambda d: d["input_schema"]["required"].append("57_steps"), "request-property-became-required"),
    ],
    ids=["max-narrowed", "enum-value-removed", "field-removed", "became-required"],
)  # fmt: skip
def test_breaking_changes_exit_1_and_suggest_a_major_bump(
    project: Path, capsys: pytest.CaptureFixture[str], edit: Edit, kind: str
) -> None:
    edit_seed(project, edit)
    code, report = run_json(["diff", "HEAD", "--format", "json"], capsys)
    assert code == 1
    assert kind in {c["kind"] for c in report["changes"]}
    assert report["semver"] == "major"
    change = next(c for c in report["changes"] if c["kind"] == kind)
    assert change["severity"] == "breaking" and change["model_id"] == FLF
    assert change["id"].startswith(f"{FLF}:{kind}:")


def test_json_ids_are_stable_and_the_text_form_names_the_bump(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit_seed(project, lambda d: props(d)["57_steps"].update(maximum=15, default=12))
    first = run_json(["diff", "HEAD", "--format", "json"], capsys)
    assert run_json(["diff", "HEAD", "--format", "json"], capsys) == first
    assert len({c["id"] for c in first[1]["changes"]}) == len(first[1]["changes"])
    capsys.readouterr()
    assert main(["diff", "HEAD"]) == 1
    text = capsys.readouterr().out
    assert "maximum decreased from 20 to 15" in text
    assert "suggested version bump: major" in text


def test_two_directories_and_two_revisions_compare_alike(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old_copy = project.parent / "old-schemas"
    subprocess.run(["cp", "-r", str(project / "schemas"), str(old_copy)], check=True)
    edit_seed(project, lambda d: props(d).pop("54_shift"))
    by_directory = run_json(["diff", str(old_copy), "schemas", "--format", "json"], capsys)
    git(project, "commit", "-q", "-am", "drop shift")
    by_revision = run_json(["diff", "HEAD~1", "HEAD", "--format", "json"], capsys)
    kinds = [[c["kind"] for c in side[1]["changes"]] for side in (by_directory, by_revision)]
    assert kinds[0] == kinds[1] and "request-property-removed" in kinds[0]
    assert by_directory[0] == by_revision[0] == 1


def test_bad_input_exits_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "no-such-revision-or-directory"]) == 2
    assert "neither a directory nor a git revision" in capsys.readouterr().err
    (project / "schemas" / "community" / "broken.json").write_text("{", encoding="utf-8")
    assert main(["diff", "HEAD"]) == 2
    assert "S002" in capsys.readouterr().err


def test_a_model_added_and_one_removed(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    other = copy.deepcopy(SEED)
    other["model_id"] = "acme/foo_bar"
    write_schema(project / "schemas", other)
    (project / "schemas" / f"{FLF}.json").unlink()
    code, report = run_json(["diff", "HEAD", "--format", "json"], capsys)
    assert code == 1
    assert {(c["model_id"], c["kind"]) for c in report["changes"]} == {
        ("acme/foo_bar", "model-added"),
        (FLF, "model-removed"),
    }


def test_a_model_id_twin_is_named_apart_and_reported(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, twin = copy.deepcopy(SEED), copy.deepcopy(SEED)
    first["model_id"], twin["model_id"] = "acme/foo_bar", "acme/foo-bar"
    write_schema(project / "schemas", first)
    assert main(["generate"]) == 0
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "foo_bar")
    write_schema(project / "schemas", twin)
    capsys.readouterr()
    assert main(["generate"]) == 0
    out = capsys.readouterr().out
    assert "model 'acme/foo-bar' would be named 'AcmeFooBar', which 'acme/foo_bar'" in out
    assert "module of model 'acme/foo-bar' would be named 'acme_foo_bar'" in out
    assert "client attribute of 'acme/foo-bar' would be named 'foo_bar'" in out
    lock = (project / "schemas" / LOCK_FILE).read_text(encoding="utf-8")
    assert '"request_class": "AcmeFooBarRequest"' in lock  # the existing model keeps its names
    assert '"request_class": "AcmeFooBar2Request"' in lock


def test_an_override_of_a_locked_name_is_a_reported_breaking_rename(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "schemas" / "overrides.toml").write_text(
        f'["{FLF}"]\n"57_steps" = "num_steps"\n', encoding="utf-8"
    )
    capsys.readouterr()
    assert main(["generate"]) == 0
    assert "renamed from 'steps' (locked) to 'num_steps'" in capsys.readouterr().out
    code, report = run_json(["diff", "HEAD", "--format", "json"], capsys)
    assert code == 1
    renamed = [c for c in report["changes"] if c["kind"] == "python-argument-renamed"]
    assert [(c["old"], c["new"]) for c in renamed] == [("steps", "num_steps")]


def test_check_fails_when_the_lock_is_stale(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = project / "schemas" / LOCK_FILE
    lock.write_text(lock.read_text().replace('"57_steps": "steps",', ""), encoding="utf-8")
    capsys.readouterr()
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert '+        "57_steps": "steps",' in out
    lock.unlink()
    assert main(["check"]) == 1
    assert f"missing file: schemas/{LOCK_FILE}" in capsys.readouterr().out


def test_require_version_bump(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--require-version-bump"]) == 0
    edit_seed(project, lambda d: props(d).pop("54_shift"))
    assert main(["generate"]) == 0
    capsys.readouterr()
    assert main(["check", "--require-version-bump"]) == 1
    assert "major version did not move (1.4.0 → 1.4.0)" in capsys.readouterr().err
    assert main(["check", "--require-version-bump", "--version", "1.5.0"]) == 1
    (project / "pyproject.toml").write_text('[tool.runcomfy-codegen]\nversion = "2.0.0"\n')
    assert main(["generate"]) == 0
    assert main(["check", "--require-version-bump"]) == 0


def test_generated_package_reports_its_version(project: Path) -> None:
    version_file = project / "generated" / "runcomfy_sdk" / "_version.py"
    assert '__version__ = "1.4.0"' in version_file.read_text(encoding="utf-8")
