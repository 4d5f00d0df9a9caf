"""The generated package's docs: one page per model, an index, and examples that run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.modeldocs import _cell, _code
from generator.server import ServerHandle
from tests.helpers import REPO

PACKAGE_DIR = REPO / "generated" / "runcomfy_sdk"
PAGES = sorted(page for page in (PACKAGE_DIR / "docs").glob("*.md") if page.stem != "README")
EXAMPLE = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def test_every_model_has_a_page_named_as_the_index_says_and_the_index_lists_none() -> None:
    modules = sorted(path.stem for path in (PACKAGE_DIR / "models").glob("*.py"))
    assert [page.stem for page in PAGES] == [m for m in modules if m != "__init__"]
    index = (PACKAGE_DIR / "docs" / "README.md").read_text(encoding="utf-8")
    assert "`community_wan_2_2_first_last_frame.md`" in index
    # Adding a model must not rewrite the index: it names no page but its example.
    assert [page.name for page in PAGES if page.name in index] == [
        "community_wan_2_2_first_last_frame.md"
    ]


def test_a_page_has_the_id_a_summary_a_parameter_row_per_field_and_an_example() -> None:
    page = (PACKAGE_DIR / "docs" / "community_wan_2_2_first_last_frame.md").read_text()
    assert "\n# `community/wan-2-2/first-last-frame`\n" in page
    row = "| `steps` | `57_steps` | integer | no | `20` | ≥ 6; ≤ 20 | Steps: Number of denoising"
    assert row in page
    assert "| `num_frames` | `67_length` | integer | no | `81` | one of `81`, `141` |" in page
    assert len(EXAMPLE.findall(page)) == 1


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=[page.stem for page in PAGES])
def test_the_example_runs_against_the_local_server(
    page: Path,
    server: ServerHandle,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (code,) = EXAMPLE.findall(page.read_text(encoding="utf-8"))
    # The example is written for the real API; only the address changes.
    assert code.count("RunComfy()") == 1
    local = code.replace("RunComfy()", f"RunComfy(base_url={server.base_url!r})")
    monkeypatch.setenv("RUNCOMFY_API_TOKEN", server.token)
    exec(compile(local, str(page), "exec"), {"__name__": "example"})
    printed = capsys.readouterr().out
    assert printed.startswith(("image=", "video=", "images=", "videos=")), printed
    assert server.base_url in printed


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("a | b", "a \\| b"),
        ("line one\nline two", "line one line two"),
        ("<script>alert(1)</script>", "\\<script\\>alert(1)\\</script\\>"),
        ("**bold** [link](x) `code` # h", "\\*\\*bold\\*\\* \\[link\\](x) \\`code\\` \\# h"),
    ],
)
def test_schema_text_stays_text_inside_one_cell(text: str, cell: str) -> None:
    assert _cell(text) == cell


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("seed", "`seed`"),
        ("a`b", "``a`b``"),
        ("`x", "`` `x ``"),
        ("a|b", "`a\\|b`"),
        ("", "(empty)"),
    ],
)
def test_code_spans_survive_backticks_and_pipes(text: str, span: str) -> None:
    assert _code(text) == span
