"""The store against the raw database, on SQLite and PostgreSQL, in the same run.

For each backend:

1. the anchor: the raw driver (sqlite3, psycopg) doing one single-row INSERT plus COMMIT per
   transaction, with the same durability settings as the store (SQLite: WAL, synchronous=FULL;
   PostgreSQL: the server's defaults, synchronous_commit on): the physical limit here;
2. commands per second through the store, one command per transaction: ``Store.run`` (load,
   apply, save) and ``Store.save`` alone (the application holds the dossier it just loaded);
3. ``Store.run`` on a dossier with 3,000 events against one with 50 (in memory, the Python
   cost alone; and on SQLite): cost must not grow with the history;
4. the overdue query for one agency over 1,000,000 stored dossiers (30% of them open, held by
   200 agencies), through ``Store.overdue``: the projection and worklist tables are filled in
   bulk, since the query reads only them.

    python bench/store_bench.py [--commands N] [--dossiers N] [--postgres URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
import sqlalchemy as sa

from dossierflow import samples
from dossierflow.calendar import vietnam
from dossierflow.states import Channel, Citizen, Engine, File, HandOff, Officer, Receive
from dossierflow.store import Store, to_us
from dossierflow.store import _schema as tables

DESK = Officer("desk", "ubnd_xa", "one_stop")
JUSTICE = Officer("j1", "ubnd_xa", "justice_officer")
AGENCIES = [f"agency-{k:03d}" for k in range(200)]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def raw_sqlite(path: Path, n: int) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE raw (id INTEGER PRIMARY KEY, v TEXT)")
    t0 = time.perf_counter()
    for i in range(n):
        conn.execute("BEGIN")
        conn.execute("INSERT INTO raw (id, v) VALUES (?, ?)", (i, "x" * 100))
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.close()
    return n / elapsed


def raw_postgres(url: str, schema: str, n: int) -> float:
    with psycopg.connect(url) as conn:
        conn.execute(f"CREATE TABLE {schema}.raw (id integer PRIMARY KEY, v text)")
        conn.commit()
        t0 = time.perf_counter()
        for i in range(n):
            conn.execute(f"INSERT INTO {schema}.raw (id, v) VALUES (%s, %s)", (i, "x" * 100))
            conn.commit()
        return n / (time.perf_counter() - t0)


def through_store(store: Store, n: int) -> tuple[float, float]:
    ids = [f"B-{k:03d}" for k in range(50)]
    for ident in ids:
        store.file(File(ident, "2.000815", Channel.ONLINE), at=now(), actor=Citizen("c"))
        store.run(ident, Receive("BN"), at=now, actor=DESK)
    rng = random.Random(1)
    t0 = time.perf_counter()
    for i in range(n):
        store.run(rng.choice(ids), HandOff("certify", f"p{i}"), at=now, actor=JUSTICE)
    run_rate = n / (time.perf_counter() - t0)
    held = {ident: store.load(ident) for ident in ids}
    t0 = time.perf_counter()
    for i in range(n):
        ident = ids[i % len(ids)]
        before = held[ident]
        after, events = store.engine.apply(before, HandOff("certify", f"q{i}"), at=now(),
                                           actor=JUSTICE)
        store.save(before, after, events)
        held[ident] = after
    return run_rate, n / (time.perf_counter() - t0)


def fill(store: Store, count: int) -> dt.datetime:
    """``count`` projection rows, 30% open with a worklist row; returns a sweep instant."""
    rng = random.Random(2)
    base = to_us(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    day = 86_400_000_000
    dossiers, active = [], []
    for k in range(count):
        filed = base + rng.randrange(300) * day
        open_ = rng.random() < 0.3
        due = filed + rng.randrange(1, 20) * day
        ident = f"F-{k:07d}"
        dossiers.append({
            "id": ident, "procedure": "2.000815", "procedure_version": 1,
            "status": "in_progress" if open_ else "returned", "channel": 2,
            "receiver": "ubnd_xa", "filed_us": filed, "received_us": filed,
            "appointment_us": due, "due_us": due if open_ else None,
            "overdue_us": due if open_ else None,
            "ended_us": None if open_ else filed + day, "verdict": None if open_ else "on_time",
            "apologized": False, "version": 5,
        })
        if open_:
            step_due = filed + rng.randrange(1, 10) * day
            active.append({"dossier_id": ident, "step": "certify",
                           "agency": rng.choice(AGENCIES), "status": "in_progress",
                           "due_us": min(due, step_due), "step_due_us": step_due,
                           "dossier_due_us": due, "overdue_us": min(due, step_due)})
    with store.db.begin() as conn:
        for table, rows in ((tables.dossiers, dossiers), (tables.active, active)):
            for start in range(0, len(rows), 50_000):
                conn.execute(sa.insert(table), rows[start:start + 50_000])
    if store.db.dialect.name == "postgresql":
        with store.db.begin() as conn:  # statistics for the planner, as autovacuum would
            conn.exec_driver_sql("ANALYZE")
    return dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def long_history(store: Store, rounds: int = 7, per_round: int = 20) -> float:
    """``Store.run`` on a dossier with 3,000 events against one with 50 (growing by the
    commands timed, up to 50 + rounds x per_round), timed in turns: the median ratio."""
    at = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    for ident, size in (("H-50", 50), ("H-3000", 3000)):
        store.file(File(ident, "2.000815", Channel.ONLINE), at=at, actor=Citizen("c"))
        store.run(ident, Receive("BN"), at=at, actor=DESK)
        for k in range(size - 2):
            store.run(ident, HandOff("certify", f"p{k % 5}"), at=at, actor=JUSTICE)
    ratios = []
    for _ in range(rounds):
        times = []
        for ident in ("H-50", "H-3000"):
            t0 = time.perf_counter()
            for k in range(per_round):
                store.run(ident, HandOff("certify", f"r{k % 5}"), at=at, actor=JUSTICE)
            times.append(time.perf_counter() - t0)
        ratios.append(times[1] / times[0])
    return statistics.median(ratios)


def query_times(store: Store, at: dt.datetime) -> tuple[float, float, int]:
    rng = random.Random(3)
    store.overdue(at, agency=AGENCIES[0])  # warm the database's cache once
    times, sizes = [], []
    for agency in rng.sample(AGENCIES, 50):
        t0 = time.perf_counter()
        found = store.overdue(at, agency=agency)
        times.append(time.perf_counter() - t0)
        sizes.append(len(found))
    return statistics.median(times), max(times), int(statistics.median(sizes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=2000)
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    engine = Engine(samples.catalogue(), calendar=vietnam())
    results = {}
    histories = {}
    with Store.memory(engine) as store:
        histories["memory"] = long_history(store)
    with tempfile.TemporaryDirectory() as tmp:
        raw = raw_sqlite(Path(tmp) / "raw.db", args.commands)
        with Store.sqlite(Path(tmp) / "store.db", engine) as store:
            run_rate, save_rate = through_store(store, args.commands)
            histories["sqlite"] = long_history(store)
            at = fill(store, args.dossiers)
            results["sqlite"] = (raw, run_rate, save_rate, *query_times(store, at))
    schema = f"df_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(args.postgres.replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        raw = raw_postgres(args.postgres, schema, args.commands)
        with Store.postgresql(args.postgres, engine, schema=schema) as store:
            run_rate, save_rate = through_store(store, args.commands)
            at = fill(store, args.dossiers)
            results["postgresql"] = (raw, run_rate, save_rate, *query_times(store, at))
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()

    print(f"{args.commands:,} commands per backend, one per transaction; overdue query over "
          f"{args.dossiers:,} dossiers; Python {sys.version.split()[0]}, SQLAlchemy "
          f"{sa.__version__}, psycopg {psycopg.__version__}, SQLite {sqlite3.sqlite_version}")
    lines = []
    for name, (raw, run_rate, save_rate, median, worst, size) in results.items():
        print(f"{name:<10} raw INSERT+COMMIT {raw:8.0f}/s | Store.run {run_rate:7.0f}/s "
              f"({run_rate / raw:.0%} of raw) | Store.save {save_rate:7.0f}/s "
              f"({save_rate / raw:.0%}) | overdue for one agency: median "
              f"{median * 1e3:.1f} ms, worst {worst * 1e3:.1f} ms ({size} rows)")
        lines.append((f"{name}_commands_vs_raw", run_rate / raw, 0.5))
        lines.append((f"{name}_overdue_query_ms", worst * 1e3, 20.0))
    for name, history_ratio in histories.items():
        lines.append((f"{name}_run_3000_vs_50_events", history_ratio, 2.0))
    for target, value, goal in lines:
        if "_vs_50_" in target:
            ok = value <= goal
            print(f"target {target}: {value:.2f}x (goal <= {goal:.0f}x) "
                  f"{'ok' if ok else 'short'}")
        elif target.endswith("_ms"):
            ok = value < goal
            print(f"target {target}: {value:.1f} ms (goal < {goal:.0f} ms) "
                  f"{'ok' if ok else 'short'}")
        else:
            ok = value >= goal
            print(f"target {target}: {value:.0%} (goal >= {goal:.0%}) {'ok' if ok else 'short'}")


if __name__ == "__main__":
    main()
