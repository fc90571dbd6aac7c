"""Dossiers, actors and events.

A :class:`Dossier` is an immutable record whose every field follows from its history:
:func:`evolve` folds one event into a dossier, and :func:`replay` folds a whole history. The
engine decides which events a command yields and then uses the same :func:`evolve`, so a
stored history always rebuilds the stored dossier.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any, TypeAlias

import attrs

from dossierflow._errors import SchemaError
from dossierflow.rules import TimeLimit


class Status(enum.Enum):
    """Where a dossier is in its life (DOMAIN: "The life of a dossier")."""

    FILED = "filed"
    """Submitted (online, by post or at the desk), not yet received."""
    AWAITING_SUPPLEMENT = "awaiting_supplement"
    """The desk or an agency asked for more documents (Form 02); the clock is paused."""
    IN_PROGRESS = "in_progress"
    """Received (Form 01) and being handled by the agencies of its active steps."""
    PAUSED = "paused"
    """Suspended for another lawful reason (e.g. waiting for land tax to be paid)."""
    RESOLVED = "resolved"
    """Handled: approved with a result, or rejected with reasons."""
    RETURNED = "returned"
    """The result was returned to the applicant."""
    REFUSED = "refused"
    """Not received: ineligible (Form 03)."""
    WITHDRAWN = "withdrawn"
    """Withdrawn at the applicant's request, after receipt."""
    STOPPED = "stopped"
    """Stopped by the agency (Circular 03/2025/TT-VPCP notice), e.g. no supplement came."""

    @property
    def is_final(self) -> bool:
        """Whether no more handling can happen (only rating, for a returned result)."""
        return self in _FINAL


_FINAL = frozenset(
    {Status.RETURNED, Status.REFUSED, Status.WITHDRAWN, Status.STOPPED}
)


class Channel(enum.Enum):
    """How the dossier was filed (the numbering portals report)."""

    IN_PERSON = 1
    ONLINE = 2
    POSTAL = 3


class Outcome(enum.Enum):
    """How an officer completes a step."""

    FORWARD = "forward"
    """Done; pass the dossier on along the flow."""
    APPROVE = "approve"
    """Approved; pass it on (at the last step, the dossier is resolved as approved)."""
    REJECT = "reject"
    """Rejected with reasons: the dossier is resolved as rejected (steps with can_reject)."""


class Resolution(enum.Enum):
    APPROVED = "approved"
    REJECTED = "rejected"


# ------------------------------------------------------------------------------------- actors


@attrs.frozen
class Citizen:
    """An applicant (person or organisation), identified as the portal identifies them."""

    id: str

    def __str__(self) -> str:
        return f"citizen {self.id}"


@attrs.frozen
class Officer:
    """A civil servant: acts only on steps owned by their agency and role."""

    id: str
    agency: str
    role: str

    def __str__(self) -> str:
        return f"officer {self.id} ({self.agency}/{self.role})"


@attrs.frozen
class System:
    """An automated actor (a deadline sweeper, an integration): stops and resumes only."""

    name: str

    def __str__(self) -> str:
        return f"system {self.name}"


Actor: TypeAlias = Citizen | Officer | System


# ------------------------------------------------------------------------------------- events


@attrs.frozen
class Filed:
    dossier: str
    procedure: str
    version: int
    channel: Channel
    applicant: str
    data: tuple[tuple[str, Any], ...]
    at: dt.datetime
    actor: Actor


@attrs.frozen
class Received:
    """Form 01: the receipt-and-appointment slip."""

    receipt_no: str
    agency: str
    documents: tuple[str, ...]
    appointment: dt.datetime | None
    note: str
    at: dt.datetime
    actor: Actor


@attrs.frozen
class Refused:
    """Form 03: not received, with reasons."""

    reasons: str
    at: dt.datetime
    actor: Actor


@attrs.frozen
class SupplementRequested:
    """Form 02: what is missing and why; the clock pauses."""

    agency: str
    items: tuple[str, ...]
    reason: str
    at: dt.datetime
    actor: Actor


@attrs.frozen
class Supplemented:
    documents: tuple[str, ...]
    at: dt.datetime
    actor: Actor


