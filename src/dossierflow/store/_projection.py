"""The projection of a dossier (package-internal): its ``df_dossiers`` row (status, procedure,
appointment, current due instant, verdict, version) and its ``df_active`` worklist rows (which
agency holds it at which step), both computed from the dossier alone, so that saving a command
writes them in the same transaction as its events.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dossierflow.clock import Sla
from dossierflow.states import (
    Apologized,
    Dossier,
    Engine,
    Event,
    Extended,
    Paused,
    Received,
    Refused,
    Resolved,
    ResultReturned,
    Resumed,
    Status,
    Stopped,
    Supplemented,
    SupplementRequested,
    Withdrawn,
)
from dossierflow.store._sql import to_us

CLOCK_EVENTS = frozenset({Received, Refused, SupplementRequested, Supplemented, Paused,
                          Resumed, Extended, Resolved, ResultReturned, Stopped, Withdrawn})
"""Events that can change a dossier's projected due instant, verdict or end."""

OPEN = (Status.FILED, Status.AWAITING_SUPPLEMENT, Status.IN_PROGRESS, Status.PAUSED,
        Status.RESOLVED)
"""The statuses in which a dossier is on someone's worklist."""


def project(d: Dossier, *, sla: Sla, previous: dict[str, Any] | None = None,
            events: Sequence[Event] = ()) -> dict[str, Any]:
    """The ``df_dossiers`` row of ``d`` (without its id). Given ``previous``, the row of the
    dossier before ``events`` were appended, it is reused when those events cannot move the
    due instant, verdict or end (handoffs, completed steps that end nothing)."""
    if previous is not None and not any(type(e) in CLOCK_EVENTS for e in events):
        row = dict(previous)
        row["status"] = d.status.value
        row["version"] = d.version
        row["apologized"] = row["apologized"] or any(type(e) is Apologized for e in events)
        return row
    received = next((e for e in d.history if type(e) is Received), None)
    appointment = received.appointment if isinstance(received, Received) else None
    due = sla.due(d) if d.status is Status.IN_PROGRESS else None
    verdict = None
    ended = None
    if d.status in (Status.RESOLVED, Status.RETURNED, Status.STOPPED):
        judged = sla.classify(d)
        verdict = judged.verdict.value if judged.verdict else None
        ended = judged.ended
    return {
        "procedure": d.procedure, "procedure_version": d.procedure_version,
        "status": d.status.value, "channel": d.channel.value,
        "receiver": received.agency if isinstance(received, Received) else None,
        "filed_us": to_us(d.history[0].at),
        "received_us": to_us(received.at) if received is not None else None,
        "appointment_us": to_us(appointment.due) if appointment is not None else None,
        "due_us": to_us(due) if due is not None else None,
        "ended_us": to_us(ended) if ended is not None else None,
        "verdict": verdict,
        "apologized": any(type(e) is Apologized for e in d.history),
        "version": d.version,
    }


def holding(d: Dossier, row: dict[str, Any], *, engine: Engine) -> list[dict[str, Any]]:
    """The ``df_active`` rows of ``d``, whose projection is ``row``: one per step it is held
    at, ``(reception)`` at the receiving agency's desk before it is received, ``(return)``
    when the result waits to be returned; none once it is closed."""
    if d.status not in OPEN:
        return []
    proc = engine.procedure_of(d)
    base = {"dossier_id": d.id, "status": d.status.value, "due_us": row["due_us"]}
    if d.status is Status.FILED or (d.status is Status.AWAITING_SUPPLEMENT
                                    and not d.received):
        return [{**base, "step": "(reception)", "agency": proc.receivers[0]}]
    if d.status is Status.RESOLVED:
        return [{**base, "step": "(return)", "agency": row["receiver"]}]
    return [{**base, "step": h.step, "agency": proc.step(h.step).owner.agency}
            for h in d.active]
