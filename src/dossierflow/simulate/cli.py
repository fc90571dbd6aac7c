"""The command line of the simulation (``dossierflow simulate``, wired in by
``dossierflow.__main__``): a province's period through the engine and the store, with a
progress bar, the console summary a provincial report opens with, the Biểu 06 table and
Decision 766's indicators, and the HTML report written to a path it prints."""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from dossierflow import catalogues, reports
from dossierflow._errors import InvalidArgument
from dossierflow.reports import Counts, Inputs, Period, Report
from dossierflow.simulate._profile import PROFILES, load_profile, shipped_profile_text
from dossierflow.simulate._province import build
from dossierflow.simulate._report import report_of
from dossierflow.simulate._run import Simulation, simulate
from dossierflow.store import Store


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the ``simulate`` subcommand to ``sub`` (what ``add_subparsers()`` returned)."""
    p: argparse.ArgumentParser = sub.add_parser(
        "simulate", help="a province's year of dossiers through the engine and the store, "
                         "and its report")
    p.add_argument("--profile", default=PROFILES[0], metavar="NAME|FILE",
                   help=f"a shipped profile ({', '.join(PROFILES)}; default {PROFILES[0]}) "
                        "or a profile file (TOML, docs/simulate.md)")
    p.add_argument("--seed", type=int, default=1, help="the same seed gives the same report")
    p.add_argument("--scale", type=float, default=1.0,
                   help="below 1: a share of each kind of unit; above 1: larger units")
    p.add_argument("--from", dest="start", metavar="DATE", help="first day (YYYY-MM-DD; "
                   "default: the profile's)")
    p.add_argument("--to", dest="end", metavar="DATE", help="last day, included")
    p.add_argument("--db", metavar="URL", help="postgresql://user@host/db, or a SQLite file "
                   "(default: OUT/dossiers.db, replaced)")
    p.add_argument("--out", default="dossierflow-simulation", metavar="DIR",
                   help="where the database, the catalogue and the HTML report go")
    p.add_argument("--lang", choices=("vi", "en"), default="en")
    p.add_argument("--print-profile", action="store_true",
                   help="print the shipped profile's TOML (to copy and edit) and exit")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def _date(text: str | None, name: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidArgument(f"{name} must be a date such as 2026-03-01, got {text!r}") \
            from None


def run(args: argparse.Namespace, console: Console) -> Path | None:
    """Run the command; returns the HTML report's path (None if it could not be written)."""
    if args.print_profile:
        console.file.write(shipped_profile_text(args.profile))
        return None
    profile = load_profile(args.profile)
    province = build(profile)
    start = _date(args.start, "--from") or profile.start
    end = _date(args.end, "--to") or profile.end
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.db and args.db.startswith(("postgresql:", "postgresql+psycopg:")):
        store = Store.postgresql(args.db, province.engine, clock_tolerance=None)
    else:
        path = Path(args.db.removeprefix("sqlite:///")) if args.db else out / "dossiers.db"
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        store = Store.sqlite(path, province.engine, clock_tolerance=None)
    (out / "catalogue.json").write_text(catalogues.to_json(province.engine.catalogue),
                                        encoding="utf-8")
    days = (end - start).days + 1
    began = time.monotonic()
    with store, Progress(TextColumn("{task.description}"), BarColumn(),
                         TextColumn("{task.fields[detail]}"), TimeElapsedColumn(),
                         console=console, disable=args.quiet, transient=False) as bar:
        task = bar.add_task("simulating", total=days, detail="")

        def progress(day: dt.date, dossiers: int, commands: int) -> None:
            rate = commands / max(time.monotonic() - began, 1e-9)
            bar.update(task, completed=(day - start).days + 1,
                       detail=f"{day:%d/%m/%Y}  {dossiers:,} dossiers  {rate:,.0f} commands/s")

        result = simulate(province, store, seed=args.seed, scale=args.scale, start=start,
                          end=end, progress=progress)
        bar.update(task, description="reporting")
        period = Period(start, end)
        inputs = Inputs(e_copies=result.e_copy_communes / result.copy_communes
                        if result.copy_communes else None)
        report = report_of(store, period, inputs=inputs)
    names = {u.id: u.name for u in profile.units}
    summary(console, profile.name, result, report)
    reports.print_report(report, console, lang=args.lang, names=names)
    html = out / "report.html"
    try:
        html.write_text(reports.to_html(report, lang=args.lang, names=names,
                                        unit=profile.name), encoding="utf-8")
    except reports.MissingDependency as exc:
        console.print(f"HTML report not written: {exc}")
        return None
    console.print(f"HTML report: {html.resolve()}")
    console.print(f"database: {args.db or (out / 'dossiers.db').resolve()} (catalogue: "
                  f"{(out / 'catalogue.json').resolve()}, for dossierflow report --catalogue)")
    return html


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.2f}% ({part:,}/{whole:,})" if whole else "-"


def summary(console: Console, name: str, result: Simulation, report: Report) -> None:
    """The lines a provincial year-end report opens with."""
    c: Counts = report.total
    console.print(f"\n{name}: {result.start:%d/%m/%Y} to {result.end:%d/%m/%Y}, seed "
                  f"{result.seed}, scale {result.scale:g}, {result.units} receiving units")
    console.print(f"  dossiers received {c.received_in_period:,} (online "
                  f"{_pct(c.received_online, c.received_in_period)}), carried over "
                  f"{c.carried_over:,}; resolved {c.resolved_total:,}, pending "
                  f"{c.pending_total:,}")
    console.print(f"  resolved early or on time: {_pct(c.in_time, c.judged)}")
    console.print(f"  paid online: {_pct(c.paid_online, c.fee_bearing)} of fee-bearing "
                  "dossiers (target 30%, Resolution 01/NQ-CP)")
    console.print(f"  satisfied (ratings of 3 to 5): "
                  f"{_pct(c.rated - c.rated_unsatisfied, c.rated)}")
    console.print(f"  apologies (Form 04) {result.apologised:,}; stopped for want of a "
                  f"supplement {result.stopped:,}; notices delivered {result.notices:,}; "
                  f"communes issuing electronic certified copies "
                  f"{result.e_copy_communes}/{result.copy_communes}")
    console.print(f"  {result.commands:,} commands, {result.events:,} events; refused by the "
                  f"engine: {result.refused}")
