"""The SLA clock over dossiers: read from the history, never from stored counters.

:class:`Sla` folds a dossier's events into a ledger (budget, consumed, running since) for the
whole dossier and one for each step against its allotment, then judges them: early, on time or
late, with the margin in working time and the agency that caused a delay.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from decimal import Decimal

import attrs

from dossierflow._errors import InvalidArgument
from dossierflow.calendar import WorkCalendar
from dossierflow.rules._deadline import (
    Convention,
    Measure,
    SupplementPolicy,
    budget,
    clock_start,
    extension,
    measure_of,
    project,
    spent,
)
from dossierflow.rules._limits import TimeLimit
from dossierflow.states import (
    Apologize,
    Dossier,
    Engine,
    Extended,
    Paused,
    Procedure,
    Received,
    Refused,
    Resolved,
    ResultReturned,
    Resumed,
    Status,
    Stopped,
    Supplemented,
    SupplementRequested,
    Withdrawn,
)
from dossierflow.states._definition import _longest
from dossierflow.states._dossier import Dossier as _Dossier
from dossierflow.states._dossier import evolve

_ZERO = dt.timedelta(0)
_HOUR = dt.timedelta(hours=1)


class Verdict(enum.Enum):
    """Early and on time both count as on time in reports (Decision 766/QĐ-TTg)."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"

    @property
    def in_time(self) -> bool:
        return self is not Verdict.LATE


@attrs.frozen
class ClockState:
    """A ledger at an instant. ``due`` is None while the clock is stopped (paused, or waiting
    for a supplement) and for dossiers without a time limit."""

    budget: dt.timedelta
    consumed: dt.timedelta
    running_since: dt.datetime | None
    due: dt.datetime | None
    measure: Measure

    @property
    def remaining(self) -> dt.timedelta:
        return self.budget - self.consumed


@attrs.frozen
class StepVerdict:
    """One step's sub-clock: from its activation to its completion, paused with the dossier."""

    step: str
    agency: str
    activated: dt.datetime
    completed: dt.datetime | None
    allotment: TimeLimit | None
    due: dt.datetime | None
    consumed: dt.timedelta
    verdict: Verdict | None
    margin: dt.timedelta | None


@attrs.frozen
class DossierVerdict:
    """A dossier judged against its (original) appointment."""

    dossier_id: str
    appointment: dt.datetime | None
    due: dt.datetime | None
    ended: dt.datetime | None
    verdict: Verdict | None
    margin: dt.timedelta | None
    responsible: str | None
    steps: tuple[StepVerdict, ...]


@attrs.frozen
class Moved:
    """An appointment that a new calendar moves."""

    dossier_id: str
    before: dt.datetime | None
    after: dt.datetime | None


class _Ledger:
    """Budget, consumed, running since: the clock of a dossier or of a step."""

    __slots__ = ("budget", "consumed", "due", "ended_running", "limit", "measure", "running")

    def __init__(self, limit: TimeLimit, start: dt.datetime, cal: WorkCalendar,
                 convention: Convention) -> None:
        self.limit = limit
        self.measure = measure_of(limit)
        self.budget = budget(limit, start, cal)
        self.consumed = _ZERO
        self.running: dt.datetime | None = start
        self.due: dt.datetime | None = None
        self.ended_running = False
        self.project(cal, convention)

    def project(self, cal: WorkCalendar, convention: Convention) -> None:
        if self.running is not None:
            self.due = project(self.limit, self.running, self.budget - self.consumed, cal,
                               convention)

    def stop(self, at: dt.datetime, cal: WorkCalendar) -> None:
        if self.running is not None:
            self.consumed += spent(self.measure, self.running, at, cal)
            self.running = None

    def resume(self, at: dt.datetime, cal: WorkCalendar, convention: Convention) -> None:
        if self.running is None:
            self.running = at
            self.project(cal, convention)


