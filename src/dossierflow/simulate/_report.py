"""The report of a simulated period, read off the store like any province's: the SQL path
over the projection (:func:`dossierflow.reports.from_store`), rows by level and receiving
unit."""

from __future__ import annotations

from dossierflow import reports
from dossierflow.reports import Inputs, Period, Report
from dossierflow.store import Store

BY = ("level", "agency")
"""The simulation's report rows: each level, and each receiving unit in it."""

NO_INPUTS = Inputs()


def report_of(store: Store, period: Period, *, inputs: Inputs = NO_INPUTS) -> Report:
    """The period's report of ``store``, rows by level and receiving unit."""
    return reports.from_store(store, period, by=BY, inputs=inputs)
