"""``python -m dossierflow demo``: a few weeks of a commune one-stop desk on the 2026 calendar.

Certified copies and Decree 63/2024 group A filings arrive from 2 February to 13 March 2026
(across Tết), are received, handled step by step by the commune, the police and social
insurance, sometimes sent back for a supplement, and returned. A sweeper runs at every opening
and, for each dossier past its appointment, has the responsible agency apologise (Form 04) with
a new appointment. Each dossier's receipt slip, control slip (with each step early, on time or
late) and apologies are printed, then a summary with the on-time rate. The run is seeded, so
it prints the same every time.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from dossierflow._errors import TransitionNotAllowed
from dossierflow.calendar import WorkCalendar, vietnam
from dossierflow.catalogues import vietnam as vietnam_catalogue
from dossierflow.clock import Sla, Verdict, format_margin
from dossierflow.states import (
    Apologized,
    Channel,
    Citizen,
    CompleteStep,
    Dossier,
    Engine,
    File,
    Officer,
    Outcome,
    Rate,
    Receive,
    RequestSupplement,
    ReturnResult,
    Supplement,
    Supplemented,
    SupplementRequested,
    System,
)

FIRST_DAY = dt.date(2026, 2, 2)
LAST_FILING = dt.date(2026, 3, 13)
SWEEPER = System("deadline-sweeper")
DESK = Officer("desk-01", "ubnd_xa", "one_stop")
OFFICERS = {
    "justice_officer": Officer("justice-01", "ubnd_xa", "justice_officer"),
    "civil_status": Officer("civil-01", "ubnd_xa", "civil_status"),
    "chairman": Officer("chair-01", "ubnd_xa", "chairman"),
    "residence_officer": Officer("police-01", "ca_xa", "residence_officer"),
    "card_officer": Officer("bhxh-01", "bhxh", "card_officer"),
}
MARK = {Verdict.EARLY: "early", Verdict.ON_TIME: "on time", Verdict.LATE: "LATE"}


class _Desk:
    """One dossier's life, with the sweeper run at every opening before each command."""

    def __init__(self, engine: Engine, sla: Sla, dossier: Dossier, at: dt.datetime) -> None:
        self.engine, self.sla, self.cal = engine, sla, engine.calendar
        self.dossier, self.at = dossier, at

    def do(self, command: Any, actor: Any, at: dt.datetime) -> None:
        self._sweep_until(at)
        self.dossier, _ = self.engine.apply(self.dossier, command, at=at, actor=actor)
        self.at = at

    def after(self, hours: float) -> dt.datetime:
        return self.cal.add_working_time(self.at, dt.timedelta(hours=hours))

    def _sweep_until(self, at: dt.datetime) -> None:
        for opening in _openings(self.cal, self.at, at):
            if self.sla.overdue([self.dossier], opening):
                command = self.sla.apology(self.dossier, opening,
                                           "the dossier could not be resolved by its appointment")
                try:
                    self.dossier, _ = self.engine.apply(self.dossier, command, at=opening,
                                                        actor=SWEEPER)
                except TransitionNotAllowed:
                    continue  # an earlier apology's new appointment has not passed yet


def _openings(cal: WorkCalendar, after: dt.datetime, until: dt.datetime) -> Iterator[dt.datetime]:
    day = cal.local_date(after)
    while True:
        day = cal.next_working_day(day)
        opening = cal.next_opening(dt.datetime.combine(day, dt.time(0), ZoneInfo(cal.timezone)))
        if opening > until:
            return
        yield opening


def _filings(cal: WorkCalendar, rng: random.Random) -> Iterator[tuple[str, dt.datetime, str]]:
    tz = ZoneInfo(cal.timezone)
    day, n = FIRST_DAY, 0
    while day <= LAST_FILING:
        if cal.is_working_day(day) or rng.random() < 0.3:  # online filings come any day
            for _ in range(rng.choice([0, 1, 1, 2])):
                n += 1
                code = rng.choice(["2.000815", "LT.A", "LT.A"])
                hour = rng.choice([8, 9, 10, 11, 14, 15, 16]) if cal.is_working_day(day) \
                    else rng.choice([9, 21])
                at = dt.datetime.combine(day, dt.time(hour, rng.choice([0, 20, 40])), tz)
                yield code, at, f"H29-{day:%y%m%d}-{n:04d}"
        day += dt.timedelta(days=1)


