"""Storage: an append-only, hash-chained event log and a current-state projection, on SQLite
(the embedded default), in memory, or on PostgreSQL, through one SQLAlchemy Core code path.

The engine never imports this package; a :class:`Store` loads dossiers, saves the events of
accepted commands with optimistic concurrency (:class:`ConcurrencyConflict`), serves worklists
through indexes, keeps an outbox of messages with a relay, runs the deadline sweeper, and
verifies the hash chain. ``metadata`` holds the tables for applications' own migrations.
"""

from dossierflow._errors import ConcurrencyConflict
from dossierflow.store._schema import SCHEMA_VERSION, metadata
from dossierflow.store._store import (
    GENESIS,
    NOTIFY,
    Entry,
    OutboxMessage,
    Store,
    Tampering,
    chain_hash,
    check_db_schema,
    create_schema,
    from_us,
    to_us,
    upgrade_schema,
)

__all__ = [
    "GENESIS",
    "NOTIFY",
    "SCHEMA_VERSION",
    "ConcurrencyConflict",
    "Entry",
    "OutboxMessage",
    "Store",
    "Tampering",
    "chain_hash",
    "check_db_schema",
    "create_schema",
    "from_us",
    "metadata",
    "to_us",
    "upgrade_schema",
]
