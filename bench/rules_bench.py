"""Appointments and verdicts, next to the calendar's add_working_days in the same run.

Computes the appointment of 100,000 dossiers (random receipt instants in 2026, any hour of any
day, limits in working days with and without a 15:00 cut-off, same day, working hours and
calendar days) and classifies 100,000 finished group A dossiers from their histories (dossier
and step verdicts, with who caused a delay). Prints the per-dossier cost next to one
``add_working_days`` call.

    python bench/rules_bench.py [--dossiers N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import itertools
import random
import sys
import time
from collections.abc import Callable
from typing import NamedTuple
from zoneinfo import ZoneInfo

from _timing import ratio, side_by_side
from dossierflow import samples
from dossierflow.calendar import vietnam
from dossierflow.clock import Sla
from dossierflow.rules import (
    ClockPolicy,
    Convention,
    Deadline,
    TimeLimit,
    Unit,
    appointment,
    calendar_days,
    same_day,
    working_days,
    working_hours,
)
from dossierflow.states import (
    Channel,
    Citizen,
    CompleteStep,
    Dossier,
    Engine,
    File,
    Officer,
    Outcome,
    Receive,
    ReturnResult,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_tuple_new = tuple.__new__


class _DeadlineTuple(NamedTuple):
    limit: TimeLimit
    received: dt.datetime
    start: dt.datetime
    due: dt.datetime
    convention: Convention
    calendar: str
    calendar_fingerprint: str


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def finished_dossier(engine: Engine, rng: random.Random, ident: str) -> Dossier:
    cal = engine.calendar
    at = dt.datetime(2026, 3, 2, 8, tzinfo=TZ) + dt.timedelta(
        days=rng.randrange(250), minutes=rng.randrange(600))
    d, _ = engine.apply(None, File(ident, "LT.A", Channel.ONLINE, {"child_name": "An"}),
                        at=at, actor=Citizen("c"))
    steps = [
        (Receive("R"), Officer("d", "ubnd_xa", "one_stop")),
        (CompleteStep("1.001193/check"), Officer("c", "ubnd_xa", "civil_status")),
        (CompleteStep("1.001193/register", Outcome.APPROVE),
         Officer("h", "ubnd_xa", "chairman")),
        (CompleteStep("1.002364/issue_card", Outcome.APPROVE),
         Officer("b", "bhxh", "card_officer")),
        (CompleteStep("1.004222/register_residence", Outcome.APPROVE),
         Officer("p", "ca_xa", "residence_officer")),
        (ReturnResult(), Officer("d", "ubnd_xa", "one_stop")),
    ]
    for command, actor in steps:
        at = cal.add_working_time(at, dt.timedelta(minutes=rng.randrange(5, 600)))
        d, _ = engine.apply(d, command, at=at, actor=actor)
    return d


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    n = parser.parse_args().dossiers
    rng = random.Random(7)
    cal = vietnam()
    policy = ClockPolicy()

    limits = [working_days(3), working_days(0.5), working_days(3, cutoff=dt.time(15)),
              same_day(), working_hours(4), calendar_days(10)]
    received = [dt.datetime(2026, 1, 1, tzinfo=TZ) + dt.timedelta(
        minutes=rng.randrange(330 * 24 * 60)) for _ in range(n)]
    queries = [(r, rng.choice(limits)) for r in received]
    days = [(r.date(), rng.randrange(-30, 30)) for r in received]
    for r, limit in queries[:1000]:
        appointment(r, limit, cal, policy)

    def ours_appointments() -> None:
        for r, limit in queries:
            appointment(r, limit, cal, policy)

    add = cal.add_working_days

    def anchor() -> None:
        for d, k in days:
            add(d, k)

    # The two parts every appointment pays for, timed alone: reading the start and the due
    # instant off the calendar's index (no record built), and building the frozen Deadline
    # record it returns (attrs, seven fields, as STYLE.md asks of deadlines).
    # The calendar call is made as appointment() makes it, with office time, or days, and the
    # cut-off.
    office_args = [(r, limit.office_time, limit.cutoff) for r, limit in queries
                   if limit.office_time is not None]
    day_args = [(r, 0 if limit.unit is Unit.SAME_DAY else int(limit.amount), limit.cutoff)
                for r, limit in queries if limit.office_time is None]
    read_index = cal.opening_and_end
    exact = policy.convention

    def index_only() -> None:
        for r, office, cutoff in office_args:
            read_index(r, office_time=office, to_close=False, next_day_after=cutoff)
        for r, days, cutoff in day_args:
            read_index(r, days=days, next_day_after=cutoff)

    def record_only() -> None:
        for r, limit in queries:
            Deadline(limit, r, r, r, exact, "vietnam", "0123456789abcdef")

    # For scale: the cheapest immutable record with named fields Python has, a NamedTuple of
    # the same seven values built straight through tuple.__new__.
    def named_tuple_only() -> None:
        for r, limit in queries:
            _tuple_new(_DeadlineTuple, (limit, r, r, r, exact, "vietnam", "0123456789abcdef"))

    times = side_by_side([anchor, ours_appointments, index_only, record_only, named_tuple_only],
                         n, rounds=5)
    t_add, t_appt, t_index, t_record, t_tuple = (min(t) for t in times)
    r_appt, r_index, r_record, r_tuple = (ratio(t, times[0]) for t in times[1:])

    engine = Engine(samples.catalogue(), calendar=cal)
    sla = Sla(engine)
    t0 = time.perf_counter()
    finished = [finished_dossier(engine, rng, f"D-{i}") for i in range(n)]
    t_build = (time.perf_counter() - t0) / n

    def classify() -> None:
        for d in finished:
            sla.classify(d)

    # Its parts: folding the history into a timeline (records and office-time arithmetic:
    # a step's completion measures what it consumed and its margin, each step's start
    # projects its due), and for scale three office-time reads per event on the same
    # dossiers' instants (the fold makes about 1.3 per event: 10 working_time_between and 4
    # add_working_time calls on a finished group-A dossier of 11 events).
    spans = []
    for d in finished:
        ats = [e.at for e in d.history[1:]]
        spans += list(itertools.pairwise(ats))

    def calendar_only() -> None:
        wtb, awt, four = cal.working_time_between, cal.add_working_time, dt.timedelta(hours=4)
        for a, b in spans:
            wtb(a, b)
            wtb(b, a + four)
            awt(a, four)

    probe = finished[0]
    timeline = sla.timeline(probe)

    def timelines_only() -> None:
        for d in finished:
            sla.timeline(d)

    times = side_by_side([anchor, classify, calendar_only, timelines_only], n,
                         rounds=3)
    _, t_class, t_cal, t_fold = (min(t) for t in times)
    r_class, r_cal, r_fold = (ratio(t, times[0]) for t in times[1:])
    assert timeline.ended is not None
    verdicts = [sla.classify(d).verdict for d in finished[:2000]]
    late = sum(v is not None and not v.in_time for v in verdicts) / len(verdicts)

    us = 1e6
    print(f"{n:,} dossiers; Python {sys.version.split()[0]}; calendar {cal.name}; ratios are "
          "medians of turns")
    print(f"add_working_days (anchor)             {t_add * us:8.3f} us/call")
    print(f"appointment (receipt slip)            {t_appt * us:8.3f} us/dossier "
          f"({r_appt:.1f}x add_working_days)")
    print(f"  part: start and due off the index   {t_index * us:8.3f} us/dossier ({r_index:.1f}x)")
    print(f"  part: the frozen Deadline record    {t_record * us:8.3f} us/dossier "
          f"({r_record:.1f}x)")
    print(f"  for scale: the same as a NamedTuple {t_tuple * us:8.3f} us/dossier "
          f"({r_tuple:.1f}x)")
    print(f"classify finished dossier + steps     {t_class * us:8.1f} us/dossier "
          f"({r_class:.0f}x add_working_days; {late:.0%} late in the sample)")
    print(f"  part: folding the timeline          {t_fold * us:8.1f} us/dossier ({r_fold:.0f}x)")
    print(f"  for scale: 3 office-time reads/event {t_cal * us:7.1f} us/dossier ({r_cal:.0f}x)")
    print(f"(building them through the engine     {t_build * us:8.1f} us/dossier)")
    print(f"target appointment_vs_add_working_days: {r_appt:.1f}x (goal <= 5x) "
          f"{'ok' if r_appt <= 5 else 'short'}")
    print(f"target classify_vs_add_working_days: {r_class:.0f}x (goal <= 150x) "
          f"{'ok' if r_class <= 150 else 'short'}")


if __name__ == "__main__":
    main()
