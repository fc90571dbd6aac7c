"""The engine: applies commands to dossiers of the procedures in a catalogue.

``Engine.apply(dossier, command, at=..., actor=...)`` is pure: it checks the command against
the dossier's status (:data:`ALLOWED`), then lets the command's decision (:mod:`._decide`)
check the actor, the step and the values and yield events, and folds them into the new
dossier; or it raises and changes nothing. It never reads the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from datetime import datetime as _datetime
from zoneinfo import ZoneInfo

from dossierflow._errors import (
    InvalidArgument,
    NotAuthorized,
    SchemaError,
    TransitionNotAllowed,
    check_instant,
)
from dossierflow.calendar import WorkCalendar
from dossierflow.states._catalogue import Catalogue
from dossierflow.states._commands import ALLOWED, COMMAND_NAMES, Command, File
from dossierflow.states._decide import DECIDE, Context, check_data, is_desk
from dossierflow.states._definition import Procedure
from dossierflow.states._dossier import Dossier, Status, evolve, fold
from dossierflow.states._events import Actor, Channel, Citizen, Event, Filed, Officer, System
from dossierflow.states._flow import Flow

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
        self._flows: dict[tuple[str, int], Flow] = {}

    def procedure_of(self, dossier: Dossier) -> Procedure:
        """The procedure version ``dossier`` was received under."""
        return self.catalogue.get(dossier.procedure, dossier.procedure_version)

    def flow(self, code: str, version: int) -> Flow:
        """The flow (token movement) of procedure ``code`` at ``version``."""
        key = (code, version)
        flow = self._flows.get(key)
        if flow is None:
            flow = self._flows[key] = Flow(self.catalogue.get(code, version))
        return flow

    def replay(self, events: Iterable[Event]) -> Dossier:
        """Rebuild a dossier from its history (in time linear in its length)."""
        events = tuple(events)
        if not events or not isinstance(events[0], Filed):
            raise SchemaError("a history starts with Filed")
        first = events[0]
        return fold(events, self.flow(first.procedure, first.version))

    def extend(self, dossier: Dossier, events: Iterable[Event]) -> Dossier:
        """``dossier`` with more of its stored history folded in (what a store does when
        others appended since it last loaded the dossier)."""
        return fold(events, self.flow(dossier.procedure, dossier.procedure_version), dossier)

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
            check_instant(at, "at")
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
        events = DECIDE[type(command)](
            Context(flow, self.calendar, dossier, command, name, at, actor))
        return fold(events, None, dossier), events

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
        elif isinstance(actor, Officer) and is_desk(proc, actor):
            if not command.applicant:
                raise InvalidArgument("an officer filing at the desk must name the applicant")
            applicant = command.applicant
        else:
            raise NotAuthorized(command.dossier_id, str(actor), "file",
                                "dossiers are filed by the applicant or at a receiving desk")
        check_data(proc, command.data, required=True)
        postmark = command.postmark
        if postmark is not None:
            check_instant(postmark, "postmark")
            if command.channel is not Channel.POSTAL:
                raise InvalidArgument(f"a postmark belongs to a postal filing; dossier "
                                      f"{command.dossier_id} is filed {command.channel.name}")
            if postmark > at:
                raise InvalidArgument(f"postmark {postmark.isoformat()} is after the filing "
                                      f"is recorded ({at.isoformat()}); give the arriving "
                                      "postmark")
        event = Filed(command.dossier_id, proc.code, proc.version, command.channel, applicant,
                      command.data, at, actor, postmark)
        return evolve(None, event), (event,)
