"""The documentation site builds with --strict (no broken link, no missing page, no API name
mkdocstrings cannot find), from the same pages whose code the suite runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


def test_every_page_is_in_the_navigation() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    pages = [p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")]
    missing = [p for p in pages if p not in nav]
    assert not missing, f"pages not in mkdocs.yml's nav: {missing}"
