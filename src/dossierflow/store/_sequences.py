"""The daily sequence of dossier codes (package-internal): the next number for an agency (its
electronic ID), a receipt date and, for nationwide centralised services, the owning system,
allocated in ``df_code_sequences`` by one atomic statement.

``INSERT ... ON CONFLICT (agency, day, system) DO UPDATE SET last_sequence = last_sequence + 1
RETURNING last_sequence``: the first allocation of a day inserts 1, each later one adds 1 to
the row, and the statement returns the number given out. PostgreSQL runs it atomically (a
concurrent allocation of the same key waits for the row and then updates it); SQLite runs it
under the write lock of ``BEGIN IMMEDIATE``. SQLite before 3.35 has no ``RETURNING``: the row
is read back in the same transaction, which still holds the write lock. Both need the upsert
(SQLite 3.24 or later).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from dossierflow._errors import StoreError
from dossierflow.store import _schema as t


class Sequences:
    """Allocates dossier-code sequence numbers on the database of ``dialect``."""

    def __init__(self, dialect: sa.Dialect) -> None:
        self.dialect = dialect.name
        self.insert: Any = {"postgresql": postgresql.insert,
                            "sqlite": sqlite.insert}.get(dialect.name)
        self.returning = bool(dialect.insert_returning)
        """Whether the upsert returns the number (else it is read back in the transaction)."""

    def check(self) -> None:
        """Refuse a database without the upsert this needs."""
        if self.insert is None:
            raise StoreError(f"dossier codes need PostgreSQL or SQLite (INSERT ... ON CONFLICT); "
                             f"this store's database is {self.dialect}")

    def next(self, conn: sa.Connection, agency: str, day: dt.date, system: str | None) -> int:
        """The next number of (``agency``, ``day``, ``system``), allocated in ``conn``'s
        transaction (SQLite: one that holds the write lock; PostgreSQL: any, or autocommit)."""
        seq = t.code_sequences
        key = {"agency": agency, "day": day, "system": system or ""}
        upsert = self.insert(seq).values(**key, last_sequence=1).on_conflict_do_update(
            index_elements=[seq.c.agency, seq.c.day, seq.c.system],
            set_={"last_sequence": seq.c.last_sequence + 1})
        if self.returning:
            return int(conn.execute(upsert.returning(seq.c.last_sequence)).scalar_one())
        conn.execute(upsert)
        return int(conn.execute(sa.select(seq.c.last_sequence).where(
            seq.c.agency == key["agency"], seq.c.day == day,
            seq.c.system == key["system"])).scalar_one())
