"""Reports: a period's numbers, what provincial leaders read and a portal must publish.

- :class:`Report` holds a period's :class:`Counts` per group (by agency, level, field,
  procedure and channel, in any combination) and who answers for delays;
- the Biểu 06/VPCP/KSTT table (Circular 01/2020/TT-VPCP) and Decision 766/QĐ-TTg's
  indicators, score and band are read off the counts (:func:`indicators`, :func:`score`),
  every rate with its numerator, denominator and formula version;
- :data:`TARGETS` (online payment ≥ 30%, Resolution 01/NQ-CP) and a province's own, with
  their attainment;
- what people read: :func:`to_json` / :func:`from_json`, :func:`to_csv` (the Biểu 06 table),
  :func:`to_table` and :func:`print_report` (console tables with ``rich``) and
  :func:`to_html` (one self-contained page with charts; the ``reports`` extra), in Vietnamese
  by default or English.
"""

from dossierflow.reports._charts import MissingDependency
from dossierflow.reports._html import to_html
from dossierflow.reports._layout import COLUMNS, Column
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
from dossierflow.reports._render import (
    accountability_table,
    from_json,
    indicator_table,
    print_report,
    target_table,
    to_csv,
    to_dict,
    to_json,
    to_table,
)

__all__ = [
    "BANDS",
    "COLUMNS",
    "COUNT_FIELDS",
    "DECISION_766",
    "DIMENSIONS",
    "FORMULAS",
    "GROUPS",
    "TARGETS",
    "AccountabilityRow",
    "Attainment",
    "Column",
    "Counts",
    "Indicator",
    "Inputs",
    "MissingDependency",
    "Period",
    "Rate",
    "Report",
    "Row",
    "Score",
    "Target",
    "Weights",
    "accountability_table",
    "attainment",
    "band",
    "check_by",
    "from_json",
    "indicator_table",
    "indicators",
    "print_report",
    "score",
    "target_table",
    "to_csv",
    "to_dict",
    "to_html",
    "to_json",
    "to_table",
]
