"""The store: dossiers kept as an append-only, hash-chained event log plus a current-state
projection, on SQLite (embedded, the default), in memory, or on PostgreSQL, through one
SQLAlchemy Core code path.

Every accepted command is saved in one transaction: its events, the dossier's new projection,
its worklist rows and its outbox messages, or nothing. Saving checks the version the dossier
was loaded at (optimistic concurrency).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.pool import StaticPool

from dossierflow._errors import (
    ConcurrencyConflict,
    InvalidArgument,
    SchemaError,
    TransitionNotAllowed,
)
from dossierflow.clock import Sla
from dossierflow.states import (
    Actor,
    Apologized,
    Command,
    Dossier,
    Engine,
    Event,
    Extended,
    Paused,
    Received,
    Refused,
    Resolved,
    ResultReturned,
    Resumed,
    Status,
    Stopped,
    Supplemented,
    SupplementRequested,
    System,
    Withdrawn,
    check_schema,
    event_from_dict,
    event_to_dict,
)
from dossierflow.states._serial import SCHEMA_VERSION as EVENT_SCHEMA
from dossierflow.store import _schema as t

GENESIS = "0" * 64
"""The ``prev_hash`` of a dossier's first event."""
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_OPEN = (Status.FILED, Status.AWAITING_SUPPLEMENT, Status.IN_PROGRESS, Status.PAUSED,
         Status.RESOLVED)
NOTIFY: tuple[type[Any], ...] = (Received, Refused, SupplementRequested, Apologized, Resolved,
                                 ResultReturned, Stopped, Withdrawn)
"""Events that put a message in the outbox by default: what the applicant is told (the
receipt, a refusal, a supplement request, an apology, the result, a stop)."""


def to_us(at: dt.datetime) -> int:
    """An instant as integer microseconds since the Unix epoch."""
    delta = at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_us(us: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=us)


def _canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def chain_hash(prev_hash: str, dossier_id: str, seq: int, kind: str, payload: str) -> str:
    """The hash of an event row, chained to the previous event of its dossier."""
    text = f"{prev_hash}|{dossier_id}|{seq}|{kind}|{payload}"
    return hashlib.sha256(text.encode()).hexdigest()


@attrs.frozen
class Entry:
    """A worklist row: an open dossier held by an agency at a step."""

    dossier_id: str
    step: str
    agency: str
    status: str
    due: dt.datetime | None


@attrs.frozen
class OutboxMessage:
    """A message for the application to deliver; ``key`` makes deliveries idempotent."""

    id: int
    key: str
    dossier_id: str
    seq: int
    type: str
    payload: dict[str, Any]
    attempts: int


@attrs.frozen
class Tampering:
    """An event that is not as it was written."""

    dossier_id: str
    seq: int
    problem: str


@attrs.frozen
class _Cached:
    """A dossier this store loaded or saved, with what saving the next command needs."""

    dossier: Dossier
    last_hash: str
    row: dict[str, Any] | None
    holding: list[dict[str, Any]] | None


_CLOCK_EVENTS = frozenset({Received, Refused, SupplementRequested, Supplemented, Paused,
                           Resumed, Extended, Resolved, ResultReturned, Stopped, Withdrawn})
"""Events that can change a dossier's projected due instant, verdict or end."""


class _Prepared:
    """A statement compiled once for the store's database and schema, run on the driver's
    own cursor: the hot path (load, save) skips SQLAlchemy's per-call work."""

    __slots__ = ("names", "sql")

    def __init__(self, stmt: Any, db: sa.Engine, schema: str | None) -> None:
        compiled = stmt.compile(dialect=db.dialect,
                                schema_translate_map={None: schema} if schema else None,
                                render_schema_translate=bool(schema))
        self.sql = str(compiled)
        self.names: tuple[str, ...] | None = (
            tuple(compiled.positiontup or ()) if compiled.positional else None)

    def params(self, values: dict[str, Any]) -> Any:
        if self.names is None:
            return values
        return tuple(values[name] for name in self.names)

    def execute(self, dbc: Any, values: dict[str, Any]) -> Any:
        """Run on ``dbc``, a DB-API connection; returns the cursor."""
        cursor = dbc.cursor()
        cursor.execute(self.sql, self.params(values))
        return cursor

    def executemany(self, dbc: Any, rows: list[dict[str, Any]]) -> None:
        cursor = dbc.cursor()
        cursor.executemany(self.sql, [self.params(r) for r in rows])
        cursor.close()


def _bound(table: sa.Table, *skip: str) -> dict[str, Any]:
    return {c.name: sa.bindparam(c.name) for c in table.c if c.name not in skip}


