"""Hypothesis strategies for property-testing procedures and deadline logic.

Needs hypothesis (``pip install 'dossierflow[testing]'``). Strategies follow hypothesis' own
style: functions returning strategies, keyword-only arguments, bounds named
``min_value``/``max_value``, arguments validated when the strategy is built.

- :func:`calendars`: working calendars with random days off, make-up days and office hours.
- :func:`time_limits`: statutory limits in every unit.
- :func:`instants`: instants inside or outside a calendar's office hours.
- :func:`moves` and :func:`command_sequences`: commands with the actor issuing them, either
  anyone or the one entitled to.
- :func:`dossiers`: dossiers of a procedure after a life that reaches every status, on time
  or late, supplemented, paused, extended, apologised for, down every branch of its choices;
  knobs (``finished=``, ``late=``, ...) ask for one kind. :func:`branches` and
  :func:`branches_taken` tell which choice branches a set of dossiers covered.
- :func:`procedure_state_machine`: a ready ``RuleBasedStateMachine`` that checks the engine's and
  the clock's invariants on a procedure; run it with ``run_state_machine_as_test`` or expose its
  ``TestCase`` to pytest.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from dossierflow import DossierflowError, InvalidArgument
from dossierflow.calendar import DayOff, MakeupWorkday, OfficeHours, WorkCalendar
from dossierflow.clock import Sla, Verdict
from dossierflow.rules import (
    Convention,
    Measure,
    TimeLimit,
    Unit,
    VaryingLimit,
    calendar_days,
    months,
    same_day,
    working_days,
    working_hours,
)
from dossierflow.states import (
    AnswerComplaint,
    Apologize,
    Apologized,
    Channel,
    Choice,
    Citizen,
    Complain,
    CompleteStep,
    Dossier,
    End,
    Engine,
    Extend,
    File,
    Filed,
    HandOff,
    Officer,
    Outcome,
    Pause,
    Paused,
    PayFee,
    PaymentMethod,
    Procedure,
    Rate,
    Receive,
    Received,
    Refuse,
    RequestSupplement,
    Resume,
    ReturnResult,
    Status,
    Step,
    StepCompleted,
    Stop,
    Supplement,
    SupplementRequested,
    System,
    Withdraw,
    dossier_from_json,
    to_json,
)

__all__ = [
    "APPLICANT",
    "SYSTEM",
    "branches",
    "branches_taken",
    "calendars",
    "command_for",
    "command_sequences",
    "dossiers",
    "instants",
    "moves",
    "procedure_state_machine",
    "time_limits",
    "triggers",
    "with_convention",
]

APPLICANT = Citizen("079000000001")
"""The applicant of every generated dossier."""
SYSTEM = System("hypothesis")
_SESSIONS = ["07:30-11:30", "08:00-12:00", "13:00-17:00", "13:30-16:30", "08:00-11:30"]


def _year(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 9998:
        raise InvalidArgument(f"{name}={value!r} must be a year between 1 and 9998")
    return value


@st.composite
def _calendar(draw: st.DrawFn, min_value: int, max_value: int, weekend_work: bool,
              timezones: tuple[str, ...]) -> WorkCalendar:
    weekmask = draw(st.sampled_from(["1111100", "1111100", "1111110", "0111110"]))
    first = dt.date(min_value, 1, 1).toordinal()
    last = dt.date(max_value, 12, 31).toordinal()
    days = st.integers(first, last).map(dt.date.fromordinal)
    offs = draw(st.lists(days, max_size=40, unique=True))
    makeups: list[dt.date] = []
    if weekend_work:
        makeups = [d for d in draw(st.lists(days, max_size=15, unique=True))
                   if weekmask[d.weekday()] == "0" and d not in offs]
    morning = draw(st.sampled_from(_SESSIONS[:2] + _SESSIONS[4:]))
    afternoon = draw(st.sampled_from([None, *_SESSIONS[2:4]]))
    hours = OfficeHours.uniform([morning] if afternoon is None else [morning, afternoon])
    return WorkCalendar(
        name="generated", timezone=draw(st.sampled_from(timezones)), first_year=min_value,
        last_year=max_value, weekmask=weekmask, office_hours=hours,
        days_off=[DayOff(d, "generated day off", "hypothesis") for d in offs],
        makeup_workdays=[MakeupWorkday(d, "generated make-up day", "hypothesis")
                         for d in makeups],
    )


def calendars(*, min_value: int = 2024, max_value: int = 2028, weekend_work: bool = True,
              timezones: tuple[str, ...] = ("Asia/Ho_Chi_Minh", "Asia/Bangkok", "UTC"),
              ) -> st.SearchStrategy[WorkCalendar]:
    """Calendars covering the years ``min_value``..``max_value`` with random weekmasks, days
    off, office sessions and (``weekend_work``) make-up working days on weekends.

    ``timezones`` should be zones without daylight saving: working time is counted on the wall
    clock, so a zone that skips an hour skips office time too."""
    lo, hi = _year(min_value, "min_value"), _year(max_value, "max_value")
    if lo > hi:
        raise InvalidArgument(f"min_value={lo} is after max_value={hi}")
    if not timezones or not all(isinstance(z, str) for z in timezones):
        raise InvalidArgument(f"timezones={timezones!r} must name at least one IANA zone")
    for zone in timezones:
        ZoneInfo(zone)
    return _calendar(lo, hi, bool(weekend_work), tuple(timezones))


def time_limits(*, units: tuple[Unit, ...] | None = None, max_value: int = 20,
                cutoff: bool | None = None) -> st.SearchStrategy[TimeLimit]:
    """Time limits in ``units`` (all by default) of at most ``max_value`` (days, hours or
    months); ``cutoff`` True or False forces a cut-off time or none."""
    if isinstance(max_value, bool) or not isinstance(max_value, int) or max_value < 1:
        raise InvalidArgument(f"max_value={max_value!r} must be a whole number from 1")
    chosen = tuple(Unit) if units is None else tuple(units)
    if not chosen or not all(isinstance(u, Unit) for u in chosen):
        raise InvalidArgument(f"units={units!r} must list Unit values")
    cutoffs: st.SearchStrategy[dt.time | None]
    if cutoff is None:
        cutoffs = st.one_of(st.none(), st.sampled_from([dt.time(15), dt.time(16, 30)]))
    elif cutoff:
        cutoffs = st.sampled_from([dt.time(15), dt.time(16, 30)])
    else:
        cutoffs = st.none()
    makers = {
        Unit.WORKING_DAYS: st.builds(working_days, st.integers(0, 2 * max_value).map(
            lambda n: n / 2), cutoff=cutoffs),
        Unit.WORKING_HOURS: st.builds(working_hours, st.integers(0, 8 * max_value),
                                      cutoff=cutoffs),
        Unit.SAME_DAY: st.builds(same_day, cutoff=cutoffs.filter(lambda c: c is not None)
                                 if cutoff is not False else st.just(dt.time(15))),
        Unit.CALENDAR_DAYS: st.builds(calendar_days, st.integers(0, max_value),
                                      cutoff=cutoffs),
        Unit.MONTHS: st.builds(months, st.integers(0, max(1, max_value // 10)),
                               cutoff=cutoffs),
    }
    return st.one_of([makers[u] for u in chosen])


def instants(calendar: WorkCalendar, *, open: bool | None = None,
             min_value: dt.date | None = None,
             max_value: dt.date | None = None) -> st.SearchStrategy[dt.datetime]:
    """Aware instants on ``calendar``'s zone between the dates ``min_value`` and
    ``max_value`` (the calendar's range by default, one year short at each end so that
    deadlines stay inside it); ``open`` True or False keeps only instants when the office is
    open or closed."""
    if not isinstance(calendar, WorkCalendar):
        raise InvalidArgument(f"calendar={calendar!r} must be a WorkCalendar")
    lo = min_value or dt.date(calendar.first_year, 1, 1)
    hi = max_value or dt.date(calendar.last_year, 12, 31)
    if min_value is None and calendar.last_year > calendar.first_year:
        hi = dt.date(calendar.last_year - 1, 12, 31)
    if lo > hi:
        raise InvalidArgument(f"min_value={lo} is after max_value={hi}")
    zone = ZoneInfo(calendar.timezone)
    base = st.builds(
        lambda day, minute: dt.datetime.combine(day, dt.time(minute // 60, minute % 60), zone),
        st.dates(lo, hi), st.integers(0, 24 * 60 - 1))
    if open is None:
        return base
    return base.filter(lambda t: calendar.is_open(t) is open)


# ------------------------------------------------------------------------ commands and actors


def _desk(proc: Procedure) -> Officer:
    return Officer("desk", proc.receivers[0], proc.reception_role)


def _owner(proc: Procedure, step: str) -> Officer:
    role = proc.step(step).owner
    return Officer(f"{role.agency}-{role.role}", role.agency, role.role)


def _actors(proc: Procedure) -> list[Any]:
    officers = sorted({_owner(proc, s.name) for s in proc.steps}, key=str)
    return [APPLICANT, Citizen("someone-else"), SYSTEM, _desk(proc),
            Officer("stray", "elsewhere", proc.reception_role), *officers]


def _data(proc: Procedure) -> st.SearchStrategy[dict[str, Any]]:
    fields = {f.name: st.booleans() for f in proc.data if f.type is bool}
    return st.fixed_dictionaries({}, optional=fields)


def triggers(proc: Procedure) -> list[str]:
    """The names of every command (per step, for step commands) a dossier of ``proc`` may
    receive; the same names as the triggers of ``proc.to_machine()``."""
    names = ["receive", "refuse", "request_supplement", "supplement", "pause", "resume",
             "withdraw", "stop", "return_result", "rate"]
    for s in proc.steps:
        names += [f"complete_step:{s.name}", f"reject:{s.name}", f"hand_off:{s.name}"]
    return names


def command_for(proc: Procedure, dossier: Dossier, trigger: str,
                data: dict[str, Any] | None = None) -> tuple[Any, Any]:
    """The command named ``trigger`` (see :func:`triggers`) and an actor entitled to issue it
    on ``dossier``."""
    kind, _, step = trigger.partition(":")
    if kind in ("complete_step", "reject", "hand_off"):
        actor = _owner(proc, step)
        if kind == "hand_off":
            return HandOff(step, "colleague"), actor
        if kind == "reject":
            return CompleteStep(step, Outcome.REJECT, note="reasons"), actor
        return CompleteStep(step, Outcome.FORWARD, data=data or {}), actor
    if kind in ("supplement", "withdraw", "rate"):
        command = {"supplement": Supplement(["document"]), "withdraw": Withdraw(),
                   "rate": Rate(5)}[kind]
        return command, APPLICANT
    holder = _owner(proc, dossier.active[0].step) if dossier.active else _desk(proc)
    table: dict[str, tuple[Any, Any]] = {
        "receive": (Receive("BN-1"), _desk(proc)),
        "refuse": (Refuse("ineligible"), _desk(proc)),
        "request_supplement": (RequestSupplement(["document"]),
                               _desk(proc) if dossier.status is Status.FILED else holder),
        "pause": (Pause("waiting for land tax", "Decree 118/2025/NĐ-CP"), holder),
        "resume": (Resume(), SYSTEM),
        "stop": (Stop("no supplement came", "Circular 03/2025/TT-VPCP"), SYSTEM),
        "return_result": (ReturnResult(), _desk(proc)),
    }
    if kind not in table:
        raise InvalidArgument(f"unknown trigger {trigger!r}; see triggers(procedure)")
    return table[kind]


def _any_command(proc: Procedure) -> st.SearchStrategy[Any]:
    steps = st.sampled_from([s.name for s in proc.steps])
    agencies = st.sampled_from([a.id for a in proc.agencies])
    return st.one_of(
        st.builds(Receive, receipt_no=st.sampled_from(["BN-1", ""])),
        st.just(Refuse("ineligible")),
        st.just(RequestSupplement(["document"])),
        st.just(Supplement(["document"])),
        st.builds(CompleteStep, step=steps, outcome=st.sampled_from(Outcome),
                  data=_data(proc), note=st.sampled_from(["", "reasons"])),
        st.builds(HandOff, step=steps, to_person=st.just("colleague")),
        st.just(Pause("waiting for land tax", "Decree 118/2025/NĐ-CP")),
        st.just(Resume()),
        st.just(Extend(working_days(1), "complex", "basis")),
        st.just(ReturnResult()),
        st.just(Withdraw()),
        st.just(Stop("no supplement came", "Circular 03/2025/TT-VPCP")),
        st.builds(Rate, score=st.integers(0, 6)),
        st.builds(Apologize, agency=agencies, reason=st.just("backlog"),
                  new_appointment=st.just(dt.datetime(2100, 1, 1, tzinfo=dt.UTC))),
        st.builds(PayFee, amount=st.sampled_from([0, 2_000]),
                  method=st.sampled_from(PaymentMethod)),
        st.just(Complain("the desk was slow")),
        st.builds(AnswerComplaint, answer=st.just("we apologise"),
                  satisfied=st.sampled_from([None, True, False])),
    )


def moves(proc: Procedure, *, entitled: bool | None = None) -> st.SearchStrategy[Any]:
    """Functions of a dossier giving a (command, actor) pair: by anyone (``entitled=False``),
    by the actor entitled to it (``True``), or either (None)."""
    if not isinstance(proc, Procedure):
        raise InvalidArgument(f"proc={proc!r} must be a Procedure")
    anyone = st.tuples(_any_command(proc), st.sampled_from(_actors(proc))).map(
        lambda pair: (lambda dossier: pair))
    right = st.tuples(st.sampled_from(triggers(proc)), _data(proc)).map(
        lambda pair: (lambda dossier: command_for(proc, dossier, pair[0], pair[1])))
    if entitled is None:
        return st.one_of(anyone, right)
    return right if entitled else anyone


def command_sequences(proc: Procedure, *, min_size: int = 0, max_size: int = 30,
                      entitled: bool | None = None) -> st.SearchStrategy[list[Any]]:
    """Lists of :func:`moves` with the minutes that pass before each."""
    if not 0 <= min_size <= max_size:
        raise InvalidArgument(f"need 0 <= min_size <= max_size, got {min_size}, {max_size}")
    return st.lists(st.tuples(moves(proc, entitled=entitled), st.integers(0, 24 * 60)),
                    min_size=min_size, max_size=max_size)


def _file(engine: Engine, proc: Procedure, at: dt.datetime) -> Dossier:
    data = {f.name: _example(f.type) for f in proc.data if f.required}
    dossier, _ = engine.apply(None, File("D-1", proc.code, Channel.ONLINE, data,
                                         version=proc.version), at=at, actor=APPLICANT)
    return dossier


def _example(kind: type) -> Any:
    return {str: "x", int: 1, float: 1.0, bool: False}[kind]


# ------------------------------------------------------------------------------ dossier lives

_PROGRESS, _DETOUR, _ENDING, _APOLOGY = 0, 1, 2, 3
_BANDS = (68, 88, 93)
"""A free move draws a number below 100: below 68 the dossier moves on (received, a step
completed, documents supplemented, resumed, the result returned, rated), below 88 it takes a
detour (a supplement request, a pause, a handoff, an extension), below 93 its life ends early
(refused, rejected, withdrawn, stopped); otherwise the walk ends and the dossier stays where it
is. Shrinking moves towards 0: the plain path from filing to the returned result."""
_TEMPOS = (0.3, 0.8, 2.5)
"""How long a life's steps take together, as a share of the procedure's time limit: brisk
lives finish early, steady ones about on time (now and then a little late), slow ones late:
unless the knobs say otherwise, a slow life is steered past its appointment."""
_FREE_MOVES = 20
"""Commands drawn freely before the walk steers the life to what the knobs ask."""
_PAUSE = Pause("waiting for land tax to be paid", "Decree 118/2025/NĐ-CP")
_STOP = Stop("no supplement came", "Circular 03/2025/TT-VPCP")
_SORRY = "the case needed checks with another agency"


def _tristate(value: object, name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise InvalidArgument(f"{name}={value!r} must be True, False or None (either)")


def _done(status: Status) -> bool:
    """Final, or resolved with the result waiting at the desk: no more handling."""
    return status.is_final or status is Status.RESOLVED


def _limit_hours(proc: Procedure) -> float:
    """About how much office time ``proc``'s time limit gives, in hours."""
    limit = proc.time_limit
    if limit is None:
        return 8.0 * len(proc.steps)
    if isinstance(limit, VaryingLimit):  # the shortest of its limits: lateness stays reachable
        limit = min(limit.limits, key=lambda x: x.max_working_hours() or Decimal(10**9))
    hours = limit.max_working_hours()
    if hours is None:  # calendar days (five working days a week) or months (22 a month)
        per = 8 * 5 / 7 if limit.unit is Unit.CALENDAR_DAYS else 8 * 22
        return max(1.0, float(limit.amount) * per)
    return max(1.0, float(hours))


