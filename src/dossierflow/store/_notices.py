"""Outbox payloads with their notices (package-internal): the event as stored, plus, under
``"notice"``, what the applicant is told (:func:`dossierflow.notices.compose`: SMS with and
without diacritics and their segment counts, e-mail, portal text, and the appointment it
states or moves).

A payload is a function of the event, the dossier's code and procedure and the clock's due
right after the event, so the save path writes it and the audit writes it again to compare.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from dossierflow.clock import Sla, Timeline
from dossierflow.notices import MOVES_APPOINTMENT, compose
from dossierflow.states import Dossier, Event
from dossierflow.store._chain import canonical


def with_notice(event: Event, payload: dict[str, Any], *, dossier: Dossier, sla: Sla,
                due: Callable[[], dt.datetime | None]) -> str:
    """The outbox payload of ``event`` of ``dossier``: its stored ``payload`` (every key kept,
    so consumers of the event go on working) and its notice under ``"notice"`` (when the
    event has one). ``due`` gives the clock's due right after the event; it is called only
    for the events that move the appointment."""
    notice = compose(event, dossier_id=dossier.id, procedure=sla.engine.procedure_of(dossier),
                     due=due() if isinstance(event, MOVES_APPOINTMENT) else None,
                     timezone=sla.calendar.timezone)
    if notice is None:
        return canonical(payload)
    return canonical({**payload, "notice": notice.to_dict()})


def due_after(sla: Sla, dossier: Dossier, seq: int,
              last: Timeline | None) -> dt.datetime | None:
    """The clock's due right after event ``seq`` of ``dossier``: ``last`` (the timeline after
    all its events, if known) when ``seq`` is its last event, as it is for every command that
    moves an appointment; otherwise its history up to ``seq`` folded again."""
    if seq == dossier.version and last is not None:
        return last.due
    return sla.advance(None, dossier, dossier.history[:seq]).due


def expected_payloads(dossier: Dossier, sla: Sla, stored: Mapping[int, str],
                      seqs: Iterable[int]) -> dict[int, str]:
    """What the outbox payload of each event ``seqs`` of ``dossier`` should be, given its
    stored event payloads ``stored`` (by sequence number): the clock advanced event by
    event, as the save path saw it."""
    wanted = set(seqs)
    found: dict[int, str] = {}
    timeline: Timeline | None = None
    for seq, event in enumerate(dossier.history, 1):
        if not wanted:
            break
        timeline = sla.advance(timeline, dossier, (event,))
        if seq in wanted and seq in stored:
            wanted.discard(seq)
            found[seq] = with_notice(event, json.loads(stored[seq]), dossier=dossier, sla=sla,
                                     due=functools.partial(_due, timeline))
    return found


def without_notice(payload: str) -> str | None:
    """The event part of a stored outbox ``payload`` (the notice taken out), as stored with
    the event; None if it is not a JSON object."""
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    data.pop("notice", None)
    return canonical(data)


def _due(timeline: Timeline) -> dt.datetime | None:
    return timeline.due
