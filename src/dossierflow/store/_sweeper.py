"""The deadline sweeper's rule (package-internal): when a dossier gets an apology. A dossier
overdue at an instant (:meth:`dossierflow.clock.Sla.overdue`: paused dossiers whose time ran
out included) gets one (Form 04), from the agency the rule of blame names, unless an apology
whose new appointment is still ahead stands (:meth:`dossierflow.states.Dossier.pending_apology`);
``Store.sweep`` applies it to every dossier overdue in the projection, each in its own
transaction.
"""

from __future__ import annotations

import datetime as dt

from dossierflow.clock import Sla
from dossierflow.states import Command, Dossier


def apology_due(sla: Sla, d: Dossier, at: dt.datetime, reason: str) -> Command | None:
    """The apology to make for ``d`` at ``at``, or None when none is due: it is not overdue,
    or an earlier apology's new appointment is still ahead."""
    if not sla.overdue([d], at) or d.pending_apology(at) is not None:
        return None
    return sla.apology(d, at, reason)
