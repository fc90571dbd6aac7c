"""The deadline sweeper's rules (package-internal): when a dossier is stopped for want of its
supplement, and when it gets an apology.

A dossier whose supplement has not come within its procedure's ``supplement_wait`` (15
working days after the request, Decree 297/2025/NĐ-CP; :meth:`dossierflow.clock.Sla.
supplement_expires`) is stopped, and the engine issues the notice of stopping (Form 05). A
dossier
overdue at an instant (:meth:`dossierflow.clock.Sla.overdue`: paused dossiers whose time ran
out included) gets one (Form 04), from the agency the rule of blame names, unless it already
had one (an appointment is moved only once);
``Store.sweep`` applies it to every dossier overdue in the projection, each in its own
transaction and on its own (one that fails is reported, the others go on), and returns a
:class:`SweepReport`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import attrs

from dossierflow.clock import Sla
from dossierflow.states import Command, Dossier, Stop

NO_SUPPLEMENT_BASIS = "Decree 297/2025/NĐ-CP"
"""Why a dossier whose supplement has not come within the wait is stopped."""


def stop_due(sla: Sla, d: Dossier, at: dt.datetime) -> Command | None:
    """The stop to make for ``d`` at ``at``, or None when none is due: it waits for no
    supplement, or its wait has not expired by ``at``. The reason names the wait ("the
    supplement did not arrive within 15 working days")."""
    expires = sla.supplement_expires(d)
    if expires is None or not expires < at:
        return None
    wait = sla.engine.procedure_of(d).clock.supplement_wait
    return Stop(f"the supplement did not arrive within {wait}", NO_SUPPLEMENT_BASIS)


def apology_due(sla: Sla, d: Dossier, at: dt.datetime, reason: str) -> Command | None:
    """The apology to make for ``d`` at ``at``, or None when none is due: it is not overdue,
    or it already had its apology (an appointment is moved only once)."""
    if d.apologies:
        return None
    timeline = sla.timeline(d)  # folded once, for the overdue check and the apology
    if not timeline.is_overdue(at):
        return None
    return sla.apology(d, at, reason, timeline=timeline)


@attrs.frozen
class SweepReport:
    """What one :meth:`Store.sweep <dossierflow.store.Store.sweep>` call did.

    - ``apologised``: the ids of the dossiers this call apologised for, most overdue first;
    - ``stopped``: the ids of the dossiers this call stopped because their supplement did not
      come within the wait (their notice of stopping, Form 05, is in the outbox), the
      longest expired first;
    - ``failed``: ``(dossier id, reason)`` for each overdue dossier left as it was because it
      cannot be read (a corrupted payload, a missing event, an event of a newer schema) or
      its apology failed (refused, a conflict after the retries...); the reason is the
      error's text, which names the dossier and, for a stored event, its sequence number.

    Iterating the report, and its length, are those of ``apologised`` (what ``sweep`` returned
    before it reported failures); check ``failed`` to see what was not done.
    """

    apologised: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()
    stopped: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[str]:
        return iter(self.apologised)

    def __len__(self) -> int:
        return len(self.apologised)
