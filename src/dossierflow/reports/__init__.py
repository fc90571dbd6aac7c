"""Reports: a period's numbers, what provincial leaders read and a portal must publish.

- :class:`Report` holds a period's :class:`Counts` per group (by agency, level, field,
  procedure and channel, in any combination) and who answers for delays;
- the Biểu 06/VPCP/KSTT table (Circular 01/2020/TT-VPCP) and Decision 766/QĐ-TTg's
  indicators, score and band are read off the counts (:func:`indicators`, :func:`score`),
  every rate with its numerator, denominator and formula version;
- :data:`TARGETS` (online payment ≥ 30%, Resolution 01/NQ-CP) and a province's own, with
  their attainment.
"""

from dossierflow.reports._model import (
    BANDS,
    COUNT_FIELDS,
    DECISION_766,
    DIMENSIONS,
    FORMULAS,
    GROUPS,
    TARGETS,
    AccountabilityRow,
    Attainment,
    Counts,
    Indicator,
    Inputs,
    Period,
    Rate,
    Report,
    Row,
    Score,
    Target,
    Weights,
    attainment,
    band,
    check_by,
    indicators,
    score,
)
from dossierflow.reports._replay import COMPLAINT_LIMIT, from_dossiers
from dossierflow.reports._sql import from_store

__all__ = [
    "BANDS",
    "COMPLAINT_LIMIT",
    "COUNT_FIELDS",
    "DECISION_766",
    "DIMENSIONS",
    "FORMULAS",
    "GROUPS",
    "TARGETS",
    "AccountabilityRow",
    "Attainment",
    "Counts",
    "Indicator",
    "Inputs",
    "Period",
    "Rate",
    "Report",
    "Row",
    "Score",
    "Target",
    "Weights",
    "attainment",
    "band",
    "check_by",
    "from_dossiers",
    "from_store",
    "indicators",
    "score",
]
