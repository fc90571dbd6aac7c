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
from dossierflow.clock._ledger import ZERO, Ledger, Verdict, judge
from dossierflow.clock._timeline import StepVerdict, Timeline
from dossierflow.clock._verdicts import VerdictPolicy
from dossierflow.rules import HOURS_PER_WORKING_DAY, ApologyTiming, Convention, Measure, TimeLimit
from dossierflow.states import (
    Apologize,
    Channel,
    ControlSlipRow,
    Delivery,
    Dossier,
    Engine,
    Event,
    PaymentMethod,
    Resolution,
    ResultReturned,
    Status,
)

_HOUR = dt.timedelta(hours=1)
_DAY_HOURS = Decimal(8)
_WORKING_DAY = _HOUR * int(HOURS_PER_WORKING_DAY)
_DECISION_766 = VerdictPolicy()


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
    """The SLA clock of an engine's dossiers on ``calendar`` (the engine's by default),
    judging them by ``verdicts`` (Decision 766/QĐ-TTg's rules by default)."""

    def __init__(self, engine: Engine, calendar: WorkCalendar | None = None, *,
                 verdicts: VerdictPolicy = _DECISION_766) -> None:
        if not isinstance(engine, Engine):
            raise InvalidArgument(f"engine must be an Engine, got {engine!r}")
        if not isinstance(verdicts, VerdictPolicy):
            raise InvalidArgument(f"verdicts must be a VerdictPolicy, got {verdicts!r}")
        self.engine = engine
        self.verdicts = verdicts
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
        """Early, on time or late, from the history, by the rules of :attr:`verdicts`
        (:class:`VerdictPolicy`; Decision 766/QĐ-TTg by default).

        A finished dossier is judged at its end (handled, else returned, else stopped or
        withdrawn); an open one at ``at`` (e.g. the last day of a reporting period): on time
        while within its appointment. A dossier that ended, or is still, waiting for a
        supplement is judged at the request, by the time it had used; one asked to supplement
        more than once is late; one received without an appointment is judged by the time it
        used against its limit. Refused dossiers, and those without a time limit, get no
        verdict. A new appointment given with an apology changes nothing: late stays late.
        """
        if at is not None:
            _check_instant(at, "at")
        return self.judge(dossier, self.timeline(dossier), at)

    def judge(self, dossier: Dossier, timeline: Timeline,
              at: dt.datetime | None = None) -> DossierVerdict:
        """:meth:`classify` of ``dossier`` whose clock is ``timeline``."""
        cal = self.calendar
        policy = self.verdicts
        ledger = timeline.ledger
        steps = self._steps(timeline, at)
        original = dossier.appointment
        end = timeline.ended
        if ledger is None or (not timeline.judged and not (
                timeline.withdrawn and policy.judge_withdrawn)) or (
                not timeline.appointed and not policy.judge_without_appointment):
            return DossierVerdict(dossier.id, original, None, end, None, None, None, steps)
        due = ledger.due
        margin: dt.timedelta | None
        if timeline.awaiting is not None and policy.end_at_unreturned_supplement and (
                end is not None or at is not None):
            # The supplement never came: the dossier ended at the request (the ledger stopped
            # there), judged by the time it had used.
            end = timeline.awaiting
            verdict, margin = _by_time_used(ledger, ledger.consumed)
        elif end is None:
            if at is None or not policy.judge_open_at_period_end:
                return DossierVerdict(dossier.id, original, due, None, None, None, None, steps)
            if not timeline.appointed:
                verdict, margin = _by_time_used(ledger, ledger.consumed_at(at, cal))
            else:
                verdict = Verdict.LATE if ledger.is_overdue(at) else Verdict.ON_TIME
                margin = None
                if due is not None and ledger.running is not None:
                    margin = judge(at, due, cal)[1]
        elif timeline.ended_running and timeline.appointed:
            assert due is not None
            verdict, margin = judge(end, due, cal)
        else:  # ended while the clock was stopped, or without appointment: by the time used
            verdict, margin = _by_time_used(ledger, ledger.consumed)
        if policy.late_if_asked_twice and timeline.requests > 1:
            verdict = Verdict.LATE
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

    # --------------------------------------------------------- the law's other clocks

    def _after(self, limit: TimeLimit, start: dt.datetime, convention: Convention) -> dt.datetime:
        due = Ledger.start(limit, start, self.calendar, convention).due
        assert due is not None
        return due

    def reception_due(self, dossier: Dossier, *,
                      timeline: Timeline | None = None) -> dt.datetime | None:
        """When the desk must have received an online filing or asked for a supplement:
        ``proc.clock.reception`` (8 working hours, Decree 45/2020/NĐ-CP Art. 11; Decree
        297/2025/NĐ-CP Art. 6(4)(a)) of office time after the portal recorded it (counted
        from the next opening when filed outside office hours). None for other channels or
        without that policy. ``timeline``: the dossier's, if already folded."""
        tl = self.timeline(dossier) if timeline is None else timeline
        limit = self.engine.procedure_of(dossier).clock.reception
        if tl.filed_online is None or limit is None:
            return None
        return self._after(limit, self.calendar.next_opening(tl.filed_online),
                           Convention.EXACT)

    def reception_overdue_from(self, dossier: Dossier, *,
                               timeline: Timeline | None = None) -> dt.datetime | None:
        """From when the online filing waits past its :meth:`reception_due`: None once the
        desk received it, asked for a supplement or refused it (``Timeline.answered``), once
        it ended, or when it has no reception clock. Overdue at ``at`` means
        ``reception_overdue_from(d) < at``."""
        tl = self.timeline(dossier) if timeline is None else timeline
        if tl.answered is not None or tl.ended is not None:
            return None
        return self.reception_due(dossier, timeline=tl)

    def apology_due(self, dossier: Dossier, *,
                    timeline: Timeline | None = None) -> dt.datetime | None:
        """When the apology (Form 04) is due if the dossier will be late, by the
        procedure's :class:`~dossierflow.rules.ApologyTiming`: under ``WORKING_DAY_BEFORE``
        one working day (8 hours of office time) before the dossier's current due (Decree
        61/2018/NĐ-CP; provincial rules under Decree 118/2025/NĐ-CP), so that a due at
        09:00 on Thursday asks for the apology by 09:00 on Wednesday; under ``AT_EXPIRY``
        the due itself (Decree 297/2025/NĐ-CP). None while its clock is stopped, once it
        ended, and once it had its apology (an appointment is moved only once)."""
        if dossier.apologies:
            return None
        tl = self.timeline(dossier) if timeline is None else timeline
        due = tl.due
        if due is None or tl.ended is not None:
            return None
        if self.engine.procedure_of(dossier).clock.apology is ApologyTiming.AT_EXPIRY:
            return due
        return self.calendar.add_working_time(due, -_WORKING_DAY)

    def pause_overrun(self, dossier: Dossier, *,
                      timeline: Timeline | None = None) -> dt.datetime | None:
        """From when the pause in progress overruns its maximum (``Paused.max_length``, the
        named :class:`~dossierflow.rules.PauseReason`'s, e.g. 5 working days for a VNeID
        confirmation by relatives), counted from the pause in the procedure's convention;
        None when the dossier is not paused or its pause has no maximum. Overdue for that
        reason at ``at`` means ``pause_overrun(d) < at``."""
        tl = self.timeline(dossier) if timeline is None else timeline
        pause = tl.pause
        if pause is None or pause.max_length is None or tl.ended is not None:
            return None
        return self._after(pause.max_length, pause.at,
                           self.engine.procedure_of(dossier).clock.convention)

    def supplement_expires(self, dossier: Dossier, *,
                           timeline: Timeline | None = None) -> dt.datetime | None:
        """When a dossier waiting for a supplement has waited ``proc.clock.supplement_wait``
        (15 working days after the request by default, Decree 297/2025/NĐ-CP), counted in
        the procedure's convention: from then it is to be stopped with a notice (Form 05;
        :meth:`dossierflow.store.Store.sweep` does it). None when it waits for no supplement,
        ended, or the procedure sets no wait."""
        tl = self.timeline(dossier) if timeline is None else timeline
        clock = self.engine.procedure_of(dossier).clock
        if tl.awaiting is None or tl.ended is not None or clock.supplement_wait is None:
            return None
        return self._after(clock.supplement_wait, tl.awaiting, clock.convention)

    # ------------------------------------------------------------------------ the desk

    def five_on_the_spot(self, dossier: Dossier) -> bool:
        """Whether ``dossier`` was a "5 on-the-spot" one ("5 tại chỗ"): filed in person,
        received, appraised, approved, its result returned at the desk and its fee (if the
        procedure charges one) collected there, all on one working day: one visit, read off
        its history."""
        if dossier.channel is not Channel.IN_PERSON or dossier.status is not Status.RETURNED \
                or dossier.resolution is not Resolution.APPROVED:
            return False
        returned = next(e for e in reversed(dossier.history) if type(e) is ResultReturned)
        assert isinstance(returned, ResultReturned)
        if returned.method != Delivery.IN_PERSON.value:
            return False
        paid = dossier.payment
        if self.engine.procedure_of(dossier).has_fee and (
                paid is None or paid.method is not PaymentMethod.DESK):
            return False
        day = self.calendar.local_date(dossier.history[0].at)
        return all(self.calendar.local_date(e.at) == day for e in dossier.history
                   if e.at <= returned.at)

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


def _by_time_used(ledger: Ledger, consumed: dt.timedelta) -> tuple[Verdict, dt.timedelta]:
    """On time when what was used is at most the budget; the margin is what is left."""
    return (Verdict.ON_TIME if consumed <= ledger.budget else Verdict.LATE,
            ledger.budget - consumed)
