"""The simulation and the batch API on SQLite, against their anchors, in the same run.

1. Writing the same commands (certified copies filed, received, certified, signed, returned)
   three ways on SQLite files with the store's durability (WAL, synchronous=FULL):
   ``Store.run``/``Store.file`` (one transaction a command), ``Store.batch`` (one transaction
   a 1,000 commands), and the anchor: raw ``executemany`` INSERTs of exactly the rows the
   batch wrote (events, dossiers, worklist, outbox), one transaction a 1,000 commands' rows.
2. The simulation end to end (engine, store, sweeper, relay) over two weeks of the default
   profile at a fifth of its size: commands per second.
3. A full default year (every unit, about 180,000 dossiers), unless ``--quick``.

Where a batched command's time goes is printed beside the targets: the engine alone (the
same commands applied in memory), the batch with the outbox turned off (``notify`` refusing
every event: no notice composed, no message written), and the raw inserts of the rows that
batch wrote. The notices (composing and encoding each message's texts) are the difference
between the two batches.

    python bench/simulate_bench.py [--dossiers N] [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from dossierflow import samples
from dossierflow.calendar import vietnam
from dossierflow.simulate import build, load_profile, simulate
from dossierflow.states import (
    Channel,
    Citizen,
    CompleteStep,
    Engine,
    File,
    Officer,
    Outcome,
    Receive,
    ReturnResult,
)
from dossierflow.store import Store

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DESK = Officer("desk", "ubnd_xa", "one_stop")
JUSTICE = Officer("j1", "ubnd_xa", "justice_officer")
CHAIR = Officer("chair", "ubnd_xa", "chairman")
TABLES = ("df_dossiers", "df_events", "df_active", "df_outbox")


def commands(n: int) -> list[tuple[str, object, dt.datetime, object]]:
    out: list[tuple[str, object, dt.datetime, object]] = []
    day = dt.datetime(2026, 3, 2, 8, tzinfo=TZ)
    for k in range(n):
        ident = f"D-{k:07d}"
        at = day + dt.timedelta(seconds=k)
        out += [(ident, File(ident, "2.000815", Channel.ONLINE), at, Citizen("c1")),
                (ident, Receive(f"BN-{k}"), at + dt.timedelta(minutes=5), DESK),
                (ident, CompleteStep("certify"), at + dt.timedelta(hours=1), JUSTICE),
                (ident, CompleteStep("sign", Outcome.APPROVE), at + dt.timedelta(hours=2),
                 CHAIR),
                (ident, ReturnResult(), at + dt.timedelta(hours=3), DESK)]
    return out


def by_run(path: Path, work: list[tuple[str, object, dt.datetime, object]]) -> float:
    store = Store.sqlite(path, Engine(samples.catalogue(), calendar=vietnam()),
                         clock_tolerance=None)
    t = time.perf_counter()
    for ident, command, at, actor in work:
        if isinstance(command, File):
            store.file(command, at=at, actor=actor)  # type: ignore[arg-type]
        else:
            store.run(ident, command, at=at, actor=actor)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - t
    store.close()
    return elapsed / len(work)


def by_batch(path: Path, work: list[tuple[str, object, dt.datetime, object]],
             size: int = 1000, *, notices: bool = True) -> float:
    store = Store.sqlite(path, Engine(samples.catalogue(), calendar=vietnam()),
                         clock_tolerance=None, notify=None if notices else lambda e: False)
    t = time.perf_counter()
    for k in range(0, len(work), size):
        with store.batch() as b:
            for ident, command, at, actor in work[k:k + size]:
                if isinstance(command, File):
                    b.file(command, at=at, actor=actor)  # type: ignore[arg-type]
                else:
                    b.run(ident, command, at=at, actor=actor)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - t
    store.close()
    return elapsed / len(work)


def by_engine(work: list[tuple[str, object, dt.datetime, object]]) -> float:
    """The same commands applied by the engine alone, in memory."""
    engine = Engine(samples.catalogue(), calendar=vietnam())
    dossiers: dict[str, object] = {}
    t = time.perf_counter()
    for ident, command, at, actor in work:
        dossiers[ident], _ = engine.apply(dossiers.get(ident), command,  # type: ignore[arg-type]
                                          at=at, actor=actor)  # type: ignore[arg-type]
    return (time.perf_counter() - t) / len(work)


def by_raw(source: Path, target: Path, n_commands: int, size: int = 1000) -> float:
    """The rows the batch wrote, inserted again with executemany into empty tables of the
    same schema, in as many transactions as the batch took."""
    src = sqlite3.connect(source)
    rows = {t: src.execute(f"SELECT * FROM {t}").fetchall() for t in TABLES}
    schema = [r[0] for r in src.execute(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND name LIKE 'df_%'")]
    src.close()
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    for sql in schema:
        conn.execute(sql)
    chunks = max(1, n_commands // size)
    t = time.perf_counter()
    for c in range(chunks):
        conn.execute("BEGIN")
        for table, data in rows.items():
            part = data[c * len(data) // chunks:(c + 1) * len(data) // chunks]
            if part:
                marks = ", ".join("?" * len(part[0]))
                conn.executemany(f"INSERT INTO {table} VALUES ({marks})", part)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - t
    conn.close()
    return elapsed / n_commands


def simulated(tmp: Path, *, scale: float, days: int | None) -> tuple[float, int, int, float]:
    profile = load_profile("lai-chau-2025")
    province = build(profile)
    store = Store.sqlite(tmp / f"sim-{scale}-{days}.db", province.engine, clock_tolerance=None)
    end = None if days is None else profile.start + dt.timedelta(days=days - 1)
    t = time.perf_counter()
    result = simulate(province, store, seed=1, scale=scale, end=end)
    elapsed = time.perf_counter() - t
    store.close()
    return result.commands / elapsed, result.commands, result.dossiers, elapsed


def line(name: str, measured: str, goal: str, ok: bool) -> None:
    print(f"target {name}: {measured} (goal {goal}) {'ok' if ok else 'short'}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=2000)
    parser.add_argument("--quick", action="store_true", help="skip the full year")
    args = parser.parse_args()
    work = commands(args.dossiers)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        run = by_run(tmp / "run.db", work)
        batch = by_batch(tmp / "batch.db", work)
        raw = by_raw(tmp / "batch.db", tmp / "raw.db", len(work))
        print(f"{len(work):,} commands: Store.run {run * 1e3:.3f} ms, Store.batch "
              f"{batch * 1e3:.3f} ms, raw batched INSERTs {raw * 1e3:.3f} ms a command")
        line("batch_vs_run", f"{run / batch:.1f}x faster", ">= 5x", run / batch >= 5)
        line("batch_vs_raw_inserts", f"{raw / batch:.0%} of the raw speed", ">= 30%",
             raw / batch >= 0.30)
        quiet = by_batch(tmp / "quiet.db", work, notices=False)
        quiet_raw = by_raw(tmp / "quiet.db", tmp / "quiet-raw.db", len(work))
        engine = by_engine(work)
        print(f"where a batched command's {batch * 1e6:.0f} µs go: the engine alone "
              f"{engine * 1e6:.0f} µs; notices composed and written "
              f"{(batch - quiet) * 1e6:.0f} µs (the batch without the outbox: "
              f"{quiet * 1e6:.0f} µs, {quiet_raw / quiet:.0%} of the raw inserts of its rows, "
              f"{quiet_raw * 1e6:.0f} µs); chain, projection, statements and commit "
              f"{(quiet - engine) * 1e6:.0f} µs")
        rate, n, dossiers, _ = simulated(tmp, scale=0.2, days=14)
        print(f"simulation: {dossiers:,} dossiers, {n:,} commands over 14 days at scale 0.2")
        line("simulation_commands_per_second", f"{rate:,.0f}/s", "reported", True)
        if not args.quick:
            rate, n, dossiers, elapsed = simulated(tmp, scale=1.0, days=None)
            print(f"full year: {dossiers:,} dossiers, {n:,} commands, {rate:,.0f}/s")
            line("full_default_year", f"{elapsed / 60:.1f} min", "<= 10 min", elapsed <= 600)
    return 0


if __name__ == "__main__":
    sys.exit(main())
