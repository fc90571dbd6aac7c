"""Command line.

- ``python -m dossierflow demo``: a few weeks of a commune one-stop desk on the 2026 calendar,
  through the engine and the SLA clock (receipt slips, control slips, apologies, on-time rate).
- ``python -m dossierflow forms --demo -o DIR [--pdf] [--language en]``: every form of
  Circular 03/2025/TT-VPCP Appendix I for sample dossiers, as HTML (and PDF).
- ``python -m dossierflow simulate [--profile NAME|FILE] [--seed N] [--scale X] [--from DATE]
  [--to DATE] [--db URL] [--out DIR]``: a province's period of dossiers through the engine and
  the store (``dossierflow.simulate``), its console summary, Biểu 06, Decision 766's
  indicators and the HTML report.
- ``python -m dossierflow calendar [YEAR]``: a year of the Vietnamese civil-service calendar
  (every day off and make-up working day with its source) and a few deadlines computed on it.
- ``python -m dossierflow report --db URL --from DATE --to DATE [--by agency,procedure]
  [--format html|json|csv|table] [-o FILE] [--lang vi|en] [--catalogue FILE]``: a period's
  report off a store (Biểu 06 of Circular 01/2020/TT-VPCP, Decision 766/QĐ-TTg's indicators).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from rich.console import Console

from dossierflow import DossierflowError, InvalidArgument, __version__, reports
from dossierflow.calendar import WorkCalendar, vietnam
from dossierflow.catalogues import load as load_catalogue
from dossierflow.catalogues import vietnam as vietnam_catalogue
from dossierflow.simulate import cli as simulate_cli
from dossierflow.states import Catalogue, Engine
from dossierflow.store import Store


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


FORMATS = ("table", "html", "json", "csv")


class ReportArgumentError(Exception):
    """A report argument is wrong: ``argument`` names it, the message says how to fix it."""

    def __init__(self, argument: str, message: str) -> None:
        self.argument = argument
        super().__init__(f"{argument}: {message}")


def parse_date(text: str, argument: str) -> dt.date:
    """``2026-01-31`` or ``31/01/2026``."""
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ReportArgumentError(argument, f"{text!r} is not a date; write YYYY-MM-DD "
                                        "(e.g. 2026-01-31) or DD/MM/YYYY")


def open_store(url: str, engine: Engine) -> Store:
    """The store at ``url``: ``sqlite:///path.db`` (an existing file) or a PostgreSQL URL.
    A report never creates a database or its tables."""
    how = "give sqlite:///path/to/file.db or postgresql://user@host/database"
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_file():
            raise ReportArgumentError("--db", f"there is no SQLite file at {str(path)!r}; "
                                              "give the path of a dossierflow store")
        db = sa.create_engine(sa.engine.URL.create("sqlite", database=str(path)))
        try:
            return Store(db, engine, create=False)
        except (DossierflowError, sa.exc.SQLAlchemyError) as exc:
            raise ReportArgumentError("--db", f"{str(path)!r} is not a dossierflow store "
                                              f"({str(exc).splitlines()[0]})") from None
    if url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        url = "postgresql://" + url.split("://", 1)[1]
        try:
            return Store.postgresql(url, engine, create=False)
        except (DossierflowError, sa.exc.SQLAlchemyError, ImportError) as exc:
            raise ReportArgumentError("--db", f"cannot open the PostgreSQL store "
                                              f"({str(exc).splitlines()[0]})") from None
    raise ReportArgumentError("--db", f"{url!r} is not a database URL; {how}")


def months(period: reports.Period) -> list[tuple[str, reports.Period]]:
    """The period cut at month ends: ``("01/2026", Period(...))``..."""
    out = []
    start = period.start
    while start <= period.end:
        following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
        end = min(period.end, following - dt.timedelta(days=1))
        out.append((f"{start:%m/%Y}", reports.Period(start, end, period.timezone)))
        start = following
    return out


def display_names(catalogue: Catalogue, lang: str) -> dict[str, str]:
    """What rows show for agency ids and procedure codes: their names in the catalogue."""
    names: dict[str, str] = {}
    for p in catalogue.procedures:
        names[p.code] = (p.name_en or p.name) if lang == "en" else p.name
        for a in p.agencies:
            names.setdefault(a.id, a.name)
    return names


def run_report(args: argparse.Namespace) -> None:
    """The ``report`` command: read the arguments, compute, render, write."""
    fmt = args.format
    if fmt is None:
        suffix = Path(args.output).suffix.lstrip(".").lower() if args.output else ""
        fmt = suffix if suffix in FORMATS[1:] else "table"
    if args.output:
        folder = Path(args.output).parent
        if not folder.is_dir():
            raise ReportArgumentError("-o", f"the folder {str(folder)!r} does not exist; "
                                            "create it or write elsewhere")
    try:
        period = reports.Period(parse_date(args.start, "--from"), parse_date(args.end, "--to"))
    except InvalidArgument as exc:
        raise ReportArgumentError("--from/--to", str(exc)) from None
    try:
        by = reports.check_by(args.by)
    except InvalidArgument as exc:
        raise ReportArgumentError("--by", str(exc)) from None
    if args.catalogue:
        try:
            catalogue = load_catalogue(args.catalogue)
        except FileNotFoundError:
            raise ReportArgumentError("--catalogue", f"no file {args.catalogue!r}; give a "
                                                     "catalogue's .json or .toml") from None
        except DossierflowError as exc:
            raise ReportArgumentError("--catalogue", str(exc)) from None
    else:
        catalogue = vietnam_catalogue.catalogue()
    with open_store(args.db, Engine(catalogue)) as store:
        report = reports.from_store(store, period, by=by)
        monthly = [(label, reports.from_store(store, p, by=by)) for label, p in months(period)] \
            if fmt == "html" else None
    names = display_names(catalogue, args.lang)
    write(report, fmt, args, names, monthly)


def write(report: reports.Report, fmt: str, args: argparse.Namespace,
          names: Mapping[str, str], monthly: Any) -> None:
    if fmt == "table":
        if args.output:
            with open(args.output, "w", encoding="utf-8") as f:
                reports.print_report(report, Console(file=f, width=160, no_color=True),
                                     lang=args.lang, names=names)
        else:
            reports.print_report(report, lang=args.lang, names=names)
        return
    if fmt == "json":
        text = reports.to_json(report) + "\n"
    elif fmt == "csv":
        text = reports.to_csv(report, lang=args.lang, names=names)
    else:
        try:
            text = reports.to_html(report, lang=args.lang, names=names, monthly=monthly,
                                   unit=args.unit, recipient=args.recipient)
        except reports.MissingDependency as exc:
            raise ReportArgumentError("--format html", str(exc)) from None
    if args.output:
        # CSV with a byte-order mark, so that spreadsheets read the Vietnamese letters.
        with open(args.output, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8",
                  newline="") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dossierflow", description="dossierflow command line")
    parser.add_argument("--version", action="version", version=f"dossierflow {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="run sample procedures over a few weeks of 2026")
    p_cal = sub.add_parser("calendar", help="print a year of the Vietnamese civil-service "
                                            "calendar")
    p_cal.add_argument("year", nargs="?", type=int, default=2026)
    p_rep = sub.add_parser(
        "report", help="a period's report: Biểu 06 (Circular 01/2020/TT-VPCP) and Decision "
                       "766/QĐ-TTg's indicators")
    p_rep.add_argument("--db", required=True, metavar="URL",
                       help="sqlite:///path.db or postgresql://user@host/database")
    p_rep.add_argument("--from", dest="start", required=True, metavar="DATE",
                       help="first day of the period (YYYY-MM-DD)")
    p_rep.add_argument("--to", dest="end", required=True, metavar="DATE",
                       help="last day of the period, included (YYYY-MM-DD)")
    p_rep.add_argument("--by", default="level,agency",
                       help=f"group rows by any of {','.join(reports.DIMENSIONS)} "
                            "(default: level,agency)")
    p_rep.add_argument("--format", choices=FORMATS, default=None,
                       help="default: from the -o file's suffix, else table")
    p_rep.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    p_rep.add_argument("--lang", choices=("vi", "en"), default="vi")
    p_rep.add_argument("--catalogue", metavar="FILE",
                       help="the portal's catalogue (.json or .toml); default: the Vietnam "
                            "catalogue shipped with dossierflow")
    p_rep.add_argument("--unit", default="", help="the reporting unit (Đơn vị báo cáo)")
    p_rep.add_argument("--recipient", default="",
                       help="who receives the report (Đơn vị nhận báo cáo)")
    p_forms = sub.add_parser("forms", help="render the forms of Circular 03/2025/TT-VPCP "
                                           "(needs the forms extra)")
    p_forms.add_argument("--demo", action="store_true", required=True,
                         help="render every form of the sample dossiers")
    p_forms.add_argument("-o", "--output", required=True, help="directory to write into")
    p_forms.add_argument("--pdf", action="store_true", help="also write PDF (pdf extra)")
    p_forms.add_argument("--language", choices=["vi", "en"], default="vi")
    p_sim = simulate_cli.add_parser(sub)
    args = parser.parse_args(argv)
    if args.command == "calendar" and not 2000 <= args.year <= 2099:
        parser.error(f"year {args.year} is outside 2000-2099, the calendar's range")
    try:
        if args.command == "calendar":
            show_calendar(args.year)
        elif args.command == "simulate":
            try:
                simulate_cli.run(args, Console())
            except DossierflowError as exc:
                p_sim.error(str(exc))
        elif args.command == "report":
            try:
                run_report(args)
            except ReportArgumentError as exc:
                p_rep.error(str(exc))
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
