"""Storage: an append-only, hash-chained event log and a current-state projection, on SQLite
(the embedded default), in memory, or on PostgreSQL, through one SQLAlchemy Core code path.

The engine never imports this package; a :class:`Store` loads dossiers, saves the events of
accepted commands with optimistic concurrency (:class:`ConcurrencyConflict`), serves worklists
through indexes, keeps an outbox of messages with a relay, runs the deadline sweeper, and
verifies the hash chain. ``metadata`` holds the tables for applications' own migrations.

The modules are package-internal, one concept each; import the names below from here:

- ``_store``: the :class:`Store` (constructors, load, save, run, file; thin methods over the rest);
- ``_batch``: many commands in one transaction (:class:`Batch`, ``Store.batch``) and the
  validated import of complete histories (:class:`ImportReport`, ``Store.import_histories``);
- ``_schema``: the tables, the schema version and the migrations;
- ``_sql``: the SQL fast path (prepared statements on the driver's cursor, raw connections, the
  PostgreSQL single-statement save) and the encoding of instants (:func:`to_us`, :func:`from_us`);
- ``_projection``: a dossier's projection row and worklist rows;
- ``_worklists``: :class:`Entry` and the worklist, overdue and due-soon queries;
- ``_sequences``: the daily sequence of dossier codes (``Store.next_dossier_code``);
- ``_sweeper``: when the deadline sweeper apologises for a dossier, and :class:`SweepReport`;
- ``_outbox``: :class:`OutboxMessage`, :data:`NOTIFY`, the relay and :class:`RelayReport`;
- ``_chain``: the hash chain (:data:`GENESIS`, :func:`row_hash`, :func:`chain_hash`,
  :class:`Tampering`, :class:`TamperKind`);
- ``_audit``: projection, worklist and outbox rows checked against the events, anchors, and
  the forensic read (:class:`EventRecord`, :class:`StoredEvent`);
- ``_clock``: the database server's clock, against which instants are checked (``ClockSkew``);
- ``_faults``: database faults as documented errors, lost connections, the thread's open
  transaction, keys checked against their columns.
"""

from dossierflow._errors import (
    ClockSkew,
    ConcurrencyConflict,
    DossierExists,
    DossierNotFound,
    StoreError,
    StoreFull,
    StoreReadOnly,
    StoreUnavailable,
    TamperedRecord,
    TransactionOpen,
)
from dossierflow.store._audit import ANCHOR_FORMAT, EventRecord, StoredEvent
from dossierflow.store._batch import Batch, ImportReport
from dossierflow.store._chain import (
    GENESIS,
    HMAC_SHA256,
    SHA256,
    Tampering,
    TamperKind,
    chain_hash,
    row_hash,
)
from dossierflow.store._outbox import NOTIFY, OutboxMessage, RelayReport
from dossierflow.store._schema import (
    SCHEMA_VERSION,
    check_db_schema,
    create_schema,
    metadata,
    upgrade_schema,
)
from dossierflow.store._sql import duration_us, from_us, to_us
from dossierflow.store._store import Store
from dossierflow.store._sweeper import SweepReport
from dossierflow.store._worklists import Entry

__all__ = [
    "ANCHOR_FORMAT",
    "GENESIS",
    "HMAC_SHA256",
    "NOTIFY",
    "SCHEMA_VERSION",
    "SHA256",
    "Batch",
    "ClockSkew",
    "ConcurrencyConflict",
    "DossierExists",
    "DossierNotFound",
    "Entry",
    "EventRecord",
    "ImportReport",
    "OutboxMessage",
    "RelayReport",
    "Store",
    "StoreError",
    "StoreFull",
    "StoreReadOnly",
    "StoreUnavailable",
    "StoredEvent",
    "SweepReport",
    "TamperKind",
    "TamperedRecord",
    "Tampering",
    "TransactionOpen",
    "chain_hash",
    "check_db_schema",
    "create_schema",
    "duration_us",
    "from_us",
    "metadata",
    "row_hash",
    "to_us",
    "upgrade_schema",
]
