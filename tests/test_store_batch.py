"""Store.batch (many commands in one transaction) and the validated import of complete
histories, on every backend: the same records as one command a transaction, all or nothing,
refusals isolated to their command, bad histories reported while the others go on."""

from __future__ import annotations

import attrs
import pytest
import sqlalchemy as sa

from dossierflow import DossierExists, TransactionOpen, TransitionNotAllowed
from dossierflow.states import (
    Channel,
    Citizen,
    CompleteStep,
    File,
    Officer,
    Outcome,
    Receive,
    ReturnResult,
    StepCompleted,
)
from dossierflow.store import Batch, ImportReport, Store
from tests.store_support import vn

DESK = Officer("desk", "ubnd_xa", "one_stop")
JUSTICE = Officer("j1", "ubnd_xa", "justice_officer")
CHAIR = Officer("chair", "ubnd_xa", "chairman")


def life(b: Batch | Store, ident: str) -> None:
    """A certified copy filed, received, certified, signed and returned."""
    b.file(File(ident, "2.000815", Channel.ONLINE), at=vn(2, 9), actor=Citizen("c1"))
    b.run(ident, Receive(f"BN-{ident}"), at=vn(2, 9, 5), actor=DESK)
    b.run(ident, CompleteStep("certify"), at=vn(2, 10), actor=JUSTICE)
    b.run(ident, CompleteStep("sign", Outcome.APPROVE), at=vn(2, 11), actor=CHAIR)
    b.run(ident, ReturnResult(), at=vn(2, 14), actor=DESK)


def rows(store: object) -> dict[str, list[tuple[object, ...]]]:
    """Every stored row but the outbox's delivery columns, per table, in a stable order."""
    from dossierflow.store import metadata

    out = {}
    with store.db.connect() as conn:  # type: ignore[attr-defined]
        for name in ("df_events", "df_dossiers", "df_active", "df_outbox"):
            table = metadata.tables[name]
            cols = [c for c in table.c if c.name not in ("id", "lease_until_us", "worker")]
            out[name] = sorted(tuple(r) for r in conn.execute(sa.select(*cols)))
    return out


def test_a_batch_writes_what_one_command_a_transaction_writes(opened) -> None:
    one, many = opened(("memory", None, None)), opened()
    for k in range(3):
        life(one, f"D-{k}")
    with many.batch() as b:
        for k in range(3):
            life(b, f"D-{k}")
        assert b.commands == 15
    assert rows(one) == rows(many)
    assert many.verify_all() == ()
    assert [e.step for e in many.worklist("ubnd_xa")] == []
    assert many.pending_messages() == one.pending_messages() > 0


def test_a_batch_is_one_transaction(opened) -> None:
    store = opened()

    def fail() -> None:
        with store.batch() as b:
            life(b, "D-1")
            b.file(File("D-2", "2.000815", Channel.ONLINE), at=vn(2, 9), actor=Citizen("c1"))
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail()
    assert list(store.dossier_ids()) == []
    assert store.pending_messages() == 0
    with store.batch() as b:  # the cache forgot what was rolled back
        life(b, "D-1")
    assert store.load("D-1").version == 6
    assert store.verify_all() == ()


def test_a_refused_command_changes_nothing_and_the_batch_goes_on(opened) -> None:
    store = opened()
    with store.batch() as b:
        b.file(File("D-1", "2.000815", Channel.ONLINE), at=vn(2, 9), actor=Citizen("c1"))
        with pytest.raises(TransitionNotAllowed):
            b.run("D-1", ReturnResult(), at=vn(2, 9, 1), actor=DESK)  # not received yet
        with pytest.raises(DossierExists):
            b.file(File("D-1", "2.000815", Channel.ONLINE), at=vn(2, 9), actor=Citizen("c2"))
        b.run("D-1", Receive("BN-1"), at=vn(2, 9, 5), actor=DESK)
        assert b.commands == 2
    assert store.load("D-1", cached=False).version == 2
    assert store.verify_all() == ()