def _life(desk: _Desk, code: str, rng: random.Random) -> None:
    applicant = Citizen(desk.dossier.applicant)
    desk.do(Receive(f"BN-{desk.dossier.id[-4:]}"), DESK,
            desk.cal.next_opening(desk.at) + dt.timedelta(minutes=5))
    if code == "2.000815":
        desk.do(CompleteStep("certify", to_person="chair-01"), OFFICERS["justice_officer"],
                desk.after(rng.uniform(0.3, 3)))
        desk.do(CompleteStep("sign", Outcome.APPROVE), OFFICERS["chairman"],
                desk.after(rng.uniform(0.2, 2.5)))
    else:
        verify = rng.random() < 0.15
        desk.do(CompleteStep("1.001193/check", data={"needs_verification": verify}),
                OFFICERS["civil_status"], desk.after(rng.uniform(0.5, 3)))
        if verify:
            desk.do(CompleteStep("1.001193/verify"), OFFICERS["civil_status"],
                    desk.after(rng.uniform(2, 6)))
        desk.do(CompleteStep("1.001193/register", Outcome.APPROVE), OFFICERS["chairman"],
                desk.after(rng.uniform(0.5, 2)))
        branches = [("1.002364/issue_card", "card_officer", rng.uniform(3, 14)),
                    ("1.004222/register_residence", "residence_officer",
                     rng.uniform(16, 28) if rng.random() < 0.2 else rng.uniform(3, 13))]
        if rng.random() < 0.2:
            desk.do(RequestSupplement(["household registration details"],
                                      "the address does not match the national database"),
                    OFFICERS["residence_officer"], desk.after(rng.uniform(1, 4)))
            desk.do(Supplement(["household registration details"]), applicant,
                    desk.at + dt.timedelta(days=rng.choice([1, 2, 3]), hours=1))
        done = sorted((desk.after(hours), step, role) for step, role, hours in branches)
        for when, step, role in done:
            desk.do(CompleteStep(step, Outcome.APPROVE), OFFICERS[role], when)
    desk.do(ReturnResult(), DESK, desk.after(rng.uniform(0.5, 4)))
    if rng.random() < 0.7:
        desk.do(Rate(rng.choice([4, 5, 5, 5])), applicant, desk.at + dt.timedelta(minutes=10))


def _fmt(at: dt.datetime | None, cal: WorkCalendar) -> str:
    if at is None:
        return "-"
    return f"{at.astimezone(ZoneInfo(cal.timezone)):%H:%M %d/%m/%Y}"


def run(out: TextIO) -> int:
    """Run the demo, printing to ``out``; returns the number of dossiers."""
    cal = vietnam()
    catalogue = vietnam_catalogue.catalogue()
    engine = Engine(catalogue, calendar=cal)
    sla = Sla(engine)
    rng = random.Random(2026)
    print(f"dossierflow demo: a commune one-stop desk, {FIRST_DAY:%d/%m} to {LAST_FILING:%d/%m}"
          f"/2026, calendar {cal.name} (fingerprint {cal.fingerprint}; Tết off 16-20/02)",
          file=out)
    print("procedures: " + "; ".join(f"{p.code} {p.name} ({p.time_limit})"
                                     for p in (catalogue.get("2.000815", 1),
                                               catalogue.get("LT.A", 1))), file=out)
    finished: list[Dossier] = []
    for code, at, ident in _filings(cal, rng):
        channel = Channel.ONLINE if code == "LT.A" or rng.random() < 0.4 else Channel.IN_PERSON
        data = {"child_name": "Nguyễn An"} if code == "LT.A" else {}
        applicant = Citizen(f"0791{rng.randrange(10**8):08d}")
        dossier, _ = engine.apply(None, File(ident, code, channel, data,
                                             applicant=applicant.id), at=at, actor=applicant)
        desk = _Desk(engine, sla, dossier, at)
        _life(desk, code, rng)
        finished.append(desk.dossier)
        _print_dossier(desk.dossier, engine, sla, out)
    _print_summary(finished, sla, out)
    return len(finished)


