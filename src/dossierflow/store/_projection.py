"""The projection of a dossier (package-internal): its ``df_dossiers`` row and its
``df_active`` worklist rows, read off the dossier and its clock's
:class:`~dossierflow.clock.Timeline`, which the store advances event by event (never by
replaying the history), so that saving a command writes them in the same transaction as its
events.

A worklist row is overdue (``overdue_us``) from the earliest of: its step overran its
allotment (``step``), its dossier its appointment (``dossier``), the pause in progress its
maximum (``pause``), or, at the desk before receipt, the online filing its 8 working hours
(``reception``); ``reason`` says which.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dossierflow.clock import Sla, Timeline
from dossierflow.states import RECEPTION, Dossier, Engine, Event, Status
from dossierflow.store._facts import receives, report_columns
from dossierflow.store._sql import optional_us, to_us

RETURN = "(return)"
"""The worklist step of a resolved dossier whose result waits at the desk."""

_CLOSED = (Status.RESOLVED, Status.RETURNED, Status.STOPPED, Status.WITHDRAWN)


def project(d: Dossier, tl: Timeline, *, sla: Sla, prev: dict[str, Any] | None = None,
            events: Sequence[Event] | None = None) -> dict[str, Any]:
    """The ``df_dossiers`` row of ``d`` (without its id), whose clock is ``tl``: ``prev``
    (the row before ``events``) with ``events`` read in, or (by default) read off the whole
    history. What only the filing or the receipt sets is taken from ``prev`` unless
    ``events`` receive the dossier (only a ``Received`` event sets its receipt)."""
    status = d.status
    receipt = d.receipt
    due = tl.due if status is Status.IN_PROGRESS else None
    verdict = None
    ended = None
    blame = None
    if status in _CLOSED:
        judged = sla.judge(d, tl)
        verdict = judged.verdict.value if judged.verdict else None
        ended = judged.ended
        blame = judged.responsible
    if events is None:
        prev, events = None, d.history
    if prev is None:
        filed_us = to_us(d.history[0].at)
        received_us = appointment_us = None
        if receipt is not None:
            received_us = to_us(receipt.at)
            appointment_us = optional_us(d.appointment)
    else:
        filed_us = prev["filed_us"]
        received_us = prev["received_us"]
        appointment_us = prev["appointment_us"]
        if receipt is not None and (received_us is None or receives(events)):
            received_us = to_us(receipt.at)
            appointment_us = optional_us(d.appointment)
    return {
        "procedure": d.procedure, "procedure_version": d.procedure_version,
        "status": status.value, "channel": d.channel.value,
        "receiver": receipt.agency if receipt is not None else None,
        "filed_us": filed_us,
        "received_us": received_us,
        "appointment_us": appointment_us,
        "due_us": optional_us(due),
        "overdue_us": optional_us(tl.overdue_from),  # None once it ended (resolved included)
        "ended_us": optional_us(ended),
        "verdict": verdict,
        "apologized": bool(d.apologies),
        "version": d.version,
        "supplement_expires_us": optional_us(sla.supplement_expires(d, timeline=tl)),
        "responsible": blame,
        **report_columns(d, tl, sla.engine.procedure_of(d), sla=sla, prev=prev,
                         events=events),
    }


def holding(d: Dossier, tl: Timeline, row: dict[str, Any], *,
            engine: Engine, sla: Sla) -> list[dict[str, Any]]:
    """The ``df_active`` rows of ``d``, whose clock is ``tl`` and projection ``row``: one per
    step it is held at, with the step's due (its allotment, paused with the dossier) and the
    dossier's and the apology's; ``(reception)`` at the receiving agency's desk before it is
    received (due when the desk must answer an online filing); ``(return)`` when the result
    waits to be returned; none once it is closed."""
    status = d.status
    if not status.is_open:
        return []
    dossier_due = row["due_us"]
    dossier_overdue = row["overdue_us"]
    base = {"dossier_id": d.id, "status": status.value, "dossier_due_us": dossier_due,
            "apology_due_us": None, "reason": None}
    if status is Status.FILED or (status is Status.AWAITING_SUPPLEMENT and not d.received):
        agency = engine.procedure_of(d).receivers[0]
        late = optional_us(sla.reception_overdue_from(d, timeline=tl))
        return [{**base, "step": RECEPTION, "agency": agency, "due_us": late,
                 "step_due_us": late, "overdue_us": late,
                 "reason": None if late is None else "reception"}]
    if status is Status.RESOLVED:
        return [{**base, "step": RETURN, "agency": row["receiver"], "due_us": None,
                 "step_due_us": None, "overdue_us": None}]
    base["apology_due_us"] = optional_us(sla.apology_due(d, timeline=tl))
    pause_overdue = optional_us(sla.pause_overrun(d, timeline=tl))
    clocks = {c.step: c for c in tl.open}
    rows = []
    for h in d.active:
        clock = clocks.get(h.step)
        ledger = clock.ledger if clock is not None else None
        step_due = optional_us(ledger.current_due) if ledger is not None else None
        step_overdue = optional_us(ledger.overdue_from) if ledger is not None else None
        overdue, reason = None, None
        for since, why in ((step_overdue, "step"), (dossier_overdue, "dossier"),
                           (pause_overdue, "pause")):
            if since is not None and (overdue is None or since < overdue):
                overdue, reason = since, why
        rows.append({**base, "step": h.step,
                     "agency": clock.agency if clock is not None else
                     engine.procedure_of(d).step(h.step).owner.agency,
                     "due_us": _earliest(step_due, dossier_due), "step_due_us": step_due,
                     "overdue_us": overdue, "reason": reason})
    return rows


def _earliest(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)
