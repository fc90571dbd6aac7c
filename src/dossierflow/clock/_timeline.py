"""The timeline: what the clock knows of one dossier after some of its events.

A :class:`Timeline` holds the dossier's ledger (started from the receipt slip's recorded
:class:`~dossierflow.rules.Deadline`), one ledger per active step against its allotment, the
verdicts of the steps already done, and when the dossier ended. :func:`advance` folds one event
into it in constant time (no replay, no walk of the procedure's graph: events record which
steps they activated), so the store's projection keeps it event by event and the clock's
functions fold a history once. :func:`advance` is the definition, one immutable timeline per
event; :meth:`~dossierflow.clock.Sla.advance` runs its one-pass copy,
:func:`dossierflow.clock._fold.fold`, which a property test holds equal to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, NamedTuple

import attrs

from dossierflow.calendar import WorkCalendar
from dossierflow.clock._ledger import ZERO, Ledger, Verdict, judge
from dossierflow.rules import SupplementPolicy, TimeLimit, clock_start
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


@attrs.frozen
class StepVerdict:
    """One step's sub-clock: from its activation to its completion, paused with the dossier.
    ``margin`` is working time left (negative: late by that much)."""

    step: str
    agency: str
    activated: dt.datetime
    completed: dt.datetime | None
    allotment: TimeLimit | None
    due: dt.datetime | None
    consumed: dt.timedelta
    verdict: Verdict | None
    margin: dt.timedelta | None


class StepClock(NamedTuple):
    """An active step's clock (``ledger`` None: the step has no allotment); a named tuple,
    like :class:`~dossierflow.clock.Ledger`, for the speed of the fold."""

    step: str
    agency: str
    activated: dt.datetime
    ledger: Ledger | None

    def judged(self, at: dt.datetime | None, cal: WorkCalendar) -> StepVerdict:
        """This open step as seen at ``at`` (None: no verdict yet): late once overdue."""
        ledger = self.ledger
        if ledger is None:
            return StepVerdict(self.step, self.agency, self.activated, None, None, None, ZERO,
                               None, None)
        if at is None:
            return StepVerdict(self.step, self.agency, self.activated, None, ledger.limit,
                               ledger.due, ledger.consumed, None, None)
        consumed = ledger.consumed_at(at, cal)
        verdict = Verdict.LATE if ledger.is_overdue(at) else None
        if ledger.running is not None and ledger.due is not None:
            margin: dt.timedelta | None = judge(at, ledger.due, cal)[1]
        else:
            margin = ledger.budget - consumed
        return StepVerdict(self.step, self.agency, self.activated, None, ledger.limit,
                           ledger.due, consumed, verdict, margin)

    def completed(self, at: dt.datetime, cal: WorkCalendar) -> StepVerdict:
        """This step's verdict when it completes at ``at``."""
        ledger = self.ledger
        if ledger is None:
            return StepVerdict(self.step, self.agency, self.activated, at, None, None, ZERO,
                               None, None)
        ledger = ledger.stop(at, cal)
        verdict: Verdict | None = None
        margin: dt.timedelta | None = None
        if ledger.due is not None:
            verdict, margin = judge(at, ledger.due, cal)
        return StepVerdict(self.step, self.agency, self.activated, at, ledger.limit,
                           ledger.due, ledger.consumed, verdict, margin)


class Timeline(NamedTuple):
    """What the clock knows of a dossier: its ``ledger`` (None before receipt or without a
    time limit), the clocks of its active steps, the verdicts of the steps done, the
    receipt's ``agency``, and ``ended`` (when it was resolved, else returned, else stopped,
    withdrawn or refused) with whether its clock was running then. An immutable named
    tuple, built once for every batch of events the clock folds.

    The facts the verdict policies and the law's other clocks read (see
    :class:`~dossierflow.clock.VerdictPolicy` and :class:`~dossierflow.clock.Sla`):

    - ``withdrawn``: the applicant withdrew the dossier;
    - ``appointed``: False when the ledger was started from the procedure's time limit
      because the receipt recorded no appointment (a history imported from another system);
    - ``requests``: how many times the dossier was asked to supplement, by any agencies;
    - ``awaiting``: when the supplement it still waits for was asked (kept if it ended
      waiting: the supplement never came);
    - ``pause``: the pause in progress, if it is paused;
    - ``filed_online``: when the portal recorded an online filing (None: another channel);
    - ``answered``: when the desk first received it, asked for a supplement or refused it;
    - ``first_overdue``: the first time the open dossier was seen past its due: when an event
      at ``t`` is folded while the dossier is open and its ledger's
      :attr:`~dossierflow.clock.Ledger.overdue_from` is before ``t``, that instant (kept
      once set, whatever extensions or restarts do later; None: no event yet found it
      overdue). Reports read "pending and had been overdue" off it (late stays late).
    """

    ledger: Ledger | None = None
    open: tuple[StepClock, ...] = ()
    done: tuple[StepVerdict, ...] = ()
    receiver: str | None = None
    ended: dt.datetime | None = None
    ended_running: bool = False
    judged: bool = True
    """False once withdrawn or refused (a withdrawn dossier is judged only under
    :attr:`~dossierflow.clock.VerdictPolicy.judge_withdrawn`)."""
    withdrawn: bool = False
    appointed: bool = True
    requests: int = 0
    awaiting: dt.datetime | None = None
    pause: Paused | None = None
    filed_online: dt.datetime | None = None
    answered: dt.datetime | None = None
    first_overdue: dt.datetime | None = None

    def evolve(self, **changes: Any) -> Timeline:
        """This timeline with ``changes`` (field values by name)."""
        return self._replace(**changes)

    @property
    def due(self) -> dt.datetime | None:
        """The dossier's due instant now; None while its clock is stopped or it has none."""
        return None if self.ledger is None else self.ledger.current_due

    @property
    def overdue_from(self) -> dt.datetime | None:
        """From when the dossier is overdue (None: it is not), while it is open."""
        if self.ledger is None or self.ended is not None:
            return None
        return self.ledger.overdue_from

    def is_overdue(self, at: dt.datetime) -> bool:
        """Whether the open dossier is past its appointment at ``at`` (a dossier paused after
        its time ran out included)."""
        since = self.overdue_from
        return since is not None and since < at