def _miss(kind: type, used: list[Any]) -> Any:
    """A value of ``kind`` equal to none of ``used`` (None if there is none)."""
    if kind is bool:
        rest = [v for v in (False, True) if v not in used]
        return rest[0] if rest else None
    if kind is str:
        return "-".join(sorted(str(v) for v in used)) + "-other"
    return kind(max(used) + 1)


def _branch_data(proc: Procedure, step: Step) -> list[dict[str, Any]]:
    """The data a completion of ``step`` sets to take each branch of its choice (its options in
    order, then ``otherwise``; unreachable ones left out), or one empty update when it does not
    choose."""
    then = step.then
    if not isinstance(then, Choice):
        return [{}]
    types = {f.name: f.type for f in proc.data}
    used: dict[str, list[Any]] = {}
    for option in then.options:
        used.setdefault(option.field, []).append(option.equals)
    miss = {name: _miss(types[name], values) for name, values in used.items()}
    variants = []
    for k in range(len(then.options) + 1):
        data: dict[str, Any] = {}
        for earlier in then.options[:k]:
            data[earlier.field] = miss[earlier.field]
        if k < len(then.options):
            data[then.options[k].field] = then.options[k].equals
        if all(v is not None for v in data.values()):
            variants.append(data)
    return variants


@attrs.frozen
class _Knobs:
    finished: bool | None
    late: bool | None
    supplemented: bool | None
    paused: bool | None
    apologized: bool | None


