"""The clock over dossier histories: ledgers, verdicts, due-soon and overdue, apologies.

:class:`Sla` reads a dossier's history as a ledger (budget, consumed, running since) for the
whole dossier and one for each step against its allotment; classifies dossiers and steps as
early, on time or late with the agency answerable for a delay; finds those due soon or
overdue; proposes apologies (Form 04); and recomputes appointments when the calendar changes.

- :class:`Ledger`: one clock (budget, consumed, running since, due) and the one definition of
  overdue (:attr:`Ledger.overdue_from`).
- :class:`Timeline`: a dossier's ledger and its steps' ledgers after some events, advanced
  event by event; the store's projection keeps one per dossier.
- :class:`VerdictPolicy`: how verdicts are reached (Decision 766/QĐ-TTg's rules by default),
  each rule a switch with its basis.
- :func:`responsible`: the one rule of blame, for apologies and verdicts alike.
- :func:`format_margin`, :func:`format_duration`: working time as people read it, in
  Vietnamese and English ("chậm 15 giờ 35 phút" / "late by 15h35").

It sits above :mod:`dossierflow.states` (it reads dossiers) and below :mod:`dossierflow.store`.
"""

from dossierflow.clock._blame import responsible
from dossierflow.clock._format import format_duration, format_margin
from dossierflow.clock._ledger import Ledger, Verdict, judge
from dossierflow.clock._sla import ClockState, DossierVerdict, Moved, Sla
from dossierflow.clock._timeline import StepClock, StepVerdict, Timeline
from dossierflow.clock._verdicts import VerdictPolicy

__all__ = [
    "ClockState",
    "DossierVerdict",
    "Ledger",
    "Moved",
    "Sla",
    "StepClock",
    "StepVerdict",
    "Timeline",
    "Verdict",
    "VerdictPolicy",
    "format_duration",
    "format_margin",
    "judge",
    "responsible",
]
