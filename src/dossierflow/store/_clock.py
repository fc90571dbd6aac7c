"""The database server's clock (package-internal), against which the store checks the instants
it is given: an instant further ahead of the server's time than the store's tolerance is
refused (:class:`~dossierflow.ClockSkew`), so a node whose clock runs ahead cannot stamp events
in the future and freeze dossiers (events must be in time order).

Reading the server's clock costs a round trip, so it is read at most once per
:data:`INTERVAL` and extrapolated with ``time.monotonic()`` in between; an instant that looks
too far ahead is checked against a fresh reading before it is refused. The library itself
never reads the host's wall clock: SQLite's server clock is the host's, read by SQLite.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import sqlalchemy as sa

from dossierflow._errors import ClockSkew, InvalidArgument
from dossierflow.store._sql import from_us, read_connection

INTERVAL = 60.0
"""Seconds between two readings of the server's clock (monotonic time in between)."""

_NOW_US = {
    # Microseconds since the Unix epoch, UTC, as the server sees them now (not at the start
    # of the transaction: the check may run inside one).
    "sqlite": "SELECT CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)",
    "postgresql": "SELECT CAST(extract(epoch FROM clock_timestamp()) * 1000000 AS BIGINT)",
}


def check_tolerance(tolerance: object) -> dt.timedelta | None:
    """``tolerance`` if it is None or a timedelta from zero; else :class:`InvalidArgument`."""
    if tolerance is None:
        return None
    if not isinstance(tolerance, dt.timedelta) or tolerance < dt.timedelta(0):
        raise InvalidArgument("clock_tolerance must be a timedelta from zero (how far ahead "
                              "of the database server's clock an instant may be) or None, "
                              f"got {tolerance!r}")
    return tolerance


class ServerClock:
    """The database server's time, read at most once per :data:`INTERVAL` and extrapolated
    with ``time.monotonic()``; :meth:`check` refuses an instant further ahead of it than
    ``tolerance``."""

    def __init__(self, db: sa.Engine, tolerance: dt.timedelta | None, *,
                 sqlite: bool) -> None:
        self.db = db
        self.tolerance = tolerance
        self.sqlite = sqlite
        self.sql = _NOW_US.get(db.dialect.name)
        self.lock = threading.Lock()
        # The limit when the clock was read (server time + tolerance), and when that was.
        self.limit: dt.datetime | None = None
        self.read_at = 0.0

    def check(self, at: dt.datetime, dbc: Any = None) -> None:
        """Refuse ``at`` (an aware instant) if it is further ahead of the server's time than
        the tolerance. ``dbc``, a DB-API connection in use by the caller, is read on when the
        clock must be read (so that a transaction it holds is neither waited for nor ended)."""
        if self.tolerance is None:
            return
        limit = self.limit
        elapsed = time.monotonic() - self.read_at
        if limit is not None and elapsed < INTERVAL and at <= limit:
            return  # the limit only moves forward: no arithmetic on the hot path
        if limit is None or elapsed >= INTERVAL or \
                at > limit + dt.timedelta(seconds=elapsed):
            limit = self.read(dbc)  # a fresh reading before any refusal
            if at > limit:
                raise ClockSkew(at, limit - self.tolerance, self.tolerance)

    def read(self, dbc: Any = None) -> dt.datetime:
        """Read the server's clock now; returns the new limit (server time + tolerance)."""
        assert self.tolerance is not None
        if dbc is not None:
            now = self.now_on(dbc)
        else:
            with read_connection(self.db, sqlite=self.sqlite) as fresh:
                now = self.now_on(fresh)
        limit = now + self.tolerance
        with self.lock:
            self.limit, self.read_at = limit, time.monotonic()
        return limit

    def now_on(self, dbc: Any) -> dt.datetime:
        """The server's time, read on the DB-API connection ``dbc``."""
        if self.sql is None:  # another dialect: its CURRENT_TIMESTAMP, naive meaning UTC
            sql = str(sa.select(sa.func.current_timestamp()).compile(dialect=self.db.dialect))
            cursor = dbc.cursor()
            cursor.execute(sql)
            value = cursor.fetchone()[0]
            cursor.close()
            if isinstance(value, str):
                value = dt.datetime.fromisoformat(value)
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # type: ignore[no-any-return]
        cursor = dbc.cursor()
        cursor.execute(self.sql)
        us = cursor.fetchone()[0]
        cursor.close()
        return from_us(int(us))
