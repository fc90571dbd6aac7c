"""dossierflow's tables, as SQLAlchemy Core ``MetaData`` applications can include in their own
migrations, the schema version, and the migrations: creating the tables, checking a database's
version, upgrading older tables step by step.

- ``df_events``: the append-only event log. One row per event: dossier id, sequence number,
  type, payload (canonical JSON), instant (UTC microseconds), actor, and the hash chain
  (``prev_hash``, ``hash``, and the formula the hash was computed with, ``hash_format``) that
  makes edits, deletions and reorderings evident.
- ``df_dossiers``: the current state of each dossier (a projection of its events): status,
  procedure code and version, appointment, current due instant, since when it is overdue,
  verdict, version, and the head of its chain (``version`` is the last event's sequence
  number, ``head_hash`` its hash), written in the same transaction as the events so that
  deleting the last events shows.
- ``df_active``: which agency and step hold each open dossier (several, with parallel
  branches), with the step's due instant (its allotment from its activation, paused with the
  dossier), the dossier's, the earlier of the two, and since when the row is overdue (the step
  overran its allotment or the dossier its appointment): the worklist, overdue and due-soon
  queries read this index.
- ``df_outbox``: domain events for the application to deliver (SMS, e-mail, letters), written
  in the same transaction as the events, with an idempotency key, and why the relay set a
  message aside (``quarantined``: its stored payload cannot be read).
- ``df_code_sequences``: the last sequence number given out for each agency (its electronic
  ID), receipt date and, for centralised services, owning system: what the dossier codes'
  daily sequence is allocated from.
- ``df_facts``: the events reports count by agency (apologies, supplement requests, pauses,
  complaints and their answers, ratings), one row each, written with the events, with the
  dossier's groups and receipt instant once it is received (a complaint's row with its
  answer too), so that reports read them without a join.
- ``df_meta``: the schema version (and, while an upgrade's new projection columns are not
  yet filled in, ``projection_stale``).

Instants are stored as integer microseconds since the Unix epoch (UTC): the same, indexable
type on SQLite and PostgreSQL.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import sqlalchemy as sa

from dossierflow._errors import SchemaError

SCHEMA_VERSION = 7
"""The version of the tables this library creates and reads.

- 1 (dossierflow 0.1.0.dev0): the first.
- 2: step deadlines: ``df_active`` gains ``step_due_us``, ``dossier_due_us`` and
  ``overdue_us`` (``due_us`` becomes the earlier of the step's and the dossier's due), and
  ``df_dossiers`` gains ``overdue_us``. The upgrade adds the columns and marks the projection
  stale; the store rebuilds it from the event log when it opens the database.
- 3: quarantine in the outbox: ``df_outbox`` gains ``quarantined`` (why the relay set a
  message aside; NULL for every other message) and the index ``df_outbox_dossier``
  (``dossier_id``, ``seq``) through which the relay keeps each dossier's messages in order.
- 4: tamper evidence: ``df_events`` gains ``hash_format`` (NULL for rows hashed the old way,
  ``sha256`` or ``hmac-sha256`` for rows whose hash covers every column) and ``df_dossiers``
  gains ``head_hash`` (the hash of the dossier's last event). The upgrade adds the columns and
  marks the projection stale; the store fills the heads in from the event log when it opens
  the database. No event is rewritten.
- 5: dossier codes: the table ``df_code_sequences`` (nothing else changes).
- 6: the law's other clocks: ``df_dossiers`` gains ``supplement_expires_us`` (when a dossier
  waiting for a supplement has waited the procedure's ``supplement_wait``; the sweeper stops
  it after that) and its index; ``df_active`` gains ``apology_due_us`` (when the apology is
  due) and ``reason`` (what made ``overdue_us``: ``step``, ``dossier``, ``pause`` or
  ``reception``). The upgrade adds the columns and marks the projection stale; the store
  fills them in from the event log when it opens the database.
