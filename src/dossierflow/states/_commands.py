"""Commands: what an actor asks the engine to do to a dossier, by stable name.

Each command is a frozen value whose fields are checked when it is built (storable text of a
bounded length, JSON scalar data: :mod:`._fields`), and checked again by the engine when
applied (:mod:`._decide`: who may issue it, and whether the dossier admits it);
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
from dossierflow.states._events import Channel, ComplaintKind, Outcome, PaymentMethod
from dossierflow.states._fields import ITEM, NAME, PERSON, TEXT, data, text, texts


def _mapping(value: Mapping[str, Any] | None) -> tuple[tuple[str, Any], ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        raise InvalidArgument(f"data must be a mapping of field names to values, got {value!r}")
    return tuple(sorted(value.items()))


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    try:
        return tuple(value)
    except TypeError:
        raise InvalidArgument(f"expected a list of texts, got {value!r:.80}") from None


def _whole(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(f"{name} must be a whole number, got {value!r:.80}")


def _count(value: object, name: str, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    _whole(value, name)
    assert isinstance(value, int)
    if not 0 <= value <= 10**6:
        raise InvalidArgument(f"{name} must be a count from 0, got {value}")


_NAME = text(NAME)
_PERSON = text(PERSON)
_TEXT = text(TEXT)

@attrs.frozen
class File:
    """Submit a dossier. ``version`` None: the version in force on the filing date.
    ``applicant`` None: the filing citizen (an officer filing at the desk must name one).
    ``postmark``: for a postal filing, the arriving postmark (when it counts as received)."""

    dossier_id: str = attrs.field(validator=_NAME)
    procedure: str = attrs.field(validator=_NAME)
    channel: Channel
    data: tuple[tuple[str, Any], ...] = attrs.field(default=None, converter=_mapping,
                                                    validator=data)
    version: int | None = None
    applicant: str | None = attrs.field(default=None, validator=text(PERSON, optional=True))
    postmark: dt.datetime | None = None


@attrs.frozen
class Receive:
    """Receive a complete dossier and issue the receipt slip (Form 01). The engine computes
    the appointment from the procedure's time limit and its calendar. ``digitised`` of
    ``components`` (the dossier's component documents) were digitised at receipt;
    ``reused``: components taken from national databases (population, civil status...)
    instead of being asked for. Decision 766/QĐ-TTg scores both."""

    receipt_no: str = attrs.field(validator=_NAME)
    documents: tuple[str, ...] = attrs.field(default=(), converter=_strings,
                                             validator=texts(ITEM))
    note: str = attrs.field(default="", validator=_TEXT)
    digitised: int | None = attrs.field(default=None, validator=lambda _, __, v: _count(
        v, "Receive.digitised", optional=True))
    components: int | None = attrs.field(default=None, validator=lambda _, __, v: _count(
        v, "Receive.components", optional=True))
    reused: int = attrs.field(default=0, validator=lambda _, __, v: _count(v, "Receive.reused"))


@attrs.frozen
class Refuse:
    """Refuse an ineligible dossier with reasons (Form 03)."""

    reasons: str = attrs.field(validator=_TEXT)


@attrs.frozen
class RequestSupplement:
    """Ask for missing documents (Form 02); the clock pauses until they arrive."""

    items: tuple[str, ...] = attrs.field(converter=_strings, validator=texts(ITEM))
    reason: str = attrs.field(default="", validator=_TEXT)


@attrs.frozen
class Supplement:
    """The applicant brings the missing documents."""

    documents: tuple[str, ...] = attrs.field(default=(), converter=_strings,
                                             validator=texts(ITEM))


@attrs.frozen
class CompleteStep:
    """Finish an active step: forward, approve or reject. ``data`` updates declared fields
    (e.g. ``needs_verification``) before the next step is chosen; ``to_person`` assigns the
    next step(s)."""

    step: str = attrs.field(validator=_NAME)
    outcome: Outcome = Outcome.FORWARD
    data: tuple[tuple[str, Any], ...] = attrs.field(default=None, converter=_mapping,
                                                    validator=data)
    to_person: str | None = attrs.field(default=None, validator=text(PERSON, optional=True))
    note: str = attrs.field(default="", validator=_TEXT)


@attrs.frozen
class HandOff:
    """Pass an active step to another person of the owning unit."""

    step: str = attrs.field(validator=_NAME)
    to_person: str = attrs.field(validator=_PERSON)
    note: str = attrs.field(default="", validator=_TEXT)


@attrs.frozen
class Pause:
    """Suspend handling for a lawful reason (e.g. waiting for land tax to be paid). ``kind``
    names one of the procedure's :attr:`~dossierflow.states.Procedure.pause_reasons` (its
    legal basis is then the default); without it, give the reason and its basis."""

    reason: str = attrs.field(validator=_TEXT)
    legal_basis: str = attrs.field(default="", validator=_TEXT)
    kind: str | None = attrs.field(default=None, validator=text(NAME, optional=True))


@attrs.frozen
class Resume:
    note: str = attrs.field(default="", validator=_TEXT)


@attrs.frozen
class Extend:
    """Grant more time, within the procedure's ``max_extension``."""

    by: TimeLimit
    reason: str = attrs.field(validator=_TEXT)
    legal_basis: str = attrs.field(validator=_TEXT)


