"""The clock over an engine's dossiers: timelines folded from histories, and what is read off
them (verdicts, due-soon and overdue lists, apologies, recomputation).

Everything here is a function of a dossier's history, folded once into a
:class:`~dossierflow.clock.Timeline` (:meth:`Sla.timeline`); the store keeps the same timeline
event by event (:meth:`Sla.advance`), so both read one clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

import attrs

from dossierflow._errors import InvalidArgument
from dossierflow._errors import check_instant as _check_instant
from dossierflow.calendar import WorkCalendar
from dossierflow.clock._blame import responsible
from dossierflow.clock._fold import fold
from dossierflow.clock._ledger import ZERO, Verdict, judge
from dossierflow.clock._timeline import StepVerdict, Timeline
from dossierflow.rules import Measure
from dossierflow.states import (
    Apologize,
    ControlSlipRow,
    Dossier,
    Engine,
    Event,
    Status,
)

_HOUR = dt.timedelta(hours=1)
_DAY_HOURS = Decimal(8)


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


class Sla:
    """The SLA clock of an engine's dossiers on ``calendar`` (the engine's by default)."""

    def __init__(self, engine: Engine, calendar: WorkCalendar | None = None) -> None:
        if not isinstance(engine, Engine):
            raise InvalidArgument(f"engine must be an Engine, got {engine!r}")
        self.engine = engine
        self.calendar = engine.calendar if calendar is None else calendar
        if not isinstance(self.calendar, WorkCalendar):
            raise InvalidArgument(f"calendar must be a WorkCalendar, got {calendar!r}")

    # ------------------------------------------------------------------------- timelines

    def timeline(self, dossier: Dossier, until: dt.datetime | None = None) -> Timeline:
        """The clock's view of ``dossier`` after its history (up to ``until``, if given)."""
        events: Iterable[Event] = dossier.history
        if until is not None:
            _check_instant(until, "until")
            events = [e for e in dossier.history if e.at <= until]
        return self.advance(None, dossier, events)

    def advance(self, timeline: Timeline | None, dossier: Dossier,
                events: Iterable[Event]) -> Timeline:
        """``timeline`` (None: a new dossier's) with ``events`` of ``dossier`` folded in, each
        in constant time (one pass of :func:`~dossierflow.clock._fold.fold`, which gives what
        :func:`~dossierflow.clock._timeline.advance`, event by event, defines)."""
        return fold(timeline, events, self.engine.procedure_of(dossier), self.calendar)

    # ---------------------------------------------------------------- the dossier's clock

    def clock(self, dossier: Dossier, at: dt.datetime | None = None) -> ClockState | None:
        """The dossier's ledger after its history (up to ``at``, if given); None before
        receipt or without a time limit."""
        ledger = self.timeline(dossier, at).ledger
        if ledger is None:
            return None
        consumed = ledger.consumed_at(at, self.calendar) if at is not None else ledger.consumed
        return ClockState(ledger.budget, consumed, ledger.running, ledger.current_due,
                          ledger.measure)

    def due(self, dossier: Dossier) -> dt.datetime | None:
        """When the dossier is due now (None while its clock is stopped)."""
        return self.timeline(dossier).due

    # ------------------------------------------------------------------------ the verdicts

    def classify(self, dossier: Dossier, at: dt.datetime | None = None) -> DossierVerdict:
        """Early, on time or late, from the history.

        A finished dossier is judged at its end (handled, else returned, else stopped); an
        open one at ``at`` (e.g. the last day of a reporting period): on time while within its
        appointment. Withdrawn and refused dossiers, and those without a time limit, get no
        verdict. A new appointment given with an apology changes nothing: late stays late.
        """
        if at is not None:
            _check_instant(at, "at")
        return self.judge(dossier, self.timeline(dossier), at)

    def judge(self, dossier: Dossier, timeline: Timeline,
              at: dt.datetime | None = None) -> DossierVerdict:
        """:meth:`classify` of ``dossier`` whose clock is ``timeline``."""
        cal = self.calendar
        ledger = timeline.ledger
        steps = self._steps(timeline, at)
        original = dossier.appointment
        end = timeline.ended
        if ledger is None or not timeline.judged:
            return DossierVerdict(dossier.id, original, None, end, None, None, None, steps)
        due = ledger.due
        if end is None:
            if at is None:
                return DossierVerdict(dossier.id, original, due, None, None, None, None, steps)
            late = ledger.is_overdue(at)
            margin = None
            if due is not None and ledger.running is not None:
                margin = judge(at, due, cal)[1]
            return DossierVerdict(
                dossier.id, original, due, None, Verdict.LATE if late else Verdict.ON_TIME,
                margin, responsible(steps, due, timeline.receiver) if late else None, steps)
        assert due is not None
        if timeline.ended_running:
            verdict, margin = judge(end, due, cal)
        else:  # ended while the clock was stopped: judged by the time it had used
            verdict = Verdict.ON_TIME if ledger.consumed <= ledger.budget else Verdict.LATE
            margin = ledger.budget - ledger.consumed
        blame = responsible(steps, due, timeline.receiver) if verdict is Verdict.LATE else None
        return DossierVerdict(dossier.id, original, due, end, verdict, margin, blame, steps)

    def steps(self, dossier: Dossier, at: dt.datetime | None = None) -> tuple[StepVerdict, ...]:
        """Each step's sub-clock against its allotment, in order of activation (open steps
        judged at ``at``: late once past their due)."""
        return self._steps(self.timeline(dossier), at)

    def _steps(self, tl: Timeline, at: dt.datetime | None) -> tuple[StepVerdict, ...]:
        if not tl.open:
            return tl.done
        return (*tl.done, *(c.judged(at, self.calendar) for c in tl.open))

    def control_slip(self, dossier: Dossier,
                     at: dt.datetime | None = None) -> tuple[ControlSlipRow, ...]:
        """The process control slip (Form 06 of Circular 03/2025/TT-VPCP) with each completed
        step's verdict and margin: every handoff in order, the desk's transfer to the first
        agencies included."""
        done = {(s.step, s.completed): s for s in self.steps(dossier, at)}
        rows = []
        for row in dossier.control_slip():
            judged = done.get((row.step, row.at))
            if judged is not None and row.result not in ("handoff", "received"):
                row = attrs.evolve(row, verdict=judged.verdict, margin=judged.margin)
            rows.append(row)
        return tuple(rows)

    # --------------------------------------------------------------------- worklists

    def due_soon_until(self, at: dt.datetime, window: dt.timedelta) -> dt.datetime:
        """The end of a due-soon window of ``window`` office time from ``at``: a clock is due
        soon at ``at`` when its due lies between ``at`` and this instant (that is, when at
        most ``window`` of office time is left)."""
        _check_instant(at, "at")
        if not isinstance(window, dt.timedelta) or window < ZERO:
            raise InvalidArgument(f"window must be a non-negative datetime.timedelta of office "
                                  f"time, e.g. timedelta(hours=8), got {window!r}")
        return self.calendar.add_working_time(at, window)

    def due_soon(self, dossiers: Iterable[Dossier], at: dt.datetime,
                 window: dt.timedelta) -> tuple[tuple[Dossier, dt.datetime], ...]:
        """Open dossiers whose clock runs and falls due within ``window`` of office time
        after ``at``, soonest first."""
        until = self.due_soon_until(at, window)
        found = []
        for d in dossiers:
            if d.status is not Status.IN_PROGRESS:
                continue
            due = self.due(d)
            if due is not None and at <= due <= until:
                found.append((d, due))
        return tuple(sorted(found, key=lambda pair: pair[1]))

    def overdue(self, dossiers: Iterable[Dossier],
                at: dt.datetime) -> tuple[tuple[Dossier, dt.datetime], ...]:
        """Open dossiers past their appointment at ``at``, with the instant they fell due,
        most overdue first. A dossier paused (or waiting for a supplement) after its time ran
        out stays overdue; one paused within its time is not."""
        _check_instant(at, "at")
        found: list[tuple[Dossier, dt.datetime]] = []
        for d in dossiers:
            if not d.received or not d.status.is_open or d.status is Status.RESOLVED:
                continue
            tl = self.timeline(d)
            if tl.is_overdue(at):
                assert tl.overdue_from is not None
                found.append((d, tl.overdue_from))
        return tuple(sorted(found, key=lambda pair: pair[1]))

    # -------------------------------------------------------------------------- apology

    def apology(self, dossier: Dossier, at: dt.datetime, reason: str,
                new_appointment: dt.datetime | None = None, *,
                timeline: Timeline | None = None) -> Apologize:
        """The Form 04 command for ``dossier`` at ``at``: the agency from the rule of blame
        (:mod:`dossierflow.clock._blame`), the appointment it moves (the clock's due at
        ``at``, pauses and supplements included), and a new appointment (by default the
        longest remaining allotment of the active steps, at least one working day, after the
        later of ``at`` and that due). ``timeline``: the dossier's, when the caller already
        folded it (:meth:`timeline`), so that it is not folded again."""
        _check_instant(at, "at")
        tl = self.timeline(dossier) if timeline is None else timeline
        ledger = tl.ledger
        due = ledger.due if ledger is not None else dossier.appointment
        agency = responsible(self._steps(tl, at), due, tl.receiver)
        if new_appointment is None:
            proc = self.engine.procedure_of(dossier)
            base = max(at, due) if due is not None else at
            hours = max([proc.longest_from(s) or _DAY_HOURS for s in dossier.active_steps]
                        or [Decimal(0)])
            hours = max(hours, _DAY_HOURS)  # at least one working day
            new_appointment = self.calendar.add_working_time(base, _HOUR * float(hours))
        return Apologize(agency, reason, new_appointment, due)

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


