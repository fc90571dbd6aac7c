"""Reliability on the real servers: concurrent writers, writers killed with SIGKILL, sweepers
and relays running at the same moment. SQLite (a file shared by processes) and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import random
import signal
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from dossierflow._errors import ConcurrencyConflict
from dossierflow.states import (
    Apologized,
    Channel,
    Citizen,
    CompleteStep,
    File,
    HandedOff,
    HandOff,
    Officer,
    Outcome,
    Receive,
    ReturnResult,
)
from dossierflow.store import Store
from dossierflow.store import _schema as tables
from dossierflow.store._projection import project
from tests.store_support import Spec, open_store, vn

pytestmark = [pytest.mark.slow,
              pytest.mark.parametrize("store_spec", ["sqlite", "postgresql"], indirect=True)]
FORK = multiprocessing.get_context("fork")
MOM = Citizen("079123456789")
DESK = Officer("desk", "ubnd_xa", "one_stop")
JUSTICE = Officer("j1", "ubnd_xa", "justice_officer")
WRITERS, COMMANDS, DOSSIERS = 8, 500, 50


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def consistent(store: Store) -> int:
    """Every dossier's stored projection equals the projection of its replayed events, and
    the hash chains are intact. Returns the number of dossiers."""
    assert store.verify_all() == ()
    with store.db.connect() as conn:
        rows = {r.id: r for r in conn.execute(sa.select(tables.dossiers))}
        counts = dict(conn.execute(sa.select(tables.events.c.dossier_id, sa.func.count())
                                   .group_by(tables.events.c.dossier_id)).all())
    assert set(rows) == set(counts)
    for dossier_id, row in rows.items():
        d = store.load(dossier_id)
        assert d.version == row.version == counts[dossier_id]
        expected = project(d, store.sla.timeline(d), sla=store.sla)
        assert {k: getattr(row, k) for k in expected} == expected, dossier_id
    return len(rows)


# ------------------------------------------------------------------- concurrent writers


def _writer(spec: Spec, worker: int, out: Any) -> None:
    rng = random.Random(worker)
    store = open_store(spec, create=False)
    applied = conflicts = 0
    for i in range(COMMANDS):
        dossier_id = f"C-{rng.randrange(DOSSIERS):02d}"
        while True:
            before = store.load(dossier_id)
            after, events = store.engine.apply(before, HandOff("certify", f"w{worker}-{i}"),
                                               at=now(), actor=JUSTICE)
            try:
                store.save(before, after, events)
            except ConcurrencyConflict:
                conflicts += 1
                continue
            applied += 1
            break
    store.close()
    out.put((worker, applied, conflicts))


def test_eight_writers_lose_no_update(store_spec: Spec) -> None:
    store = open_store(store_spec)
    for n in range(DOSSIERS):
        store.file(File(f"C-{n:02d}", "2.000815", Channel.ONLINE), at=now(), actor=MOM)
        store.run(f"C-{n:02d}", Receive("BN"), at=now, actor=DESK)
    out = FORK.Queue()
    procs = [FORK.Process(target=_writer, args=(store_spec, w, out)) for w in range(WRITERS)]
    for p in procs:
        p.start()
    results = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert sum(applied for _, applied, _ in results) == WRITERS * COMMANDS
    handoffs = sum(isinstance(e, HandedOff) for n in range(DOSSIERS)
                   for e in store.load(f"C-{n:02d}").history)
    assert handoffs == WRITERS * COMMANDS  # no update lost
    assert consistent(store) == DOSSIERS
    print(f"conflicts surfaced and retried: {sum(c for _, _, c in results)}")
    store.close()


# --------------------------------------------------------------------------- SIGKILL


def _busy_writer(spec: Spec, seed: int) -> None:
    """Files group A dossiers and runs their whole lives, as fast as it can, forever."""
    rng = random.Random(seed)
    store = open_store(spec, create=False)
    officers = {
        "1.001193/check": Officer("c", "ubnd_xa", "civil_status"),
        "1.001193/register": Officer("h", "ubnd_xa", "chairman"),
        "1.002364/issue_card": Officer("b", "bhxh", "card_officer"),
        "1.004222/register_residence": Officer("p", "ca_xa", "residence_officer"),
    }
    n = 0
    while True:
        n += 1
        ident = f"K{seed}-{n:05d}"
        store.file(File(ident, "LT.A", Channel.ONLINE, {"child_name": "An"}), at=now(),
                   actor=MOM)
        store.run(ident, Receive("BN"), at=now, actor=DESK)
        steps = ["1.001193/check", "1.001193/register", "1.002364/issue_card",
                 "1.004222/register_residence"]
        if rng.random() < 0.5:
            steps[2], steps[3] = steps[3], steps[2]
        for step in steps:  # the last completion appends three events in one command
            store.run(ident, CompleteStep(step, Outcome.APPROVE), at=now,
                      actor=officers[step])
        store.run(ident, ReturnResult(), at=now, actor=DESK)


def test_writer_killed_mid_batch_leaves_no_half_command(store_spec: Spec) -> None:
    open_store(store_spec).close()
    rng = random.Random(5)
    for round_ in range(3):
        proc = FORK.Process(target=_busy_writer, args=(store_spec, round_))
        proc.start()
        time.sleep(rng.uniform(1.0, 2.5))
        assert proc.exitcode is None, "the writer stopped by itself"
        os.kill(proc.pid, signal.SIGKILL)  # type: ignore[arg-type]
        proc.join()
        assert proc.exitcode == -signal.SIGKILL
    store = open_store(store_spec, create=False)
    assert consistent(store) > 3
    store.close()


# ------------------------------------------------------------ sweepers and relays together


def _sweeper(spec: Spec, at: dt.datetime, start: Any, out: Any) -> None:
    store = open_store(spec, create=False)
    start.wait()
    report = store.sweep(at)
    out.put(("sweeper", report.apologised, report.failed))
    store.close()


def _relay(spec: Spec, worker: int, at: dt.datetime, start: Any, sweeping: Any,
           sink: Path) -> None:
    store = open_store(spec, create=False)
    start.wait()
    with sink.open("a") as keys:
        def deliver(message: Any) -> None:
            keys.write(f"{message.key} {time.monotonic_ns()}\n")  # one clock for all
            keys.flush()

        while True:
            sent = len(store.relay(deliver, at=at, worker=f"relay-{worker}",
                                   batch=7).delivered)
            if sent == 0 and sweeping.value == 0 and store.pending_messages() == 0:
                break
            if sent == 0:
                time.sleep(0.01)
    store.close()


def test_four_sweepers_and_four_relays(store_spec: Spec, tmp_path: Path) -> None:
    store = open_store(store_spec)
    overdue = 40
    for n in range(overdue):
        store.file(File(f"S-{n:02d}", "2.000815", Channel.ONLINE), at=vn(2, 9), actor=MOM)
        store.run(f"S-{n:02d}", Receive("BN"), at=vn(2, 9, 5), actor=DESK)
    at = vn(5, 8)
    start = FORK.Barrier(8)
    sweeping = FORK.Value("i", 4)
    out = FORK.Queue()
    sweepers = [FORK.Process(target=_sweeper, args=(store_spec, at, start, out))
                for _ in range(4)]
    relays = [FORK.Process(target=_relay,
                           args=(store_spec, r, at, start, sweeping, tmp_path / f"relay{r}"))
              for r in range(4)]
    for p in sweepers + relays:
        p.start()
    swept: list[str] = []
    for _ in sweepers:
        _, ids, failed = out.get(timeout=300)
        assert failed == ()
        swept.extend(ids)
        with sweeping.get_lock():
            sweeping.value -= 1
    for p in sweepers + relays:
        p.join(timeout=300)
        assert p.exitcode == 0
    assert sorted(swept) == [f"S-{n:02d}" for n in range(overdue)]  # each swept by one
    for n in range(overdue):
        d = store.load(f"S-{n:02d}")
        assert sum(isinstance(e, Apologized) for e in d.history) == 1
    with store.db.connect() as conn:
        keys = set(conn.execute(sa.select(tables.outbox.c.key)).scalars())
        undelivered = conn.execute(sa.select(sa.func.count()).select_from(tables.outbox)
                                   .where(tables.outbox.c.delivered_us.is_(None))).scalar()
    assert len(keys) == 2 * overdue  # a receipt and an apology each
    assert undelivered == 0
    lines = [line.split() for r in range(4)
             for line in (tmp_path / f"relay{r}").read_text().splitlines()]
    assert {key for key, _ in lines} == keys  # none lost
    first: dict[str, int] = {}
    for key, ns in lines:
        first[key] = min(int(ns), first.get(key, int(ns)))
    for n in range(overdue):  # each dossier's receipt went out before its apology
        assert first[f"S-{n:02d}:2"] < first[f"S-{n:02d}:3"]
    assert consistent(store) == overdue
    store.close()
