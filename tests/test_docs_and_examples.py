"""The README's and docs' Python blocks, the examples and the demo run as written."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

from dossierflow.__main__ import main

ROOT = Path(__file__).parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_doc_code_blocks_run(path: Path) -> None:
    """The blocks of a page run in order in one namespace, as a reader types them in."""
    namespace: dict[str, object] = {}
    for block in _blocks(path):
        exec(compile(block, str(path), "exec"), namespace)


def test_docs_have_code() -> None:
    assert _blocks(ROOT / "README.md")
    assert _blocks(ROOT / "docs" / "calendar.md")


@pytest.mark.parametrize("path", sorted((ROOT / "examples").glob("*.py")), ids=lambda p: p.name)
def test_examples_run(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(path), run_name="__main__")
    assert capsys.readouterr().out


def test_calendar_command_prints_the_year_and_deadlines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["calendar"]) == 0
    out = capsys.readouterr().out
    assert "12729/VPCP-KGVX" in out
    assert "Working days in 2026: 250" in out
    assert "due Wed 2026-02-25 10:00" in out
    assert main(["calendar", "2030"]) == 0
    assert "ESTIMATED" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["calendar", "1990"])


def test_demo_runs_dossiers_through_the_engine(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert out.count("receipt slip (Form 01)") == 28
    assert out.count("process control slip (Form 06)") == 28
    assert "(reception)" in out
    assert "apology (Form 04)" in out
    assert "supplement requested (Form 02)" in out
    assert "LATE" in out
    assert "early" in out
    summary = out.strip().splitlines()[-2]
    assert summary.startswith("summary: 28 dossiers, 28 judged")
    assert "on-time rate 89.3%" in summary
    assert main(["demo"]) == 0
    assert capsys.readouterr().out == out  # seeded: the same every time


def test_states_doc_shows_real_output(capsys: pytest.CaptureFixture[str]) -> None:
    from dossierflow import samples

    path = ROOT / "docs" / "states.md"
    text = path.read_text(encoding="utf-8")
    for block in _blocks(path):
        exec(compile(block, str(path), "exec"), {})
    printed = capsys.readouterr().out
    shown = re.findall(r"```text\n(.*?)```", text, flags=re.S)
    assert shown
    for block in shown:
        assert block in printed
    mermaid = re.findall(r"```mermaid\n(.*?)```", text, flags=re.S)
    assert mermaid == [samples.group_a().to_mermaid()]