@attrs.frozen
class StepCompleted:
    """A step's owner finished it; a row of the control slip (Form 05)."""

    step: str
    outcome: Outcome
    data: tuple[tuple[str, Any], ...]
    to_units: tuple[str, ...]
    to_person: str | None
    note: str
    at: dt.datetime
    actor: Actor


@attrs.frozen
class HandedOff:
    """An active step passed to another person of the same unit; a row of the control slip."""

    step: str
    to_person: str
    note: str
    at: dt.datetime
    actor: Actor


@attrs.frozen
class Paused:
    reason: str
    legal_basis: str
    at: dt.datetime
    actor: Actor


@attrs.frozen
class Resumed:
    note: str
    at: dt.datetime
    actor: Actor


@attrs.frozen
class Extended:
    """More time granted, with the reason and legal basis (since 2025, Form 04 also asks)."""

    by: TimeLimit
    reason: str
    legal_basis: str
    at: dt.datetime
    actor: Actor


@attrs.frozen
class Resolved:
    resolution: Resolution
    note: str
    at: dt.datetime
    actor: Actor


@attrs.frozen
class MemberCompleted:
    """A member procedure of an interconnected group finished its steps."""

    member: str
    at: dt.datetime
    actor: Actor


@attrs.frozen
class ResultReturned:
    method: str
    note: str
    at: dt.datetime
    actor: Actor


@attrs.frozen
class Withdrawn:
    reason: str
    at: dt.datetime
    actor: Actor


@attrs.frozen
class Stopped:
    reason: str
    legal_basis: str
    at: dt.datetime
    actor: Actor


@attrs.frozen
class Rated:
    score: int
    comment: str
    at: dt.datetime
    actor: Actor


Event: TypeAlias = (
    Filed | Received | Refused | SupplementRequested | Supplemented | StepCompleted | HandedOff
    | Paused | Resumed | Extended | Resolved | MemberCompleted | ResultReturned | Withdrawn
    | Stopped | Rated
)
EVENT_TYPES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        Filed, Received, Refused, SupplementRequested, Supplemented, StepCompleted, HandedOff,
        Paused, Resumed, Extended, Resolved, MemberCompleted, ResultReturned, Withdrawn,
        Stopped, Rated,
    )
}
"""Every event type by its stable stored name."""


# ------------------------------------------------------------------------------------ dossier


@attrs.frozen
class Holder:
    """An active step and who holds it (None: the owning unit's queue)."""

    step: str
    person: str | None = None


@attrs.frozen
class Dossier:
    """A dossier: everything follows from ``history`` (see :func:`replay`).

    ``active`` are the steps being handled now; ``waiting`` counts, for each join step, the
    parallel branches that have reached it. ``version`` is the number of events, for
    optimistic concurrency.
    """

    id: str
    procedure: str
    procedure_version: int
    status: Status
    channel: Channel
    applicant: str
    data: tuple[tuple[str, Any], ...] = ()
    active: tuple[Holder, ...] = ()
    waiting: tuple[tuple[str, int], ...] = ()
    resume_to: Status | None = None
    received: bool = False
    supplement_requests: tuple[str, ...] = ()
    resolution: Resolution | None = None
    rated: bool = False
    history: tuple[Event, ...] = ()

    @property
    def version(self) -> int:
        """The number of events so far; a store saves only if nobody else appended since."""
        return len(self.history)

    @property
    def values(self) -> dict[str, Any]:
        """The applicant's data as a new dict."""
        return dict(self.data)

    @property
    def active_steps(self) -> tuple[str, ...]:
        return tuple(h.step for h in self.active)

    def control_slip(self) -> tuple[ControlSlipRow, ...]:
        """Form 05: every handoff of the dossier, in order."""
        rows: list[ControlSlipRow] = []
        for e in self.history:
            if isinstance(e, StepCompleted | HandedOff):
                frm = e.actor
                unit = frm.agency if isinstance(frm, Officer) else str(frm)
                person = frm.id if isinstance(frm, Officer) else str(frm)
                if isinstance(e, StepCompleted):
                    rows.append(ControlSlipRow(e.step, unit, person, ", ".join(e.to_units),
                                               e.to_person, e.at, e.outcome.value, e.note))
                else:
                    rows.append(ControlSlipRow(e.step, unit, person, unit, e.to_person, e.at,
                                               "handoff", e.note))
        return tuple(rows)


