"""The example portal as people use it, in a real headless browser (Debian's chromium driven by
Selenium through chromium-driver, as tests/test_forms_browser.py; .ci/run installs both): the
app runs under uvicorn on a free port over a temporary SQLite store and a clock the test sets;
a citizen files, the desk receives, the officers complete the steps, the desk prints the
receipt slip (Form 01), and the supervisor page's on-time figure is the store's report.

Under CI=true the test fails, rather than skips, when chromium or its driver is missing.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dossierflow import reports
from dossierflow.store import Store
from tests.browser_support import start_chromium
from tests.portal_support import TZ, Clock, load_portal, portal_store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    driver = start_chromium()
    yield driver
    driver.quit()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Store, Clock]]:
    """The portal under uvicorn in a thread, on a free port."""
    uvicorn = pytest.importorskip("uvicorn")
    store = portal_store(tmp_path / "portal.db")
    clock = Clock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ))
    app = load_portal().create_app(store, clock=clock, secret=b"k" * 32, sweep_every=None,
                                   relay_every=None)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", store, clock
    server.should_exit = True
    thread.join(10)
    store.close()


def test_file_receive_complete_print_and_report(browser: Any,
                                                served: tuple[str, Store, Clock]) -> None:
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    base, store, clock = served

    def click(element: Any) -> None:
        """Click a submit button and wait for the next page: a new document (its window
        no longer has the mark set before the click), fully loaded. Chromium may answer a
        query on the old page's node, while it navigates, with an inspector error rather
        than a stale-element one, so the wait reads the window, not that node."""
        browser.execute_script("window.__beforeClick = true")
        element.click()
        WebDriverWait(browser, 10, ignored_exceptions=(WebDriverException,)).until(
            lambda b: b.execute_script("return window.__beforeClick === undefined && "
                                       "document.readyState === 'complete'"))

    def login(key: str) -> None:
        browser.get(base + "/")
        Select(browser.find_element(By.ID, "user")).select_by_value(key)
        click(browser.find_element(By.ID, "login"))

    def act(code: str, action: str, **selects: str) -> None:
        browser.get(f"{base}/dossiers/{code}")
        form = browser.find_element(By.ID, f"do-{action}")
        for name, value in selects.items():
            Select(form.find_element(By.NAME, name)).select_by_value(value)
        click(form.find_element(By.ID, f"btn-{action}"))

    # A citizen files a certified copy online.
    login("citizen-an")
    assert browser.current_url.endswith("/citizen")
    Select(browser.find_element(By.ID, "procedure")).select_by_value("2.000815")
    click(browser.find_element(By.ID, "file"))
    code = browser.find_element(By.ID, "code").text
    assert code == "H29.123.45-260302-0001"
    assert browser.find_element(By.ID, "status").text == "filed"

    # The desk finds it on its worklist and receives it.
    clock.advance(minutes=15)
    login("desk-xa")
    browser.get(base + "/officer")
    click(browser.find_element(By.LINK_TEXT, code))
    click(browser.find_element(By.ID, "btn-receive"))
    assert browser.find_element(By.ID, "status").text == "in_progress"
    assert browser.find_element(By.ID, "steps").text == "certify"

    # The justice officer certifies, the chairman signs: resolved.
    clock.advance(hours=1)
    login("justice-xa")
    act(code, "complete_step")
    clock.advance(hours=1)
    login("chair-xa")
    act(code, "complete_step", outcome="approve")
    assert browser.find_element(By.ID, "status").text == "resolved"

    # The desk prints the receipt slip.
    login("desk-xa")
    browser.get(f"{base}/dossiers/{code}")
    href = browser.find_element(By.ID, "form01").get_attribute("href")
    browser.get(href)
    slip = browser.find_element(By.TAG_NAME, "body").text
    assert code in slip
    assert "Nguyễn Văn An" in slip
    assert "02 tháng 3 năm 2026" in slip  # received on Monday 2 March 2026

    # The supervisor's on-time figure is the store's report.
    login("supervisor")
    browser.get(f"{base}/supervisor?start=2026-03-01&end=2026-03-31")
    report = reports.from_store(store, reports.Period(dt.date(2026, 3, 1),
                                                      dt.date(2026, 3, 31)), ("agency",))
    rate = next(i for i in report.indicators() if i.code == "progress.on_time").rates[0]
    assert rate.denominator == 1
    assert rate.value is not None
    assert browser.find_element(By.ID, "on-time").text == f"{100 * rate.value:.1f}%"
    assert browser.find_element(By.ID, "on-time-numerator").text == str(rate.numerator)
