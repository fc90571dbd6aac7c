"""Command line.

- ``python -m dossierflow demo``: a few weeks of a commune one-stop desk on the 2026 calendar,
  through the engine and the SLA clock (receipt slips, control slips, apologies, on-time rate).
- ``python -m dossierflow forms --demo -o DIR [--pdf] [--language en]``: every form of
  Circular 03/2025/TT-VPCP Appendix I for sample dossiers, as HTML (and PDF).
- ``python -m dossierflow calendar [YEAR]``: a year of the Vietnamese civil-service calendar
  (every day off and make-up working day with its source) and a few deadlines computed on it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from dossierflow import __version__
from dossierflow.calendar import WorkCalendar, vietnam


def show_calendar(year: int) -> None:
    cal = vietnam()
    tz = ZoneInfo(cal.timezone)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    estimated = cal.is_estimated(dt.date(year, 6, 1))
    flag = " (ESTIMATED: no official schedule loaded)" if estimated else ""
    print(f"Vietnam civil-service calendar {year}{flag}")
    workday = cal.add_working_days(dt.date(year, 3, 2), 0)  # 2 March, or the next working day
    print(f"time zone {cal.timezone}; office hours "
          f"{', '.join(str(s) for s in cal.describe(workday).sessions)}"
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
    # Half-open up to 31 December, then that day itself: 1 January of the next year may be past
    # the calendar's last year.
    worked = cal.working_days_between(first, last) + cal.is_working_day(last)
    print(f"\nWorking days in {year}: {worked}\n")

    print("A few deadlines")
    before_tet = cal.previous_working_day(_tet_break(cal, year))
    before_national_day = cal.previous_working_day(dt.date(year, 9, 2))
    august_31 = dt.date(year, 8, 31)
    last_sunday_of_august = august_31 - dt.timedelta(days=(august_31.weekday() + 1) % 7)
    examples = [
        (f"Enterprise registration, 3 working days, received {before_tet:%a %d %b %Y} 10:00 "
         "(the last working day before the Tết break)",
         dt.datetime.combine(before_tet, dt.time(10), tz), dt.timedelta(hours=3 * 8)),
        (f"Half a working day, received 15:00 on {before_national_day:%a %d %b %Y} "
         "(the last working day before National Day, 2 September)",
         dt.datetime.combine(before_national_day, dt.time(15), tz), dt.timedelta(hours=4)),
        (f"Online filing {last_sunday_of_august:%a %d %b %Y} 21:00, 10 working days",
         dt.datetime.combine(last_sunday_of_august, dt.time(21), tz),
         dt.timedelta(hours=10 * 8)),
    ]
    for label, received, limit in examples:
        due = cal.add_working_time(received, limit)
        print(f"  {label}\n    clock starts {cal.next_opening(received):%a %Y-%m-%d %H:%M}, "
              f"due {due:%a %Y-%m-%d %H:%M}")
    due_day = cal.add_working_days(first, 20)
    skipped = sum(first <= e.day <= due_day and e.day.weekday() < 5
                  for e in cal.days_off_in(year))
    counted = sum(e.day <= due_day for e in cal.makeup_workdays_in(year))
    print(f"  20 working days from {first:%a %Y-%m-%d}: {due_day:%a %Y-%m-%d} (skips "
          f"{_days(skipped)} off on weekdays, counts {_days(counted)} worked at a weekend)")


def _tet_break(cal: WorkCalendar, year: int) -> dt.date:
    """The first day of the year's longest run of days without office hours (the Tết break)."""
    best, best_length = dt.date(year, 1, 1), 0
    for e in cal.days_off_in(year):
        first = e.day
        while first.year == year and first > dt.date(year, 1, 1) and not cal.is_working_day(
                first - dt.timedelta(days=1)):
            first -= dt.timedelta(days=1)
        day, length = first, 0
        while day.year == year and not cal.is_working_day(day):
            day, length = day + dt.timedelta(days=1), length + 1
        if length > best_length:
            best, best_length = first, length
    return best


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dossierflow", description="dossierflow command line")
    parser.add_argument("--version", action="version", version=f"dossierflow {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="run sample procedures over a few weeks of 2026")
    p_cal = sub.add_parser("calendar", help="print a year of the Vietnamese civil-service "
                                            "calendar")
    p_cal.add_argument("year", nargs="?", type=int, default=2026)
    p_forms = sub.add_parser("forms", help="render the forms of Circular 03/2025/TT-VPCP "
                                           "(needs the forms extra)")
    p_forms.add_argument("--demo", action="store_true", required=True,
                         help="render every form of the sample dossiers")
    p_forms.add_argument("-o", "--output", required=True, help="directory to write into")
    p_forms.add_argument("--pdf", action="store_true", help="also write PDF (pdf extra)")
    p_forms.add_argument("--language", choices=["vi", "en"], default="vi")
    args = parser.parse_args(argv)
    if args.command == "calendar" and not 2000 <= args.year <= 2099:
        parser.error(f"year {args.year} is outside 2000-2099, the calendar's range")
    try:
        if args.command == "calendar":
            show_calendar(args.year)
        elif args.command == "forms":
            from dossierflow.forms import write_samples

            for path in write_samples(args.output, pdf=args.pdf, language=args.language):
                print(path)
        else:
            from dossierflow._demo import run

            run(sys.stdout)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
    except BrokenPipeError:
        # The reader went away (``| head``). As the Python docs advise (signal module, "Note on
        # SIGPIPE"): point stdout at devnull so that the flush at exit does not fail again, and
        # exit quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
