"""The fold: events folded into a :class:`~dossierflow.clock.Timeline` in one pass, with
mutable local state.

:func:`~dossierflow.clock._timeline.advance` is the definition (one event, one new immutable
timeline); :func:`fold` is the hot-path copy that :meth:`~dossierflow.clock.Sla.advance` runs
(the store on every save, the clock over whole histories). It keeps the open steps' clocks
as small mutable records and builds the immutable ``Timeline``, ``Ledger`` and ``StepClock``
values once, at the end. A step whose due was projected in exact working time from the
instant its clock last started (``Convention.EXACT``, a limit in working days or hours)
completes with one office-time read: its margin against the due is what is left of its
budget (office time at the due = office time at the start + what was left then), and the
due's date says early or on time. Other steps take the definition's path. The property test
``test_fold_is_the_definition`` (tests/test_clock_fold.py) holds the two equal on generated
lives.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from dossierflow.calendar import WorkCalendar
from dossierflow.clock._ledger import ZERO, Ledger, Verdict, judge
from dossierflow.clock._timeline import StepClock, StepVerdict, Timeline
from dossierflow.rules import (
    Convention,
    Measure,
    SupplementPolicy,
    TimeLimit,
    budget,
    clock_start,
    measure_of,
    project,
    spent,
)
from dossierflow.states import (
    Event,
    Extended,
    Paused,
    Procedure,
    Received,
    Refused,
    Resolved,
    ResultReturned,
    Resumed,
    StepCompleted,
    Stopped,
    Supplemented,
    SupplementRequested,
    Withdrawn,
)

_EXACT, _WORKING = Convention.EXACT, Measure.WORKING
_LATE, _EARLY, _ON_TIME = Verdict.LATE, Verdict.EARLY, Verdict.ON_TIME

# What each kind of event does to the clock (kinds not listed do nothing).
_COMPLETE, _RECEIVE, _STOP, _RESUME, _EXTEND, _END, _RETURN = range(1, 8)
_KINDS: dict[type, int] = {
    StepCompleted: _COMPLETE, Received: _RECEIVE, SupplementRequested: _STOP, Paused: _STOP,
    Supplemented: _RESUME, Resumed: _RESUME, Extended: _EXTEND, Resolved: _END, Stopped: _END,
    Withdrawn: _END, Refused: _END, ResultReturned: _RETURN,
}


class _Step:
    """An open step's clock while a fold runs: :class:`StepClock` and its :class:`Ledger`
    flattened and mutable. ``exact``: the clock runs and its due is the office time left
    placed from ``running`` in exact working time. ``source``: the ``StepClock`` it came
    from, while unchanged."""

    __slots__ = ("activated", "agency", "budget", "consumed", "convention", "due", "exact",
                 "limit", "measure", "running", "source", "step")
    step: str
    agency: str
    activated: dt.datetime
    limit: TimeLimit | None
    measure: Measure
    budget: dt.timedelta
    consumed: dt.timedelta
    running: dt.datetime | None
    due: dt.datetime | None
    convention: Convention
    exact: bool
    source: StepClock | None

    def __init__(self, step: str, agency: str, activated: dt.datetime,
                 ledger: Ledger | None, source: StepClock | None) -> None:
        self.step = step
        self.agency = agency
        self.activated = activated
        self.source = source
        self.exact = False
        if ledger is None:
            self.limit = None
            return
        (self.limit, self.measure, self.budget, self.consumed, self.running, self.due,
         self.convention) = ledger

    def clock(self) -> StepClock:
        if self.source is not None:
            return self.source
        if self.limit is None:
            return StepClock(self.step, self.agency, self.activated, None)
        return StepClock(self.step, self.agency, self.activated,
                         Ledger(self.limit, self.measure, self.budget, self.consumed,
                                self.running, self.due, self.convention))


def fold(tl: Timeline | None, events: Iterable[Event], proc: Procedure,
         cal: WorkCalendar) -> Timeline:
    """``tl`` (None: a new dossier's) after ``events``: the timeline a loop of
    :func:`~dossierflow.clock._timeline.advance` gives, in one pass."""
    if tl is None:
        tl = Timeline()
    ledger, opened, done, receiver, ended, ended_running, judged = tl
    steps = [_Step(c.step, c.agency, c.activated, c.ledger, c) for c in opened]
    finished: list[StepVerdict] = []
    changed = False
    kinds = _KINDS
    convention = proc.clock.convention
    restart = proc.clock.on_supplement is SupplementPolicy.RESTART
    wtb = cal.working_time_between
    awt = cal.add_working_time
    local_date = cal.local_date

    def start(names: tuple[str, ...], at: dt.datetime) -> None:
        # Ledger.start, flattened.
        for name in names:
            step = proc.step(name)
            clock = _Step(name, step.owner.agency, at, None, None)
            limit = step.allotment
            if limit is not None:
                clock.limit = limit
                clock.consumed = ZERO
                clock.running = at
                clock.convention = convention
                office = limit.office_time
                if office is not None and convention is _EXACT:
                    clock.measure = _WORKING
                    clock.budget = office
                    clock.due = awt(at, office)
                    clock.exact = True
                else:
                    clock.measure = measure_of(limit)
                    clock.budget = give = budget(limit, at, cal)
                    clock.due = project(limit, at, give, cal, convention)
            steps.append(clock)

    def complete(clock: _Step, at: dt.datetime) -> StepVerdict:
        # StepClock.completed, flattened.
        limit = clock.limit
        if limit is None:
            return StepVerdict(clock.step, clock.agency, clock.activated, at, None, None, ZERO,
                               None, None)
        due = clock.due
        running = clock.running
        consumed = clock.consumed
        if clock.exact and running is not None and due is not None and at >= running:
            consumed += wtb(running, at)
            margin: dt.timedelta | None = clock.budget - consumed
            if at > due:
                verdict: Verdict | None = _LATE
            elif local_date(at) < local_date(due):
                verdict = _EARLY
            else:
                verdict = _ON_TIME
        else:
            if running is not None:
                consumed += spent(clock.measure, running, at, cal)
            verdict = margin = None
            if due is not None:
                verdict, margin = judge(at, due, cal)
        return StepVerdict(clock.step, clock.agency, clock.activated, at, limit, due, consumed,
                           verdict, margin)

    for event in events:
        kind = kinds.get(type(event))
        if kind is None:
            continue
        at = event.at
        if kind == _COMPLETE:
            assert isinstance(event, StepCompleted)
            name = event.step
            for k, clock in enumerate(steps):
                if clock.step == name:
                    finished.append(complete(clock, at))
                    del steps[k]
                    changed = True
                    break
            if event.activated:
                start(event.activated, at)
                changed = True
        elif kind == _RECEIVE:
            assert isinstance(event, Received)
            if event.appointment is not None:
                ledger = Ledger.from_deadline(event.appointment, cal)
            steps = []
            start(event.activated or (), at)
            receiver = event.agency
            changed = True
        elif kind == _STOP:
            if ledger is not None:
                ledger = ledger.stop(at, cal)
            for clock in steps:  # Ledger.stop
                running = clock.running if clock.limit is not None else None
                if running is not None:
                    clock.consumed += spent(clock.measure, running, at, cal)
                    clock.running = None
                    clock.exact = False
                    clock.source = None
                    changed = True
        elif kind == _RESUME:
            if ledger is not None and restart and type(event) is Supplemented:
                whole = ledger.limit
                ledger = Ledger.start(whole, clock_start(at, whole, cal, proc.clock), cal,
                                      convention)
            elif ledger is not None:
                ledger = ledger.resume(at, cal)
            for clock in steps:  # Ledger.resume
                limit = clock.limit
                if limit is not None and clock.running is None:
                    clock.running = at
                    clock.due = project(limit, at, clock.budget - clock.consumed, cal,
                                        clock.convention)
                    clock.exact = clock.convention is _EXACT and limit.office_time is not None
                    clock.source = None
                    changed = True
        elif kind == _EXTEND:
            assert isinstance(event, Extended)
            if ledger is not None:
                ledger = ledger.extend(event.by, cal)
        elif kind == _END:
            for clock in steps:
                finished.append(complete(clock, at))
            if steps:
                steps = []
                changed = True
            if ended is None:
                ended = at
                ended_running = ledger is not None and ledger.running is not None
            if ledger is not None:
                ledger = ledger.stop(at, cal)
            judged = judged and type(event) is not Withdrawn and type(event) is not Refused
        elif ended is None:  # _RETURN
            ended = at
    if finished:
        done = (*done, *finished)
    if changed:
        opened = tuple([clock.clock() for clock in steps])
    return Timeline(ledger, opened, done, receiver, ended, ended_running, judged)
