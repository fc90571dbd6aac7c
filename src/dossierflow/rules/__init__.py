"""Statutory time limits (working days, hours, same day with a cut-off, calendar days, months).

Each value carries its legal basis; procedure definitions use them for their statutory limit and
for each step's allotment.
"""

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

__all__ = [
    "HOURS_PER_WORKING_DAY",
    "TimeLimit",
    "Unit",
    "calendar_days",
    "months",
    "same_day",
    "working_days",
    "working_hours",
]
