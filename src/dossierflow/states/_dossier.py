"""Dossiers: immutable records whose every field follows from their history.

:func:`evolve` folds one event into a dossier and :func:`fold` a whole history (in time linear
in its length). The engine decides which events a command yields and then uses the same
:func:`evolve`, so a stored history always rebuilds the stored dossier.
"""

from __future__ import annotations

import datetime as dt
import enum
import operator
from collections.abc import Callable, Iterable
from typing import Any, TypeAlias

import attrs

from dossierflow._errors import SchemaError
from dossierflow.rules import TimeLimit
from dossierflow.states._events import (
    EVENT_TYPES,
    Apologized,
    Channel,
    Complained,
    ComplaintAnswered,
    Event,
    Extended,
    FeePaid,
    Filed,
    HandedOff,
    MemberCompleted,
    Officer,
    Outcome,
    Paused,
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
    Withdrawn,
)
from dossierflow.states._flow import Flow


class Status(enum.Enum):
    """Where a dossier is in its life (Decree 118/2025/NĐ-CP: receipt, handling, return)."""

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

    @property
    def is_open(self) -> bool:
        """Whether someone still has to act: filed, awaiting a supplement, in progress, paused
        or resolved (the result still to return)."""
        return self not in _FINAL


_FINAL = frozenset({Status.RETURNED, Status.REFUSED, Status.WITHDRAWN, Status.STOPPED})
CLOCK_STOPPED = frozenset({Status.PAUSED, Status.AWAITING_SUPPLEMENT})
"""Statuses in which the clocks of the dossier and of its steps stand still."""


@attrs.frozen
class Holder:
    """An active step and who holds it (None: the owning unit's queue)."""

    step: str
    person: str | None = None


@attrs.frozen
class ControlSlipRow:
    """One row of the process control slip (Form 06 of Circular 03/2025/TT-VPCP): a handoff
    from a unit and person to the next, with the step's result. ``verdict`` and ``margin``
    (working time; negative when late) are filled in by the clock
    (:meth:`dossierflow.clock.Sla.control_slip`) for steps with an allotment."""

    step: str
    from_unit: str
    from_person: str
    to_unit: str
    to_person: str | None
    at: dt.datetime
    result: str
    note: str
    verdict: Any = None
    margin: dt.timedelta | None = None


RECEPTION = "(reception)"
"""The name of the desk's own step in control slips and worklists: receiving and transferring
the dossier to the first agency."""


@attrs.frozen
class Dossier:
    """A dossier: everything follows from ``history`` (see :func:`fold`).

    ``active`` are the steps being handled now; ``waiting`` counts, for each join step, the
    parallel branches that have reached it. ``receipt`` is the receipt slip (Form 01: number,
    desk, instant, appointment). ``version`` is the number of events, for optimistic
    concurrency.
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
    receipt: Received | None = None
    extensions: tuple[TimeLimit, ...] = ()
    apologies: tuple[Apologized, ...] = ()
    members_done: tuple[str, ...] = ()
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

    @property
    def appointment(self) -> dt.datetime | None:
        """The appointment on the receipt slip (None before receipt or without a limit); an
        apology's new appointment does not change it: reports judge against it."""
        receipt = self.receipt
        return receipt.appointment.due if receipt and receipt.appointment else None

    @property
    def payment(self) -> FeePaid | None:
        """The fee's payment, if it was paid."""
        for e in self.history:
            if type(e) is FeePaid:
                return e
        return None

    @property
    def complaints(self) -> tuple[tuple[Complained, ComplaintAnswered | None], ...]:
        """Every complaint about the dossier with its answer (None: not answered yet)."""
        found: list[tuple[Complained, ComplaintAnswered | None]] = []
        for e in self.history:
            if type(e) is Complained:
                found.append((e, None))
            elif type(e) is ComplaintAnswered and found:
                found[-1] = (found[-1][0], e)
        return tuple(found)

    @property
    def open_complaint(self) -> Complained | None:
        """The complaint waiting for an answer, if any."""
        complaints = self.complaints
        if complaints and complaints[-1][1] is None:
            return complaints[-1][0]
        return None

    @property
    def stop_notice(self) -> StopNoticeIssued | None:
        """The notice of stopping (Form 05) of a withdrawn or stopped dossier, else None."""
        if self.status is not Status.WITHDRAWN and self.status is not Status.STOPPED:
            return None
        for e in reversed(self.history):
            if type(e) is StopNoticeIssued:
                return e
        return None

    def control_slip(self) -> tuple[ControlSlipRow, ...]:
        """The process control slip: every handoff of the dossier in order, the desk's
        transfer to the first agencies included (without verdicts; see
        :meth:`dossierflow.clock.Sla.control_slip`)."""
        rows: list[ControlSlipRow] = []
        for e in self.history:
            kind = type(e)
            if kind is Received:
                assert isinstance(e, Received)
                unit, person = _sender(e.actor)
                rows.append(ControlSlipRow(RECEPTION, unit, person, ", ".join(e.to_units),
                                           None, e.at, "received", e.note))
            elif kind is StepCompleted:
                assert isinstance(e, StepCompleted)
                unit, person = _sender(e.actor)
                rows.append(ControlSlipRow(e.step, unit, person, ", ".join(e.to_units),
                                           e.to_person, e.at, e.outcome.value, e.note))
            elif kind is HandedOff:
                assert isinstance(e, HandedOff)
                unit, person = _sender(e.actor)
                rows.append(ControlSlipRow(e.step, unit, person, unit, e.to_person, e.at,
                                           "handoff", e.note))
        return tuple(rows)


