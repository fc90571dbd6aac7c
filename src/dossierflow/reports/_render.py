"""Reports as text people and programs read: JSON (and back), the Biểu 06 table as CSV, and
console tables with ``rich``. Every number comes from the report's model; the Biểu 06 lines
and headings from :mod:`dossierflow.reports._layout`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping
from typing import Any

import attrs
from rich.console import Console
from rich.table import Table
from rich.text import Text

from dossierflow._errors import InvalidArgument
from dossierflow.reports import _layout as layout
from dossierflow.reports._model import (
    COUNT_FIELDS,
    FORMULAS,
    AccountabilityRow,
    Counts,
    Indicator,
    Inputs,
    Period,
    Rate,
    Report,
    Row,
    Target,
)

JSON_VERSION = 1
"""The version of :func:`to_json`'s document (``"version"`` in it)."""

# ---------------------------------------------------------------------------------- JSON


def _counts(c: Counts) -> dict[str, Any]:
    return {"counts": attrs.asdict(c),
            "bieu06": {str(col.number): v for col, v in
                       zip(layout.NUMBERED, layout.bieu06(c), strict=True)}}


def _rate(r: Rate | None) -> dict[str, Any] | None:
    if r is None:
        return None
    return {"numerator": r.numerator, "denominator": r.denominator, "value": r.value,
            "formula": r.formula}


def _indicator(i: Indicator) -> dict[str, Any]:
    return {"group": i.group, "code": i.code, "name_vi": i.name_vi, "name_en": i.name_en,
            "points": i.points, "max_points": i.max_points, "source": i.source,
            "formula": i.formula, "rates": [_rate(r) for r in i.rates]}


def to_dict(report: Report) -> dict[str, Any]:
    """The report as plain data (what :func:`to_json` writes)."""
    score = report.score()
    return {
        "report": "dossierflow.reports",
        "version": JSON_VERSION,
        "period": {"start": report.period.start.isoformat(),
                   "end": report.period.end.isoformat(),
                   "timezone": report.period.timezone},
        "by": list(report.by),
        "weights": report.weights.version,
        "rows": [{"key": list(r.key), **_counts(r.counts)} for r in report.rows],
        "total": _counts(report.total),
        "indicators": [_indicator(i) for i in report.indicators()],
        "score": {"total": score.total, "available": score.available,
                  "band": None if score.band_vi is None else
                  {"vi": score.band_vi, "en": score.band_en},
                  "groups": [{"group": g, "points": p, "max_points": m}
                             for g, p, m in score.groups]},
        "targets": [{"name": a.target.name, "rate": a.target.rate,
                     "minimum": a.target.minimum, "legal_basis": a.target.legal_basis,
                     **(_rate(a.rate) or {"numerator": None, "denominator": None,
                                          "value": None, "formula": None}),
                     "met": a.met} for a in report.attainment()],
        "inputs": attrs.asdict(report.inputs),
        "accountability": [attrs.asdict(a) for a in report.accountability],
    }


def to_json(report: Report, *, indent: int | None = 2) -> str:
    """The report as JSON (UTF-8 text, Vietnamese unescaped): ``period``, ``by``, ``rows``
    (``key``, ``counts`` and the ``bieu06`` columns "3" to "13"), ``total``, ``indicators``
    (points, max_points, rates with numerator, denominator, value and formula version),
    ``score`` (total, available, band, groups), ``targets`` (attainment), ``inputs``,
    ``accountability``. :func:`from_json` reads it back."""
    return json.dumps(to_dict(report), ensure_ascii=False, indent=indent)


def from_json(text: str) -> Report:
    """The report :func:`to_json` wrote (derived numbers are recomputed from the counts)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidArgument(f"not a report's JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("report") != "dossierflow.reports":
        raise InvalidArgument("not a report's JSON: it has no \"report\": "
                              "\"dossierflow.reports\"; write it with reports.to_json()")
    if doc.get("version") != JSON_VERSION:
        raise InvalidArgument(f"report JSON version {doc.get('version')!r} is not supported; "
                              f"this dossierflow reads version {JSON_VERSION}")
    where = "report"
    try:
        where = "period"
        p = doc["period"]
        period = Period(dt.date.fromisoformat(p["start"]), dt.date.fromisoformat(p["end"]),
                        p["timezone"])
        where = "weights"
        weights = FORMULAS[doc["weights"]]
        rows = []
        for n, r in enumerate(doc["rows"]):
            where = f"rows[{n}]"
            rows.append(Row(tuple(r["key"]), Counts(**{f: r["counts"][f]
                                                       for f in COUNT_FIELDS})))
        where = "inputs"
        inputs = Inputs(**doc["inputs"])
        where = "targets"
        targets = tuple(Target(t["name"], t["rate"], t["minimum"], t["legal_basis"])
                        for t in doc["targets"])
        where = "accountability"
        accountability = tuple(AccountabilityRow(**a) for a in doc["accountability"])
        return Report(period, tuple(doc["by"]), tuple(rows), accountability, inputs, targets,
                      weights)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidArgument(f"report JSON, {where}: {exc!r}") from None


# ----------------------------------------------------------------------------------- CSV


def headings(report: Report, lang: layout.Lang = "vi") -> list[str]:
    """Biểu 06's thirteen headings on one line each: group, sub-group and heading joined
    with " - ", and the column's number: ``Số hồ sơ nhận giải quyết - Tổng số (3)``."""
    out = [layout.COLUMNS[0].text(lang)[2], layout.label_heading(report, lang)]
    for col in layout.NUMBERED:
        out.append(" - ".join(t for t in col.text(lang) if t) + f" ({col.number})")
    return out


