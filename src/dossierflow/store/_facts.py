"""What reports read off a dossier (package-internal): the report columns of its
``df_dossiers`` row and its ``df_facts`` rows, one per event that reports count by agency
or answer for (apologies, supplement requests, pauses, complaints and their answers,
ratings). Both are written in the same transaction as the events; ``dossierflow.reports``
aggregates them (its ``from_store``), and its ``from_dossiers`` computes the same from the
histories, which the tests hold equal.

A fact row carries what the report's event counts read of its dossier (:data:`GROUPS`: the
groups and the receipt instant), so they scan one index without a join: set when the row is
written if the dossier is received, else NULL until its receipt, whose save sets them on
the dossier's earlier rows (:func:`regroup`); they never change after. A complaint's row
carries its answer (``took_us``, ``satisfied``), set when the answer is saved: in the same
batch by :func:`fact_rows`, else by an update of the complaint's row (:func:`answers`).

The dossier's columns are kept as the events come (a column changes only with the events
that make it), so a save reads the new events, not the history; a dossier the store has not
seen is read once, from its history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from dossierflow.clock import Sla, Timeline
from dossierflow.states import (
    RECEPTION,
    Apologized,
    Complained,
    ComplaintAnswered,
    Dossier,
    Event,
    FeePaid,
    Officer,
    OnlineLevel,
    Paused,
    PaymentMethod,
    Procedure,
    Rated,
    Received,
    ResultReturned,
    Status,
    SupplementRequested,
    evolve,
)
from dossierflow.store._sql import duration_us, optional_us, to_us

UNSATISFIED = 2
"""Ratings at or below this score are "not satisfied" (the reports' threshold)."""

FACT_EVENTS: frozenset[type] = frozenset({Apologized, SupplementRequested, Paused, Complained,
                                        ComplaintAnswered, Rated})
"""The kinds of events that have a ``df_facts`` row."""


GROUPS: tuple[str, ...] = ("receiver", "level", "sector", "procedure", "channel",
                           "received_us")
"""The columns a ``df_facts`` row copies from its dossier's ``df_dossiers`` row once the
dossier is received (NULL before): what the report's event counts group by and filter on."""


def agency_level(proc: Procedure, agency: str) -> str:
    """The level of ``agency`` as ``proc`` lists it ("" if it does not)."""
    for a in proc.agencies:
        if a.id == agency:
            return a.level
    return ""


def groups(d: Dossier, proc: Procedure) -> dict[str, Any]:
    """The :data:`GROUPS` of ``d``'s fact rows: the same values as its ``df_dossiers`` row
    (the receiving agency, its level, the procedure's field, the procedure, the channel,
    the receipt instant) once it is received; all None before."""
    receipt = d.receipt
    if receipt is None:
        return dict.fromkeys(GROUPS)
    return {"receiver": receipt.agency, "level": agency_level(proc, receipt.agency),
            "sector": proc.sector, "procedure": d.procedure, "channel": d.channel.value,
            "received_us": to_us(receipt.at)}


def regroup(before: Dossier | None, after: Dossier) -> bool:
    """Whether saving ``after`` must set the groups on fact rows saved before: it receives
    a dossier that already has some (a complaint or a supplement request before receipt)."""
    return before is not None and before.receipt is None and after.receipt is not None \
        and any(type(e) in FACT_EVENTS for e in before.history)


def answers(rows: Iterable[dict[str, Any]], first: int) -> list[dict[str, Any]]:
    """The updates of complaint rows saved before ``first`` that ``rows`` (fact rows from
    sequence number ``first``) answer: the complaint's ``seq`` (``ref``), ``took_us`` and
    ``satisfied``."""
    return [{"_id": r["dossier_id"], "_seq": r["ref"], "took_us": r["took_us"],
             "satisfied": r["satisfied"]}
            for r in rows if r["kind"] == "answer" and r["ref"] < first]


def receives(events: Sequence[Event]) -> bool:
    """Whether ``events`` receive the dossier: a ``Received`` event, the only one that sets
    its receipt (and so the receiving agency, the receipt instant, the appointment)."""
    return Received in map(type, events)


def report_columns(d: Dossier, tl: Timeline, proc: Procedure, *, sla: Sla,
                   prev: dict[str, Any] | None, events: Sequence[Event]) -> dict[str, Any]:
    """The report columns of ``d``'s ``df_dossiers`` row: ``prev`` (the row before
    ``events``; None: ``events`` is the whole history) with ``events`` read in. The level is
    taken from ``prev`` unless ``events`` receive the dossier; the instant it closed and the
    first instant it was seen overdue, once set, never change (``Timeline.ended``,
    ``Timeline.first_overdue``)."""
    receipt = d.receipt
    if prev is None:
        kept: dict[str, Any] = {
            "paid_online_us": None, "returned_us": None, "electronic_result": False,
            "unsatisfied_us": None, "five_on_the_spot": False}
        level = agency_level(proc, receipt.agency) if receipt is not None else None
        closed_us = first_overdue_us = None
    else:
        kept = {"paid_online_us": prev["paid_online_us"], "returned_us": prev["returned_us"],
                "electronic_result": prev["electronic_result"],
                "unsatisfied_us": prev["unsatisfied_us"],
                "five_on_the_spot": prev["five_on_the_spot"]}
        level = prev["level"]
        if receipt is not None and (level is None or receives(events)):
            level = agency_level(proc, receipt.agency)
        closed_us = prev["closed_us"]
        first_overdue_us = prev["first_overdue_us"]
    if closed_us is None and receipt is not None:
        closed_us = optional_us(tl.ended)
    if first_overdue_us is None:
        first_overdue_us = optional_us(tl.first_overdue)
    recheck = prev is None
    for e in events:
        kind = type(e)
        if kind is FeePaid:
            assert isinstance(e, FeePaid)
            recheck = True
            if e.method is PaymentMethod.ONLINE and kept["paid_online_us"] is None and \
                    d.payment is e:
                kept["paid_online_us"] = to_us(e.at)
        elif kind is ResultReturned:
            assert isinstance(e, ResultReturned)
            recheck = True
            if kept["returned_us"] is None:
                kept["returned_us"] = to_us(e.at)
                kept["electronic_result"] = e.electronic_result
        elif kept["unsatisfied_us"] is None and (kind is Complained or (
                isinstance(e, Rated) and e.score <= UNSATISFIED)):
            kept["unsatisfied_us"] = to_us(e.at)
    if recheck:
        kept["five_on_the_spot"] = d.status is Status.RETURNED and sla.five_on_the_spot(d)
    return {
        "closed_us": closed_us,
        "first_overdue_us": first_overdue_us,
        "level": level, "sector": proc.sector,
        "fee_bearing": proc.has_fee, "online_eligible": proc.online is OnlineLevel.FULL,
        "components": receipt.components if receipt is not None else None,
        "digitised": receipt.digitised if receipt is not None else None,
        "reused": receipt.reused if receipt is not None else None,
        **kept,
    }


def held_step(before: Dossier | None, agency: str, proc: Procedure) -> str:
    """The step ``agency`` held just before an event (``before``: the dossier then): its
    first active step owned by the agency; ``(reception)`` before receipt; "" if none."""
    if before is None or not before.received:
        return RECEPTION
    steps = {s.name: s for s in proc.steps}
    for h in before.active:
        step = steps.get(h.step)
        if step is not None and step.owner.agency == agency:
            return h.step
    return ""


def fact_rows(before: Dossier | None, after: Dossier, events: Iterable[Event], first: int,
              proc: Procedure, *, sla: Sla) -> list[dict[str, Any]]:
    """The ``df_facts`` rows of ``events`` (sequence numbers from ``first``), which took
    ``before`` (None: a new dossier) to ``after``, with ``after``'s :func:`groups`; a
    complaint answered in ``events`` carries its answer (one answered later is updated,
    :func:`answers`)."""
    events = tuple(events)
    rows: list[dict[str, Any]] = []
    keys = groups(after, proc)
    complaints: dict[int, dict[str, Any]] = {}
    state = before
    needs = any(type(e) is SupplementRequested or type(e) is Paused for e in events[1:])
    history = after.history
    for seq, e in enumerate(events, first):
        kind = type(e)
        row: dict[str, Any] | None = None
        if kind is Apologized:
            assert isinstance(e, Apologized)
            row = {"kind": "apology_late" if e.late else "apology_on_time",
                   "agency": e.agency}
        elif kind is SupplementRequested:
            assert isinstance(e, SupplementRequested)
            row = {"kind": "supplement", "agency": e.agency,
                   "step": held_step(state, e.agency, proc)}
        elif kind is Paused:
            assert isinstance(e, Paused)
            actor = e.actor
            agency = actor.agency if isinstance(actor, Officer) else (
                state.receipt.agency if state is not None and state.receipt is not None
                else "")
            row = {"kind": "pause", "agency": agency,
                   "step": held_step(state, agency, proc), "reason": e.kind or "other"}
        elif kind is Complained:
            row = {"kind": "complaint"}
        elif kind is ComplaintAnswered:
            assert isinstance(e, ComplaintAnswered)
            asked = next(k for k in range(seq - 2, -1, -1) if type(history[k]) is Complained)
            row = {"kind": "answer", "ref": asked + 1, "satisfied": e.satisfied,
                   "took_us": duration_us(
                       sla.calendar.working_time_between(history[asked].at, e.at))}
            complaint = complaints.get(asked + 1)
            if complaint is not None:  # the complaint's row carries its answer
                complaint["satisfied"] = row["satisfied"]
                complaint["took_us"] = row["took_us"]
        elif kind is Rated:
            assert isinstance(e, Rated)
            row = {"kind": "rating", "score": e.score}
        if row is not None:
            row = {"dossier_id": after.id, "seq": seq, "at_us": to_us(e.at),
                   "agency": None, "step": None, "reason": None, "score": None,
                   "ref": None, "took_us": None, "satisfied": None, **keys, **row}
            rows.append(row)
            if kind is Complained:
                complaints[seq] = row
        if needs:  # a later event of the batch reads the dossier as it was before it
            state = evolve(state, e)
    return rows
