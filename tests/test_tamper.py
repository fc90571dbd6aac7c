"""Tamper evidence on every backend: what someone with write access to the database can do to
the records (delete, edit, rewrite or append events; edit the projection, worklist and outbox
rows) is found by ``verify``/``verify_all`` and refused by ``load``; the forensic read never
raises; a keyed store (HMAC) finds a forged chain that a keyless one accepts; an anchor kept
outside the database finds a rewrite even by someone who holds the key; logs of schema 1
still verify."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from dossierflow import DossierflowError, InvalidArgument, SchemaError, TamperedRecord
from dossierflow.states import SCHEMA_VERSION as EVENT_SCHEMA
from dossierflow.states import (
    Channel,
    Citizen,
    CompleteStep,
    Event,
    File,
    Officer,
    Receive,
    event_to_dict,
)
from dossierflow.store import HMAC_SHA256, Store, TamperKind, row_hash, to_us
from dossierflow.store import _schema as tables
from tests.store_support import Spec, forge, vn

MOM = Citizen("079123456789")
DESK = Officer("desk", "ubnd_xa", "one_stop")
JUSTICE = Officer("j1", "ubnd_xa", "justice_officer")
CHAIR = Officer("ch1", "ubnd_xa", "chairman")
KEY = b"k" * 32
ev, ds, act, ob = tables.events, tables.dossiers, tables.active, tables.outbox


def certified(store: Store, ident: str, steps: int = 1) -> None:
    """A certified-copy dossier, filed and received (2 events), then ``steps`` - 1 more."""
    store.file(File(ident, "2.000815", Channel.ONLINE), at=vn(2, 9), actor=MOM)
    store.run(ident, Receive("BN-1"), at=vn(2, 9, 5), actor=DESK)
    if steps > 1:
        store.run(ident, CompleteStep("certify"), at=vn(2, 10), actor=JUSTICE)


def kinds(found: Any) -> set[tuple[str, int | None, TamperKind]]:
    return {(p.dossier_id, p.seq, p.kind) for p in found}


def execute(store: Store, *statements: Any) -> None:
    with store.db.begin() as conn:
        for stmt in statements:
            conn.execute(stmt)


def event_row(ident: str, seq: int, e: Event, prev: str, key: bytes | None) -> dict[str, Any]:
    """The row the store would write for event ``e``, hashed with ``key``."""
    payload = json.dumps({"schema": EVENT_SCHEMA, **event_to_dict(e)}, ensure_ascii=False,
                         sort_keys=True, separators=(",", ":"))
    kind, at_us, actor = type(e).__name__, to_us(e.at), str(e.actor)
    return {"dossier_id": ident, "seq": seq, "type": kind, "payload": payload,
            "at_us": at_us, "actor": actor, "prev_hash": prev,
            "hash": row_hash(key, prev, ident, seq, kind, payload, at_us, actor),
            "hash_format": HMAC_SHA256 if key else "sha256"}


def forged_resolution(store: Store, ident: str, *, key: bytes | None = None,
                      head: bool, rebuild: bool = True) -> None:
    """Append the events of signing ``ident`` (which resolves it) as a forger would: a valid
    chain from the last stored event, hashed with ``key`` (if the forger has it); ``head``
    moves ``df_dossiers``' head and (``rebuild``) has the store rebuild the projection."""
    d = store.load(ident, cached=False)
    after, events = store.engine.apply(d, CompleteStep("sign"), at=vn(2, 11), actor=CHAIR)
    assert after.status.value == "resolved"
    with store.db.connect() as conn:
        prev = conn.execute(sa.select(ev.c.hash).where(
            ev.c.dossier_id == ident, ev.c.seq == d.version)).scalar_one()
    rows = []
    for seq, e in enumerate(events, d.version + 1):
        row = event_row(ident, seq, e, prev, key)
        rows.append(row)
        prev = row["hash"]
    execute(store, sa.insert(ev).values(rows))
    if head:
        execute(store, sa.update(ds).where(ds.c.id == ident)
                .values(version=after.version, head_hash=prev))
        if rebuild:
            assert store.rebuild_projections() == ()


# ------------------------------------------------------------------------------- the log


