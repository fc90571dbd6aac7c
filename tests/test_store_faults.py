"""Clocks and database faults, on every backend: instants ahead of the database server's clock
are refused (ClockSkew); keys that do not fit their columns are refused before any query; a
lost PostgreSQL connection is retried once, a save whose outcome is unknown only after reading
whether it was written; read-only and full databases, a taken id inside the application's
transaction, a second command outside the application's open transaction, concurrent schema
creation and literal SQLite paths give documented errors; the cache is bounded by memory."""

from __future__ import annotations

import datetime as dt
import gc
import sqlite3
import threading
import time
import tracemalloc
from typing import Any

import pytest
import sqlalchemy as sa

import dossierflow
from dossierflow import (
    ClockSkew,
    DossierExists,
    DossierflowError,
    DossierNotFound,
    InvalidArgument,
    StoreFull,
    StoreReadOnly,
    StoreUnavailable,
    TransactionOpen,
)
from dossierflow.states import Channel, Citizen, File, HandOff, Officer, Receive
from dossierflow.store import Store
from dossierflow.store import _clock as server_clock
from dossierflow.store import _store as store_module
from tests.store_support import Spec, engine, open_store, vn

MOM = Citizen("079123456789")
DESK = Officer("desk", "ubnd_xa", "one_stop")
JUSTICE = Officer("j1", "ubnd_xa", "justice_officer")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def filed(store: Store, ident: str = "D-1", at: dt.datetime | None = None) -> None:
    at = at or vn(2, 9)
    store.file(File(ident, "2.000815", Channel.ONLINE), at=at, actor=MOM)
    store.run(ident, Receive("BN-1"), at=at + dt.timedelta(minutes=5), actor=DESK)


def postgres_only(spec: Spec) -> None:
    if spec[0] != "postgresql":
        pytest.skip("PostgreSQL only")


def sqlite_file_only(spec: Spec) -> None:
    if spec[0] != "sqlite":
        pytest.skip("SQLite file only")


# ------------------------------------------------------------------------------- clocks


def test_errors_are_exported_with_fitting_stdlib_bases() -> None:
    for name in ("ClockSkew", "StoreError", "StoreUnavailable", "StoreReadOnly", "StoreFull",
                 "TransactionOpen"):
        assert getattr(dossierflow, name) is getattr(dossierflow.store, name)
        assert issubclass(getattr(dossierflow, name), DossierflowError)
    assert issubclass(ClockSkew, ValueError)
    assert issubclass(StoreUnavailable, ConnectionError)
    assert issubclass(StoreReadOnly, PermissionError)
    assert issubclass(StoreFull, OSError)
    assert issubclass(TransactionOpen, RuntimeError)


def test_an_instant_ahead_of_the_server_clock_is_refused_and_nothing_written(opened):
    store = opened()
    ahead = now() + dt.timedelta(days=2)
    with pytest.raises(ClockSkew) as info:
        store.file(File("D-9", "2.000815", Channel.ONLINE), at=ahead, actor=MOM)
    error = info.value
    assert error.at == ahead
    assert error.tolerance == dt.timedelta(minutes=5)
    assert abs(error.server_time - now()) < dt.timedelta(minutes=1)
    assert "ahead of the database server's clock" in str(error)
    assert "clock_tolerance" in str(error)
    with pytest.raises(DossierNotFound):
        store.load("D-9")

    filed(store, at=now() - dt.timedelta(hours=1))
    with pytest.raises(ClockSkew):
        store.run("D-1", HandOff("certify", "j2"), at=dt.datetime(2099, 1, 1, tzinfo=dt.UTC),
                  actor=JUSTICE)
    with pytest.raises(ClockSkew):  # a clock function is read, then checked
        store.run("D-1", HandOff("certify", "j2"), at=lambda: ahead, actor=JUSTICE)
    assert store.load("D-1", cached=False).version == 2
    with pytest.raises(ClockSkew):
        store.sweep(ahead)
    with pytest.raises(ClockSkew):
        store.relay(lambda m: None, at=ahead)
    assert store.pending_messages() == 1  # the receipt is still there to deliver

    # Within the tolerance: accepted, and later commands at the real time still are.
    store.run("D-1", HandOff("certify", "j2"), at=now() + dt.timedelta(minutes=4),
              actor=JUSTICE)
    assert store.load("D-1").version == 3