def _sender(actor: Any) -> tuple[str, str]:
    if isinstance(actor, Officer):
        return actor.agency, actor.id
    return str(actor), str(actor)


# -------------------------------------------------------------------------------- folding
#
# Folding works on the list of a dossier's field values: each event's change writes into it,
# and a Dossier is built once at the end (of a command's events, or of a whole history), since
# building the frozen record costs more than every change together.


def evolve(dossier: Dossier | None, event: Event, flow: Flow | None = None) -> Dossier:
    """The dossier after ``event``. Pure and total for every event the engine emits; ``flow``
    is needed only for events written by schema 1 (which do not record where the flow went)."""
    if dossier is None:
        return _start(event)
    return fold((event,), flow, dossier)


def fold(events: Iterable[Event], flow: Flow | None = None,
         dossier: Dossier | None = None) -> Dossier:
    """``dossier`` (None: a new one) with ``events`` folded in, in time linear in their
    number (and one copy of the history). Events of schema 1 come out completed
    (``activated``, ``waiting``, ``to_units``) by ``flow``."""
    it = iter(events)
    if dossier is None:
        first = next(it, None)
        if first is None:
            raise SchemaError("a history starts with Filed; this one is empty")
        dossier = _start(first)
    values = list(_VALUES(dossier))
    history = list(dossier.history)
    for event in it:
        kind = type(event)
        if (kind is Received or kind is StepCompleted) and \
                event.activated is None:  # type: ignore[union-attr]
            event = _complete(values, event, flow)
        change = _CHANGES.get(kind)
        if change is None:
            raise SchemaError(f"{kind.__name__} cannot follow the first event",
                              dossier_id=values[_ID], seq=len(history) + 1)
        change(values, event)
        history.append(event)
    values[_HISTORY] = tuple(history)
    return Dossier(*values)


def _start(event: Event) -> Dossier:
    if type(event) is not Filed:
        raise SchemaError(f"a history starts with Filed, not {type(event).__name__}")
    assert isinstance(event, Filed)
    return Dossier(id=event.dossier, procedure=event.procedure,
                   procedure_version=event.version, status=Status.FILED,
                   channel=event.channel, applicant=event.applicant, data=event.data,
                   history=(event,))


def _complete(values: list[Any], event: Event, flow: Flow | None) -> Event:
    """``event`` (``Received`` or ``StepCompleted`` of schema 1) with where the flow went."""
    if flow is None:
        raise SchemaError(f"{type(event).__name__} of schema 1 needs the procedure's flow to "
                          "be read", dossier_id=values[_ID], seq=len(values[_HISTORY]) + 1)
    if isinstance(event, Received):
        activated, waiting = flow.first(dict(values[_DATA]))
        return attrs.evolve(event, activated=activated, waiting=waiting,
                            to_units=flow.units(activated))
    assert isinstance(event, StepCompleted)
    if event.outcome is Outcome.REJECT:
        return attrs.evolve(event, activated=(), waiting=())
    data = dict(_merge(values[_DATA], event.data))
    activated, waiting = flow.advance(event.step, data, values[_WAITING])
    return attrs.evolve(event, activated=activated, waiting=waiting)


_FIELD_NAMES = tuple(a.name for a in attrs.fields(Dossier))
_POSITION = {name: k for k, name in enumerate(_FIELD_NAMES)}
_VALUES = operator.attrgetter(*_FIELD_NAMES)
(_ID, _STATUS, _DATA, _ACTIVE, _WAITING, _RESUME_TO, _RECEIVED, _REQUESTS, _RESOLUTION,
 _RATED, _RECEIPT, _EXTENSIONS, _APOLOGIES, _MEMBERS_DONE, _HISTORY) = (
    _POSITION[name] for name in (
        "id", "status", "data", "active", "waiting", "resume_to", "received",
        "supplement_requests", "resolution", "rated", "receipt", "extensions", "apologies",
        "members_done", "history"))
_Change: TypeAlias = Callable[[list[Any], Any], None]
_UNASSIGNED: dict[str, Holder] = {}


