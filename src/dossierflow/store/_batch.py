"""Many commands in one transaction (package-internal; the public names are re-exported by
``dossierflow.store``): :class:`Batch`, the unit of work behind :meth:`Store.batch`, and the
validated import of complete histories (:meth:`Store.import_histories`, :class:`ImportReport`).

A batch is the store's own save path run many times inside one transaction: each command is
decided by the engine, its events chained from the dossier's last hash, its projection,
worklist rows and outbox messages written, exactly as :meth:`Store.run` writes them; only the
transaction (and, on SQLite, its write lock) is shared, so a thousand commands cost one
commit. A SQLite batch of its own also holds its rows until it ends and writes them then,
one ``executemany`` a table, each dossier's projection once (:mod:`dossierflow.store._pending`).
The store hands it its own load, save and cache operations (:class:`Access`), so the batch
saves exactly as the store does, and nothing else reaches them.

What happens when a command is refused inside a batch: the engine decides before anything is
written, so a refused command (``TransitionNotAllowed``, ``NotAuthorized``,
``InvalidArgument``, ``DossierExists``, ``ClockSkew``) raises at the call and writes nothing;
the batch stays usable and the caller decides: catch it and go on (a batch job never stops at
one bad record), or let it propagate out of the ``with`` block, which rolls the whole batch
back. A database error always rolls the whole batch back (all or nothing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from dossierflow._errors import (
    ConcurrencyConflict,
    DossierExists,
    DossierflowError,
    InvalidArgument,
    SchemaError,
    StoreError,
)
from dossierflow.states import Actor, Command, Dossier, Engine, Event, File, Filed
from dossierflow.store import _schema as t
from dossierflow.store._admit import admit
from dossierflow.store._faults import check_key, column_length
from dossierflow.store._pending import Pending

if TYPE_CHECKING:
    from dossierflow.store._store import Store

_ID = min(column_length(t.dossiers.c.id), column_length(t.events.c.dossier_id))


@attrs.frozen
class Access:
    """What a :class:`Batch` uses of its store: the engine, the SQLite flag, loading and
    saving on a DB-API connection, the cache, the clock check, the driver's duplicate-key
    errors and whether an id is stored (package-internal; built by ``Store.batch``)."""

    engine: Engine
    sqlite: bool
    load: Callable[[Any, str, bool], Dossier]
    save: Callable[[Any, Dossier | None, Dossier, tuple[Event, ...], Pending | None], Any]
    save_new: Callable[[Any, Dossier | None, Dossier, tuple[Event, ...]], Any]
    cached: Callable[[str], Dossier | None]
    remember: Callable[[str, Any], None]
    forget: Callable[[str], None]
    check_clock: Callable[[dt.datetime, Any], None]
    duplicate: tuple[type[BaseException], ...]
    stored: Callable[[Any, str], bool]


@attrs.frozen
class ImportReport:
    """What :meth:`Store.import_histories` did: the ids of the dossiers ``imported`` (in the
    order given) and, for each history refused, ``(dossier id, reason)`` in ``failed`` (the id
    is ``"?"`` when the history does not even start with its filing). Iterating a report, and
    its length, are those of ``imported``."""

    imported: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()

    def __iter__(self) -> Iterator[str]:
        return iter(self.imported)

    def __len__(self) -> int:
        return len(self.imported)


class Batch:
    """Commands applied in one transaction: ``with store.batch() as b:``, then
    :meth:`file`, :meth:`run` and :meth:`import_history` as many times as needed. Everything
    is committed when the block ends normally and rolled back if an exception leaves it.

    A refused command raises at the call and writes nothing; the batch goes on if the caller
    catches it (see the module's documentation). Use one batch from one thread."""

    def __init__(self, access: Access, dbc: Any, *, own: bool,
                 pending: Pending | None = None) -> None:
        self._store = access
        self._dbc = dbc
        self._own = own
        # Rows held for the batch's end (a SQLite batch of its own: see store._pending).
        self._pending = pending
        # On SQLite a batch of its own holds the write lock from BEGIN IMMEDIATE: a dossier
        # read or written in it cannot change underneath, so it is not read again.
        self._locked = own and access.sqlite
        self._fresh: set[str] = set()
        self.touched: set[str] = set()
        """The ids of the dossiers this batch wrote."""
        self.commands = 0
        """How many commands (filings and imported histories included) this batch wrote."""
        self.events = 0
        """How many events this batch wrote."""

    def _before(self, dossier_id: str) -> Dossier:
        store = self._store
        if self._pending is not None:
            mine = self._pending.entries.get(dossier_id)
            if mine is not None:  # written by this batch: the tables do not have it yet
                return mine.dossier
        if self._locked and dossier_id in self._fresh:
            known = store.cached(dossier_id)
            if known is not None:
                return known
        dossier = store.load(self._dbc, dossier_id, True)
        self._fresh.add(dossier_id)
        return dossier

    def _written(self, dossier_id: str, entry: Any, events: int) -> None:
        if self._pending is None:  # else the store remembers it once its rows are written
            self._store.remember(dossier_id, entry)
        self._fresh.add(dossier_id)
        self.touched.add(dossier_id)
        self.commands += 1
        self.events += events

    def run(self, dossier_id: str, command: Command | Callable[[Dossier], Command | None], *,
            at: dt.datetime, actor: Actor, attempts: int = 5) -> Dossier | None:
        """:meth:`Store.run` inside the batch: load, apply with the engine, save (events
        chained, projection, worklist rows, outbox). ``command`` may be a function of the
        loaded dossier (None: nothing to do, and None is returned). A refused command raises
        and writes nothing; on PostgreSQL a :class:`ConcurrencyConflict` (someone outside the
        batch appended) loads the dossier again, up to ``attempts`` times."""
        check_key(dossier_id, "dossier_id", _ID)
        store = self._store
        if isinstance(command, File):
            raise InvalidArgument(f"batch.run({dossier_id!r}, File(...)) cannot file a dossier; "
                                  "file it with batch.file(File(...), at=..., actor=...)")
        for attempt in range(1, max(1, attempts) + 1):
            before = self._before(dossier_id)
            chosen = command(before) if callable(command) else command
            if chosen is None:
                return None
            if isinstance(chosen, File):
                raise InvalidArgument(f"batch.run({dossier_id!r}, ...) chose File(...); file "
                                      "with batch.file(File(...), at=..., actor=...)")
            after, events = store.engine.apply(before, chosen, at=at, actor=actor)
            store.check_clock(at, self._dbc)
            try:
                entry = store.save(self._dbc, before, after, events, self._pending)
            except ConcurrencyConflict:
                store.forget(dossier_id)
                self._fresh.discard(dossier_id)
                if attempt >= attempts or not self._own:
                    raise
                continue
            self._written(dossier_id, entry, len(events))
            return after
        raise AssertionError("unreachable")  # pragma: no cover

    def file(self, command: File, *, at: dt.datetime, actor: Actor) -> Dossier:
        """:meth:`Store.file` inside the batch. A taken id raises :class:`DossierExists` and
        writes nothing (the batch goes on: on PostgreSQL the filing runs in a savepoint)."""
        store = self._store
        after, events = store.engine.apply(None, command, at=at, actor=actor)
        store.check_clock(at, self._dbc)
        self._new(after, events)
        return after

    def import_history(self, events: Iterable[Event]) -> Dossier:
        """Write a complete history, as a legacy system recorded it, as a new dossier: the
        history must start with its ``Filed`` and be exactly what the engine decides for the
        commands it records, each applied again at its instant by its actor (as
        :meth:`Store.save` admits events), so a history with a step done by the wrong role,
        events out of order or a value no command could produce is refused with the engine's
        own error, naming the event, and nothing is written. Then it is chained, projected
        (worklists, the deadline columns) and its outbox messages written like any other
        dossier's. Instants in the past are never refused; the store's ``clock_tolerance``
        applies to the last one."""
        events = tuple(events)
        if not events or not isinstance(events[0], Filed):
            raise SchemaError("a history to import starts with its Filed event")
        if not all(isinstance(e, Event) for e in events):
            raise InvalidArgument("a history to import is a sequence of dossierflow events")
        store = self._store
        dossier_id = events[0].dossier
        check_key(dossier_id, "dossier_id", _ID)
        try:
            after = store.engine.replay(events)
        except (SchemaError, LookupError) as exc:
            raise SchemaError(f"the history does not replay: {exc}",
                              dossier_id=dossier_id) from exc
        admit(store.engine, None, after, events)
        store.check_clock(max(e.at for e in events), self._dbc)
        self._new(after, events)
        return after

    def _new(self, after: Dossier, events: tuple[Event, ...]) -> None:
        store = self._store
        pending = self._pending
        if pending is not None:
            # Its row waits for the batch's end, where a taken id would fail the whole batch:
            # the id is checked now (the batch holds the write lock).
            if after.id in pending.entries or store.stored(self._dbc, after.id):
                raise DossierExists(after.id)
            self._written(after.id, store.save(self._dbc, None, after, events, pending),
                          len(events))
            return
        try:
            entry = store.save_new(self._dbc, None, after, events)
        except store.duplicate as exc:
            store.forget(after.id)
            raise DossierExists(after.id) from exc
        self._written(after.id, entry, len(events))


def import_all(store: Store, histories: Iterable[Sequence[Event]], *, batch_size: int,
               connection: Any) -> ImportReport:
    """:meth:`Store.import_histories`: each history through :meth:`Batch.import_history`,
    ``batch_size`` histories a transaction; a refused history is reported and the others go
    on; a database error is raised (the batch under way is rolled back, the earlier ones
    stay)."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidArgument(f"batch_size must be a whole number from 1, got {batch_size!r}")
    imported: list[str] = []
    failed: list[tuple[str, str]] = []
    pending = iter(histories)
    done = False
    while not done:
        with store.batch(connection=connection) as b:
            for _ in range(batch_size):
                history = next(pending, None)
                if history is None:
                    done = True
                    break
                history = tuple(history)
                first = history[0] if history else None
                ident = first.dossier if isinstance(first, Filed) else "?"
                try:
                    b.import_history(history)
                except StoreError:
                    raise  # the database, not this history
                except DossierflowError as exc:
                    failed.append((ident, str(exc)))
                else:
                    imported.append(ident)
    return ImportReport(tuple(imported), tuple(failed))
