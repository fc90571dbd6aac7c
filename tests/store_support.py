"""Opening the same store from any process, and common fixtures of the storage tests."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from dossierflow import samples
from dossierflow.calendar import vietnam
from dossierflow.states import Engine
from dossierflow.store import Store

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
Spec = tuple[str, Any, Any]


def engine() -> Engine:
    return Engine(samples.catalogue(), calendar=vietnam())


def open_store(spec: Spec, eng: Engine | None = None, **kw: Any) -> Store:
    backend, where, schema = spec
    eng = eng or engine()
    if backend == "memory":
        return Store.memory(eng, **kw)
    if backend == "sqlite":
        return Store.sqlite(where, eng, **kw)
    return Store.postgresql(where, eng, schema=schema, **kw)


def vn(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)