def to_csv(report: Report, *, lang: str = "vi", names: Mapping[str, str] | None = None) -> str:
    """The Biểu 06 table (Circular 01/2020/TT-VPCP) as CSV: a heading line, then one line per
    level heading (with its subtotal), per row, and the "Tổng số" line; numbers as plain
    integers. ``names`` maps key values (agency ids, procedure codes) to what the rows show.
    """
    lg = layout.check_lang(lang)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(headings(report, lg))
    for line in layout.lines(report, lg, names):
        w.writerow([line.number, line.label, *line.values])
    return out.getvalue()


# ------------------------------------------------------------------------------- console


def to_table(report: Report, *, lang: str = "vi",
             names: Mapping[str, str] | None = None) -> Table:
    """The Biểu 06 table as a ``rich`` table (level headings and the total in bold)."""
    lg = layout.check_lang(lang)
    groups = "; ".join(f"({first.number})–({last.number}): {first.text(lg)[0]}"
                       for first, last in ((layout.COLUMNS[2], layout.COLUMNS[5]),
                                           (layout.COLUMNS[6], layout.COLUMNS[9]),
                                           (layout.COLUMNS[10], layout.COLUMNS[12])))
    table = Table(title=f"{layout.word('title', lg)}\n{layout.period_line(report.period, lg)}",
                  caption=groups)
    table.add_column(f"{layout.COLUMNS[0].text(lg)[2]}\n(1)", justify="right")
    table.add_column(f"{layout.label_heading(report, lg)}\n(2)", min_width=12)
    for col in layout.NUMBERED:
        # The groups' headings are in the caption: thirteen columns fit a terminal.
        table.add_column(f"{col.text(lg)[2]}\n({col.number})", justify="right")
    for line in layout.lines(report, lg, names):
        style = "bold" if line.kind in ("group", "total") else None
        table.add_row(line.number, line.label, *(layout.number(v, lg) for v in line.values),
                      style=style, end_section=line.kind == "total")
    return table


def _rate_text(r: Rate | None, lang: layout.Lang) -> str:
    if r is None:
        return ""
    return (f"{layout.number(r.numerator, lang)}/{layout.number(r.denominator, lang)} "
            f"({layout.percent(r.value, lang)})")


def indicator_table(report: Report, *, lang: str = "vi") -> Table:
    """Decision 766/QĐ-TTg's indicators of the report's total: points of the maximum and the
    rates they are computed from, then the total and the band."""
    lg = layout.check_lang(lang)
    w = layout.word
    table = Table(title=w("score_title", lg))
    for key, justify in (("group", "left"), ("indicator", "left"), ("points", "right"),
                         ("max_points", "right"), ("rate", "left")):
        table.add_column(w(key, lg), justify=justify)  # type: ignore[arg-type]
    for i in report.indicators():
        table.add_row(layout.group_name(i.group, lg), i.name_vi if lg == "vi" else i.name_en,
                      w("not_given", lg) if i.points is None else
                      layout.points(i.points, lg),
                      layout.points(i.max_points, lg),
                      "; ".join(_rate_text(r, lg) for r in i.rates))
    s = report.score()
    band = s.band_vi if lg == "vi" else s.band_en
    table.add_row("", w("score_total", lg), layout.points(s.total, lg),
                  layout.points(s.available, lg),
                  w("band_partial", lg) if band is None else f"{w('band', lg)}: {band}",
                  style="bold", end_section=True)
    return table


def target_table(report: Report, *, lang: str = "vi") -> Table:
    """Each target against its rate (online payment ≥ 30%, Resolution 01/NQ-CP, and the
    province's own)."""
    lg = layout.check_lang(lang)
    w = layout.word
    table = Table(title=w("targets_title", lg))
    for key in ("target", "minimum", "rate", "met", "basis"):
        table.add_column(w(key, lg))
    for a in report.attainment():
        met = w("no_data", lg) if a.met is None else w("met" if a.met else "not_met", lg)
        table.add_row(a.target.name, layout.percent(a.target.minimum, lg),
                      _rate_text(a.rate, lg), met, a.target.legal_basis)
    return table


def accountability_table(report: Report, *, lang: str = "vi",
                         names: Mapping[str, str] | None = None) -> Table:
    """Who answers for late dossiers, apologies, supplement requests and pauses."""
    lg = layout.check_lang(lang)
    w = layout.word
    names = names or {}
    table = Table(title=w("accountability_title", lg))
    for key in ("kind", "agency", "step", "reason", "count"):
        table.add_column(w(key, lg), justify="right" if key == "count" else "left")
    for a in report.accountability:
        kind = layout.KINDS.get(a.kind, (a.kind, a.kind))[0 if lg == "vi" else 1]
        table.add_row(kind, names.get(a.agency, a.agency), a.step, a.reason,
                      layout.number(a.count, lg))
    return table


def print_report(report: Report, console: Console | None = None, *, lang: str = "vi",
                 names: Mapping[str, str] | None = None) -> None:
    """Print the report on ``console`` (a new ``rich`` console on standard output if None):
    the Biểu 06 table, Decision 766's indicators and score, the targets and, if any, who
    answers for delays."""
    lg = layout.check_lang(lang)
    console = console or Console()
    console.print(Text(f"{layout.FORM_CODE} ({layout.FORM_BASIS[lg]})"))
    console.print(Text(layout.word("unit_of_count", lg)), justify="right")
    console.print(to_table(report, lang=lg, names=names))
    console.print(Text(layout.word("layout_note", lg), style="italic"))
    console.print()
    console.print(indicator_table(report, lang=lg))
    console.print(target_table(report, lang=lg))
    if report.accountability:
        console.print(accountability_table(report, lang=lg, names=names))
