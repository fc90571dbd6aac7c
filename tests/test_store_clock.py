"""The store's clock: step deadlines in the projection and the worklists, one definition of
overdue and due-soon shared with dossierflow.clock, the due instant refreshed by extensions,
the sweeper's apologies for paused dossiers whose time ran out; and logs written by
dossierflow 0.1.0.dev0 (event and table schema 1) read, upgraded and verified on every
backend."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dossierflow.calendar import vietnam
from dossierflow.rules import working_days
from dossierflow.states import (
    Channel,
    Citizen,
    CompleteStep,
    Engine,
    Extend,
    File,
    Officer,
    Pause,
    Receive,
    Status,
)
from dossierflow.store import Store
from dossierflow.store import _schema as tables
from tests.fixtures.make_v1_log import catalogue as v1_catalogue
from tests.store_support import Spec, forge, vn

MOM = Citizen("079123456789")
DESK = Officer("desk", "ubnd_xa", "one_stop")
CIVIL = Officer("cs1", "ubnd_xa", "civil_status")
JUSTICE = Officer("j1", "ubnd_xa", "justice_officer")
FIXTURE = Path(__file__).parent / "fixtures" / "v1_log.sqlite"
EXPECTED = json.loads(FIXTURE.with_suffix(".json").read_text())


def engine() -> Engine:
    return Engine(v1_catalogue(), calendar=vietnam())


def group_a(store: Store, ident: str = "G-1", version: int = 1) -> None:
    # Filed online and received at once: the clock counts from the portal's record, 09:05.
    store.file(File(ident, "LT.A", Channel.ONLINE, {"child_name": "An"}, version=version),
               at=vn(2, 9, 5), actor=MOM)
    store.run(ident, Receive("BN-1"), at=vn(2, 9, 5), actor=DESK)


def test_a_step_past_its_allotment_is_overdue_while_the_dossier_is_not(
        store_spec: Spec, opened: Any) -> None:
    store = opened(eng=engine())
    group_a(store)
    (entry,) = store.worklist("ubnd_xa")
    assert entry.step == "1.001193/check"
    assert entry.step_due == vn(2, 14, 5)  # half a working day from 09:05
    assert entry.dossier_due == vn(5, 9, 5)  # three working days
    assert entry.due == entry.step_due
    assert store.overdue(vn(2, 14, 5)) == ()
    (late,) = store.overdue(vn(2, 16), agency="ubnd_xa")
    assert (late.step, late.overdue_since) == ("1.001193/check", vn(2, 14, 5))
    assert store.overdue(vn(2, 16), agency="ca_xa") == ()
    assert store.sweep(vn(2, 16)).apologised == ()  # the dossier is within its appointment
    # Due soon: the step within 1 hour of office time, the dossier not yet.
    assert [e.step for e in store.due_soon(vn(2, 13, 30), dt.timedelta(hours=1))] == [
        "1.001193/check"]
    store.run("G-1", CompleteStep("1.001193/check", data={"needs_verification": False}),
              at=vn(2, 16), actor=CIVIL)
    (entry,) = store.worklist("ubnd_xa")
    assert entry.step == "1.001193/register"
    assert entry.step_due == vn(3, 11)  # half a day from 16:00: 16-17, 08-11
    assert store.overdue(vn(2, 17)) == ()


def test_the_due_instant_follows_an_extension(store_spec: Spec, opened: Any) -> None:
    store = opened(eng=engine())
    group_a(store, version=2)  # version 2 allows one working day of extension
    store.run("G-1", Extend(working_days(1), "verification", "Decree 63/2024/NĐ-CP"),
              at=vn(2, 10), actor=CIVIL)
    (entry,) = store.worklist("ubnd_xa")
    assert entry.dossier_due == vn(6, 9, 5)  # one working day later than the 5th
    with store.db.connect() as conn:
        due = conn.execute(sa.select(tables.dossiers.c.due_us)).scalar_one()
    assert due == int((vn(6, 9, 5) - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)).total_seconds()
                      * 1_000_000)
    assert store.sla.due(store.load("G-1")) == vn(6, 9, 5)


def test_paused_after_its_time_ran_out_is_overdue_and_swept(store_spec: Spec,
                                                            opened: Any) -> None:
    store = opened(eng=engine())
    store.file(File("C-1", "2.000815", Channel.ONLINE), at=vn(2, 9), actor=MOM)
    store.run("C-1", Receive("BN-1"), at=vn(2, 9, 5), actor=DESK)  # due 17:00 the same day
    store.run("C-1", Pause("waiting for the original", "Decree 23/2015/NĐ-CP"),
              at=vn(3, 10), actor=JUSTICE)
    d = store.load("C-1")
    assert d.status is Status.PAUSED
    ((_, since),) = store.sla.overdue([d], vn(3, 11))
    (entry,) = store.overdue(vn(3, 11))
    assert entry.overdue_since == since == vn(2, 17)
    assert store.sweep(vn(3, 11)).apologised == ("C-1",)
    apology = store.load("C-1").history[-1]
    assert type(apology).__name__ == "Apologized"
    assert apology.original_appointment == vn(2, 17)
    assert store.sweep(vn(3, 12)).apologised == ()  # its new appointment has not passed


# ------------------------------------------------------------------------ schema-1 logs


def check_v1_dossiers(store: Store) -> None:
    assert store.verify_all() == ()
    assert sorted(store.dossier_ids()) == sorted(EXPECTED)
    for ident, want in EXPECTED.items():
        d = store.load(ident, cached=False)
        assert d.status.value == want["status"], ident
        assert d.version == want["version"]
        assert [[h.step, h.person] for h in d.active] == want["active"]
        assert [list(w) for w in d.waiting] == want["waiting"]
        assert (d.resolution.value if d.resolution else None) == want["resolution"]
        verdict = store.sla.classify(d, vn(31, 17))
        assert (verdict.verdict.value if verdict.verdict else None) == want["verdict"], ident
        assert verdict.responsible == want["responsible"], ident
        rows = [[r.step, r.from_unit, r.to_unit, r.result] for r in d.control_slip()
                if r.result != "received"]
        assert rows == want["control_slip"], ident
        assert store.engine.replay(d.history) == d
    # The open dossier is on its holder's worklist with its step's and its own due.
    (entry,) = store.worklist("ubnd_xa", status=Status.IN_PROGRESS)
    assert (entry.dossier_id, entry.step) == ("H29-260304-0005", "1.001193/register")
    assert [(e.dossier_id, e.step) for e in store.worklist("ubnd_xa", status="resolved")] == [
        ("H29-260303-0003", "(return)")]
    assert entry.dossier_due is not None
    # A new command appends to an old chain, which still verifies.
    store.run("H29-260304-0005", CompleteStep("1.001193/register"), at=vn(31, 9),
              actor=Officer("chair-01", "ubnd_xa", "chairman"))
    assert store.load("H29-260304-0005").active_steps == (
        "1.004194/register_residence", "1.002364/issue_card")
    assert store.verify("H29-260304-0005") == ()


def test_a_schema_1_sqlite_file_is_upgraded_and_reads_as_written(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, path)
    with Store.sqlite(path, engine()) as store:
        with store.db.connect() as conn:
            version = conn.execute(sa.select(tables.meta.c.value).where(
                tables.meta.c.key == "schema_version")).scalar_one()
            stale = conn.execute(sa.select(tables.meta.c.value).where(
                tables.meta.c.key == tables.STALE)).scalar()
        assert (version, stale) == (str(tables.SCHEMA_VERSION), None)
        check_v1_dossiers(store)


def test_a_schema_1_log_loads_into_every_backend(store_spec: Spec, opened: Any) -> None:
    source = sa.create_engine(f"sqlite:///{FIXTURE}")
    with source.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(
            sa.text("SELECT * FROM df_events ORDER BY dossier_id, seq"))]
    source.dispose()
    store = opened(eng=engine())
    with store.db.begin() as conn:
        conn.execute(sa.insert(tables.events), rows)
    assert store.rebuild_projections() == ()
    check_v1_dossiers(store)


def test_rebuilding_goes_on_past_a_dossier_it_cannot_read(store_spec: Spec,
                                                          opened: Any) -> None:
    store = opened(eng=engine())
    group_a(store, "G-1")
    group_a(store, "G-2")
    forge(store, "G-1", 2, payload="{not json")  # a valid chain over an unreadable payload
    with store.db.begin() as conn:
        conn.execute(sa.delete(tables.active))
    ((ident, why),) = store.rebuild_projections()
    assert ident == "G-1"
    assert "not JSON" in why
    assert [e.dossier_id for e in store.worklist("ubnd_xa")] == ["G-2"]
