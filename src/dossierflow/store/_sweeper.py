"""The deadline sweeper's rule (package-internal): when a dossier gets an apology. A dossier
overdue at an instant gets one (Form 04), from the agency responsible, unless an apology whose
new appointment is still ahead was already made; ``Store.sweep`` applies it to every dossier
the overdue list names, each in its own transaction.
"""

from __future__ import annotations

import datetime as dt

from dossierflow.clock import Sla
from dossierflow.states import Apologized, Command, Dossier


def apology_due(sla: Sla, d: Dossier, at: dt.datetime, reason: str) -> Command | None:
    """The apology to make for ``d`` at ``at``, or None when none is due: it is not overdue,
    or an earlier apology's new appointment is still ahead."""
    if not sla.overdue([d], at) or pending_apology(d, at):
        return None
    return sla.apology(d, at, reason)


def pending_apology(d: Dossier, at: dt.datetime) -> bool:
    """Whether ``d`` was apologised for with a new appointment after ``at``."""
    return any(type(e) is Apologized and e.new_appointment > at for e in d.history)