def test_the_tolerance_is_configurable_or_off(opened):
    store = opened(clock_tolerance=dt.timedelta(days=3))
    assert store.clock_tolerance == dt.timedelta(days=3)
    store.file(File("D-1", "2.000815", Channel.ONLINE), at=now() + dt.timedelta(days=2),
               actor=MOM)
    with pytest.raises(ClockSkew):
        store.file(File("D-2", "2.000815", Channel.ONLINE), at=now() + dt.timedelta(days=4),
                   actor=MOM)
    off = opened(clock_tolerance=None)  # imports of records: any instant
    off.file(File("D-3", "2.000815", Channel.ONLINE), at=dt.datetime(2090, 1, 2, tzinfo=dt.UTC),
             actor=MOM)
    with pytest.raises(InvalidArgument, match="clock_tolerance"):
        opened(clock_tolerance=dt.timedelta(minutes=-1))


def test_the_server_clock_is_read_once_per_interval(opened, monkeypatch):
    reads = []
    original = server_clock.ServerClock.read

    def counted(self: Any, dbc: Any = None) -> dt.datetime:
        reads.append(1)
        return original(self, dbc)

    monkeypatch.setattr(server_clock.ServerClock, "read", counted)
    store = opened()
    filed(store, at=now() - dt.timedelta(hours=1))
    for k in range(30):
        store.run("D-1", HandOff("certify", f"j{k}"), at=now(), actor=JUSTICE)
    assert len(reads) == 1
    monkeypatch.setattr(server_clock, "INTERVAL", 0.0)  # every check reads again
    store.run("D-1", HandOff("certify", "x"), at=now(), actor=JUSTICE)
    assert len(reads) > 1


# ------------------------------------------------------------------------ keys and values


@pytest.mark.parametrize("bad", ["x" * 101, "a\x00b", "\udc80"])
def test_keys_that_do_not_fit_are_refused_before_any_query(opened, bad):
    store = opened()
    for call in (lambda: store.load(bad), lambda: store.verify(bad),
                 lambda: store.run(bad, Receive("BN"), at=vn(2, 9), actor=DESK)):
        with pytest.raises(InvalidArgument, match="dossier_id"):
            call()
    for call in (lambda: store.worklist(bad), lambda: store.overdue(vn(2, 9), agency=bad),
                 lambda: store.due_soon(vn(2, 9), dt.timedelta(hours=8), agency=bad)):
        with pytest.raises(InvalidArgument, match="agency"):
            call()
    assert store.worklist("x" * 100) == ()


# --------------------------------------------------------------- the application's transaction


def test_a_taken_id_inside_the_application_transaction_is_dossier_exists(opened):
    store = opened()
    filed(store)
    app = sa.MetaData()
    notes = sa.Table("app_notes", app, sa.Column("id", sa.Integer, primary_key=True))
    with store.db.begin() as conn:
        app.create_all(conn)
    with store.db.begin() as conn:
        with pytest.raises(DossierExists):
            store.file(File("D-1", "2.000815", Channel.ONLINE), at=vn(3, 9), actor=MOM,
                       connection=conn)
        # The transaction is still usable (PostgreSQL: the filing ran in a savepoint).
        conn.execute(sa.insert(notes).values(id=1))
        store.file(File("D-2", "2.000815", Channel.ONLINE), at=vn(3, 9), actor=MOM,
                   connection=conn)
    assert store.load("D-2").version == 1
    with store.db.connect() as conn:
        assert conn.execute(sa.select(notes.c.id)).scalars().all() == [1]


def test_a_second_command_outside_the_open_transaction_fails_at_once(opened):
    store = opened()
    filed(store)
    t0 = time.monotonic()
    with store.db.begin() as conn:
        store.run("D-1", HandOff("certify", "j2"), at=vn(2, 10), actor=JUSTICE,
                  connection=conn)
        with pytest.raises(TransactionOpen, match="connection=conn"):
            store.run("D-1", HandOff("certify", "j3"), at=vn(2, 11), actor=JUSTICE)
        with pytest.raises(TransactionOpen):
            store.file(File("D-2", "2.000815", Channel.ONLINE), at=vn(2, 9), actor=MOM)
        with pytest.raises(TransactionOpen):
            store.sweep(vn(20, 9))
        store.run("D-1", HandOff("certify", "j4"), at=vn(2, 11), actor=JUSTICE,
                  connection=conn)
    assert time.monotonic() - t0 < 5
    assert store.load("D-1").version == 4
    # Committed: commands without connection= work again.
    store.run("D-1", HandOff("certify", "j5"), at=vn(2, 12), actor=JUSTICE)
    # Another thread's transaction is not this thread's: it is waited for, as any writer.
    assert store.load("D-1").version == 5