class _Row(tuple):  # type: ignore[type-arg]
    """An event row as the driver returns it: (seq, type, payload, hash)."""

    __slots__ = ()

    seq = property(lambda self: self[0])
    type = property(lambda self: self[1])
    payload = property(lambda self: self[2])
    hash = property(lambda self: self[3])


class Store:
    """Dossiers of an :class:`~dossierflow.states.Engine`, stored in a SQL database.

    Build one with :meth:`sqlite` (a file, the embedded default), :meth:`memory` (tests and
    small tools) or :meth:`postgresql`, or from any SQLAlchemy engine. ``schema`` puts the
    tables in a PostgreSQL schema; ``notify`` chooses the events that go to the outbox.
    A SQLite-file or PostgreSQL store may be shared by the threads of a process (each
    operation takes its own pooled connection); each process opens its own store.
    """

    def __init__(self, db: sa.Engine, engine: Engine, *, schema: str | None = None,
                 notify: Callable[[Event], bool] | None = None, create: bool = True) -> None:
        if not isinstance(engine, Engine):
            raise InvalidArgument(f"engine must be a dossierflow Engine, got {engine!r}")
        self.db = db.execution_options(schema_translate_map={None: schema}) if schema else db
        # Reads need no transaction of their own: one round trip, no BEGIN, no COMMIT.
        self._reader = self.db.execution_options(isolation_level="AUTOCOMMIT")
        self.engine = engine
        self.sla = Sla(engine)
        self.notify = notify or (lambda e: isinstance(e, NOTIFY))
        self._skip_locked = db.dialect.name == "postgresql"
        self._sqlite = db.dialect.name == "sqlite"
        self._postgres = db.dialect.name == "postgresql" and db.dialect.driver == "psycopg"
        self._single: dict[tuple[int, int, int | None], str] = {}
        self._schema = schema
        # The hot path runs on the driver's cursor, which raises the driver's own error.
        self._duplicate: tuple[type[BaseException], ...] = (
            sa.exc.IntegrityError, db.dialect.loaded_dbapi.IntegrityError)
        self._conflicts: tuple[type[BaseException], ...] = (ConcurrencyConflict,
                                                             *self._duplicate)
        self._cache: OrderedDict[str, _Cached] = OrderedDict()
        self._cache_lock = threading.Lock()
        self.cache_size = 10_000
        # Statements compiled once: building, keying and compiling a statement costs more
        # than running it.
        ev, ds, act = t.events, t.dossiers, t.active

        def prepare(stmt: Any) -> _Prepared:
            return _Prepared(stmt, db, schema)

        self._update = prepare(
            sa.update(ds).where(ds.c.id == sa.bindparam("_id"),
                                ds.c.version == sa.bindparam("_expected"))
            .values(_bound(ds, "id")))
        self._events_since = prepare(
            sa.select(ev.c.seq, ev.c.type, ev.c.payload, ev.c.hash)
            .where(ev.c.dossier_id == sa.bindparam("_id"), ev.c.seq >= sa.bindparam("_since"))
            .order_by(ev.c.seq))
        self._version_of = prepare(sa.select(ds.c.version).where(ds.c.id == sa.bindparam("_id")))
        self._hash_of = prepare(sa.select(ev.c.hash).where(
            ev.c.dossier_id == sa.bindparam("_id"), ev.c.seq == sa.bindparam("_seq")))
        self._insert_events = prepare(sa.insert(ev).values(_bound(ev)))
        self._insert_outbox = prepare(sa.insert(t.outbox).values(
            _bound(t.outbox, "id", "lease_until_us", "worker", "delivered_us")))
        self._insert_dossier = prepare(sa.insert(ds).values(_bound(ds)))
        self._delete_active = prepare(
            sa.delete(act).where(act.c.dossier_id == sa.bindparam("_id")))
        self._insert_active = prepare(sa.insert(act).values(_bound(act)))
        try:
            if create:
                create_schema(self.db)
            else:
                check_db_schema(self.db)
        except BaseException:
            db.dispose()
            raise

    # ------------------------------------------------------------------ constructors

    @classmethod
    def sqlite(cls, path: str | Path, engine: Engine, **kw: Any) -> Store:
        """A store in the SQLite file ``path`` (WAL mode, durable commits, writers serialised
        with ``BEGIN IMMEDIATE`` and a 30 s busy timeout, so several processes can share it)."""
        db = sa.create_engine(f"sqlite:///{Path(path)}")
        _sqlite_setup(db, wal=True)
        return cls(db, engine, **kw)

    @classmethod
    def memory(cls, engine: Engine, **kw: Any) -> Store:
        """A store in memory (SQLite's in-memory database on one connection: for tests and
        small tools that use it from one thread at a time; gone when the process ends)."""
        db = sa.create_engine("sqlite://", poolclass=StaticPool,
                              connect_args={"check_same_thread": False})
        _sqlite_setup(db, wal=False)
        return cls(db, engine, **kw)

    @classmethod
    def postgresql(cls, url: str, engine: Engine, **kw: Any) -> Store:
        """A store on PostgreSQL through psycopg 3 (``postgresql://user@host/db``).
        ``engine_options`` go to ``sqlalchemy.create_engine`` (e.g. ``pool_pre_ping=True``
        behind a proxy that drops idle connections, ``pool_size``)."""
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        db = sa.create_engine(url, **kw.pop("engine_options", {}))
        return cls(db, engine, **kw)

    def close(self) -> None:
        """Close the database connections this store opened."""
        self.db.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ load and save

    def load(self, dossier_id: str, *, cached: bool = True,
             connection: sa.Connection | None = None) -> Dossier:
        """The dossier rebuilt from its stored events; :class:`SchemaError` names the dossier
        and the event that cannot be read.

        A dossier this store has seen is brought up to date by reading only the events
        appended since (after checking that its last known event is still there, unchanged);
        ``cached=False`` reads and decodes the whole history again. :meth:`verify` checks
        every event's hash."""
        if connection is not None:
            return self._load(connection.connection, dossier_id, cached)
        with self._read_connection() as dbc:
            return self._load(dbc, dossier_id, cached)

    def _load(self, dbc: Any, dossier_id: str, cached: bool) -> Dossier:
        known = self._cache.get(dossier_id) if cached else None
        params = {"_id": dossier_id, "_since": known.dossier.version if known else 0}
        rows = self._rows(dbc, params)
        if known is not None:
            if rows and rows[0].seq == known.dossier.version and \
                    rows[0].hash == known.last_hash:
                if len(rows) == 1:
                    return known.dossier
                dossier = self._fold(dossier_id, known.dossier, rows[1:])
                self._remember(dossier_id, _Cached(dossier, rows[-1].hash, None, None))
                return dossier
            return self._load(dbc, dossier_id, False)
        if not rows:
            raise LookupError(f"no dossier {dossier_id!r} in the store")
        dossier = self._fold(dossier_id, None, rows)
        self._remember(dossier_id, _Cached(dossier, rows[-1].hash, None, None))
        return dossier

    def _rows(self, dbc: Any, params: dict[str, Any]) -> list[_Row]:
        cursor = self._events_since.execute(dbc, params)
        rows = [_Row(r) for r in cursor.fetchall()]
        cursor.close()
        return rows

    def _fold(self, dossier_id: str, dossier: Dossier | None, rows: Sequence[Any]) -> Dossier:
        start = 0 if dossier is None else dossier.version
        for expected, row in enumerate(rows, start + 1):
            if row.seq != expected:
                raise SchemaError(f"event {expected} is missing (the next stored is "
                                  f"{row.seq}); run verify()", dossier_id=dossier_id,
                                  seq=expected)
        history = [self._decode(dossier_id, r.seq, r.type, r.payload) for r in rows]
        try:
            if dossier is None:
                return self.engine.replay(history)
            return self.engine.extend(dossier, history)
        except (SchemaError, LookupError) as exc:
            raise SchemaError(f"the history does not replay: {exc}",
                              dossier_id=dossier_id) from exc

    def _remember(self, dossier_id: str, entry: _Cached) -> None:
        with self._cache_lock:  # a store may be shared by the threads of a process
            self._cache[dossier_id] = entry
            self._cache.move_to_end(dossier_id)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def _decode(self, dossier_id: str, seq: int, kind: str, payload: str) -> Event:
        try:
            data = json.loads(payload)
        except ValueError as exc:
            raise SchemaError(f"stored payload is not JSON ({exc})", dossier_id=dossier_id,
                              seq=seq) from exc
        if not isinstance(data, dict):
            raise SchemaError("stored payload is not an object", dossier_id=dossier_id,
                              seq=seq)
        check_schema(data.pop("schema", None), dossier_id=dossier_id, seq=seq)
        event = event_from_dict(data, dossier_id=dossier_id, seq=seq)
        if type(event).__name__ != kind:
            raise SchemaError(f"row type {kind!r} does not match its payload "
                              f"({type(event).__name__})", dossier_id=dossier_id, seq=seq)
        return event

    def save(self, before: Dossier | None, after: Dossier, events: Sequence[Event], *,
             connection: sa.Connection | None = None) -> None:
        """Append ``events`` (what :meth:`Engine.apply` returned) to the dossier loaded as
        ``before`` (None for a new filing) and update its projection, worklist rows and outbox,
        in one transaction. Raises :class:`ConcurrencyConflict` if the stored dossier is no
        longer at ``before``'s version; nothing is written then."""
        expected = 0 if before is None else before.version
        events = tuple(events)
        if not events or after.version != expected + len(events) or \
                after.history[expected:] != events:
            raise InvalidArgument("save(before, after, events) takes what Engine.apply "
                                  "returned for the dossier loaded as before")
        try:
            if connection is not None:
                entry = self._save(connection.connection, before, after, events)
            elif self._postgres and expected > 0:
                with self._read_connection() as dbc:  # autocommit: the statement commits
                    entry = self._save_single(dbc, before, after, events)
            else:
                with self._raw_transaction() as dbc:
                    entry = self._save(dbc, before, after, events)
        except self._duplicate as exc:
            # Someone appended the same sequence number first (the events' primary key is
            # the last line of optimistic concurrency, and on PostgreSQL the first).
            if connection is not None:
                self._cache.pop(after.id, None)
                raise
            raise ConcurrencyConflict(after.id, expected, self._version(after.id)) from exc
        if connection is None:  # the application's transaction may still roll back
            self._remember(after.id, entry)

    @contextlib.contextmanager
    def _read_connection(self) -> Iterator[Any]:
        """A pooled DB-API connection in autocommit mode: a read is one round trip."""
        dbc = self.db.raw_connection()
        driver: Any = dbc.driver_connection
        try:
            if not self._sqlite:
                driver.autocommit = True
            yield dbc
        finally:
            if not self._sqlite:
                driver.autocommit = False
            dbc.close()

    @contextlib.contextmanager
    def _raw_transaction(self) -> Iterator[Any]:
        """A write transaction on a pooled DB-API connection, without SQLAlchemy's
        per-transaction work (the hot path)."""
        dbc = self.db.raw_connection()
        try:
            if self._sqlite:
                dbc.cursor().execute("BEGIN IMMEDIATE").close()
            yield dbc
            dbc.commit()
        except BaseException:
            dbc.rollback()
            raise
        finally:
            dbc.close()

    def _prepare(self, before: Dossier | None, after: Dossier, events: tuple[Event, ...],
                 ) -> tuple[int, _Cached | None, dict[str, Any], list[dict[str, Any]]]:
        """The expected version, what the store knows of that version, the new projection row
        and the new worklist rows."""
        expected = 0 if before is None else before.version
        known = self._cache.get(after.id)
        if known is not None and known.dossier.version != expected:
            known = None
        row = self._project(after, known, events)
        return expected, known, row, self._holding(after, row)

    def _save(self, dbc: Any, before: Dossier | None, after: Dossier,
              events: tuple[Event, ...]) -> _Cached:
        expected, known, row, holding = self._prepare(before, after, events)
        try:
            last = self._write(dbc, after, expected, events, row, known, holding)
        except self._conflicts:
            raise  # what this store knows of the dossier is still true, only not all of it
        except BaseException:
            self._cache.pop(after.id, None)
            raise
        return _Cached(after, last, row, holding)

    def _write(self, dbc: Any, after: Dossier, expected: int,
               events: tuple[Event, ...], row: dict[str, Any], known: _Cached | None,
               holding: list[dict[str, Any]]) -> str:
        """Write one command in the transaction of ``dbc``: the dossier row (checking the
        version), the events chained from the last known hash, the worklist rows when they
        changed, the outbox rows. Returns the last event's hash."""
        dossier_id = after.id
        if expected == 0:
            self._insert_dossier.execute(dbc, {"id": dossier_id, **row}).close()
        else:
            cursor = self._update.execute(dbc, {"_id": dossier_id, "_expected": expected,
                                                 **row})
            done = cursor.rowcount
            cursor.close()
            if done != 1:
                raise ConcurrencyConflict(dossier_id, expected,
                                          self._version_on(dbc, dossier_id))
        prev = known.last_hash if known is not None else self._last_hash(
            dbc, dossier_id, expected)
        rows, messages, last = self._event_rows(after, expected, events, prev)
        self._insert_events.executemany(dbc, rows)
        if known is None or known.holding != holding:
            if expected:
                self._delete_active.execute(dbc, {"_id": dossier_id}).close()
            if holding:
                self._insert_active.executemany(dbc, holding)
        if messages:
            self._insert_outbox.executemany(dbc, messages)
        return last

    def _save_single(self, dbc: Any, before: Dossier | None, after: Dossier,
                     events: tuple[Event, ...]) -> _Cached:
        """PostgreSQL: the whole save as one statement in autocommit mode, so one round trip
        that is also its own transaction. Data-modifying CTEs update the dossier row (with the
        version check) and, only if it matched, insert the events, the outbox messages and the
        changed worklist rows; the events' primary key catches a concurrent append."""
        expected, known, row, holding = self._prepare(before, after, events)
        prev = known.last_hash if known is not None else self._last_hash(dbc, after.id,
                                                                          expected)
        rows, messages, last = self._event_rows(after, expected, events, prev)
        changed = known is None or known.holding != holding
        sql = self._single_sql(len(rows), len(messages), len(holding) if changed else None)
        params: dict[str, Any] = {"_id": after.id, "_expected": expected, **row}
        for prefix, items in (("e", rows), ("m", messages), ("a", holding if changed else [])):
            for k, item in enumerate(items):
                params.update({f"{prefix}{k}_{name}": value for name, value in item.items()})
        cursor = dbc.cursor()
        cursor.execute(sql, params)
        matched = cursor.fetchone()[0]
        cursor.close()
        if matched != 1:
            raise ConcurrencyConflict(after.id, expected, self._version(after.id))
        return _Cached(after, last, row, holding)

    def _single_sql(self, n_events: int, n_messages: int, n_held: int | None) -> str:
        key = (n_events, n_messages, n_held)
        sql = self._single.get(key)
        if sql is not None:
            return sql
        prep = self.db.dialect.identifier_preparer
        dialect = self.db.dialect

        def name(table: sa.Table) -> str:
            quoted = prep.quote(table.name)
            return f"{prep.quote_schema(self._schema)}.{quoted}" if self._schema else quoted

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
                parts.append(
                    f"held AS ({values(t.active, cols, 'a', n_held)} ON CONFLICT "
                    "(dossier_id, step) DO UPDATE SET agency = EXCLUDED.agency, "
                    "status = EXCLUDED.status, due_us = EXCLUDED.due_us)")
        sql = "WITH " + ", ".join(parts) + " SELECT count(*) FROM upd"
        self._single[key] = sql
        return sql

    def _last_hash(self, dbc: Any, dossier_id: str, expected: int) -> str:
        if expected == 0:
            return GENESIS
        cursor = self._hash_of.execute(dbc, {"_id": dossier_id, "_seq": expected})
        found = cursor.fetchone()
        cursor.close()
        if found is None:
            raise ConcurrencyConflict(dossier_id, expected, self._version(dossier_id))
        return str(found[0])

    def _event_rows(self, after: Dossier, expected: int, events: tuple[Event, ...],
                    prev: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
        """The event rows (chained from ``prev``), the outbox rows, and the last hash."""
        dossier_id = after.id
        rows = []
        messages = []
        for seq, e in enumerate(events, expected + 1):
            payload = _canonical({"schema": EVENT_SCHEMA, **event_to_dict(e)})
            kind = type(e).__name__
            digest = chain_hash(prev, dossier_id, seq, kind, payload)
            rows.append({"dossier_id": dossier_id, "seq": seq, "type": kind,
                         "payload": payload, "at_us": to_us(e.at), "actor": str(e.actor),
                         "prev_hash": prev, "hash": digest})
            prev = digest
            if self.notify(e):
                messages.append({"key": f"{dossier_id}:{seq}", "dossier_id": dossier_id,
                                 "seq": seq, "type": kind, "payload": payload,
                                 "created_us": to_us(e.at), "attempts": 0})
        return rows, messages, prev

    def _version(self, dossier_id: str) -> int | None:
        """The stored version of ``dossier_id``, read on a connection of its own (after a
        failed write's transaction has ended)."""
        with self._read_connection() as dbc:
            return self._version_on(dbc, dossier_id)

    def _version_on(self, dbc: Any, dossier_id: str) -> int | None:
        cursor = self._version_of.execute(dbc, {"_id": dossier_id})
        found = cursor.fetchone()
        cursor.close()
        return None if found is None else int(found[0])

    def _project(self, d: Dossier, known: _Cached | None = None,
                 events: Sequence[Event] = ()) -> dict[str, Any]:
        """The ``df_dossiers`` row of ``d``; from the previous row when the new events cannot
        move its due instant, verdict or end (handoffs, completed steps that end nothing)."""
        if known is not None and known.row is not None and \
                not any(type(e) in _CLOCK_EVENTS for e in events):
            row = dict(known.row)
            row["status"] = d.status.value
            row["version"] = d.version
            row["apologized"] = row["apologized"] or any(type(e) is Apologized for e in events)
            return row
        received = next((e for e in d.history if type(e) is Received), None)
        appointment = received.appointment if isinstance(received, Received) else None
        due = self.sla.due(d) if d.status is Status.IN_PROGRESS else None
        verdict = None
        ended = None
        if d.status in (Status.RESOLVED, Status.RETURNED, Status.STOPPED):
            judged = self.sla.classify(d)
            verdict = judged.verdict.value if judged.verdict else None
            ended = judged.ended
        return {
            "procedure": d.procedure, "procedure_version": d.procedure_version,
            "status": d.status.value, "channel": d.channel.value,
            "receiver": received.agency if isinstance(received, Received) else None,
            "filed_us": to_us(d.history[0].at),
            "received_us": to_us(received.at) if received is not None else None,
            "appointment_us": to_us(appointment.due) if appointment is not None else None,
            "due_us": to_us(due) if due is not None else None,
            "ended_us": to_us(ended) if ended is not None else None,
            "verdict": verdict,
            "apologized": any(type(e) is Apologized for e in d.history),
            "version": d.version,
        }

    def _holding(self, d: Dossier, row: dict[str, Any]) -> list[dict[str, Any]]:
        if d.status not in _OPEN:
            return []
        proc = self.engine.procedure_of(d)
        base = {"dossier_id": d.id, "status": d.status.value, "due_us": row["due_us"]}
        if d.status is Status.FILED or (d.status is Status.AWAITING_SUPPLEMENT
                                        and not d.received):
            return [{**base, "step": "(reception)", "agency": proc.receivers[0]}]
        if d.status is Status.RESOLVED:
            return [{**base, "step": "(return)", "agency": row["receiver"]}]
        return [{**base, "step": h.step, "agency": proc.step(h.step).owner.agency}
                for h in d.active]

    # ------------------------------------------------------------------------ commands

    def run(self, dossier_id: str, command: Command | Callable[[Dossier], Command | None], *,
            at: dt.datetime | Callable[[], dt.datetime], actor: Actor, attempts: int = 5,
            connection: sa.Connection | None = None) -> Dossier | None:
        """Load, apply and save, again on a :class:`ConcurrencyConflict`, up to ``attempts``
        times. ``command`` may be a function of the freshly loaded dossier (None: nothing to
        do); ``at`` may be a clock function, read at each attempt. Returns the saved dossier,
        or None when there was nothing to do. Refusals (``TransitionNotAllowed``...) are
        raised as they are."""
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            raise InvalidArgument(f"attempts must be a whole number from 1, got {attempts!r}")

        def decide(before: Dossier) -> tuple[Dossier, tuple[Event, ...]] | None:
            chosen = command(before) if callable(command) else command
            if chosen is None:
                return None
            return self.engine.apply(before, chosen, at=at() if callable(at) else at,
                                     actor=actor)

        for attempt in range(1, attempts + 1):
            try:
                if self._postgres and connection is None:
                    # PostgreSQL: one read, then one write statement (save()).
                    before = self.load(dossier_id)
                    applied = decide(before)
                    if applied is None:
                        return None
                    self.save(before, *applied)
                    return applied[0]
                with contextlib.ExitStack() as stack:
                    # One transaction from load to save: on SQLite it holds the write lock,
                    # so nobody can append in between; in the application's transaction the
                    # version check catches whoever did.
                    dbc = connection.connection if connection is not None else \
                        stack.enter_context(self._raw_transaction())
                    before = self._load(dbc, dossier_id, True)
                    applied = decide(before)
                    if applied is None:
                        return None
                    entry = self._save(dbc, before, *applied)
            except ConcurrencyConflict:
                if attempt == attempts or connection is not None:
                    raise
                continue
            if connection is None:
                self._remember(dossier_id, entry)
            return applied[0]
        raise AssertionError("unreachable")  # pragma: no cover

    def file(self, command: Command, *, at: dt.datetime, actor: Actor,
             connection: sa.Connection | None = None) -> Dossier:
        """Apply a ``File`` command and store the new dossier."""
        after, events = self.engine.apply(None, command, at=at, actor=actor)
        self.save(None, after, events, connection=connection)
        return after

    # ------------------------------------------------------------------------ worklists

    def worklist(self, agency: str, *, status: Status | None = None,
                 limit: int = 100) -> tuple[Entry, ...]:
        """Open dossiers held by ``agency`` (at one of its steps, its desk, or to return),
        soonest due first."""
        q = sa.select(t.active).where(t.active.c.agency == agency)
        if status is not None:
            q = q.where(t.active.c.status == status.value)
        return self._entries(q.order_by(t.active.c.due_us, t.active.c.dossier_id).limit(limit))

    def overdue(self, at: dt.datetime, *, agency: str | None = None,
                limit: int | None = None) -> tuple[Entry, ...]:
        """Steps of running dossiers whose appointment passed before ``at``, most overdue
        first (through the ``(agency, status, due)`` index)."""
        q = sa.select(t.active).where(t.active.c.due_us < to_us(at),
                                      t.active.c.status == Status.IN_PROGRESS.value)
        if agency is not None:
            q = q.where(t.active.c.agency == agency)
        q = q.order_by(t.active.c.due_us)
        return self._entries(q if limit is None else q.limit(limit))

    def due_soon(self, at: dt.datetime, until: dt.datetime, *,
                 agency: str | None = None) -> tuple[Entry, ...]:
        """Steps of running dossiers due between ``at`` and ``until``."""
        q = sa.select(t.active).where(t.active.c.status == Status.IN_PROGRESS.value,
                                      t.active.c.due_us >= to_us(at),
                                      t.active.c.due_us <= to_us(until))
        if agency is not None:
            q = q.where(t.active.c.agency == agency)
        return self._entries(q.order_by(t.active.c.due_us))

    def _entries(self, query: sa.Select[Any]) -> tuple[Entry, ...]:
        with self._reader.connect() as conn:
            return tuple(
                Entry(r.dossier_id, r.step, r.agency, r.status,
                      from_us(r.due_us) if r.due_us is not None else None)
                for r in conn.execute(query))

    def dossier_ids(self) -> Iterator[str]:
        """Every stored dossier id."""
        with self._reader.connect() as conn:
            yield from conn.execute(sa.select(t.dossiers.c.id).order_by(t.dossiers.c.id))\
                .scalars()

    # -------------------------------------------------------------------------- sweeper

    def sweep(self, at: dt.datetime, *, reason: str = "the dossier will not be resolved by "
              "its appointment", actor: Actor | None = None,
              limit: int = 1000) -> tuple[str, ...]:
        """Have the responsible agency apologise (Form 04) for every dossier overdue at
        ``at``, once: several sweepers may run at the same moment; each dossier gets one
        apology. Returns the dossiers this call apologised for."""
        who = actor or System("deadline-sweeper")
        done = []
        for dossier_id in dict.fromkeys(e.dossier_id for e in self.overdue(at, limit=limit)):

            def decide(d: Dossier) -> Command | None:
                if not self.sla.overdue([d], at) or _pending_apology(d, at):
                    return None
                return self.sla.apology(d, at, reason)

            try:
                if self.run(dossier_id, decide, at=at, actor=who) is not None:
                    done.append(dossier_id)
            except TransitionNotAllowed:
                continue
        return tuple(done)

    # ---------------------------------------------------------------------------- relay

    def relay(self, deliver: Callable[[OutboxMessage], None], *, at: dt.datetime,
              worker: str = "relay", batch: int = 100,
              lease: dt.timedelta = dt.timedelta(minutes=5)) -> int:
        """Deliver up to ``batch`` pending outbox messages with ``deliver``; returns how many
        were delivered. Messages are leased to ``worker`` until ``at + lease`` (several relays
        may run at once: PostgreSQL skips rows another relay has locked; SQLite serialises the
        claim), then marked delivered. A message whose delivery raised, or whose relay died,
        is delivered again after its lease: at least once; ``message.key`` lets the receiver
        drop duplicates."""
        now = to_us(at)
        with self.db.begin() as conn:
            pending = (sa.select(t.outbox.c.id)
                       .where(t.outbox.c.delivered_us.is_(None),
                              sa.or_(t.outbox.c.lease_until_us.is_(None),
                                     t.outbox.c.lease_until_us < now))
                       .order_by(t.outbox.c.id).limit(batch))
            if self._skip_locked:
                pending = pending.with_for_update(skip_locked=True)
            ids = list(conn.execute(pending).scalars())
            if not ids:
                return 0
            conn.execute(sa.update(t.outbox).where(t.outbox.c.id.in_(ids))
                         .values(lease_until_us=now + lease // _MICROSECOND, worker=worker,
                                 attempts=t.outbox.c.attempts + 1))
            rows = conn.execute(sa.select(t.outbox).where(t.outbox.c.id.in_(ids))
                                .order_by(t.outbox.c.id)).all()
        delivered = 0
        for r in rows:
            message = OutboxMessage(r.id, r.key, r.dossier_id, r.seq, r.type,
                                    json.loads(r.payload), r.attempts)
            try:
                deliver(message)
            except Exception:  # any failure leaves it for the next lease
                continue
            with self.db.begin() as conn:
                conn.execute(sa.update(t.outbox)
                             .where(t.outbox.c.id == r.id, t.outbox.c.worker == worker)
                             .values(delivered_us=now))
            delivered += 1
        return delivered

    def pending_messages(self) -> int:
        """How many outbox messages are not delivered yet."""
        with self._reader.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(t.outbox)
                                    .where(t.outbox.c.delivered_us.is_(None))).scalar_one())

    # --------------------------------------------------------------------------- verify

    def verify(self, dossier_id: str) -> tuple[Tampering, ...]:
        """Every event of the dossier that was edited, deleted or moved since it was written
        (empty when the chain is intact)."""
        with self._reader.connect() as conn:
            rows = conn.execute(
                sa.select(t.events).where(t.events.c.dossier_id == dossier_id)
                .order_by(t.events.c.seq)).all()
        return tuple(_check_chain(dossier_id, rows))

    def verify_all(self) -> tuple[Tampering, ...]:
        """:meth:`verify` over every dossier in the store, streaming the log in order (one
        dossier's chain in memory at a time)."""
        found: list[Tampering] = []
        # PostgreSQL streams through a server-side cursor, which needs a transaction; SQLite
        # reads in autocommit mode so that writers are not held up meanwhile.
        with (self._reader if self._sqlite else self.db).connect() as conn:
            rows = conn.execution_options(stream_results=True, yield_per=5000).execute(
                sa.select(t.events).order_by(t.events.c.dossier_id, t.events.c.seq))
            for dossier_id, chain in itertools.groupby(rows, key=lambda r: r.dossier_id):
                found.extend(_check_chain(dossier_id, chain))
        return tuple(found)