- 7: reports: ``df_dossiers`` gains what a period's report reads (:data:`REPORT_COLUMNS`:
  when handling ended, when the dossier was first found overdue, the receiving agency's
  level, the procedure's field, fee and online level, the online payment, the result's
  return, digitisation at receipt, the first complaint or poor rating, "5 on the spot", the
  agency answerable for a late dossier) and the indexes of the report's scans; the table
  ``df_facts`` keeps the events reports count by agency (apologies, supplement requests,
  pauses, complaints and their answers, ratings), written with the events, each with its
  dossier's groups and receipt instant once received. The upgrade adds
  them and marks the projection stale; the store fills them in from the event log when it
  opens the database."""

metadata = sa.MetaData()

events = sa.Table(
    "df_events", metadata,
    sa.Column("dossier_id", sa.String(100), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("at_us", sa.BigInteger, nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    # How ``hash`` was computed: NULL for rows written before schema 4 (dossier, sequence,
    # type and payload only), "sha256" or "hmac-sha256" (every column; see store/_chain.py).
    sa.Column("hash_format", sa.String(16)),
)

dossiers = sa.Table(
    "df_dossiers", metadata,
    sa.Column("id", sa.String(100), primary_key=True),
    sa.Column("procedure", sa.String(40), nullable=False),
    sa.Column("procedure_version", sa.Integer, nullable=False),
    sa.Column("status", sa.String(30), nullable=False),
    sa.Column("channel", sa.Integer, nullable=False),
    sa.Column("receiver", sa.String(100)),
    sa.Column("filed_us", sa.BigInteger, nullable=False),
    sa.Column("received_us", sa.BigInteger),
    sa.Column("appointment_us", sa.BigInteger),
    sa.Column("due_us", sa.BigInteger),
    sa.Column("overdue_us", sa.BigInteger),
    sa.Column("ended_us", sa.BigInteger),
    sa.Column("verdict", sa.String(10)),
    sa.Column("apologized", sa.Boolean, nullable=False, default=False),
    sa.Column("version", sa.Integer, nullable=False),
    # The head of the chain: the hash of event ``version``, written with the events.
    sa.Column("head_hash", sa.String(64)),
    sa.Index("df_dossiers_procedure_received", "procedure", "received_us"),
    sa.Index("df_dossiers_status_due", "status", "due_us"),
    sa.Index("df_dossiers_overdue", "overdue_us"),
    # When the supplement wait expires (schema 6): the sweeper's stop list.
    sa.Column("supplement_expires_us", sa.BigInteger),
    sa.Index("df_dossiers_supplement_expires", "supplement_expires_us"),
    # Schema 7, what reports read (see _facts.py): instants in UTC microseconds, NULL for
    # dossiers never received.
    sa.Column("closed_us", sa.BigInteger),
    sa.Column("first_overdue_us", sa.BigInteger),
    sa.Column("level", sa.String(100)),
    sa.Column("sector", sa.String(200)),
    sa.Column("fee_bearing", sa.Boolean),
    sa.Column("online_eligible", sa.Boolean),
    sa.Column("paid_online_us", sa.BigInteger),
    sa.Column("returned_us", sa.BigInteger),
    sa.Column("electronic_result", sa.Boolean),
    sa.Column("components", sa.Integer),
    sa.Column("digitised", sa.Integer),
    sa.Column("reused", sa.Integer),
    sa.Column("unsatisfied_us", sa.BigInteger),
    sa.Column("five_on_the_spot", sa.Boolean),
    sa.Column("responsible", sa.String(100)),
    # A period's report reads, of the dossiers received before its end, every column its
    # counts need: this index holds them all, so the scan never visits the table, and leads
    # with the receiving agency, so the rows of the Biểu 06 form (one per agency) come out
    # grouped, without a sort (SQLite skips from agency to agency to the receipt range).
    sa.Index("df_dossiers_report", "receiver", "received_us", "closed_us", "returned_us",
             "channel", "verdict", "first_overdue_us", "overdue_us", "online_eligible",
             "fee_bearing", "paid_online_us", "components", "digitised", "reused",
             "unsatisfied_us", "electronic_result", "five_on_the_spot"),
    # The late dossiers closed in a period, by the agency answerable.
    sa.Index("df_dossiers_late", "verdict", "closed_us", "responsible"),
)

REPORT_INDEXES: tuple[str, ...] = ("df_dossiers_report", "df_dossiers_late",
                                   "df_facts_kind_at")
"""The indexes of the report's scans (schema 7)."""

