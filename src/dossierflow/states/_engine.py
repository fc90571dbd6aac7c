"""Commands, the catalogue of procedures, and the engine that applies commands to dossiers.

``Engine.apply(dossier, command, at=..., actor=...)`` is pure: it checks the command against
the dossier's status, the actor's rights and the procedure, then returns the new dossier and
the events it appended, or raises and changes nothing. It never reads the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime as _datetime
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo

import attrs

from dossierflow._errors import (
    InvalidArgument,
    NaiveDatetimeError,
    NotAuthorized,
    SchemaError,
    TransitionNotAllowed,
    UnknownProcedure,
)
from dossierflow.calendar import WorkCalendar
from dossierflow.rules import TimeLimit, appointment
from dossierflow.states._definition import (
    Choice,
    End,
    Next,
    Parallel,
    Procedure,
    _is_of,
)
from dossierflow.states._dossier import (
    Actor,
    Apologized,
    Channel,
    Citizen,
    Dossier,
    Event,
    Extended,
    Filed,
    HandedOff,
    Holder,
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
    Status,
    StepCompleted,
    Stopped,
    Supplemented,
    SupplementRequested,
    System,
    Withdrawn,
    evolve,
)

# ------------------------------------------------------------------------------------ commands


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
    """Form 04: ``agency`` apologises for a delay and gives a new appointment (see
    ``dossierflow.rules.Sla.apology``, which finds the agency and proposes the date)."""

    agency: str
    reason: str
    new_appointment: dt.datetime


@attrs.frozen
class Rate:
    """The applicant's satisfaction, 1 (very unsatisfied) to 5 (very satisfied)."""

    score: int
    comment: str = ""


Command: TypeAlias = (
    File | Receive | Refuse | RequestSupplement | Supplement | CompleteStep | HandOff | Pause
    | Resume | Extend | ReturnResult | Withdraw | Stop | Rate | Apologize
)
COMMAND_NAMES: dict[type[Any], str] = {
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
}
"""The stable name of every command."""

ALLOWED: dict[Status, tuple[str, ...]] = {
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
}
"""Which commands each status admits (before the finer checks: actor, step, counts)."""


# ----------------------------------------------------------------------------------- catalogue


def _procedures(value: Iterable[Procedure]) -> tuple[Procedure, ...]:
    return tuple(value)


