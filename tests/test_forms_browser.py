"""Forms as people see them, in a real headless browser (Debian's chromium driven by Selenium
through chromium-driver; .ci/run installs both): printed through Chrome's own
``Page.printToPDF`` (with the CSS page size and margins, no shrinking), every form but the
register fits one A4 page and the register runs over several with its headings on each; no
Vietnamese character is left without a glyph.

Missing glyphs: for every element with text, Chrome's DevTools say which installed fonts it
drew that text with (``CSS.getPlatformFontsForNode``); fontconfig gives each font's file and
fontTools its character map, and every character of the text must be in one of them. A
character no font has would be drawn as the fallback's empty box (``.notdef``), which is
exactly a character outside those maps.

Under CI=true the tests fail, rather than skip, when chromium or its driver is missing.
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from dossierflow.forms import Renderer, samples, write_samples
from dossierflow.states import Form
from tests.browser_support import start_chromium

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless chromium for the session."""
    driver = start_chromium("--font-render-hinting=none")
    driver.execute_cdp_cmd("DOM.enable", {})
    driver.execute_cdp_cmd("CSS.enable", {})
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def pages(tmp_path_factory: Any) -> Path:
    out = tmp_path_factory.mktemp("forms")
    write_samples(out)
    return out


def _print(browser: Any, path: Path) -> bytes:
    import base64

    browser.get(path.as_uri())
    result = browser.execute_cdp_cmd("Page.printToPDF", {
        "preferCSSPageSize": True, "printBackground": True, "scale": 1})
    return base64.b64decode(result["data"])


def _pages(pdf: bytes) -> list[Any]:
    from pypdf import PdfReader

    return list(PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("form", [f for f in Form if f is not Form.REGISTER])
def test_each_form_fits_one_a4_page(browser: Any, pages: Path, form: Form) -> None:
    printed = _pages(_print(browser, pages / f"form{form.number}.html"))
    assert len(printed) == 1, f"Form {form.number} prints on {len(printed)} pages"
    box = printed[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == \
        (210, 297)


def test_the_register_paginates_with_its_headings_on_every_page(browser: Any,
                                                                tmp_path: Path) -> None:
    s = samples()
    renderer = Renderer(s.engine, sla=s.sla, letterhead=s.letterhead)
    small = tmp_path / "small.html"
    small.write_text(renderer.register(s.dossiers.values(), first=s.first, last=s.last),
                     encoding="utf-8")
    (page,) = _pages(_print(browser, small))
    assert (round(float(page.mediabox.width) / 72 * 25.4),
            round(float(page.mediabox.height) / 72 * 25.4)) == (297, 210)  # landscape
    many = tmp_path / "many.html"
    many.write_text(renderer.register(list(s.dossiers.values()) * 30, first=s.first,
                                      last=s.last), encoding="utf-8")
    printed = _pages(_print(browser, many))
    assert len(printed) >= 3
    for p in printed:  # the headings repeat ("STT", plain ASCII, reads back whole)
        assert "STT" in p.extract_text()
    text = "".join("".join(p.extract_text().split()) for p in printed)  # codes wrap
    assert text.count("H29.123.45-260302-0001") == 30  # every entry printed, none cut off


@cache
def _cmap(family: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    path = subprocess.run(["fc-match", "-f", "%{file}", family], capture_output=True,
                          text=True, check=True).stdout
    with TTFont(path, fontNumber=0, lazy=True) as font:
        return frozenset(font.getBestCmap() or {})


def _text_elements(node: dict[str, Any]) -> Iterator[tuple[int, str]]:
    own = "".join(c.get("nodeValue", "") for c in node.get("children", ())
                  if c.get("nodeType") == 3)
    if node.get("nodeType") == 1 and own.strip() and node.get("nodeName") not in (
            "STYLE", "TITLE", "SCRIPT"):
        yield node["nodeId"], own
    for child in node.get("children", ()):
        yield from _text_elements(child)


def _unglyphed(browser: Any, path: Path) -> tuple[list[str], set[str]]:
    """The problems (characters no font drew) and the non-ASCII characters checked."""
    browser.get(path.as_uri())
    root = browser.execute_cdp_cmd("DOM.getDocument", {"depth": -1, "pierce": False})["root"]
    problems: list[str] = []
    seen: set[str] = set()
    for node_id, text in _text_elements(root):
        fonts = browser.execute_cdp_cmd("CSS.getPlatformFontsForNode",
                                        {"nodeId": node_id})["fonts"]
        covered = frozenset().union(*(_cmap(f["familyName"]) for f in fonts))
        missing = {c for c in text if not c.isspace() and ord(c) not in covered}
        if missing or not fonts:
            problems.append(f"{sorted(missing)} in {text.strip()!r} have no glyph in "
                            f"{[f['familyName'] for f in fonts]}")
        seen.update(c for c in text if ord(c) > 0x7F)
    return problems, seen


@pytest.mark.parametrize("form", list(Form))
def test_no_vietnamese_character_lacks_a_glyph(browser: Any, pages: Path, form: Form) -> None:
    problems, seen = _unglyphed(browser, pages / f"form{form.number}.html")
    assert problems == []
    assert {"ư", "ơ", "đ", "ệ", "Ộ"} & seen  # the check saw diacritics


def test_the_glyph_check_finds_a_character_without_a_glyph(browser: Any,
                                                            tmp_path: Path) -> None:
    page = tmp_path / "tofu.html"
    page.write_text("<!DOCTYPE html><html><body><p>Hồ sơ \ue000</p></body></html>",
                    encoding="utf-8")  # U+E000: private use, in no installed font
    problems, _ = _unglyphed(browser, page)
    assert len(problems) == 1
    assert "ue000" in problems[0]  # named (as a repr) in the problem
