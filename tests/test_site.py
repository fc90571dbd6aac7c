"""The documentation site builds with --strict (no broken link, no missing page, no API name
mkdocstrings cannot find), from the same pages whose code the suite runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).parent.parent


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    for page in ("index.html", "tutorial/first-procedure/index.html",
                 "reference/states/index.html", "law/index.html"):
        assert (tmp_path / page).stat().st_size > 1000, page
    api = (tmp_path / "reference/states/index.html").read_text(encoding="utf-8")
    assert "supplement_requests_per_agency" in api  # Procedure's docstring, rendered


def _leaves(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [leaf for item in node for leaf in _leaves(item)]
    if isinstance(node, dict):
        return [leaf for value in node.values() for leaf in _leaves(value)]
    return []


def test_every_page_is_in_the_navigation() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    nav = set(_leaves(config["nav"]))
    pages = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    assert not pages - nav, f"pages not in mkdocs.yml's nav: {sorted(pages - nav)}"
    assert not nav - pages, f"nav entries with no page: {sorted(nav - pages)}"
