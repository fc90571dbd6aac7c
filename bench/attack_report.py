"""What an auditor or a careless caller can do to the records, tried on the store.

Each attempt is made on a fresh store (SQLite in a temporary directory, and PostgreSQL when
``--postgres`` reaches a server), and the table says what was expected, what was observed,
and whether the store handled it. The last line is the target:
``target attacks_handled: N/M (goal M/M)``.

    python bench/attack_report.py [--postgres URL | --no-postgres]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import sqlalchemy as sa

from dossierflow import (
    ClockSkew,
    DossierflowError,
    InvalidArgument,
    NotAuthorized,
    SchemaError,
    TamperedRecord,
    samples,
)
from dossierflow.calendar import WorkCalendar, load_layer, vietnam
from dossierflow.rules import months, working_days
from dossierflow.states import (
    END,
    Agency,
    Channel,
    Citizen,
    CompleteStep,
    DataField,
    Engine,
    File,
    Officer,
    Outcome,
    Procedure,
    Receive,
    Step,
    StepCompleted,
    Supplement,
    Withdraw,
    choice,
    dossier_from_json,
    fold,
    parallel,
    to_json,
    when,
)
from dossierflow.store import Store, row_hash
from dossierflow.store import _schema as tables

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MOM = Citizen("079123456789")
DESK = Officer("desk", "ubnd_xa", "one_stop")
JUSTICE = Officer("j1", "ubnd_xa", "justice_officer")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=TZ)


@attrs.frozen
class Attempt:
    name: str
    expected: str
    run: Callable[[Store], str]
    """Makes the attempt; returns what was observed; raises AssertionError if not handled."""


def refused(error: type[BaseException], build: Callable[[], object]) -> str:
    try:
        build()
    except error as exc:
        return f"{type(exc).__name__}: {' '.join(str(exc).split())[:60]}"
    raise AssertionError("accepted")


def received(store: Store, ident: str = "D-1", day: int = 2) -> Any:
    store.file(File(ident, "2.000815", Channel.ONLINE), at=at(day, 9), actor=MOM)
    return store.run(ident, Receive("BN-1"), at=at(day, 9, 5), actor=DESK)


# ----------------------------------------------------------------------------- attempts


def bad_field(build: Callable[[], object]) -> Callable[[Store], str]:
    def run(store: Store) -> str:
        received(store)
        observed = refused(InvalidArgument, build)
        assert store.load("D-1", cached=False).version == 2
        return observed
    return run


def forged_save(store: Store) -> str:
    d = received(store)
    step = StepCompleted("certify", Outcome.FORWARD, (), ("ubnd_xa",), None, "", at(2, 10),
                         MOM, ("sign",), ())
    observed = refused(NotAuthorized, lambda: store.save(d, fold([step], None, d), [step]))
    assert store.load("D-1", cached=False).version == 2
    return observed


def contradicting_json(store: Store) -> str:
    d = received(store)
    data = json.loads(to_json(d))
    data["status"] = "resolved"
    return refused(SchemaError, lambda: dossier_from_json(json.dumps(data)))


def shifted_instant(store: Store) -> str:
    d = received(store)
    data = json.loads(to_json(d))
    data["history"][0]["at"] = "2026-03-02T09:00:00+08:00[Asia/Ho_Chi_Minh]"
    return refused(SchemaError, lambda: dossier_from_json(json.dumps(data)))


def sweeper_past_a_bad_dossier(store: Store) -> str:
    received(store, "BAD")
    received(store, "GOOD")
    with store.db.begin() as conn:
        conn.execute(sa.update(tables.events).where(tables.events.c.dossier_id == "BAD",
                                                    tables.events.c.seq == 2)
                     .values(payload="{not json"))
    store._cache.clear()
    report = store.sweep(at(3, 9))
    assert tuple(report.apologised) == ("GOOD",), report
    assert [d for d, _ in report.failed] == ["BAD"], report
    return f"apologised {list(report.apologised)}, failed {[d for d, _ in report.failed]}"


def relay_past_a_corrupt_row(store: Store) -> str:
    received(store, "A")
    received(store, "B")
    with store.db.begin() as conn:
        conn.execute(sa.update(tables.outbox).where(tables.outbox.c.dossier_id == "A")
                     .values(payload="{not json"))
    delivered: list[str] = []
    report = store.relay(lambda m: delivered.append(m.dossier_id), at=at(2, 10))
    assert delivered == ["B"], delivered
    assert len(report.quarantined) == 1, report
    return f"delivered {delivered}, quarantined {len(report.quarantined)}"


def kinds(problems: Any) -> list[str]:
    return sorted({p.kind.value for p in problems})


def truncated_tail(store: Store) -> str:
    received(store)
    with store.db.begin() as conn:
        conn.execute(sa.delete(tables.events).where(tables.events.c.dossier_id == "D-1",
                                                    tables.events.c.seq == 2))
    found = kinds(store.verify("D-1"))
    assert "truncated" in found, found
    refused(TamperedRecord, lambda: store.load("D-1", cached=False))
    return f"verify: {found}; load: TamperedRecord"


def edited_actor(store: Store) -> str:
    received(store)
    with store.db.begin() as conn:
        conn.execute(sa.update(tables.events).where(tables.events.c.dossier_id == "D-1",
                                                    tables.events.c.seq == 2)
                     .values(actor="officer boss (ubnd_xa/one_stop)"))
    found = kinds(store.verify("D-1"))
    assert "edited event" in found, found
    return f"verify: {found}"


def hidden_from_worklists(store: Store) -> str:
    received(store)
    with store.db.begin() as conn:
        conn.execute(sa.delete(tables.active))
    found = kinds(store.verify_all())
    assert any("worklist" in k for k in found), found
    return f"verify_all: {found}"


def forged_chain_under_a_key(store: Store) -> str:
    keyed = Store(store.db, store.engine, key=b"k" * 32,
                  schema=store._schema)
    received(keyed)
    ev = tables.events
    with keyed.db.begin() as conn:  # a forger without the key re-chains an edited event
        rows = [dict(r._mapping) for r in conn.execute(
            sa.select(ev).where(ev.c.dossier_id == "D-1").order_by(ev.c.seq))]
        last = rows[-1]
        last["actor"] = "system forger"
        last["hash"] = row_hash(None, last["prev_hash"], "D-1", last["seq"], last["type"],
                                last["payload"], last["at_us"], last["actor"])
        last["hash_format"] = "sha256"
        conn.execute(sa.delete(ev).where(ev.c.dossier_id == "D-1", ev.c.seq == last["seq"]))
        conn.execute(sa.insert(ev).values(**last))
        conn.execute(sa.update(tables.dossiers).where(tables.dossiers.c.id == "D-1")
                     .values(head_hash=last["hash"]))
    found = kinds(keyed.verify("D-1"))
    keyed.close()
    assert found, found
    return f"verify with the key: {found}"


def clock_ahead(store: Store) -> str:
    received(store)
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    observed = refused(ClockSkew, lambda: store.sweep(ahead))
    assert store.load("D-1", cached=False).version == 2
    return observed


def overlong_id_read(store: Store) -> str:
    return refused(InvalidArgument, lambda: store.load("D" * 101))


def literal_sqlite_path(store: Store) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x%41.db"
        Store.sqlite(path, store.engine).close()
        made = sorted(p.name for p in Path(tmp).iterdir() if p.suffix == ".db")
        assert made == ["x%41.db"], made
        return f"created {made}"


def exponential_validation(store: Store) -> str:
    a = Agency("a", "A")
    steps = []
    for i in range(30):
        after = f"d{i + 1}" if i < 29 else END
        steps += [Step(f"d{i}", owner=a.role("r"), then=choice(when("f", then=f"l{i}"),
                                                              otherwise=f"r{i}")),
                  Step(f"l{i}", owner=a.role("r"), then=after),
                  Step(f"r{i}", owner=a.role("r"), then=after)]
    t0 = time.perf_counter()
    Procedure(code="1.000001", name="x", agencies=[a], receivers=["a"], steps=steps,
              data=[DataField("f", bool)])
    seconds = time.perf_counter() - t0
    assert seconds < 1, seconds
    return f"30 diamonds validated in {seconds * 1e3:.0f} ms"


def long_chain(store: Store) -> str:
    a = Agency("a", "A")
    steps = [Step(f"s{i}", owner=a.role("r"), then=f"s{i + 1}" if i < 999 else END)
             for i in range(1000)]
    t0 = time.perf_counter()
    Procedure(code="1.000001", name="x", agencies=[a], receivers=["a"], steps=steps)
    seconds = time.perf_counter() - t0
    assert seconds < 1, seconds
    return f"1,000 steps validated in {seconds * 1e3:.0f} ms"


def extreme(build: Callable[[], object]) -> Callable[[Store], str]:
    return lambda store: refused(DossierflowError, build)


def huge_layer(store: Store) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "huge.toml"
        path.write_text("[[days_off]]\ndate = 0001-01-01\nuntil = 9999-12-30\nreason = 'x'\n"
                        "source = 'y'\n", encoding="utf-8")
        t0 = time.perf_counter()
        observed = refused(DossierflowError, lambda: load_layer(path))
        assert time.perf_counter() - t0 < 1
        return observed


ATTEMPTS = [
    Attempt("Receive(note=5)", "refused when built, nothing written",
            bad_field(lambda: Receive("BN-2", note=5))),
    Attempt("Receive(documents=[1, 2])", "refused when built",
            bad_field(lambda: Receive("BN-2", documents=[1, 2]))),
    Attempt("CompleteStep(to_person=5)", "refused when built",
            bad_field(lambda: CompleteStep("certify", to_person=5))),
    Attempt("Supplement([None])", "refused when built",
            bad_field(lambda: Supplement([None]))),
    Attempt("Withdraw(5)", "refused when built", bad_field(lambda: Withdraw(5))),
    Attempt("File(applicant=123)", "refused when built",
            bad_field(lambda: File("D-2", "2.000815", Channel.ONLINE, applicant=123))),
    Attempt("101-character dossier id", "refused when built",
            bad_field(lambda: File("D" * 101, "2.000815", Channel.ONLINE))),
    Attempt("NUL in an id", "refused when built",
            bad_field(lambda: File("D-\x00", "2.000815", Channel.ONLINE))),
    Attempt("citizen's StepCompleted through save()", "refused, nothing written",
            forged_save),
    Attempt("dossier JSON contradicting its history", "SchemaError", contradicting_json),
    Attempt("instant whose offset and zone disagree", "SchemaError", shifted_instant),
    Attempt("sweeper meets an unreadable dossier", "others apologised, it reported",
            sweeper_past_a_bad_dossier),
    Attempt("relay meets a corrupt outbox row", "quarantined, others delivered",
            relay_past_a_corrupt_row),
    Attempt("last event deleted", "verify: truncated; load refused", truncated_tail),
    Attempt("event's actor column edited", "verify: edited event", edited_actor),
    Attempt("worklist rows deleted", "verify_all: worklist missing", hidden_from_worklists),
    Attempt("chain re-hashed without the store's key", "verify reports it",
            forged_chain_under_a_key),
    Attempt("sweeper clock two days ahead", "ClockSkew, nothing written", clock_ahead),
    Attempt("101-character id read", "InvalidArgument before any query", overlong_id_read),
    Attempt("Store.sqlite('x%41.db')", "the file x%41.db", literal_sqlite_path),
    Attempt("30 choice diamonds", "validated under 1 s", exponential_validation),
    Attempt("1,000-step chain", "validated under 1 s", long_chain),
    Attempt("working_days(1e308)", "DossierflowError",
            extreme(lambda: working_days(1e308))),
    Attempt("months(10**6)", "DossierflowError", extreme(lambda: months(10**6))),
    Attempt("add_working_time(t, timedelta.max)", "DossierflowError",
            extreme(lambda: vietnam().add_working_time(at(2, 9), dt.timedelta.max))),
    Attempt("parallel(END, 's2')", "DossierflowError", extreme(lambda: Procedure(
        code="1.000001", name="x", agencies=[Agency("a", "A")], receivers=["a"],
        steps=[Step("s1", owner=Agency("a", "A").role("r"), then=parallel(END, "s2")),
               Step("s2", owner=Agency("a", "A").role("r"), then=END)]))),
    Attempt("vietnam(first_year=1, last_year=9998)", "DossierflowError",
            extreme(lambda: vietnam(first_year=1, last_year=9998))),
    Attempt("calendar in Europe/Berlin (daylight saving)", "DossierflowError",
            extreme(lambda: WorkCalendar(name="x", timezone="Europe/Berlin",
                                         first_year=2024, last_year=2025))),
    Attempt("layer file spanning 0001-9999", "refused under 1 s", huge_layer),
]


def backends(postgres: str | None) -> list[tuple[str, Callable[[Engine], Store],
                                                 Callable[[], None]]]:
    made: list[tuple[str, Callable[[Engine], Store], Callable[[], None]]] = []
    tmp = tempfile.mkdtemp()
    made.append(("sqlite", lambda engine: Store.sqlite(
        Path(tmp) / f"{uuid.uuid4().hex}.db", engine), lambda: None))
    if postgres is not None:
        admin = sa.create_engine(postgres.replace("postgresql://", "postgresql+psycopg://"))
        schemas: list[str] = []

        def open_pg(engine: Engine) -> Store:
            schema = f"df_attack_{uuid.uuid4().hex[:8]}"
            with admin.begin() as conn:
                conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
            schemas.append(schema)
            return Store.postgresql(postgres, engine, schema=schema)

        def drop() -> None:
            with admin.begin() as conn:
                for schema in schemas:
                    conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            admin.dispose()

        made.append(("postgresql", open_pg, drop))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    engine = Engine(samples.catalogue(), calendar=vietnam())
    rows = []
    handled = total = 0
    for backend, open_store, cleanup in backends(None if args.no_postgres else args.postgres):
        try:
            for attempt in ATTEMPTS:
                store = open_store(engine)
                try:
                    observed, ok = attempt.run(store), True
                except AssertionError as exc:
                    observed, ok = f"NOT HANDLED: {exc}", False
                except Exception as exc:  # an attempt that escapes is reported, not hidden
                    observed, ok = f"NOT HANDLED: {type(exc).__name__}: {exc}", False
                finally:
                    store.close()
                rows.append((backend, attempt.name, attempt.expected, observed,
                             "ok" if ok else "NO"))
                handled += ok
                total += 1
        finally:
            cleanup()
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    print(f"{'backend':<{widths[0]}}  {'attempt':<{widths[1]}}  {'expected':<{widths[2]}}  "
          "handled  observed")
    for backend, name, expected, observed, ok in rows:
        print(f"{backend:<{widths[0]}}  {name:<{widths[1]}}  {expected:<{widths[2]}}  "
              f"{ok:<7}  {observed[:90]}")
    print(f"target attacks_handled: {handled}/{total} (goal {total}/{total}) "
          f"{'ok' if handled == total else 'short'}")


if __name__ == "__main__":
    main()