def test_a_batch_joins_the_applications_transaction(opened) -> None:
    store = opened()
    with store.db.begin() as conn:
        with pytest.raises(TransactionOpen):
            store.batch().__enter__()
        with store.batch(connection=conn) as b:
            life(b, "D-1")
        conn.rollback()
    assert list(store.dossier_ids()) == []
    with store.db.begin() as conn, store.batch(connection=conn) as b:
        life(b, "D-1")
    assert store.load("D-1", cached=False).version == 6
    assert store.verify_all() == ()


def test_import_replays_each_history_and_reports_the_bad_ones(opened) -> None:
    source = opened(("memory", None, None))
    for k in range(4):
        life(source, f"D-{k}")
    histories = [source.load(f"D-{k}").history for k in range(4)]
    # A step signed by the justice officer, a role that does not own it.
    forged = tuple(attrs.evolve(e, actor=JUSTICE) if isinstance(e, StepCompleted) and
                   e.step == "sign" else e for e in histories[1])
    shuffled = (histories[2][0], histories[2][2], histories[2][1], *histories[2][3:])
    target = opened()
    report = target.import_histories(
        [histories[0], forged, shuffled, histories[3], histories[3][1:], histories[0]],
        batch_size=2)
    assert isinstance(report, ImportReport)
    assert list(report) == ["D-0", "D-3"]
    assert [ident for ident, _ in report.failed] == ["D-1", "D-2", "?", "D-0"]
    assert "chairman" in report.failed[0][1]
    for k in (0, 3):
        assert target.load(f"D-{k}", cached=False) == source.load(f"D-{k}")
    assert target.verify_all() == ()
    assert target.read_events("D-0").events == source.read_events("D-0").events


def test_a_batch_moves_dossiers_stored_before_it_whatever_the_cache_keeps(opened) -> None:
    """Dossiers filed and received before the batch (worklist rows stored), then moved
    several times in one batch by a store that caches one dossier: the same rows as one
    command a transaction (on SQLite the batch writes its rows at its end, and reads what it
    wrote from what it holds, not from the cache)."""
    one, many = opened(("memory", None, None)), opened()
    many.cache_size = 1
    for store in (one, many):
        for k in range(3):
            store.file(File(f"D-{k}", "2.000815", Channel.ONLINE), at=vn(2, 9),
                       actor=Citizen("c1"))
            store.run(f"D-{k}", Receive(f"BN-{k}"), at=vn(2, 9, 5), actor=DESK)

    def moves(s: Store | Batch) -> None:
        for k in range(3):
            s.run(f"D-{k}", CompleteStep("certify"), at=vn(2, 10), actor=JUSTICE)
        s.file(File("D-9", "2.000815", Channel.ONLINE), at=vn(2, 10), actor=Citizen("c1"))
        for k in range(3):
            s.run(f"D-{k}", CompleteStep("sign", Outcome.APPROVE), at=vn(2, 11), actor=CHAIR)
        s.run("D-9", Receive("BN-9"), at=vn(2, 10, 5), actor=DESK)
        s.run("D-0", ReturnResult(), at=vn(2, 14), actor=DESK)

    with many.batch() as b:
        moves(b)
        with pytest.raises(DossierExists):  # stored before the batch
            b.file(File("D-1", "2.000815", Channel.ONLINE), at=vn(2, 15), actor=Citizen("c2"))
        with pytest.raises(DossierExists):  # filed in this batch
            b.file(File("D-9", "2.000815", Channel.ONLINE), at=vn(2, 15), actor=Citizen("c2"))
        with pytest.raises(TransitionNotAllowed):
            b.run("D-9", ReturnResult(), at=vn(2, 15), actor=DESK)
    moves(one)
    assert rows(one) == rows(many)
    assert many.verify_all() == ()
    assert sorted((e.dossier_id, e.step) for e in many.worklist("ubnd_xa")) == \
        sorted((e.dossier_id, e.step) for e in one.worklist("ubnd_xa"))
    assert many.load("D-1", cached=False) == one.load("D-1")


