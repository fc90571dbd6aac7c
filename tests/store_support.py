"""Opening the same store from any process, and common fixtures of the storage tests."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from dossierflow import samples
from dossierflow.calendar import vietnam
from dossierflow.states import Engine
from dossierflow.store import Store, row_hash
from dossierflow.store import _schema as tables

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


def forge(store: Store, ident: str, seq: int, key: bytes | None = None,
          **changes: Any) -> None:
    """Rewrite event ``seq`` of ``ident`` with ``changes`` the way a forger who can write to
    the database would: the chain from that event on is hashed again (with ``key``, if the
    forger has it) and the head in ``df_dossiers`` moved to its new end. Also what a writer of
    another dossierflow version produces (a valid chain with data this one cannot read)."""
    ev = tables.events
    with store.db.begin() as conn:
        rows = [dict(r._mapping) for r in conn.execute(
            sa.select(ev).where(ev.c.dossier_id == ident).order_by(ev.c.seq))]
        prev = None
        for row in rows:
            if row["seq"] == seq:
                row.update(changes)
            if row["seq"] >= seq:
                if prev is not None:
                    row["prev_hash"] = prev
                row["hash"] = row_hash(key, row["prev_hash"], ident, row["seq"], row["type"],
                                       row["payload"], row["at_us"], row["actor"])
                row["hash_format"] = "hmac-sha256" if key else "sha256"
                conn.execute(sa.delete(ev).where(ev.c.dossier_id == ident,
                                                 ev.c.seq == row["seq"]))
                conn.execute(sa.insert(ev).values(**row))
            prev = row["hash"]
        conn.execute(sa.update(tables.dossiers).where(tables.dossiers.c.id == ident)
                     .values(version=rows[-1]["seq"], head_hash=rows[-1]["hash"]))
