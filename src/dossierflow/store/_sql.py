"""The SQL fast path of the store (package-internal): statements compiled once and run on the
driver's own cursor, the event row as the driver returns it, raw connections and transactions,
the PostgreSQL single-statement save, SQLite's connection settings, and how instants are
encoded in the tables (integer microseconds since the Unix epoch, UTC).

Building, keying and compiling a statement through SQLAlchemy costs more than running it, so
loading and saving a dossier (the hot path) goes through :class:`Prepared` statements on DB-API
connections; everything else uses SQLAlchemy Core.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import operator
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event

from dossierflow.store import _schema as t

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)


def to_us(at: dt.datetime) -> int:
    """An instant as integer microseconds since the Unix epoch."""
    delta = at - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def optional_us(at: dt.datetime | None) -> int | None:
    """:func:`to_us`, or None for None (a column not set yet)."""
    return None if at is None else to_us(at)


def duration_us(value: dt.timedelta) -> int:
    """A duration as whole microseconds."""
    return value // MICROSECOND


def from_us(us: int) -> dt.datetime:
    """The instant ``us`` microseconds after the Unix epoch, in UTC."""
    return EPOCH + dt.timedelta(microseconds=us)


class Prepared:
    """A statement compiled once for the store's database and schema, run on the driver's
    own cursor: the hot path (load, save) skips SQLAlchemy's per-call work."""

    __slots__ = ("_pick", "names", "sql")

    def __init__(self, stmt: Any, db: sa.Engine, schema: str | None) -> None:
        compiled = stmt.compile(dialect=db.dialect,
                                schema_translate_map={None: schema} if schema else None,
                                render_schema_translate=bool(schema))
        self.sql = str(compiled)
        self.names: tuple[str, ...] | None = (
            tuple(compiled.positiontup or ()) if compiled.positional else None)
        # The positional values in one C call (itemgetter of one name gives the bare value,
        # so the first is asked for twice and dropped).
        names = self.names
        self._pick: Callable[[dict[str, Any]], Any] | None = (
            None if not names else operator.itemgetter(*names, names[0]))

    def params(self, values: dict[str, Any]) -> Any:
        """``values`` as the driver takes them: positional (a tuple in the statement's
        order) or named (the mapping itself)."""
        if self._pick is None:
            return values if self.names is None else ()
        return self._pick(values)[:-1]

    def execute(self, dbc: Any, values: dict[str, Any]) -> Any:
        """Run on ``dbc``, a DB-API connection; returns the cursor."""
        cursor = dbc.cursor()
        cursor.execute(self.sql, self.params(values))
        return cursor

    def executemany(self, dbc: Any, rows: list[dict[str, Any]]) -> int:
        """Run once per row of ``rows`` on ``dbc``; returns how many rows it changed."""
        cursor = dbc.cursor()
        cursor.executemany(self.sql, [self.params(r) for r in rows])
        changed = int(cursor.rowcount)
        cursor.close()
        return changed


def bound(table: sa.Table, *skip: str) -> dict[str, Any]:
    """A bind parameter named after each column of ``table`` but ``skip``."""
    return {c.name: sa.bindparam(c.name) for c in table.c if c.name not in skip}


class EventRow(tuple):  # type: ignore[type-arg]
    """An event row as the driver returns it from the load statement: (seq, type, payload,
    at_us, actor, prev_hash, hash, hash_format, head_seq, head_hash), the last two the head
    ``df_dossiers`` records (its ``version`` and ``head_hash``)."""

    __slots__ = ()

    seq = property(lambda self: self[0])
    type = property(lambda self: self[1])
    payload = property(lambda self: self[2])
    at_us = property(lambda self: self[3])
    actor = property(lambda self: self[4])
    prev_hash = property(lambda self: self[5])
    hash = property(lambda self: self[6])
    hash_format = property(lambda self: self[7])
    head_seq = property(lambda self: self[8])
    head_hash = property(lambda self: self[9])


@contextlib.contextmanager
def read_connection(db: sa.Engine, *, sqlite: bool) -> Iterator[Any]:
    """A pooled DB-API connection in autocommit mode: a read is one round trip."""
    dbc = db.raw_connection()
    driver: Any = dbc.driver_connection
    try:
        if not sqlite:
            driver.autocommit = True
        yield dbc
    except BaseException:
        if broken(driver):
            dbc.invalidate()  # not back to the pool
        raise
    finally:
        if not sqlite and dbc.is_valid:
            driver.autocommit = False
        dbc.close()