def test_deleting_the_last_events_or_all_of_them_is_seen(store_spec: Spec,
                                                         opened: Any) -> None:
    store = opened()
    for ident in ("ONE", "TWO", "ALL", "OK"):
        certified(store, ident, steps=3)
    execute(store, sa.delete(ev).where(ev.c.dossier_id == "ONE", ev.c.seq == 3),
            sa.delete(ev).where(ev.c.dossier_id == "TWO", ev.c.seq >= 2),
            sa.delete(ev).where(ev.c.dossier_id == "ALL"))
    assert kinds(store.verify_all()) == {("ONE", 3, TamperKind.TRUNCATED),
                                         ("TWO", 2, TamperKind.TRUNCATED),
                                         ("ALL", 1, TamperKind.TRUNCATED)}
    (problem,) = store.verify("TWO")
    assert problem.problem.startswith("events 2 to 3 were deleted")
    for ident, seq in (("ONE", 3), ("TWO", 2), ("ALL", 1)):
        for cached in (True, False):  # the store knew them: it notices all the same
            with pytest.raises(TamperedRecord, match=f"dossier {ident}, event {seq}: "):
                store.load(ident, cached=cached)
        with pytest.raises(TamperedRecord):  # not a ConcurrencyConflict retried in vain
            store.run(ident, CompleteStep("sign"), at=vn(2, 11), actor=CHAIR)
    assert store.load("OK").version == 3


def test_editing_an_events_instant_or_actor_is_seen(store_spec: Spec, opened: Any) -> None:
    store = opened()
    certified(store, "A", steps=3)
    certified(store, "B", steps=3)
    execute(store, sa.update(ev).where(ev.c.dossier_id == "A", ev.c.seq == 2)
            .values(at_us=ev.c.at_us - 3_600_000_000),
            sa.update(ev).where(ev.c.dossier_id == "B", ev.c.seq == 3)
            .values(actor="officer someone-else (ubnd_xa/justice_officer)"))
    assert kinds(store.verify_all()) == {("A", 2, TamperKind.EDITED_EVENT),
                                         ("B", 3, TamperKind.EDITED_EVENT)}
    with pytest.raises(TamperedRecord, match="dossier A, event 2: was edited") as info:
        store.load("A", cached=False)
    assert isinstance(info.value, SchemaError)
    assert [p.kind for p in info.value.problems] == [TamperKind.EDITED_EVENT]
    with pytest.raises(TamperedRecord, match="dossier B, event 3: was edited"):
        store.load("B")  # the last event this store knew is checked column by column


def test_events_appended_outside_the_store_are_seen(store_spec: Spec, opened: Any) -> None:
    store = opened()
    certified(store, "A", steps=2)
    forged_resolution(store, "A", head=False)  # a valid chain, the head left as it was
    assert kinds(store.verify("A")) == {("A", 4, TamperKind.HEAD_MISMATCH)}
    for cached in (True, False):
        with pytest.raises(TamperedRecord, match="dossier A, event 4: events 4 to"):
            store.load("A", cached=cached)  # never loads as resolved


def test_a_chain_rewritten_from_an_edited_event_is_seen_through_its_head(
        store_spec: Spec, opened: Any) -> None:
    store = opened()
    certified(store, "A", steps=3)
    with store.db.connect() as conn:
        head = conn.execute(sa.select(ds.c.head_hash)).scalar_one()
    forge(store, "A", 2, actor="officer forger (ubnd_xa/one_stop)")
    execute(store, sa.update(ds).values(head_hash=head))  # the forger cannot know the head
    assert kinds(store.verify("A")) == {("A", 3, TamperKind.HEAD_MISMATCH)}
    with pytest.raises(TamperedRecord, match="dossier A, event 3: is not the head"):
        store.load("A", cached=False)


# ------------------------------------------------------------ projection, worklist, outbox


