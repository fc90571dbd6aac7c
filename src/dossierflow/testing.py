"""Hypothesis strategies for property-testing procedures and deadline logic.

Needs hypothesis (``pip install 'dossierflow[testing]'``). Strategies follow hypothesis' own
style: functions returning strategies, keyword-only arguments, bounds named
``min_value``/``max_value``, arguments validated when the strategy is built.

- :func:`calendars`: working calendars with random days off, make-up days and office hours.
- :func:`time_limits`: statutory limits in every unit.
- :func:`instants`: instants inside or outside a calendar's office hours.
- :func:`moves` and :func:`command_sequences`: commands with the actor issuing them, either
  anyone or the one entitled to.
- :func:`dossiers`: dossiers of a procedure after a random life.
- :func:`procedure_state_machine`: a ready ``RuleBasedStateMachine`` that checks the engine's and
  the clock's invariants on a procedure; run it with ``run_state_machine_as_test`` or expose its
  ``TestCase`` to pytest.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from dossierflow._errors import DossierflowError, InvalidArgument
from dossierflow.calendar import DayOff, MakeupWorkday, OfficeHours, WorkCalendar
from dossierflow.rules import (
    Convention,
    TimeLimit,
    Unit,
    calendar_days,
    months,
    same_day,
    working_days,
    working_hours,
)
from dossierflow.states import (
    Apologize,
    Channel,
    Citizen,
    CompleteStep,
    Dossier,
    Engine,
    Extend,
    File,
    HandOff,
    Officer,
    Outcome,
    Pause,
    Procedure,
    Rate,
    Receive,
    Received,
    Refuse,
    RequestSupplement,
    Resume,
    ReturnResult,
    Status,
    Stop,
    Supplement,
    System,
    Withdraw,
    dossier_from_json,
    to_json,
)

__all__ = [
    "APPLICANT",
    "SYSTEM",
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


def dossiers(engine: Engine, proc: Procedure, *,
             start: dt.datetime | None = None) -> st.SearchStrategy[Dossier]:
    """Dossiers of ``proc`` after a random life of commands (refused ones skipped), filed at
    ``start`` (09:00 on 2 March 2026, Asia/Ho_Chi_Minh, by default)."""
    if not isinstance(engine, Engine) or not isinstance(proc, Procedure):
        raise InvalidArgument("dossiers(engine, proc) needs an Engine and a Procedure")
    at0 = start or dt.datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))

    def live(sequence: list[Any]) -> Dossier:
        dossier, at = _file(engine, proc, at0), at0
        for move, minutes in sequence:
            at += dt.timedelta(minutes=minutes)
            command, actor = move(dossier)
            try:
                dossier, _ = engine.apply(dossier, command, at=at, actor=actor)
            except DossierflowError:
                continue
        return dossier

    return command_sequences(proc, entitled=True).map(live)


# -------------------------------------------------------------------------- state machine


def procedure_state_machine(engine: Engine, proc: Procedure) -> type[RuleBasedStateMachine]:
    """A state machine test for ``proc``: random commands by random actors, checking after
    every step that refused commands change nothing and raise only documented errors, that
    the history replays to the dossier and survives JSON, and that the clock is sane (the
    appointment is not before receipt; the time consumed never exceeds the time elapsed)."""
    from dossierflow.clock import Sla

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
            assert received.appointment.due >= received.at
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
