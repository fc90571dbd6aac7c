"""Dossiers, actors and events.

A :class:`Dossier` is an immutable record whose every field follows from its history:
:func:`evolve` folds one event into a dossier, and :func:`replay` folds a whole history. The
engine decides which events a command yields and then uses the same :func:`evolve`, so a
stored history always rebuilds the stored dossier.
"""

from __future__ import annotations

import datetime as dt
import enum
import operator
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeAlias

import attrs

from dossierflow._errors import SchemaError
from dossierflow.rules import Deadline, TimeLimit


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
    appointment: Deadline | None
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
class Apologized:
    """Form 04: the agency that caused a delay apologises and gives a new appointment.

    Reports still judge the dossier against its original appointment: late stays late."""

    agency: str
    reason: str
    original_appointment: dt.datetime | None
    new_appointment: dt.datetime
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
    | Stopped | Rated | Apologized
)
EVENT_TYPES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        Filed, Received, Refused, SupplementRequested, Supplemented, StepCompleted, HandedOff,
        Paused, Resumed, Extended, Resolved, MemberCompleted, ResultReturned, Withdrawn,
        Stopped, Rated, Apologized,
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


class Flow(Protocol):
    """What :func:`evolve` needs from a procedure: where tokens go. The engine's flow over a
    procedure definition provides it (this module does not import definitions)."""

    def first(self, dossier: Dossier) -> tuple[tuple[Holder, ...], tuple[tuple[str, int], ...]]:
        """The active steps and waiting joins of a dossier just received."""

    def advance(
        self, dossier: Dossier, step: str, data: Mapping[str, Any]
    ) -> tuple[tuple[Holder, ...], tuple[tuple[str, int], ...]]:
        """The active steps and waiting joins after ``step`` completes with ``data``."""


def evolve(dossier: Dossier | None, event: Event, flow: Flow) -> Dossier:
    """The dossier after ``event``. Pure and total for every event the engine emits."""
    if dossier is None:
        if type(event) is not Filed:
            raise SchemaError(f"a history starts with Filed, not {type(event).__name__}")
        return Dossier(
            id=event.dossier, procedure=event.procedure,
            procedure_version=event.version, status=Status.FILED, channel=event.channel,
            applicant=event.applicant, data=event.data, history=(event,),
        )
    change = _CHANGES.get(type(event))
    if change is None:
        raise SchemaError(f"{type(event).__name__} cannot follow the first event",
                          dossier_id=dossier.id, seq=dossier.version + 1)
    values = list(_VALUES(dossier))
    for name, value in change(dossier, event, flow).items():
        values[_POSITION[name]] = value
    values[_HISTORY] = (*dossier.history, event)
    return Dossier(*values)


_FIELD_NAMES = tuple(a.name for a in attrs.fields(Dossier))
_POSITION = {name: k for k, name in enumerate(_FIELD_NAMES)}
_HISTORY = _POSITION["history"]
_VALUES = operator.attrgetter(*_FIELD_NAMES)
_Change: TypeAlias = Callable[[Dossier, Any, Flow], dict[str, Any]]


def _filed(d: Dossier, e: Filed, flow: Flow) -> dict[str, Any]:
    raise SchemaError("Filed can only start a history", dossier_id=d.id, seq=d.version + 1)


def _received(d: Dossier, e: Received, flow: Flow) -> dict[str, Any]:
    active, waiting = flow.first(d)
    return {"status": Status.IN_PROGRESS, "received": True, "active": active,
            "waiting": waiting}


def _supplement_requested(d: Dossier, e: SupplementRequested, flow: Flow) -> dict[str, Any]:
    return {"status": Status.AWAITING_SUPPLEMENT, "resume_to": d.status,
            "supplement_requests": (*d.supplement_requests, e.agency)}


def _back(d: Dossier, e: Supplemented | Resumed, flow: Flow) -> dict[str, Any]:
    return {"status": d.resume_to or Status.IN_PROGRESS, "resume_to": None}


def _step_completed(d: Dossier, e: StepCompleted, flow: Flow) -> dict[str, Any]:
    data = _merge(d.data, e.data)
    active: tuple[Holder, ...] = ()
    waiting: tuple[tuple[str, int], ...] = ()
    if e.outcome is not Outcome.REJECT:
        active, waiting = flow.advance(d, e.step, dict(data))
    if e.to_person is not None:
        before = {h.step for h in d.active if h.step != e.step}
        active = tuple(Holder(h.step, e.to_person) if h.step not in before else h
                       for h in active)
    return {"data": data, "active": active, "waiting": waiting}


def _handed_off(d: Dossier, e: HandedOff, flow: Flow) -> dict[str, Any]:
    return {"active": tuple(Holder(h.step, e.to_person) if h.step == e.step else h
                            for h in d.active)}


def _ended(status: Status) -> _Change:
    def change(d: Dossier, e: Any, flow: Flow) -> dict[str, Any]:
        return {"status": status, "active": (), "waiting": (), "resume_to": None}

    return change


def _resolved(d: Dossier, e: Resolved, flow: Flow) -> dict[str, Any]:
    return {"status": Status.RESOLVED, "resolution": e.resolution, "active": (),
            "waiting": ()}


def _nothing(d: Dossier, e: Any, flow: Flow) -> dict[str, Any]:
    return {}


_CHANGES: dict[type[Any], _Change] = {
    Filed: _filed,
    Received: _received,
    Refused: lambda d, e, f: {"status": Status.REFUSED},
    SupplementRequested: _supplement_requested,
    Supplemented: _back,
    Resumed: _back,
    Paused: lambda d, e, f: {"status": Status.PAUSED, "resume_to": d.status},
    StepCompleted: _step_completed,
    HandedOff: _handed_off,
    Resolved: _resolved,
    ResultReturned: lambda d, e, f: {"status": Status.RETURNED},
    Withdrawn: _ended(Status.WITHDRAWN),
    Stopped: _ended(Status.STOPPED),
    Rated: lambda d, e, f: {"rated": True},
    Extended: _nothing,
    MemberCompleted: _nothing,
    Apologized: _nothing,
}
"""What each event changes in a dossier (besides appending itself to the history)."""
assert set(_CHANGES) == set(EVENT_TYPES.values())


def _merge(
    data: tuple[tuple[str, Any], ...], update: tuple[tuple[str, Any], ...]
) -> tuple[tuple[str, Any], ...]:
    if not update:
        return data
    merged = dict(data)
    merged.update(update)
    return tuple(sorted(merged.items()))
