"""The engine's decisions: for each command, who may issue it, what it needs, and which events
it yields (a package-internal module of :mod:`dossierflow.states`).

Every decision reads one :class:`Context` and either raises (changing nothing) or returns the
events. A completed step asks the flow once where the dossier goes, and the events record it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, TypeAlias

from dossierflow._errors import InvalidArgument, NotAuthorized, TransitionNotAllowed, check_instant
from dossierflow.calendar import WorkCalendar
from dossierflow.rules import ReceiptPolicy, TimeLimit, appointment
from dossierflow.states._commands import (
    ALLOWED,
    AnswerComplaint,
    Apologize,
    Complain,
    CompleteStep,
    Extend,
    HandOff,
    Pause,
    PayFee,
    Rate,
    Receive,
    Refuse,
    RequestSupplement,
    Resume,
    ReturnResult,
    Stop,
    Supplement,
    Withdraw,
)
from dossierflow.states._definition import Procedure
from dossierflow.states._dossier import Dossier, Status
from dossierflow.states._events import (
    Actor,
    Apologized,
    Channel,
    Citizen,
    Complained,
    ComplaintAnswered,
    Delivery,
    Event,
    Extended,
    FeePaid,
    Filed,
    HandedOff,
    MemberCompleted,
    Officer,
    Outcome,
    Paused,
    PaymentMethod,
    Rated,
    Received,
    Refused,
    Resolution,
    Resolved,
    ResultReturned,
    Resumed,
    StepCompleted,
    StopNoticeIssued,
    Stopped,
    Supplemented,
    SupplementRequested,
    System,
    Withdrawn,
)
from dossierflow.states._flow import Flow

_EMPTY: Mapping[str, Any] = MappingProxyType({})


class Context:
    """What a decision reads: the procedure and its flow, the dossier, the command with its
    stable name, the instant and the actor."""

    __slots__ = ("actor", "at", "calendar", "command", "dossier", "flow", "name", "procedure")

    def __init__(self, flow: Flow, calendar: WorkCalendar, dossier: Dossier, command: Any,
                 name: str, at: dt.datetime, actor: Actor) -> None:
        self.flow = flow
        self.procedure: Procedure = flow.procedure
        self.calendar = calendar
        self.dossier = dossier
        self.command = command
        self.name = name
        self.at = at
        self.actor = actor

    def refuse(self, reason: str) -> NotAuthorized:
        """The error for an actor who may not issue the command."""
        return NotAuthorized(self.dossier.id, str(self.actor), self.name, reason)

    def not_allowed(self, reason: str, *, drop_self: bool = True) -> TransitionNotAllowed:
        """The error for a command the dossier's state does not admit now."""
        d = self.dossier
        allowed = ALLOWED[d.status]
        if drop_self:
            allowed = tuple(n for n in allowed if n != self.name)
        return TransitionNotAllowed(d.id, d.status.value, self.name, allowed, reason)


def is_desk(proc: Procedure, actor: Actor) -> bool:
    """Whether ``actor`` is an officer of one of the procedure's receiving desks."""
    return (type(actor) is Officer and actor.agency in proc.receivers
            and actor.role == proc.reception_role)


def _owns(c: Context) -> bool:
    """Whether the actor owns one of the dossier's active steps."""
    actor = c.actor
    if type(actor) is not Officer:
        return False
    step = c.procedure.step
    for h in c.dossier.active:
        owner = step(h.step).owner
        if owner.agency == actor.agency and owner.role == actor.role:
            return True
    return False


def check_data(proc: Procedure, data: tuple[tuple[str, Any], ...], *, required: bool) -> None:
    """Refuse data fields the procedure does not declare or values of the wrong type."""
    fields = proc.fields
    for key, value in data:
        f = fields.get(key)
        if f is None:
            declared = ", ".join(repr(k) for k in fields) or "none"
            raise InvalidArgument(
                f"procedure {proc.code} declares no data field {key!r}; declared: {declared}")
        if not f.accepts(value):
            raise InvalidArgument(f"data field {key!r} must be {f.type.__name__}, got {value!r}")
    if required:
        given = {k for k, _ in data}
        missing = [f.name for f in proc.data if f.required and f.name not in given]
        if missing:
            raise InvalidArgument(f"procedure {proc.code} needs data fields {missing}")