_Option = tuple[int, Any, Any, Dossier]
"""A command the engine accepts now: its kind (progress, detour, ending, apology), the command,
its actor and the dossier after it."""


class _Lives:
    """What every generated life of one procedure shares: the engine and its clock, the
    commands each status may take with an entitled actor, and what the knobs ask."""

    def __init__(self, engine: Engine, proc: Procedure, knobs: _Knobs) -> None:
        self.engine = engine
        self.proc = proc
        self.sla = Sla(engine)
        self.knobs = knobs
        self.desk = _desk(proc)
        self.variants = {s.name: _branch_data(proc, s) for s in proc.steps}
        self.step_minutes = _limit_hours(proc) * 60 / len(proc.steps)
        self.tempos = {None: _TEMPOS, False: _TEMPOS[:2], True: _TEMPOS[2:]}[knobs.late]
        self.stop_after = _FREE_MOVES + 3 * len(proc.steps) + 6
        extension = proc.max_extension
        self.extend = None if extension is None else Extend(
            extension, "the case needs verification with another agency",
            extension.legal_basis or proc.legal_basis)
        self.slow: _Lives | None = None  # the same lives, steered past the appointment
        if knobs.late is None and proc.time_limit is not None:
            self.slow = copy.copy(self)
            self.slow.knobs = attrs.evolve(knobs, late=True)

    def __repr__(self) -> str:
        asked = ", ".join(f"{k}={v}" for k, v in attrs.asdict(self.knobs).items()
                          if v is not None)
        return f"<lives of {self.proc.code} v{self.proc.version}{': ' if asked else ''}{asked}>"

    # ----------------------------------------------------------------- what may happen next

    def commands(self, d: Dossier, overdue: bool) -> list[tuple[int, Any, Any]]:
        """Every command ``d``'s status admits, each with an actor entitled to it, that the
        knobs do not rule out."""
        proc, knobs = self.proc, self.knobs
        out: list[tuple[int, Any, Any]] = []
        active = d.active_steps
        holder = _owner(proc, active[0]) if active else self.desk
        for name in self.engine.allowed(d):
            if name == "receive":
                out.append((_PROGRESS, Receive("BN-1"), self.desk))
            elif name == "refuse":
                out.append((_ENDING, Refuse("the applicant is not eligible"), self.desk))
            elif name == "request_supplement" and knobs.supplemented is not False:
                items = RequestSupplement(["a certified copy of the birth notice"])
                if d.status is Status.FILED:
                    out.append((_DETOUR, items, self.desk))
                else:
                    owners = {_owner(proc, s) for s in active}
                    out += [(_DETOUR, items, o) for o in sorted(owners, key=str)]
            elif name == "supplement":
                out.append((_PROGRESS, Supplement(["the certified copy"]), APPLICANT))
            elif name == "complete_step":
                for s in active:
                    step = proc.step(s)
                    outcome = Outcome.APPROVE if isinstance(step.then, End) else Outcome.FORWARD
                    out += [(_PROGRESS, CompleteStep(s, outcome, data=data), _owner(proc, s))
                            for data in self.variants[s]]
                    if step.can_reject:
                        out.append((_ENDING, CompleteStep(s, Outcome.REJECT,
                                                          note="the documents contradict"),
                                    _owner(proc, s)))
            elif name == "hand_off":
                out += [(_DETOUR, HandOff(s, "colleague"), _owner(proc, s)) for s in active]
            elif name == "pause" and knobs.paused is not False and active:
                out.append((_DETOUR, _PAUSE, holder))
            elif name == "resume":
                out.append((_PROGRESS, Resume(), SYSTEM))
            elif name == "extend" and self.extend is not None and active and not overdue:
                out.append((_DETOUR, self.extend, holder))
            elif name == "withdraw":
                out.append((_ENDING, Withdraw("the family moved"), APPLICANT))
            elif name == "stop":
                actor = self.desk if d.status is Status.AWAITING_SUPPLEMENT else holder
                out.append((_ENDING, _STOP, actor))
            elif name == "return_result":
                out.append((_PROGRESS, ReturnResult(), self.desk))
            elif name == "rate":
                out += [(_PROGRESS, Rate(score), APPLICANT) for score in (5, 4, 3, 2, 1)]
        return out

    def options(self, d: Dossier, at: dt.datetime) -> list[_Option]:
        """The commands the engine accepts at ``at`` and the knobs allow, with their result;
        an apology (Form 04, from the system) when ``d`` is overdue."""
        overdue = bool(self.sla.overdue([d], at))
        found: list[_Option] = []
        for kind, command, actor in self.commands(d, overdue):
            try:
                after, _ = self.engine.apply(d, command, at=at, actor=actor)
            except DossierflowError:
                continue
            if self.allows(d, after, at):
                found.append((kind, command, actor, after))
        if overdue and self.knobs.apologized is not False and \
                "apologize" in self.engine.allowed(d):
            try:
                sorry = self.sla.apology(d, at, _SORRY)
                after, _ = self.engine.apply(d, sorry, at=at, actor=SYSTEM)
            except DossierflowError:
                return found
            found.append((_APOLOGY, sorry, SYSTEM, after))
        return found

    def allows(self, d: Dossier, after: Dossier, at: dt.datetime) -> bool:
        """Whether the knobs let ``d`` become ``after``: a life that must stay open never ends;
        one that must be late is neither refused nor withdrawn, and ends in time only while its
        clock runs (the walk then moves the end past the appointment); none ends while it still
        owes a supplement request, a pause or an apology."""
        if not _done(after.status) or _done(d.status):
            return True
        if self.knobs.finished is False or self.pending(d, late=False):
            return False
        if self.knobs.late:
            if after.status in (Status.REFUSED, Status.WITHDRAWN):
                return False
            return self.late(after, at) or self.sla.due(d) is not None
        return True

    def pending(self, d: Dossier, *, late: bool = True) -> set[str]:
        """What the knobs ask that ``d``'s life has not done yet."""
        knobs, kinds = self.knobs, {type(e) for e in d.history}
        owed = set()
        if knobs.supplemented and SupplementRequested not in kinds:
            owed.add("supplement")
        if knobs.paused and Paused not in kinds:
            owed.add("pause")
        if knobs.apologized and Apologized not in kinds:
            owed.add("apology")
        if late and knobs.late and not self.late(d, d.history[-1].at):
            owed.add("late")
        return owed

    def late(self, d: Dossier, at: dt.datetime) -> bool:
        return self.sla.classify(d, at).verdict is Verdict.LATE

    def honours(self, d: Dossier) -> bool:
        """Whether ``d`` is what the knobs ask (the walk makes it so; this is the check)."""
        knobs, kinds = self.knobs, {type(e) for e in d.history}
        if knobs.late is not None and knobs.late is not self.late(d, d.history[-1].at):
            return False
        wanted = [(knobs.finished, _done(d.status)),
                  (knobs.supplemented, SupplementRequested in kinds),
                  (knobs.paused, Paused in kinds),
                  (knobs.apologized, Apologized in kinds)]
        return all(want is None or want is got for want, got in wanted)

    # ---------------------------------------------------------------------------- the walk

    def walk(self, draw: st.DrawFn, start: dt.datetime) -> Dossier:
        """File a dossier at ``start``, then move it on: at each point a command its status
        admits, after some office time. Free moves first; then the walk steers to what the
        knobs still ask (and, for ``finished=True``, to an end)."""
        tempo = draw(st.sampled_from(self.tempos))
        most = max(1, round(2 * self.step_minutes * tempo))
        if tempo == _TEMPOS[-1] and self.slow is not None:
            return self.slow.run(draw, start, most)
        return self.run(draw, start, most)

    def run(self, draw: st.DrawFn, start: dt.datetime, most: int) -> Dossier:
        d, at = _file(self.engine, self.proc, start), start
        for n in range(self.stop_after + 10):
            t = self.advance(draw, d, at, most)
            options = self.options(d, t)
            if not options:
                break
            pending = self.pending(d)
            may_end = not pending and (self.knobs.finished is not True or _done(d.status))
            chosen: _Option | None
            if n < _FREE_MOVES:
                chosen = self.choose(draw, options, may_end)
            elif may_end:
                break
            else:
                chosen, t = self.steer(draw, d, t, options, pending, n >= self.stop_after)
            if chosen is None:
                break
            _, command, actor, after = chosen
            if "late" in pending and _done(after.status) and not _done(d.status) and \
                    not self.late(after, t):
                t = self.past_due(draw, d, t, most)
                after, _ = self.engine.apply(d, command, at=t, actor=actor)
            d, at = after, t
        return d

    def advance(self, draw: st.DrawFn, d: Dossier, at: dt.datetime,
                most: int) -> dt.datetime:
        """``at`` plus some office time; when lives must be on time, never past the
        appointment nor past the instant the running clock uses up its budget (the two differ
        for same-day limits resumed after a pause, and a stopped clock is judged by the
        budget)."""
        minutes = draw(st.integers(0, most))
        calendar = self.engine.calendar
        t = calendar.add_working_time(at, dt.timedelta(minutes=minutes))
        if self.knobs.late is False:
            state = self.sla.clock(d)
            if state is not None and state.running_since is not None and state.due is not None:
                room = max(state.remaining, dt.timedelta(0))
                spent = calendar.add_working_time(state.running_since, room) \
                    if state.measure is Measure.WORKING else state.running_since + room
                return max(at, min(t, state.due, spent))
        return t

    def past_due(self, draw: st.DrawFn, d: Dossier, t: dt.datetime,
                 most: int) -> dt.datetime:
        """An instant after ``d``'s appointment (its clock runs) and not before ``t``."""
        due = self.sla.due(d)
        assert due is not None
        minutes = draw(st.integers(1, most))
        return self.engine.calendar.add_working_time(max(t, due),
                                                     dt.timedelta(minutes=minutes))

    def choose(self, draw: st.DrawFn, options: list[_Option],
               may_end: bool) -> _Option | None:
        """A free move: an overdue dossier's apology half the time, else a band (see
        :data:`_BANDS`); None ends the walk."""
        apologies = [o for o in options if o[0] == _APOLOGY]
        if apologies:
            sorry: bool = draw(st.booleans())
            if sorry:
                return apologies[0]
        band = draw(st.integers(0, 99))
        kind = next((k for k, top in enumerate(_BANDS) if band < top), None)
        if kind is None and may_end:
            return None
        for k in (kind, _PROGRESS, _DETOUR, _ENDING, _APOLOGY):
            group = [o for o in options if o[0] == k]
            if group:
                return group[draw(st.integers(0, len(group) - 1))] if len(group) > 1 \
                    else group[0]
        return None  # pragma: no cover - options is not empty

    def steer(self, draw: st.DrawFn, d: Dossier, t: dt.datetime, options: list[_Option],
              pending: set[str], stop: bool) -> tuple[_Option | None, dt.datetime]:
        """A move towards what the knobs still ask: the supplement request, the pause, the
        appointment passed (with an apology when one is owed or allowed), then on to an end
        (a stop, for lives that ``stop`` says have looped long enough)."""
        for need, command in (("supplement", RequestSupplement), ("pause", Pause),
                              ("apology", Apologize)):
            if need in pending:
                found = [o for o in options if type(o[1]) is command]
                if found:
                    return found[0], t
        if pending & {"late", "apology"} and self.sla.due(d) is not None:
            # Let the appointment pass, and mark the instant with an event: the apology, or
            # a handoff when the life must stay open and may not apologise.
            t = self.past_due(draw, d, t, 1 + int(self.step_minutes))
            options = self.options(d, t)
            finishing = self.knobs.finished is True and "apology" not in pending
            sorry = [o for o in options if o[0] == _APOLOGY]
            marker = [o for o in options if type(o[1]) is HandOff]
            if sorry and not finishing:
                return sorry[0], t
            if marker and not finishing:
                return marker[0], t
        if stop:
            found = [o for o in options if type(o[1]) is Stop]
            if found:
                return found[0], t
        group = [o for o in options if o[0] == _PROGRESS] or options
        return group[draw(st.integers(0, len(group) - 1))], t


