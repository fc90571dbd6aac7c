"""One event, one notice: :func:`compose` picks the notice's kind (:func:`kind_of`), fills
the wording (:mod:`._texts`) and counts the SMS segments.

A notice is a function of the event, the dossier's code and procedure, and the clock's due
right after the event (for an appointment moved by a supplement, a resumption or an
extension), so the store can write it with the event and its audit can write it again and
compare.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from dossierflow._errors import InvalidArgument
from dossierflow.notices._kinds import NoticeKind
from dossierflow.notices._texts import CAUSES, TEXTS, NoticeText, fill
from dossierflow.states import (
    Apologized,
    Event,
    Extended,
    Procedure,
    Received,
    Refused,
    Resolution,
    Resolved,
    ResultReturned,
    Resumed,
    StopNoticeIssued,
    Supplemented,
    SupplementRequested,
)
from dossierflow.text import Segments, format_instant, format_short, sms_segments, unaccent

NOTICE_EVENTS: tuple[type[Any], ...] = (
    Received, SupplementRequested, Supplemented, Resumed, Extended, Apologized, Resolved,
    ResultReturned, Refused, StopNoticeIssued)
"""The events that have a notice."""

MOVES_APPOINTMENT: tuple[type[Any], ...] = (Supplemented, Resumed, Extended)
"""The events after which the clock's due is the new appointment."""


@attrs.frozen
class Notice:
    """What the applicant is told of one event: the SMS (``sms``, and ``sms_unaccented``
    without diacritics, each with its :class:`~dossierflow.text.Segments`), the e-mail
    (``email_subject``, ``email_body``) and the portal's message (``portal``).
    ``appointment``: the appointment the notice states (the receipt's, or the new one when it
    moved); ``moved``: whether this notice moves it."""

    kind: NoticeKind
    sms: str
    sms_unaccented: str
    sms_segments: Segments
    sms_unaccented_segments: Segments
    email_subject: str
    email_body: str
    portal: str
    appointment: dt.datetime | None
    moved: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, as the outbox payload carries it under ``"notice"``."""
        def segments(s: Segments) -> dict[str, Any]:
            return {"encoding": s.encoding, "segments": s.segments, "length": s.length}

        found: dict[str, Any] = {
            "kind": self.kind.value, "sms": self.sms, "sms_unaccented": self.sms_unaccented,
            "sms_segments": segments(self.sms_segments),
            "sms_unaccented_segments": segments(self.sms_unaccented_segments),
            "email_subject": self.email_subject, "email_body": self.email_body,
            "portal": self.portal, "moved": self.moved,
        }
        if self.appointment is not None:
            found["appointment"] = self.appointment.isoformat()
        return found


def kind_of(event: Event) -> NoticeKind | None:
    """The kind of notice ``event`` gives the applicant (None: none)."""
    kind = type(event)
    if kind is Received:
        return NoticeKind.RECEIVED
    if kind is SupplementRequested:
        return NoticeKind.SUPPLEMENT_REQUESTED
    if kind in MOVES_APPOINTMENT:
        return NoticeKind.APPOINTMENT_MOVED
    if kind is Apologized:
        return NoticeKind.APOLOGY
    if isinstance(event, Resolved):
        return (NoticeKind.RESULT_READY if event.resolution is Resolution.APPROVED
                else NoticeKind.REJECTED)
    if kind is ResultReturned:
        return NoticeKind.RESULT_RETURNED
    if kind is Refused:
        return NoticeKind.REFUSED
    if isinstance(event, StopNoticeIssued):
        return NoticeKind.WITHDRAWN if event.requested_by_applicant else NoticeKind.STOPPED
    return None


def compose(event: Event, *, dossier_id: str, procedure: Procedure,
            due: dt.datetime | None = None, timezone: str = "Asia/Ho_Chi_Minh",
            language: str = "vi",
            texts: Mapping[NoticeKind, NoticeText] | None = None) -> Notice | None:
    """The notice of ``event`` for dossier ``dossier_id`` of ``procedure`` (None when the
    event has none: :data:`NOTICE_EVENTS`). ``due``: the clock's due right after the event,
    the new appointment of a supplement received, a pause ended or an extension (None while
    the clock is stopped or without a limit: the notice then states no appointment).
    Instants are written in ``timezone``; ``texts`` replaces the wording of
    :data:`TEXTS` [``language``] kind by kind."""
    kind = kind_of(event)
    if kind is None:
        return None
    if language not in TEXTS:
        raise InvalidArgument(f"language must be one of {sorted(TEXTS)}, got {language!r}")
    wording = (texts or {}).get(kind) or TEXTS[language][kind]
    appointment: dt.datetime | None = None
    previous: dt.datetime | None = None
    unit = ""
    reason = ""
    items: tuple[str, ...] = ()
    if isinstance(event, Received):
        appointment = event.appointment.due if event.appointment else None
        unit = _unit(procedure, event.agency)
    elif isinstance(event, SupplementRequested):
        unit, items, reason = _unit(procedure, event.agency), event.items, event.reason
    elif isinstance(event, MOVES_APPOINTMENT):
        appointment = due
        reason = event.reason if isinstance(event, Extended) else ""
    elif isinstance(event, Apologized):
        unit, reason = _unit(procedure, event.agency), event.reason
        appointment, previous = event.new_appointment, event.original_appointment
    elif isinstance(event, Resolved):
        reason = event.note
    elif isinstance(event, Refused):
        reason = event.reasons
    elif isinstance(event, StopNoticeIssued):
        unit, reason = _unit(procedure, event.agency), event.reason

    def when(at: dt.datetime | None) -> str:
        return "" if at is None else format_instant(at, language=language, timezone=timezone)

    values = {
        "code": dossier_id, "procedure": procedure.name if language == "vi" else (
            procedure.name_en or procedure.name),
        "unit": unit or ("Bộ phận Một cửa" if language == "vi" else "The one-stop desk"),
        "received": when(event.at), "appointment": when(appointment),
        "short": "" if appointment is None else format_short(appointment, language=language,
                                                             timezone=timezone),
        "previous": when(previous) or ("…" if language == "vi" else "the appointment"),
        "reason": reason or "…", "items": "\n".join(f"{k}. {item}" for k, item in
                                                     enumerate(items, 1)),
        "items_inline": "; ".join(items) or "…",
        "cause": CAUSES[language].get(type(event).__name__, ""),
    }
    sms = fill(wording.sms if appointment is not None else wording.sms_plain, values)
    plain = unaccent(sms)
    return Notice(kind, sms, plain, sms_segments(sms), sms_segments(plain),
                  fill(wording.subject, values), fill(wording.body, values),
                  fill(wording.portal, values), appointment,
                  isinstance(event, _MOVES_OR_APOLOGY) and appointment is not None)


_MOVES_OR_APOLOGY = (*MOVES_APPOINTMENT, Apologized)


def _unit(procedure: Procedure, agency: str) -> str:
    """The name of ``procedure``'s agency ``agency`` (``agency`` itself if it has none such;
    agency ids are unique in a procedure)."""
    for a in procedure.agencies:
        if a.id == agency:
            return a.name
    return agency
