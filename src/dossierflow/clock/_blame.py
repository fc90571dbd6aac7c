"""Who answers for a delay: one rule, used for the apology (Form 04) and for the final
verdict alike.

The agency whose step overran its allotment the most (the largest negative margin among the
steps judged late) answers for the delay; if no step overran, the agency holding the dossier
when it fell due; if none held it then, the receiving desk's agency. Decree 63/2024/NĐ-CP
fixes each agency's share of the time in interconnected procedures and says that the agency
whose step overran answers for the delay; the process control slip (Form 06 of Circular
03/2025/TT-VPCP) records each step's result for that purpose.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from dossierflow.clock._ledger import Verdict
from dossierflow.clock._timeline import StepVerdict


def responsible(steps: Iterable[StepVerdict], due: dt.datetime | None,
                receiver: str | None) -> str:
    """The agency that answers for a delay (see the module docstring)."""
    steps = tuple(steps)
    worst: StepVerdict | None = None
    for s in steps:
        if s.verdict is Verdict.LATE and s.margin is not None and (
                worst is None or worst.margin is None or s.margin < worst.margin):
            worst = s
    if worst is not None:
        return worst.agency
    if due is not None:
        for s in steps:
            if s.activated <= due and (s.completed is None or s.completed > due):
                return s.agency
    return receiver or ""