def _judge(end: dt.datetime, due: dt.datetime, cal: WorkCalendar) -> tuple[Verdict,
                                                                             dt.timedelta]:
    if end > due:
        return Verdict.LATE, -cal.working_time_between(due, end)
    margin = cal.working_time_between(end, due)
    if cal.local_date(end) < cal.local_date(due):
        return Verdict.EARLY, margin
    return Verdict.ON_TIME, margin


_END_EVENTS = (Resolved, ResultReturned, Stopped)
"""What ends a dossier for judging, in priority order: handled, returned, stopped."""


class Sla:
    """The SLA clock of an engine's dossiers on ``calendar`` (the engine's by default)."""

    def __init__(self, engine: Engine, calendar: WorkCalendar | None = None) -> None:
        if not isinstance(engine, Engine):
            raise InvalidArgument(f"engine must be an Engine, got {engine!r}")
        self.engine = engine
        self.calendar = engine.calendar if calendar is None else calendar
        if not isinstance(self.calendar, WorkCalendar):
            raise InvalidArgument(f"calendar must be a WorkCalendar, got {calendar!r}")

    # ------------------------------------------------------------------ the dossier's clock

    def clock(self, dossier: Dossier, at: dt.datetime | None = None) -> ClockState | None:
        """The dossier's ledger after its history (up to ``at``, if given); None before
        receipt or without a time limit."""
        ledger = self._ledger(dossier, at)
        if ledger is None:
            return None
        if at is not None and ledger.running is not None:
            consumed = ledger.consumed + spent(ledger.measure, ledger.running, at, self.calendar)
        else:
            consumed = ledger.consumed
        due = ledger.due if ledger.running is not None else None
        return ClockState(ledger.budget, consumed, ledger.running, due, ledger.measure)

    def due(self, dossier: Dossier) -> dt.datetime | None:
        """When the dossier is due now (None while its clock is stopped)."""
        ledger = self._ledger(dossier, None)
        return None if ledger is None or ledger.running is None else ledger.due

    def _ledger(self, d: Dossier, until: dt.datetime | None) -> _Ledger | None:
        proc = self.engine.procedure_of(d)
        limit = proc.time_limit
        if limit is None:
            return None
        cal, policy = self.calendar, proc.clock
        ledger: _Ledger | None = None
        for e in d.history:
            if until is not None and e.at > until:
                break
            kind = type(e)
            if kind is Received:
                ledger = _Ledger(limit, clock_start(e.at, limit, cal, policy), cal,
                                 policy.convention)
            elif ledger is None:
                continue
            elif kind is SupplementRequested or kind is Paused:
                ledger.stop(e.at, cal)
            elif kind is Supplemented and policy.on_supplement is SupplementPolicy.RESTART:
                ledger = _Ledger(limit, clock_start(e.at, limit, cal, policy), cal,
                                 policy.convention)
            elif kind is Supplemented or kind is Resumed:
                ledger.resume(e.at, cal, policy.convention)
            elif kind is Extended:
                assert isinstance(e, Extended)
                ledger.budget += extension(e.by, ledger.measure)
                ledger.project(cal, policy.convention)
            elif kind in (Resolved, Stopped, Withdrawn, Refused):
                ledger.ended_running = ledger.running is not None
                ledger.stop(e.at, cal)
        return ledger

    # ------------------------------------------------------------------------ the verdicts

    def classify(self, dossier: Dossier, at: dt.datetime | None = None) -> DossierVerdict:
        """Early, on time or late, from the history.

        A finished dossier is judged at its end (handled, else returned, else stopped); an
        open one at ``at`` (e.g. the last day of a reporting period): on time while within its
        appointment. Withdrawn and refused dossiers, and those without a time limit, get no
        verdict. A new appointment given with an apology changes nothing: late stays late.
        """
        cal = self.calendar
        ledger = self._ledger(dossier, None)
        steps = self.steps(dossier, at)
        original = _original_appointment(dossier)
        end = _end_of(dossier)
        if ledger is None or dossier.status in (Status.WITHDRAWN, Status.REFUSED):
            return DossierVerdict(dossier.id, original, None, end, None, None, None, steps)
        due = ledger.due
        if end is None:
            if at is None:
                return DossierVerdict(dossier.id, original, due, None, None, None, None, steps)
            late = (ledger.running is not None and due is not None and at > due) or (
                ledger.running is None and ledger.consumed > ledger.budget)
            verdict = Verdict.LATE if late else Verdict.ON_TIME
            margin = None
            if due is not None and ledger.running is not None:
                margin = _judge(at, due, cal)[1]
            return DossierVerdict(dossier.id, original, due, None, verdict, margin,
                                  self._responsible(dossier, steps, due) if late else None,
                                  steps)
        assert due is not None
        if ledger.ended_running:
            verdict, margin = _judge(end, due, cal)
        else:  # ended while the clock was stopped: judged by the time it had used
            verdict = Verdict.ON_TIME if ledger.consumed <= ledger.budget else Verdict.LATE
            margin = ledger.budget - ledger.consumed
        responsible = self._responsible(dossier, steps, due) if verdict is Verdict.LATE else None
        return DossierVerdict(dossier.id, original, due, end, verdict, margin, responsible,
                              steps)

    def steps(self, dossier: Dossier, at: dt.datetime | None = None) -> tuple[StepVerdict, ...]:
        """Each step's sub-clock against its allotment, in order of activation."""
        proc = self.engine.procedure_of(dossier)
        flow = self.engine.flow(proc.code, proc.version)
        cal, convention = self.calendar, proc.clock.convention
        open_steps: dict[str, tuple[dt.datetime, _Ledger | None]] = {}
        done: list[StepVerdict] = []
        state: _Dossier | None = None
        for e in dossier.history:
            before = state
            state = evolve(state, e, flow)
            was = set(before.active_steps) if before is not None else set()
            now = set(state.active_steps)
            stopped = state.status in (Status.PAUSED, Status.AWAITING_SUPPLEMENT)
            for name in sorted(was - now):
                started, ledger = open_steps.pop(name)
                done.append(self._step_verdict(proc, name, started, e.at, ledger))
            for _name, (_, ledger) in open_steps.items():
                if ledger is None:
                    continue
                if stopped:
                    ledger.stop(e.at, cal)
                else:
                    ledger.resume(e.at, cal, convention)
            for name in sorted(now - was):
                allotment = proc.step(name).allotment
                ledger = None
                if allotment is not None:
                    ledger = _Ledger(allotment, e.at, cal, convention)
                open_steps[name] = (e.at, ledger)
        for name, (started, ledger) in open_steps.items():
            done.append(self._step_verdict(proc, name, started, None, ledger, at))
        return tuple(done)

    def _step_verdict(self, proc: Procedure, name: str, started: dt.datetime,
                      completed: dt.datetime | None, ledger: _Ledger | None,
                      at: dt.datetime | None = None) -> StepVerdict:
        agency = proc.step(name).owner.agency
        if ledger is None:
            return StepVerdict(name, agency, started, completed, None, None, _ZERO, None, None)
        cal = self.calendar
        due = ledger.due
        if completed is not None:
            ledger.stop(completed, cal)
            verdict, margin = _judge(completed, due, cal) if due is not None else (None, None)
            return StepVerdict(name, agency, started, completed, ledger.limit, due,
                               ledger.consumed, verdict, margin)
        consumed = ledger.consumed
        if at is not None and ledger.running is not None:
            consumed += spent(ledger.measure, ledger.running, at, cal)
        verdict = None
        margin = None
        if at is not None and due is not None:
            verdict = Verdict.LATE if at > due else None
            margin = _judge(at, due, cal)[1]
        return StepVerdict(name, agency, started, None, ledger.limit, due, consumed, verdict,
                           margin)

    def _responsible(self, d: Dossier, steps: tuple[StepVerdict, ...],
                     due: dt.datetime | None) -> str:
        """The agency whose step overran most; else the one holding the dossier when it fell
        due; else the receiving desk's."""
        over = [(-s.margin, s) for s in steps
                if s.verdict is Verdict.LATE and s.margin is not None]
        if over:
            return max(over, key=lambda pair: pair[0])[1].agency
        if due is not None:
            for s in steps:
                if s.activated <= due and (s.completed is None or s.completed > due):
                    return s.agency
        for e in d.history:
            if type(e) is Received:
                return e.agency
        return ""  # pragma: no cover - judged dossiers were received

    # --------------------------------------------------------------------- worklists

    def due_soon(self, dossiers: Iterable[Dossier], at: dt.datetime,
                 window: dt.timedelta) -> tuple[tuple[Dossier, dt.datetime], ...]:
        """Open dossiers whose clock runs and falls due within ``window`` of office time
        after ``at``, soonest first."""
        found = []
        for d in dossiers:
            due = self.due(d) if d.status is Status.IN_PROGRESS else None
            if due is not None and due >= at and \
                    self.calendar.working_time_between(at, due) <= window:
                found.append((d, due))
        return tuple(sorted(found, key=lambda pair: pair[1]))

    def overdue(self, dossiers: Iterable[Dossier],
                at: dt.datetime) -> tuple[tuple[Dossier, dt.datetime | None], ...]:
        """Open dossiers past their appointment at ``at`` (paused ones whose time ran out
        before the pause included), most overdue first."""
        found: list[tuple[Dossier, dt.datetime | None]] = []
        for d in dossiers:
            if d.status not in (Status.IN_PROGRESS, Status.PAUSED,
                                Status.AWAITING_SUPPLEMENT) or not d.received:
                continue
            ledger = self._ledger(d, None)
            if ledger is None:
                continue
            if ledger.running is not None and ledger.due is not None and ledger.due < at:
                found.append((d, ledger.due))
            elif ledger.running is None and ledger.consumed > ledger.budget:
                found.append((d, None))
        return tuple(sorted(found, key=lambda pair: (pair[1] is not None, pair[1] or at)))

    # -------------------------------------------------------------------------- apology

    def apology(self, dossier: Dossier, at: dt.datetime, reason: str,
                new_appointment: dt.datetime | None = None) -> Apologize:
        """The Form 04 command for ``dossier``: the responsible agency (the holder of the step
        that overran, or of the dossier) and a new appointment (by default, the longest
        remaining allotment, at least one working day, after the later of ``at`` and the
        appointment)."""
        steps = self.steps(dossier, at)
        due = self.due(dossier) or _original_appointment(dossier)
        agency = self._responsible(dossier, steps, due)
        if new_appointment is None:
            proc = self.engine.procedure_of(dossier)
            base = max(at, due) if due is not None else at
            hours = max([_remaining_hours(proc, s) for s in dossier.active_steps] or [Decimal(0)])
            hours = max(hours, Decimal(8))
            new_appointment = self.calendar.add_working_time(base, _HOUR * float(hours))
        return Apologize(agency, reason, new_appointment)

    # ------------------------------------------------------------------------ recompute

    def recompute(self, dossiers: Iterable[Dossier],
                  calendar: WorkCalendar) -> tuple[Moved, ...]:
        """The open dossiers whose appointment ``calendar`` moves (e.g. a swap announced after
        receipt, a typhoon closure), with their appointment before and after."""
        other = Sla(self.engine, calendar)
        moved = []
        for d in dossiers:
            if d.status.is_final or d.status is Status.RESOLVED or not d.received:
                continue
            before, after = self.due(d), other.due(d)
            if before != after:
                moved.append(Moved(d.id, before, after))
        return tuple(moved)


def _remaining_hours(proc: Procedure, step: str) -> Decimal:
    cost, _ = _longest(proc._index.steps, step, None, ())
    return cost if cost is not None else Decimal(8)


def _original_appointment(d: Dossier) -> dt.datetime | None:
    for e in d.history:
        if type(e) is Received:
            return e.appointment.due if e.appointment is not None else None
    return None


def _end_of(d: Dossier) -> dt.datetime | None:
    for kind in _END_EVENTS:
        for e in d.history:
            if type(e) is kind:
                return e.at
    return None