def _check_chain(dossier_id: str, rows: Iterable[Any]) -> Iterator[Tampering]:
    prev = GENESIS
    expected = 1
    for r in rows:
        if r.seq != expected:
            yield Tampering(dossier_id, expected,
                            f"event {expected} is missing: deleted (the next is {r.seq})")
            expected = r.seq
        if r.prev_hash != prev:
            yield Tampering(dossier_id, r.seq, "does not follow the event before it: an "
                            "earlier event was deleted, edited or moved")
        if chain_hash(r.prev_hash, dossier_id, r.seq, r.type, r.payload) != r.hash:
            yield Tampering(dossier_id, r.seq, "was edited after it was written")
        prev = r.hash
        expected += 1


def _pending_apology(d: Dossier, at: dt.datetime) -> bool:
    return any(type(e) is Apologized and e.new_appointment > at for e in d.history)


def _sqlite_setup(db: sa.Engine, *, wal: bool) -> None:
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


def create_schema(db: sa.Engine) -> None:
    """Create dossierflow's tables if they are missing, record the schema version, and refuse
    a database written by a newer library."""
    with db.begin() as conn:
        t.metadata.create_all(conn)
        version = conn.execute(sa.select(t.meta.c.value)
                               .where(t.meta.c.key == "schema_version")).scalar()
        if version is None:
            conn.execute(sa.insert(t.meta).values(key="schema_version",
                                                  value=str(t.SCHEMA_VERSION)))
        else:
            _check_version(version)
            upgrade_schema(conn, int(version))