def dossiers(engine: Engine, proc: Procedure, *, start: dt.datetime | None = None,
             finished: bool | None = None, late: bool | None = None,
             supplemented: bool | None = None, paused: bool | None = None,
             apologized: bool | None = None) -> st.SearchStrategy[Dossier]:
    """Dossiers of ``proc`` after a life on ``engine``, filed at ``start`` (09:00 on 2 March
    2026, Asia/Ho_Chi_Minh, by default).

    A life is a walk: at each point a command the dossier's status admits (see
    ``Engine.allowed``), issued by an actor entitled to it, after some office time. Lives are
    received or refused, supplemented, paused and resumed, extended (where the procedure's
    ``max_extension`` allows), handed off, rejected, withdrawn or stopped, resolved, returned
    and rated; every branch of every choice is taken (the completing officer sets the data the
    choice reads). Some run brisk and finish early, some on time, and about a third slow and
    end late (unless ``late`` says otherwise); an overdue dossier may get an apology (Form 04,
    ``Sla.apology``, from a system actor). Shrinking leads to the plain path and less time.

    Each knob is None (either), True or False:

    - ``finished``: the life ends in a final status (returned, refused, withdrawn, stopped) or
      resolved; False: it is still open (filed, awaiting a supplement, in progress, paused).
    - ``late``: ``Sla(engine).classify(d, d.history[-1].at).verdict is Verdict.LATE``, the
      dossier judged at its last event (a finished one at its end); True rules out refused
      dossiers, which get no verdict, and withdrawn ones.
    - ``supplemented``: a supplement was requested (Form 02), before or after receipt.
    - ``paused``: handling was paused at least once.
    - ``apologized``: an agency apologised for a delay (Form 04); True needs ``late`` not
      False, since only an overdue dossier is apologised for.

    Raises :class:`~dossierflow.InvalidArgument` for a bad argument or knobs that cannot hold
    together for ``proc``.
    """
    if not isinstance(engine, Engine):
        raise InvalidArgument(f"engine={engine!r} must be an Engine")
    if not isinstance(proc, Procedure):
        raise InvalidArgument(f"proc={proc!r} must be a Procedure")
    try:
        registered = engine.catalogue.get(proc.code, proc.version)
    except DossierflowError:
        registered = None
    if registered != proc:
        raise InvalidArgument(
            f"proc={proc.code} version {proc.version} is not in the engine's catalogue; build "
            "the engine with a catalogue that has it (Catalogue.with_procedure(proc))")
    if start is None:
        start = dt.datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    elif not isinstance(start, dt.datetime) or start.utcoffset() is None:
        raise InvalidArgument(f"start={start!r} must be a timezone-aware datetime, e.g. "
                              "datetime(2026, 3, 2, 9, tzinfo=ZoneInfo('Asia/Ho_Chi_Minh'))")
    knobs = _Knobs(_tristate(finished, "finished"), _tristate(late, "late"),
                   _tristate(supplemented, "supplemented"), _tristate(paused, "paused"),
                   _tristate(apologized, "apologized"))
    if proc.time_limit is None:
        for name in ("late", "apologized"):
            if getattr(knobs, name):
                raise InvalidArgument(f"{name}=True, but procedure {proc.code} has no time "
                                      "limit, so its dossiers are never late; leave it None")
    if knobs.apologized and knobs.late is False:
        raise InvalidArgument("apologized=True needs late=None or True: only an overdue "
                              "dossier is apologised for, and late stays late")
    if knobs.supplemented and proc.supplement_requests_per_agency == 0:
        raise InvalidArgument(f"supplemented=True, but procedure {proc.code} allows no "
                              "supplement request; leave it None")
    return _lives(_Lives(engine, proc, knobs), start)


