"""The store on each backend (in memory, SQLite, PostgreSQL): saving and loading, optimistic
concurrency, embedding in the application's transaction, worklists, the outbox and relay, the
sweeper, tamper evidence and bad data."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from dossierflow import (
    ConcurrencyConflict,
    DossierExists,
    DossierflowError,
    DossierNotFound,
    InvalidArgument,
    NaiveDatetimeError,
    SchemaError,
    TamperedRecord,
)
from dossierflow.states import SCHEMA_VERSION as EVENT_SCHEMA
from dossierflow.states import (
    Apologized,
    Channel,
    Citizen,
    CompleteStep,
    Dossier,
    File,
    HandOff,
    Officer,
    Receive,
    ReturnResult,
    Status,
)
from dossierflow.store import (
    SCHEMA_VERSION,
    OutboxMessage,
    RelayReport,
    Store,
    SweepReport,
    metadata,
)
from dossierflow.store import _schema as tables
from tests.store_support import Spec, forge, vn

MOM = Citizen("079123456789")
DESK = Officer("desk", "ubnd_xa", "one_stop")
JUSTICE = Officer("j1", "ubnd_xa", "justice_officer")
CHAIR = Officer("ch1", "ubnd_xa", "chairman")
CIVIL = Officer("cs1", "ubnd_xa", "civil_status")


def filed_copy(store: Store, ident: str = "D-1", received: bool = True,
               at: dt.datetime | None = None) -> Dossier:
    at = at or vn(2, 9)
    d = store.file(File(ident, "2.000815", Channel.ONLINE), at=at, actor=MOM)
    if received:
        result = store.run(ident, Receive("BN-1"), at=at + dt.timedelta(minutes=5),
                           actor=DESK)
        assert result is not None
        d = result
    return d


def count(store: Store, table: sa.Table, **where: Any) -> int:
    q = sa.select(sa.func.count()).select_from(table)
    for key, value in where.items():
        q = q.where(table.c[key] == value)
    with store.db.connect() as conn:
        return int(conn.execute(q).scalar_one())


def test_save_load_and_projection(store_spec: Spec, opened: Any) -> None:
    store = opened()
    d = filed_copy(store)
    assert store.load("D-1") == d
    store.run("D-1", CompleteStep("certify"), at=vn(2, 10), actor=JUSTICE)
    d = store.run("D-1", CompleteStep("sign"), at=vn(2, 11), actor=CHAIR)
    assert d is not None
    assert d.status is Status.RESOLVED
    with store.db.connect() as conn:
        row = conn.execute(sa.select(tables.dossiers)).one()
    assert (row.status, row.version, row.verdict, row.receiver) == (
        "resolved", 5, "on_time", "ubnd_xa")
    assert [e.step for e in store.worklist("ubnd_xa")] == ["(return)"]
    store.run("D-1", ReturnResult(), at=vn(2, 12), actor=DESK)
    assert store.worklist("ubnd_xa") == ()
    assert store.load("D-1").status is Status.RETURNED
    assert list(store.dossier_ids()) == ["D-1"]
    with pytest.raises(LookupError, match="no dossier 'nope'"):
        store.load("nope")


def test_stale_version_raises_and_writes_nothing(store_spec: Spec, opened: Any) -> None:
    store = opened()
    filed_copy(store)
    first = store.load("D-1")
    second = store.load("D-1")
    after, events = store.engine.apply(first, HandOff("certify", "a"), at=vn(2, 10),
                                       actor=JUSTICE)
    store.save(first, after, events)
    stale, stale_events = store.engine.apply(second, HandOff("certify", "b"), at=vn(2, 11),
                                             actor=JUSTICE)
    with pytest.raises(ConcurrencyConflict) as info:
        store.save(second, stale, stale_events)
    assert (info.value.dossier_id, info.value.expected, info.value.actual) == ("D-1", 2, 3)
    assert "loaded at version 2 but is at version 3" in str(info.value)
    assert count(store, tables.events, dossier_id="D-1") == 3
    with pytest.raises(InvalidArgument, match=r"what Engine\.apply returned"):
        store.save(first, first, ())


@pytest.mark.parametrize("store_spec", ["postgresql"], indirect=True)
def test_run_retries_on_conflict(store_spec: Spec, opened: Any) -> None:
    # On SQLite run() holds the write lock from load to save, so no one can append in
    # between; test_stale_version_raises_and_writes_nothing covers save's check there.
    store = opened()
    filed_copy(store)
    rival = opened(create=False)
    calls = []

    def decide(d: Dossier) -> Any:
        calls.append(d.version)
        if len(calls) == 1:  # someone else saves between our load and our save
            rival.run("D-1", HandOff("certify", "rival"), at=vn(2, 10), actor=JUSTICE)
        return HandOff("certify", "me")

    d = store.run("D-1", decide, at=lambda: vn(2, 11), actor=JUSTICE)
    assert d is not None
    assert calls == [2, 3]
    assert [h.person for h in d.active] == ["me"]
    assert store.run("D-1", lambda d: None, at=vn(2, 12), actor=JUSTICE) is None
    with pytest.raises(InvalidArgument, match="attempts"):
        store.run("D-1", HandOff("certify", "x"), at=vn(2, 12), actor=JUSTICE, attempts=0)


def test_commands_join_the_applications_transaction(store_spec: Spec, opened: Any) -> None:
    store = opened()
    filed_copy(store)
    app = sa.MetaData()
    notes = sa.Table("app_notes", app, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("text", sa.String(50)))
    with store.db.begin() as conn:
        app.create_all(conn)
    def fails_after_the_command() -> None:
        with store.db.begin() as conn:
            conn.execute(sa.insert(notes).values(text="handed to j2"))
            store.run("D-1", HandOff("certify", "j2"), at=vn(2, 10), actor=JUSTICE,
                      connection=conn)
            raise RuntimeError("the application failed")

    with pytest.raises(RuntimeError, match="the application failed"):
        fails_after_the_command()
    assert store.load("D-1").version == 2
    assert count(store, notes) == 0
    with store.db.begin() as conn:
        conn.execute(sa.insert(notes).values(text="handed to j2"))
        store.run("D-1", HandOff("certify", "j2"), at=vn(2, 10), actor=JUSTICE,
                  connection=conn)
    assert store.load("D-1").version == 3
    assert count(store, notes) == 1


def test_worklists_overdue_and_due_soon(store_spec: Spec, opened: Any) -> None:
    store = opened()
    filed_copy(store, "A", received=False)
    filed_copy(store, "B")
    filed_copy(store, "C", at=vn(3, 9))
    assert [(e.dossier_id, e.step) for e in store.worklist("ubnd_xa", status=Status.FILED)] \
        == [("A", "(reception)")]
    assert [e.dossier_id for e in store.worklist("ubnd_xa", status=Status.IN_PROGRESS)] == [
        "B", "C"]
    assert [e.dossier_id for e in store.overdue(vn(2, 18))] == ["B"]
    # A, filed online Monday 09:00 and never received, waits past its 8 working hours.
    assert [(e.dossier_id, e.reason) for e in store.overdue(vn(3, 18), agency="ubnd_xa")] == [
        ("B", "dossier"), ("A", "reception"), ("C", "dossier")]
    assert store.overdue(vn(3, 18), agency="ca_xa") == ()
    # C is due at 17:00; from 09:00 that is 7 hours of office time (09-12, 13-17).
    assert [e.dossier_id for e in store.due_soon(vn(3, 9), dt.timedelta(hours=7))] == ["C"]
    assert store.due_soon(vn(3, 9), dt.timedelta(hours=6, minutes=59)) == ()


def test_outbox_and_relay_deliver_at_least_once(store_spec: Spec, opened: Any) -> None:
    store = opened()
    filed_copy(store, "A")
    filed_copy(store, "B")
    assert store.pending_messages() == 2  # the two receipts
    failed: list[str] = []

    def flaky(message: OutboxMessage) -> None:
        if message.dossier_id == "B" and not failed:
            failed.append(message.key)
            raise ConnectionError("SMS gateway down")

    report = store.relay(flaky, at=vn(2, 10))
    assert report.delivered == ("A:2",)
    ((key, why),) = report.failed
    assert (key, why) == ("B:2", "ConnectionError: SMS gateway down")
    assert store.relay(flaky, at=vn(2, 10)) == RelayReport()  # B is leased until its lease ends
    delivered: list[OutboxMessage] = []
    assert store.relay(delivered.append, at=vn(2, 11)).delivered == ("B:2",)
    (message,) = delivered
    assert (message.key, message.type, message.attempts) == ("B:2", "Received", 2)
    assert message.payload["receipt_no"] == "BN-1"
    assert store.pending_messages() == 0


def test_sweeper_apologises_once(store_spec: Spec, opened: Any) -> None:
    store = opened()
    filed_copy(store, "A")
    filed_copy(store, "B", at=vn(3, 9))
    assert store.sweep(vn(3, 8)) == SweepReport(apologised=("A",))
    assert store.sweep(vn(3, 8)) == SweepReport()
    d = store.load("A")
    (apology,) = [e for e in d.history if isinstance(e, Apologized)]
    assert apology.agency == "ubnd_xa"
    assert apology.original_appointment == vn(2, 17)
    with store.db.connect() as conn:
        assert conn.execute(sa.select(tables.dossiers.c.apologized)
                            .where(tables.dossiers.c.id == "A")).scalar() is True


def test_tampering_is_named(store_spec: Spec, opened: Any) -> None:
    store = opened()
    filed_copy(store, "A")
    store.run("A", HandOff("certify", "x"), at=vn(2, 10), actor=JUSTICE)
    store.run("A", HandOff("certify", "y"), at=vn(2, 11), actor=JUSTICE)
    filed_copy(store, "B")
    assert store.verify_all() == ()
    ev = tables.events
    with store.db.begin() as conn:
        payload = conn.execute(sa.select(ev.c.payload).where(ev.c.dossier_id == "A",
                                                            ev.c.seq == 3)).scalar_one()
        conn.execute(sa.update(ev).where(ev.c.dossier_id == "A", ev.c.seq == 3)
                     .values(payload=payload.replace('"x"', '"z"')))
        conn.execute(sa.delete(ev).where(ev.c.dossier_id == "B", ev.c.seq == 1))
    found = {(p.dossier_id, p.seq, p.problem.split(":")[0]) for p in store.verify_all()}
    assert ("A", 3, "was edited after it was written") in found
    assert ("B", 1, "event 1 is missing") in found
    assert ("B", 2, "does not follow the event before it") in found
    assert store.load("B").version == 2  # the store knew B: it reads only what is new
    with pytest.raises(SchemaError, match="dossier B, event 1: event 1 is missing"):
        store.load("B", cached=False)


def test_reordered_events_are_named(store_spec: Spec, opened: Any) -> None:
    store = opened()
    filed_copy(store, "A")
    store.run("A", HandOff("certify", "x"), at=vn(2, 10), actor=JUSTICE)
    ev = tables.events
    with store.db.begin() as conn:
        conn.execute(sa.update(ev).where(ev.c.dossier_id == "A", ev.c.seq == 2)
                     .values(seq=99))
        conn.execute(sa.update(ev).where(ev.c.dossier_id == "A", ev.c.seq == 3)
                     .values(seq=2))
        conn.execute(sa.update(ev).where(ev.c.dossier_id == "A", ev.c.seq == 99)
                     .values(seq=3))
    problems = {(p.seq, p.problem) for p in store.verify("A")}
    assert (2, "does not follow the event before it: an earlier event was deleted, edited "
               "or moved") in problems
    assert any(seq == 2 and "edited" in text for seq, text in problems)


@pytest.mark.parametrize(("change", "match"), [
    (lambda p: "{not json", "dossier A, event 2: stored payload is not JSON"),
    (lambda p: p.replace('"Received"', '"Teleported"'),
     "dossier A, event 2: unknown event type 'Teleported'"),
    (lambda p: p.replace(f'"schema":{EVENT_SCHEMA}', '"schema":7'),
     "dossier A, event 2: schema version 7 is newer than this library's"),
    (lambda p: p.replace('"receipt_no":"BN-1"', '"receipt_no":5'),
     "dossier A, event 2: cannot read Received event"),
])
def test_bad_stored_data_is_named(store_spec: Spec, opened: Any, change: Any, match: str) -> None:
    store = opened()
    filed_copy(store, "A")
    ev = tables.events
    with store.db.begin() as conn:
        payload = conn.execute(sa.select(ev.c.payload).where(ev.c.dossier_id == "A",
                                                            ev.c.seq == 2)).scalar_one()
    # Written with a valid chain (by a buggy or newer writer): only the decoder can object.
    forge(store, "A", 2, payload=change(payload))
    with pytest.raises(SchemaError, match=match):
        store.load("A", cached=False)


def test_schema_version_is_recorded_and_checked(store_spec: Spec, opened: Any) -> None:
    store = opened()
    assert set(metadata.tables) == {"df_events", "df_dossiers", "df_active", "df_outbox",
                                    "df_code_sequences", "df_meta", "df_facts"}
    with store.db.connect() as conn:
        assert conn.execute(sa.select(tables.meta.c.value)).scalar() == str(SCHEMA_VERSION)
    if store_spec[0] == "memory":
        return
    opened()  # creating again is a no-op
    with store.db.begin() as conn:
        conn.execute(sa.update(tables.meta).values(value="9"))
    with pytest.raises(SchemaError, match="version 9, newer than this library's"):
        opened()


def test_a_store_without_tables_is_refused(tmp_path: Any) -> None:
    from tests.store_support import engine

    store = None
    with pytest.raises(SchemaError, match="has no dossierflow tables"):
        store = Store.sqlite(tmp_path / "empty.db", engine(), create=False)
    assert store is None


def test_loads_read_only_what_is_new(store_spec: Spec, opened: Any) -> None:
    store = opened()
    filed_copy(store, "A")
    if store_spec[0] != "memory":
        other = opened(create=False)
        other.run("A", HandOff("certify", "x"), at=vn(2, 10), actor=JUSTICE)
        assert store.load("A") == other.load("A")
        ev = tables.events
        with store.db.begin() as conn:  # the event this store knew as the last is replaced
            conn.execute(sa.update(ev).where(ev.c.dossier_id == "A", ev.c.seq == 3)
                         .values(hash="f" * 64))
        with pytest.raises(TamperedRecord, match="dossier A, event 3: was edited"):
            store.load("A")  # read again from the start, and refused
        return
    assert store.load("A") == store.load("A", cached=False)


def test_payloads_are_canonical_json(store_spec: Spec, opened: Any) -> None:
    store = opened()
    filed_copy(store, "A")
    with store.db.connect() as conn:
        payload = conn.execute(sa.select(tables.events.c.payload)
                               .where(tables.events.c.seq == 2)).scalar_one()
    data = json.loads(payload)
    assert data["schema"] == EVENT_SCHEMA
    assert data["type"] == "Received"
    assert data["appointment"]["due"] == "2026-03-02T17:00:00+07:00[Asia/Ho_Chi_Minh]"


# ------------------------------------------------------------------- rough edges of the API


def test_filing_a_taken_id_raises_dossier_exists(store_spec: Spec, opened: Any) -> None:
    store = opened()
    filed_copy(store)
    store.run("D-1", HandOff("certify", "a"), at=vn(2, 10), actor=JUSTICE)
    # Whether or not the store has the dossier cached (an in-memory store cannot be reopened).
    stores = [store] if store_spec[0] == "memory" else [store, opened(create=False)]
    for again in stores:
        with pytest.raises(DossierExists) as info:
            again.file(File("D-1", "2.000815", Channel.ONLINE), at=vn(2, 11), actor=MOM)
        assert info.value.dossier_id == "D-1"
        assert isinstance(info.value, (DossierflowError, ValueError))
        assert not isinstance(info.value, ConcurrencyConflict)
        assert "store.load('D-1')" in str(info.value)
        assert "another id" in str(info.value)
    assert count(store, tables.events, dossier_id="D-1") == 3
    assert count(store, tables.outbox, dossier_id="D-1") == 1  # the receipt only
    assert store.load("D-1", cached=False).version == 3
    after, events = store.engine.apply(None, File("D-1", "2.000815", Channel.ONLINE),
                                       at=vn(2, 11), actor=MOM)
    with pytest.raises(DossierExists), store.db.begin() as conn:
        store.save(None, after, events, connection=conn)
    assert count(store, tables.events, dossier_id="D-1") == 3


def test_unknown_ids_raise_dossier_not_found(store_spec: Spec, opened: Any) -> None:
    store = opened()
    filed_copy(store)
    for call in (lambda: store.load("nope"), lambda: store.load("nope", cached=False),
                 lambda: store.run("nope", HandOff("certify", "a"), at=vn(2, 10),
                                   actor=JUSTICE)):
        with pytest.raises(DossierNotFound, match="no dossier 'nope' in the store") as info:
            call()
        assert info.value.dossier_id == "nope"
        assert isinstance(info.value, (DossierflowError, LookupError))
        assert "store.file" in str(info.value)
    assert count(store, tables.events, dossier_id="nope") == 0


def test_run_refuses_a_filing(store_spec: Spec, opened: Any) -> None:
    store = opened()
    filed_copy(store)
    filing = File("D-2", "2.000815", Channel.ONLINE)
    with pytest.raises(InvalidArgument, match=r"store\.file\(File"):
        store.run("D-2", filing, at=vn(2, 10), actor=MOM)
    with pytest.raises(InvalidArgument, match=r"store\.file\(File"):
        store.run("D-1", lambda d: filing, at=vn(2, 10), actor=MOM)
    assert list(store.dossier_ids()) == ["D-1"]
    assert store.load("D-1").version == 2


def test_worklist_status_may_be_a_string(store_spec: Spec, opened: Any) -> None:
    store = opened()
    filed_copy(store, "A", received=False)
    filed_copy(store, "B")
    for status in ("in_progress", Status.IN_PROGRESS):
        assert [e.dossier_id for e in store.worklist("ubnd_xa", status=status)] == ["B"]
    assert [e.dossier_id for e in store.worklist("ubnd_xa", status="filed")] == ["A"]
    for bad in ("in progress", 3):
        with pytest.raises(InvalidArgument, match="'in_progress'") as info:
            store.worklist("ubnd_xa", status=bad)  # type: ignore[arg-type]
        assert all(repr(s.value) in str(info.value) for s in Status)


@pytest.mark.parametrize("call", [
    lambda store, at: store.sweep(at),
    lambda store, at: store.overdue(at),
    lambda store, at: store.due_soon(at, dt.timedelta(hours=8)),
    lambda store, at: store.relay(lambda m: None, at=at),
], ids=["sweep", "overdue", "due_soon", "relay"])
def test_instants_are_checked_up_front(store_spec: Spec, opened: Any, call: Any) -> None:
    store = opened()
    filed_copy(store, "A")
    naive = dt.datetime(2026, 3, 3, 8)
    with pytest.raises(NaiveDatetimeError, match=r"at='2026-03-03T08:00:00' is a naive") as info:
        call(store, naive)
    assert info.value.name == "at"
    with pytest.raises(InvalidArgument, match="at must be a timezone-aware datetime") as bad:
        call(store, "2026-03-03 08:00")
    assert not isinstance(bad.value, NaiveDatetimeError)
    assert store.pending_messages() == 1  # nothing was relayed (the receipt) or swept
    assert len(store.load("A").history) == 2


def test_due_soon_takes_a_window_of_office_time(store_spec: Spec, opened: Any) -> None:
    store = opened()
    with pytest.raises(InvalidArgument, match="window of office time"):
        store.due_soon(vn(3, 9), vn(3, 17))  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match=r"non-negative datetime\.timedelta"):
        store.due_soon(vn(3, 9), -dt.timedelta(hours=1))


def test_worklist_instants_are_in_the_calendars_zone(store_spec: Spec,
                                                     opened: Any) -> None:
    store = opened()
    filed_copy(store, "A")
    zone = ZoneInfo(store.engine.calendar.timezone)
    lists = (store.worklist("ubnd_xa"), store.overdue(vn(3, 8)),
             store.due_soon(vn(2, 9), dt.timedelta(hours=8)))
    for entries in lists:
        (entry,) = entries
        assert entry.due == vn(2, 17)
        assert entry.due is not None
        assert entry.due.tzinfo == zone
        assert entry.due.hour == 17  # the office's wall clock, not UTC's 10:00


def test_store_errors_are_importable_from_the_top() -> None:
    import dossierflow.store

    for name in ("ConcurrencyConflict", "DossierExists", "DossierNotFound"):
        assert name in dossierflow.__all__
        assert name in dossierflow.store.__all__
        assert getattr(dossierflow, name) is getattr(dossierflow.store, name)
