"""What a report is: a period's counts per group, and what the official forms and Decision 766
read off them.

Everything a report says is derived from :class:`Counts`, whole numbers that add up across
groups, so that the SQL path (aggregates over the store's projection) and the Python path
(dossiers replayed and classified one by one) are compared number by number, and the rates,
points and the Biểu 06 table are computed once, here, from either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from dossierflow._errors import InvalidArgument

DIMENSIONS: tuple[str, ...] = ("agency", "level", "sector", "procedure", "channel")
"""What rows can be grouped by: the receiving agency, its level, the procedure's field
("lĩnh vực"), the procedure's code, and the channel of filing."""


def _date(value: object, name: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InvalidArgument(f"{name} must be a date such as date(2026, 1, 1), got {value!r}")
    return value


@attrs.frozen
class Period:
    """A reporting period: from the start of ``start`` to the end of ``end`` (both included),
    in ``timezone`` (the calendar's)."""

    start: dt.date
    end: dt.date
    timezone: str = "Asia/Ho_Chi_Minh"

    def __attrs_post_init__(self) -> None:
        _date(self.start, "start")
        _date(self.end, "end")
        if self.end < self.start:
            raise InvalidArgument(f"the period ends ({self.end}) before it starts "
                                  f"({self.start}); give --from before --to")

    @property
    def instants(self) -> tuple[dt.datetime, dt.datetime]:
        """``[start 00:00, the day after end 00:00)`` as aware instants."""
        zone = ZoneInfo(self.timezone)
        return (dt.datetime.combine(self.start, dt.time(), zone),
                dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), zone))


