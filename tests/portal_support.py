"""The example portal (examples/portal/app.py) loaded by path, with a store in a temporary
SQLite file and a clock the test sets."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

from dossierflow.catalogues import vietnam
from dossierflow.states import Engine
from dossierflow.store import Store

APP = Path(__file__).parent.parent / "examples" / "portal" / "app.py"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def load_portal() -> ModuleType:
    """examples/portal/app.py as the module ``portal_app`` (loaded once)."""
    if "portal_app" not in sys.modules:
        spec = importlib.util.spec_from_file_location("portal_app", APP)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["portal_app"] = module
        spec.loader.exec_module(module)
    return sys.modules["portal_app"]


class Clock:
    """A settable now(): the app reads it for every command, worklist and sweep."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, **delta: float) -> dt.datetime:
        self.at += dt.timedelta(**delta)
        return self.at


def portal_store(path: Path) -> Store:
    """The real catalogue in a SQLite file; instants set by the test clock are accepted
    whatever the machine's date (``clock_tolerance=None``)."""
    return Store.sqlite(path, Engine(vietnam.catalogue()), clock_tolerance=None)
