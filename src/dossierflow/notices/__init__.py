"""What the applicant is told, by SMS, e-mail and the portal, when something happens to their
dossier: received, asked to supplement, appointment moved (supplement received, pause ended,
extension), apology, result ready or rejected, result returned, refused, stopped or withdrawn.

:func:`compose` turns one event into a :class:`Notice` (Vietnamese by default, English as a
second locale), with the SMS in full and without diacritics and each one's segment count;
the store writes it into the outbox payload of the events it notifies
(:data:`dossierflow.store.NOTIFY`). Texts are plain :class:`string.Template` values
(:class:`NoticeText`), so a portal can pass its own wording without a template engine.

It reads events, procedures and the clock's due, and sits between :mod:`dossierflow.clock`
and :mod:`dossierflow.store`.
"""

from dossierflow.notices._compose import (
    MOVES_APPOINTMENT,
    NOTICE_EVENTS,
    Notice,
    compose,
    kind_of,
)
from dossierflow.notices._kinds import NoticeKind
from dossierflow.notices._texts import TEXTS, NoticeText

__all__ = [
    "MOVES_APPOINTMENT",
    "NOTICE_EVENTS",
    "TEXTS",
    "Notice",
    "NoticeKind",
    "NoticeText",
    "compose",
    "kind_of",
]
