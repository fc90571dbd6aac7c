"""Statutory time limits, the SLA clock, and lateness.

- Values: :class:`TimeLimit` (``working_days``, ``working_hours``, ``same_day``,
  ``calendar_days``, ``months``), each with its legal basis and an optional cut-off.
- Deadlines: :func:`appointment` computes a dossier's appointment from its receipt, a limit, a
  calendar and a :class:`ClockPolicy` (start, convention, supplements).
- The clock over dossiers: :class:`Sla` reads a dossier's history as a ledger (budget, consumed,
  running since), classifies dossiers and steps as early, on time or late with who caused it,
  finds those due soon or overdue, proposes apologies (Form 04) and recomputes appointments
  when the calendar changes.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from dossierflow.rules._deadline import (
    ClockPolicy,
    Convention,
    Deadline,
    Measure,
    StartPolicy,
    SupplementPolicy,
    appointment,
    budget,
    clock_start,
    project,
)
from dossierflow.rules._limits import (
    HOURS_PER_WORKING_DAY,
    TimeLimit,
    Unit,
    calendar_days,
    months,
    same_day,
    working_days,
    working_hours,
)

if TYPE_CHECKING:
    from dossierflow.rules._sla import (
        ClockState,
        DossierVerdict,
        Moved,
        Sla,
        StepVerdict,
        Verdict,
    )

_LAZY = frozenset({"ClockState", "DossierVerdict", "Moved", "Sla", "StepVerdict", "Verdict"})
"""Names that read dossiers: imported on first use, since dossierflow.states itself uses the
time-limit values of this package."""


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module("dossierflow.rules._sla"), name)
    raise AttributeError(f"module 'dossierflow.rules' has no attribute {name!r}")


__all__ = [
    "HOURS_PER_WORKING_DAY",
    "ClockPolicy",
    "ClockState",
    "Convention",
    "Deadline",
    "DossierVerdict",
    "Measure",
    "Moved",
    "Sla",
    "StartPolicy",
    "StepVerdict",
    "SupplementPolicy",
    "TimeLimit",
    "Unit",
    "Verdict",
    "appointment",
    "budget",
    "calendar_days",
    "clock_start",
    "months",
    "project",
    "same_day",
    "working_days",
    "working_hours",
]
