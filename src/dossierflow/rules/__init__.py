"""Statutory time limits, the SLA clock, and lateness.

- Values: :class:`TimeLimit` (``working_days``, ``working_hours``, ``same_day``,
  ``calendar_days``, ``months``), each with its legal basis and an optional cut-off.
- Deadlines: :func:`appointment` computes a dossier's appointment from its receipt, a limit, a
  calendar and a :class:`ClockPolicy` (start, convention, supplements).

This package knows nothing of dossiers: the clock over a dossier's history (ledgers, verdicts,
due-soon and overdue, apologies) is :mod:`dossierflow.clock`.
"""

from dossierflow.rules._deadline import (
    ApologyTiming,
    ClockPolicy,
    Convention,
    Deadline,
    Measure,
    ReceiptPolicy,
    StartPolicy,
    SupplementPolicy,
    appointment,
    budget,
    clock_start,
    extension,
    measure_of,
    project,
    spent,
)
from dossierflow.rules._limits import (
    HOURS_PER_WORKING_DAY,
    PauseReason,
    TimeLimit,
    Unit,
    VaryingLimit,
    calendar_days,
    months,
    same_day,
    varying,
    working_days,
    working_hours,
)

__all__ = [
    "HOURS_PER_WORKING_DAY",
    "ApologyTiming",
    "ClockPolicy",
    "Convention",
    "Deadline",
    "Measure",
    "PauseReason",
    "ReceiptPolicy",
    "StartPolicy",
    "SupplementPolicy",
    "TimeLimit",
    "Unit",
    "VaryingLimit",
    "appointment",
    "budget",
    "calendar_days",
    "clock_start",
    "extension",
    "measure_of",
    "months",
    "project",
    "same_day",
    "spent",
    "varying",
    "working_days",
    "working_hours",
]