def unappointed(received: Received, proc: Procedure, cal: WorkCalendar) -> Ledger | None:
    """The ledger of a dossier whose receipt recorded no appointment although its procedure
    has a time limit (a history imported from another system): the limit from the instant
    the clock starts (:func:`~dossierflow.rules.clock_start`), so that what it used can be
    measured against the limit. A limit that varies is read from the receiving agency's
    attributes (the dossier's data is not part of the receipt); None without a limit."""
    limit = proc.limit_for({}, received.agency) if proc.time_limit is not None else None
    if limit is None:
        return None
    return Ledger.start(limit, clock_start(received.at, limit, cal, proc.clock), cal,
                        proc.clock.convention)


def advance(tl: Timeline, event: Event, proc: Procedure, cal: WorkCalendar) -> Timeline:
    """The timeline after ``event`` (an event whose flow is recorded: see
    :class:`~dossierflow.states.StepCompleted`): the definition of the clock's fold, kept
    plain. :func:`dossierflow.clock._fold.fold` gives the same for a batch of events in one
    pass, and is what runs for every dossier judged or saved."""
    kind = type(event)
    at = event.at
    ledger = tl.ledger
    if tl.first_overdue is None and tl.ended is None and ledger is not None:
        since = ledger.overdue_from
        if since is not None and since < at:
            tl = tl.evolve(first_overdue=since)
    if kind is StepCompleted:
        assert isinstance(event, StepCompleted)
        open_ = list(tl.open)
        done = tl.done
        for k, clock in enumerate(open_):
            if clock.step == event.step:
                done = (*done, clock.completed(at, cal))
                del open_[k]
                break
        if event.activated:
            open_.extend(_open(proc, event.activated, at, cal))
        return tl.evolve(open=tuple(open_), done=done)
    if kind is Filed:
        assert isinstance(event, Filed)
        return tl.evolve(filed_online=at if event.channel is Channel.ONLINE else None)
    if kind is Received:
        assert isinstance(event, Received)
        appointed = True
        if event.appointment is not None:
            ledger = Ledger.from_deadline(event.appointment, cal)
        else:
            made = unappointed(event, proc, cal)
            if made is not None:
                ledger, appointed = made, False
        return tl.evolve(ledger=ledger, open=_open(proc, event.activated or (), at, cal),
                           receiver=event.agency, appointed=appointed,
                           answered=at if tl.answered is None else tl.answered)
    if kind is SupplementRequested or kind is Paused:
        tl = tl.evolve(ledger=ledger.stop(at, cal) if ledger else None,
                         open=_each(tl.open, lambda x: x.stop(at, cal)))
        if kind is Paused:
            assert isinstance(event, Paused)
            return tl.evolve(pause=event)
        return tl.evolve(requests=tl.requests + 1, awaiting=at,
                           answered=at if tl.answered is None else tl.answered)
    if kind is Supplemented or kind is Resumed:
        if ledger is not None and kind is Supplemented and \
                proc.clock.on_supplement is SupplementPolicy.RESTART:
            limit = ledger.limit
            ledger = Ledger.start(limit, clock_start(at, limit, cal, proc.clock), cal,
                                  proc.clock.convention)
        elif ledger is not None:
            ledger = ledger.resume(at, cal)
        tl = tl.evolve(ledger=ledger, open=_each(tl.open, lambda x: x.resume(at, cal)))
        if kind is Supplemented:
            return tl.evolve(awaiting=None)
        return tl.evolve(pause=None)
    if kind is Extended:
        assert isinstance(event, Extended)
        return tl.evolve(ledger=ledger.extend(event.by, cal) if ledger else None)
    if kind is Resolved or kind is Stopped or kind is Withdrawn or kind is Refused:
        done = (*tl.done, *(c.completed(at, cal) for c in tl.open)) if tl.open else tl.done
        first_end = tl.ended is None
        running = ledger is not None and ledger.running is not None
        return tl.evolve(
            ledger=ledger.stop(at, cal) if ledger else None, open=(), done=done,
            ended=at if first_end else tl.ended,
            ended_running=running if first_end else tl.ended_running,
            judged=tl.judged and kind is not Withdrawn and kind is not Refused,
            withdrawn=tl.withdrawn or kind is Withdrawn, pause=None,
            answered=at if tl.answered is None and kind is Refused else tl.answered)
    if kind is ResultReturned and tl.ended is None:
        return tl.evolve(ended=at)
    return tl


def _open(proc: Procedure, steps: tuple[str, ...], at: dt.datetime,
          cal: WorkCalendar) -> tuple[StepClock, ...]:
    clocks = []
    for name in steps:
        step = proc.step(name)
        ledger = None
        if step.allotment is not None:
            ledger = Ledger.start(step.allotment, at, cal, proc.clock.convention)
        clocks.append(StepClock(name, step.owner.agency, at, ledger))
    return tuple(clocks)


def _each(clocks: tuple[StepClock, ...],
          change: Callable[[Ledger], Ledger]) -> tuple[StepClock, ...]:
    return tuple(c if c.ledger is None else StepClock(c.step, c.agency, c.activated,
                                                      change(c.ledger)) for c in clocks)
