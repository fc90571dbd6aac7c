"""Calendar arithmetic against named anchors, measured in the same run.

Runs the same 100,000 random (day, n) queries over 2000-2040 through
``WorkCalendar.add_working_days``, ``numpy.busday_offset`` (per query and vectorised),
python-holidays' ``get_nth_working_day`` and a naive day-by-day loop, then times
``add_working_time`` on 100,000 random instants and how long ``vietnam()`` takes to answer its
first query in a fresh interpreter. Prints ratios and one ``target`` line per goal.

    python bench/calendar_bench.py [--queries N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import subprocess
import sys
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

import holidays
import numpy as np

from _timing import ratio, side_by_side
from dossierflow.calendar import vietnam

FIRST, LAST = 2000, 2040


def per_call(fn: Callable[[], object], count: int, repeat: int = 3) -> float:
    """Best-of-``repeat`` seconds per query for ``fn`` running ``count`` queries."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best / count


def first_query_seconds(year: int) -> float:
    code = (
        "import time, datetime as dt; t = time.perf_counter(); "
        "from dossierflow.calendar import vietnam; cal = vietnam(); "
        f"cal.add_working_days(dt.date({year}, 3, 2), 5); print(time.perf_counter() - t)"
    )
    runs = [float(subprocess.check_output([sys.executable, "-c", code], text=True))
            for _ in range(3)]
    return min(runs)


def target(name: str, measured: str, goal: str, ok: bool) -> None:
    print(f"target {name}: {measured} (goal {goal}) {'ok' if ok else 'short'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=100_000)
    args = parser.parse_args()
    n_q = args.queries
    rng = random.Random(20261128)
    start = dt.date(FIRST, 4, 1).toordinal()
    span = (dt.date(LAST, 6, 30) - dt.date(FIRST, 4, 1)).days
    days = [dt.date.fromordinal(start + rng.randrange(span)) for _ in range(n_q)]
    counts = [rng.randrange(-60, 61) for _ in range(n_q)]
    pairs = list(zip(days, counts, strict=True))

    cal = vietnam(first_year=FIRST, last_year=LAST + 1)
    t = time.perf_counter()
    cal.add_working_days(dt.date(FIRST, 1, 3), 0)
    cal.add_working_days(dt.date(LAST, 12, 1), 0)
    build = time.perf_counter() - t

    # The same calendar for the anchors. numpy and python-holidays cannot express make-up
    # Saturdays, so the anchors get the days off only (their answers differ on a handful of
    # queries near a swap; the work per query is what is compared).
    offs = sorted({e.day for y in range(FIRST, LAST + 2) for e in cal.days_off_in(y)})
    bdc = np.busdaycalendar(weekmask="1111100", holidays=[np.datetime64(d) for d in offs])
    hol = holidays.VN(years=range(FIRST, LAST + 2))
    off_set = set(offs)
    days64 = np.array(days, dtype="datetime64[D]")
    counts_np = np.array(counts)

    add = cal.add_working_days

    def ours() -> None:
        for d, n in pairs:
            add(d, n)

    def numpy_loop() -> None:
        for d, n in pairs:
            np.busday_offset(np.datetime64(d), n, roll="forward", busdaycal=bdc)

    def numpy_vector() -> None:
        np.busday_offset(days64, counts_np, roll="forward", busdaycal=bdc)

    def py_holidays() -> None:
        for d, n in pairs[: n_q // 10]:
            hol.get_nth_working_day(d, n)

    def naive() -> None:
        one = dt.timedelta(days=1)
        for d, n in pairs[: n_q // 10]:
            while d.weekday() >= 5 or d in off_set:
                d += one
            step = one if n >= 0 else -one
            for _ in range(abs(n)):
                d += step
                while d.weekday() >= 5 or d in off_set:
                    d += step

    r_npv = per_call(numpy_vector, n_q)
    r_hol = per_call(py_holidays, n_q // 10, repeat=1)
    r_naive = per_call(naive, n_q // 10, repeat=1)

    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    instants = [
        dt.datetime.combine(d, dt.time(rng.randrange(24), rng.randrange(60)), tz) for d in days
    ]
    durations = [dt.timedelta(minutes=rng.randrange(0, 80 * 60)) for _ in range(n_q)]
    timed = list(zip(instants, durations, strict=True))
    add_time = cal.add_working_time

    def ours_time() -> None:
        for t0, d0 in timed:
            add_time(t0, d0)

    t_ours, t_time, t_np = side_by_side([ours, ours_time, numpy_loop], n_q, rounds=5)
    r_ours, r_time, r_np = min(t_ours), min(t_time), min(t_np)
    np_ratio, time_ratio = ratio(t_np, t_ours), ratio(t_time, t_ours)
    first_announced = first_query_seconds(2026)
    first_estimated = first_query_seconds(2035)

    us = 1e6
    print(f"{n_q:,} queries, {FIRST}-{LAST}; Python {sys.version.split()[0]}, numpy "
          f"{np.__version__}, holidays {holidays.__version__}")
    print(f"index build for {FIRST}-{LAST + 1}: {build * 1e3:.1f} ms")
    print(f"add_working_days (dossierflow)      {r_ours * us:8.3f} us/query")
    print(f"numpy.busday_offset, per query      {r_np * us:8.3f} us/query  "
          f"({np_ratio:6.1f}x dossierflow's time, median of turns)")
    print(f"numpy.busday_offset, vectorised     {r_npv * us:8.3f} us/query  "
          f"({r_npv / r_ours:6.2f}x)")
    print(f"holidays get_nth_working_day        {r_hol * us:8.3f} us/query  "
          f"({r_hol / r_ours:6.1f}x)")
    print(f"naive day-by-day loop               {r_naive * us:8.3f} us/query  "
          f"({r_naive / r_ours:6.1f}x)")
    print(f"add_working_time (dossierflow)      {r_time * us:8.3f} us/query  "
          f"({time_ratio:6.2f}x add_working_days, median of turns)")
    print(f"vietnam() to first answer, fresh interpreter: {first_announced:.3f} s (2026, "
          f"announced), {first_estimated:.3f} s (2035, estimated: imports python-holidays)")
    target("add_working_days_vs_numpy_per_query", f"{np_ratio:.1f}x faster", ">= 10x",
           np_ratio >= 10)
    target("add_working_days_vs_python_holidays", f"{r_hol / r_ours:.0f}x faster", ">= 50x",
           r_hol / r_ours >= 50)
    target("add_working_time_vs_add_working_days", f"{time_ratio:.2f}x", "<= 3x",
           time_ratio <= 3)
    target("vietnam_first_query", f"{first_announced:.3f} s", "< 0.3 s", first_announced < 0.3)


if __name__ == "__main__":
    main()
