"""``[tool.runcomfy-codegen]``: every key read, flags over the file, bad values refused (exit 2)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from generator.cli import main
from generator.config import (
    DEFAULT_REGENERATE,
    ConfigError,
    FileConfig,
    read_file_config,
    resolve,
)
from tests.helpers import REPO

FLF = "community/wan-2-2/first-last-frame"
GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}


def write_pyproject(directory: Path, body: str) -> Path:
    path = directory / "pyproject.toml"
    path.write_text("[tool.runcomfy-codegen]\n" + body, encoding="utf-8")
    return path


def test_every_key_is_read_and_flags_win(tmp_path: Path) -> None:
    pyproject = write_pyproject(
        tmp_path,
        'schemas = "api/schemas"\noutput = "src"\npackage = "acme._vendor.runcomfy"\n'
        'version = "1.4.0"\nregenerate = "tox -e sdk"\n',
    )
    from_file = resolve(read_file_config(pyproject), root=tmp_path)
    assert from_file.schemas_dir == tmp_path / "api" / "schemas"
    assert from_file.schemas_label == "api/schemas"
    assert from_file.package_dir == tmp_path / "src" / "acme" / "_vendor" / "runcomfy"
    assert (from_file.version, from_file.regenerate) == ("1.4.0", "tox -e sdk")
    flagged = resolve(
        read_file_config(pyproject),
        root=tmp_path,
        schemas="s",
        output="o",
        package="sdk",
        version="2.0.0",
        regenerate="make sdk",
    )
    assert flagged.package_dir == tmp_path / "o" / "sdk"
    assert (flagged.schemas_label, flagged.version, flagged.regenerate) == (
        "s",
        "2.0.0",
        "make sdk",
    )


def test_defaults_without_a_pyproject(tmp_path: Path) -> None:
    config = resolve(read_file_config(tmp_path / "pyproject.toml"), root=tmp_path)
    assert config.package_dir == tmp_path / "generated" / "runcomfy_sdk"
    assert config.regenerate == DEFAULT_REGENERATE == "runcomfy-codegen generate"


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ('schema = "x"\n', "unknown keys ['schema']"),
        ("version = 1\n", "version must be a string"),
        ('package = "acme.2fast"\n', "'2fast' is not an identifier"),
        ('package = "acme.class.sdk"\n', "'class' is a keyword"),
        ('package = "acme..sdk"\n', "'' is not an identifier"),
        ('regenerate = "make\\ngenerate"\n', "one line of printable text"),
        ('version = "latest"\n', "not a release version"),
        ('distribution = "-acme"\n', "not a distribution name"),
        ('distribution = "acme"\npackage = "acme.sdk"\n', "needs a top-level package"),
    ],
)
def test_a_bad_configuration_is_refused_with_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    body: str,
    complaint: str,
) -> None:
    pyproject = write_pyproject(tmp_path, body)
    with pytest.raises(ConfigError) as raised:
        resolve(read_file_config(pyproject), root=tmp_path)
    assert complaint in str(raised.value)
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert complaint in err and err.startswith("error: ")


def test_the_readme_documents_every_key() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Configuration", 1)[1].split("\n## ", 1)[0]
    for key in FileConfig.__dataclass_fields__:
        assert f"| `{key}` |" in section, key


def test_this_project_configures_itself() -> None:
    table = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    config = resolve(FileConfig(**table["tool"]["runcomfy-codegen"]), root=REPO)
    assert config.regenerate == "make generate"


@pytest.mark.slow
def test_overrides_kept_outside_the_schemas_name_the_sdk_and_the_change_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    (tmp_path / "naming").mkdir()
    (tmp_path / "schemas" / "overrides.toml").rename(tmp_path / "naming" / "overrides.toml")
    write_pyproject(tmp_path, 'overrides = "naming/overrides.toml"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["generate"]) == 0 and main(["check"]) == 0
    lock = json.loads((tmp_path / "schemas" / "names.lock").read_text(encoding="utf-8"))
    assert lock["models"][FLF]["fields"]["67_length"] == "num_frames"
    for command in (["init", "-q"], ["add", "."], ["commit", "-qm", "base"]):
        subprocess.run(["git", *command], cwd=tmp_path, env=GIT_ENV, check=True)
    overrides = tmp_path / "naming" / "overrides.toml"
    text = overrides.read_text()
    overrides.write_text(text.replace('"67_length" = "num_frames"', '"67_length" = "frames"'))
    capsys.readouterr()
    assert main(["diff", "HEAD"]) == 1
    out = capsys.readouterr().out
    assert f"{FLF}\n  [breaking] python-argument-renamed" in out
    assert "'67_length'" in out and "'frames'" in out
    overrides.write_text('["community/wan-2-2/first-last-frame"]\n"67_length" = 3\n')
    assert main(["check"]) == 2
    assert capsys.readouterr().err.startswith("naming/overrides.toml")
