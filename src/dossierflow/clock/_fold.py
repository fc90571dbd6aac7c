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
from zoneinfo import ZoneInfo

from dossierflow.calendar import WorkCalendar
from dossierflow.clock._ledger import ZERO, Ledger, Verdict
from dossierflow.clock._timeline import StepClock, StepVerdict, Timeline, unappointed
from dossierflow.rules import (
    Convention,
    Measure,
    SupplementPolicy,
    clock_start,
)
from dossierflow.states import (
    Channel,
    Event,
    Extended,
    Filed,
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
_new = tuple.__new__  # named tuples built positionally, without their __new__'s call
_NEW = Timeline()

# What each kind of event does to the clock (kinds not listed do nothing).
_COMPLETE, _RECEIVE, _STOP, _RESUME, _EXTEND, _END, _RETURN, _FILE = range(1, 9)
_KINDS: dict[type, int] = {
    StepCompleted: _COMPLETE, Received: _RECEIVE, SupplementRequested: _STOP, Paused: _STOP,
    Supplemented: _RESUME, Resumed: _RESUME, Extended: _EXTEND, Resolved: _END, Stopped: _END,
    Withdrawn: _END, Refused: _END, ResultReturned: _RETURN, Filed: _FILE,
}
_ONLINE = Channel.ONLINE


def fold(tl: Timeline | None, events: Iterable[Event], proc: Procedure,
         cal: WorkCalendar) -> Timeline:
    """``tl`` (None: a new dossier's) after ``events``: the timeline a loop of
    :func:`~dossierflow.clock._timeline.advance` gives, in one pass."""
    ledger, opened, done, receiver, ended, ended_running, judged, withdrawn, appointed, \
        requests, awaiting, pause, filed_online, answered, first_overdue = \
        _NEW if tl is None else tl
    # The open steps' clocks, each with whether its due is exact (see the module's docstring).
    # What only some events need (the calendar's zone and fingerprint, its office-time
    # functions) is looked up where they are, not on every call.
    steps = [(c, False) for c in opened] if opened else []
    finished: list[StepVerdict] = []
    changed = False
    kinds = _KINDS
    policy = proc.clock
    convention = policy.convention
    exact_convention = convention is _EXACT

    def start(names: tuple[str, ...], at: dt.datetime) -> None:
        # _timeline._open; Ledger.start in exact working time inlined. Steps activated
        # together often have the same allotment: their due is placed once.
        dues: dict[dt.timedelta, dt.datetime] = {}
        for name in names:
            step = proc.step(name)
            limit = step.allotment
            agency = step.owner.agency
            if limit is None:
                steps.append((_new(StepClock, (name, agency, at, None)), False))
                continue
            office = limit.office_time
            if office is not None and exact_convention:
                due = dues.get(office)
                if due is None:
                    due = dues[office] = cal.add_working_time(at, office)
                ledger = _new(Ledger, (limit, _WORKING, office, ZERO, at, due, convention))
                steps.append((_new(StepClock, (name, agency, at, ledger)), True))
            else:
                steps.append((_new(StepClock, (
                    name, agency, at, Ledger.start(limit, at, cal, convention))), False))

    def complete(clock: StepClock, exact: bool, at: dt.datetime) -> StepVerdict:
        # StepClock.completed; with an exact due, one office-time read.
        ledger = clock.ledger
        if not exact or ledger is None:
            return clock.completed(at, cal)
        limit, _, give, consumed, running, due, _ = ledger
        assert running is not None
        assert due is not None
        if at < running:
            return clock.completed(at, cal)
        consumed += cal.working_time_between(running, at)
        if at > due:
            verdict = _LATE
        # Dates on the calendar's wall clock (ZoneInfo keeps one instance per key).
        elif (at.date() < due.date() if at.tzinfo is due.tzinfo is ZoneInfo(cal.timezone)
              else cal.local_date(at) < cal.local_date(due)):
            verdict = _EARLY
        else:
            verdict = _ON_TIME
        return StepVerdict(clock.step, clock.agency, clock.activated, at, limit, due, consumed,
                           verdict, give - consumed)

    for event in events:
        at = event.at
        if first_overdue is None and ended is None and ledger is not None:
            # Timeline.first_overdue: Ledger.overdue_from, inlined.
            since = ledger.due if ledger.running is not None or \
                ledger.consumed > ledger.budget else None
            if since is not None and since < at:
                first_overdue = since
        kind = kinds.get(type(event))
        if kind is None:
            continue
        if kind == _COMPLETE:
            assert isinstance(event, StepCompleted)
            name = event.step
            for k, (clock, exact) in enumerate(steps):
                if clock.step == name:
                    finished.append(complete(clock, exact, at))
                    del steps[k]
                    changed = True
                    break
            if event.activated:
                start(event.activated, at)
                changed = True
        elif kind == _RECEIVE:
            assert isinstance(event, Received)
            deadline = event.appointment
            appointed = True
            if answered is None:
                answered = at
            if deadline is None:
                made = unappointed(event, proc, cal)
                if made is not None:
                    ledger, appointed = made, False
            else:
                # Ledger.from_deadline; for office time on the same calendar, inlined.
                limit = deadline.limit
                office = limit.office_time
                if office is not None and deadline.calendar_fingerprint == cal.fingerprint:
                    ledger = _new(Ledger, (limit, _WORKING, office, ZERO, deadline.start,
                                           deadline.due, deadline.convention))
                else:
                    ledger = Ledger.from_deadline(deadline, cal)
            steps = []
            start(event.activated or (), at)
            receiver = event.agency
            changed = True
        elif kind == _STOP:
            if type(event) is Paused:
                pause = event
            else:  # SupplementRequested
                requests += 1
                awaiting = at
                if answered is None:
                    answered = at
            if ledger is not None:
                ledger = ledger.stop(at, cal)
            for k, (clock, _) in enumerate(steps):
                mine = clock.ledger
                if mine is not None and mine.running is not None:
                    steps[k] = (_new(StepClock, (clock.step, clock.agency, clock.activated,
                                                 mine.stop(at, cal))), False)
                    changed = True
        elif kind == _RESUME:
            if type(event) is Supplemented:
                awaiting = None
            else:  # Resumed
                pause = None
            if ledger is not None and type(event) is Supplemented and \
                    policy.on_supplement is SupplementPolicy.RESTART:
                whole = ledger.limit
                ledger = Ledger.start(whole, clock_start(at, whole, cal, policy), cal,
                                      convention)
            elif ledger is not None:
                ledger = ledger.resume(at, cal)
            for k, (clock, _) in enumerate(steps):
                mine = clock.ledger
                if mine is not None and mine.running is None:
                    mine = mine.resume(at, cal)
                    steps[k] = (_new(StepClock, (clock.step, clock.agency, clock.activated,
                                                 mine)),
                                mine.convention is _EXACT and mine.limit.office_time is not None)
                    changed = True
        elif kind == _EXTEND:
            assert isinstance(event, Extended)
            if ledger is not None:
                ledger = ledger.extend(event.by, cal)
        elif kind == _END:
            for clock, exact in steps:
                finished.append(complete(clock, exact, at))
            if steps:
                steps = []
                changed = True
            if ended is None:
                ended = at
                ended_running = ledger is not None and ledger.running is not None
            if ledger is not None and ledger.running is not None:
                ledger = ledger.stop(at, cal)
            judged = judged and type(event) is not Withdrawn and type(event) is not Refused
            withdrawn = withdrawn or type(event) is Withdrawn
            pause = None
            if answered is None and type(event) is Refused:
                answered = at
        elif kind == _FILE:
            assert isinstance(event, Filed)
            filed_online = at if event.channel is _ONLINE else None
        elif ended is None:  # _RETURN
            ended = at
    if finished:
        done = (*done, *finished)
    if changed:
        opened = tuple([clock for clock, _ in steps])
    return _new(Timeline, (ledger, opened, done, receiver, ended, ended_running, judged,
                           withdrawn, appointed, requests, awaiting, pause, filed_online,
                           answered, first_overdue))
