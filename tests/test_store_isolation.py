"""One bad record never stops the others, on every backend: the sweeper goes on past a dossier
it cannot read or apologise for and reports it; the relay quarantines a message whose payload
cannot be read, goes on past a failed delivery, and keeps each dossier's messages in order
across failures; its arguments are checked; tables of schema 2 gain the outbox's quarantine.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from typing import Any

import pytest
import sqlalchemy as sa

from dossierflow import InvalidArgument, SchemaError
from dossierflow.states import Apologized, Channel, Citizen, File, HandOff, Officer, Receive
from dossierflow.store import (
    SCHEMA_VERSION,
    OutboxMessage,
    RelayReport,
    Store,
    SweepReport,
    create_schema,
)
from dossierflow.store import _schema as tables
from tests.store_support import Spec, forge, vn

MOM = Citizen("079123456789")
DESK = Officer("desk", "ubnd_xa", "one_stop")
JUSTICE = Officer("j1", "ubnd_xa", "justice_officer")


def received(store: Store, ident: str, at: dt.datetime | None = None) -> None:
    """A certified copy received at 09:05 (on 2 March unless ``at``): due 17:00 that day."""
    at = at or vn(2, 9)
    store.file(File(ident, "2.000815", Channel.ONLINE), at=at, actor=MOM)
    store.run(ident, Receive(f"BN-{ident}"), at=at + dt.timedelta(minutes=5), actor=DESK)


def fresh(opened: Any) -> Store:
    """A store that keeps no dossier in memory, so that it reads what the tests edit in the
    tables, as a sweeper in another process would."""
    store: Store = opened()
    store.cache_size = 0
    return store


def event_row(store: Store, ident: str, seq: int) -> Any:
    with store.db.connect() as conn:
        return conn.execute(sa.select(tables.events).where(
            tables.events.c.dossier_id == ident, tables.events.c.seq == seq)).one()


def corrupt(store: Store) -> None:
    """Three overdue dossiers the store cannot read: a payload that is not JSON, a history
    with its middle event deleted, an event of a newer schema (a rolling upgrade)."""
    forge(store, "BAD-JSON", 2, payload="{not json")  # with a valid chain: a buggy writer
    with store.db.begin() as conn:
        conn.execute(sa.delete(tables.events).where(tables.events.c.dossier_id == "GAP",
                                                    tables.events.c.seq == 2))
    last = event_row(store, "NEWER", 2)
    data = json.loads(last.payload)
    data.update(schema=99, type="Escalated")
    payload = json.dumps(data, sort_keys=True, separators=(",", ":"))
    with store.db.begin() as conn:  # a newer dossierflow appends, chained and with its head
        conn.execute(sa.insert(tables.events).values(
            dossier_id="NEWER", seq=3, type="Escalated", payload=payload, at_us=last.at_us,
            actor=last.actor, prev_hash=last.hash, hash="", hash_format="sha256"))
    forge(store, "NEWER", 3)


# -------------------------------------------------------------------------------- sweeper


def test_the_sweeper_goes_on_past_dossiers_it_cannot_read(store_spec: Spec,
                                                          opened: Any) -> None:
    store = fresh(opened)
    for ident in ("OK-1", "BAD-JSON", "GAP", "NEWER", "OK-2"):
        received(store, ident)
    store.run("GAP", HandOff("certify", "j2"), at=vn(2, 10), actor=JUSTICE)
    received(store, "LATER", at=vn(3, 9))  # not overdue at 08:00 on the 3rd
    corrupt(store)
    report = store.sweep(vn(3, 8))
    assert report.apologised == ("OK-1", "OK-2")
    assert list(report) == ["OK-1", "OK-2"]
    assert len(report) == 2
    why = dict(report.failed)
    assert [ident for ident, _ in report.failed] == ["BAD-JSON", "GAP", "NEWER"]
    assert "dossier BAD-JSON, event 2: stored payload is not JSON" in why["BAD-JSON"]
    assert "dossier GAP, event 2: event 2 is missing" in why["GAP"]
    assert "dossier NEWER, event 3: schema version 99 is newer" in why["NEWER"]
    for ident in ("OK-1", "OK-2"):
        assert isinstance(store.load(ident).history[-1], Apologized)
    assert len(store.load("LATER").history) == 2
    # The healthy ones are done; the unreadable ones are reported again, untouched.
    again = store.sweep(vn(3, 8))
    assert again.apologised == ()
    assert [ident for ident, _ in again.failed] == ["BAD-JSON", "GAP", "NEWER"]
    with pytest.raises(SchemaError, match="dossier GAP, event 2"):
        store.load("GAP")
    with store.db.connect() as conn:  # nothing was written to them
        counts = dict(conn.execute(
            sa.select(tables.events.c.dossier_id, sa.func.count())
            .group_by(tables.events.c.dossier_id)).all())
    assert (counts["BAD-JSON"], counts["GAP"], counts["NEWER"]) == (2, 2, 3)


def test_the_sweeper_reports_a_refused_apology_and_goes_on(store_spec: Spec,
                                                           opened: Any) -> None:
    store = opened()
    received(store, "A")
    received(store, "B")
    report = store.sweep(vn(3, 8), actor=Officer("x", "thue", "clerk"))
    assert report.apologised == ()
    assert [ident for ident, _ in report.failed] == ["A", "B"]
    assert "may not 'apologize' dossier A" in dict(report.failed)["A"]
    assert store.sweep(vn(3, 8)) == SweepReport(apologised=("A", "B"))


def test_the_sweeper_raises_what_is_not_a_dossier_problem(store_spec: Spec, opened: Any,
                                                          monkeypatch: Any) -> None:
    store = opened()
    received(store, "A")

    def outage(*args: Any, **kw: Any) -> None:
        raise sa.exc.OperationalError("UPDATE df_dossiers", {}, ConnectionError("gone"))

    monkeypatch.setattr(store, "run", outage)
    with pytest.raises(sa.exc.OperationalError):
        store.sweep(vn(3, 8))


# ---------------------------------------------------------------------------------- relay


def set_payload(store: Store, key: str, payload: str) -> None:
    with store.db.begin() as conn:
        conn.execute(sa.update(tables.outbox).where(tables.outbox.c.key == key)
                     .values(payload=payload))


def test_a_message_that_cannot_be_read_is_quarantined(store_spec: Spec, opened: Any) -> None:
    store = opened()
    for ident in ("A", "B", "C", "D"):
        received(store, ident)
    good = event_row(store, "B", 2).payload
    set_payload(store, "B:2", "{not json")
    set_payload(store, "C:2", '["not", "an", "object"]')
    sent: list[str] = []
    report = store.relay(lambda m: sent.append(m.key), at=vn(2, 10))
    assert report.delivered == ("A:2", "D:2")
    assert sent == ["A:2", "D:2"]
    assert report.failed == ()
    assert [key for key, _ in report.quarantined] == ["B:2", "C:2"]
    reasons = dict(report.quarantined)
    assert "stored payload is not JSON" in reasons["B:2"]
    assert "not a JSON object" in reasons["C:2"]
    assert store.quarantined_messages() == report.quarantined
    assert store.pending_messages() == 0
    assert store.relay(lambda m: sent.append(m.key), at=vn(2, 20)) == RelayReport()
    # A quarantined message does not hold back its dossier's later ones (B's apology).
    assert store.sweep(vn(3, 8)).apologised == ("A", "B", "C", "D")
    assert set(store.relay(lambda m: None, at=vn(3, 9)).delivered) == {
        "A:3", "B:3", "C:3", "D:3"}
    # Repaired and released, it goes out.
    set_payload(store, "B:2", good)
    with store.db.begin() as conn:
        conn.execute(sa.update(tables.outbox).where(tables.outbox.c.key == "B:2")
                     .values(quarantined=None))
    messages: list[OutboxMessage] = []
    assert store.relay(messages.append, at=vn(3, 10)).delivered == ("B:2",)
    assert messages[0].payload["receipt_no"] == "BN-B"
    assert store.quarantined_messages() == (("C:2", reasons["C:2"]),)


def test_a_failed_delivery_holds_back_its_dossiers_later_messages(store_spec: Spec,
                                                                  opened: Any) -> None:
    store = opened()
    received(store, "A")
    received(store, "B")
    assert store.sweep(vn(3, 8)).apologised == ("A", "B")  # A:3 and B:3 wait behind
    sent: list[OutboxMessage] = []
    down = {"A:2"}

    def deliver(message: OutboxMessage) -> None:
        if message.key in down:
            raise ConnectionError("SMS gateway down")
        sent.append(message)

    lease = dt.timedelta(minutes=5)
    # Each dossier's messages in order in one batch; A's receipt fails, so its apology is
    # given back unattempted; B's receipt and apology go.
    report = store.relay(deliver, at=vn(3, 9), lease=lease)
    assert report.delivered == ("B:2", "B:3")
    assert report.failed == (("A:2", "ConnectionError: SMS gateway down"),)
    # A's apology waits while its receipt is leased.
    assert store.relay(deliver, at=vn(3, 9, 1), lease=lease) == RelayReport()
    # After the lease the receipt is tried again; failing, it still holds the apology back.
    report = store.relay(deliver, at=vn(3, 9, 6), lease=lease)
    assert (report.delivered, [key for key, _ in report.failed]) == ((), ["A:2"])
    down.clear()
    assert store.relay(deliver, at=vn(3, 9, 12), lease=lease).delivered == ("A:2", "A:3")
    assert [(m.key, m.attempts) for m in sent] == [("B:2", 1), ("B:3", 1), ("A:2", 3),
                                                  ("A:3", 1)]
    assert store.pending_messages() == 0


def test_a_batch_cut_by_its_size_keeps_each_dossiers_order(store_spec: Spec,
                                                          opened: Any) -> None:
    store = opened()
    received(store, "A")
    received(store, "B")
    store.sweep(vn(3, 8))  # A:2, B:2, A:3, B:3 in the outbox, in that order
    sent: list[str] = []
    assert store.relay(lambda m: sent.append(m.key), at=vn(3, 9), batch=3).delivered == \
        ("A:2", "B:2", "A:3")
    assert store.relay(lambda m: sent.append(m.key), at=vn(3, 9), batch=3).delivered == \
        ("B:3",)
    assert store.pending_messages() == 0


def test_a_relay_skips_the_later_messages_of_a_dossier_another_relay_holds(
        store_spec: Spec, opened: Any) -> None:
    """PostgreSQL: a relay skips the rows another relay has locked (it is claiming them),
    and with them the later messages of their dossiers, which must not overtake them."""
    if store_spec[0] != "postgresql":
        pytest.skip("PostgreSQL only: SQLite serialises the claims")
    store = opened()
    received(store, "A")
    received(store, "B")
    store.sweep(vn(3, 8))  # A:2, B:2, A:3, B:3
    o = tables.outbox
    holding, done = threading.Event(), threading.Event()

    def other_relay() -> None:  # mid-claim: it holds A's receipt locked
        with store.db.begin() as conn:
            conn.execute(sa.select(o.c.id).where(o.c.key == "A:2").with_for_update())
            holding.set()
            done.wait(30)

    thread = threading.Thread(target=other_relay)
    thread.start()
    try:
        assert holding.wait(30)
        assert store.relay(lambda m: None, at=vn(3, 9)).delivered == ("B:2", "B:3")
    finally:
        done.set()
        thread.join()
    assert store.relay(lambda m: None, at=vn(3, 9)).delivered == ("A:2", "A:3")


@pytest.mark.parametrize(("kw", "named"), [
    ({"batch": 0}, "batch"), ({"batch": -3}, "batch"), ({"batch": 2.5}, "batch"),
    ({"batch": True}, "batch"), ({"batch": "10"}, "batch"),
    ({"lease": dt.timedelta(0)}, "lease"), ({"lease": dt.timedelta(seconds=-1)}, "lease"),
    ({"lease": 300}, "lease"),
    ({"worker": ""}, "worker"), ({"worker": "  "}, "worker"), ({"worker": None}, "worker"),
    ({"worker": 7}, "worker"), ({"worker": "w" * 101}, "worker"),
], ids=lambda v: repr(v) if not isinstance(v, str) else v)
def test_relay_arguments_are_checked(store_spec: Spec, opened: Any, kw: dict[str, Any],
                                     named: str) -> None:
    store = opened()
    received(store, "A")
    with pytest.raises(InvalidArgument, match=rf"^{named} must be"):
        store.relay(lambda m: None, at=vn(2, 10), **kw)
    with store.db.connect() as conn:  # nothing was leased
        assert conn.execute(sa.select(tables.outbox.c.attempts)).scalar_one() == 0
    assert store.pending_messages() == 1


# --------------------------------------------------------------------------------- schema


def test_schema_2_tables_gain_the_quarantine(store_spec: Spec, opened: Any) -> None:
    store = opened()
    received(store, "A")
    received(store, "B")
    with store.db.begin() as conn:  # back to what dossierflow wrote at schema 2
        for index in ("df_outbox_dossier", "df_dossiers_supplement_expires"):
            conn.execute(sa.text("DROP INDEX " + (
                index if store_spec[2] is None else f"{store_spec[2]}.{index}")))
        conn.execute(sa.text("ALTER TABLE " + (
            "df_outbox" if store_spec[2] is None else f"{store_spec[2]}.df_outbox")
            + " DROP COLUMN quarantined"))
        for table, column in (("df_events", "hash_format"), ("df_dossiers", "head_hash"),
                              ("df_dossiers", "supplement_expires_us"),
                              ("df_active", "apology_due_us"), ("df_active", "reason")):
            conn.execute(sa.text("ALTER TABLE " + (
                table if store_spec[2] is None else f"{store_spec[2]}.{table}")
                + f" DROP COLUMN {column}"))
        conn.execute(sa.update(tables.meta).where(tables.meta.c.key == "schema_version")
                     .values(value="2"))
    create_schema(store.db)  # what opening the database does
    with store.db.connect() as conn:
        assert conn.execute(sa.select(tables.meta.c.value).where(
            tables.meta.c.key == "schema_version")).scalar_one() == str(SCHEMA_VERSION)
        assert "df_outbox_dossier" in {i["name"] for i in sa.inspect(conn).get_indexes(
            "df_outbox", schema=store_spec[2])}
        assert "df_dossiers_supplement_expires" in {
            i["name"] for i in sa.inspect(conn).get_indexes("df_dossiers",
                                                            schema=store_spec[2])}
    set_payload(store, "A:2", "{not json")
    report = store.relay(lambda m: None, at=vn(2, 10))
    assert (report.delivered, [k for k, _ in report.quarantined]) == (("B:2",), ["A:2"])