@attrs.frozen
class ReturnResult:
    """Return the result: ``method`` is how (``"in_person"``, ``"post"`` or
    ``"electronic"``, the :class:`~dossierflow.states.Delivery` values);
    ``electronic_result``: an electronic result was issued."""

    method: str = attrs.field(default="in_person", validator=_NAME)
    note: str = attrs.field(default="", validator=_TEXT)
    electronic_result: bool = attrs.field(default=False, validator=lambda _, __, v: _flag(
        v, "ReturnResult.electronic_result"))


def _flag(value: object, name: str) -> None:
    if not isinstance(value, bool):
        raise InvalidArgument(f"{name} must be True or False, got {value!r:.80}")


@attrs.frozen
class PayFee:
    """Pay the procedure's fee (VND): ``method`` online through the national payment
    platform, at the desk, or by post. Once per dossier; zero-fee procedures take none."""

    amount: int = attrs.field(validator=lambda _, __, v: _whole(v, "PayFee.amount"))
    method: PaymentMethod = attrs.field(validator=attrs.validators.instance_of(PaymentMethod))


@attrs.frozen
class Complain:
    """The applicant complains (or petitions) about the dossier."""

    text: str = attrs.field(validator=_TEXT)
    kind: ComplaintKind = attrs.field(default=ComplaintKind.PETITION,
                                      validator=attrs.validators.instance_of(ComplaintKind))


@attrs.frozen
class AnswerComplaint:
    """The agency answers the open complaint; ``satisfied``: whether the applicant accepted
    the answer (None: not said)."""

    answer: str = attrs.field(validator=_TEXT)
    satisfied: bool | None = attrs.field(default=None, validator=lambda _, __, v: None
                                         if v is None else _flag(v, "satisfied"))


@attrs.frozen
class Withdraw:
    reason: str = attrs.field(default="", validator=_TEXT)


@attrs.frozen
class Stop:
    reason: str = attrs.field(validator=_TEXT)
    legal_basis: str = attrs.field(validator=_TEXT)


@attrs.frozen
class Apologize:
    """Form 04: ``agency`` apologises for a delay and gives a new appointment.

    :meth:`dossierflow.clock.Sla.apology` builds it: the agency from the clock's rule of blame
    and ``original_appointment``, the appointment the apology moves, from the clock's due at
    that moment (pauses and supplements included). Left None, the original appointment is the
    receipt slip's."""

    agency: str = attrs.field(validator=_PERSON)
    reason: str = attrs.field(validator=_TEXT)
    new_appointment: dt.datetime
    original_appointment: dt.datetime | None = None


@attrs.frozen
class Rate:
    """The applicant's satisfaction, 1 (very unsatisfied) to 5 (very satisfied)."""

    score: int = attrs.field(validator=lambda _, __, value: _whole(value, "Rate.score"))
    comment: str = attrs.field(default="", validator=_TEXT)


Command: TypeAlias = (
    File | Receive | Refuse | RequestSupplement | Supplement | CompleteStep | HandOff | Pause
    | Resume | Extend | ReturnResult | Withdraw | Stop | Rate | Apologize | PayFee | Complain
    | AnswerComplaint
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
    PayFee: "pay_fee",
    Complain: "complain",
    AnswerComplaint: "answer_complaint",
})
"""The stable name of every command (read-only)."""

_FACTS = ("pay_fee", "complain", "answer_complaint")
_AFTER = ("complain", "answer_complaint")
ALLOWED: Mapping[Status, tuple[str, ...]] = MappingProxyType({
    Status.FILED: ("receive", "refuse", "request_supplement", *_FACTS),
    Status.AWAITING_SUPPLEMENT: ("supplement", "withdraw", "stop", "apologize", *_FACTS),
    Status.IN_PROGRESS: (
        "complete_step", "hand_off", "request_supplement", "pause", "extend", "withdraw", "stop",
        "apologize", *_FACTS,
    ),
    Status.PAUSED: ("resume", "extend", "withdraw", "stop", "apologize", *_FACTS),
    Status.RESOLVED: ("return_result", *_FACTS),
    Status.RETURNED: ("rate", *_AFTER),
    Status.REFUSED: _AFTER,
    Status.WITHDRAWN: _AFTER,
    Status.STOPPED: _AFTER,
})
"""Which commands each status admits (before the finer checks: actor, step, counts);
read-only."""
