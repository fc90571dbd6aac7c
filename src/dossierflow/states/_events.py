"""Events and actors: what happened to a dossier, and who did it.

Events are immutable records, stored by their class name (see :mod:`._serial`). An event
records what the engine decided when it was accepted, including where the flow went
(``activated`` steps and the ``waiting`` joins), so that folding it never walks the
procedure's graph again. Events written by schema 1 lack those two fields (None); the engine
fills them in when it reads such a history.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, TypeAlias

import attrs

from dossierflow.rules import Deadline, TimeLimit
from dossierflow.states._fields import PERSON, text


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


class PaymentMethod(enum.Enum):
    """How a fee was paid (Decision 766/QĐ-TTg counts payments online)."""

    ONLINE = "online"
    """Online, through the national public service portal's payment platform."""
    DESK = "desk"
    """In cash or by card at the one-stop desk."""
    POST = "post"
    """Through the public postal service."""


class Delivery(enum.Enum):
    """How the result reached the applicant."""

    IN_PERSON = "in_person"
    POST = "post"
    ELECTRONIC = "electronic"


class ComplaintKind(enum.Enum):
    """What the applicant raised about a dossier."""

    COMPLAINT = "complaint"
    """"khiếu nại": a complaint about a decision or an act."""
    PETITION = "petition"
    """"phản ánh, kiến nghị": feedback or a petition on how the dossier is handled."""


class Resolution(enum.Enum):
    APPROVED = "approved"
    REJECTED = "rejected"


# ------------------------------------------------------------------------------------- actors


@attrs.frozen
class Citizen:
    """An applicant (person or organisation), identified as the portal identifies them."""

    id: str = attrs.field(validator=text(PERSON))

    def __str__(self) -> str:
        return f"citizen {self.id}"


@attrs.frozen
class Officer:
    """A civil servant: acts only on steps owned by their agency and role."""

    id: str = attrs.field(validator=text(PERSON))
    agency: str = attrs.field(validator=text(PERSON))
    role: str = attrs.field(validator=text(PERSON))

    def __str__(self) -> str:
        return f"officer {self.id} ({self.agency}/{self.role})"


@attrs.frozen
class System:
    """An automated actor (a deadline sweeper, an integration): stops and resumes only."""

    name: str = attrs.field(validator=text(PERSON))

    def __str__(self) -> str:
        return f"system {self.name}"


Actor: TypeAlias = Citizen | Officer | System


# ------------------------------------------------------------------------------------- events


@attrs.frozen
class Filed:
    """The dossier was submitted. ``postmark``: for a postal filing, the arriving postmark,
    which is when it counts as received (None: not given)."""

    dossier: str
    procedure: str
    version: int
    channel: Channel
    applicant: str
    data: tuple[tuple[str, Any], ...]
    at: dt.datetime
    actor: Actor
    postmark: dt.datetime | None = None


@attrs.frozen
class Received:
    """Form 01: the receipt-and-appointment slip. ``activated``: the first steps, which the
    desk transfers the dossier to, owned by ``to_units``; ``waiting``: joins already waited on
    (None in schema 1). ``digitised`` of the dossier's ``components`` were digitised at
    receipt (None: not recorded); ``reused``: components taken from national databases
    instead of being asked for."""

    receipt_no: str
    agency: str
    documents: tuple[str, ...]
    appointment: Deadline | None
    note: str
    at: dt.datetime
    actor: Actor
    activated: tuple[str, ...] | None = None
    waiting: tuple[tuple[str, int], ...] | None = None
    to_units: tuple[str, ...] = ()
    digitised: int | None = None
    components: int | None = None
    reused: int = 0


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
    """A step's owner finished it; a row of the process control slip. ``activated``: the
    steps the flow went on to; ``waiting``: every join waited on afterwards, with the branches
    arrived (None in schema 1)."""

    step: str
    outcome: Outcome
    data: tuple[tuple[str, Any], ...]
    to_units: tuple[str, ...]
    to_person: str | None
    note: str
    at: dt.datetime
    actor: Actor
    activated: tuple[str, ...] | None = None
    waiting: tuple[tuple[str, int], ...] | None = None


@attrs.frozen
class HandedOff:
    """An active step passed to another person of the same unit; a row of the process control
    slip."""

    step: str
    to_person: str
    note: str
    at: dt.datetime
    actor: Actor


@attrs.frozen
class Paused:
    """An excluded period began. ``kind``: the code of the named
    :class:`~dossierflow.rules.PauseReason` (None: a reason given in free text), with its
    ``max_length`` as it stood when the pause began."""

    reason: str
    legal_basis: str
    at: dt.datetime
    actor: Actor
    kind: str | None = None
    max_length: TimeLimit | None = None


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
    """The result reached the applicant: ``method`` is a :class:`Delivery` value;
    ``electronic_result``: an electronic result (a digitally signed copy) was issued."""

    method: str
    note: str
    at: dt.datetime
    actor: Actor
    electronic_result: bool = False


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

    Reports still judge the dossier against its original appointment: late stays late.
    ``late``: sent after the appointment it moves (reports count such apologies)."""

    agency: str
    reason: str
    original_appointment: dt.datetime | None
    new_appointment: dt.datetime
    at: dt.datetime
    actor: Actor
    late: bool = False


@attrs.frozen
class FeePaid:
    """The fee (VND) was paid, and how."""

    amount: int
    method: PaymentMethod
    at: dt.datetime
    actor: Actor


@attrs.frozen
class Complained:
    """The applicant complained, or petitioned, about the dossier."""

    kind: ComplaintKind
    text: str
    at: dt.datetime
    actor: Actor


@attrs.frozen
class ComplaintAnswered:
    """The agency answered the open complaint; ``satisfied``: whether the applicant accepted
    the answer (None: not said)."""

    answer: str
    satisfied: bool | None
    at: dt.datetime
    actor: Actor


@attrs.frozen
class StopNoticeIssued:
    """Form 05 (Circular 03/2025/TT-VPCP, Appendix I): the notice that handling of the dossier
    stopped, issued by ``agency`` (the receiving desk) with the reason and its basis.
    ``requested_by_applicant``: the applicant withdrew it (Decree 118/2025/NĐ-CP, Art. 21);
    otherwise the agency stopped it (e.g. no supplement came)."""

    agency: str
    requested_by_applicant: bool
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
    | Stopped | Rated | Apologized | StopNoticeIssued | FeePaid | Complained | ComplaintAnswered
)
EVENT_TYPES: Mapping[str, type[Any]] = MappingProxyType({
    cls.__name__: cls
    for cls in (
        Filed, Received, Refused, SupplementRequested, Supplemented, StepCompleted, HandedOff,
        Paused, Resumed, Extended, Resolved, MemberCompleted, ResultReturned, Withdrawn,
        Stopped, Rated, Apologized, StopNoticeIssued, FeePaid, Complained, ComplaintAnswered,
    )
})
"""Every event type by its stable stored name (read-only)."""
