"""The ledger: one clock (a dossier's against its time limit, or a step's against its
allotment) as budget, consumed, and running since; and how an end is judged against a due.

A ledger is a value: every change returns a new one. Its ``due`` is the projected due
instant while it runs and, once stopped, the due it had when it last ran, so that one
definition of overdue serves running and stopped clocks alike (:meth:`Ledger.overdue_from`).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import NamedTuple

from dossierflow.calendar import WorkCalendar
from dossierflow.rules import (
    Convention,
    Deadline,
    Measure,
    TimeLimit,
    budget,
    measure_of,
    project,
    spent,
)
from dossierflow.rules import extension as extension_of

ZERO = dt.timedelta(0)
_new = tuple.__new__


class Verdict(enum.Enum):
    """Early and on time both count as on time in reports (Decision 766/QĐ-TTg)."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"

    @property
    def in_time(self) -> bool:
        return self is not Verdict.LATE


def judge(end: dt.datetime, due: dt.datetime,
          cal: WorkCalendar) -> tuple[Verdict, dt.timedelta]:
    """``end`` against ``due``: the verdict and the margin in working time (negative when
    late). Early means on an earlier day than the due."""
    if end > due:
        return Verdict.LATE, -cal.working_time_between(due, end)
    margin = cal.working_time_between(end, due)
    if cal.local_date(end) < cal.local_date(due):
        return Verdict.EARLY, margin
    return Verdict.ON_TIME, margin


class Ledger(NamedTuple):
    """Budget, consumed, running since, due: the clock of a dossier or of a step.

    An immutable named tuple rather than an attrs class: the clock builds several for every
    event it folds, and a tuple is built several times faster."""

    limit: TimeLimit
    measure: Measure
    budget: dt.timedelta
    consumed: dt.timedelta
    running: dt.datetime | None
    due: dt.datetime | None
    convention: Convention

    @classmethod
    def start(cls, limit: TimeLimit, start: dt.datetime, cal: WorkCalendar,
              convention: Convention) -> Ledger:
        """A clock of ``limit`` running from ``start``."""
        give = budget(limit, start, cal)
        return _new(Ledger, (limit, measure_of(limit), give, ZERO, start,
                             project(limit, start, give, cal, convention), convention))

    @classmethod
    def from_deadline(cls, deadline: Deadline, cal: WorkCalendar) -> Ledger:
        """The clock the receipt slip's appointment started: its due is the recorded one when
        ``cal`` is the calendar it was computed on, else projected again on ``cal``."""
        limit = deadline.limit
        give = budget(limit, deadline.start, cal)
        due = deadline.due
        if deadline.calendar_fingerprint != cal.fingerprint:
            due = project(limit, deadline.start, give, cal, deadline.convention)
        return _new(Ledger, (limit, measure_of(limit), give, ZERO, deadline.start, due,
                             deadline.convention))

    # Positional construction, straight through tuple.__new__: the clock folds every event of
    # every dossier it judges, and attrs.evolve costs several times a direct call, which
    # itself costs twice tuple.__new__.

    def stop(self, at: dt.datetime, cal: WorkCalendar) -> Ledger:
        """The clock stopped at ``at`` (what ran until then is consumed)."""
        if self.running is None:
            return self
        return _new(Ledger, (self.limit, self.measure, self.budget,
                             self.consumed + spent(self.measure, self.running, at, cal), None,
                             self.due, self.convention))

    def resume(self, at: dt.datetime, cal: WorkCalendar) -> Ledger:
        """The clock running again from ``at``, its due projected from the rest."""
        if self.running is not None:
            return self
        return Ledger(self.limit, self.measure, self.budget, self.consumed, at,
                      project(self.limit, at, self.budget - self.consumed, cal,
                              self.convention), self.convention)

    def extend(self, by: TimeLimit, cal: WorkCalendar) -> Ledger:
        """More budget (an extension), the due projected again if the clock runs."""
        budget = self.budget + extension_of(by, self.measure)
        due = self.due
        if self.running is not None:
            due = project(self.limit, self.running, budget - self.consumed, cal,
                          self.convention)
        return Ledger(self.limit, self.measure, budget, self.consumed, self.running, due,
                      self.convention)

    def consumed_at(self, at: dt.datetime, cal: WorkCalendar) -> dt.timedelta:
        """What has been consumed by ``at``."""
        if self.running is None:
            return self.consumed
        return self.consumed + spent(self.measure, self.running, at, cal)

    @property
    def current_due(self) -> dt.datetime | None:
        """The due instant while the clock runs; None while it is stopped."""
        return self.due if self.running is not None else None

    @property
    def overdue_from(self) -> dt.datetime | None:
        """From when the clock is overdue: its due while it runs; the due it passed before it
        stopped, if its time ran out before the stop; else None (stopped within its time).
        Overdue at ``at`` means ``overdue_from < at``."""
        if self.running is not None:
            return self.due
        return self.due if self.consumed > self.budget else None

    def is_overdue(self, at: dt.datetime) -> bool:
        """Whether the clock is past its due at ``at`` (see :attr:`overdue_from`)."""
        since = self.overdue_from
        return since is not None and since < at