def test_edited_projection_worklist_and_outbox_rows_are_seen(store_spec: Spec,
                                                             opened: Any) -> None:
    store = opened()
    for ident in ("STATUS", "HIDDEN", "EXTRA", "DUE", "MESSAGE", "NO-ROW", "OK"):
        certified(store, ident)
    assert store.verify_all() == ()
    execute(store,
            sa.update(ds).where(ds.c.id == "STATUS").values(status="resolved"),
            sa.delete(act).where(act.c.dossier_id == "HIDDEN"),
            sa.insert(act).values(dossier_id="EXTRA", step="sign", agency="ubnd_xa",
                                  status="in_progress"),
            sa.update(act).where(act.c.dossier_id == "DUE").values(due_us=act.c.due_us + 1),
            sa.update(ob).where(ob.c.dossier_id == "MESSAGE").values(payload="{}"),
            sa.delete(ds).where(ds.c.id == "NO-ROW"),
            sa.insert(act).values(dossier_id="GHOST", step="certify", agency="ubnd_xa",
                                  status="in_progress"))
    found = store.verify_all()
    assert kinds(found) == {("STATUS", None, TamperKind.PROJECTION_EDITED),
                            ("HIDDEN", None, TamperKind.WORKLIST_MISSING),
                            ("EXTRA", None, TamperKind.WORKLIST_EXTRA),
                            ("DUE", None, TamperKind.WORKLIST_EDITED),
                            ("MESSAGE", 2, TamperKind.OUTBOX_EDITED),
                            ("NO-ROW", None, TamperKind.PROJECTION_MISSING),
                            ("GHOST", None, TamperKind.PROJECTION_EXTRA)}
    why = {p.dossier_id: p.problem for p in found}
    assert why["STATUS"] == "df_dossiers.status is 'resolved'; the events say 'in_progress'"
    assert "hidden from 'ubnd_xa''s worklist" in why["HIDDEN"]
    with pytest.raises(TamperedRecord, match="dossier NO-ROW: has events but no df_dossiers"):
        store.load("NO-ROW", cached=False)
    assert store.rebuild_projections() == ()  # the rows are repaired from the log
    assert kinds(store.verify_all()) == {("MESSAGE", 2, TamperKind.OUTBOX_EDITED),
                                         ("GHOST", None, TamperKind.PROJECTION_EXTRA)}


def test_a_forensic_read_returns_the_raw_rows_and_never_raises(store_spec: Spec,
                                                               opened: Any) -> None:
    store = opened()
    certified(store, "A", steps=3)
    execute(store, sa.update(ev).where(ev.c.dossier_id == "A", ev.c.seq == 2)
            .values(payload="{not json"),
            sa.delete(ev).where(ev.c.dossier_id == "A", ev.c.seq == 3))
    record = store.read_events("A")
    assert [e.seq for e in record.events] == [1, 2]
    assert record.events[1].payload == "{not json"
    assert record.events[1].at == vn(2, 9, 5)
    assert record.events[1].hash_format == "sha256"
    assert record.head is not None
    assert record.head[0] == 3
    assert kinds(record.problems) == {("A", 2, TamperKind.EDITED_EVENT),
                                      ("A", 3, TamperKind.TRUNCATED)}
    assert store.verify("A") == record.problems
    empty = store.read_events("NOBODY")
    assert (empty.events, empty.head, empty.problems) == ((), None, ())


# ------------------------------------------------------------------------- key and anchor


def test_a_keyed_store_finds_a_forged_chain_a_keyless_store_accepts(store_spec: Spec,
                                                                    opened: Any) -> None:
    keyless = opened()
    certified(keyless, "A", steps=2)
    forged_resolution(keyless, "A", head=True)  # chain, head and projection all consistent
    assert keyless.verify_all() == ()
    assert keyless.load("A", cached=False).status.value == "resolved"  # accepted: no key

    if store_spec[0] == "memory":
        keyed = opened(key=KEY)
    else:  # a database of its own
        keyed = opened(key=KEY)
        execute(keyed, sa.delete(ob), sa.delete(act), sa.delete(ds), sa.delete(ev))
    certified(keyed, "A", steps=2)
    with keyed.db.connect() as conn:
        assert set(conn.execute(sa.select(ev.c.hash_format)).scalars()) == {HMAC_SHA256}
    assert keyed.verify_all() == ()
    forged_resolution(keyed, "A", head=True, rebuild=False)  # no key: plain SHA-256
    # The keyed store refuses to rebuild the projection from a chain it cannot trust.
    assert [ident for ident, _ in keyed.rebuild_projections()] == ["A"]
    assert kinds(keyed.verify_all()) == {("A", 4, TamperKind.DOWNGRADED),
                                         ("A", 5, TamperKind.DOWNGRADED)}
    with pytest.raises(TamperedRecord, match="dossier A, event 4: was rewritten"):
        keyed.load("A", cached=False)


