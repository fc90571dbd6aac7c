"""Command line.

- ``python -m dossierflow demo``: a few weeks of a commune one-stop desk on the 2026 calendar,
  through the engine and the SLA clock (receipt slips, control slips, apologies, on-time rate).
- ``python -m dossierflow calendar [YEAR]``: a year of the Vietnamese civil-service calendar
  (every day off and make-up working day with its source) and a few deadlines computed on it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from dossierflow.calendar import vietnam


def show_calendar(year: int) -> None:
    cal = vietnam()
    tz = ZoneInfo(cal.timezone)
    estimated = cal.is_estimated(dt.date(year, 6, 1))
    flag = " (ESTIMATED: no official schedule loaded)" if estimated else ""
    print(f"Vietnam civil-service calendar {year}{flag}")
    print(f"time zone {cal.timezone}; office hours "
          f"{', '.join(str(s) for s in cal.describe(dt.date(year, 3, 2)).sessions or ())}"
          " (Decision 188/1999/QĐ-TTg: 8 hours a day)\n")
    print("Days off on working weekdays")
    for e in cal.days_off_in(year):
        if e.day.weekday() < 5:
            print(f"  {e.day:%a %Y-%m-%d}  {e.reason}")
            print(f"                  source: {e.source}")
    print("\nSaturdays worked (làm bù)")
    for m in cal.makeup_workdays_in(year) or ():
        print(f"  {m.day:%a %Y-%m-%d}  {m.reason}\n                  source: {m.source}")
    if not cal.makeup_workdays_in(year):
        print("  none")
    worked = cal.working_days_between(dt.date(year, 1, 1), dt.date(year + 1, 1, 1))
    print(f"\nWorking days in {year}: {worked}\n")

    print("A few deadlines")
    examples = [
        ("Enterprise registration, 3 working days, received Fri 13 Feb 2026 10:00",
         dt.datetime(2026, 2, 13, 10, 0, tzinfo=tz), dt.timedelta(hours=3 * 8)),
        ("Half a working day, received 11:00 on Thu 31 Dec 2026",
         dt.datetime(2026, 12, 31, 11, 0, tzinfo=tz), dt.timedelta(hours=4)),
        ("Online filing Sun 23 Aug 2026 21:00, 10 working days",
         dt.datetime(2026, 8, 23, 21, 0, tzinfo=tz), dt.timedelta(hours=10 * 8)),
    ]
    for label, received, limit in examples:
        due = cal.add_working_time(received, limit)
        print(f"  {label}\n    clock starts {cal.next_opening(received):%a %Y-%m-%d %H:%M}, "
              f"due {due:%a %Y-%m-%d %H:%M}")
    day = dt.date(2025, 12, 31)
    print(f"  20 working days from {day:%a %Y-%m-%d}: {cal.add_working_days(day, 20):%a %Y-%m-%d}"
          " (skips the 2 January swap and counts Saturday 10 January)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dossierflow", description="dossierflow command line")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="run sample procedures over a few weeks of 2026")
    p_cal = sub.add_parser("calendar", help="print a year of the Vietnamese civil-service "
                                            "calendar")
    p_cal.add_argument("year", nargs="?", type=int, default=2026)
    args = parser.parse_args(argv)
    if args.command == "calendar":
        if not 2000 <= args.year <= 2099:
            parser.error(f"year {args.year} is outside 2000-2099, the calendar's range")
        show_calendar(args.year)
    else:
        from dossierflow._demo import run

        run(sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
