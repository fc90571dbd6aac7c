"""Commands: what an actor asks the engine to do to a dossier, by stable name.

Each command is a frozen value checked by the engine when applied (:mod:`._decide`);
:data:`ALLOWED` says which commands each status admits before the finer checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, TypeAlias

import attrs

from dossierflow._errors import InvalidArgument
from dossierflow.rules import TimeLimit
from dossierflow.states._dossier import Status
from dossierflow.states._events import Channel, Outcome


def _mapping(value: Mapping[str, Any] | None) -> tuple[tuple[str, Any], ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise InvalidArgument(f"data must be a mapping of field names to values, got {value!r}")
    return tuple(sorted(value.items()))


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@attrs.frozen
class File:
    """Submit a dossier. ``version`` None: the version in force on the filing date.
    ``applicant`` None: the filing citizen (an officer filing at the desk must name one)."""

    dossier_id: str
    procedure: str
    channel: Channel
    data: tuple[tuple[str, Any], ...] = attrs.field(default=None, converter=_mapping)
    version: int | None = None
    applicant: str | None = None


@attrs.frozen
class Receive:
    """Receive a complete dossier and issue the receipt slip (Form 01). The engine computes
    the appointment from the procedure's time limit and its calendar."""

    receipt_no: str
    documents: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    note: str = ""


@attrs.frozen
class Refuse:
    """Refuse an ineligible dossier with reasons (Form 03)."""

    reasons: str


@attrs.frozen
class RequestSupplement:
    """Ask for missing documents (Form 02); the clock pauses until they arrive."""

    items: tuple[str, ...] = attrs.field(converter=_strings)
    reason: str = ""


@attrs.frozen
class Supplement:
    """The applicant brings the missing documents."""

    documents: tuple[str, ...] = attrs.field(default=(), converter=_strings)


@attrs.frozen
class CompleteStep:
    """Finish an active step: forward, approve or reject. ``data`` updates declared fields
    (e.g. ``needs_verification``) before the next step is chosen; ``to_person`` assigns the
    next step(s)."""

    step: str
    outcome: Outcome = Outcome.FORWARD
    data: tuple[tuple[str, Any], ...] = attrs.field(default=None, converter=_mapping)
    to_person: str | None = None
    note: str = ""


@attrs.frozen
class HandOff:
    """Pass an active step to another person of the owning unit."""

    step: str
    to_person: str
    note: str = ""


@attrs.frozen
class Pause:
    """Suspend handling for a lawful reason (e.g. waiting for land tax to be paid)."""

    reason: str
    legal_basis: str


@attrs.frozen
class Resume:
    note: str = ""


@attrs.frozen
class Extend:
    """Grant more time, within the procedure's ``max_extension``."""

    by: TimeLimit
    reason: str
    legal_basis: str


@attrs.frozen
class ReturnResult:
    method: str = "in_person"
    note: str = ""


@attrs.frozen
class Withdraw:
    reason: str = ""


@attrs.frozen
class Stop:
    reason: str
    legal_basis: str


@attrs.frozen
class Apologize:
    """Form 04: ``agency`` apologises for a delay and gives a new appointment.

    :meth:`dossierflow.clock.Sla.apology` builds it: the agency from the clock's rule of blame
    and ``original_appointment``, the appointment the apology moves, from the clock's due at
    that moment (pauses and supplements included). Left None, the original appointment is the
    receipt slip's."""

    agency: str
    reason: str
    new_appointment: dt.datetime
    original_appointment: dt.datetime | None = None


@attrs.frozen
class Rate:
    """The applicant's satisfaction, 1 (very unsatisfied) to 5 (very satisfied)."""

    score: int
    comment: str = ""


Command: TypeAlias = (
    File | Receive | Refuse | RequestSupplement | Supplement | CompleteStep | HandOff | Pause
    | Resume | Extend | ReturnResult | Withdraw | Stop | Rate | Apologize
)
COMMAND_NAMES: Mapping[type[Any], str] = MappingProxyType({
    File: "file",
    Receive: "receive",
    Refuse: "refuse",
    RequestSupplement: "request_supplement",
    Supplement: "supplement",
    CompleteStep: "complete_step",
    HandOff: "hand_off",
    Pause: "pause",
    Resume: "resume",
    Extend: "extend",
    ReturnResult: "return_result",
    Withdraw: "withdraw",
    Stop: "stop",
    Rate: "rate",
    Apologize: "apologize",
})
"""The stable name of every command (read-only)."""

ALLOWED: Mapping[Status, tuple[str, ...]] = MappingProxyType({
    Status.FILED: ("receive", "refuse", "request_supplement"),
    Status.AWAITING_SUPPLEMENT: ("supplement", "withdraw", "stop", "apologize"),
    Status.IN_PROGRESS: (
        "complete_step", "hand_off", "request_supplement", "pause", "extend", "withdraw", "stop",
        "apologize",
    ),
    Status.PAUSED: ("resume", "extend", "withdraw", "stop", "apologize"),
    Status.RESOLVED: ("return_result",),
    Status.RETURNED: ("rate",),
    Status.REFUSED: (),
    Status.WITHDRAWN: (),
    Status.STOPPED: (),
})
"""Which commands each status admits (before the finer checks: actor, step, counts);
read-only."""
