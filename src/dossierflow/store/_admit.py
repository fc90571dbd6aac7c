"""What :meth:`Store.save` admits (package-internal): only what the engine decides.

Each command is re-derived from the events it yielded and applied again by the engine, at the
event's instant and by its actor, and must yield exactly those events; the dossier handed in
must be the one they fold into. So a hand-made event, a step completed by a citizen, a
``System`` actor forged through JSON or an event dated before the dossier's last one is
refused (by the engine's own error, or :class:`InvalidArgument` saying which event differs),
and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from dossierflow._errors import InvalidArgument
from dossierflow.states import (
    AnswerComplaint,
    Apologize,
    Apologized,
    Command,
    Complain,
    Complained,
    ComplaintAnswered,
    CompleteStep,
    Dossier,
    Engine,
    Event,
    Extend,
    Extended,
    FeePaid,
    File,
    Filed,
    HandedOff,
    HandOff,
    Pause,
    Paused,
    PayFee,
    Rate,
    Rated,
    Receive,
    Received,
    Refuse,
    Refused,
    RequestSupplement,
    ResultReturned,
    Resume,
    Resumed,
    ReturnResult,
    StepCompleted,
    Stop,
    Stopped,
    Supplement,
    Supplemented,
    SupplementRequested,
    Withdraw,
    Withdrawn,
)

_COMMAND_OF: dict[type[Any], Callable[[Any], Command]] = {
    Filed: lambda e: File(e.dossier, e.procedure, e.channel, dict(e.data), version=e.version,
                          applicant=e.applicant, postmark=e.postmark),
    Received: lambda e: Receive(e.receipt_no, e.documents, e.note, e.digitised, e.components,
                                e.reused),
    Refused: lambda e: Refuse(e.reasons),
    SupplementRequested: lambda e: RequestSupplement(e.items, e.reason),
    Supplemented: lambda e: Supplement(e.documents),
    StepCompleted: lambda e: CompleteStep(e.step, e.outcome, dict(e.data), e.to_person, e.note),
    HandedOff: lambda e: HandOff(e.step, e.to_person, e.note),
    Paused: lambda e: Pause(e.reason, e.legal_basis, e.kind),
    Resumed: lambda e: Resume(e.note),
    Extended: lambda e: Extend(e.by, e.reason, e.legal_basis),
    ResultReturned: lambda e: ReturnResult(e.method, e.note, e.electronic_result),
    Withdrawn: lambda e: Withdraw(e.reason),
    Stopped: lambda e: Stop(e.reason, e.legal_basis),
    Rated: lambda e: Rate(e.score, e.comment),
    Apologized: lambda e: Apologize(e.agency, e.reason, e.new_appointment,
                                    e.original_appointment),
    FeePaid: lambda e: PayFee(e.amount, e.method),
    Complained: lambda e: Complain(e.text, e.kind),
    ComplaintAnswered: lambda e: AnswerComplaint(e.answer, e.satisfied),
}
"""The command each event records (``MemberCompleted`` and ``Resolved`` only follow a step's
completion: the engine adds them)."""


def admit(engine: Engine, before: Dossier | None, after: Dossier,
          events: Sequence[Event]) -> None:
    """Refuse ``events`` unless the engine, applying the commands they record to ``before``,
    yields exactly them and ``after``."""
    d = before
    k = 0
    while k < len(events):
        event = events[k]
        seq = (0 if before is None else before.version) + k + 1
        make = _COMMAND_OF.get(type(event))
        if make is None:
            raise InvalidArgument(
                f"event {seq} of dossier {after.id} ({type(event).__name__}) is not what a "
                "command yields first; save() takes what Engine.apply returned")
        try:
            command = make(event)
        except InvalidArgument as exc:
            raise InvalidArgument(f"event {seq} of dossier {after.id} carries a value no "
                                  f"command could: {exc}") from exc
        d, produced = engine.apply(d, command, at=event.at, actor=event.actor)
        if tuple(events[k:k + len(produced)]) != produced:
            raise InvalidArgument(
                f"events from {seq} of dossier {after.id} are not what the engine decides for "
                f"{type(command).__name__} by {event.actor} at {event.at.isoformat()}; save() "
                "takes what Engine.apply returned")
        k += len(produced)
    if d != after:
        raise InvalidArgument(f"the dossier given for {after.id} is not what its events fold "
                              "into; save() takes what Engine.apply returned")