def _holder(step: str, person: str | None) -> Holder:
    if person is not None:
        return Holder(step, person)
    found = _UNASSIGNED.get(step)
    if found is None:  # holders are immutable: one unassigned holder per step name serves all
        found = _UNASSIGNED[step] = Holder(step)
    return found


def _filed(v: list[Any], e: Filed) -> None:
    raise SchemaError("Filed can only start a history", dossier_id=v[_ID],
                      seq=len(v[_HISTORY]) + 1)


def _received(v: list[Any], e: Received) -> None:
    assert e.activated is not None
    assert e.waiting is not None
    v[_STATUS] = Status.IN_PROGRESS
    v[_RECEIVED] = True
    v[_RECEIPT] = e
    v[_ACTIVE] = tuple(_holder(s, None) for s in e.activated)
    v[_WAITING] = e.waiting


def _refused(v: list[Any], e: Refused) -> None:
    v[_STATUS] = Status.REFUSED


def _supplement_requested(v: list[Any], e: SupplementRequested) -> None:
    v[_RESUME_TO] = v[_STATUS]
    v[_STATUS] = Status.AWAITING_SUPPLEMENT
    v[_REQUESTS] = (*v[_REQUESTS], e.agency)


def _paused(v: list[Any], e: Paused) -> None:
    v[_RESUME_TO] = v[_STATUS]
    v[_STATUS] = Status.PAUSED


def _back(v: list[Any], e: Supplemented | Resumed) -> None:
    v[_STATUS] = v[_RESUME_TO] or Status.IN_PROGRESS
    v[_RESUME_TO] = None


def _step_completed(v: list[Any], e: StepCompleted) -> None:
    assert e.activated is not None
    assert e.waiting is not None
    if e.data:
        v[_DATA] = _merge(v[_DATA], e.data)
    if e.outcome is Outcome.REJECT:
        v[_ACTIVE] = ()
        v[_WAITING] = ()
        return
    active = list(v[_ACTIVE])
    for k, h in enumerate(active):
        if h.step == e.step:
            del active[k]
            break
    active.extend(_holder(s, e.to_person) for s in e.activated)
    v[_ACTIVE] = tuple(active)
    v[_WAITING] = e.waiting


def _handed_off(v: list[Any], e: HandedOff) -> None:
    v[_ACTIVE] = tuple(Holder(h.step, e.to_person) if h.step == e.step else h
                       for h in v[_ACTIVE])


def _ended(status: Status) -> _Change:
    def change(v: list[Any], e: Any) -> None:
        v[_STATUS] = status
        v[_ACTIVE] = ()
        v[_WAITING] = ()
        v[_RESUME_TO] = None

    return change


def _resolved(v: list[Any], e: Resolved) -> None:
    v[_STATUS] = Status.RESOLVED
    v[_RESOLUTION] = e.resolution
    v[_ACTIVE] = ()
    v[_WAITING] = ()


def _returned(v: list[Any], e: ResultReturned) -> None:
    v[_STATUS] = Status.RETURNED


def _rated(v: list[Any], e: Rated) -> None:
    v[_RATED] = True


def _extended(v: list[Any], e: Extended) -> None:
    v[_EXTENSIONS] = (*v[_EXTENSIONS], e.by)


def _member_completed(v: list[Any], e: MemberCompleted) -> None:
    v[_MEMBERS_DONE] = (*v[_MEMBERS_DONE], e.member)


def _apologized(v: list[Any], e: Apologized) -> None:
    v[_APOLOGIES] = (*v[_APOLOGIES], e)


def _recorded(v: list[Any], e: Event) -> None:
    """An event that only joins the history (a notice issued, a fee paid, a complaint and
    its answer): read off the history when needed."""


_CHANGES: dict[type[Any], _Change] = {
    Filed: _filed,
    Received: _received,
    Refused: _refused,
    SupplementRequested: _supplement_requested,
    Supplemented: _back,
    Resumed: _back,
    Paused: _paused,
    StepCompleted: _step_completed,
    HandedOff: _handed_off,
    Resolved: _resolved,
    ResultReturned: _returned,
    Withdrawn: _ended(Status.WITHDRAWN),
    Stopped: _ended(Status.STOPPED),
    Rated: _rated,
    Extended: _extended,
    MemberCompleted: _member_completed,
    Apologized: _apologized,
    StopNoticeIssued: _recorded,
    FeePaid: _recorded,
    Complained: _recorded,
    ComplaintAnswered: _recorded,
}
"""What each event changes in a dossier's field values (besides joining the history)."""
assert set(_CHANGES) == set(EVENT_TYPES.values())


def _merge(data: tuple[tuple[str, Any], ...],
           update: tuple[tuple[str, Any], ...]) -> tuple[tuple[str, Any], ...]:
    if not update:
        return data
    merged = dict(data)
    merged.update(update)
    return tuple(sorted(merged.items()))
