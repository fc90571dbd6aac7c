"""Working-day calendars: which days the civil service works, and when its offices are open.

``vietnam()`` gives the civil-service calendar of Vietnam; :class:`WorkCalendar` answers
date-level questions (``is_working_day``, ``add_working_days``, ``working_days_between``...) and
instant-level ones (``is_open``, ``next_opening``, ``add_working_time``...) by index lookups.
"""

from dossierflow.calendar._calendar import MAX_YEARS, WorkCalendar, YearRule
from dossierflow.calendar._entries import (
    DayOff,
    DayStatus,
    MakeupWorkday,
    OfficeHours,
    Session,
)
from dossierflow.calendar._layers import Layer, load_layer, parse_layer
from dossierflow.calendar._vietnam import (
    OFFICE_HOURS as VIETNAM_OFFICE_HOURS,
)
from dossierflow.calendar._vietnam import (
    VietnamRule,
    announced_years,
    vietnam,
)

__all__ = [
    "MAX_YEARS",
    "VIETNAM_OFFICE_HOURS",
    "DayOff",
    "DayStatus",
    "Layer",
    "MakeupWorkday",
    "OfficeHours",
    "Session",
    "VietnamRule",
    "WorkCalendar",
    "YearRule",
    "announced_years",
    "load_layer",
    "parse_layer",
    "vietnam",
]