def test_a_keyed_chain_needs_the_right_key(store_spec: Spec, opened: Any) -> None:
    if store_spec[0] == "memory":
        pytest.skip("one in-memory database per store")
    keyed = opened(key=KEY)
    certified(keyed, "A", steps=3)
    forge(keyed, "A", 2, key=b"w" * 32, actor="officer forger (ubnd_xa/one_stop)")
    assert kinds(keyed.verify("A")) == {("A", 2, TamperKind.EDITED_EVENT),
                                        ("A", 3, TamperKind.EDITED_EVENT)}
    keyless = opened(create=False)
    assert {p.kind for p in keyless.verify("A")} == {TamperKind.UNVERIFIABLE}
    with pytest.raises(TamperedRecord, match="open the store with key="):
        keyless.load("A")
    strict = opened(key=KEY, keyed_only=True)
    certified(keyless, "B")  # written without the key
    assert kinds(strict.verify("B")) == {("B", 1, TamperKind.DOWNGRADED),
                                         ("B", 2, TamperKind.DOWNGRADED)}


@pytest.mark.parametrize("kw", [{"key": "secret"}, {"key": b"short"},
                                {"keyed_only": True}])
def test_key_arguments_are_checked(kw: dict[str, Any]) -> None:
    from tests.store_support import engine
    with pytest.raises(InvalidArgument, match="key"):
        Store.memory(engine(), **kw)


def test_an_anchor_finds_a_rewrite_even_with_the_key(store_spec: Spec, opened: Any) -> None:
    store = opened(key=KEY)
    for ident in ("REWRITTEN", "TRUNCATED", "GONE", "OK"):
        certified(store, ident, steps=3)
    anchor = json.loads(json.dumps(store.anchor()))  # kept outside the database
    assert anchor["heads"][0][:2] == ["GONE", 3]
    certified(store, "NEW")  # filed after the anchor: nothing to compare with
    forge(store, "REWRITTEN", 2, key=KEY, actor="officer insider (ubnd_xa/one_stop)")
    execute(store, *(sa.delete(table).where(column == "GONE") for table, column in (
        (ev, ev.c.dossier_id), (ds, ds.c.id), (act, act.c.dossier_id),
        (ob, ob.c.dossier_id))))
    execute(store, sa.delete(ev).where(ev.c.dossier_id == "TRUNCATED", ev.c.seq == 3))
    forge(store, "TRUNCATED", 2, key=KEY)  # the head moved back with the chain
    assert store.rebuild_projections() == ()  # an insider rebuilds the projection too
    without = store.verify_all()
    assert without == ()  # the key holder's rewrite is invisible without an anchor...
    assert kinds(store.verify_all(anchor=anchor)) == {  # ...and plain with it
        ("REWRITTEN", 3, TamperKind.ANCHOR_MISMATCH),
        ("TRUNCATED", 3, TamperKind.TRUNCATED),
        ("GONE", 1, TamperKind.TRUNCATED)}
    with pytest.raises(InvalidArgument, match="anchor"):
        store.verify_all(anchor={"heads": []})


# ------------------------------------------------------------------------ schema-1 logs


def test_an_upgraded_schema_1_log_gets_its_heads_and_verifies(tmp_path: Path) -> None:
    from tests.test_store_clock import FIXTURE
    from tests.test_store_clock import engine as v1_engine

    path = tmp_path / "old.sqlite"
    shutil.copy(FIXTURE, path)
    with Store.sqlite(path, v1_engine()) as store:
        with store.db.connect() as conn:
            assert set(conn.execute(sa.select(ev.c.hash_format)).scalars()) == {None}
            assert None not in set(conn.execute(sa.select(ds.c.head_hash)).scalars())
        assert store.verify_all() == ()
        ident = sorted(store.dossier_ids())[0]
        d = store.load(ident)
        execute(store, sa.update(ev).where(ev.c.dossier_id == ident, ev.c.seq == 1)
                .values(payload=ev.c.payload + " "))
        assert kinds(store.verify_all()) == {(ident, 1, TamperKind.EDITED_EVENT)}
        with pytest.raises(DossierflowError):
            store.load(ident, cached=False)
        assert d.version >= 1