@attrs.frozen
class Catalogue:
    """The procedures an engine knows, every version of each. Immutable: ``with_procedure``
    returns a new catalogue, so a dossier received under version 1 keeps resolving to it."""

    procedures: tuple[Procedure, ...] = attrs.field(default=(), converter=_procedures)
    _by_key: dict[tuple[str, int], Procedure] = attrs.field(
        init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        by_key: dict[tuple[str, int], Procedure] = {}
        for p in self.procedures:
            if not isinstance(p, Procedure):
                raise InvalidArgument(f"a catalogue holds Procedure values, got {p!r}")
            if (p.code, p.version) in by_key:
                raise InvalidArgument(f"procedure {p.code} version {p.version} is registered "
                                      "twice; give the new one the next version number")
            by_key[(p.code, p.version)] = p
        object.__setattr__(self, "_by_key", by_key)

    def with_procedure(self, procedure: Procedure) -> Catalogue:
        """This catalogue plus ``procedure`` (a new code, or a new version of a known one)."""
        return Catalogue((*self.procedures, procedure))

    def get(self, code: str, version: int) -> Procedure:
        """The procedure ``code`` at ``version``."""
        p = self._by_key.get((code, version))
        if p is None:
            known = sorted(v for c, v in self._by_key if c == code)
            raise UnknownProcedure(code, f"version {version} in the catalogue (versions known: "
                                         f"{known or 'none'})")
        return p

    def in_force(self, code: str, on: dt.date) -> Procedure:
        """The version of ``code`` in force on ``on`` (the latest, if several overlap)."""
        versions = [p for (c, _), p in self._by_key.items() if c == code]
        if not versions:
            raise UnknownProcedure(code, "in the catalogue; register it with with_procedure()")
        found = [p for p in versions if p.is_in_force(on)]
        if not found:
            spans = ", ".join(f"v{p.version} from {p.effective_from}" for p in versions)
            raise UnknownProcedure(code, f"in force on {on} ({spans})")
        return max(found, key=lambda p: p.version)

    def versions(self, code: str) -> tuple[Procedure, ...]:
        return tuple(sorted((p for (c, _), p in self._by_key.items() if c == code),
                            key=lambda p: p.version))


# ---------------------------------------------------------------------------------------- flow


class _Flow:
    """Token movement over one procedure's graph (the :class:`Flow` that evolve() uses)."""

    __slots__ = ("calendar", "holders", "join_need", "proc")

    def __init__(self, proc: Procedure, calendar: WorkCalendar) -> None:
        self.proc = proc
        self.calendar = calendar
        self.join_need = proc._index.join_need
        # Holders are immutable: one unassigned holder per step serves every dossier.
        self.holders = {s.name: Holder(s.name) for s in proc.steps}

    def first(self, dossier: Dossier) -> tuple[tuple[Holder, ...], tuple[tuple[str, int], ...]]:
        waiting: dict[str, int] = {}
        holders = self._enter(self.proc.first_step, dict(dossier.data), waiting)
        return tuple(holders), tuple(sorted(waiting.items()))

    def advance(
        self, dossier: Dossier, step: str, data: Mapping[str, Any]
    ) -> tuple[tuple[Holder, ...], tuple[tuple[str, int], ...]]:
        active = list(dossier.active)
        for k, h in enumerate(active):
            if h.step == step:
                del active[k]
                break
        waiting = dict(dossier.waiting)
        active.extend(self._enter(self.proc._index.steps[step].then, data, waiting))
        return tuple(active), tuple(sorted(waiting.items()))

    def _enter(self, nxt: Next, data: Mapping[str, Any], waiting: dict[str, int]) -> list[Holder]:
        if isinstance(nxt, str):
            need = self.join_need.get(nxt)
            if need is None:
                return [self.holders[nxt]]
            got = waiting.get(nxt, 0) + 1
            if got < need:
                waiting[nxt] = got
                return []
            waiting.pop(nxt, None)
            return [self.holders[nxt]]
        if isinstance(nxt, End):
            return []
        if isinstance(nxt, Parallel):
            out: list[Holder] = []
            for b in nxt.branches:
                out.extend(self._enter(b, data, waiting))
            return out
        assert isinstance(nxt, Choice)
        for option in nxt.options:
            if data.get(option.field) == option.equals:
                return self._enter(option.then, data, waiting)
        return self._enter(nxt.otherwise, data, waiting)


# -------------------------------------------------------------------------------------- engine


_ACTORS = frozenset({Citizen, Officer, System})


class Engine:
    """Applies commands to dossiers of the procedures in ``catalogue``.

    ``calendar`` (Vietnam's civil-service calendar by default) gives the appointment on the
    receipt slip; its zone's date decides which procedure version is in force when a dossier
    is filed.
    """

    def __init__(self, catalogue: Catalogue, *, calendar: WorkCalendar | None = None) -> None:
        if not isinstance(catalogue, Catalogue):
            raise InvalidArgument(f"catalogue must be a Catalogue, got {catalogue!r}")
        if calendar is None:
            from dossierflow.calendar import vietnam

            calendar = vietnam()
        if not isinstance(calendar, WorkCalendar):
            raise InvalidArgument(f"calendar must be a WorkCalendar, got {calendar!r}")
        self.catalogue = catalogue
        self.calendar = calendar
        self.timezone = ZoneInfo(calendar.timezone)
        self._flows: dict[tuple[str, int], _Flow] = {}

    def procedure_of(self, dossier: Dossier) -> Procedure:
        """The procedure version ``dossier`` was received under."""
        return self.catalogue.get(dossier.procedure, dossier.procedure_version)

    def flow(self, code: str, version: int) -> _Flow:
        key = (code, version)
        flow = self._flows.get(key)
        if flow is None:
            flow = self._flows[key] = _Flow(self.catalogue.get(code, version), self.calendar)
        return flow

    def replay(self, events: Iterable[Event]) -> Dossier:
        """Rebuild a dossier from its history."""
        events = tuple(events)
        if not events or not isinstance(events[0], Filed):
            raise SchemaError("a history starts with Filed")
        first = events[0]
        return self.extend(evolve(None, first, self.flow(first.procedure, first.version)),
                           events[1:])

    def extend(self, dossier: Dossier, events: Iterable[Event]) -> Dossier:
        """``dossier`` with more of its stored history folded in (what a store does when
        others appended since it last loaded the dossier)."""
        flow = self.flow(dossier.procedure, dossier.procedure_version)
        for event in events:
            dossier = evolve(dossier, event, flow)
        return dossier

    def allowed(self, dossier: Dossier) -> tuple[str, ...]:
        """The commands ``dossier``'s status admits."""
        names = ALLOWED[dossier.status]
        if dossier.status is Status.RETURNED and dossier.rated:
            return ()
        if dossier.status is Status.AWAITING_SUPPLEMENT and not dossier.received:
            return tuple(n for n in names if n != "withdraw")
        return names

    def apply(
        self, dossier: Dossier | None, command: Command, *, at: dt.datetime, actor: Actor
    ) -> tuple[Dossier, tuple[Event, ...]]:
        """The dossier after ``command`` and the events it appended; raises and changes
        nothing if the command is refused. ``dossier`` is None only for :class:`File`."""
        if type(at) is not _datetime or at.tzinfo is None:
            _check_instant(at)
        if type(actor) not in _ACTORS:
            raise InvalidArgument(
                f"actor must be a Citizen, Officer or System, got {actor!r}")
        name = COMMAND_NAMES.get(type(command))
        if name is None:
            raise InvalidArgument(
                f"{command!r} is not a dossierflow command; commands: "
                f"{', '.join(COMMAND_NAMES.values())}")
        if type(command) is File:
            if dossier is not None:
                raise TransitionNotAllowed(dossier.id, dossier.status.value, name,
                                           self.allowed(dossier), "it is already filed")
            return self._file(command, at, actor)
        if type(dossier) is not Dossier:
            raise InvalidArgument(f"dossier must be a Dossier (None only to file), got "
                                  f"{dossier!r}")
        last = dossier.history[-1].at
        if at < last:
            raise InvalidArgument(
                f"at={at.isoformat()} is before dossier {dossier.id}'s last event "
                f"({last.isoformat()}); events are appended in time order")
        allowed = self.allowed(dossier)
        if name not in allowed:
            raise TransitionNotAllowed(dossier.id, dossier.status.value, name, allowed)
        flow = self.flow(dossier.procedure, dossier.procedure_version)
        proc = flow.proc
        events = _DECIDE[type(command)](proc, flow, dossier, command, name, at, actor)
        new = dossier
        for e in events:
            new = evolve(new, e, flow)
        if type(command) is CompleteStep and command.outcome is not Outcome.REJECT:
            extra = _after_step(proc, dossier, new, command.step, at, actor)
            for e in extra:
                new = evolve(new, e, flow)
            events = (*events, *extra)
        return new, events

    def _file(
        self, command: File, at: dt.datetime, actor: Actor
    ) -> tuple[Dossier, tuple[Event, ...]]:
        if not isinstance(command.dossier_id, str) or not command.dossier_id.strip():
            raise InvalidArgument(
                f"dossier_id must be non-empty text, got {command.dossier_id!r}")
        if not isinstance(command.channel, Channel):
            raise InvalidArgument(f"channel must be a Channel, got {command.channel!r}")
        if command.version is None:
            proc = self.catalogue.in_force(command.procedure,
                                           at.astimezone(self.timezone).date())
        else:
            proc = self.catalogue.get(command.procedure, command.version)
        if isinstance(actor, Citizen):
            applicant = command.applicant or actor.id
            if applicant != actor.id:
                raise NotAuthorized(command.dossier_id, str(actor), "file",
                                    f"a citizen files only for themself, not for {applicant!r}")
        elif isinstance(actor, Officer) and _is_desk(proc, actor):
            if not command.applicant:
                raise InvalidArgument("an officer filing at the desk must name the applicant")
            applicant = command.applicant
        else:
            raise NotAuthorized(command.dossier_id, str(actor), "file",
                                "dossiers are filed by the applicant or at a receiving desk")
        _check_data(proc, command.data, required=True)
        event = Filed(command.dossier_id, proc.code, proc.version, command.channel, applicant,
                      command.data, at, actor)
        dossier = evolve(None, event, self.flow(proc.code, proc.version))
        return dossier, (event,)


def _check_instant(at: object) -> None:
    if not isinstance(at, _datetime):
        raise InvalidArgument(f"at must be a timezone-aware datetime.datetime, got {at!r}")
    if at.tzinfo is None or at.utcoffset() is None:
        raise NaiveDatetimeError("at", at)


def _is_desk(proc: Procedure, actor: Actor) -> bool:
    return (isinstance(actor, Officer) and actor.agency in proc.receivers
            and actor.role == proc.reception_role)


def _owns(proc: Procedure, dossier: Dossier, actor: Actor) -> bool:
    """Whether ``actor`` owns one of the dossier's active steps."""
    if not isinstance(actor, Officer):
        return False
    for h in dossier.active:
        owner = proc._index.steps[h.step].owner
        if owner.agency == actor.agency and owner.role == actor.role:
            return True
    return False


def _check_data(proc: Procedure, data: tuple[tuple[str, Any], ...], *, required: bool) -> None:
    fields = proc._index.fields
    for key, value in data:
        f = fields.get(key)
        if f is None:
            declared = ", ".join(repr(k) for k in fields) or "none"
            raise InvalidArgument(
                f"procedure {proc.code} declares no data field {key!r}; declared: {declared}")
        if not _is_of(value, f.type):
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


def _refuse(dossier: Dossier, actor: Actor, name: str, reason: str) -> NotAuthorized:
    return NotAuthorized(dossier.id, str(actor), name, reason)


def _desk_only(proc: Procedure, d: Dossier, name: str, actor: Actor) -> Officer:
    if not _is_desk(proc, actor):
        raise _refuse(d, actor, name, f"only the one-stop desk ({proc.reception_role} of "
                      f"{', '.join(proc.receivers)}) may {name.replace('_', ' ')}")
    assert isinstance(actor, Officer)
    return actor


def _applicant_only(d: Dossier, name: str, actor: Actor) -> None:
    if type(actor) is not Citizen or actor.id != d.applicant:
        raise _refuse(d, actor, name, f"only the applicant ({d.applicant}) may {name}")


def _step_owner(proc: Procedure, d: Dossier, c: CompleteStep | HandOff, name: str,
                actor: Actor) -> None:
    for h in d.active:
        if h.step == c.step:
            break
    else:
        raise TransitionNotAllowed(
            d.id, d.status.value, name, ALLOWED[d.status],
            f"step {c.step!r} is not active; active: {list(d.active_steps)}")
    owner = proc._index.steps[c.step].owner
    if type(actor) is not Officer or actor.agency != owner.agency or actor.role != owner.role:
        raise _refuse(d, actor, name, f"step {c.step!r} is owned by {owner}")


def _receive(proc: Procedure, flow: _Flow, d: Dossier, c: Receive, name: str,
             at: dt.datetime, actor: Actor) -> tuple[Event, ...]:
    officer = _desk_only(proc, d, name, actor)
    _text(c.receipt_no, "receipt_no")
    due = None
    if proc.time_limit is not None:
        due = appointment(at, proc.time_limit, flow.calendar, proc.clock)
    return (Received(c.receipt_no, officer.agency, c.documents, due, c.note, at, actor),)


def _refuse_dossier(proc: Procedure, flow: _Flow, d: Dossier, c: Refuse, name: str,
                    at: dt.datetime, actor: Actor) -> tuple[Event, ...]:
    _desk_only(proc, d, name, actor)
    return (Refused(_text(c.reasons, "reasons"), at, actor),)


def _return_result(proc: Procedure, flow: _Flow, d: Dossier, c: ReturnResult, name: str,
                   at: dt.datetime, actor: Actor) -> tuple[Event, ...]:
    _desk_only(proc, d, name, actor)
    return (ResultReturned(_text(c.method, "method"), c.note, at, actor),)


def _supplement(proc: Procedure, flow: _Flow, d: Dossier, c: Supplement, name: str,
                at: dt.datetime, actor: Actor) -> tuple[Event, ...]:
    _applicant_only(d, name, actor)
    return (Supplemented(c.documents, at, actor),)


def _withdraw(proc: Procedure, flow: _Flow, d: Dossier, c: Withdraw, name: str,
              at: dt.datetime, actor: Actor) -> tuple[Event, ...]:
    _applicant_only(d, name, actor)
    return (Withdrawn(c.reason, at, actor),)


def _rate(proc: Procedure, flow: _Flow, d: Dossier, c: Rate, name: str,
          at: dt.datetime, actor: Actor) -> tuple[Event, ...]:
    _applicant_only(d, name, actor)
    if isinstance(c.score, bool) or not isinstance(c.score, int) or not 1 <= c.score <= 5:
        raise InvalidArgument(f"score must be a whole number from 1 to 5, got {c.score!r}")
    return (Rated(c.score, c.comment, at, actor),)


def _request_supplement(proc: Procedure, flow: _Flow, d: Dossier, c: RequestSupplement,
                        name: str, at: dt.datetime, actor: Actor) -> tuple[Event, ...]:
    if not c.items or not all(isinstance(i, str) and i.strip() for i in c.items):
        raise InvalidArgument("items must list the missing documents, e.g. "
                              "RequestSupplement(['birth certificate'])")
    if d.status is Status.FILED:
        if not _is_desk(proc, actor):
            raise _refuse(d, actor, name, "before receipt only the one-stop desk may ask "
                          "for a supplement")
    elif not _owns(proc, d, actor):
        raise _refuse(d, actor, name, "only the owner of an active step may ask for a "
                      f"supplement; active: {list(d.active_steps)}")
    assert isinstance(actor, Officer)
    bound = proc.supplement_requests_per_agency
    if bound is not None and d.supplement_requests.count(actor.agency) >= bound:
        raise TransitionNotAllowed(
            d.id, d.status.value, name, tuple(n for n in ALLOWED[d.status] if n != name),
            f"{actor.agency} has already asked {bound} time(s), the most procedure "
            f"{proc.code} allows")
    return (SupplementRequested(actor.agency, c.items, c.reason, at, actor),)


def _hand_off(proc: Procedure, flow: _Flow, d: Dossier, c: HandOff, name: str,
              at: dt.datetime, actor: Actor) -> tuple[Event, ...]:
    _step_owner(proc, d, c, name, actor)
    return (HandedOff(c.step, _text(c.to_person, "to_person"), c.note, at, actor),)


def _complete_step(proc: Procedure, flow: _Flow, d: Dossier, c: CompleteStep, name: str,
                   at: dt.datetime, actor: Actor) -> tuple[Event, ...]:
    _step_owner(proc, d, c, name, actor)
    if type(c.outcome) is not Outcome:
        raise InvalidArgument(f"outcome must be an Outcome, got {c.outcome!r}")
    if c.data:
        _check_data(proc, c.data, required=False)
    if c.outcome is Outcome.REJECT:
        if not proc._index.steps[c.step].can_reject:
            raise TransitionNotAllowed(
                d.id, d.status.value, name, ALLOWED[d.status],
                f"step {c.step!r} cannot reject; forward or approve it")
        _text(c.note, "note (the reasons for rejecting)")
        return (StepCompleted(c.step, c.outcome, c.data, (_desk_of(d),), c.to_person,
                              c.note, at, actor),
                Resolved(Resolution.REJECTED, c.note, at, actor))
    return (StepCompleted(c.step, c.outcome, c.data, _next_units(proc, flow, d, c),
                          c.to_person, c.note, at, actor),)


def _holder_may(proc: Procedure, d: Dossier, c: Pause | Resume | Extend | Stop, name: str,
                actor: Actor) -> None:
    """Pause, resume, extend, stop: owners of active steps; the system may resume and stop;
    the desk may stop."""
    if type(actor) is System and type(c) in (Resume, Stop):
        return
    if type(c) is Stop and _is_desk(proc, actor):
        return
    if not _owns(proc, d, actor):
        raise _refuse(d, actor, name, "only the owner of an active step"
                      f"{' or a system actor' if type(c) in (Resume, Stop) else ''} may "
                      f"{name}; active: {list(d.active_steps)}")


def _pause(proc: Procedure, flow: _Flow, d: Dossier, c: Pause, name: str,
           at: dt.datetime, actor: Actor) -> tuple[Event, ...]:
    _holder_may(proc, d, c, name, actor)
    return (Paused(_text(c.reason, "reason"), _text(c.legal_basis, "legal_basis"), at,
                   actor),)


def _resume(proc: Procedure, flow: _Flow, d: Dossier, c: Resume, name: str,
            at: dt.datetime, actor: Actor) -> tuple[Event, ...]:
    _holder_may(proc, d, c, name, actor)
    return (Resumed(c.note, at, actor),)


def _stop(proc: Procedure, flow: _Flow, d: Dossier, c: Stop, name: str,
          at: dt.datetime, actor: Actor) -> tuple[Event, ...]:
    _holder_may(proc, d, c, name, actor)
    return (Stopped(_text(c.reason, "reason"), _text(c.legal_basis, "legal_basis"), at,
                    actor),)


def _extend(proc: Procedure, flow: _Flow, d: Dossier, c: Extend, name: str,
            at: dt.datetime, actor: Actor) -> tuple[Event, ...]:
    _holder_may(proc, d, c, name, actor)
    return (_extension(proc, d, c, name, at, actor),)


def _apologize(proc: Procedure, flow: _Flow, d: Dossier, c: Apologize, name: str,
               at: dt.datetime, actor: Actor) -> tuple[Event, ...]:
    if type(actor) is Officer:
        if actor.agency != c.agency or not _owns(proc, d, actor):
            raise _refuse(d, actor, name, f"only {c.agency}, holding an active step, or a "
                          "system actor may apologise for it")
    elif type(actor) is not System:
        raise _refuse(d, actor, name, "apologies come from the agency that caused the delay")
    if c.agency not in {a.id for a in proc.agencies}:
        raise InvalidArgument(f"procedure {proc.code} knows no agency {c.agency!r}")
    _text(c.reason, "reason")
    _check_instant(c.new_appointment)
    original = None
    for e in d.history:
        if type(e) is Received and e.appointment is not None:
            original = e.appointment.due
        if type(e) is Apologized and e.new_appointment > at:
            raise TransitionNotAllowed(
                d.id, d.status.value, name, tuple(n for n in ALLOWED[d.status] if n != name),
                f"{e.agency} already gave a new appointment, {e.new_appointment.isoformat()}, "
                "which has not passed")
    if c.new_appointment <= at or (original is not None and c.new_appointment <= original):
        raise InvalidArgument(
            f"new_appointment {c.new_appointment.isoformat()} must be later than now and than "
            f"the original appointment ({original.isoformat() if original else 'none'})")
    return (Apologized(c.agency, c.reason, original, c.new_appointment, at, actor),)


_Decide: TypeAlias = Callable[
    [Procedure, _Flow, Dossier, Any, str, dt.datetime, Actor], tuple[Event, ...]]
_DECIDE: dict[type[Any], _Decide] = {
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
}
"""How each command (but File) is checked and which events it yields."""


def _desk_of(d: Dossier) -> str:
    """The agency that received the dossier: results go back to its desk."""
    for e in d.history:
        if isinstance(e, Received):
            return e.agency
    return ""  # pragma: no cover - steps only run after receipt


def _next_units(proc: Procedure, flow: _Flow, d: Dossier, c: CompleteStep) -> tuple[str, ...]:
    """The agencies a completed step hands the dossier to (the desk when the flow ends)."""
    data = dict(d.data)
    data.update(c.data)
    active, waiting = flow.advance(d, c.step, data)
    before = [h.step for h in d.active]
    before.remove(c.step)
    units: list[str] = []
    for h in active:
        if h.step in before:
            before.remove(h.step)
            continue
        agency = proc._index.steps[h.step].owner.agency
        if agency not in units:
            units.append(agency)
    if not units:  # the branch waits at a join, or reached the end: the result goes to the desk
        grown = [j for j, n in waiting if n > dict(d.waiting).get(j, 0)]
        units.extend(proc._index.steps[j].owner.agency for j in grown[:1])
        if not grown:
            units.append(_desk_of(d))
    return tuple(units)


def _extension(
    proc: Procedure, d: Dossier, c: Extend, name: str, at: dt.datetime, actor: Actor
) -> Extended:
    if not isinstance(c.by, TimeLimit):
        raise InvalidArgument(f"by must be a TimeLimit such as working_days(2), got {c.by!r}")
    _text(c.reason, "reason")
    _text(c.legal_basis, "legal_basis")
    bound = proc.max_extension
    if bound is None:
        raise TransitionNotAllowed(d.id, d.status.value, name,
                                   tuple(n for n in ALLOWED[d.status] if n != name),
                                   f"procedure {proc.code} allows no extension")
    granted = [e.by for e in d.history if isinstance(e, Extended)]
    limit = bound.max_working_hours()
    hours = [g.max_working_hours() for g in (*granted, c.by)]
    if limit is None or any(h is None for h in hours):
        if any(g.unit is not bound.unit for g in (*granted, c.by)):
            raise InvalidArgument(f"extensions of procedure {proc.code} are counted in "
                                  f"{bound.unit.value}; got {c.by}")
        total = sum(g.amount for g in (*granted, c.by))
        over = total > bound.amount
    else:
        over = sum(h for h in hours if h is not None) > limit
    if over:
        raise TransitionNotAllowed(
            d.id, d.status.value, name, tuple(n for n in ALLOWED[d.status] if n != name),
            f"extensions would exceed {bound}, the most procedure {proc.code} allows")
    return Extended(c.by, c.reason, c.legal_basis, at, actor)


def _after_step(
    proc: Procedure, before: Dossier, after: Dossier, step: str, at: dt.datetime, actor: Actor
) -> tuple[Event, ...]:
    """Events that follow a completed step: a member finished, the dossier resolved."""
    out: list[Event] = []
    member = proc._index.steps[step].member
    if member is not None and not any(
        proc._index.steps[h.step].member == member for h in after.active
    ) and not any(isinstance(e, MemberCompleted) and e.member == member
                  for e in before.history):
        out.append(MemberCompleted(member, at, actor))
    if not after.active and not after.waiting:
        out.append(Resolved(Resolution.APPROVED, "", at, actor))
    return tuple(out)