@st.composite
def _lives(draw: st.DrawFn, lives: _Lives, start: dt.datetime) -> Dossier:
    d = lives.walk(draw, start)
    assume(lives.honours(d))  # a safety net: the walk steers every life to the knobs
    return d


def branches(proc: Procedure) -> list[tuple[str, str]]:
    """Every branch of every choice in ``proc``, as ``(step, label)``: ``"field = value"`` for
    an option, ``"otherwise"`` for the fallback (the labels of ``Procedure.to_mermaid``)."""
    out = []
    for s in proc.steps:
        if isinstance(s.then, Choice):
            out += [(s.name, f"{w.field} = {w.equals!r}") for w in s.then.options]
            out.append((s.name, "otherwise"))
    return out


def branches_taken(proc: Procedure, dossier: Dossier) -> list[tuple[str, str]]:
    """The choice branches ``dossier``'s history took, in order (labels as :func:`branches`):
    at each completion of a choosing step, the first option whose field, with the data so far,
    equals its value."""
    data: dict[str, Any] = {}
    out = []
    for e in dossier.history:
        if isinstance(e, Filed | StepCompleted):
            data.update(e.data)
        if isinstance(e, StepCompleted) and e.outcome is not Outcome.REJECT:
            then = proc.step(e.step).then
            if isinstance(then, Choice):
                taken = next((f"{w.field} = {w.equals!r}" for w in then.options
                              if data.get(w.field) == w.equals), "otherwise")
                out.append((e.step, taken))
    return out


