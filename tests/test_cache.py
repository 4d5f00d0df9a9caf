"""The render cache is an optimisation only: hits, misses, corruption and parallel rendering
all give the very same tree; and a change rewrites only what it touches."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path, PurePosixPath

import pytest

from generator import canonical, ingest
from generator.cache import Cache
from generator.catalog import catalog
from generator.cli import main
from generator.config import read_file_config, resolve
from generator.diagnostics import Diagnostics, format_diagnostic
from generator.ingest import parse_schemas
from generator.normalize import build_package
from generator.pipeline import generate, load_inputs
from generator.render import render
from tests.helpers import REPO, config_for


def write_catalog(schemas: Path, size: int) -> None:
    for document in catalog(size):
        path = schemas / canonical.canonical_path(document["model_id"])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(canonical.canonical_text(document), encoding="utf-8")


@pytest.fixture(scope="module")
def small_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    schemas = tmp_path_factory.mktemp("catalog") / "schemas"
    write_catalog(schemas, 6)
    shutil.copytree(REPO / "schemas" / "community", schemas / "community", dirs_exist_ok=True)
    return schemas


def tree_with_cache(schemas: Path, cache_dir: Path | None) -> dict[str, str]:
    config = config_for(schemas, schemas.parent / "out")
    diags = Diagnostics()
    files, overrides, lock = load_inputs(config, diags)
    package = build_package(files, overrides=overrides, lock=lock, package_name="sdk", diags=diags)
    return {str(p): t for p, t in render(package, config, cache=Cache(cache_dir)).items()}


def test_cache_hits_give_the_same_tree_as_no_cache(small_catalog: Path, tmp_path: Path) -> None:
    uncached = tree_with_cache(small_catalog, None)
    assert tree_with_cache(small_catalog, tmp_path / "cache") == uncached  # cold: fills it
    assert any((tmp_path / "cache" / "model").rglob("*"))
    assert tree_with_cache(small_catalog, tmp_path / "cache") == uncached  # warm: hits


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "valid-checksum-garbage"])
def test_a_corrupt_cache_changes_nothing(small_catalog: Path, tmp_path: Path, damage: str) -> None:
    cache_dir = tmp_path / "cache"
    expected = tree_with_cache(small_catalog, cache_dir)
    for entry in [p for p in cache_dir.rglob("*") if p.is_file()]:
        data = entry.read_bytes()
        if damage == "flip":
            entry.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
        elif damage == "truncate":
            entry.write_bytes(data[: len(data) // 2])
        elif damage == "empty":
            entry.write_bytes(b"")
        elif entry.parent.parent.name == "model":
            # Well-formed as an entry, but not what a model entry holds.
            Cache(cache_dir).put("model", entry.name, "{not json")
    assert tree_with_cache(small_catalog, cache_dir) == expected


def test_a_deleted_cache_changes_nothing(small_catalog: Path, tmp_path: Path) -> None:
    expected = tree_with_cache(small_catalog, tmp_path / "cache")
    shutil.rmtree(tmp_path / "cache")
    assert tree_with_cache(small_catalog, tmp_path / "cache") == expected


def test_an_unwritable_cache_only_costs_time(small_catalog: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be")
    assert tree_with_cache(small_catalog, blocker) == tree_with_cache(small_catalog, None)


def test_parallel_rendering_gives_the_serial_tree(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    write_catalog(schemas, 34)
    config = config_for(schemas, tmp_path / "out")
    diags = Diagnostics()
    files, overrides, lock = load_inputs(config, diags)
    package = build_package(files, overrides=overrides, lock=lock, package_name="sdk", diags=diags)
    assert render(package, config, jobs=2) == render(package, config, jobs=1)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.runcomfy-codegen]\n")
    write_catalog(tmp_path / "schemas", 12)
    monkeypatch.chdir(tmp_path)
    assert main(["generate"]) == 0
    return tmp_path


def written_by_generate(capsys: pytest.CaptureFixture[str]) -> list[str]:
    capsys.readouterr()
    assert main(["generate"]) == 0
    out = capsys.readouterr().out
    prefix = "wrote generated/"
    return sorted(line.removeprefix(prefix) for line in out.splitlines() if line.startswith(prefix))


def test_editing_one_schema_rewrites_only_that_models_files(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = next((project / "schemas").rglob("*.json"))
    document = json.loads(schema.read_text())
    document["input_schema"]["description"] = "A new description."
    schema.write_text(canonical.canonical_text(document))
    module = canonical.canonical_path(document["model_id"])
    written = written_by_generate(capsys)
    names = json.loads((project / "schemas" / "names.lock").read_text())["models"]
    stem = names[document["model_id"]]["module"]
    assert f"runcomfy_sdk/models/{stem}.py" in written, module
    assert set(written) <= {
        "runcomfy_sdk/MANIFEST.json",
        f"runcomfy_sdk/models/{stem}.py",
        f"runcomfy_sdk/resources/{stem}.py",
        f"runcomfy_sdk/docs/{stem}.md",
    }


def test_adding_a_model_writes_its_modules_and_a_few_small_files(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = catalog(13)[12]
    path = project / "schemas" / canonical.canonical_path(document["model_id"])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(canonical.canonical_text(document))
    written = written_by_generate(capsys)
    lock = json.loads((project / "schemas" / "names.lock").read_text())
    stem = lock["models"][document["model_id"]]["module"]
    own = {
        f"runcomfy_sdk/models/{stem}.py",
        f"runcomfy_sdk/resources/{stem}.py",
        f"runcomfy_sdk/docs/{stem}.md",
    }
    assert own <= set(written)
    index = {
        "runcomfy_sdk/MANIFEST.json",
        "runcomfy_sdk/models/__init__.py",
        "runcomfy_sdk/_registry.py",
    }
    levels = {
        path
        for path in written
        if path.startswith(("runcomfy_sdk/_namespaces/", "runcomfy_sdk/models/_index/"))
    }
    assert set(written) - own - levels <= index | {"runcomfy_sdk/client.py"}
    # The new model's own accessor levels and index, never every level of the catalog.
    assert len(levels) <= 2 * (len(document["model_id"].split("/")) - 1)


def test_adding_a_model_beside_others_writes_its_modules_and_three_small_files(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No file lists the catalog: a model in an existing level touches that level only."""
    neighbour = next((project / "schemas").rglob("*.json"))
    document = json.loads(neighbour.read_text())
    document["model_id"] += "-sibling"
    path = project / "schemas" / canonical.canonical_path(document["model_id"])
    path.write_text(canonical.canonical_text(document))
    written = written_by_generate(capsys)
    stem = json.loads((project / "schemas" / "names.lock").read_text())["models"][
        document["model_id"]
    ]["module"]
    own = {
        f"runcomfy_sdk/models/{stem}.py",
        f"runcomfy_sdk/resources/{stem}.py",
        f"runcomfy_sdk/docs/{stem}.md",
    }
    small = set(written) - own
    assert own <= set(written)
    level = PurePosixPath(neighbour.parent.relative_to(project / "schemas").as_posix())
    module = "_".join(part.replace("-", "_") for part in level.parts)
    assert small == {
        "runcomfy_sdk/MANIFEST.json",
        f"runcomfy_sdk/_namespaces/{module}.py",
        f"runcomfy_sdk/models/_index/{module}.py",
    }


