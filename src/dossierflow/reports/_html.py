"""The report as one self-contained HTML page: the Biểu 06 table (Circular 01/2020/TT-VPCP)
with its grouped header, the charts as inline SVG, Decision 766/QĐ-TTg's indicators with
their formulas, the targets and who answers for delays. Inline CSS, no script and no address
outside the page, so it opens offline and prints as it shows.

Needs the ``reports`` extra (matplotlib for the charts, Jinja2 for the page).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

import attrs

from dossierflow.reports import _charts as charts
from dossierflow.reports import _layout as layout
from dossierflow.reports._model import Rate, Report


@attrs.frozen
class HeaderCell:
    text: str
    colspan: int = 1
    rowspan: int = 1


def header(report: Report, lang: layout.Lang) -> list[list[HeaderCell]]:
    """Biểu 06's grouped header as three rows of cells: a heading without a group spans the
    three rows; a group spans its columns; a heading without a sub-group spans two rows."""
    rows: list[list[HeaderCell]] = [[], [], []]
    cols = [(c, *c.text(lang)) for c in layout.COLUMNS]
    i = 0
    while i < len(cols):
        col, group, _, heading = cols[i]
        if not group:
            text = layout.label_heading(report, lang) if col.number == 2 else heading
            rows[0].append(HeaderCell(text, rowspan=3))
            i += 1
            continue
        members = [c for c in cols[i:] if c[1] == group]
        members = members[:next((k for k, c in enumerate(cols[i:]) if c[1] != group),
                                len(members))]
        rows[0].append(HeaderCell(group, colspan=len(members)))
        k = 0
        while k < len(members):
            _, _, sub, head = members[k]
            if not sub:
                rows[1].append(HeaderCell(head, rowspan=2))
                k += 1
                continue
            under = [m for m in members[k:] if m[2] == sub]
            rows[1].append(HeaderCell(sub, colspan=len(under)))
            rows[2].extend(HeaderCell(m[3]) for m in under)
            k += len(under)
        i += len(members)
    return rows


def _rate(r: Rate, lang: layout.Lang) -> dict[str, str]:
    return {"numerator": layout.number(r.numerator, lang),
            "denominator": layout.number(r.denominator, lang),
            "value": layout.percent(r.value, lang)}


def context(report: Report, lang: layout.Lang, names: Mapping[str, str],
            monthly: Sequence[tuple[str, Report]] | None, unit: str,
            recipient: str) -> dict[str, Any]:
    """What the page shows, every number formatted for ``lang``."""
    from markupsafe import Markup

    w = {key: layout.word(key, lang) for key in layout.WORDS}
    drawn = [attrs.evolve(c, svg=None if c.svg is None else Markup(c.svg))
             for c in charts.charts(report, lang, names, monthly)]
    s = report.score()
    band = s.band_vi if lang == "vi" else s.band_en
    return {
        "lang": lang, "w": w, "form_code": layout.FORM_CODE,
        "form_basis": layout.FORM_BASIS[lang], "unit": unit, "recipient": recipient,
        "period_line": layout.period_line(report.period, lang),
        "header": header(report, lang),
        "numbers": [str(c.number) for c in layout.COLUMNS],
        "lines": [{"kind": line.kind, "number": line.number, "label": line.label,
                   "cells": [layout.number(v, lang) for v in line.values]}
                  for line in layout.lines(report, lang, names)],
        "charts_title": w["charts"], "charts": drawn,
        "indicators": [{"group": layout.group_name(i.group, lang),
                        "name": i.name_vi if lang == "vi" else i.name_en,
                        "points": w["not_given"] if i.points is None else
                        layout.points(i.points, lang),
                        "max": layout.points(i.max_points, lang),
                        "rates": [_rate(r, lang) for r in i.rates],
                        "span": max(1, len(i.rates)), "formula": i.formula}
                       for i in report.indicators()],
        "score": {"total": layout.points(s.total, lang),
                  "available": layout.points(s.available, lang),
                  "band": w["band_partial"] if band is None else f"{w['band']}: {band}"},
        "targets": [{"name": a.target.name, "minimum": layout.percent(a.target.minimum, lang),
                     **(_rate(a.rate, lang) if a.rate else
                        {"numerator": "", "denominator": "", "value": ""}),
                     "met": w["no_data"] if a.met is None else
                     w["met" if a.met else "not_met"],
                     "basis": a.target.legal_basis} for a in report.attainment()],
        "accountability": [{"kind": layout.KINDS.get(a.kind, (a.kind, a.kind))[
                                0 if lang == "vi" else 1],
                            "agency": names.get(a.agency, a.agency), "step": a.step,
                            "reason": a.reason, "count": layout.number(a.count, lang)}
                           for a in report.accountability],
    }


def to_html(report: Report, *, lang: str = "vi", names: Mapping[str, str] | None = None,
            monthly: Sequence[tuple[str, Report]] | None = None, unit: str = "",
            recipient: str = "") -> str:
    """The report as one self-contained HTML page, in Vietnamese (``lang="vi"``, the
    default) or English (``"en"``).

    ``names`` maps key values (agency ids, procedure codes) to what the rows and charts
    show; ``monthly`` is the period's reports month by month, ``(label, report)``, for the
    trend chart (without it the chart is left out with a note); ``unit`` and ``recipient``
    fill the form's "Đơn vị báo cáo" and "Đơn vị nhận báo cáo" (left as dotted blanks
    otherwise). Raises :class:`MissingDependency` without the ``reports`` extra."""
    lg = layout.check_lang(lang)
    charts.require("jinja2")
    charts.require("matplotlib")
    import jinja2

    source = (resources.files("dossierflow.reports") / "templates" /
              "report.html.j2").read_text(encoding="utf-8")
    env = jinja2.Environment(autoescape=True, trim_blocks=False, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    return env.from_string(source).render(
        context(report, lg, names or {}, monthly, unit, recipient))
