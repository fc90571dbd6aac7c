"""A year's report over 1,000,000 stored dossiers, on SQLite and PostgreSQL, against the
Python path in the same run.

For each backend:

1. the projection is filled with ``--dossiers`` rows (1,000,000 by default) of a year and a
   half (received from July of the year before, so that some are carried over), 200
   agencies at two levels, 26 procedures in 8 fields, three channels, about 8% late and 5%
   still open, fees, online payments, electronic results, digitisation, ratings and
   complaints; for speed the rows are generated directly with these distributions and
   written by raw batched INSERTs (SQLite) or COPY (PostgreSQL) into ``df_dossiers`` and
   ``df_facts``: the report reads only them;
2. the target: the year's report as the Biểu 06 form shows it, grouped by agency, with
   Decision 766's indicators, score and targets of the total and the score of each row
   (``reports.from_store``), timed (best of 3); grouped by agency and procedure, for
   information.

Each backend's lines also say where the time goes: each statement of ``from_store`` timed
alone, the rows it reads, and the Python scoring of the rows.

What SQLite costs (measured at 1,000,000 on a 2-core machine, the report by agency 1.86 s,
the sum of its parts): ``dossier_counts`` reads ~690,000 entries of the covering index
``df_dossiers_report`` (the scan alone about 0.3 s) and spends about 2 us on each evaluating
the ~20 conditions of its sums (1.56 s; packing three counts into one ``SUM`` saved only 12%,
and a plain ``GROUP BY`` sort of the table costs 1 us a row, more than the index order that
avoids it); ``event_counts`` scans the ~207,000 ratings and complaints of the year in the
covering index ``df_facts_kind_at`` and groups them, about 1.1 us each (0.23 s, down from
1.15 s when each fact was joined to its dossier through a B-tree lookup of ~5 us: a fact row
now carries its dossier's groups and receipt instant, and a complaint's row its answer);
accountability 0.08 s; scoring the 200 rows 0.03 s. The bulk load is checkpointed out of
the write-ahead log before timing, as a running store's would be; the report then takes the
sum of its parts (an earlier run, 4.03 s, took ~1.2 s more than its parts; that the log was
the difference was not isolated). PostgreSQL: 0.76 s (``dossier_counts`` 0.55 s,
``event_counts`` 0.11 s).

``dossier_counts`` is now 84% of SQLite's time and per-dossier: with about 8% more dossiers
the report would pass 2 s again, and grouping by agency and procedure takes 5.3 s. What
would take it further is a cube kept at save time, ``df_report_days`` (the grouping
columns, a local day, and counts that add up): per day, dossiers received (by channel,
eligible, fee-bearing, paid online, components, digitised, reused, complained), closed (by
verdict), returned (electronic, one visit), first found overdue, closed having been overdue,
ratings and complaints made. A period's counts are then sums over its days; carried over
and pending are cumulative: carried over = received before ``S`` − closed before ``S``;
pending at ``E`` = received before ``E`` − closed before ``E``; pending overdue = became
overdue before ``E`` − closed before ``E`` having become overdue before closing (overdue
never comes after the end). A save moves a dossier's contributions from its old days to
its new ones (delete the old row's, add the new row's: one upsert per changed count). A
year is 365 days times the groups with activity that day, far fewer rows than dossiers for
the form's grouping by agency; the finest grouping (every dimension) is closer to one row
per dossier, so the cube would be kept at agency, procedure and channel (level and sector
follow from them).

The same run checks, on a small store filled through the real ``Store`` (generated lives,
saved command by command), that the SQL path gives the Python path's report, and times the
Python path on those dossiers, scaled to the million (the same report by agency, scored the
same way): each dossier's history read from the store and classified
(``store.load(id, cached=False)`` then ``reports.from_dossiers``), what a report costs
without the SQL path, for the target lines; and, printed beside them, the classification
alone of dossiers already in memory.

    python bench/report_bench.py [--dossiers N] [--sample N] [--postgres URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import tempfile
import time
import uuid
import warnings
from pathlib import Path
from typing import Any

import attrs
import psycopg
import sqlalchemy as sa

from dossierflow import reports
from dossierflow.calendar import vietnam
from dossierflow.catalogues import vietnam as catalogue_vn
from dossierflow.clock import Sla
from dossierflow.reports import _sql  # the statements, timed one by one
from dossierflow.states import Catalogue, Engine, Filed
from dossierflow.store import Store, duration_us, metadata, to_us
from dossierflow.testing import dossiers

YEAR = 2026
PERIOD = reports.Period(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
AGENCIES = [(f"agency-{k:03d}", "province" if k < 20 else "commune") for k in range(200)]
PROCEDURES = [(f"1.00{k:04d}", f"sector-{k % 8}", k % 3 != 0, k % 4 == 0) for k in range(26)]
DAY_US = 86_400_000_000
HOUR_US = 3_600_000_000
NOTE = (
    "note: SQLite has no parallel scan: dossier_counts evaluates ~20 conditions on each of "
    "the ~690,000 index entries it reads (about 2 us an entry, the scan alone 0.3 s), most "
    "of the report's time; event_counts scans the ~207,000 ratings and complaints in one "
    "covering index, without a join (about 1.1 us each). What would leave more room: a "
    "per-day cube kept at save time (see the module's docstring).")


def rows(n: int, seed: int = 1) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """``n`` df_dossiers rows (the columns of :data:`COLUMNS`) and their df_facts rows."""
    rnd = random.Random(seed)
    first = to_us(dt.datetime(YEAR - 1, 7, 1, tzinfo=dt.UTC))
    span = 548 * DAY_US
    out, facts = [], []
    for i in range(n):
        agency, level = rnd.choice(AGENCIES)
        code, sector, fee, full = rnd.choice(PROCEDURES)
        channel = rnd.choices((1, 2, 3), (45, 50, 5))[0]
        received = first + rnd.randrange(span)
        limit = rnd.choice((1, 3, 5, 10, 15)) * DAY_US
        appointment = received + limit
        open_ = rnd.random() < 0.05
        late = rnd.random() < 0.08
        took = int(limit * (rnd.uniform(1.05, 2.0) if late else rnd.uniform(0.2, 1.0)))
        closed = None if open_ else received + took
        verdict = None if open_ else ("late" if late else rnd.choice(("early", "on_time")))
        first_overdue = appointment + HOUR_US if late else None
        overdue = appointment if open_ else None
        returned = None if open_ else closed + rnd.randrange(2 * DAY_US)  # type: ignore[operator]
        unsatisfied = received + 5 * DAY_US if rnd.random() < 0.01 else None
        components = rnd.randrange(1, 6) if rnd.random() < 0.7 else None
        out.append((
            f"D{i:08d}", code, 1, "returned" if not open_ else "in_progress", channel, agency,
            received - HOUR_US, received, appointment, None, overdue, closed, verdict, False,
            3, "0" * 64, closed, first_overdue, level, sector, fee, full,
            received + HOUR_US if fee and channel == 2 and rnd.random() < 0.6 else None,
            returned, returned is not None and rnd.random() < 0.4, components,
            None if components is None else rnd.randrange(components + 1),
            rnd.randrange(3), unsatisfied, channel == 1 and rnd.random() < 0.05,
            agency if late else None))
        # Every fact is made after receipt: its row carries the dossier's groups.
        keys = (agency, level, sector, code, channel, received)
        if rnd.random() < 0.3:
            facts.append((f"D{i:08d}", 4, "rating", (returned or received) + HOUR_US, None,
                          None, None, rnd.choices((1, 2, 3, 4, 5), (1, 1, 3, 10, 30))[0],
                          None, None, None, *keys))
        if late and rnd.random() < 0.5:
            facts.append((f"D{i:08d}", 5, rnd.choice(("apology_on_time", "apology_late")),
                          appointment, agency, None, None, None, None, None, None, *keys))
        if rnd.random() < 0.02:
            facts.append((f"D{i:08d}", 6, "supplement", received + DAY_US, agency, "appraise",
                          None, None, None, None, None, *keys))
        if unsatisfied is not None:
            # The complaint's row carries its answer, as the answer's row does.
            answered, satisfied = rnd.randrange(15) * 8 * HOUR_US, rnd.random() < 0.8
            facts.append((f"D{i:08d}", 7, "complaint", unsatisfied, None, None, None, None,
                          None, answered, satisfied, *keys))
            facts.append((f"D{i:08d}", 8, "answer", unsatisfied + 3 * DAY_US, None, None, None,
                          None, 7, answered, satisfied, *keys))
    return out, facts


COLUMNS = ("id", "procedure", "procedure_version", "status", "channel", "receiver", "filed_us",
           "received_us", "appointment_us", "due_us", "overdue_us", "ended_us", "verdict",
           "apologized", "version", "head_hash", "closed_us", "first_overdue_us", "level",
           "sector", "fee_bearing", "online_eligible", "paid_online_us", "returned_us",
           "electronic_result", "components", "digitised", "reused", "unsatisfied_us",
           "five_on_the_spot", "responsible")
FACTS = ("dossier_id", "seq", "kind", "at_us", "agency", "step", "reason", "score", "ref",
         "took_us", "satisfied", "receiver", "level", "sector", "procedure", "channel",
         "received_us")
assert set(FACTS) == {c.name for c in metadata.tables["df_facts"].c}


def fill_sqlite(path: Path, data: list[tuple[Any, ...]], facts: list[tuple[Any, ...]]) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    for table, cols, batch in (("df_dossiers", COLUMNS, data), ("df_facts", FACTS, facts)):
        marks = ", ".join("?" * len(cols))
        conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", batch)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    # As a running store's would be: the bulk load out of the write-ahead log.
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def fill_postgres(url: str, schema: str, data: list[tuple[Any, ...]],
                  facts: list[tuple[Any, ...]]) -> None:
    with psycopg.connect(url) as conn:
        for table, cols, batch in (("df_dossiers", COLUMNS, data), ("df_facts", FACTS, facts)):
            with conn.cursor().copy(f"COPY {schema}.{table} ({', '.join(cols)}) FROM STDIN"
                                    ) as copy:
                for row in batch:
                    copy.write_row(row)
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"VACUUM ANALYZE {schema}.df_dossiers")
        conn.execute(f"VACUUM ANALYZE {schema}.df_facts")


def one_report(store: Store, by: tuple[str, ...]) -> reports.Report:
    """The year's report grouped ``by``, with Decision 766's indicators, score and targets of
    the total and the score of every row: what the Biểu 06 form and the 766 page show."""
    report = reports.from_store(store, PERIOD, by)
    show(report)
    return report


def show(report: reports.Report) -> None:
    """What a reader of the report is shown besides the counts: the indicators, score and
    targets of the total, and each row's score."""
    report.score()
    report.attainment()
    for row in report.rows:
        report.score(row.counts)