def _text(value: object, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgument(f"{name} must be non-empty text, got {value!r}")
    return value


def _desk_only(c: Context) -> Officer:
    proc = c.procedure
    if not is_desk(proc, c.actor):
        raise c.refuse(f"only the one-stop desk ({proc.reception_role} of "
                       f"{', '.join(proc.receivers)}) may {c.name.replace('_', ' ')}")
    assert isinstance(c.actor, Officer)
    return c.actor


def _applicant_only(c: Context) -> None:
    actor, d = c.actor, c.dossier
    if type(actor) is not Citizen or actor.id != d.applicant:
        raise c.refuse(f"only the applicant ({d.applicant}) may {c.name}")


def _step_owner(c: Context, step: str) -> None:
    d = c.dossier
    for h in d.active:
        if h.step == step:
            break
    else:
        raise c.not_allowed(f"step {step!r} is not active; active: {list(d.active_steps)}",
                            drop_self=False)
    owner = c.procedure.step(step).owner
    actor = c.actor
    if type(actor) is not Officer or actor.agency != owner.agency or actor.role != owner.role:
        raise c.refuse(f"step {step!r} is owned by {owner}")


# ------------------------------------------------------------------------------- decisions


def counts_as_received(d: Dossier, at: dt.datetime, policy: ReceiptPolicy) -> dt.datetime:
    """The instant dossier ``d``, received at the desk at ``at``, counts as received under
    ``policy``: by channel, online when the portal recorded the complete dossier (the filing,
    or the supplement that completed it), by post at the arriving postmark (or the supplement
    that completed it), in person at the desk."""
    if policy is ReceiptPolicy.AT_DESK or d.channel is Channel.IN_PERSON:
        return at
    filed = d.history[0]
    assert isinstance(filed, Filed)
    counted = filed.at
    if d.channel is Channel.POSTAL and filed.postmark is not None:
        counted = filed.postmark
    for e in d.history:  # before receipt: only filing and supplement events
        if type(e) is Supplemented:
            counted = e.at
    return counted


def _receive(c: Context) -> tuple[Event, ...]:
    officer = _desk_only(c)
    cmd: Receive = c.command
    _text(cmd.receipt_no, "receipt_no")
    proc, d = c.procedure, c.dossier
    due = None
    values = d.values
    limit = proc.limit_for(values, officer.agency)
    if limit is not None:
        due = appointment(counts_as_received(d, c.at, proc.clock.receipt), limit, c.calendar,
                          proc.clock)
    if cmd.digitised is not None and cmd.components is not None and \
            cmd.digitised > cmd.components:
        raise InvalidArgument(f"digitised ({cmd.digitised}) cannot exceed the dossier's "
                              f"components ({cmd.components})")
    activated, waiting = c.flow.first(values)
    return (Received(cmd.receipt_no, officer.agency, cmd.documents, due, cmd.note, c.at,
                     c.actor, activated, waiting, c.flow.units(activated), cmd.digitised,
                     cmd.components, cmd.reused),)


def _refuse_dossier(c: Context) -> tuple[Event, ...]:
    _desk_only(c)
    return (Refused(_text(c.command.reasons, "reasons"), c.at, c.actor),)


_DELIVERY = tuple(m.value for m in Delivery)


def _return_result(c: Context) -> tuple[Event, ...]:
    _desk_only(c)
    cmd: ReturnResult = c.command
    if cmd.method not in _DELIVERY:
        raise InvalidArgument(f"method must be one of {', '.join(map(repr, _DELIVERY))} (how "
                              f"the result reached the applicant), got {cmd.method!r}")
    return (ResultReturned(cmd.method, cmd.note, c.at, c.actor, cmd.electronic_result),)


def _pay_fee(c: Context) -> tuple[Event, ...]:
    cmd: PayFee = c.command
    d, proc, actor = c.dossier, c.procedure, c.actor
    if type(actor) is Citizen:
        _applicant_only(c)
    elif not is_desk(proc, actor):
        raise c.refuse("the applicant pays, or the desk records a payment")
    elif cmd.method is PaymentMethod.ONLINE:
        raise c.refuse("an online payment comes from the applicant through the payment "
                       "platform, not from the desk")
    if not proc.has_fee:
        raise c.not_allowed(f"procedure {proc.code} charges no fee")
    if cmd.amount <= 0:
        raise InvalidArgument(f"amount must be the fee paid in VND, more than 0; got "
                              f"{cmd.amount}")
    paid = d.payment
    if paid is not None:
        raise c.not_allowed(f"the fee was already paid ({paid.amount} VND, "
                            f"{paid.method.value}, {paid.at.isoformat()})")
    return (FeePaid(cmd.amount, cmd.method, c.at, actor),)


def _complain(c: Context) -> tuple[Event, ...]:
    _applicant_only(c)
    cmd: Complain = c.command
    if c.dossier.open_complaint is not None:
        raise c.not_allowed("a complaint about this dossier is still unanswered")
    return (Complained(cmd.kind, _text(cmd.text, "text"), c.at, c.actor),)


def _answer_complaint(c: Context) -> tuple[Event, ...]:
    cmd: AnswerComplaint = c.command
    proc, actor = c.procedure, c.actor
    if type(actor) is not Officer or actor.agency not in {a.id for a in proc.agencies}:
        raise c.refuse(f"an officer of the procedure's agencies "
                       f"({', '.join(a.id for a in proc.agencies)}) answers complaints")
    if c.dossier.open_complaint is None:
        raise c.not_allowed("no complaint about this dossier is waiting for an answer")
    return (ComplaintAnswered(_text(cmd.answer, "answer"), cmd.satisfied, c.at, actor),)


def _supplement(c: Context) -> tuple[Event, ...]:
    _applicant_only(c)
    return (Supplemented(c.command.documents, c.at, c.actor),)


WITHDRAWAL_BASIS = "Decree 118/2025/NĐ-CP, Art. 21"
"""The applicant may withdraw a received dossier; the desk issues the notice (Form 05)."""


def _desk_of(c: Context) -> str:
    d = c.dossier
    return d.receipt.agency if d.receipt is not None else c.procedure.receivers[0]


def _withdraw(c: Context) -> tuple[Event, ...]:
    _applicant_only(c)
    reason = c.command.reason
    return (Withdrawn(reason, c.at, c.actor),
            StopNoticeIssued(_desk_of(c), True, reason or "withdrawn at the applicant's request",
                             WITHDRAWAL_BASIS, c.at, c.actor))


def _rate(c: Context) -> tuple[Event, ...]:
    _applicant_only(c)
    score = c.command.score
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidArgument(f"score must be a whole number from 1 to 5, got {score!r}")
    return (Rated(score, c.command.comment, c.at, c.actor),)


def _request_supplement(c: Context) -> tuple[Event, ...]:
    cmd: RequestSupplement = c.command
    d, proc = c.dossier, c.procedure
    if not cmd.items or not all(isinstance(i, str) and i.strip() for i in cmd.items):
        raise InvalidArgument("items must list the missing documents, e.g. "
                              "RequestSupplement(['birth certificate'])")
    if d.status is Status.FILED:
        if not is_desk(proc, c.actor):
            raise c.refuse("before receipt only the one-stop desk may ask for a supplement")
    elif not _owns(c):
        raise c.refuse("only the owner of an active step may ask for a supplement; active: "
                       f"{list(d.active_steps)}")
    assert isinstance(c.actor, Officer)
    asked = d.supplement_requests
    bound = proc.supplement_requests
    if bound is not None and len(asked) >= bound:
        raise c.not_allowed(
            f"dossier {d.id} has already been asked for a supplement {len(asked)} time(s) (by "
            f"{', '.join(asked)}), the most procedure {proc.code} allows; a dossier may be "
            "asked once (Decree 118/2025/NĐ-CP)")
    bound = proc.supplement_requests_per_agency
    if bound is not None and asked.count(c.actor.agency) >= bound:
        raise c.not_allowed(f"{c.actor.agency} has already asked {bound} time(s), the most "
                            f"procedure {proc.code} allows")
    return (SupplementRequested(c.actor.agency, cmd.items, cmd.reason, c.at, c.actor),)


def _hand_off(c: Context) -> tuple[Event, ...]:
    cmd: HandOff = c.command
    _step_owner(c, cmd.step)
    return (HandedOff(cmd.step, _text(cmd.to_person, "to_person"), cmd.note, c.at, c.actor),)


def _complete_step(c: Context) -> tuple[Event, ...]:
    cmd: CompleteStep = c.command
    d, proc, at, actor = c.dossier, c.procedure, c.at, c.actor
    _step_owner(c, cmd.step)
    if type(cmd.outcome) is not Outcome:
        raise InvalidArgument(f"outcome must be an Outcome, got {cmd.outcome!r}")
    if cmd.to_person is not None:
        _text(cmd.to_person, "to_person")
    if cmd.data:
        check_data(proc, cmd.data, required=False)
    desk = d.receipt.agency if d.receipt is not None else proc.receivers[0]
    if cmd.outcome is Outcome.REJECT:
        if not proc.step(cmd.step).can_reject:
            raise c.not_allowed(f"step {cmd.step!r} cannot reject; forward or approve it",
                                drop_self=False)
        _text(cmd.note, "note (the reasons for rejecting)")
        return (StepCompleted(cmd.step, cmd.outcome, cmd.data, (desk,), cmd.to_person,
                              cmd.note, at, actor, (), ()),
                Resolved(Resolution.REJECTED, cmd.note, at, actor))
    flow = c.flow
    data: Mapping[str, Any] = _EMPTY
    if cmd.step in flow.chooses:  # only a choice reads the data
        data = d.values
        data.update(cmd.data)
    activated, waiting = flow.advance(cmd.step, data, d.waiting)
    units = flow.units(activated)
    if not units:  # the branch waits at a join, or reached the end: the result goes to the desk
        before = dict(d.waiting)
        grown = [j for j, n in waiting if n > before.get(j, 0)]
        units = (flow.agency[grown[0]],) if grown else (desk,)
    completed = StepCompleted(cmd.step, cmd.outcome, cmd.data, units, cmd.to_person, cmd.note,
                              at, actor, activated, waiting)
    remaining = [h.step for h in d.active]
    remaining.remove(cmd.step)
    remaining.extend(activated)
    member = flow.member[cmd.step]
    done: tuple[Event, ...] = ()
    if member is not None and member not in d.members_done and not any(
            flow.member[s] == member for s in remaining):
        done = (MemberCompleted(member, at, actor),)
    if not remaining and not waiting:
        return (completed, *done, Resolved(Resolution.APPROVED, "", at, actor))
    return (completed, *done)


def _holder_may(c: Context) -> None:
    """Pause, resume, extend, stop: owners of active steps; the system may resume and stop;
    the desk may stop."""
    kind, actor = type(c.command), c.actor
    if type(actor) is System and kind in (Resume, Stop):
        return
    if kind is Stop and is_desk(c.procedure, actor):
        return
    if not _owns(c):
        raise c.refuse("only the owner of an active step"
                       f"{' or a system actor' if kind in (Resume, Stop) else ''} may "
                       f"{c.name}; active: {list(c.dossier.active_steps)}")


def _pause(c: Context) -> tuple[Event, ...]:
    _holder_may(c)
    cmd: Pause = c.command
    basis, most = cmd.legal_basis, None
    if cmd.kind is not None:
        named = c.procedure.pause_reason(cmd.kind)
        basis, most = basis or named.legal_basis, named.max_length
    return (Paused(_text(cmd.reason, "reason"), _text(basis, "legal_basis"), c.at, c.actor,
                   cmd.kind, most),)


def _resume(c: Context) -> tuple[Event, ...]:
    _holder_may(c)
    return (Resumed(c.command.note, c.at, c.actor),)


def _stop(c: Context) -> tuple[Event, ...]:
    _holder_may(c)
    cmd: Stop = c.command
    reason, basis = _text(cmd.reason, "reason"), _text(cmd.legal_basis, "legal_basis")
    return (Stopped(reason, basis, c.at, c.actor),
            StopNoticeIssued(_desk_of(c), False, reason, basis, c.at, c.actor))


def _extend(c: Context) -> tuple[Event, ...]:
    _holder_may(c)
    cmd: Extend = c.command
    proc, d = c.procedure, c.dossier
    if not isinstance(cmd.by, TimeLimit):
        raise InvalidArgument(f"by must be a TimeLimit such as working_days(2), got {cmd.by!r}")
    _text(cmd.reason, "reason")
    _text(cmd.legal_basis, "legal_basis")
    bound = proc.max_extension
    if bound is None:
        raise c.not_allowed(f"procedure {proc.code} allows no extension")
    granted = (*d.extensions, cmd.by)
    limit = bound.max_working_hours()
    hours = [g.max_working_hours() for g in granted]
    if limit is None or any(h is None for h in hours):
        if any(g.unit is not bound.unit for g in granted):
            raise InvalidArgument(f"extensions of procedure {proc.code} are counted in "
                                  f"{bound.unit.value}; got {cmd.by}")
        over = sum(g.amount for g in granted) > bound.amount
    else:
        over = sum(h for h in hours if h is not None) > limit
    if over:
        raise c.not_allowed(f"extensions would exceed {bound}, the most procedure {proc.code} "
                            "allows")
    return (Extended(cmd.by, cmd.reason, cmd.legal_basis, c.at, c.actor),)


def _apologize(c: Context) -> tuple[Event, ...]:
    cmd: Apologize = c.command
    d, proc, at, actor = c.dossier, c.procedure, c.at, c.actor
    if type(actor) is Officer:
        if actor.agency != cmd.agency or not _owns(c):
            raise c.refuse(f"only {cmd.agency}, holding an active step, or a system actor may "
                           "apologise for it")
    elif type(actor) is not System:
        raise c.refuse("apologies come from the agency that caused the delay")
    if cmd.agency not in {a.id for a in proc.agencies}:
        raise InvalidArgument(f"procedure {proc.code} knows no agency {cmd.agency!r}")
    _text(cmd.reason, "reason")
    check_instant(cmd.new_appointment, "new_appointment")
    if cmd.original_appointment is not None:
        check_instant(cmd.original_appointment, "original_appointment")
    if d.apologies:
        first = d.apologies[0]
        raise c.not_allowed(
            f"{first.agency} already apologised on {first.at.isoformat()} with the new "
            f"appointment {first.new_appointment.isoformat()}; an appointment is moved only "
            "once (one Form 04 per dossier)")
    original = cmd.original_appointment or d.appointment
    if cmd.new_appointment <= at or (original is not None and cmd.new_appointment <= original):
        raise InvalidArgument(
            f"new_appointment {cmd.new_appointment.isoformat()} must be later than now and "
            f"than the original appointment ({original.isoformat() if original else 'none'})")
    late = original is not None and at > original
    return (Apologized(cmd.agency, cmd.reason, original, cmd.new_appointment, at, actor,
                       late),)


Decide: TypeAlias = Callable[[Context], tuple[Event, ...]]
DECIDE: dict[type[Any], Decide] = {
    Receive: _receive,
    Refuse: _refuse_dossier,
    ReturnResult: _return_result,
    Supplement: _supplement,
    Withdraw: _withdraw,
    Rate: _rate,
    RequestSupplement: _request_supplement,
    HandOff: _hand_off,
    CompleteStep: _complete_step,
    Pause: _pause,
    Resume: _resume,
    Stop: _stop,
    Extend: _extend,
    Apologize: _apologize,
    PayFee: _pay_fee,
    Complain: _complain,
    AnswerComplaint: _answer_complaint,
}
"""How each command (but File) is checked and which events it yields."""
