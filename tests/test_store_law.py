"""The store and the law's other clocks, on every backend: the sweeper stops dossiers whose
supplement did not come within 15 working days (Decree 297/2025/NĐ-CP) with the notice of
stopping (Form 05) in the outbox; due-soon lists show apologies due; overdue lists show
online filings not received within 8 working hours and pauses past their maximum, each entry
with its reason; schema 6's columns are filled in from the event log on upgrade.

The three-step procedure (3 working days; office hours 08-12, 13-17): received Monday
2 March 2026 09:00, due Thursday 5 March 09:00."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from dossierflow.rules import PauseReason, working_days
from dossierflow.states import (
    Apologize,
    Channel,
    File,
    Pause,
    Receive,
    RequestSupplement,
    Status,
    StopNoticeIssued,
    Stopped,
    Supplement,
    System,
)
from dossierflow.store import Store
from dossierflow.store import _schema as tables
from dossierflow.store._schema import create_schema
from tests.store_support import Spec
from tests.test_rules import APPLICANT, CLERK, DESK, engine_for, three_steps, vn

H = dt.timedelta(hours=1)
VNEID = PauseReason("vneid", "confirmation by relatives through VNeID", "test basis",
                    working_days(5))
ENGINE = engine_for(three_steps(pause_reasons=[VNEID]))
CODE = "1.000009"


MONDAY = vn(2026, 3, 2, 9)


def _received(store: Store, ident: str, at: dt.datetime = MONDAY) -> None:
    store.file(File(ident, CODE, Channel.ONLINE), at=at, actor=APPLICANT)
    store.run(ident, Receive("R"), at=at, actor=DESK)


def _asked(store: Store, ident: str) -> None:
    _received(store, ident)
    store.run(ident, RequestSupplement(["proof of address"]), at=vn(2026, 3, 2, 10),
              actor=CLERK)


def test_the_sweeper_stops_a_dossier_whose_supplement_did_not_come(
        store_spec: Spec, opened: Any) -> None:
    store = opened(eng=ENGINE)
    _asked(store, "S")  # asked Monday 10:00: the wait expires Monday 23 March 10:00
    _asked(store, "T")
    store.run("T", Supplement(["proof"]), at=vn(2026, 3, 2, 11), actor=APPLICANT)
    assert store.sla.supplement_expires(store.load("S")) == vn(2026, 3, 23, 10)
    report = store.sweep(vn(2026, 3, 23, 10))  # the wait has not passed yet
    assert (report.stopped, report.apologised) == ((), ("T",))  # T is overdue
    report = store.sweep(vn(2026, 3, 23, 10, 1))
    assert (report.stopped, report.apologised, report.failed) == (("S",), (), ())
    d = store.load("S")
    assert d.status is Status.STOPPED
    stopped, notice = d.history[-2:]
    assert isinstance(stopped, Stopped)
    assert isinstance(notice, StopNoticeIssued)
    assert (stopped.reason, stopped.legal_basis) == (
        "the supplement did not arrive within 15 working days", "Decree 297/2025/NĐ-CP")
    assert (notice.agency, notice.requested_by_applicant) == ("a", False)
    with store.db.connect() as conn:
        sent = conn.execute(sa.select(tables.outbox.c.type).where(
            tables.outbox.c.dossier_id == "S").order_by(tables.outbox.c.seq)).scalars().all()
    assert sent == ["Received", "SupplementRequested", "StopNoticeIssued"]
    # Judged at the request, by the hour it had used.
    assert store.sla.classify(d).ended == vn(2026, 3, 2, 10)
    assert store.sweep(vn(2026, 3, 30, 9)).stopped == ()  # once
    assert store.verify_all() == ()


def test_due_soon_lists_apologies_due(store_spec: Spec, opened: Any) -> None:
    store = opened(eng=ENGINE)
    _received(store, "P")
    # The apology is due a working day before Thursday 09:00: Wednesday 09:00.
    assert [(e.dossier_id, e.reason, e.due) for e in
            store.due_soon(vn(2026, 3, 4, 8), 2 * H)] == [("P", "apology", vn(2026, 3, 4, 9))]
    # Until Thursday 09:00 the dossier falls due too (the entry's due is the row's, the
    # earlier of its step's, long past, and its dossier's).
    assert [(e.reason, e.due, e.dossier_due) for e in
            store.due_soon(vn(2026, 3, 4, 8), 9 * H)] == [
        ("dossier", vn(2026, 3, 2, 14), vn(2026, 3, 5, 9)),
        ("apology", vn(2026, 3, 4, 9), vn(2026, 3, 5, 9))]
    assert store.due_soon(vn(2026, 3, 4, 9, 1), 7 * H) == ()
    store.run("P", Apologize("a", "the police's check", vn(2026, 3, 9, 9)),
              at=vn(2026, 3, 4, 8), actor=System("s"))
    assert store.due_soon(vn(2026, 3, 4, 8), 2 * H) == ()  # one apology per dossier


def test_overdue_lists_unreceived_filings_and_long_pauses(store_spec: Spec,
                                                           opened: Any) -> None:
    store = opened(eng=ENGINE)
    store.file(File("R", CODE, Channel.ONLINE), at=vn(2026, 3, 2, 10), actor=APPLICANT)
    store.file(File("M", CODE, Channel.POSTAL), at=vn(2026, 3, 2, 10), actor=APPLICANT)
    _received(store, "Q")
    store.run("Q", Pause("relatives confirm", kind="vneid"), at=vn(2026, 3, 2, 10),
              actor=CLERK)
    assert store.overdue(vn(2026, 3, 3, 10)) == ()
    found = [(e.dossier_id, e.step, e.reason, e.overdue_since)
             for e in store.overdue(vn(2026, 3, 9, 11))]
    # R waits past Tuesday 10:00 at the desk; Q's five working days ended Monday 9 March
    # 10:00 (one hour of its 24 used: within its appointment). The postal filing M has no
    # reception clock.
    assert found == [("R", "(reception)", "reception", vn(2026, 3, 3, 10)),
                     ("Q", "receive", "pause", vn(2026, 3, 9, 10))]
    assert {e.dossier_id: e.reason for e in store.worklist("a")} == {
        "R": "reception", "M": "reception", "Q": "pause"}
    # Received late: its clock counted from the portal's record, so it is past its
    # appointment (Thursday 5 March 10:00) as soon as it is received.
    store.run("R", Receive("R"), at=vn(2026, 3, 9, 11), actor=DESK)
    assert [(e.dossier_id, e.reason, e.overdue_since) for e in
            store.overdue(vn(2026, 3, 9, 11))] == [("R", "dossier", vn(2026, 3, 5, 10)),
                                                  ("Q", "pause", vn(2026, 3, 9, 10))]
    assert store.verify_all() == ()


def test_schema_5_tables_gain_the_clocks_columns_filled_from_the_log(
        store_spec: Spec, opened: Any) -> None:
    store = opened(eng=ENGINE)
    _asked(store, "S")
    _received(store, "P")
    schema = store_spec[2]

    def name(table: str) -> str:
        return table if schema is None else f"{schema}.{table}"

    with store.db.begin() as conn:  # back to what dossierflow wrote at schema 5
        conn.execute(sa.text(f"DROP INDEX {name('df_dossiers_supplement_expires')}"))
        for table, column in (("df_dossiers", "supplement_expires_us"),
                              ("df_active", "apology_due_us"), ("df_active", "reason")):
            conn.execute(sa.text(f"ALTER TABLE {name(table)} DROP COLUMN {column}"))
        conn.execute(sa.update(tables.meta).where(tables.meta.c.key == "schema_version")
                     .values(value="5"))
    create_schema(store.db)  # what opening the database does, then the rebuild
    with store.db.connect() as conn:
        assert conn.execute(sa.select(tables.meta.c.value).where(
            tables.meta.c.key == tables.STALE)).scalar() == "1"
    assert store.rebuild_projections() == ()
    assert store.verify_all() == ()
    with store.db.connect() as conn:
        expires = conn.execute(sa.select(tables.dossiers.c.id,
                                         tables.dossiers.c.supplement_expires_us)
                               .order_by(tables.dossiers.c.id)).all()
    assert [(i, us is not None) for i, us in expires] == [("P", False), ("S", True)]
    assert [e.reason for e in store.due_soon(vn(2026, 3, 4, 8), 2 * H)] == ["apology"]
    assert store.sweep(vn(2026, 3, 24, 9)).stopped == ("S",)
