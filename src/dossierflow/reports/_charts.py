"""The report's charts, drawn with matplotlib (Agg, no display) as inline SVG that needs
nothing from the network: on-time rate by agency, the monthly trend, the channel mix, online
payment against its target (Resolution 01/NQ-CP) and Decision 766's score by group.

matplotlib is an optional dependency (``pip install "dossierflow[reports]"``); it is imported
when a chart is drawn, so the rest of :mod:`dossierflow.reports` works without it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import attrs

from dossierflow._errors import DossierflowError
from dossierflow.reports import _layout as layout
from dossierflow.reports._model import GROUPS, Counts, Report

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


class MissingDependency(DossierflowError, ImportError):
    """An optional dependency is not installed; the message names the extra to install."""


def require(module: str) -> None:
    """Import ``module`` (matplotlib, jinja2) or say which extra brings it."""
    try:
        __import__(module)
    except ImportError:
        raise MissingDependency(
            f"HTML reports need {module}; install the extra: pip install "
            f"\"dossierflow[reports]\"") from None


@attrs.frozen
class Chart:
    """A chart: its title, and its ``svg`` or, when the report cannot give it, a ``note``
    saying why."""

    key: str
    title: str
    svg: str | None
    note: str = ""


TITLES: Mapping[str, tuple[str, str]] = {
    "on_time": ("Tỷ lệ hồ sơ giải quyết đúng hạn", "On-time rate"),
    "monthly": ("Diễn biến theo tháng", "Monthly trend"),
    "channels": ("Cơ cấu kênh tiếp nhận", "Channel mix"),
    "payment": ("Thanh toán trực tuyến so với chỉ tiêu", "Online payment against its target"),
    "score": ("Điểm Quyết định 766/QĐ-TTg theo nhóm chỉ số",
              "Decision 766/QĐ-TTg score by group"),
}
BY: Mapping[str, tuple[str, str]] = {
    "agency": ("theo cơ quan, đơn vị", "by agency"),
    "level": ("theo cấp", "by level"),
    "sector": ("theo lĩnh vực", "by field"),
    "procedure": ("theo thủ tục", "by procedure"),
    "channel": ("theo kênh", "by channel"),
}
NOTES: Mapping[str, tuple[str, str]] = {
    "ungrouped": ("Báo cáo không nhóm theo cơ quan, đơn vị (by=\"agency\") nên chỉ có số "
                  "tổng.", "The report is not grouped by agency (by=\"agency\"): the total "
                  "only."),
    "no_monthly": ("Không có số liệu theo tháng.", "No monthly reports were given."),
    "no_dossiers": ("Không có hồ sơ để tính.", "No dossiers to compute it from."),
}
SERIES: Mapping[str, tuple[str, str]] = {
    "on_time": ("Đúng hạn (%)", "On time (%)"),
    "received": ("Hồ sơ tiếp nhận", "Dossiers received"),
    "online": ("Trực tuyến", "Online"),
    "direct": ("Trực tiếp, bưu chính", "In person, by post"),
    "paid": ("Thanh toán trực tuyến (%)", "Paid online (%)"),
    "target": ("Chỉ tiêu", "Target"),
    "points": ("Điểm đạt", "Points"),
    "available": ("Điểm tối đa có số liệu", "Most points given the data"),
    "max": ("Điểm tối đa", "Maximum"),
}

_INK, _ACCENT, _LIGHT, _PALE, _WARN = "#1f4e79", "#2e86c1", "#aed6f1", "#e5e8e8", "#c0392b"


def _w(table: Mapping[str, tuple[str, str]], key: str, lang: layout.Lang) -> str:
    return table[key][0 if lang == "vi" else 1]


@contextmanager
def _style() -> Iterator[None]:
    import matplotlib

    # Ids from a fixed salt: the same report gives the same SVG. Glyphs drawn as paths
    # (DejaVu Sans has every Vietnamese letter), so the page needs no font.
    with matplotlib.rc_context({"svg.hashsalt": "dossierflow", "svg.fonttype": "path",
                                "font.family": "DejaVu Sans", "font.size": 9,
                                "axes.spines.top": False, "axes.spines.right": False}):
        yield


def _figure(height: float) -> tuple[Figure, Axes]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, height), layout="constrained")
    return fig, fig.subplots()


_DROP = (re.compile(r"<\?xml[^>]*\?>\s*"), re.compile(r"<!DOCTYPE[^>]*>\s*"),
         re.compile(r"<metadata>.*?</metadata>\s*", re.S),
         re.compile(r'\s+xmlns(:xlink)?="[^"]*"'))


def svg(fig: Figure, key: str, title: str) -> str:
    """``fig`` as an ``<svg>`` element to put in an HTML page: no XML prolog, metadata or
    namespace URLs (the HTML parser knows SVG), ``href`` for ``xlink:href``, every id
    prefixed with ``key`` so that several charts share a page, and its title for screen
    readers."""
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    text = out.getvalue()
    for pattern in _DROP:
        text = pattern.sub("", text)
    text = text.replace("xlink:href=", "href=")
    ids = set(re.findall(r'\sid="([^"]+)"', text))
    text = re.sub(r'(\sid="|href="#|url\(#)([^")]+)',
                  lambda m: m.group(1) + (f"{key}-{m.group(2)}" if m.group(2) in ids
                                          else m.group(2)), text)
    title_text = (title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                  .replace('"', "&quot;"))
    return text.replace("<svg ", f'<svg role="img" aria-label="{title_text}" ', 1).strip()


def _percent_axis(ax: Axes, lang: layout.Lang, axis: str = "x") -> None:
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _: layout.number(v, lang) + "%")
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


def dimension(report: Report) -> str | None:
    """What the per-group charts compare: agencies if the report has them, else its first
    grouping other than level, else levels; None for a report not grouped."""
    if "agency" in report.by:
        return "agency"
    rest = [d for d in report.by if d != "level"]
    return rest[0] if rest else ("level" if report.by else None)


def by_value(report: Report, dim: str, lang: layout.Lang,
             names: Mapping[str, str]) -> list[tuple[str, Counts]]:
    """The report's rows summed by one dimension's value, in order of first appearance,
    with what each shows."""
    at = report.by.index(dim)
    sums: dict[str, Counts] = {}
    for row in report.rows:
        sums[row.key[at]] = sums.get(row.key[at], Counts()) + row.counts
    return [(layout.display(dim, v, lang, names), c) for v, c in sums.items()]


def _groups(report: Report, lang: layout.Lang,
            names: Mapping[str, str]) -> tuple[list[tuple[str, Counts]], str]:
    dim = dimension(report)
    total = (layout.word("total", lang), report.total)
    if dim is None:
        return [total], _w(NOTES, "ungrouped", lang)
    note = "" if dim == "agency" else _w(NOTES, "ungrouped", lang)
    return [*by_value(report, dim, lang, names), total], note


def _title(key: str, report: Report, lang: layout.Lang) -> str:
    dim = dimension(report)
    base = _w(TITLES, key, lang)
    return f"{base} {_w(BY, dim, lang)}" if dim else base


def _barh(key: str, title: str, groups: list[tuple[str, Counts]],
          rate: Callable[[Counts], tuple[int, int]], lang: layout.Lang,
          line: tuple[float, str] | None = None, note: str = "") -> Chart:
    shown = [(label, *rate(c)) for label, c in groups if rate(c)[1]]
    if not shown:
        return Chart(key, title, None, _w(NOTES, "no_dossiers", lang))
    with _style():
        fig, ax = _figure(0.9 + 0.38 * len(shown))
        labels = [s[0] for s in shown][::-1]
        values = [100 * s[1] / s[2] for s in shown][::-1]
        colours = [_INK if i == 0 else _ACCENT for i in range(len(shown))]
        ax.barh(labels, values, color=colours)
        for y, (v, (_, n, d)) in enumerate(zip(values, shown[::-1], strict=True)):
            ax.text(min(v, 100) + 1, y, f"{layout.number(v, lang, 1)}% ({n}/{d})",
                    va="center", fontsize=8)
        if line is not None:
            ax.axvline(100 * line[0], color=_WARN, linestyle="--", linewidth=1.2,
                       label=line[1])
            ax.legend(loc="lower right", fontsize=8)
        ax.set_xlim(0, 125)
        ax.set_xticks(range(0, 101, 20))
        _percent_axis(ax, lang)
        return Chart(key, title, svg(fig, key, title), note)


def on_time(report: Report, lang: layout.Lang, names: Mapping[str, str]) -> Chart:
    """On-time rate (Decision 766's progress rate: early, on time and pending in time over
    the dossiers judged) by agency, and the total."""
    groups, note = _groups(report, lang, names)
    return _barh("on_time", _title("on_time", report, lang), groups,
                 lambda c: (c.in_time, c.judged), lang, note=note)


def payment(report: Report, lang: layout.Lang, names: Mapping[str, str]) -> Chart:
    """Dossiers paid online over fee-bearing dossiers by agency, against the report's
    online payment target (30%, Resolution 01/NQ-CP, unless the caller set another)."""
    groups, note = _groups(report, lang, names)
    target = next((t for t in report.targets if t.rate == "payment.a"), None)
    line = None if target is None else (
        target.minimum, f"{_w(SERIES, 'target', lang)} {layout.percent(target.minimum, lang)}"
        + (f" ({target.legal_basis})" if target.legal_basis else ""))
    return _barh("payment", _title("payment", report, lang), groups,
                 lambda c: (c.paid_online, c.fee_bearing), lang, line, note)


def channels(report: Report, lang: layout.Lang, names: Mapping[str, str]) -> Chart:
    """Dossiers received in the period online and in person or by post (Biểu 06 columns 4
    and 5), by agency and in total."""
    groups, note = _groups(report, lang, names)
    title = _title("channels", report, lang)
    shown = [(label, c.received_online, c.received_direct) for label, c in groups
             if c.received_in_period]
    if not shown:
        return Chart("channels", title, None, _w(NOTES, "no_dossiers", lang))
    with _style():
        fig, ax = _figure(1.2 + 0.38 * len(shown))
        labels = [s[0] for s in shown][::-1]
        online = [100 * s[1] / (s[1] + s[2]) for s in shown][::-1]
        direct = [100 - v for v in online]
        ax.barh(labels, online, color=_ACCENT, label=_w(SERIES, "online", lang))
        ax.barh(labels, direct, left=online, color=_LIGHT, label=_w(SERIES, "direct", lang))
        for y, (_, n_online, n_direct) in enumerate(shown[::-1]):
            ax.text(1, y, layout.number(n_online, lang), va="center", fontsize=8,
                    color="white")
            ax.text(99, y, layout.number(n_direct, lang), va="center", ha="right",
                    fontsize=8)
        ax.set_xlim(0, 100)
        _percent_axis(ax, lang)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8,
                  frameon=False)
        return Chart("channels", title, svg(fig, "channels", title), note)


def monthly(months: Sequence[tuple[str, Report]], lang: layout.Lang) -> Chart:
    """Dossiers received in each month (bars) and the month's on-time rate (line)."""
    title = _w(TITLES, "monthly", lang)
    if not months:
        return Chart("monthly", title, None, _w(NOTES, "no_monthly", lang))
    with _style():
        fig, ax = _figure(3.0)
        labels = [m for m, _ in months]
        totals = [r.total for _, r in months]
        ax.bar(labels, [c.received_in_period for c in totals], color=_LIGHT,
               label=_w(SERIES, "received", lang))
        ax.set_ylabel(_w(SERIES, "received", lang))
        rate_ax = ax.twinx()
        points = [(i, 100 * c.in_time / c.judged) for i, c in enumerate(totals) if c.judged]
        rate_ax.plot([i for i, _ in points], [v for _, v in points], color=_INK, marker="o",
                     label=_w(SERIES, "on_time", lang))
        for i, v in points:
            rate_ax.annotate(layout.number(v, lang, 1) + "%", (i, v), textcoords="offset points",
                             xytext=(0, 6), ha="center", fontsize=8)
        rate_ax.set_ylim(0, 110)
        rate_ax.spines["right"].set_visible(True)
        _percent_axis(rate_ax, lang, "y")
        handles = ax.get_legend_handles_labels()
        more = rate_ax.get_legend_handles_labels()
        ax.legend(handles[0] + more[0], handles[1] + more[1], loc="upper center",
                  bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=8, frameon=False)
        return Chart("monthly", title, svg(fig, "monthly", title))