def test_check_catches_a_hand_edit_without_a_cache(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUNCOMFY_CODEGEN_CACHE", "")
    config = resolve(read_file_config(project / "pyproject.toml"), root=Path("."))
    assert config.cache_dir is None
    module = next((project / "generated" / "runcomfy_sdk" / "models").glob("*_v0.py"))
    module.write_text(module.read_text().replace("class ", "class Edited", 1))
    capsys.readouterr()
    assert main(["check"]) == 1
    assert "-class Edited" in capsys.readouterr().out
    assert generate(config).files is not None


def mixed_schemas(count: int) -> dict[PurePosixPath, bytes]:
    """Catalog files, some not canonical (a warning), some broken or misplaced (errors)."""
    texts = {
        canonical.canonical_path(document["model_id"]): canonical.canonical_text(document).encode()
        for document in catalog(count)
    }
    paths = sorted(texts)
    texts[paths[1]] = json.dumps(json.loads(texts[paths[1]])).encode()  # valid, not canonical
    texts[paths[2]] = texts[paths[2]].replace(b'"object"', b'"objekt"', 1)  # wrong shape
    texts[paths[3]] = texts[paths[3]][:-40]  # not JSON
    texts[paths[4]] = b'{"a": 1, "a": 2}'  # a duplicate key
    texts[PurePosixPath("elsewhere.json")] = texts[paths[5]]  # at the wrong path
    return texts


def checked(
    texts: dict[PurePosixPath, bytes], cache: Cache | None
) -> tuple[list[object], list[str]]:
    diags = Diagnostics()
    files = parse_schemas(texts, diags, shown_as="schemas", cache=cache)
    return [(f.ref, f.path, f.document, f.sha256) for f in files], list(
        map(format_diagnostic, diags)
    )


def test_schema_checks_remembered_by_the_cache_change_nothing(tmp_path: Path) -> None:
    texts = mixed_schemas(10)
    expected = checked(texts, None)
    assert any("warning[S005]" in line for line in expected[1])
    assert len([line for line in expected[1] if "error[" in line]) >= 4
    cache = Cache(tmp_path / "cache")
    assert checked(texts, cache) == expected  # cold: remembers the files that passed
    assert any((tmp_path / "cache" / "schema-checks").rglob("*"))
    assert checked(texts, cache) == expected  # warm: those are only decoded


@pytest.mark.parametrize("damage", ["corrupt", "not a table", "wrong values"])
def test_damaged_schema_checks_change_nothing(tmp_path: Path, damage: str) -> None:
    texts = mixed_schemas(6)
    expected = checked(texts, None)
    cache = Cache(tmp_path / "cache")
    checked(texts, cache)
    [entry] = [p for p in (tmp_path / "cache" / "schema-checks").rglob("*") if p.is_file()]
    if damage == "corrupt":
        entry.write_bytes(entry.read_bytes()[:-3])
    else:
        payload = (
            "[1, 2]"
            if damage == "not a table"
            else json.dumps(
                {key: "yes" for key in json.loads(entry.read_bytes().partition(b"\n")[2])}
            )
        )
        cache.put("schema-checks", entry.name, payload)
    assert checked(texts, cache) == expected


def test_schema_files_checked_on_many_processes_give_the_serial_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = mixed_schemas(12)
    serial = checked(texts, None)
    monkeypatch.setattr(ingest, "_FILES_PER_WORKER", 3)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert checked(texts, None) == serial