@contextlib.contextmanager
def raw_transaction(db: sa.Engine, *, sqlite: bool) -> Iterator[Any]:
    """A write transaction on a pooled DB-API connection, without SQLAlchemy's
    per-transaction work (the hot path)."""
    dbc = db.raw_connection()
    try:
        if sqlite:
            dbc.cursor().execute("BEGIN IMMEDIATE").close()
        yield dbc
        dbc.commit()
    except BaseException:
        if broken(dbc.driver_connection):
            dbc.invalidate()  # no rollback to send; not back to the pool
        else:
            dbc.rollback()
        raise
    finally:
        dbc.close()


def broken(driver: Any) -> bool:
    """Whether the driver's connection is closed or lost (psycopg says so; sqlite3 never
    loses its file)."""
    return bool(getattr(driver, "closed", False) or getattr(driver, "broken", False))


def single_sql(db: sa.Engine, schema: str | None, n_events: int, n_messages: int,
               n_held: int | None) -> str:
    """PostgreSQL: a whole save as one statement (pyformat parameters), so one round trip
    that is also its own transaction in autocommit mode. Data-modifying CTEs update the dossier
    row (parameters named after its columns, plus ``_id`` and ``_expected`` for the version
    check) and, only if it matched, insert ``n_events`` events (``e{k}_{column}``),
    ``n_messages`` outbox messages (``m{k}_{column}``) and, unless ``n_held`` is None (the
    worklist rows did not change), replace the worklist rows with ``n_held`` rows
    (``a{k}_{column}``). The statement returns how many dossier rows matched (1 or 0)."""
    prep = db.dialect.identifier_preparer
    dialect = db.dialect

    def name(table: sa.Table) -> str:
        quoted = prep.quote(table.name)
        return f"{prep.quote_schema(schema)}.{quoted}" if schema else quoted

    def values(table: sa.Table, cols: list[str], prefix: str, count: int) -> str:
        types = {c.name: c.type.compile(dialect=dialect) for c in table.c}
        tuples = ", ".join(
            "(" + ", ".join(f"%({prefix}{k}_{c})s::{types[c]}" for c in cols) + ")"
            for k in range(count))
        listed = ", ".join(cols)
        return (f"INSERT INTO {name(table)} ({listed}) SELECT * FROM (VALUES {tuples}) "
                f"AS v ({listed}) WHERE EXISTS (SELECT 1 FROM upd)")

    sets = ", ".join(f"{c.name} = %({c.name})s" for c in t.dossiers.c if c.name != "id")
    parts = [f"upd AS (UPDATE {name(t.dossiers)} SET {sets} WHERE id = %(_id)s AND "
             "version = %(_expected)s RETURNING 1)",
             f"ev AS ({values(t.events, [c.name for c in t.events.c], 'e', n_events)})"]
    if n_messages:
        cols = ["key", "dossier_id", "seq", "type", "payload", "created_us", "attempts"]
        parts.append(f"ob AS ({values(t.outbox, cols, 'm', n_messages)})")
    if n_held is not None:
        keep = ""
        if n_held:
            keep = " AND step NOT IN (" + ", ".join(
                f"%(a{k}_step)s" for k in range(n_held)) + ")"
        parts.append(f"gone AS (DELETE FROM {name(t.active)} WHERE dossier_id = %(_id)s "
                     f"AND EXISTS (SELECT 1 FROM upd){keep})")
        if n_held:
            cols = [c.name for c in t.active.c]
            sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols
                             if c not in ("dossier_id", "step"))
            parts.append(
                f"held AS ({values(t.active, cols, 'a', n_held)} ON CONFLICT "
                f"(dossier_id, step) DO UPDATE SET {sets})")
    return "WITH " + ", ".join(parts) + " SELECT count(*) FROM upd"


def sqlite_setup(db: sa.Engine, *, wal: bool) -> None:
    """Configure SQLite connections: durable commits, a 30 s busy timeout, foreign keys,
    WAL mode for files (``wal``), and writers serialised with ``BEGIN IMMEDIATE``."""

    @sa_event.listens_for(db, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
        cursor = dbapi_connection.cursor()
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @sa_event.listens_for(db, "begin")
    def _begin(conn: sa.Connection) -> None:
        if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