# ------------------------------------------------------------------------------ PostgreSQL


def _kill_store_connections(spec: Spec, store: Store) -> int:
    """Terminate every server session the store's pool holds."""
    pids = []
    with store.db.connect() as conn:  # the pooled connection the store uses
        pids.append(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar())
    admin = sa.create_engine(spec[1].replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        for pid in pids:
            conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()
    return len(pids)


def test_a_lost_postgresql_connection_is_retried_once(store_spec, opened):
    postgres_only(store_spec)
    store = opened()
    filed(store)
    assert _kill_store_connections(store_spec, store)
    store.run("D-1", HandOff("certify", "j2"), at=vn(2, 10), actor=JUSTICE)
    assert _kill_store_connections(store_spec, store)
    assert store.load("D-1", cached=False).version == 3
    assert _kill_store_connections(store_spec, store)
    assert [e.dossier_id for e in store.worklist("ubnd_xa")] == ["D-1"]
    assert _kill_store_connections(store_spec, store)
    store.file(File("D-2", "2.000815", Channel.ONLINE), at=vn(2, 9), actor=MOM)
    assert store.verify_all() == ()


@pytest.mark.parametrize("written", [True, False])
def test_a_save_whose_outcome_is_unknown_is_read_back_not_blindly_retried(
        store_spec, opened, monkeypatch, written):
    postgres_only(store_spec)
    store = opened()
    filed(store)
    import psycopg

    original = store_module.Store._save_once
    calls = []

    def lost_once(self: Any, *args: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            if written:
                original(self, *args)  # the save reached the database...
            raise psycopg.OperationalError("server closed the connection unexpectedly")
        return original(self, *args)

    monkeypatch.setattr(store_module.Store, "_save_once", lost_once)
    store.run("D-1", HandOff("certify", "j2"), at=vn(2, 10), actor=JUSTICE)
    assert len(calls) == (1 if written else 2)
    d = store.load("D-1", cached=False)
    assert d.version == 3
    assert store.verify("D-1") == ()


def test_an_unreachable_server_is_store_unavailable() -> None:
    with pytest.raises(StoreUnavailable, match="cannot be reached"):
        Store.postgresql("postgresql://postgres@127.0.0.1:1/test", engine())


def test_several_nodes_create_the_tables_at_once(store_spec):
    postgres_only(store_spec)
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []
    stores: list[Store] = []

    def node() -> None:
        try:
            db = sa.create_engine(store_spec[1].replace("postgresql://",
                                                        "postgresql+psycopg://", 1))
            barrier.wait()
            stores.append(Store(db, engine(), schema=store_spec[2]))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=node) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        filed(stores[0])
        assert stores[5].load("D-1").version == 2
    finally:
        for store in stores:
            store.close()


# ---------------------------------------------------------------------------------- SQLite


def test_a_read_only_sqlite_database_is_store_read_only(store_spec, opened):
    sqlite_file_only(store_spec)
    store = opened()
    filed(store)
    store.close()
    path = store_spec[1]
    ro = sa.create_engine("sqlite://", poolclass=sa.pool.NullPool, creator=lambda: sqlite3.connect(
        f"file:{path}?mode=ro", uri=True, check_same_thread=False))
    readonly = Store(ro, engine(), create=False)
    try:
        assert readonly.load("D-1").version == 2
        with pytest.raises(StoreReadOnly, match="refuses writes") as info:
            readonly.run("D-1", HandOff("certify", "j2"), at=vn(2, 10), actor=JUSTICE)
        assert isinstance(info.value.__cause__, sqlite3.OperationalError)
    finally:
        readonly.close()
    queried = opened()
    sa.event.listen(queried.db, "connect",
                    lambda c, _r: c.execute("PRAGMA query_only=ON"))
    queried.db.dispose()
    with pytest.raises(StoreReadOnly):
        queried.file(File("D-2", "2.000815", Channel.ONLINE), at=vn(2, 9), actor=MOM)
    assert queried.load("D-1").version == 2


def test_a_full_sqlite_database_is_store_full(store_spec, opened):
    sqlite_file_only(store_spec)
    store = opened()
    filed(store)

    def cap(dbapi_connection: Any, _record: Any) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")

    sa.event.listen(store.db, "connect", cap)
    store.db.dispose()

    def fill() -> None:
        for k in range(200):
            store.file(File(f"F-{k}" + "x" * 90, "2.000815", Channel.ONLINE), at=vn(2, 9),
                       actor=MOM)

    with pytest.raises(StoreFull, match="full"):
        fill()
    assert store.load("D-1").version == 2


@pytest.mark.parametrize("name", ["x%41.db", "q?mode=ro.db", "with space ü.db",
                                  "a%2F..%2Fescape.db", "file:b.db"])
def test_sqlite_paths_are_taken_literally(tmp_path, name):
    folder = tmp_path / "inner"
    folder.mkdir()
    with Store.sqlite(folder / name, engine()) as store:
        filed(store)
    assert sorted(p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm"))) \
        == [name]
    assert list(tmp_path.iterdir()) == [folder]
    with Store.sqlite(str(folder / name), engine()) as store:
        assert store.load("D-1").version == 2


def test_an_unopenable_sqlite_file_is_store_unavailable(tmp_path):
    with pytest.raises(StoreUnavailable, match="cannot be opened"):
        Store.sqlite(tmp_path / "missing" / "dir" / "d.db", engine())


# ------------------------------------------------------------------------------- the cache


def _long(store: Store, ident: str, events: int) -> None:
    filed(store, ident)
    for k in range(events - 2):
        store.run(ident, HandOff("certify", f"r{k % 5}"), at=vn(2, 10), actor=JUSTICE)


def test_the_cache_is_bounded_by_memory() -> None:
    store = open_store(("memory", None, None), cache_bytes=1_500_000)
    try:
        for k in range(8):
            _long(store, f"L-{k}", 500)
        cost = store_module.DOSSIER_BYTES + store_module.EVENT_BYTES * 500
        assert len(store._cache) == 1_500_000 // cost
        assert list(store._cache)[-1] == "L-7"  # the most recently used are kept
        assert store._cache_used == sum(store._cache_costs.values()) <= 1_500_000

        # What the cache really holds stays under the bound (the estimate is generous).
        kept = list(store._cache)
        store._cache.clear()
        store._cache_costs.clear()
        store._cache_used = 0
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for ident in kept:
                store.run(ident, HandOff("certify", "x"), at=vn(2, 11), actor=JUSTICE)
            gc.collect()
            held = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        assert held <= store._cache_used <= 1_500_000

        store.cache_size = 1  # the count bound still holds
        store.load("L-0")
        assert list(store._cache) == ["L-0"]
        assert store.load("L-1").version == 500
    finally:
        store.close()


def test_cache_bytes_is_checked() -> None:
    with pytest.raises(InvalidArgument, match="cache_bytes"):
        open_store(("memory", None, None), cache_bytes=-1)


def test_300_dossiers_of_1000_events_stay_under_the_default_bound() -> None:
    store = open_store(("memory", None, None))
    try:
        entry = store_module._Cached(store.engine.replay(_history(1000)), "h")
        for k in range(300):
            store._remember(f"D-{k}", entry)
        assert store._cache_used <= store.cache_bytes == 64 * 2**20
        assert len(store._cache) == 64 * 2**20 // store_module._cost(entry)
    finally:
        store.close()


def _history(events: int) -> list[Any]:
    with Store.memory(engine()) as store:
        _long(store, "D-0", events)
        return list(store.load("D-0").history)



def test_a_read_only_postgresql_database_is_store_read_only(store_spec, opened):
    # A replica, or a database set read-only: every transaction is read-only (SQLSTATE 25006).
    postgres_only(store_spec)
    store = opened()
    filed(store)
    _, url, schema = store_spec
    readonly = Store.postgresql(
        url, engine(), schema=schema, create=False,
        engine_options={"connect_args": {"options": "-c default_transaction_read_only=on"}})
    try:
        assert readonly.load("D-1").version == 2
        with pytest.raises(StoreReadOnly):
            readonly.run("D-1", HandOff("certify", "j2"), at=vn(2, 10), actor=JUSTICE)
        with pytest.raises(StoreReadOnly):
            readonly.file(File("D-2", "2.000815", Channel.ONLINE), at=vn(2, 9), actor=MOM)
    finally:
        readonly.close()
    assert store.load("D-1", cached=False).version == 2