REPORT_COLUMNS: tuple[str, ...] = (
    "closed_us", "first_overdue_us", "level", "sector", "fee_bearing", "online_eligible",
    "paid_online_us", "returned_us", "electronic_result", "components", "digitised", "reused",
    "unsatisfied_us", "five_on_the_spot", "responsible")
"""The ``df_dossiers`` columns schema 7 added for reports."""

facts = sa.Table(
    "df_facts", metadata,
    # One row per event reports count by agency (schema 7): kind is apology_on_time,
    # apology_late, supplement, pause (agency, step, reason), complaint (with its answer's
    # took_us and satisfied once answered), answer (ref: the complaint's seq; took_us:
    # office time from the complaint; satisfied) or rating (score).
    sa.Column("dossier_id", sa.String(100), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("at_us", sa.BigInteger, nullable=False),
    sa.Column("agency", sa.String(100)),
    sa.Column("step", sa.String(200)),
    sa.Column("reason", sa.String(100)),
    sa.Column("score", sa.Integer),
    sa.Column("ref", sa.Integer),
    sa.Column("took_us", sa.BigInteger),
    sa.Column("satisfied", sa.Boolean),
    # The dossier's groups and receipt instant, as in its df_dossiers row, once it is
    # received (NULL before; its receipt's save sets them): the event counts read no
    # other table (see _facts.py).
    sa.Column("receiver", sa.String(100)),
    sa.Column("level", sa.String(100)),
    sa.Column("sector", sa.String(200)),
    sa.Column("procedure", sa.String(40)),
    sa.Column("channel", sa.Integer),
    sa.Column("received_us", sa.BigInteger),
    # Events of some kinds in a period, with everything the report reads of them: its
    # statements scan this index alone.
    sa.Index("df_facts_kind_at", "kind", "at_us", "received_us", "receiver", "level",
             "sector", "procedure", "channel", "score", "took_us", "satisfied", "agency",
             "step", "reason"),
)

active = sa.Table(
    "df_active", metadata,
    sa.Column("dossier_id", sa.String(100), primary_key=True),
    sa.Column("step", sa.String(200), primary_key=True),
    sa.Column("agency", sa.String(100), nullable=False),
    sa.Column("status", sa.String(30), nullable=False),
    sa.Column("due_us", sa.BigInteger),
    sa.Column("step_due_us", sa.BigInteger),
    sa.Column("dossier_due_us", sa.BigInteger),
    sa.Column("overdue_us", sa.BigInteger),
    # Schema 6: when the apology is due, and what made overdue_us (step, dossier, pause,
    # reception; NULL when overdue_us is).
    sa.Column("apology_due_us", sa.BigInteger),
    sa.Column("reason", sa.String(12)),
    # Worklists (agency, status) and due-soon lists (agency, status, due range), already in
    # due order; the second serves the same lists across agencies. Overdue lists read the
    # last two, by agency or across agencies.
    sa.Index("df_active_agency_status_due", "agency", "status", "due_us"),
    sa.Index("df_active_status_due", "status", "due_us"),
    sa.Index("df_active_agency_overdue", "agency", "overdue_us"),
    sa.Index("df_active_overdue", "overdue_us"),
)

outbox = sa.Table(
    "df_outbox", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(160), nullable=False, unique=True),
    sa.Column("dossier_id", sa.String(100), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_us", sa.BigInteger, nullable=False),
    sa.Column("lease_until_us", sa.BigInteger),
    sa.Column("worker", sa.String(100)),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("delivered_us", sa.BigInteger),
    # Why the relay set the message aside (its payload cannot be read); NULL otherwise. A
    # quarantined message is never claimed again and does not hold back its dossier's others.
    sa.Column("quarantined", sa.Text),
    sa.Index("df_outbox_pending", "delivered_us", "id"),
    # The relay's order per dossier: is an earlier message of the dossier still undelivered?
    sa.Index("df_outbox_dossier", "dossier_id", "seq"),
)

code_sequences = sa.Table(
    "df_code_sequences", metadata,
    # The receiving agency's electronic ID (at most 35 characters, Decision 20/2020/QĐ-TTg
    # Art. 4), the receipt date (local), and the owning system's two digits ('' for codes
    # without them): each has its own daily sequence.
    sa.Column("agency", sa.String(35), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("system", sa.String(2), primary_key=True),
    sa.Column("last_sequence", sa.Integer, nullable=False),
)

meta = sa.Table(
    "df_meta", metadata,
    sa.Column("key", sa.String(40), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
)


def create_schema(db: sa.Engine) -> None:
    """Create dossierflow's tables if they are missing, record the schema version, and refuse
    a database written by a newer library.

    Several nodes may open a new database at once: on PostgreSQL a transaction-scoped advisory
    lock (keyed by the tables' schema) serialises them, so the second sees the first's tables;
    SQLite serialises them with ``BEGIN IMMEDIATE``."""
    with db.begin() as conn:
        if conn.dialect.name == "postgresql":
            schema = (conn.get_execution_options().get("schema_translate_map") or {}).get(None)
            key = zlib.crc32(f"dossierflow.create_schema:{schema or ''}".encode())
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        metadata.create_all(conn)
        version = conn.execute(sa.select(meta.c.value)
                               .where(meta.c.key == "schema_version")).scalar()
        if version is None:
            conn.execute(sa.insert(meta).values(key="schema_version",
                                                value=str(SCHEMA_VERSION)))
        else:
            check_version(version)
            upgrade_schema(conn, int(version))


def check_db_schema(db: sa.Engine) -> None:
    """Refuse a database without dossierflow's tables or written by a newer library."""
    with db.connect() as conn:
        try:
            version = conn.execute(sa.select(meta.c.value)
                                   .where(meta.c.key == "schema_version")).scalar()
        except sa.exc.DBAPIError as exc:
            raise SchemaError("the database has no dossierflow tables; create them with "
                              "create_schema(db) or Store(..., create=True)") from exc
    check_version(version)


def check_version(version: str | None) -> None:
    """Refuse a recorded schema version that is unreadable or newer than this library's."""
    if version is None or not version.isdigit():
        raise SchemaError(f"the database's dossierflow schema version is {version!r}")
    if int(version) > SCHEMA_VERSION:
        raise SchemaError(f"the database's dossierflow schema is version {version}, newer than "
                          f"this library's ({SCHEMA_VERSION}); upgrade dossierflow")


STALE = "projection_stale"
"""The ``df_meta`` key set while the projection must be rebuilt from the event log."""


def _table_name(conn: sa.Connection, table: sa.Table) -> str:
    """``table``'s quoted name for raw DDL on ``conn``, in the schema its
    ``schema_translate_map`` puts the tables in (``Store(..., schema=...)``)."""
    prep = conn.dialect.identifier_preparer
    schema = (conn.get_execution_options().get("schema_translate_map") or {}).get(None)
    quoted = prep.quote(table.name)
    return f"{prep.quote_schema(schema)}.{quoted}" if schema else quoted


def _to_2(conn: sa.Connection) -> None:
    """Version 1 to 2: the step-deadline columns and their indexes; the projection is stale
    until the store rebuilds it (it needs the procedures to)."""
    for table, column in ((dossiers, "overdue_us"), (active, "step_due_us"),
                          (active, "dossier_due_us"), (active, "overdue_us")):
        conn.exec_driver_sql(f"ALTER TABLE {_table_name(conn, table)} ADD COLUMN {column} "
                             "BIGINT")
    for index in (*dossiers.indexes, *active.indexes):
        if "overdue" in str(index.name):
            index.create(conn, checkfirst=True)
    conn.execute(sa.insert(meta).values(key=STALE, value="1"))


def _to_3(conn: sa.Connection) -> None:
    """Version 2 to 3: the outbox's quarantine column and its per-dossier index (no
    projection to rebuild: every existing message is not quarantined)."""
    conn.exec_driver_sql(f"ALTER TABLE {_table_name(conn, outbox)} ADD COLUMN quarantined TEXT")
    for index in outbox.indexes:
        if index.name == "df_outbox_dossier":
            index.create(conn, checkfirst=True)


def _to_4(conn: sa.Connection) -> None:
    """Version 3 to 4: the events' hash format (NULL, the old formula, for every existing
    row) and the dossiers' head hash, filled in from the event log by the store, which the
    stale mark tells to rebuild the projection."""
    conn.exec_driver_sql(f"ALTER TABLE {_table_name(conn, events)} ADD COLUMN hash_format "
                         "VARCHAR(16)")
    conn.exec_driver_sql(f"ALTER TABLE {_table_name(conn, dossiers)} ADD COLUMN head_hash "
                         "VARCHAR(64)")
    if conn.execute(sa.select(meta.c.value).where(meta.c.key == STALE)).scalar() is None:
        conn.execute(sa.insert(meta).values(key=STALE, value="1"))


def _to_5(conn: sa.Connection) -> None:
    """Version 4 to 5: the dossier codes' sequences (a new table; ``create_schema`` has
    already made it, an application's own migration may not have)."""
    code_sequences.create(conn, checkfirst=True)


def _to_6(conn: sa.Connection) -> None:
    """Version 5 to 6: the columns of the law's other clocks (the supplement wait's expiry,
    the apology's due, the reason a worklist row is overdue) and the expiry's index, filled
    in from the event log by the store, which the stale mark tells to rebuild the
    projection. Columns already there (an application's migration ran part of it) are kept,
    and the projection is marked stale only when a column was added."""
    inspector = sa.inspect(conn)
    schema = (conn.get_execution_options().get("schema_translate_map") or {}).get(None)
    added = False
    for table, column, kind in ((dossiers, "supplement_expires_us", "BIGINT"),
                                (active, "apology_due_us", "BIGINT"),
                                (active, "reason", "VARCHAR(12)")):
        have = {c["name"] for c in inspector.get_columns(table.name, schema=schema)}
        if column in have:
            continue
        conn.exec_driver_sql(f"ALTER TABLE {_table_name(conn, table)} ADD COLUMN {column} "
                             f"{kind}")
        added = True
    for index in dossiers.indexes:
        if index.name == "df_dossiers_supplement_expires":
            index.create(conn, checkfirst=True)
    if added and conn.execute(sa.select(meta.c.value).where(meta.c.key == STALE)).scalar() \
            is None:
        conn.execute(sa.insert(meta).values(key=STALE, value="1"))


def _to_7(conn: sa.Connection) -> None:
    """Version 6 to 7: the report columns of ``df_dossiers``, their indexes and the table
    ``df_facts``, filled in from the event log by the store, which the stale mark tells to
    rebuild the projection. Columns and indexes already there are kept (as in
    :func:`_to_6`)."""
    inspector = sa.inspect(conn)
    schema = (conn.get_execution_options().get("schema_translate_map") or {}).get(None)
    have = {c["name"] for c in inspector.get_columns(dossiers.name, schema=schema)}
    added = False
    for column in REPORT_COLUMNS:
        if column in have:
            continue
        kind = dossiers.c[column].type.compile(dialect=conn.dialect)
        conn.exec_driver_sql(f"ALTER TABLE {_table_name(conn, dossiers)} ADD COLUMN {column} "
                             f"{kind}")
        added = True
    facts.create(conn, checkfirst=True)
    for index in (*dossiers.indexes, *facts.indexes):
        if index.name in REPORT_INDEXES:
            index.create(conn, checkfirst=True)
    if added and conn.execute(sa.select(meta.c.value).where(meta.c.key == STALE)).scalar() \
            is None:
        conn.execute(sa.insert(meta).values(key=STALE, value="1"))


def upgrade_schema(conn: sa.Connection, version: int) -> None:
    """Bring tables at ``version`` up to :data:`SCHEMA_VERSION` (each step in order; the
    projection columns an upgrade adds are filled in by the store, which marks it with
    :data:`STALE`)."""
    steps: dict[int, Callable[[sa.Connection], None]] = {1: _to_2, 2: _to_3, 3: _to_4,
                                                       4: _to_5, 5: _to_6, 6: _to_7}
    while version < SCHEMA_VERSION:
        steps[version](conn)
        version += 1
        conn.execute(sa.update(meta).where(meta.c.key == "schema_version")
                     .values(value=str(version)))
