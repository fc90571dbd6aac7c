"""The clock over dossier histories: ledgers, verdicts, due-soon and overdue, apologies.

:class:`Sla` reads a dossier's history as a ledger (budget, consumed, running since) for the
whole dossier and one for each step against its allotment; classifies dossiers and steps as
early, on time or late with the agency answerable for a delay; finds those due soon or
overdue; proposes apologies (Form 04); and recomputes appointments when the calendar changes.

It sits above :mod:`dossierflow.states` (it reads dossiers) and below :mod:`dossierflow.store`
(whose projection keeps the same ledger, updated event by event).
"""

from dossierflow.clock._sla import (
    ClockState,
    DossierVerdict,
    Moved,
    Sla,
    StepVerdict,
    Verdict,
)

__all__ = [
    "ClockState",
    "DossierVerdict",
    "Moved",
    "Sla",
    "StepVerdict",
    "Verdict",
]