@attrs.frozen
class ControlSlipRow:
    """One row of the process control slip (Form 05)."""

    step: str
    from_unit: str
    from_person: str
    to_unit: str
    to_person: str | None
    at: dt.datetime
    result: str
    note: str


class Flow:
    """What :func:`evolve` needs from a procedure: where tokens go. Implemented by the engine
    (it depends on the procedure definition, which this module does not import)."""

    def first(self, dossier: Dossier) -> tuple[tuple[Holder, ...], tuple[tuple[str, int], ...]]:
        raise NotImplementedError  # pragma: no cover

    def advance(
        self, dossier: Dossier, step: str, data: Mapping[str, Any]
    ) -> tuple[tuple[Holder, ...], tuple[tuple[str, int], ...]]:
        raise NotImplementedError  # pragma: no cover


def evolve(dossier: Dossier | None, event: Event, flow: Flow) -> Dossier:
    """The dossier after ``event``. Pure and total for every event the engine emits."""
    if isinstance(event, Filed):
        if dossier is not None:
            raise SchemaError("Filed can only start a history", dossier_id=dossier.id,
                              seq=dossier.version + 1)
        return Dossier(
            id=event.dossier, procedure=event.procedure,
            procedure_version=event.version, status=Status.FILED, channel=event.channel,
            applicant=event.applicant, data=event.data, history=(event,),
        )
    assert dossier is not None
    history = (*dossier.history, event)
    if isinstance(event, Received):
        active, waiting = flow.first(dossier)
        return attrs.evolve(dossier, status=Status.IN_PROGRESS, received=True, active=active,
                            waiting=waiting, history=history)
    if isinstance(event, Refused):
        return attrs.evolve(dossier, status=Status.REFUSED, history=history)
    if isinstance(event, SupplementRequested):
        return attrs.evolve(
            dossier, status=Status.AWAITING_SUPPLEMENT, resume_to=dossier.status,
            supplement_requests=(*dossier.supplement_requests, event.agency), history=history)
    if isinstance(event, Supplemented | Resumed):
        return attrs.evolve(dossier, status=dossier.resume_to or Status.IN_PROGRESS,
                            resume_to=None, history=history)
    if isinstance(event, Paused):
        return attrs.evolve(dossier, status=Status.PAUSED, resume_to=dossier.status,
                            history=history)
    if isinstance(event, StepCompleted):
        data = _merge(dossier.data, event.data)
        active, waiting = (), ()
        if event.outcome is not Outcome.REJECT:
            active, waiting = flow.advance(dossier, event.step, dict(data))
        if event.to_person is not None:
            before = {h.step for h in dossier.active if h.step != event.step}
            active = tuple(
                Holder(h.step, event.to_person) if h.step not in before else h for h in active
            )
        return attrs.evolve(dossier, data=data, active=active, waiting=waiting,
                            history=history)
    if isinstance(event, HandedOff):
        active = tuple(
            Holder(h.step, event.to_person) if h.step == event.step else h
            for h in dossier.active
        )
        return attrs.evolve(dossier, active=active, history=history)
    if isinstance(event, Resolved):
        return attrs.evolve(dossier, status=Status.RESOLVED, resolution=event.resolution,
                            active=(), waiting=(), history=history)
    if isinstance(event, ResultReturned):
        return attrs.evolve(dossier, status=Status.RETURNED, history=history)
    if isinstance(event, Withdrawn):
        return attrs.evolve(dossier, status=Status.WITHDRAWN, active=(), waiting=(),
                            resume_to=None, history=history)
    if isinstance(event, Stopped):
        return attrs.evolve(dossier, status=Status.STOPPED, active=(), waiting=(),
                            resume_to=None, history=history)
    if isinstance(event, Rated):
        return attrs.evolve(dossier, rated=True, history=history)
    if isinstance(event, Extended | MemberCompleted):
        return attrs.evolve(dossier, history=history)
    raise SchemaError(f"unknown event {event!r}")  # pragma: no cover


def _merge(
    data: tuple[tuple[str, Any], ...], update: tuple[tuple[str, Any], ...]
) -> tuple[tuple[str, Any], ...]:
    if not update:
        return data
    merged = dict(data)
    merged.update(update)
    return tuple(sorted(merged.items()))
