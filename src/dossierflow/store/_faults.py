"""Database faults (package-internal): the driver's and SQLAlchemy's exceptions the store turns
into documented errors at its boundary, which of them mean a lost connection (retried once
where the store can know the outcome), the application's open transaction that a command
without ``connection=`` would wait for, and the check of the keys a query is given against
their columns before any query.

- lost or refused connection: :class:`~dossierflow.StoreUnavailable` (a ``ConnectionError``);
- read-only file, transaction or replica: :class:`~dossierflow.StoreReadOnly`;
- full disk (or SQLite's ``max_page_count``): :class:`~dossierflow.StoreFull`;
- a value the database refuses as data (SQLSTATE class 22): :class:`~dossierflow.InvalidArgument`.

Anything else is raised as the driver raised it: an unknown fault is never hidden.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event

from dossierflow._errors import (
    DossierflowError,
    InvalidArgument,
    StoreFull,
    StoreReadOnly,
    StoreUnavailable,
    TransactionOpen,
)
from dossierflow.states._fields import check_text

_LOST_SQLSTATES = {"57P01", "57P02", "57P03"}  # admin shutdown, crash shutdown, cannot connect


def driver_error(exc: BaseException) -> BaseException:
    """The driver's own exception behind ``exc`` (SQLAlchemy wraps it)."""
    if isinstance(exc, sa.exc.DBAPIError) and exc.orig is not None:
        return exc.orig
    return exc


class Faults:
    """What a database's faults mean, for the store over ``db``."""

    def __init__(self, db: sa.Engine) -> None:
        dbapi = db.dialect.loaded_dbapi
        self.sqlite = db.dialect.name == "sqlite"
        self.errors: tuple[type[BaseException], ...] = (sa.exc.DBAPIError, dbapi.Error)
        self.operational: type[BaseException] = dbapi.OperationalError

    def lost(self, exc: BaseException) -> bool:
        """Whether ``exc`` means the connection to the server was lost or refused (so a
        write's outcome may be unknown)."""
        if self.sqlite or not isinstance(exc, self.errors):
            return False
        if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
            return True
        orig = driver_error(exc)
        state = getattr(orig, "sqlstate", None) or ""
        if state.startswith("08") or state in _LOST_SQLSTATES:
            return True
        # psycopg raises OperationalError without a state when the socket is gone or refused.
        return isinstance(orig, self.operational) and not state

    def translate(self, exc: BaseException) -> DossierflowError | None:
        """The documented error for the database fault ``exc``, or None (raise it as it is)."""
        if not isinstance(exc, self.errors):
            return None
        orig = driver_error(exc)
        detail = f"{type(orig).__name__}: {orig}".strip()
        if self.sqlite:
            return _sqlite_fault(orig, detail)
        state = getattr(orig, "sqlstate", None) or ""
        if state == "53100":
            return StoreFull("the database server's disk is full; free space or grow it",
                             detail=detail)
        if state == "25006":
            return StoreReadOnly("the database refuses writes (a read-only transaction or a "
                                 "replica); point the store at the primary", detail=detail)
        if state in ("55P03", "57014"):  # lock_timeout, statement_timeout
            return None
        if self.lost(exc) or state.startswith("53"):
            return StoreUnavailable("the database server cannot be reached or lost the "
                                    "connection; check that it is running and reachable",
                                    detail=detail)
        if state.startswith("22"):
            return InvalidArgument(f"the database refused a value as data ({detail}); check "
                                   "the lengths and characters of the ids and texts given")
        return None


def _sqlite_fault(orig: BaseException, detail: str) -> DossierflowError | None:
    name = getattr(orig, "sqlite_errorname", "") or ""
    text = str(orig).lower()
    if name.startswith("SQLITE_FULL") or "database or disk is full" in text:
        return StoreFull("the SQLite database is full (its disk, or its max_page_count); "
                         "free space", detail=detail)
    if name.startswith(("SQLITE_READONLY", "SQLITE_PERM")) or "readonly database" in text:
        return StoreReadOnly("the SQLite database refuses writes (a read-only file, "
                             "directory or connection); open it read-write", detail=detail)
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_NOTADB")) or \
            "unable to open database" in text or "disk i/o error" in text:
        return StoreUnavailable("the SQLite database file cannot be opened, read or "
                                "written; check its path, disk and permissions", detail=detail)
    return None


def column_length(column: sa.Column[Any]) -> int:
    """How many characters ``column`` holds."""
    length = getattr(column.type, "length", None)
    assert isinstance(length, int), column
    return length


def check_key(value: object, name: str, length: int) -> str:
    """``value`` if it is text that fits a column of ``length`` characters (no NUL, no lone
    surrogate either); else :class:`InvalidArgument` naming ``name``. Checked before any
    query, so the driver never sees a value it would refuse."""
    return check_text(value, name, length)


class OpenTransactions:
    """The transactions each thread holds open on a database through SQLAlchemy connections
    (``store.db.begin()``, ``store.db.connect()`` then a statement), so that a command given
    without ``connection=`` on the same thread fails at once (:class:`TransactionOpen`)
    instead of waiting for a lock that thread itself holds. Autocommit connections hold no
    transaction and are not counted."""

    def __init__(self, db: sa.Engine) -> None:
        self.local = threading.local()
        sa_event.listen(db, "begin", self._begin)
        sa_event.listen(db, "commit", self._end)
        sa_event.listen(db, "rollback", self._end)

    def _held(self) -> weakref.WeakSet[sa.Connection]:
        held: weakref.WeakSet[sa.Connection] | None = getattr(self.local, "held", None)
        if held is None:
            held = self.local.held = weakref.WeakSet()
        return held

    def _begin(self, conn: sa.Connection) -> None:
        if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            self._held().add(conn)

    def _end(self, conn: sa.Connection) -> None:
        self._held().discard(conn)

    def check(self, method: str) -> None:
        """Raise :class:`TransactionOpen` if this thread holds an open transaction."""
        held: weakref.WeakSet[sa.Connection] | None = getattr(self.local, "held", None)
        if held:
            for conn in list(held):
                if not conn.closed and conn.in_transaction():
                    raise TransactionOpen(method)
                held.discard(conn)
