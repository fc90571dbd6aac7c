"""Screenshots of Forms 01, 04 and 06 for docs/forms.md, made from what
``python -m dossierflow forms --demo -o DIR`` writes, in headless chromium (Debian's chromium
and chromium-driver). Run from the repository: ``python docs/screenshots.py``."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

HERE = Path(__file__).parent


def main() -> None:
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([sys.executable, "-m", "dossierflow", "forms", "--demo", "-o", out],
                       check=True, capture_output=True)
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "chromium"
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", "--force-device-scale-factor=1"):
            options.add_argument(arg)
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")),
                                  options=options)
        try:
            for number in ("01", "04", "06"):
                driver.set_window_size(900, 1300)
                driver.get((Path(out) / f"form{number}.html").as_uri())
                height = driver.execute_script("return document.body.scrollHeight + 80")
                driver.set_window_size(900, height)
                target = HERE / "img" / f"form{number}.png"
                driver.save_screenshot(str(target))
                print(target)
        finally:
            driver.quit()


if __name__ == "__main__":
    main()