def test_a_sqlite_batch_checks_each_version_again_when_it_writes(tmp_path) -> None:
    """A SQLite batch writes its rows at its end: a dossier row that moved underneath it
    (here by a statement on the batch's own connection, as a trigger or a hand edit would)
    fails the whole batch with the dossier named, and nothing of it is written."""
    from dossierflow import ConcurrencyConflict
    from tests.store_support import open_store

    store = open_store(("sqlite", str(tmp_path / "d.db"), None))
    try:
        store.file(File("D-1", "2.000815", Channel.ONLINE), at=vn(2, 9), actor=Citizen("c1"))
        def moved_underneath() -> None:
            with store.batch() as b:
                b.run("D-1", Receive("BN-1"), at=vn(2, 9, 5), actor=DESK)
                b.file(File("D-2", "2.000815", Channel.ONLINE), at=vn(2, 9),
                       actor=Citizen("c1"))
                b._dbc.cursor().execute("UPDATE df_dossiers SET version = 7 WHERE id = 'D-1'")

        with pytest.raises(ConcurrencyConflict, match="D-1"):
            moved_underneath()
        assert list(store.dossier_ids()) == ["D-1"]
        assert store.load("D-1", cached=False).version == 1
        assert store.verify_all() == ()
    finally:
        store.close()


def test_a_batch_writes_the_notices_of_moved_appointments_as_one_command_a_transaction(
        opened) -> None:
    """Supplements, pauses and their ends in one batch (the new appointment each notice
    states is the clock's after its event, with the batch's own clock), across dossiers
    stored before the batch and filed in it: every row as one command a transaction."""
    from dossierflow.rules import PauseReason, working_days
    from dossierflow.states import Pause, RequestSupplement, Resume, Supplement
    from tests.store_support import vn as at
    from tests.test_rules import APPLICANT, CLERK, engine_for, three_steps

    desk = Officer("desk", "a", "one_stop")
    eng = engine_for(three_steps(pause_reasons=[
        PauseReason("vneid", "confirmation by relatives", "test basis", working_days(5))]))
    one, many = opened(("memory", None, None), eng=eng), opened(eng=eng)

    def before(s: Store | Batch, ident: str) -> None:
        s.file(File(ident, "1.000009", Channel.ONLINE), at=at(2, 9), actor=APPLICANT)
        s.run(ident, Receive("R"), at=at(2, 9), actor=desk)

    def moves(s: Store | Batch, ident: str) -> None:
        s.run(ident, RequestSupplement(["proof of address"]), at=at(2, 10), actor=CLERK)
        s.run(ident, Supplement(["proof"]), at=at(3, 11), actor=APPLICANT)
        s.run(ident, Pause("relatives confirm", kind="vneid"), at=at(3, 14), actor=CLERK)
        s.run(ident, Resume(), at=at(5, 9), actor=CLERK)
        s.run(ident, CompleteStep("receive"), at=at(5, 10), actor=CLERK)

    for s in (one, many):
        before(s, "S-1")
    for ident in ("S-1", "S-2"):
        if ident != "S-1":
            before(one, ident)
        moves(one, ident)
    with many.batch() as b:
        moves(b, "S-1")
        before(b, "S-2")
        moves(b, "S-2")
    assert rows(one) == rows(many)
    assert many.verify_all() == ()
    moved = [m for m in rows(many)["df_outbox"] if m[3] in ("Supplemented", "Resumed")]
    assert len(moved) == 4
    assert all('"moved":true' in m[4] for m in moved)


def test_a_long_sqlite_batch_writes_what_it_holds_as_it_goes(opened, monkeypatch) -> None:
    """A batch holding many events writes them before it ends (its memory stays bounded),
    then goes on from the tables and the cache: the same rows as one command a transaction,
    whatever the cache keeps."""
    from dossierflow.store import _pending

    monkeypatch.setattr(_pending, "FLUSH_EVENTS", 4)
    one, many = opened(("memory", None, None)), opened()
    many.cache_size = 1
    for k in range(3):
        life(one, f"D-{k}")
    with many.batch() as b:
        for k in range(3):
            life(b, f"D-{k}")
        with pytest.raises(DossierExists):  # written already, in this batch
            b.file(File("D-0", "2.000815", Channel.ONLINE), at=vn(2, 15), actor=Citizen("c2"))
    assert rows(one) == rows(many)
    assert many.verify_all() == ()