def score(report: Report, lang: layout.Lang) -> Chart:
    """Decision 766's points by group: the group's maximum, the most its available
    indicators can give, and the points."""
    title = _w(TITLES, "score", lang)
    found = report.indicators()
    s = report.score()
    full = {g: sum(i.max_points for i in found if i.group == g) for g, _, _ in GROUPS}
    with _style():
        fig, ax = _figure(2.6)
        labels = [layout.group_name(g, lang) for g, _, _ in s.groups][::-1]
        rows: list[tuple[str, float, float]] = list(s.groups)[::-1]
        ax.barh(labels, [full[g] for g, _, _ in rows], color=_PALE,
                label=_w(SERIES, "max", lang))
        ax.barh(labels, [m for _, _, m in rows], color=_LIGHT,
                label=_w(SERIES, "available", lang))
        ax.barh(labels, [p for _, p, _ in rows], color=_INK, label=_w(SERIES, "points", lang))
        for y, (g, p, m) in enumerate(rows):
            ax.text(full[g] + 0.3, y, f"{layout.points(p, lang)} / {layout.points(m, lang)}",
                    va="center", fontsize=8)
        ax.set_xlim(0, max(full.values()) + 5)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=8,
                  frameon=False)
        return Chart("score", title, svg(fig, "score", title))


def charts(report: Report, lang: layout.Lang, names: Mapping[str, str],
           months: Sequence[tuple[str, Report]] | None) -> tuple[Chart, ...]:
    """The report's five charts, in the order the page shows them."""
    require("matplotlib")
    return (on_time(report, lang, names), monthly(months or (), lang),
            channels(report, lang, names), payment(report, lang, names),
            score(report, lang))