# -------------------------------------------------------------------------- state machine


def procedure_state_machine(engine: Engine, proc: Procedure) -> type[RuleBasedStateMachine]:
    """A state machine test for ``proc``: random commands by random actors, checking after
    every step that refused commands change nothing and raise only documented errors, that
    the history replays to the dossier and survives JSON, and that the clock is sane (the
    appointment is not before receipt; the time consumed never exceeds the time elapsed)."""
    if not isinstance(engine, Engine) or not isinstance(proc, Procedure):
        raise InvalidArgument("procedure_state_machine(engine, proc) needs an Engine and a "
                              "Procedure")
    sla = Sla(engine)
    start = dt.datetime(2026, 3, 2, 9, tzinfo=ZoneInfo(engine.calendar.timezone))

    class ProcedureMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.at = start
            self.dossier = _file(engine, proc, start)

        @rule(move=moves(proc), minutes=st.integers(0, 600))
        def act(self, move: Any, minutes: int) -> None:
            self.at += dt.timedelta(minutes=minutes)
            command, actor = move(self.dossier)
            before = self.dossier
            snapshot = to_json(before)
            try:
                after, events = engine.apply(before, command, at=self.at, actor=actor)
            except DossierflowError:
                assert to_json(before) == snapshot, "a refused command changed the dossier"
                return
            assert events, "an accepted command appended no event"
            assert after.history == before.history + events
            self.dossier = after

        @invariant()
        def history_replays(self) -> None:
            d = self.dossier
            assert engine.replay(d.history) == d
            assert dossier_from_json(to_json(d)) == d
            assert d.version == len(d.history)

        @invariant()
        def clock_is_sane(self) -> None:
            d = self.dossier
            received = next((e for e in d.history if isinstance(e, Received)), None)
            if received is None or received.appointment is None:
                return
            slip = received.appointment
            assert slip.received <= received.at  # counted at the portal, post or desk
            assert slip.start <= slip.due
            state = sla.clock(d, self.at)
            assert state is not None
            if state.measure.value == "working":
                elapsed = engine.calendar.working_time_between(received.appointment.start,
                                                               max(self.at, received.at))
                assert state.consumed <= max(elapsed, dt.timedelta(0)) or \
                    proc.clock.on_supplement.value == "restart"

    ProcedureMachine.__name__ = f"ProcedureMachine_{proc.code.replace('.', '_')}"
    return ProcedureMachine


def with_convention(proc: Procedure, convention: Convention) -> Procedure:
    """``proc`` with its clock's convention replaced (for tests comparing conventions)."""
    return attrs.evolve(proc, clock=attrs.evolve(proc.clock, convention=convention))