def best_of(fn: Any, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def parts(store: Store) -> list[tuple[str, float]]:
    """Each statement of ``from_store`` by agency, timed alone (best of 3), and the Python
    scoring of the report's rows: where the report's time goes."""
    s, e = (to_us(x) for x in PERIOD.instants)
    by = ("agency",)
    limit = duration_us(reports.COMPLAINT_LIMIT.office_time)
    out = []
    with store.db.connect() as conn:
        dialect = conn.dialect.name
        events, late = _sql.blame(s, e)
        for name, query in (
                ("dossier_counts", _sql.dossier_counts(by, s, e, dialect=dialect)),
                ("event_counts", _sql.event_counts(by, s, e, limit, dialect=dialect)),
                ("blame_events", events), ("blame_late", late)):
            out.append((name, best_of(lambda q=query: conn.execute(q).fetchall())))
        d, f = metadata.tables["df_dossiers"], metadata.tables["df_facts"]
        scanned = conn.execute(sa.select(sa.func.count()).where(
            d.c.received_us < e, sa.or_(d.c.closed_us.is_(None), d.c.closed_us >= s,
                                        d.c.returned_us >= s))).scalar()
        facts = conn.execute(sa.select(sa.func.count()).where(
            f.c.kind.in_(("rating", "complaint")), f.c.at_us >= s, f.c.at_us < e)).scalar()
    report = reports.from_store(store, PERIOD, by)
    out.append(("python scoring", best_of(lambda: show(report))))
    out.append((f"(rows read: {scanned:,} dossiers, {facts:,} ratings and complaints)", -1))
    return out


def year_report(store: Store, name: str) -> float:
    """Best of 3: the year's report by agency (the target), then, for information, by agency
    and procedure and where the time goes."""
    took = best_of(lambda: one_report(store, ("agency",)))
    wide = best_of(lambda: one_report(store, ("agency", "procedure")))
    print(f"{name}: report by agency {took:.2f} s; by agency and procedure {wide:.2f} s "
          "(information)")
    for part, t in parts(store):
        print(f"  part {name} {part}" + (f": {t:.3f} s" if t >= 0 else ""))
    return took


def sample(n: int) -> tuple[Engine, list[Any]]:
    procs = [make() for make in catalogue_vn.PROCEDURES]
    engine = Engine(Catalogue(procs), calendar=vietnam())
    rnd = random.Random(7)
    start = dt.datetime(YEAR, 3, 2, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    found = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in range(n):
            proc = rnd.choice(procs)
            d = dossiers(engine, proc, start=start + dt.timedelta(days=rnd.randrange(200))
                         ).example()
            # example() may give the same life twice: each its own id.
            history = [attrs.evolve(e, dossier=f"S-{k:05d}") if type(e) is Filed else e
                       for e in d.history]
            found.append(engine.replay(history))
    return engine, found


def check_and_time_python(engine: Engine, lived: list[Any], where: Path,
                          n: int) -> tuple[float, float]:
    """Saves ``lived`` through a real Store, checks SQL == Python, and returns the Python
    path's time scaled to ``n`` dossiers two ways: reading each dossier's history from the
    store and classifying it (what a report without the SQL path costs), and classifying
    dossiers already in memory (the classification alone)."""
    store = Store.sqlite(where, engine, clock_tolerance=None)
    seen = set()
    for d in lived:
        if d.id in seen:
            continue
        seen.add(d.id)
        store.save(None, d, d.history)
    ids = sorted(seen)
    kept = [store.load(i) for i in ids]
    sla = Sla(engine)
    for by in ((), ("agency",), ("agency", "procedure"), ("level", "sector", "channel")):
        assert reports.from_store(store, PERIOD, by) == reports.from_dossiers(
            kept, sla, PERIOD, by), by
    t0 = time.perf_counter()
    show(reports.from_dossiers((store.load(i, cached=False) for i in ids), sla, PERIOD,
                               ("agency",)))
    read_and_classify = (time.perf_counter() - t0) / len(ids) * n
    store.close()
    t0 = time.perf_counter()
    show(reports.from_dossiers(kept, sla, PERIOD, ("agency",)))
    return read_and_classify, (time.perf_counter() - t0) / len(kept) * n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    n = args.dossiers
    print(f"generating {n:,} projection rows ...", flush=True)
    data, facts = rows(n)
    engine, lived = sample(args.sample)
    with tempfile.TemporaryDirectory() as tmp:
        python, classify_only = check_and_time_python(engine, lived, Path(tmp) / "small.db",
                                                      n)
        print(f"python path: {python:.1f} s for {n:,} dossiers, each history read from the "
              f"store and classified ({classify_only:.1f} s classifying dossiers already in "
              f"memory), scaled from {len({d.id for d in lived})}; SQL == Python on the real "
              "store: ok")
        path = Path(tmp) / "report.db"
        Store.sqlite(path, engine).close()
        t0 = time.perf_counter()
        fill_sqlite(path, data, facts)
        print(f"sqlite filled in {time.perf_counter() - t0:.1f} s")
        store = Store.sqlite(path, engine)
        lite = year_report(store, "sqlite")
        store.close()
    schema = f"df_bench_{uuid.uuid4().hex[:10]}"
    url = args.postgres
    db = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with db.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        Store.postgresql(url, engine, schema=schema).close()
        t0 = time.perf_counter()
        fill_postgres(url, schema, data, facts)
        print(f"postgresql filled in {time.perf_counter() - t0:.1f} s")
        store = Store.postgresql(url, engine, schema=schema)
        pg = year_report(store, "postgresql")
        store.close()
    finally:
        with db.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        db.dispose()
    scale = 1_000_000 / n
    print(f"python path: the same report (by agency, 766 of the total, every row's score) "
          f"{python * scale:.1f} s for 1,000,000 dossiers read from the store and classified "
          f"({classify_only * scale:.1f} s classifying them once in memory)")
    for name, took in (("sqlite", lite * scale), ("postgresql", pg * scale)):
        print(f"target report_{name}_1m: {took:.2f} s (goal < 2 s) "
              f"{'ok' if took < 2 else 'short'}")
    for name, took in (("sqlite", lite), ("postgresql", pg)):
        ratio = python / took
        print(f"target report_{name}_vs_python: {ratio:.0f}x (goal >= 100x) "
              f"{'ok' if ratio >= 100 else 'short'}")
        print(f"  ({name} against classifying dossiers already in memory, without reading "
              f"their histories: {classify_only / took:.0f}x)")
    print(NOTE)

if __name__ == "__main__":
    main()