def check_db_schema(db: sa.Engine) -> None:
    """Refuse a database without dossierflow's tables or written by a newer library."""
    with db.connect() as conn:
        try:
            version = conn.execute(sa.select(t.meta.c.value)
                                   .where(t.meta.c.key == "schema_version")).scalar()
        except sa.exc.DBAPIError as exc:
            raise SchemaError("the database has no dossierflow tables; create them with "
                              "create_schema(db) or Store(..., create=True)") from exc
    _check_version(version)


def _check_version(version: str | None) -> None:
    if version is None or not version.isdigit():
        raise SchemaError(f"the database's dossierflow schema version is {version!r}")
    if int(version) > t.SCHEMA_VERSION:
        raise SchemaError(f"the database's dossierflow schema is version {version}, newer than "
                          f"this library's ({t.SCHEMA_VERSION}); upgrade dossierflow")


def upgrade_schema(conn: sa.Connection, version: int) -> None:
    """Bring tables at ``version`` up to :data:`SCHEMA_VERSION` (each step in order). Version 1
    is the first; later versions add their steps here."""
    steps: dict[int, Callable[[sa.Connection], None]] = {}
    while version < t.SCHEMA_VERSION:
        steps[version](conn)
        version += 1
        conn.execute(sa.update(t.meta).where(t.meta.c.key == "schema_version")
                     .values(value=str(version)))
