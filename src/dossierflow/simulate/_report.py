"""The report of a simulated period, read off the store like any province's.

:func:`report_of` is the one call: ``reports.from_store`` (the SQL path over the projection)
when this dossierflow has it, else the dossiers replayed from the store one by one and counted
here by :class:`~dossierflow.reports.Counts`' definitions, grouped by level and receiving
unit. The facts the store does not hold are outcomes of the simulation too:
communes offering electronic certified copies is the share of communes that returned one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from dossierflow import reports
from dossierflow.clock import Sla, Verdict
from dossierflow.reports import Counts, Inputs, Period, Report, Row
from dossierflow.states import (
    Channel,
    Complained,
    ComplaintAnswered,
    Dossier,
    OnlineLevel,
    PaymentMethod,
    Rated,
    ResultReturned,
)
from dossierflow.store import Store

COMPLAINT_LIMIT = dt.timedelta(hours=10 * 8)
"""10 working days to answer a petition about a dossier (Decree 20/2008/NĐ-CP, as portals
apply it)."""

BY = ("level", "agency")
"""The simulation's report rows: each level, and each receiving unit in it."""


NO_INPUTS = Inputs()


def report_of(store: Store, period: Period, *, inputs: Inputs = NO_INPUTS) -> Report:
    """The period's report of ``store``, rows by level and receiving unit."""
    from_store: Callable[..., Report] | None = getattr(reports, "from_store", None)
    if from_store is not None:
        return from_store(store, period, by=BY, inputs=inputs)
    return _replayed(store, period, inputs)


def _replayed(store: Store, period: Period, inputs: Inputs) -> Report:
    sla = store.sla
    start, end = period.instants
    rows: dict[tuple[str, str], dict[str, int]] = {}
    for ident in store.dossier_ids():
        d = store.load(ident, cached=False)
        receipt = d.receipt
        if receipt is None:
            continue
        proc = store.engine.procedure_of(d)
        key = (proc.agency(receipt.agency).level, receipt.agency)
        c = rows.setdefault(key, dict.fromkeys(reports.COUNT_FIELDS, 0))
        _count(c, d, sla, start, end, proc.online is OnlineLevel.FULL, proc.has_fee)
    return Report(period, BY, tuple(Row(k, Counts(**rows[k])) for k in sorted(rows)),
                  inputs=inputs)


def _count(c: dict[str, int], d: Dossier, sla: Sla, start: dt.datetime, end: dt.datetime,
           full: bool, fee: bool) -> None:
    assert d.receipt is not None
    received = d.receipt.at
    if received >= end:
        return
    verdict = sla.classify(d, end - dt.timedelta(microseconds=1))
    ended = verdict.ended
    in_period = received >= start
    if in_period:
        c["received_online" if d.channel is Channel.ONLINE else "received_direct"] += 1
        c["fully_online_eligible"] += full
        c["fully_online"] += full and d.channel is Channel.ONLINE
        if fee:
            c["fee_bearing"] += 1
            paid = d.payment
            c["paid_online"] += paid is not None and paid.at < end and \
                paid.method is PaymentMethod.ONLINE
        if d.receipt.components is not None:
            c["components"] += d.receipt.components
            c["digitised"] += d.receipt.digitised or 0
        c["reused"] += bool(d.receipt.reused)
        c["complained_or_unsatisfied"] += any(
            (isinstance(e, Complained) or (isinstance(e, Rated) and e.score <= 2))
            and e.at < end for e in d.history)
    elif ended is None or ended >= start:
        c["carried_over"] += 1
    if ended is not None and start <= ended < end:
        field = {Verdict.EARLY: "resolved_early", Verdict.LATE: "resolved_late"}.get(
            verdict.verdict, "resolved_on_time")  # type: ignore[arg-type]
        c[field] += 1
    elif ended is None or ended >= end:
        c["pending_overdue" if verdict.verdict is Verdict.LATE else "pending_in_time"] += 1
    first_result = True
    asked: Any = None
    for e in d.history:
        if not start <= e.at < end:
            continue
        if isinstance(e, ResultReturned) and first_result:
            first_result = False
            c["results"] += 1
            c["electronic_results"] += e.electronic_result
        elif isinstance(e, Rated):
            c["rated"] += 1
            c["rated_unsatisfied"] += e.score <= 2
        elif isinstance(e, Complained):
            c["complaints"] += 1
            asked = e
        elif isinstance(e, ComplaintAnswered) and asked is not None:
            limit = sla.calendar.add_working_time(asked.at, COMPLAINT_LIMIT)
            c["complaints_answered_on_time"] += e.at <= limit
            c["complaints_satisfied"] += bool(e.satisfied)
