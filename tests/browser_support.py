"""A headless Debian chromium driven by Selenium through chromium-driver, for the tests that
check pages as people see them (.ci/run installs both). Under CI=true a test that cannot have
the browser fails rather than skips."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest


def need(what: str) -> None:
    """Skip for ``what`` missing; fail instead under CI=true."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what}; install it: apt-get install chromium chromium-driver")
    pytest.skip(what)


def start_chromium(*extra: str) -> Any:
    """A headless chromium (a Selenium driver) with the project's options and ``extra``
    command-line arguments; the caller quits it."""
    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        need("chromium or chromedriver is not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                *extra):
        options.add_argument(arg)
    try:
        return webdriver.Chrome(service=Service(driver_path), options=options)
    except Exception as exc:  # the browser could not start
        need(f"chromium does not start: {exc}")
        raise  # need() does not return
