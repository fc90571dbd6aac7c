"""The deadline sweeper's rule (package-internal): when a dossier gets an apology. A dossier
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
from dossierflow.states import Command, Dossier


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
    - ``failed``: ``(dossier id, reason)`` for each overdue dossier left as it was because it
      cannot be read (a corrupted payload, a missing event, an event of a newer schema) or
      its apology failed (refused, a conflict after the retries...); the reason is the
      error's text, which names the dossier and, for a stored event, its sequence number.

    Iterating the report, and its length, are those of ``apologised`` (what ``sweep`` returned
    before it reported failures); check ``failed`` to see what was not done.
    """

    apologised: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()

    def __iter__(self) -> Iterator[str]:
        return iter(self.apologised)

    def __len__(self) -> int:
        return len(self.apologised)
