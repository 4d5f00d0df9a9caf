"""The command line end to end: ingest → generate → check, exit codes, and safety on failure."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main
from tests.helpers import REPO

PAGES = REPO / "tests" / "fixtures" / "seed_pages"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project directory to run the CLI in."""
    (tmp_path / "pyproject.toml").write_text('[tool.runcomfy-codegen]\npackage = "runcomfy_sdk"\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def tree(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_ingest_generate_check_round_trip(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", *map(str, sorted(PAGES.glob("*.txt")))]) == 0
    assert "created: schemas/community/wan-2-2/first-last-frame.json" in capsys.readouterr().out
    assert len(list((project / "schemas").rglob("*.json"))) == 3
    assert main(["generate"]) == 0
    assert (project / "generated" / "runcomfy_sdk" / "models" / "__init__.py").is_file()
    assert main(["check"]) == 0
    first = tree(project / "generated")
    assert main(["generate"]) == 0
    assert tree(project / "generated") == first, "generation must be byte-identical on every run"
    assert "0 written" in capsys.readouterr().out


def test_check_fails_with_a_diff_when_generated_code_was_edited(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", str(PAGES / "001_8061a351021e3f57.txt")]) == 0
    assert main(["generate"]) == 0
    module = next((project / "generated").rglob("community_wan_2_2_first_last_frame.py"))
    module.write_text(module.read_text() + "\n# hand edit\n")
    capsys.readouterr()
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert "+# hand edit" not in out and "-# hand edit" in out
    assert out.splitlines()[-1].endswith("run: runcomfy-codegen generate")


def test_a_bad_schema_leaves_generated_exactly_as_it_was(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", str(PAGES / "001_8061a351021e3f57.txt")]) == 0
    assert main(["generate"]) == 0
    before = tree(project / "generated")
    bad = project / "schemas" / "acme" / "broken.json"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        json.dumps(
            {
                "model_id": "acme/broken",
                "input_schema": {
                    "type": "object",
                    "properties": {"steps": {"type": "integer", "maximum": "x"}},
                },
                "output_schema": {"type": "object", "properties": {}},
            }
        )
    )
    capsys.readouterr()
    assert main(["generate"]) == 2
    err = capsys.readouterr().err
    assert "schemas/acme/broken.json#/input_schema/properties/steps/maximum: error[S001]" in err
    assert "nothing was written" in err
    assert tree(project / "generated") == before


def test_strict_turns_warnings_into_failure(project: Path) -> None:
    shutil.copytree(REPO / "tests" / "golden" / "edge_cases" / "schemas", project / "schemas")
    assert main(["generate", "--strict"]) == 2
    assert not (project / "generated").exists()
    assert main(["generate"]) == 0


def test_orphans_are_removed_only_when_they_carry_our_header(project: Path) -> None:
    shutil.copytree(REPO / "tests" / "golden" / "edge_cases" / "schemas", project / "schemas")
    assert main(["generate"]) == 0
    models = project / "generated" / "runcomfy_sdk" / "models"
    mine = models / "hand_written.py"
    mine.write_text("VALUE = 1\n")
    (project / "schemas" / "acme" / "edge-cases" / "naming.json").unlink()
    assert main(["generate"]) == 0
    assert not (models / "acme_edge_cases_naming.py").exists()
    assert mine.read_text() == "VALUE = 1\n"


def test_ingest_failure_writes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = (PAGES / "001_8061a351021e3f57.txt").read_text()
    (project / "a.txt").write_text(page)
    (project / "b.txt").write_text(page.replace('"maximum": 24', '"maximum": 30'))
    assert main(["ingest", "a.txt", "b.txt"]) == 2
    assert "a.txt has 24, b.txt has 30" in capsys.readouterr().err
    assert not (project / "schemas").exists()


def test_console_script_and_module_entry_point_agree(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "ingest" in result.stdout and "generate" in result.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "generator", "frobnicate"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2


def test_serve_passes_its_own_flags_to_the_server() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "serve", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--port" in result.stdout and "--queue-seconds" in result.stdout


def test_ingest_of_a_directory_reads_every_source_below_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = project / "saved"
    shutil.copytree(PAGES, saved / "pages")
    (saved / "notes.md").write_text("not a source")
    assert main(["ingest", str(saved)]) == 0
    out = capsys.readouterr().out
    assert out.count("created: ") == 3
    (project / "empty").mkdir()
    assert main(["ingest", "empty"]) == 2
    assert "the directory holds no source files" in capsys.readouterr().err


def test_ingest_warns_only_about_the_models_it_ingests(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "schemas").mkdir()
    (project / "schemas" / "overrides.toml").write_text('["acme/elsewhere"]\n"6_text" = "prompt"\n')
    assert main(["ingest", str(PAGES / "001_8061a351021e3f57.txt")]) == 0
    assert "N006" not in capsys.readouterr().out


def test_a_malformed_json_file_is_reported_with_its_position(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "bad.json").write_text('{"model_id": "acme/x",\n  "input_schema": {,}}')
    assert main(["ingest", "bad.json"]) == 2
    err = capsys.readouterr().err
    assert "bad.json: error[I012]: not valid JSON" in err and "(line 2, column" in err


def test_an_output_path_that_is_a_file_is_refused_and_kept(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", str(PAGES / "001_8061a351021e3f57.txt")]) == 0
    (project / "blocker").write_text("mine")
    assert main(["generate", "--output", "blocker"]) == 2
    assert "blocker: the output must be a directory" in capsys.readouterr().err
    assert (project / "blocker").read_text() == "mine"
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".blocker")) == []


def test_an_unexpected_failure_is_one_line_not_a_traceback(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.pipeline

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(generator.pipeline, "generate", broken)
    monkeypatch.delenv("RUNCOMFY_CODEGEN_DEBUG", raising=False)
    assert main(["ingest", str(PAGES / "001_8061a351021e3f57.txt")]) == 0
    assert main(["generate"]) == 2
    err = capsys.readouterr().err
    assert "internal error" in err and "RuntimeError: boom" in err and "Traceback" not in err


def test_generate_never_writes_over_a_file_it_did_not_write(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", str(PAGES / "001_8061a351021e3f57.txt")]) == 0
    mine = project / "generated" / "runcomfy_sdk" / "client.py"
    mine.parent.mkdir(parents=True)
    mine.write_text("x = 1\n")
    capsys.readouterr()
    assert main(["generate"]) == 2
    err = capsys.readouterr().err
    assert "generated/runcomfy_sdk/client.py: not written by runcomfy-codegen" in err
    assert tree(project / "generated") == {"runcomfy_sdk/client.py": b"x = 1\n"}


def test_ingest_dry_run_shows_the_diff_it_would_write_and_writes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = str(PAGES / "001_8061a351021e3f57.txt")
    assert main(["ingest", page]) == 0
    schema = project / "schemas" / "community" / "wan-2-2" / "first-last-frame.json"
    edited = schema.read_text().replace('"maximum": 20', '"maximum": 25', 1)
    assert edited != schema.read_text()
    schema.write_text(edited)
    capsys.readouterr()
    assert main(["ingest", "--dry-run", page]) == 0
    out = capsys.readouterr().out
    assert out.startswith("updated: schemas/community/wan-2-2/first-last-frame.json\n")
    assert '-        "maximum": 25' in out and '+        "maximum": 20' in out
    assert schema.read_text() == edited