def _count(_: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgument(f"{attribute.name} must be a count from 0, got {value!r}")


_C = attrs.field(default=0, validator=_count)


@attrs.frozen
class Counts:
    """A group's numbers for a period; they add up across groups (``a + b``).

    Dossiers count once they are received (refused and unreceived filings are not in reports).
    Biểu 06 (Circular 01/2020/TT-VPCP):

    - ``received_online`` / ``received_direct``: received in the period online / in person or
      by post; ``carried_over``: received before the period and not ended at its start;
    - ``resolved_early`` / ``resolved_on_time`` / ``resolved_late``: ended in the period
      (resolved, stopped or withdrawn; ended means handling ended, the return of the result
      is later), by their verdict (dossiers without a time limit count as on time);
    - ``pending_in_time`` / ``pending_overdue``: received by the period's end and not ended by
      then; overdue if they had been overdue before the end (late stays late).

    Decision 766/QĐ-TTg, over the dossiers received in the period unless said otherwise:

    - ``fully_online_eligible`` (of procedures offered fully online) and ``fully_online``
      (of those, filed online);
    - ``fee_bearing`` (of procedures that charge a fee) and ``paid_online``;
    - ``results`` (results returned in the period) and ``electronic_results`` (with an
      electronic result);
    - ``components`` and ``digitised`` (component documents, where the receipt recorded them);
    - ``reused`` (dossiers with data taken from national databases);
    - ``rated`` / ``rated_unsatisfied`` (ratings of 1 or 2 given in the period),
      ``complained_or_unsatisfied`` (dossiers complained about or rated unsatisfied);
    - ``complaints`` (made in the period), ``complaints_answered_on_time``,
      ``complaints_satisfied``;
    - ``five_on_the_spot`` (results returned in the period in one visit).
    """

    received_online: int = _C
    received_direct: int = _C
    carried_over: int = _C
    resolved_early: int = _C
    resolved_on_time: int = _C
    resolved_late: int = _C
    pending_in_time: int = _C
    pending_overdue: int = _C
    fully_online_eligible: int = _C
    fully_online: int = _C
    fee_bearing: int = _C
    paid_online: int = _C
    results: int = _C
    electronic_results: int = _C
    components: int = _C
    digitised: int = _C
    reused: int = _C
    rated: int = _C
    rated_unsatisfied: int = _C
    complained_or_unsatisfied: int = _C
    complaints: int = _C
    complaints_answered_on_time: int = _C
    complaints_satisfied: int = _C
    five_on_the_spot: int = _C

    def __add__(self, other: Counts) -> Counts:
        if not isinstance(other, Counts):
            return NotImplemented
        return Counts(*(a + b for a, b in zip(attrs.astuple(self), attrs.astuple(other),
                                               strict=True)))

    @classmethod
    def total(cls, counts: Iterable[Counts]) -> Counts:
        result = cls()
        for c in counts:
            result = result + c
        return result

    @property
    def received_in_period(self) -> int:
        return self.received_online + self.received_direct

    @property
    def received_total(self) -> int:
        """Biểu 06 column 3: (4) + (5) + (6)."""
        return self.received_online + self.received_direct + self.carried_over

    @property
    def resolved_total(self) -> int:
        """Biểu 06 column 7: (8) + (9) + (10)."""
        return self.resolved_early + self.resolved_on_time + self.resolved_late

    @property
    def pending_total(self) -> int:
        """Biểu 06 column 11: (12) + (13)."""
        return self.pending_in_time + self.pending_overdue

    @property
    def judged(self) -> int:
        """Dossiers Decision 766 judges for the period: ended in it, or open at its end."""
        return self.resolved_total + self.pending_total

    @property
    def in_time(self) -> int:
        return self.resolved_early + self.resolved_on_time + self.pending_in_time


COUNT_FIELDS: tuple[str, ...] = tuple(a.name for a in attrs.fields(Counts))
"""The names of :class:`Counts`' fields, in order (the columns of the CSV and SQL paths)."""


@attrs.frozen
class Rate:
    """A rate with what it is made of: ``numerator`` over ``denominator`` (``value`` None
    when there is nothing to divide), and the formula version that defines it."""

    numerator: int
    denominator: int
    formula: str

    @property
    def value(self) -> float | None:
        return None if self.denominator == 0 else self.numerator / self.denominator


@attrs.frozen
class Row:
    """One group: its key (one value per grouping dimension) and its counts."""

    key: tuple[str, ...]
    counts: Counts


@attrs.frozen
class AccountabilityRow:
    """Who answers for what: ``kind`` is ``"late"`` (a late dossier, by its responsible
    agency), ``"apology_on_time"`` / ``"apology_late"`` (Form 04 before or after the
    appointment), ``"supplement"`` (a request, by the agency that asked and its step) or
    ``"pause"`` (by the agency, step and named reason); ``count`` in the period."""

    kind: str
    agency: str
    step: str
    reason: str
    count: int


# ----------------------------------------------------------------------- Decision 766 formulas


@attrs.frozen
class Weights:
    """The points of Decision 766/QĐ-TTg's indicators, as one version of data."""

    version: str
    progress: float
    online: float
    payment_a: float
    payment_b: float
    payment_b_cap: float
    payment_c: float
    electronic_result: float
    digitised: float
    digitised_full_at: float
    e_copies: float
    reused: float
    reused_full_at: float
    document_store: float
    population: float
    population_update: float
    complaints_on_time: float
    complaint_satisfaction: float
    dossier_satisfaction: float
    satisfaction_full_at: float
    published: float
    updated: float
    complete: float
    synced: float


DECISION_766 = Weights(
    version="766/2022", progress=20, online=12, payment_a=6, payment_b=2.5, payment_b_cap=2,
    payment_c=2.5, electronic_result=6, digitised=4, digitised_full_at=0.8, e_copies=2,
    reused=2, reused_full_at=0.8, document_store=4, population=2, population_update=2,
    complaints_on_time=6, complaint_satisfaction=6, dossier_satisfaction=6,
    satisfaction_full_at=0.9, published=6, updated=4, complete=2, synced=6)
"""Decision 766/QĐ-TTg (23 June 2022), as the national public service portal scores it: 100
points in six groups (progress 20, online service 12, online payment 10, digitisation 22,
satisfaction 18, transparency 18)."""

FORMULAS: Mapping[str, Weights] = MappingProxyType({DECISION_766.version: DECISION_766})
"""Every version of the weights, by name (read-only)."""


@attrs.frozen
class Inputs:
    """Facts a report needs that dossiers do not hold, given by the caller as rates (0 to
    1); None: not given, and the indicator is left out of the total (its points None).

    Online payment's B and C (procedure-level shares), communes offering electronic
    certified copies, linking to the citizen's document store, use and update of the
    population database, and transparency (procedures published and updated on time,
    complete, dossier status synced to the national portal)."""

    payment_b: float | None = None
    payment_c: float | None = None
    e_copies: float | None = None
    document_store: float | None = None
    population: float | None = None
    population_update: float | None = None
    published: float | None = None
    updated: float | None = None
    complete: float | None = None
    synced: float | None = None

    def __attrs_post_init__(self) -> None:
        for a in attrs.fields(Inputs):
            value = getattr(self, a.name)
            if value is not None and (isinstance(value, bool) or
                                      not isinstance(value, int | float)
                                      or not 0 <= value <= 1):
                raise InvalidArgument(f"input {a.name} must be a rate from 0 to 1, or None; "
                                      f"got {value!r}")


@attrs.frozen
class Indicator:
    """One Decision 766 indicator: its ``points`` of ``max_points`` (None: an input not
    given), the ``rates`` it is computed from (none for inputs; dossier satisfaction reads
    two: the late rate and the share complained about or rated unsatisfied), and its formula
    in words."""

    group: str
    code: str
    name_vi: str
    name_en: str
    points: float | None
    max_points: float
    rates: tuple[Rate, ...]
    formula: str
    source: str
    """``"dossiers"`` (computed from the store) or ``"input"`` (given by the caller)."""

    @property
    def rate(self) -> Rate | None:
        """The indicator's (first) rate, None for inputs."""
        return self.rates[0] if self.rates else None


GROUPS: tuple[tuple[str, str, str], ...] = (
    ("progress", "Tiến độ giải quyết", "Progress"),
    ("online", "Dịch vụ trực tuyến", "Online service"),
    ("payment", "Thanh toán trực tuyến", "Online payment"),
    ("digitisation", "Số hóa hồ sơ", "Digitisation"),
    ("satisfaction", "Mức độ hài lòng", "Satisfaction"),
    ("transparency", "Công khai, minh bạch", "Transparency"),
)
"""Decision 766's six groups: code, Vietnamese and English name."""

BANDS: tuple[tuple[float, str, str, bool], ...] = (
    (90, "Xuất sắc", "excellent", True),
    (80, "Tốt", "good", False),
    (65, "Khá", "fair", False),
    (50, "Trung bình", "average", False),
    (0, "Yếu", "weak", True),
)
"""Bands of the 100-point total: (lowest total, Vietnamese, English, confirmed). Decision
766/QĐ-TTg as the portal applies it confirms 90–100 excellent and below 50 weak; the middle
bands are not confirmed against the text."""


def band(total: float) -> tuple[str, str]:
    """The band (Vietnamese, English) of a 100-point total."""
    for lowest, vi, en, _ in BANDS:
        if total >= lowest:
            return vi, en
    return BANDS[-1][1], BANDS[-1][2]


def _scaled(points: float, rate: float | None, full_at: float = 1.0) -> float | None:
    if rate is None:
        return None
    return min(points, points * rate / full_at)


def indicators(c: Counts, inputs: Inputs = Inputs(),
               weights: Weights = DECISION_766) -> tuple[Indicator, ...]:
    """Decision 766's indicators from a group's counts and the caller's inputs."""
    v = weights.version
    out: list[Indicator] = []

    def add(group: str, code: str, vi: str, en: str, points: float | None, most: float,
            rates: Rate | tuple[Rate, ...] | None, formula: str,
            source: str = "dossiers") -> None:
        if rates is None:
            rates = ()
        elif isinstance(rates, Rate):
            rates = (rates,)
        out.append(Indicator(group, code, vi, en, None if points is None else round(points, 4),
                             most, rates, formula, source))

    def given(group: str, code: str, vi: str, en: str, value: float | None, most: float,
              formula: str) -> None:
        add(group, code, vi, en, None if value is None else most * value, most, None,
            formula, "input")

    on_time = Rate(c.in_time, c.judged, v)
    add("progress", "progress.on_time", "Tỷ lệ hồ sơ giải quyết đúng hạn",
        "Dossiers resolved on time", _scaled(weights.progress, on_time.value), weights.progress,
        on_time, f"{weights.progress:g} × on-time rate (early, on time and pending in time "
        "over ended in the period and pending at its end)")
    online = Rate(c.fully_online, c.fully_online_eligible, v)
    add("online", "online.fully_online", "Tỷ lệ hồ sơ trực tuyến toàn trình",
        "Fully online dossiers", _scaled(weights.online, online.value), weights.online, online,
        f"{weights.online:g} × fully online ÷ dossiers of procedures offered fully online")
    paid = Rate(c.paid_online, c.fee_bearing, v)
    add("payment", "payment.a", "Tỷ lệ hồ sơ thanh toán trực tuyến (A)",
        "Dossiers paid online (A)", _scaled(weights.payment_a, paid.value), weights.payment_a,
        paid, f"{weights.payment_a:g}A, A = paid online ÷ fee-bearing dossiers (zero-fee "
        "dossiers excluded)")
    b = inputs.payment_b
    add("payment", "payment.b", "Thủ tục có phát sinh thanh toán trực tuyến (B)",
        "Procedures with online payments (B)",
        None if b is None else min(weights.payment_b_cap, weights.payment_b * b),
        weights.payment_b_cap, None,
        f"min({weights.payment_b_cap:g}, {weights.payment_b:g}B), B given", "input")
    given("payment", "payment.c", "Thủ tục tích hợp thanh toán trực tuyến (C)",
          "Procedures integrated with online payment (C)", inputs.payment_c,
          weights.payment_c, f"{weights.payment_c:g}C, C given")
    electronic = Rate(c.electronic_results, c.results, v)
    add("digitisation", "digitisation.electronic_result", "Cấp kết quả điện tử",
        "Electronic results", _scaled(weights.electronic_result, electronic.value),
        weights.electronic_result, electronic,
        f"{weights.electronic_result:g} × electronic results ÷ results returned")
    digitised = Rate(c.digitised, c.components, v)
    add("digitisation", "digitisation.components", "Số hóa thành phần hồ sơ",
        "Components digitised",
        _scaled(weights.digitised, digitised.value, weights.digitised_full_at),
        weights.digitised, digitised,
        f"min({weights.digitised:g}, {weights.digitised:g} × rate ÷ "
        f"{weights.digitised_full_at:.0%})")
    given("digitisation", "digitisation.e_copies", "Xã cung cấp chứng thực điện tử",
          "Communes offering electronic certified copies", inputs.e_copies,
          weights.e_copies, f"{weights.e_copies:g} × share of communes, given")
    reused = Rate(c.reused, c.received_in_period, v)
    add("digitisation", "digitisation.reused", "Tái sử dụng dữ liệu", "Data reused",
        _scaled(weights.reused, reused.value, weights.reused_full_at), weights.reused, reused,
        f"min({weights.reused:g}, {weights.reused:g} × rate ÷ {weights.reused_full_at:.0%})")
    given("digitisation", "digitisation.document_store", "Kết nối kho dữ liệu cá nhân",
          "Linked to the citizen's document store", inputs.document_store,
          weights.document_store, f"{weights.document_store:g} × rate, given")
    given("digitisation", "digitisation.population", "Khai thác CSDL quốc gia về dân cư",
          "Population database used", inputs.population, weights.population,
          f"{weights.population:g} × rate, given")
    given("digitisation", "digitisation.population_update", "Cập nhật CSDL quốc gia về dân cư",
          "Population database updated", inputs.population_update, weights.population_update,
          f"{weights.population_update:g} × rate, given")
    answered = Rate(c.complaints_answered_on_time, c.complaints, v)
    satisfied = Rate(c.complaints_satisfied, c.complaints, v)
    no_complaints = c.complaints == 0
    add("satisfaction", "satisfaction.complaints_on_time", "Xử lý phản ánh, kiến nghị đúng hạn",
        "Complaints handled on time", weights.complaints_on_time if no_complaints else
        _scaled(weights.complaints_on_time, answered.value), weights.complaints_on_time,
        answered, f"{weights.complaints_on_time:g} × answered on time ÷ complaints (none: "
        "full points)")
    add("satisfaction", "satisfaction.complaints_satisfied", "Hài lòng về xử lý phản ánh",
        "Satisfaction with complaint handling", weights.complaint_satisfaction
        if no_complaints else _scaled(weights.complaint_satisfaction, satisfied.value),
        weights.complaint_satisfaction, satisfied,
        f"{weights.complaint_satisfaction:g} × satisfied ÷ complaints (none: full points)")
    late = c.resolved_late + c.pending_overdue
    dossier_rate = _satisfaction(c, late)
    add("satisfaction", "satisfaction.dossiers", "Hài lòng về giải quyết hồ sơ",
        "Satisfaction with dossiers",
        _scaled(weights.dossier_satisfaction, dossier_rate, weights.satisfaction_full_at),
        weights.dossier_satisfaction,
        (Rate(late, c.judged, v), Rate(c.complained_or_unsatisfied, c.received_in_period, v)),
        f"min({weights.dossier_satisfaction:g}, {weights.dossier_satisfaction:g} × rate ÷ "
        f"{weights.satisfaction_full_at:.0%}), rate = 100% − (late rate + share complained "
        "about or rated unsatisfied)")
    given("transparency", "transparency.published", "Công khai TTHC đúng hạn",
          "Procedures published on time", inputs.published, weights.published,
          f"{weights.published:g} × rate, given")
    given("transparency", "transparency.updated", "Cập nhật TTHC đúng hạn",
          "Procedures updated on time", inputs.updated, weights.updated,
          f"{weights.updated:g} × rate, given")
    given("transparency", "transparency.complete", "Công khai đầy đủ", "Published completely",
          inputs.complete, weights.complete, f"{weights.complete:g} × rate, given")
    given("transparency", "transparency.synced", "Đồng bộ trạng thái hồ sơ",
          "Dossier status synced to the national portal", inputs.synced, weights.synced,
          f"{weights.synced:g} × rate, given")
    return tuple(out)


def _satisfaction(c: Counts, late: int) -> float | None:
    """100% − (late rate + share complained about or rated unsatisfied), at least 0."""
    if c.judged == 0:
        return None
    share = c.complained_or_unsatisfied / c.received_in_period if c.received_in_period else 0.0
    return max(0.0, 1.0 - (late / c.judged + share))


@attrs.frozen
class Score:
    """Decision 766's score: points by group, the total over the indicators available, the
    most those could give, and the band (of the total when every indicator is available)."""

    groups: tuple[tuple[str, float, float], ...]
    """(group code, points, most points of its available indicators)."""
    total: float
    available: float
    band_vi: str | None
    band_en: str | None


GROUP_POINTS: Mapping[str, float] = MappingProxyType({
    "progress": 20, "online": 12, "payment": 10, "digitisation": 22, "satisfaction": 18,
    "transparency": 18})
"""Each group's points in Decision 766/QĐ-TTg (100 in all). A group's indicators are capped
at it: online payment's parts, 6A + min(2, 2.5B) + 2.5C, can reach 10.5 of its 10."""


def score(found: Iterable[Indicator]) -> Score:
    """The 766 score of ``found`` indicators (those with no points are left out), each
    group capped at its points (:data:`GROUP_POINTS`)."""
    found = tuple(found)
    groups = []
    for code, _, _ in GROUPS:
        mine = [i for i in found if i.group == code and i.points is not None]
        most = min(GROUP_POINTS[code], sum(i.max_points for i in mine))
        groups.append((code, round(min(most, sum(i.points or 0 for i in mine)), 4), most))
    total = round(sum(p for _, p, _ in groups), 4)
    available = sum(m for _, _, m in groups)
    named = band(total) if available >= 100 else (None, None)
    return Score(tuple(groups), total, available, *named)


# -------------------------------------------------------------------------------- targets


@attrs.frozen
class Target:
    """A province's target on one of a report's rates: ``rate`` names an indicator's rate
    (e.g. ``"payment.a"``), met when it is at least ``minimum``."""

    name: str
    rate: str
    minimum: float
    legal_basis: str = ""

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.minimum <= 1:
            raise InvalidArgument(f"target {self.name!r}: minimum must be a rate from 0 to 1, "
                                  f"got {self.minimum!r}")


TARGETS: tuple[Target, ...] = (
    Target("online payment", "payment.a", 0.30, "Resolution 01/NQ-CP"),
)
"""The national targets: online payment of at least 30% of fee-bearing dossiers
(Resolution 01/NQ-CP). Provinces add their own (digitisation, data reuse, fully online)."""


@attrs.frozen
class Attainment:
    target: Target
    rate: Rate | None
    met: bool | None
    """None: the rate has nothing to divide."""


def attainment(found: Iterable[Indicator], targets: Iterable[Target]) -> tuple[Attainment, ...]:
    """Each target against its indicator's rate."""
    by_code = {i.code: i for i in found}
    out = []
    for t in targets:
        indicator = by_code.get(t.rate)
        if indicator is None or indicator.rate is None:
            raise InvalidArgument(f"target {t.name!r} names {t.rate!r}, which is not a rate "
                                  f"of a report; rates: "
                                  f"{', '.join(c for c, i in by_code.items() if i.rate)}")
        value = indicator.rate.value
        out.append(Attainment(t, indicator.rate, None if value is None else value >= t.minimum))
    return tuple(out)


# ---------------------------------------------------------------------------------- report


@attrs.frozen
class Report:
    """A period's report: rows grouped ``by`` dimensions (:data:`DIMENSIONS`; none: one row,
    the total), their sum, who answers for delays, the caller's inputs and targets."""

    period: Period
    by: tuple[str, ...]
    rows: tuple[Row, ...]
    accountability: tuple[AccountabilityRow, ...] = ()
    inputs: Inputs = Inputs()
    targets: tuple[Target, ...] = TARGETS
    weights: Weights = DECISION_766

    @property
    def total(self) -> Counts:
        return Counts.total(r.counts for r in self.rows)

    def indicators(self, counts: Counts | None = None) -> tuple[Indicator, ...]:
        """Decision 766's indicators of the total (or of ``counts``, e.g. one row's)."""
        return indicators(self.total if counts is None else counts, self.inputs, self.weights)

    def score(self, counts: Counts | None = None) -> Score:
        return score(self.indicators(counts))

    def attainment(self) -> tuple[Attainment, ...]:
        return attainment(self.indicators(), self.targets)


def check_by(by: Iterable[str] | str | None) -> tuple[str, ...]:
    """The grouping dimensions, checked: ``"agency,procedure"`` or a sequence of names."""
    if by is None:
        return ()
    names = tuple(n.strip() for n in by.split(",") if n.strip()) if isinstance(by, str) \
        else tuple(by)
    for n in names:
        if n not in DIMENSIONS:
            raise InvalidArgument(f"cannot group by {n!r}; group by any of "
                                  f"{', '.join(DIMENSIONS)}")
    if len(set(names)) != len(names):
        raise InvalidArgument(f"group by each dimension once, got {', '.join(names)}")
    return names
