"""``runcomfy-codegen pull`` against the local server: the catalog, paged or by model id,
ingested exactly as saved pages are; any failure leaves ``schemas/`` untouched."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from generator import canonical
from generator.cli import main
from generator.server import Fault, FaultKind, ServerHandle
from generator.snapshot import from_directory
from tests.helpers import REPO

pytestmark = pytest.mark.slow

FLF = "community/wan-2-2/first-last-frame"
FLF_FILE = Path("community", "wan-2-2", "first-last-frame.json")
MODEL_FILES = sorted(
    path.relative_to(REPO / "schemas") for path in (REPO / "schemas").rglob("*.json")
)

Pull = Callable[..., tuple[int, str, str]]


@pytest.fixture
def pull(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    server: ServerHandle,
) -> Pull:
    """Run ``pull`` in an empty project against ``server``: (exit code, stdout, stderr)."""
    (tmp_path / "pyproject.toml").write_text("[tool.runcomfy-codegen]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNCOMFY_API_TOKEN", server.token)

    def run(*arguments: str, base_url: str = server.base_url) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["pull", "--base-url", base_url, *arguments])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def schemas_of(project: Path) -> dict[str, bytes]:
    return {str(path): data for path, data in from_directory(project, label="x").files.items()}


def test_pull_all_writes_the_same_canonical_files_ingest_made(pull: Pull, tmp_path: Path) -> None:
    code, out, err = pull("--all")
    assert (code, err) == (0, "")
    for relative in MODEL_FILES:
        assert f"created: schemas/{relative.as_posix()}" in out
        # The catalog serves no example bodies; the rest is byte for byte what ingest made.
        document = json.loads((REPO / "schemas" / relative).read_text(encoding="utf-8"))
        document.pop("example_request", None)
        pulled = (tmp_path / "schemas" / relative).read_text(encoding="utf-8")
        assert pulled == canonical.dumps(document), relative
    assert f"{FLF}\n  [compatible] model-added" in out
    code, out, _ = pull("--all")
    assert code == 0 and out.count("unchanged: ") == len(MODEL_FILES)
    assert out.endswith("no changes for SDK users\n")


def test_the_catalog_is_read_page_by_page(server: ServerHandle) -> None:
    from generator.pull import catalog_client, fetch_catalog

    seen: list[str] = []
    with catalog_client(base_url=server.base_url, token=server.token) as client:
        answers = fetch_catalog(client, page_size=2, progress=seen.append)
    assert [answer.label for answer in answers] == [
        "GET /v1/models?include_schema=true&limit=2&offset=0",
        "GET /v1/models?include_schema=true&limit=2&offset=2",
    ]
    assert seen == ["2/3 models", "3/3 models"]
    assert sum(len(json.loads(answer.body)["models"]) for answer in answers) == 3


def test_pull_of_a_named_model_reports_what_changed_for_sdk_users(
    pull: Pull, tmp_path: Path
) -> None:
    assert pull(FLF)[0] == 0
    document = json.loads((tmp_path / "schemas" / FLF_FILE).read_text(encoding="utf-8"))
    document["input_schema"]["properties"]["57_steps"]["maximum"] = 30
    (tmp_path / "schemas" / FLF_FILE).write_text(json.dumps(document), encoding="utf-8")
    code, out, _ = pull(FLF)
    assert code == 0 and f"updated: schemas/{FLF_FILE.as_posix()}" in out
    assert "[breaking] request-property-max-decreased" in out
    assert out.rstrip().endswith("suggested version bump: major")


@pytest.mark.parametrize(
    "failure",
    ["bad-token", "no-server", "unknown-model", "malformed-page", "no-token"],
)
def test_a_failed_pull_leaves_schemas_untouched(
    pull: Pull,
    tmp_path: Path,
    server: ServerHandle,
    monkeypatch: pytest.MonkeyPatch,
    failure: str,
) -> None:
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    (tmp_path / "schemas" / FLF_FILE).write_text("{}", encoding="utf-8")  # to be refreshed
    before = schemas_of(tmp_path / "schemas")
    arguments, base_url = ["--all"], server.base_url
    if failure == "bad-token":
        monkeypatch.setenv("RUNCOMFY_API_TOKEN", "not-the-token")
    elif failure == "no-token":
        monkeypatch.delenv("RUNCOMFY_API_TOKEN")
    elif failure == "no-server":
        base_url = "http://127.0.0.1:9"  # discard port: nothing listens
    elif failure == "unknown-model":
        arguments = [FLF, "acme/not-in-the-catalog"]
    else:
        server.controller.inject(Fault(route="catalog", kind=FaultKind.MALFORMED))
    code, out, err = pull(*arguments, base_url=base_url)
    assert code == 2, (out, err)
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "nothing was written" in err or failure == "no-token"
    assert schemas_of(tmp_path / "schemas") == before
    assert server.token not in err + out


def test_a_bad_entry_in_the_catalog_is_diagnosed_and_nothing_is_written(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    server_factory: Callable[..., ServerHandle],
) -> None:
    served = tmp_path / "served"
    shutil.copytree(REPO / "schemas", served)
    # The server serves any id; ingest refuses one that would escape schemas/.
    document = json.loads((served / FLF_FILE).read_text(encoding="utf-8"))
    document["model_id"] = "acme/../../escape"
    (served / "escape.json").write_text(json.dumps(document), encoding="utf-8")
    handle = server_factory(schemas_dir=served)
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    monkeypatch.setenv("RUNCOMFY_API_TOKEN", handle.token)
    assert main(["pull", "--all", "--base-url", handle.base_url]) == 2
    err = capsys.readouterr().err
    assert "GET /v1/models?include_schema=true&limit=100&offset=0#/models/0" in err
    assert "error[I010]" in err
    assert err.rstrip().endswith("pull failed: nothing was written")
    assert not (project / "schemas").exists()


def test_pull_all_names_the_schemas_of_models_that_left_the_catalog_and_prune_removes_them(
    pull: Pull, tmp_path: Path
) -> None:
    assert pull("--all")[0] == 0
    gone = Path("acme", "retired", "model.json")
    document = json.loads((tmp_path / "schemas" / FLF_FILE).read_text(encoding="utf-8"))
    document["model_id"] = "acme/retired/model"
    (tmp_path / "schemas" / gone).parent.mkdir(parents=True)
    (tmp_path / "schemas" / gone).write_text(canonical.dumps(document), encoding="utf-8")

    code, out, _ = pull("--all")
    assert code == 0
    assert f"not in the catalog: schemas/{gone.as_posix()} (kept" in out
    assert (tmp_path / "schemas" / gone).is_file()

    code, out, _ = pull("--all", "--prune")
    assert code == 0
    assert f"removed, not in the catalog: schemas/{gone.as_posix()}" in out
    assert "acme/retired/model\n  [breaking] model-removed" in out
    assert not (tmp_path / "schemas" / "acme").exists(), "emptied folders go too"
    assert sorted(
        path.relative_to(tmp_path / "schemas") for path in (tmp_path / "schemas").rglob("*.json")
    ) == MODEL_FILES


def test_prune_needs_the_whole_catalog(pull: Pull) -> None:
    code, _, err = pull(FLF, "--prune")
    assert code == 2 and "--prune needs --all" in err
