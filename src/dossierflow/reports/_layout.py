"""The Biểu 06 layout and the words of every rendering: how a report's rows become the lines
of the form (Circular 01/2020/TT-VPCP, Biểu số 06/VPCP/KSTT), in Vietnamese or English.

The form's thirteen columns, their grouped headings and the grouping of rows by level follow
the way provincial one-stop systems render Biểu 06; the layout awaits checking against the
circular's official annex. JSON, CSV, the console table and the HTML page all read this one
layout, so their numbers and headings agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Literal

import attrs

from dossierflow._errors import InvalidArgument
from dossierflow.reports._model import GROUPS, Counts, Period, Report

Lang = Literal["vi", "en"]

FORM_CODE = "Biểu số 06/VPCP/KSTT"
FORM_BASIS = {"vi": "Ban hành theo Thông tư số 01/2020/TT-VPCP ngày 21/10/2020",
              "en": "Issued with Circular 01/2020/TT-VPCP of 21 October 2020"}


@attrs.frozen
class Column:
    """One of Biểu 06's thirteen columns: its number, its group and sub-group headings (empty
    where the heading spans the rows of the header) and its own heading, in both languages,
    and how it is read off :class:`~dossierflow.reports.Counts` (None: the row number and the
    row's name)."""

    number: int
    group: tuple[str, str]
    subgroup: tuple[str, str]
    heading: tuple[str, str]
    count: str | None
    """The :class:`Counts` attribute or property that fills the column."""

    def text(self, lang: Lang) -> tuple[str, str, str]:
        i = 0 if lang == "vi" else 1
        return self.group[i], self.subgroup[i], self.heading[i]


_NONE = ("", "")
_RECEIVED = ("Số hồ sơ nhận giải quyết", "Dossiers received for handling")
_OF_WHICH = ("Trong đó", "Of which")
_RESOLVED = ("Số hồ sơ đã giải quyết", "Dossiers resolved")
_PENDING = ("Số hồ sơ đang giải quyết", "Dossiers being handled")
_TOTAL = ("Tổng số", "Total")

COLUMNS: tuple[Column, ...] = (
    Column(1, _NONE, _NONE, ("STT", "No."), None),
    Column(2, _NONE, _NONE, ("Lĩnh vực, công việc giải quyết theo cấp",
                             "Field or work, by level"), None),
    Column(3, _RECEIVED, _NONE, _TOTAL, "received_total"),
    Column(4, _RECEIVED, _OF_WHICH, ("Trực tuyến", "Online"), "received_online"),
    Column(5, _RECEIVED, _OF_WHICH, ("Trực tiếp, dịch vụ bưu chính", "In person, by post"),
           "received_direct"),
    Column(6, _RECEIVED, _NONE, ("Từ kỳ trước", "Carried over"), "carried_over"),
    Column(7, _RESOLVED, _NONE, _TOTAL, "resolved_total"),
    Column(8, _RESOLVED, _NONE, ("Trước hạn", "Early"), "resolved_early"),
    Column(9, _RESOLVED, _NONE, ("Đúng hạn", "On time"), "resolved_on_time"),
    Column(10, _RESOLVED, _NONE, ("Quá hạn", "Late"), "resolved_late"),
    Column(11, _PENDING, _NONE, _TOTAL, "pending_total"),
    Column(12, _PENDING, _NONE, ("Trong hạn", "Within time"), "pending_in_time"),
    Column(13, _PENDING, _NONE, ("Quá hạn", "Overdue"), "pending_overdue"),
)
"""Biểu 06's columns. Their arithmetic: (3) = (4) + (5) + (6), (7) = (8) + (9) + (10),
(11) = (12) + (13), and (3) = (7) + (11) when every dossier received is either resolved or
still being handled at the period's end."""

NUMBERED = COLUMNS[2:]
"""The columns that hold numbers, (3) to (13)."""

UNIT_HEADING = ("Đơn vị", "Unit")
"""Column 2's heading in the per-unit variant of the form (rows are agencies)."""


def bieu06(counts: Counts) -> tuple[int, ...]:
    """Columns (3) to (13) of one line of Biểu 06."""
    return tuple(int(getattr(counts, c.count or "")) for c in NUMBERED)


WORDS: Mapping[str, tuple[str, str]] = {
    "title": ("TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT "
              "TTHC", "ADMINISTRATIVE PROCEDURES HANDLED AT THE AGENCIES THAT RESOLVE THEM"),
    "period": ("Kỳ báo cáo", "Reporting period"),
    "unit_of_count": ("Đơn vị tính: Số hồ sơ TTHC", "Unit: dossiers"),
    "reporting_unit": ("Đơn vị báo cáo", "Reporting unit"),
    "receiving_unit": ("Đơn vị nhận báo cáo", "Report sent to"),
    "total": ("Tổng số", "Total"),
    "reporter": ("Người làm báo cáo", "Prepared by"),
    "place_date": ("……, ngày … tháng … năm …", "……, date ……"),
    "layout_note": (
        "Bố cục theo cách các hệ thống một cửa cấp tỉnh thể hiện Biểu số 06/VPCP/KSTT "
        "(Thông tư 01/2020/TT-VPCP); chưa được đối chiếu với phụ lục chính thức của Thông tư.",
        "The layout follows provincial one-stop systems' rendering of Biểu 06/VPCP/KSTT "
        "(Circular 01/2020/TT-VPCP) and awaits checking against the circular's official "
        "annex."),
    "charts": ("BIỂU ĐỒ", "CHARTS"),
    "score_title": ("ĐIỂM CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP (Quyết định 766/QĐ-TTg)",
                    "SERVICE INDEX SCORE (Decision 766/QĐ-TTg)"),
    "group": ("Nhóm chỉ số", "Group"),
    "indicator": ("Chỉ tiêu", "Indicator"),
    "points": ("Điểm", "Points"),
    "max_points": ("Điểm tối đa", "Maximum"),
    "rate": ("Tỷ lệ", "Rate"),
    "numerator": ("Tử số", "Numerator"),
    "denominator": ("Mẫu số", "Denominator"),
    "formula": ("Cách tính", "Formula"),
    "not_given": ("chưa có số liệu", "not given"),
    "score_total": ("Tổng điểm", "Total score"),
    "available": ("trên", "of"),
    "band": ("Xếp loại", "Band"),
    "band_partial": ("chưa xếp loại: thiếu số liệu của một số chỉ tiêu",
                     "no band: some indicators are not given"),
    "targets_title": ("CHỈ TIÊU", "TARGETS"),
    "target": ("Chỉ tiêu", "Target"),
    "minimum": ("Mức tối thiểu", "Minimum"),
    "basis": ("Căn cứ", "Basis"),
    "met": ("Đạt", "Met"),
    "not_met": ("Chưa đạt", "Not met"),
    "no_data": ("Không có hồ sơ", "No dossiers"),
    "accountability_title": ("TRÁCH NHIỆM", "ACCOUNTABILITY"),
    "kind": ("Loại", "Kind"),
    "agency": ("Cơ quan", "Agency"),
    "step": ("Bước", "Step"),
    "reason": ("Lý do", "Reason"),
    "count": ("Số lượng", "Count"),
}
"""Every fixed text of the renderings, (Vietnamese, English)."""

KINDS: Mapping[str, tuple[str, str]] = {
    "late": ("Hồ sơ quá hạn", "Late dossiers"),
    "apology_on_time": ("Xin lỗi trước hạn", "Apologies before the appointment"),
    "apology_late": ("Xin lỗi sau hạn", "Apologies after the appointment"),
    "supplement": ("Yêu cầu bổ sung", "Supplement requests"),
    "pause": ("Tạm dừng", "Pauses"),
}
"""Accountability kinds (:class:`~dossierflow.reports.AccountabilityRow`), by name."""

LEVELS: tuple[tuple[str, tuple[str, str]], ...] = (
    ("province", ("Sở, ban, ngành", "Provincial departments and agencies")),
    ("commune", ("Xã, phường, đặc khu", "Communes, wards and special zones")),
)
"""Biểu 06's row groups since the district level ended on 1 July 2025: an agency whose
level starts with the first word belongs under the heading (province branches with the
provincial departments)."""

CHANNELS: Mapping[str, tuple[str, str]] = {
    "online": ("Trực tuyến", "Online"),
    "in_person": ("Trực tiếp", "In person"),
    "postal": ("Dịch vụ bưu chính", "By post"),
}


def word(key: str, lang: Lang) -> str:
    return WORDS[key][0 if lang == "vi" else 1]


def check_lang(lang: object) -> Lang:
    if lang == "vi":
        return "vi"
    if lang == "en":
        return "en"
    raise InvalidArgument(f"lang must be 'vi' (Vietnamese, the default) or 'en', got {lang!r}")


def number(n: float, lang: Lang, decimals: int = 0) -> str:
    """``1.234`` and ``85,5`` in Vietnamese; ``1,234`` and ``85.5`` in English."""
    text = f"{n:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    return text


def points(value: float, lang: Lang) -> str:
    """Points to two decimals at most: ``18,12``, ``2,5``, ``20``."""
    text = f"{round(value, 2):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "vi" else text


def percent(value: float | None, lang: Lang) -> str:
    return "—" if value is None else number(100 * value, lang, 1) + "%"


def level_heading(level: str, lang: Lang) -> str:
    for prefix, names in LEVELS:
        if level.casefold().startswith(prefix):
            return names[0 if lang == "vi" else 1]
    return level or "—"


def _level_order(level: str) -> int:
    for i, (prefix, _) in enumerate(LEVELS):
        if level.casefold().startswith(prefix):
            return i
    return len(LEVELS)


def display(dimension: str, value: str, lang: Lang, names: Mapping[str, str]) -> str:
    """What a row shows for a key value: the caller's name for it (an agency's or a
    procedure's), a level's Biểu 06 heading, a channel in words, or the value itself."""
    if value in names:
        return names[value]
    if dimension == "level":
        return level_heading(value, lang)
    if dimension == "channel" and value.casefold() in CHANNELS:
        return CHANNELS[value.casefold()][0 if lang == "vi" else 1]
    return value or "—"


_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def roman(n: int) -> str:
    return _ROMAN[n - 1] if n <= len(_ROMAN) else str(n)


@attrs.frozen
class Line:
    """A line of Biểu 06: ``kind`` ``"group"`` (a level's heading with its subtotal),
    ``"row"`` or ``"total"``; ``number`` (column 1), ``label`` (column 2), ``counts``."""

    kind: str
    number: str
    label: str
    counts: Counts

    @property
    def values(self) -> tuple[int, ...]:
        return bieu06(self.counts)


def label_heading(report: Report, lang: Lang) -> str:
    """Column 2's heading: "Đơn vị" when the rows are agencies, the form's heading otherwise."""
    rest = tuple(d for d in report.by if d != "level")
    return (UNIT_HEADING if rest == ("agency",) else COLUMNS[1].heading)[
        0 if lang == "vi" else 1]


def lines(report: Report, lang: Lang = "vi",
          names: Mapping[str, str] | None = None) -> tuple[Line, ...]:
    """Biểu 06's lines: when the report is grouped by level and something else, a heading
    per level (I, II...) with its subtotal, then its rows (1, 2...); the rows in the
    report's order otherwise; last, the bold "Tổng số" line. A report not grouped at all has
    the total line only."""
    names = names or {}
    out: list[Line] = []
    if report.by:
        dims = report.by
        rest = [i for i, d in enumerate(dims) if d != "level"]

        def label(key: tuple[str, ...]) -> str:
            return " – ".join(display(dims[i], key[i], lang, names) for i in rest)

        if "level" in dims and rest:
            at = dims.index("level")
            levels: dict[str, list[int]] = {}
            for i, row in enumerate(report.rows):
                levels.setdefault(row.key[at], []).append(i)
            ordered = sorted(levels, key=lambda lv: (_level_order(lv), list(levels).index(lv)))
            # Agencies of different levels under one heading (province and province branch)
            # share it.
            headings: dict[str, list[int]] = {}
            for lv in ordered:
                headings.setdefault(level_heading(lv, lang), []).extend(levels[lv])
            for g, (heading, members) in enumerate(headings.items(), 1):
                out.append(Line("group", roman(g), heading,
                                Counts.total(report.rows[i].counts for i in members)))
                out.extend(Line("row", str(n), label(report.rows[i].key), report.rows[i].counts)
                           for n, i in enumerate(members, 1))
        else:
            out.extend(Line("row", str(n), label(row.key) if rest else
                            display("level", row.key[0], lang, names), row.counts)
                       for n, row in enumerate(report.rows, 1))
    out.append(Line("total", "", word("total", lang), report.total))
    return tuple(out)


_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


def period_name(period: Period, lang: Lang) -> str:
    """The period as the form names it: a month, a quarter, a half year, a year, or its
    dates."""
    s, e = period.start, period.end
    last = (dt.date(e.year, e.month % 12 + 1, 1) if e.month < 12 else
            dt.date(e.year + 1, 1, 1)) - dt.timedelta(days=1)
    whole = s.day == 1 and e == last and s.year == e.year
    months = e.month - s.month + 1
    if whole and months == 1:
        return f"Tháng {s:%m/%Y}" if lang == "vi" else f"{_MONTHS_EN[s.month - 1]} {s.year}"
    if whole and months == 3 and s.month % 3 == 1:
        q = (s.month - 1) // 3 + 1
        return f"Quý {roman(q)}/{s.year}" if lang == "vi" else f"Q{q} {s.year}"
    if whole and months == 6 and s.month in (1, 7):
        if lang == "vi":
            return f"6 tháng {'đầu' if s.month == 1 else 'cuối'} năm {s.year}"
        return f"{'First' if s.month == 1 else 'Second'} half of {s.year}"
    if whole and months == 12:
        return f"Năm {s.year}" if lang == "vi" else str(s.year)
    return f"{s:%d/%m/%Y} – {e:%d/%m/%Y}"


def period_line(period: Period, lang: Lang) -> str:
    """``Kỳ báo cáo: Tháng 01/2026 (Từ ngày 01/01/2026 đến ngày 31/01/2026)``."""
    s, e = period.start, period.end
    if lang == "vi":
        return (f"{word('period', lang)}: {period_name(period, lang)} "
                f"(Từ ngày {s:%d/%m/%Y} đến ngày {e:%d/%m/%Y})")
    return (f"{word('period', lang)}: {period_name(period, lang)} "
            f"(from {s:%d/%m/%Y} to {e:%d/%m/%Y})")


def group_name(code: str, lang: Lang) -> str:
    """A Decision 766 group's name."""
    for c, vi, en in GROUPS:
        if c == code:
            return vi if lang == "vi" else en
    return code
