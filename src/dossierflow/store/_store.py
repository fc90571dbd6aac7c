"""The :class:`Store` (package-internal module; the public names are re-exported by
``dossierflow.store``): dossiers kept as an append-only, hash-chained event log plus a
current-state projection, on SQLite (embedded, the default), in memory, or on PostgreSQL,
through one SQLAlchemy Core code path. Its constructors, loading, saving, running and filing
commands, and thin methods over the worklists, the sweeper, the outbox relay, the chain
check and the dossier codes' daily sequences.

Every accepted command is saved in one transaction: its events, the dossier's new projection,
its worklist rows and its outbox messages, or nothing. Saving checks the version the dossier
was loaded at (optimistic concurrency).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

import attrs
import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from dossierflow._errors import (
    ConcurrencyConflict,
    DossierExists,
    DossierflowError,
    DossierNotFound,
    InvalidArgument,
    SchemaError,
    StoreError,
    StoreUnavailable,
    TamperedRecord,
    check_instant,
)
from dossierflow.clock import Sla, Timeline, VerdictPolicy
from dossierflow.states import SCHEMA_VERSION as EVENT_SCHEMA
from dossierflow.states import (
    Actor,
    Command,
    Dossier,
    DossierCode,
    Engine,
    Event,
    File,
    Status,
    System,
    check_schema,
    event_from_dict,
    event_to_dict,
)
from dossierflow.store import _schema as t
from dossierflow.store import _worklists as worklists
from dossierflow.store._admit import admit
from dossierflow.store._audit import (
    EventRecord,
    check_anchor,
    check_outbox,
    check_projection,
    make_anchor,
    read_anchor,
    stored_event,
)
from dossierflow.store._batch import Access, Batch, ImportReport, import_all
from dossierflow.store._chain import (
    GENESIS,
    HMAC_SHA256,
    SHA256,
    Tampering,
    TamperKind,
    canonical,
    check_head,
    check_row,
    check_rows,
    row_hash,
)
from dossierflow.store._clock import ServerClock, check_tolerance
from dossierflow.store._facts import FACT_EVENTS, GROUPS, answers, fact_rows, groups, regroup
from dossierflow.store._faults import Faults, OpenTransactions, check_key, column_length
from dossierflow.store._notices import due_after, expected_payloads, with_notice
from dossierflow.store._outbox import (
    NOTIFY,
    OutboxMessage,
    RelayReport,
    check_relay_arguments,
    pending_count,
    quarantined_messages,
)
from dossierflow.store._outbox import relay as relay_outbox
from dossierflow.store._pending import Moved, Pending
from dossierflow.store._projection import holding, project
from dossierflow.store._sequences import Sequences
from dossierflow.store._sql import (
    EventRow,
    Prepared,
    bound,
    raw_transaction,
    read_connection,
    single_sql,
    sqlite_setup,
    to_us,
)
from dossierflow.store._sweeper import SweepReport, apology_due, stop_due
from dossierflow.store._worklists import Entry


@attrs.frozen
class _Cached:
    """A dossier this store loaded or saved, with what saving the next command needs: the
    last event's hash, the clock's timeline (None until a save needs it), and the projection
    rows last written."""

    dossier: Dossier
    last_hash: str
    timeline: Timeline | None = None
    row: dict[str, Any] | None = None
    holding: list[dict[str, Any]] | None = None


EVENT_BYTES = 600
"""What one event of a cached dossier costs in memory, roughly (the event, its place in the
history tuple and in the clock's timeline; measured by ``tests/test_store_faults.py``)."""
DOSSIER_BYTES = 4000
"""What a cached dossier costs in memory besides its events (the dossier, its projection
rows, its timeline's ledgers)."""


def _cost(entry: _Cached) -> int:
    """The estimated memory a cached dossier holds."""
    return DOSSIER_BYTES + EVENT_BYTES * entry.dossier.version


_ID = min(column_length(t.dossiers.c.id), column_length(t.events.c.dossier_id))
_AGENCY = column_length(t.active.c.agency)

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _guarded(*, retry: bool = False) -> Callable[[Callable[Concatenate[Store, _P], _R]],
                                                 Callable[Concatenate[Store, _P], _R]]:
    """A public method whose database faults are raised as dossierflow's documented errors
    (:mod:`dossierflow.store._faults`); with ``retry`` (a read, or a write that knows its own
    outcome) it is tried once more on a fresh connection when the connection was lost."""

    def decorate(method: Callable[Concatenate[Store, _P], _R],
                 ) -> Callable[Concatenate[Store, _P], _R]:
        @functools.wraps(method)
        def guarded(self: Store, /, *args: _P.args, **kw: _P.kwargs) -> _R:
            try:
                return method(self, *args, **kw)
            except Exception as exc:
                if not (retry and self._faults.lost(exc)):
                    self._raise_translated(exc)
                    raise
            self._lost_connection()
            try:
                return method(self, *args, **kw)
            except Exception as exc:
                self._raise_translated(exc)
                raise

        return guarded

    return decorate


class Store:
    """Dossiers of an :class:`~dossierflow.states.Engine`, stored in a SQL database.

    Build one with :meth:`sqlite` (a file, the embedded default), :meth:`memory` (tests and
    small tools) or :meth:`postgresql`, or from any SQLAlchemy engine. ``schema`` puts the
    tables in a PostgreSQL schema; ``notify`` chooses the events that go to the outbox.
    A SQLite-file or PostgreSQL store may be shared by the threads of a process (each
    operation takes its own pooled connection); each process opens its own store.

    ``key`` (bytes, at least 16) makes each new event's hash an HMAC-SHA256 under it, so that
    nobody without the key can forge a chain that verifies; keep it outside the database and
    give it to every store that opens it. ``keyed_only=True`` also refuses events hashed
    without the key (for a database that had the key from its first event).

    ``verdicts`` (a :class:`~dossierflow.clock.VerdictPolicy`; Decision 766/QĐ-TTg's rules by
    default) is how the projection's ``verdict`` column judges ended dossiers; every store
    that opens a database should use the same, and :meth:`rebuild_projections` rewrites the
    column after a change (:meth:`verify_all` reports rows judged by another policy).
    """

    def __init__(self, db: sa.Engine, engine: Engine, *, schema: str | None = None,
                 notify: Callable[[Event], bool] | None = None, create: bool = True,
                 clock_tolerance: dt.timedelta | None = dt.timedelta(minutes=5),
                 cache_bytes: int = 64 * 2**20, key: bytes | None = None,
                 keyed_only: bool = False, verdicts: VerdictPolicy | None = None) -> None:
        if not isinstance(engine, Engine):
            raise InvalidArgument(f"engine must be a dossierflow Engine, got {engine!r}")
        if isinstance(cache_bytes, bool) or not isinstance(cache_bytes, int) or \
                cache_bytes < 0:
            raise InvalidArgument(f"cache_bytes must be a whole number of bytes from 0, got "
                                  f"{cache_bytes!r}")
        tolerance = check_tolerance(clock_tolerance)
        if key is not None and (not isinstance(key, bytes) or len(key) < 16):
            raise InvalidArgument("key must be bytes, at least 16 of them (e.g. "
                                  "secrets.token_bytes(32)), kept outside the database")
        if keyed_only and key is None:
            raise InvalidArgument("keyed_only=True needs the key (key=...)")
        self._key = key
        self._keyed_only = bool(keyed_only)
        self._format = SHA256 if key is None else HMAC_SHA256
        self.db = db.execution_options(schema_translate_map={None: schema}) if schema else db
        # Reads need no transaction of their own: one round trip, no BEGIN, no COMMIT.
        self._reader = self.db.execution_options(isolation_level="AUTOCOMMIT")
        self.engine = engine
        self.sla = Sla(engine) if verdicts is None else Sla(engine, verdicts=verdicts)
        self.notify = notify or (lambda e: isinstance(e, NOTIFY))
        self._skip_locked = db.dialect.name == "postgresql"
        self._sqlite = db.dialect.name == "sqlite"
        self._postgres = db.dialect.name == "postgresql" and db.dialect.driver == "psycopg"
        self._single: dict[tuple[int, int, int | None], str] = {}
        self._zone = ZoneInfo(engine.calendar.timezone)
        self._schema = schema
        # The hot path runs on the driver's cursor, which raises the driver's own error.
        self._duplicate: tuple[type[BaseException], ...] = (
            sa.exc.IntegrityError, db.dialect.loaded_dbapi.IntegrityError)
        self._conflicts: tuple[type[BaseException], ...] = (ConcurrencyConflict,
                                                             *self._duplicate)
        self._cache: OrderedDict[str, _Cached] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._cache_costs: dict[str, int] = {}
        self._cache_used = 0
        self.cache_size = 10_000
        """At most this many dossiers are kept in the cache."""
        self.cache_bytes = cache_bytes
        """At most about this much memory (estimated) is held by the cached dossiers."""
        self._faults = Faults(db)
        self._transactions = OpenTransactions(db)
        self._clock = ServerClock(self.db, tolerance, sqlite=self._sqlite)
        self._sequences = Sequences(db.dialect)
        # Statements compiled once: building, keying and compiling a statement costs more
        # than running it.
        ev, ds, act = t.events, t.dossiers, t.active

        def prepare(stmt: Any) -> Prepared:
            return Prepared(stmt, db, schema)

        self._update = prepare(
            sa.update(ds).where(ds.c.id == sa.bindparam("_id"),
                                ds.c.version == sa.bindparam("_expected"))
            .values(bound(ds, "id")))
        # The rows and, in the same statement (one snapshot), the head df_dossiers records.
        head = {c: sa.select(ds.c[c]).where(ds.c.id == sa.bindparam("_id")).scalar_subquery()
                for c in ("version", "head_hash")}
        self._events_since = prepare(
            sa.select(ev.c.seq, ev.c.type, ev.c.payload, ev.c.at_us, ev.c.actor,
                      ev.c.prev_hash, ev.c.hash, ev.c.hash_format, head["version"],
                      head["head_hash"])
            .where(ev.c.dossier_id == sa.bindparam("_id"), ev.c.seq >= sa.bindparam("_since"))
            .order_by(ev.c.seq))
        self._version_of = prepare(sa.select(ds.c.version).where(ds.c.id == sa.bindparam("_id")))
        self._head_of = prepare(sa.select(ds.c.version, ds.c.head_hash)
                                .where(ds.c.id == sa.bindparam("_id")))
        self._hash_of = prepare(sa.select(ev.c.hash).where(
            ev.c.dossier_id == sa.bindparam("_id"), ev.c.seq == sa.bindparam("_seq")))
        self._insert_events = prepare(sa.insert(ev).values(bound(ev)))
        self._insert_outbox = prepare(sa.insert(t.outbox).values(
            bound(t.outbox, "id", "lease_until_us", "worker", "delivered_us", "quarantined")))
        self._insert_dossier = prepare(sa.insert(ds).values(bound(ds)))
        self._delete_active = prepare(
            sa.delete(act).where(act.c.dossier_id == sa.bindparam("_id")))
        self._insert_active = prepare(sa.insert(act).values(bound(act)))
        self._insert_facts = prepare(sa.insert(t.facts).values(bound(t.facts)))
        fa = t.facts
        self._answer_fact = prepare(sa.update(fa).where(
            fa.c.dossier_id == sa.bindparam("_id"), fa.c.seq == sa.bindparam("_seq"))
            .values(took_us=sa.bindparam("took_us"), satisfied=sa.bindparam("satisfied")))
        self._regroup_facts = prepare(sa.update(fa).where(fa.c.dossier_id == sa.bindparam("_id"))
                                      .values({c: sa.bindparam(c) for c in GROUPS}))
        try:
            try:
                if create:
                    t.create_schema(self.db)
                else:
                    t.check_db_schema(self.db)
                stale = self._stale()
            except Exception as exc:
                self._raise_translated(exc)
                raise
            if stale:
                self.rebuild_projections()
        except BaseException:
            db.dispose()
            raise

    @property
    def clock_tolerance(self) -> dt.timedelta | None:
        """How far ahead of the database server's clock an instant given to the store may be
        (None: any instant is accepted)."""
        return self._clock.tolerance

    def _raise_translated(self, exc: Exception) -> None:
        """Raise the documented error for the database fault ``exc``, if there is one."""
        error = self._faults.translate(exc)
        if error is not None:
            raise error from exc

    def _lost_connection(self) -> None:
        """The connection to the server was lost: the pooled ones probably are too (the
        server restarted), so the pool starts afresh."""
        self.db.dispose()

    # ------------------------------------------------------------------ constructors

    @classmethod
    def sqlite(cls, path: str | Path, engine: Engine, **kw: Any) -> Store:
        """A store in the SQLite file ``path`` (WAL mode, durable commits, writers serialised
        with ``BEGIN IMMEDIATE`` and a 30 s busy timeout, so several processes can share it).
        ``path`` is a filesystem path, taken literally (``%``, ``?``, spaces and non-ASCII
        characters are part of the name)."""
        # The path is taken literally: built into a URL as text, "%41" or "?mode=ro" in it
        # would be decoded or read as options.
        db = sa.create_engine(sa.engine.URL.create("sqlite", database=str(Path(path))))
        sqlite_setup(db, wal=True)
        return cls(db, engine, **kw)

    @classmethod
    def memory(cls, engine: Engine, **kw: Any) -> Store:
        """A store in memory (SQLite's in-memory database on one connection: for tests and
        small tools that use it from one thread at a time; gone when the process ends)."""
        db = sa.create_engine("sqlite://", poolclass=StaticPool,
                              connect_args={"check_same_thread": False})
        sqlite_setup(db, wal=False)
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

    @_guarded(retry=True)
    def load(self, dossier_id: str, *, cached: bool = True,
             connection: sa.Connection | None = None) -> Dossier:
        """The dossier rebuilt from its stored events; :class:`SchemaError` names the dossier
        and the event that cannot be read.

        A dossier this store has seen is brought up to date by reading only the events
        appended since (after checking that its last known event is still there, unchanged);
        ``cached=False`` reads and decodes the whole history again. :meth:`verify` checks
        every event's hash."""
        check_key(dossier_id, "dossier_id", _ID)
        if connection is not None:
            return self._load(connection.connection, dossier_id, cached)
        with self._read_connection() as dbc:
            return self._load(dbc, dossier_id, cached)

    def _load(self, dbc: Any, dossier_id: str, cached: bool) -> Dossier:
        known = self._cache.get(dossier_id) if cached else None
        params = {"_id": dossier_id, "_since": known.dossier.version if known else 0}
        rows = self._rows(dbc, params)
        if known is not None:
            first = rows[0] if rows else None
            if first is not None and first.seq == known.dossier.version and \
                    first.hash == known.last_hash and check_row(
                        dossier_id, first, key=self._key, keyed_only=self._keyed_only,
                        rank=0) is None:
                # The last event it knew is unchanged: check the chain from there on only.
                self._check(dossier_id, rows[1:], prev=first.hash, expected=first.seq + 1,
                            fmt=first.hash_format, head=rows[-1])
                if len(rows) == 1:
                    return known.dossier
                dossier = self._fold(dossier_id, known.dossier, rows[1:])
                timeline = known.timeline
                if timeline is not None:  # the clock follows the new events only
                    timeline = self.sla.advance(timeline, dossier,
                                                dossier.history[known.dossier.version:])
                self._remember(dossier_id, _Cached(dossier, rows[-1].hash, timeline))
                return dossier
            return self._load(dbc, dossier_id, False)
        if not rows:
            head = self._head_on(dbc, dossier_id)
            if head is None:
                raise DossierNotFound(dossier_id)
            gone = check_head(dossier_id, None, None, *head)
            assert gone is not None
            raise TamperedRecord(dossier_id, (gone,), seq=gone.seq)
        self._check(dossier_id, rows, head=rows[-1])
        dossier = self._fold(dossier_id, None, rows)
        self._remember(dossier_id, _Cached(dossier, rows[-1].hash))
        return dossier

    def _check(self, dossier_id: str, rows: Sequence[Any], *, head: Any,
               prev: str = GENESIS, expected: int = 1, fmt: str | None = None) -> None:
        """Raise :class:`TamperedRecord` if ``rows`` do not continue the chain from ``prev``
        or, unless ``head`` is None, the chain does not end at ``head``: the last row, read
        with the head df_dossiers records (its ``head_seq`` and ``head_hash``)."""
        problems = list(check_rows(dossier_id, rows, key=self._key,
                                   keyed_only=self._keyed_only, prev=prev, expected=expected,
                                   fmt=fmt))
        if head is not None:
            at_head = check_head(dossier_id, head.seq, head.hash, head.head_seq,
                                 head.head_hash, exists=head.head_seq is not None)
            if at_head is not None:
                problems.append(at_head)
        if problems:
            raise TamperedRecord(dossier_id, tuple(problems), seq=problems[0].seq)

    def _head_on(self, dbc: Any, dossier_id: str) -> tuple[int, str | None] | None:
        """The head df_dossiers records for ``dossier_id`` (version, head hash), or None."""
        cursor = self._head_of.execute(dbc, {"_id": dossier_id})
        found = cursor.fetchone()
        cursor.close()
        return None if found is None else (int(found[0]), found[1])

    def _rows(self, dbc: Any, params: dict[str, Any]) -> list[EventRow]:
        cursor = self._events_since.execute(dbc, params)
        rows = [EventRow(r) for r in cursor.fetchall()]
        cursor.close()
        return rows

    def _fold(self, dossier_id: str, dossier: Dossier | None, rows: Sequence[Any]) -> Dossier:
        """``dossier`` (None: none yet) extended by the events of ``rows``, whose chain was
        checked."""
        history = [self._decode(dossier_id, r.seq, r.type, r.payload) for r in rows]
        try:
            if dossier is None:
                return self.engine.replay(history)
            return self.engine.extend(dossier, history)
        except (SchemaError, LookupError) as exc:
            raise SchemaError(f"the history does not replay: {exc}",
                              dossier_id=dossier_id) from exc

    def _remember(self, dossier_id: str, entry: _Cached) -> None:
        """Keep ``entry`` as the most recently used, and drop the least recently used beyond
        ``cache_size`` dossiers or ``cache_bytes`` (estimated: :data:`EVENT_BYTES` a stored
        event)."""
        cost = _cost(entry)
        with self._cache_lock:  # a store may be shared by the threads of a process
            cache, costs = self._cache, self._cache_costs
            self._cache_used += cost - costs.get(dossier_id, 0)
            costs[dossier_id] = cost
            cache[dossier_id] = entry
            cache.move_to_end(dossier_id)
            while len(cache) > self.cache_size or self._cache_used > self.cache_bytes:
                gone, _ = cache.popitem(last=False)
                self._cache_used -= costs.pop(gone)

    def _forget(self, dossier_id: str) -> None:
        """Drop what this store knows of ``dossier_id`` (it may no longer be true)."""
        with self._cache_lock:
            if self._cache.pop(dossier_id, None) is not None:
                self._cache_used -= self._cache_costs.pop(dossier_id)

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

    @_guarded()
    def save(self, before: Dossier | None, after: Dossier, events: Sequence[Event], *,
             connection: sa.Connection | None = None) -> None:
        """Append ``events`` (what :meth:`Engine.apply` returned) to the dossier loaded as
        ``before`` (None for a new filing) and update its projection, worklist rows and outbox,
        in one transaction. Raises :class:`ConcurrencyConflict` if the stored dossier is no
        longer at ``before``'s version, :class:`DossierExists` if ``before`` is None and the
        id is taken; nothing is written then.

        :class:`~dossierflow.ClockSkew` if the events' instant is further ahead of the
        database server's clock than ``clock_tolerance``; :class:`~dossierflow.TransactionOpen`
        if this thread holds an open transaction on ``store.db`` and ``connection`` is not
        given. A lost connection is retried once, after re-reading the dossier to know whether
        the save was written."""
        expected = 0 if before is None else before.version
        events = tuple(events)
        if not events or after.version != expected + len(events) or \
                after.history[expected:] != events:
            raise InvalidArgument("save(before, after, events) takes what Engine.apply "
                                  "returned for the dossier loaded as before")
        if connection is None:
            self._transactions.check("save")
        self._clock.check(max(e.at for e in events),
                          None if connection is None else connection.connection)
        if before is not None:
            self._check_before(before, connection)
        admit(self.engine, before, after, events)
        self._save_decided(before, after, events, connection)

    def _save_decided(self, before: Dossier | None, after: Dossier, events: tuple[Event, ...],
                      connection: sa.Connection | None) -> None:
        """:meth:`save` of events the engine has just decided (by :meth:`file`, or once
        :meth:`save` has admitted them): written, retried once on a lost connection, and
        remembered."""
        expected = 0 if before is None else before.version
        entry: _Cached | None
        try:
            if connection is not None:
                entry = self._save_in(connection.connection, before, after, events)
            else:
                try:
                    entry = self._save_once(before, after, events)
                except Exception as exc:
                    if not self._faults.lost(exc):
                        raise
                    # The outcome is unknown: the dossier says whether it was written.
                    self._lost_connection()
                    entry = None if self._written(after, expected, events, exc) else \
                        self._save_once(before, after, events)
        except self._duplicate as exc:
            # Someone appended the same sequence number first (the events' primary key is
            # the last line of optimistic concurrency, and on PostgreSQL the first), or, for
            # a filing, the id is taken (the dossiers' primary key).
            if expected == 0:
                raise DossierExists(after.id) from exc
            if connection is not None:
                self._forget(after.id)
                raise
            raise ConcurrencyConflict(after.id, expected, self._version(after.id)) from exc
        if entry is None:
            self._forget(after.id)
        elif connection is None:  # the application's transaction may still roll back
            self._remember(after.id, entry)

    def _check_before(self, before: Dossier, connection: sa.Connection | None) -> None:
        """``before`` must be the stored dossier at its version (not one built by hand)."""
        known = self._cache.get(before.id)
        if known is None or known.dossier.version != before.version:
            stored = self.load(before.id, connection=connection)
            if stored.version != before.version:
                raise ConcurrencyConflict(before.id, before.version, stored.version)
        else:
            stored = known.dossier
        if stored != before:
            raise InvalidArgument(f"the dossier given as before for {before.id} is not the one "
                                  "stored at its version; load it with store.load()")

    def _save_once(self, before: Dossier | None, after: Dossier,
                   events: tuple[Event, ...]) -> _Cached:
        # Events reports count by agency (df_facts), and a receipt that gives earlier fact
        # rows their groups, take the transaction's path; the others, most commands, the
        # single statement's.
        if self._postgres and before is not None and not any(
                type(e) in FACT_EVENTS for e in events) and not regroup(before, after):
            with self._read_connection() as dbc:  # autocommit: the statement commits
                return self._save_single(dbc, before, after, events)
        with self._raw_transaction() as dbc:
            return self._save(dbc, before, after, events)

    def _save_in(self, dbc: Any, before: Dossier | None, after: Dossier,
                 events: tuple[Event, ...]) -> _Cached:
        """Save in the application's transaction on ``dbc``. On PostgreSQL a filing runs in a
        savepoint, so that a taken id (:class:`DossierExists`) leaves the application's
        transaction usable."""
        if before is not None or self._sqlite:
            return self._save(dbc, before, after, events)
        cursor = dbc.cursor()
        cursor.execute("SAVEPOINT df_file")
        try:
            entry = self._save(dbc, before, after, events)
        except BaseException:
            cursor.execute("ROLLBACK TO SAVEPOINT df_file")
            raise
        finally:
            cursor.close()
        cursor = dbc.cursor()
        cursor.execute("RELEASE SAVEPOINT df_file")
        cursor.close()
        return entry

    def _written(self, after: Dossier, expected: int, events: tuple[Event, ...],
                 lost: Exception) -> bool:
        """After the connection was lost while saving ``events``: whether they are stored
        (True), or the dossier is still at ``expected`` (False: saving again is safe). Raises
        :class:`ConcurrencyConflict` (or :class:`DossierExists`) if someone else wrote, and
        :class:`StoreUnavailable` if the server still cannot be reached."""
        try:
            with self._read_connection() as dbc:
                version = self._version_on(dbc, after.id)
                if version is not None and version >= after.version:
                    prev = self._stored_hash(dbc, after.id, expected) if expected else GENESIS
                    _, _, last = self._event_rows(after, expected, events, prev or "")
                    if self._stored_hash(dbc, after.id, after.version) == last:
                        return True
        except Exception as exc:
            if not self._faults.lost(exc):
                raise
            raise StoreUnavailable(
                f"the connection was lost while saving dossier {after.id} and the server "
                "cannot be reached to tell whether it was written; load it when the server "
                "is back to see", detail=f"{type(lost).__name__}: {lost}") from exc
        if version == (expected or None):
            return False
        if expected == 0:
            raise DossierExists(after.id)
        raise ConcurrencyConflict(after.id, expected, version)

    def _stored_hash(self, dbc: Any, dossier_id: str, seq: int) -> str | None:
        cursor = self._hash_of.execute(dbc, {"_id": dossier_id, "_seq": seq})
        found = cursor.fetchone()
        cursor.close()
        return None if found is None else str(found[0])

    def _read_connection(self) -> contextlib.AbstractContextManager[Any]:
        return read_connection(self.db, sqlite=self._sqlite)

    def _raw_transaction(self) -> contextlib.AbstractContextManager[Any]:
        return raw_transaction(self.db, sqlite=self._sqlite)

    def _prepare(self, before: Dossier | None, after: Dossier, events: tuple[Event, ...],
                 ) -> tuple[int, _Cached | None, Timeline, dict[str, Any],
                            list[dict[str, Any]]]:
        """The expected version, what the store knows of that version, the clock's timeline
        after ``events``, the new projection row and the new worklist rows. The timeline is
        the cached one advanced by ``events`` (one clock, kept event by event); only a dossier
        this store has not seen is folded from its history once."""
        expected = 0 if before is None else before.version
        known = self._cache.get(after.id)
        if known is not None and known.dossier.version != expected:
            known = None
        base = known.timeline if known is not None else None
        if base is None and before is not None:
            base = self.sla.timeline(before)
        timeline = self.sla.advance(base, after, events)
        prev = known.row if known is not None else None
        row = project(after, timeline, sla=self.sla, prev=prev,
                      events=events if prev is not None else None)
        return expected, known, timeline, row, holding(after, timeline, row,
                                                       engine=self.engine, sla=self.sla)

    def _save_batched(self, dbc: Any, before: Dossier | None, after: Dossier,
                      events: tuple[Event, ...], pending: Pending | None) -> _Cached | Moved:
        """A batch's save: written on ``dbc`` now, or, with ``pending`` (a SQLite batch of its
        own), held there for the batch's end (:meth:`_hold`)."""
        if pending is not None:
            return self._hold(dbc, before, after, events, pending)
        return self._save(dbc, before, after, events)

    def _save(self, dbc: Any, before: Dossier | None, after: Dossier,
              events: tuple[Event, ...]) -> _Cached:
        expected, known, timeline, row, holding = self._prepare(before, after, events)
        try:
            last = self._write(dbc, before, after, expected, events, row, known, holding,
                               timeline)
        except self._conflicts:
            raise  # what this store knows of the dossier is still true, only not all of it
        except BaseException:
            self._forget(after.id)
            raise
        return _Cached(after, last, timeline, row, holding)

    def _write(self, dbc: Any, before: Dossier | None, after: Dossier, expected: int,
               events: tuple[Event, ...], row: dict[str, Any], known: _Cached | None,
               holding: list[dict[str, Any]], timeline: Timeline) -> str:
        """Write one command in the transaction of ``dbc``: the dossier row (checking the
        version), the events chained from the last known hash, the worklist rows when they
        changed, the outbox rows. Returns the last event's hash."""
        dossier_id = after.id
        prev = known.last_hash if known is not None else self._last_hash(
            dbc, dossier_id, expected)
        rows, messages, last = self._event_rows(after, expected, events, prev, timeline)
        if expected == 0:
            self._insert_dossier.execute(dbc, {"id": dossier_id, **row,
                                               "head_hash": last}).close()
        else:
            cursor = self._update.execute(dbc, {"_id": dossier_id, "_expected": expected,
                                                 **row, "head_hash": last})
            done = cursor.rowcount
            cursor.close()
            if done != 1:
                raise ConcurrencyConflict(dossier_id, expected,
                                          self._version_on(dbc, dossier_id))
        self._insert_events.executemany(dbc, rows)
        self._write_facts(dbc, before, after, expected, events)
        if known is None or known.holding != holding:
            if expected:
                self._delete_active.execute(dbc, {"_id": dossier_id}).close()
            if holding:
                self._insert_active.executemany(dbc, holding)
        if messages:
            self._insert_outbox.executemany(dbc, messages)
        return last

    def _write_facts(self, dbc: Any, before: Dossier | None, after: Dossier, expected: int,
                     events: tuple[Event, ...]) -> None:
        """The report facts of ``events`` (``df_facts``), in the transaction of ``dbc``."""
        dossier_id = after.id
        if regroup(before, after):  # its fact rows before receipt get its groups
            self._regroup_facts.execute(dbc, {"_id": dossier_id, **groups(
                after, self.engine.procedure_of(after))}).close()
        if any(type(e) in FACT_EVENTS for e in events):
            facts = fact_rows(before, after, events, expected + 1,
                              self.engine.procedure_of(after), sla=self.sla)
            if facts:
                self._insert_facts.executemany(dbc, facts)
                for answer in answers(facts, expected + 1):  # the complaint's row
                    self._answer_fact.execute(dbc, answer).close()

    def _hold(self, dbc: Any, before: Dossier | None, after: Dossier,
              events: tuple[Event, ...], pending: Pending) -> Moved:
        """One command of a SQLite batch of its own: the events chained and their outbox
        messages composed now (the clock advanced only for a notice that states the new
        appointment), the report facts written now, and the rows held in ``pending`` for
        :meth:`_flush`. Nothing is held if it raises."""
        expected = 0 if before is None else before.version
        mine = pending.entries.get(after.id)
        if mine is None:
            known = self._cache.get(after.id) if expected else None
            if known is not None and known.dossier.version == expected:
                mine = Moved(known.dossier, known.last_hash, expected, known.timeline,
                             expected if known.timeline is not None else 0, known.row,
                             expected if known.row is not None else 0, known.holding)
            else:
                mine = Moved(after, self._last_hash(dbc, after.id, expected), expected)
        elif mine.dossier.version != expected:
            raise ConcurrencyConflict(after.id, expected, mine.dossier.version)
        clocks: dict[int, Timeline] = {}

        def due_at(seq: int) -> dt.datetime | None:
            clocks[seq] = mine.clock(self.sla, after, seq)
            return clocks[seq].due

        rows, messages, last = self._event_rows(after, expected, events, mine.last_hash,
                                                due_at=due_at)
        self._write_facts(dbc, before, after, expected, events)
        if clocks:
            mine.clocked = max(clocks)
            mine.timeline = clocks[mine.clocked]
        mine.dossier, mine.last_hash = after, last
        pending.entries[after.id] = mine
        pending.events += rows
        pending.outbox += messages
        if pending.full():  # written now, in the batch's transaction; the cache knows them
            self._flush(dbc, pending)
            pending.clear()
        return mine

    def _flush(self, dbc: Any, pending: Pending) -> None:
        """Write what a SQLite batch of its own held (:class:`Pending`), in its transaction
        on ``dbc``, one ``executemany`` a table: each dossier's row and worklist rows read
        off its last state (its clock advanced once, its report columns by the events since
        its last known row), with the version it had when the batch first wrote it checked
        again (:class:`ConcurrencyConflict` names the first that moved), then the events and
        messages. What the store knows of each dossier is remembered once they are."""
        new: list[dict[str, Any]] = []
        moved: list[dict[str, Any]] = []
        gone: list[dict[str, Any]] = []
        held: list[dict[str, Any]] = []
        known: list[tuple[str, _Cached]] = []
        for dossier_id, m in pending.entries.items():
            d = m.dossier
            timeline = m.clock(self.sla, d, d.version)
            row = project(d, timeline, sla=self.sla, prev=m.row,
                          events=d.history[m.projected:] if m.row is not None else None)
            rows = holding(d, timeline, row, engine=self.engine, sla=self.sla)
            if m.first == 0:
                new.append({"id": dossier_id, **row, "head_hash": m.last_hash})
            else:
                moved.append({"_id": dossier_id, "_expected": m.first, **row,
                              "head_hash": m.last_hash})
            if m.holding is None or m.holding != rows:
                if m.first:
                    gone.append({"_id": dossier_id})
                held += rows
            known.append((dossier_id, _Cached(d, m.last_hash, timeline, row, rows)))
        if new:
            self._insert_dossier.executemany(dbc, new)
        if moved and self._update.executemany(dbc, moved) != len(moved):
            for values in moved:
                found = self._version_on(dbc, values["_id"])
                if found != values["_expected"]:
                    raise ConcurrencyConflict(values["_id"], values["_expected"], found)
        if gone:
            self._delete_active.executemany(dbc, gone)
        if held:
            self._insert_active.executemany(dbc, held)
        if pending.events:
            self._insert_events.executemany(dbc, pending.events)
        if pending.outbox:
            self._insert_outbox.executemany(dbc, pending.outbox)
        for dossier_id, entry in known:
            self._remember(dossier_id, entry)

    def _save_single(self, dbc: Any, before: Dossier | None, after: Dossier,
                     events: tuple[Event, ...]) -> _Cached:
        """PostgreSQL: the whole save as one statement in autocommit mode, so one round trip
        that is also its own transaction. Data-modifying CTEs update the dossier row (with the
        version check) and, only if it matched, insert the events, the outbox messages and the
        changed worklist rows; the events' primary key catches a concurrent append."""
        expected, known, timeline, row, holding = self._prepare(before, after, events)
        prev = known.last_hash if known is not None else self._last_hash(dbc, after.id,
                                                                          expected)
        rows, messages, last = self._event_rows(after, expected, events, prev, timeline)
        changed = known is None or known.holding != holding
        sql = self._single_sql(len(rows), len(messages), len(holding) if changed else None)
        params: dict[str, Any] = {"_id": after.id, "_expected": expected, **row,
                                  "head_hash": last}
        for prefix, items in (("e", rows), ("m", messages), ("a", holding if changed else [])):
            for k, item in enumerate(items):
                params.update({f"{prefix}{k}_{name}": value for name, value in item.items()})
        cursor = dbc.cursor()
        cursor.execute(sql, params)
        matched = cursor.fetchone()[0]
        cursor.close()
        if matched != 1:
            raise ConcurrencyConflict(after.id, expected, self._version(after.id))
        return _Cached(after, last, timeline, row, holding)

    def _single_sql(self, n_events: int, n_messages: int, n_held: int | None) -> str:
        key = (n_events, n_messages, n_held)
        sql = self._single.get(key)
        if sql is None:
            sql = self._single[key] = single_sql(self.db, self._schema, *key)
        return sql

    def _last_hash(self, dbc: Any, dossier_id: str, expected: int) -> str:
        if expected == 0:
            return GENESIS
        found = self._stored_hash(dbc, dossier_id, expected)
        if found is None:
            raise ConcurrencyConflict(dossier_id, expected, self._version(dossier_id))
        return found

    def _event_rows(self, after: Dossier, expected: int, events: tuple[Event, ...],
                    prev: str, timeline: Timeline | None = None, *,
                    due_at: Callable[[int], dt.datetime | None] | None = None,
                    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
        """The event rows (chained from ``prev``), the outbox rows (each event's payload with
        its notice, ``_notices``; ``timeline``: the clock after ``events``, None: fold it if
        a notice needs it; ``due_at``: instead, the clock's due after a given event), and
        the last hash."""
        dossier_id = after.id
        rows = []
        messages = []
        for seq, e in enumerate(events, expected + 1):
            data = {"schema": EVENT_SCHEMA, **event_to_dict(e)}
            payload = canonical(data)
            kind = type(e).__name__
            at_us = to_us(e.at)
            actor = str(e.actor)
            digest = row_hash(self._key, prev, dossier_id, seq, kind, payload, at_us, actor)
            rows.append({"dossier_id": dossier_id, "seq": seq, "type": kind,
                         "payload": payload, "at_us": at_us, "actor": actor,
                         "prev_hash": prev, "hash": digest, "hash_format": self._format})
            prev = digest
            if self.notify(e):
                messages.append({"key": f"{dossier_id}:{seq}", "dossier_id": dossier_id,
                                 "seq": seq, "type": kind,
                                 "payload": with_notice(e, data, dossier=after, sla=self.sla,
                                                        due=functools.partial(
                                                            due_after, self.sla, after, seq,
                                                            timeline) if due_at is None
                                                        else functools.partial(due_at, seq)),
                                 "created_us": at_us, "attempts": 0})
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

    # ------------------------------------------------------------------------ commands

    @_guarded()
    def run(self, dossier_id: str, command: Command | Callable[[Dossier], Command | None], *,
            at: dt.datetime | Callable[[], dt.datetime], actor: Actor, attempts: int = 5,
            connection: sa.Connection | None = None) -> Dossier | None:
        """Load, apply and save, again on a :class:`ConcurrencyConflict`, up to ``attempts``
        times. ``command`` may be a function of the freshly loaded dossier (None: nothing to
        do); ``at`` may be a clock function, read at each attempt. Returns the saved dossier,
        or None when there was nothing to do. Refusals (``TransitionNotAllowed``...) are
        raised as they are; an unknown ``dossier_id`` raises :class:`DossierNotFound`. A new
        dossier is filed with :meth:`file`, not here.

        :class:`~dossierflow.ClockSkew` if ``at`` is further ahead of the database server's
        clock than ``clock_tolerance``; :class:`~dossierflow.TransactionOpen` at once if this
        thread holds an open transaction on ``store.db`` and ``connection`` is not given
        (pass it). A lost connection is retried once (a save whose outcome is unknown only
        after re-reading the dossier)."""
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            raise InvalidArgument(f"attempts must be a whole number from 1, got {attempts!r}")
        check_key(dossier_id, "dossier_id", _ID)
        _not_a_filing(command, dossier_id)
        if connection is None:
            self._transactions.check("run")

        def decide(before: Dossier, dbc: Any) -> tuple[Dossier, tuple[Event, ...]] | None:
            chosen = command(before) if callable(command) else command
            if chosen is None:
                return None
            _not_a_filing(chosen, dossier_id)
            when = at() if callable(at) else at
            applied = self.engine.apply(before, chosen, at=when, actor=actor)
            self._clock.check(when, dbc)  # the engine checked that it is an instant
            return applied

        lost = False
        for attempt in range(1, attempts + 1):
            applied: tuple[Dossier, tuple[Event, ...]] | None = None
            try:
                if self._postgres and connection is None:
                    # PostgreSQL: one read, then one write statement (save()).
                    before = self.load(dossier_id)
                    applied = decide(before, None)
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
                    applied = decide(before, dbc)
                    if applied is None:
                        return None
                    entry = self._save(dbc, before, *applied)
            except ConcurrencyConflict:
                if attempt == attempts or connection is not None:
                    raise
                continue
            except Exception as exc:
                if lost or connection is not None or not self._faults.lost(exc):
                    raise
                lost = True  # once: the dossier says whether the save was written
                self._lost_connection()
                if applied is not None and self._written(
                        applied[0], applied[0].version - len(applied[1]), applied[1], exc):
                    self._forget(dossier_id)
                    return applied[0]
                continue
            if connection is None:
                self._remember(dossier_id, entry)
            return applied[0]
        raise AssertionError("unreachable")  # pragma: no cover

    @_guarded()
    def file(self, command: Command, *, at: dt.datetime, actor: Actor,
             connection: sa.Connection | None = None) -> Dossier:
        """Apply a ``File`` command and store the new dossier. An id the store already holds
        raises :class:`DossierExists`; nothing is written then (inside the application's
        transaction too: on PostgreSQL the filing runs in a savepoint, so the application's
        transaction stays usable). :class:`~dossierflow.ClockSkew` and
        :class:`~dossierflow.TransactionOpen` as for :meth:`run`."""
        if connection is None:
            self._transactions.check("file")
        after, events = self.engine.apply(None, command, at=at, actor=actor)
        self._clock.check(at, None if connection is None else connection.connection)
        self._save_decided(None, after, events, connection)  # the engine decided: no admit
        return after

    # ------------------------------------------------------------------ units of work

    @contextlib.contextmanager
    def batch(self, *, connection: sa.Connection | None = None) -> Iterator[Batch]:
        """Many commands in one transaction (:class:`~dossierflow.store.Batch`): each one
        decided by the engine and saved as :meth:`run` and :meth:`file` save it (events
        chained, projection, worklist rows, outbox), all committed when the block ends and
        all rolled back if an exception leaves it. On SQLite the batch holds the write lock
        (``BEGIN IMMEDIATE``) until it ends: keep batches to a few thousand commands.
        A refused command raises at the call and writes nothing; the batch goes on if the
        caller catches it. With ``connection=`` the batch runs in the application's
        transaction, which commits or rolls it back."""
        def cached(dossier_id: str) -> Dossier | None:
            known = self._cache.get(dossier_id)
            return None if known is None else known.dossier

        def stored(dbc: Any, dossier_id: str) -> bool:
            return self._version_on(dbc, dossier_id) is not None

        access = Access(self.engine, self._sqlite, self._load, self._save_batched,
                        self._save_in, cached, self._remember, self._forget,
                        self._clock.check, self._duplicate, stored)
        if connection is not None:
            joined = Batch(access, connection.connection, own=False)
            try:
                yield joined
            except BaseException:
                for dossier_id in joined.touched:
                    self._forget(dossier_id)
                raise
            return
        self._transactions.check("batch")
        b: Batch | None = None
        try:
            with self._raw_transaction() as dbc:
                # On SQLite the batch holds the write lock: its rows wait for its end.
                pending = Pending() if self._sqlite else None
                b = Batch(access, dbc, own=True, pending=pending)
                yield b
                if pending is not None:
                    self._flush(dbc, pending)
        except BaseException as exc:
            for dossier_id in () if b is None else b.touched:
                self._forget(dossier_id)  # never committed
            if isinstance(exc, Exception):
                self._raise_translated(exc)
            raise

    def import_history(self, events: Sequence[Event], *,
                       connection: sa.Connection | None = None) -> Dossier:
        """Write one complete history (a dossier from a legacy system) after replaying it
        through the engine (:meth:`Batch.import_history`); raises if it is refused, and
        nothing is written."""
        with self.batch(connection=connection) as b:
            return b.import_history(events)

    def import_histories(self, histories: Iterable[Sequence[Event]], *, batch_size: int = 500,
                         connection: sa.Connection | None = None) -> ImportReport:
        """Import complete histories, ``batch_size`` a transaction, each validated by
        replaying it through the engine (:meth:`Batch.import_history`). A history refused
        (does not replay, a step by the wrong role, an id the store holds...) is reported
        with the reason in :attr:`ImportReport.failed` and the others go on; a database
        error is raised (the batch under way rolls back, the earlier ones stay)."""
        return import_all(self, histories, batch_size=batch_size, connection=connection)

    # -------------------------------------------------------------------- dossier codes

    @_guarded()
    def next_dossier_code(self, agency: str, on: dt.date | dt.datetime, *,
                          system: str | None = None,
                          connection: sa.Connection | None = None) -> str:
        """The code of the next dossier ``agency`` (its electronic ID, such as
        ``"H29.123.45"``) receives on ``on``: ``"H29.123.45-260310-0042"`` for the 42nd of
        10/03/2026 (Circular 03/2025/TT-VPCP Art. 13; see
        :func:`~dossierflow.states.format_dossier_code`). ``system``, the two digits of the
        agency that owns a nationwide centralised service, gives its code
        (``"H29.123.45-260310-010042"``, from 25/01/2026) and a sequence of its own.

        ``on`` is the receipt date, or the receipt instant (timezone-aware; a naive datetime
        raises :class:`~dossierflow.NaiveDatetimeError`), whose date is taken on the engine's
        calendar (Asia/Ho_Chi_Minh for ``vietnam()``). The sequence of each agency, day and
        system counts 1, 2, 3... and never gives a number twice, whatever the threads,
        processes or nodes allocating at once: one atomic statement in ``df_code_sequences``.

        A number given out is used up, even if the filing it was for fails; allocate it with
        ``connection=`` in the filing's transaction to have it given back on a rollback (the
        counter's row is then locked until the transaction ends, so filings at that agency on
        that day wait for one another). A lost PostgreSQL connection is retried once: at
        worst a number is skipped, never given twice. The ID, the date and ``system`` are
        checked before any query (:class:`InvalidArgument`); a day ahead of the database
        server's clock raises :class:`~dossierflow.ClockSkew`, a read-only database
        :class:`~dossierflow.StoreReadOnly`, an open transaction of this thread without
        ``connection=`` :class:`~dossierflow.TransactionOpen`."""
        if isinstance(on, dt.datetime):
            day = check_instant(on, "on").astimezone(self._zone).date()
            instant = on
        elif isinstance(on, dt.date):
            day = on
            instant = dt.datetime.combine(on, dt.time(), tzinfo=self._zone)
        else:
            raise InvalidArgument("on must be the receipt date (datetime.date) or instant "
                                  f"(a timezone-aware datetime.datetime), got {on!r:.80}")
        first = DossierCode(agency, day, 1, system)  # checks the ID, the day and the system
        self._sequences.check()
        if connection is None:
            self._transactions.check("next_dossier_code")
            self._clock.check(instant)
            try:
                number = self._next_sequence(agency, day, system)
            except Exception as exc:
                if not self._faults.lost(exc):
                    raise
                self._lost_connection()  # a number may be skipped, never given twice
                number = self._next_sequence(agency, day, system)
        else:
            self._clock.check(instant, connection.connection)
            number = self._sequences.next(connection, agency, day, system)
        return str(attrs.evolve(first, sequence=number))

    def _next_sequence(self, agency: str, day: dt.date, system: str | None) -> int:
        """Allocate in a transaction of the store's own: SQLite ``BEGIN IMMEDIATE`` (the
        write lock from the start); PostgreSQL one statement in autocommit mode."""
        if self._sqlite:
            with self.db.begin() as conn:
                return self._sequences.next(conn, agency, day, system)
        with self._reader.connect() as conn:
            return self._sequences.next(conn, agency, day, system)

    # ------------------------------------------------------------------------ worklists

    @_guarded(retry=True)
    def worklist(self, agency: str, *, status: Status | str | None = None,
                 limit: int = 100) -> tuple[Entry, ...]:
        """Open dossiers held by ``agency`` (at one of its steps, its desk, or to return),
        soonest due first; ``status`` (a :class:`Status` or its value, e.g. ``"in_progress"``)
        keeps those in that status."""
        check_key(agency, "agency", _AGENCY)
        if status is not None and not isinstance(status, Status):
            status = _status(status)
        return worklists.entries(self._reader, worklists.worklist(agency, status, limit),
                                 self._zone)

    @_guarded(retry=True)
    def overdue(self, at: dt.datetime, *, agency: str | None = None,
                limit: int | None = None) -> tuple[Entry, ...]:
        """Rows overdue at ``at``, most overdue first: steps that overran their allotment
        (even while their dossier is within its appointment) and the steps of dossiers past
        their appointment, paused dossiers whose time ran out before the pause included (the
        same definition as :meth:`dossierflow.clock.Sla.overdue`); the steps of dossiers
        paused longer than their pause's maximum (:meth:`dossierflow.clock.Sla.pause_overrun`);
        and, at the desk, online filings not received nor asked to supplement within their 8
        working hours (:meth:`dossierflow.clock.Sla.reception_overdue_from`).
        :attr:`Entry.reason` says which overran first (``"step"``, ``"dossier"``, ``"pause"``,
        ``"reception"``). ``agency`` keeps one agency's rows."""
        check_instant(at, "at")
        if agency is not None:
            check_key(agency, "agency", _AGENCY)
        return worklists.entries(self._reader, worklists.overdue(at, agency, limit),
                                 self._zone)

    @_guarded(retry=True)
    def due_soon(self, at: dt.datetime, window: dt.timedelta, *,
                 agency: str | None = None) -> tuple[Entry, ...]:
        """Rows of running dossiers whose step or dossier falls due within ``window`` of
        office time after ``at`` (the same definition as
        :meth:`dossierflow.clock.Sla.due_soon`), and those whose apology (Form 04) is due in
        that window (:meth:`dossierflow.clock.Sla.apology_due`), soonest first;
        :attr:`Entry.reason` tells them apart (``"step"``, ``"dossier"``, ``"apology"``)."""
        check_instant(at, "at")
        if isinstance(window, dt.datetime):
            raise InvalidArgument(
                "due_soon(at, window) takes a window of office time (a timedelta such as "
                f"timedelta(hours=8)), not an instant; got {window!r}")
        if agency is not None:
            check_key(agency, "agency", _AGENCY)
        until = self.sla.due_soon_until(at, window)
        return worklists.entries(self._reader, worklists.due_soon(at, until, agency),
                                 self._zone, window=(at, until))

    def dossier_ids(self) -> Iterator[str]:
        """Every stored dossier id."""
        try:
            with self._reader.connect() as conn:
                yield from conn.execute(
                    sa.select(t.dossiers.c.id).order_by(t.dossiers.c.id)).scalars()
        except Exception as exc:
            self._raise_translated(exc)
            raise

    # ----------------------------------------------------------------------- projection

    def _stale(self) -> bool:
        with self._reader.connect() as conn:
            return conn.execute(sa.select(t.meta.c.value).where(
                t.meta.c.key == t.STALE)).scalar() is not None

    @_guarded()
    def rebuild_projections(self) -> tuple[tuple[str, str], ...]:
        """Rebuild every dossier's projection (its ``df_dossiers`` and ``df_active`` rows)
        from the event log, the source of truth: after an upgrade of the tables (the store
        does it when it opens a database marked stale) or to repair edited rows. Each dossier
        is rebuilt in its own transaction; one that cannot be read, or whose chain is broken
        or does not reach the head ``df_dossiers`` records (a rebuild fills in a missing head
        from the log, never moves a recorded one back), is left as it was and reported, with
        the reason, and the others go on. The stale mark is cleared only when
        every dossier was rebuilt."""
        self._transactions.check("rebuild_projections")
        failed: list[tuple[str, str]] = []
        with self._reader.connect() as conn:
            ids = list(conn.execute(sa.select(t.events.c.dossier_id).distinct()
                                    .order_by(t.events.c.dossier_id)).scalars())
        for dossier_id in ids:
            try:
                with self._read_connection() as dbc:
                    rows = self._rows(dbc, {"_id": dossier_id, "_since": 0})
                if not rows:
                    continue  # deleted since: verify_all() reports it if it was tampering
                last = rows[-1]
                # The chain must be intact, and reach the head df_dossiers records if it
                # records one: a rebuild fills in missing heads, never moves one back.
                self._check(dossier_id, rows,
                            head=last if last.head_hash is not None else None)
                d = self._fold(dossier_id, None, rows)
                timeline = self.sla.timeline(d)
                row = project(d, timeline, sla=self.sla)
                held = holding(d, timeline, row, engine=self.engine, sla=self.sla)
                with self.db.begin() as conn:
                    conn.execute(sa.delete(t.dossiers).where(t.dossiers.c.id == dossier_id))
                    conn.execute(sa.insert(t.dossiers).values(id=dossier_id, **row,
                                                              head_hash=last.hash))
                    conn.execute(sa.delete(t.active).where(
                        t.active.c.dossier_id == dossier_id))
                    if held:
                        conn.execute(sa.insert(t.active), held)
                    conn.execute(sa.delete(t.facts).where(t.facts.c.dossier_id == dossier_id))
                    facts = fact_rows(None, d, d.history, 1, self.engine.procedure_of(d),
                                      sla=self.sla)
                    if facts:
                        conn.execute(sa.insert(t.facts), facts)
                self._forget(dossier_id)
            except StoreError:
                raise  # the database, not this dossier
            except DossierflowError as exc:
                failed.append((dossier_id, str(exc)))
        if not failed:
            with self.db.begin() as conn:
                conn.execute(sa.delete(t.meta).where(t.meta.c.key == t.STALE))
        return tuple(failed)

    # -------------------------------------------------------------------------- sweeper

    @_guarded()
    def sweep(self, at: dt.datetime, *, reason: str = "the dossier will not be resolved by "
              "its appointment", actor: Actor | None = None,
              limit: int = 1000) -> SweepReport:
        """Stop every dossier whose supplement has not come within its procedure's
        ``supplement_wait`` by ``at`` (15 working days after the request, Decree
        297/2025/NĐ-CP; the engine issues the notice of stopping, Form 05, which goes to the
        outbox), then have the responsible agency apologise (Form 04) for every dossier
        overdue at ``at``; up to ``limit`` of each, the longest expired or most overdue
        first, once: several sweepers may run at the same moment; each dossier gets one stop
        and one apology. ``actor`` (a system actor by default) makes both.

        Each dossier is on its own: one that cannot be read (a corrupted payload, a missing
        event, an event of a newer schema) or whose apology fails for a dossierflow reason
        (a :class:`~dossierflow.DossierflowError`: refused, a conflict after the retries...)
        is left as it was and reported, and the others get their apology. Any other error (the
        database is down) is raised. Returns a :class:`SweepReport`: the dossiers apologised
        for (iterating it yields them), those stopped, and those that failed, with the
        reason."""
        check_instant(at, "at")
        self._transactions.check("sweep")
        self._clock.check(at)
        who = actor or System("deadline-sweeper")
        done: list[str] = []
        stopped: list[str] = []
        failed: list[tuple[str, str]] = []
        with self._reader.connect() as conn:
            expired = list(conn.execute(worklists.supplement_expired(at, limit)).scalars())
        for dossier_id in expired:
            try:
                if self.run(dossier_id, lambda d: stop_due(self.sla, d, at), at=at,
                            actor=who) is not None:
                    stopped.append(dossier_id)
            except StoreError:
                raise
            except DossierflowError as exc:
                failed.append((dossier_id, str(exc)))
        with self._reader.connect() as conn:
            overdue = list(conn.execute(worklists.overdue_dossiers(at, limit)).scalars())
        for dossier_id in overdue:
            try:
                if self.run(dossier_id, lambda d: apology_due(self.sla, d, at, reason), at=at,
                            actor=who) is not None:
                    done.append(dossier_id)
            except StoreError:
                raise  # the database, not this dossier: the others would fail too
            except DossierflowError as exc:  # this dossier only; the others go on
                failed.append((dossier_id, str(exc)))
        return SweepReport(tuple(done), tuple(failed), tuple(stopped))

    # ---------------------------------------------------------------------------- relay

    @_guarded()
    def relay(self, deliver: Callable[[OutboxMessage], None], *, at: dt.datetime,
              worker: str = "relay", batch: int = 100,
              lease: dt.timedelta = dt.timedelta(minutes=5)) -> RelayReport:
        """Deliver up to ``batch`` pending outbox messages with ``deliver``. Messages are
        leased to ``worker`` until ``at + lease`` (several relays may run at once: PostgreSQL
        skips rows another relay has locked; SQLite serialises the claim), then marked
        delivered. A message whose delivery raised, or whose relay died, is delivered again
        after its lease: at least once; ``message.key`` lets the receiver drop duplicates.

        Each dossier's messages go out in order: a batch takes a dossier's undelivered
        messages from its first one, in order, and none while an earlier one is leased (a
        delivery under way, or failed and waiting for its lease). Each message is on its
        own: a failed delivery is reported and the others go on, but its dossier's later
        messages in the batch are given back unattempted, to follow it; a message whose
        stored payload cannot be read is quarantined (never claimed again, and no longer
        holding back its dossier) and reported. ``worker`` (non-empty text), ``batch`` (a
        whole number from 1) and ``lease`` (a positive timedelta) are checked first
        (:class:`InvalidArgument`). Returns a :class:`RelayReport`."""
        check_instant(at, "at")
        check_relay_arguments(worker, batch, lease)
        self._transactions.check("relay")
        self._clock.check(at)
        return relay_outbox(self.db, deliver, at=at, worker=worker, batch=batch, lease=lease,
                            skip_locked=self._skip_locked)

    @_guarded(retry=True)
    def pending_messages(self) -> int:
        """How many outbox messages are not delivered yet (quarantined ones not counted)."""
        return pending_count(self._reader)

    @_guarded(retry=True)
    def quarantined_messages(self) -> tuple[tuple[str, str], ...]:
        """``(key, reason)`` of every outbox message the relay set aside because its stored
        payload cannot be read, oldest first. Once the row is repaired, setting its
        ``df_outbox.quarantined`` back to NULL lets the relay deliver it."""
        return quarantined_messages(self._reader)

    # --------------------------------------------------------------------------- verify

    @_guarded(retry=True)
    def verify(self, dossier_id: str) -> tuple[Tampering, ...]:
        """Everything in the stored records of the dossier that is not as the store wrote
        it (empty when nothing is): events edited, deleted, moved, appended or rewritten
        outside the store (the chain, and its end against the head ``df_dossiers`` records),
        and ``df_dossiers``, ``df_active`` and outbox rows that differ from what the events
        call for. Read in one snapshot; never raises on tampering."""
        check_key(dossier_id, "dossier_id", _ID)
        return self.read_events(dossier_id).problems

    def read_events(self, dossier_id: str) -> EventRecord:
        """A forensic read for investigators: the dossier's raw event rows as stored (edited
        or not), the head ``df_dossiers`` records, and every :class:`Tampering` found (what
        :meth:`verify` returns). Never raises on tampering; a dossier without any record
        gives an empty :class:`EventRecord`."""
        ev, ds, act, ob = t.events, t.dossiers, t.active, t.outbox
        with self._snapshot() as conn:
            rows = conn.execute(sa.select(ev).where(ev.c.dossier_id == dossier_id)
                                .order_by(ev.c.seq)).all()
            stored = conn.execute(sa.select(ds).where(ds.c.id == dossier_id)).first()
            active = conn.execute(sa.select(act).where(act.c.dossier_id == dossier_id)).all()
            messages = conn.execute(sa.select(ob).where(ob.c.dossier_id == dossier_id)).all()
        problems = self._audit(dossier_id, rows, stored, active, messages)
        return EventRecord(dossier_id, tuple(stored_event(r) for r in rows),
                           None if stored is None else (stored.version, stored.head_hash),
                           tuple(problems))

    @_guarded(retry=True)
    def verify_all(self, *, anchor: object = None) -> tuple[Tampering, ...]:
        """:meth:`verify` over every dossier in the store, streaming the log in order (one
        batch of dossiers in memory at a time), in one snapshot; also the ``df_dossiers``,
        ``df_active`` and outbox rows of dossiers that have no event left.

        ``anchor`` (what :meth:`anchor` returned earlier, kept outside the database, or its
        JSON read back) adds a :class:`Tampering` for every anchored dossier whose chain no
        longer passes through its anchored head: rewritten (``ANCHOR_MISMATCH``) or truncated
        below it, or gone (``TRUNCATED``)."""
        anchored = read_anchor(anchor) if anchor is not None else {}
        found: list[Tampering] = []
        seen: set[str] = set()
        ev, ds, act, ob = t.events, t.dossiers, t.active, t.outbox
        with self._snapshot() as conn:
            def audit(batch: list[tuple[str, list[Any]]]) -> None:
                ids = [ident for ident, _ in batch]
                stored = {r.id: r for r in conn.execute(sa.select(ds).where(ds.c.id.in_(ids)))}
                active: dict[str, list[Any]] = {}
                for r in conn.execute(sa.select(act).where(act.c.dossier_id.in_(ids))):
                    active.setdefault(r.dossier_id, []).append(r)
                messages: dict[str, list[Any]] = {}
                for r in conn.execute(sa.select(ob).where(ob.c.dossier_id.in_(ids))):
                    messages.setdefault(r.dossier_id, []).append(r)
                for ident, rows in batch:
                    found.extend(self._audit(ident, rows, stored.get(ident),
                                             active.get(ident, []), messages.get(ident, []),
                                             anchored.get(ident)))

            stream = conn.execution_options(stream_results=True, yield_per=5000).execute(
                sa.select(ev).order_by(ev.c.dossier_id, ev.c.seq))
            batch: list[tuple[str, list[Any]]] = []
            for dossier_id, chain in itertools.groupby(stream, key=lambda r: r.dossier_id):
                batch.append((dossier_id, list(chain)))
                seen.add(dossier_id)
                if len(batch) == 500:
                    audit(batch)
                    batch = []
            audit(batch)
            stream.close()
            # Records of dossiers that have no event left.
            no_events = ~sa.exists().where(ev.c.dossier_id == ds.c.id)
            for r in conn.execute(sa.select(ds).where(no_events).order_by(ds.c.id)):
                seen.add(r.id)
                found.extend(self._audit(r.id, [], r, [], [], anchored.get(r.id)))
            orphans = sa.select(act.c.dossier_id).where(
                ~sa.exists().where(ev.c.dossier_id == act.c.dossier_id),
                ~sa.exists().where(ds.c.id == act.c.dossier_id)).distinct()
            for ident in conn.execute(orphans.order_by(act.c.dossier_id)).scalars():
                found.append(Tampering(ident, None, TamperKind.PROJECTION_EXTRA,
                                       "df_active has rows for a dossier without any event"))
        for ident in sorted(anchored.keys() - seen):
            found.append(Tampering(ident, 1, TamperKind.TRUNCATED,
                                   "every record of the anchored dossier was deleted"))
        return tuple(found)

    def anchor(self) -> dict[str, Any]:
        """A checkpoint of every dossier's head (id, last sequence number, last hash) as
        JSON-ready data, for the operator to keep outside the database (a signed file, a
        write-once bucket, a printed register) and give to :meth:`verify_all` later: a chain
        rewritten or truncated below its anchored head then shows, even one rewritten by
        someone who holds the key. Anchor a log that verifies (run :meth:`verify_all`
        first): an anchor vouches for what it records."""
        ev = t.events
        last = sa.select(ev.c.dossier_id, sa.func.max(ev.c.seq).label("seq")) \
            .group_by(ev.c.dossier_id).subquery()
        stmt = sa.select(ev.c.dossier_id, ev.c.seq, ev.c.hash).join(
            last, sa.and_(ev.c.dossier_id == last.c.dossier_id, ev.c.seq == last.c.seq)) \
            .order_by(ev.c.dossier_id)
        with self._reader.connect() as conn:
            heads = [(r.dossier_id, int(r.seq), str(r.hash)) for r in conn.execute(stmt)]
        return make_anchor(heads, keyed=self._key is not None)

    @contextlib.contextmanager
    def _snapshot(self) -> Iterator[sa.Connection]:
        """A connection reading one consistent snapshot of the database without holding up
        writers: a deferred read transaction on SQLite (WAL), REPEATABLE READ on PostgreSQL
        (whose server-side cursors need a transaction anyway)."""
        if self._sqlite:
            with self._reader.connect() as conn:
                conn.exec_driver_sql("BEGIN")
                try:
                    yield conn
                finally:
                    conn.exec_driver_sql("ROLLBACK")
        else:
            with self.db.execution_options(isolation_level="REPEATABLE READ").connect() \
                    as conn, conn.begin():
                yield conn

    def _audit(self, dossier_id: str, rows: Sequence[Any], stored: Any,
               active: Sequence[Any], messages: Sequence[Any],
               anchored: tuple[int, str] | None = None) -> list[Tampering]:
        """Every :class:`Tampering` in one dossier's records: its event ``rows`` (in order),
        its ``df_dossiers`` row (``stored``, None if there is none), its ``df_active`` rows,
        its outbox ``messages``, and the head an anchor recorded for it."""
        found = list(check_rows(dossier_id, rows, key=self._key, keyed_only=self._keyed_only))
        chain_intact = not found
        if rows or stored is not None:
            last = rows[-1] if rows else None
            at_head = check_head(dossier_id, last.seq if last else None,
                                 last.hash if last else None,
                                 stored.version if stored is not None else None,
                                 stored.head_hash if stored is not None else None,
                                 exists=stored is not None)
            if at_head is not None:
                found.append(at_head)
        elif active:
            found.append(Tampering(dossier_id, None, TamperKind.PROJECTION_EXTRA,
                                   "df_active has rows for a dossier without any event"))
        if anchored is not None:
            at_anchor = check_anchor(dossier_id, {r.seq: r.hash for r in rows}, anchored)
            if at_anchor is not None:
                found.append(at_anchor)
        expected: dict[int, str] = {}
        if rows and chain_intact and all(p.kind is TamperKind.PROJECTION_MISSING
                                         for p in found):
            try:
                d = self._fold(dossier_id, None, rows)
                found.extend(check_projection(d, stored, active, sla=self.sla,
                                              engine=self.engine))
                expected = expected_payloads(d, self.sla, {r.seq: r.payload for r in rows},
                                             (m.seq for m in messages))
            except DossierflowError as exc:
                found.append(Tampering(dossier_id, getattr(exc, "seq", None),
                                       TamperKind.UNREADABLE,
                                       f"cannot be replayed to check its projection: {exc}"))
        # The messages of events found tampered with are not reported again.
        flagged = {p.seq for p in found if p.seq is not None}
        cut = min((p.seq for p in found if p.kind is TamperKind.TRUNCATED and p.seq),
                  default=None)
        found.extend(check_outbox(dossier_id, {r.seq: r for r in rows}, [
            m for m in messages if m.seq not in flagged and (cut is None or m.seq < cut)],
            expected))
        return found


def _status(value: object) -> Status:
    """The :class:`Status` whose value is ``value``."""
    try:
        return Status(value)
    except (ValueError, TypeError):
        known = ", ".join(repr(s.value) for s in Status)
        raise InvalidArgument(f"status must be a Status or one of {known}, "
                              f"got {value!r}") from None


def _not_a_filing(command: object, dossier_id: str) -> None:
    if isinstance(command, File):
        raise InvalidArgument(f"store.run({dossier_id!r}, File(...)) cannot file a dossier; "
                              "file it with store.file(File(...), at=..., actor=...)")