def _print_dossier(d: Dossier, engine: Engine, sla: Sla, out: TextIO) -> None:
    cal = engine.calendar
    proc = engine.procedure_of(d)
    received = d.receipt
    assert received is not None
    verdict = sla.classify(d)
    print(f"\n{d.id}  {proc.code} {proc.name}  [{d.channel.name.lower().replace('_', ' ')}]",
          file=out)
    appointment = received.appointment
    print(f"  receipt slip (Form 01): filed {_fmt(d.history[0].at, cal)}, received "
          f"{_fmt(received.at, cal)} by {received.agency}; appointment "
          f"{_fmt(appointment.due if appointment else None, cal)}", file=out)
    print("  process control slip (Form 06):", file=out)
    for row in sla.control_slip(d):
        judged = ""
        if row.verdict is not None:
            step = proc.step(row.step)
            judged = f"{MARK[row.verdict]} ({format_margin(row.margin, language='en')} vs " \
                f"{step.allotment})"
        sender = f"{row.from_unit}/{row.from_person}"
        print(f"    {_fmt(row.at, cal)}  {row.step:<28} {sender:<19} -> {row.to_unit:<12} "
              f"{judged}".rstrip(), file=out)
    for e in d.history:
        if isinstance(e, SupplementRequested):
            print(f"  supplement requested (Form 02) {_fmt(e.at, cal)} by {e.agency}: "
                  f"{', '.join(e.items)} ({e.reason}); clock paused", file=out)
        if isinstance(e, Supplemented):
            print(f"  supplement received {_fmt(e.at, cal)}; clock resumed", file=out)
        if isinstance(e, Apologized):
            print(f"  apology (Form 04) {_fmt(e.at, cal)} from {e.agency}: {e.reason}; new "
                  f"appointment {_fmt(e.new_appointment, cal)}", file=out)
    result = MARK[verdict.verdict] if verdict.verdict else "not judged"
    cause = f", caused by {verdict.responsible}" if verdict.responsible else ""
    print(f"  resolved {_fmt(verdict.ended, cal)}: {result} "
          f"({format_margin(verdict.margin, language='en')} in working time{cause}); "
          f"{d.status.value}", file=out)


def _print_summary(dossiers: list[Dossier], sla: Sla, out: TextIO) -> None:
    verdicts = [sla.classify(d) for d in dossiers]
    judged = [v for v in verdicts if v.verdict is not None]
    in_time = [v for v in judged if v.verdict is not None and v.verdict.in_time]
    early = [v for v in judged if v.verdict is Verdict.EARLY]
    late = [v for v in judged if v.verdict is Verdict.LATE]
    apologies = sum(isinstance(e, Apologized) for d in dossiers for e in d.history)
    by_agency: dict[str, int] = {}
    for v in late:
        by_agency[v.responsible or "?"] = by_agency.get(v.responsible or "?", 0) + 1
    rate = 100 * len(in_time) / len(judged) if judged else 0.0
    print(f"\nsummary: {len(dossiers)} dossiers, {len(judged)} judged; early {len(early)}, on "
          f"time {len(in_time) - len(early)}, late {len(late)}; on-time rate {rate:.1f}% "
          "(early counts as on time, Decision 766/QĐ-TTg)", file=out)
    if by_agency:
        print("late by responsible agency: " + ", ".join(
            f"{a} {n}" for a, n in sorted(by_agency.items())) +
            f"; apologies sent (Form 04): {apologies}", file=out)
