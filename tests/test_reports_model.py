"""The report model: Decision 766's formulas on counts worked by hand, group caps, bands,
targets, and the checks on what a caller gives."""

from __future__ import annotations

import datetime as dt

import pytest

from dossierflow import InvalidArgument
from dossierflow.reports import (
    Counts,
    Inputs,
    Period,
    Report,
    Row,
    Target,
    band,
    check_by,
    indicators,
    score,
)

COUNTS = Counts(received_online=60, received_direct=40, carried_over=5, resolved_early=50,
                resolved_on_time=40, resolved_late=2, pending_in_time=12, pending_overdue=1,
                fully_online_eligible=50, fully_online=20, fee_bearing=80, paid_online=27,
                results=90, electronic_results=45, components=300, digitised=200, reused=30,
                rated=40, rated_unsatisfied=1, complained_or_unsatisfied=2, complaints=2,
                complaints_answered_on_time=1, complaints_satisfied=2)


def points(counts: Counts, inputs: Inputs | None = None) -> dict[str, float | None]:
    return {i.code: i.points for i in indicators(counts, inputs or Inputs())}


def test_each_indicator_from_counts_worked_by_hand() -> None:
    p = points(COUNTS)
    # judged = 92 ended + 13 pending = 105; in time = 50 + 40 + 12 = 102: 20 × 102/105.
    assert p["progress.on_time"] == round(20 * 102 / 105, 4) == 19.4286
    assert p["online.fully_online"] == 12 * 20 / 50 == 4.8
    assert p["payment.a"] == round(6 * 27 / 80, 4) == 2.025
    assert p["digitisation.electronic_result"] == 6 * 45 / 90 == 3.0
    assert p["digitisation.components"] == round(4 * (200 / 300) / 0.8, 4) == 3.3333
    assert p["digitisation.reused"] == 0.75  # 2 × (30/100) ÷ 80%
    assert p["satisfaction.complaints_on_time"] == 3.0
    assert p["satisfaction.complaints_satisfied"] == 6.0
    # rate = 1 − (3 late of 105 judged + 2 of 100 received) = 0.95143; ÷ 0.9 ≥ 1: full 6.
    assert p["satisfaction.dossiers"] == 6.0
    assert p["payment.b"] is None  # an input not given
    rates = {i.code: i.rates for i in indicators(COUNTS)}
    late, share = rates["satisfaction.dossiers"]
    assert (late.numerator, late.denominator, share.numerator, share.denominator) == (
        3, 105, 2, 100)
    assert rates["progress.on_time"][0].formula == "766/2022"


def test_no_complaints_give_full_points_and_nothing_to_divide_gives_none() -> None:
    p = points(Counts(received_online=1))
    assert p["satisfaction.complaints_on_time"] == p["satisfaction.complaints_satisfied"] == 6
    assert p["progress.on_time"] is None


def test_a_group_is_capped_at_its_points() -> None:
    everything = Inputs(payment_b=1.0, payment_c=1.0)
    paid = Counts(fee_bearing=10, paid_online=10)
    found = indicators(paid, everything)
    parts = sum(i.points or 0 for i in found if i.group == "payment")
    assert parts == 10.5  # 6 + min(2, 2.5) + 2.5
    groups = {code: (got, most) for code, got, most in score(found).groups}
    assert groups["payment"] == (10, 10)


def test_the_total_and_its_band_need_every_indicator() -> None:
    assert score(indicators(COUNTS)).band_en is None  # inputs missing: no band
    full = Inputs(*([1.0] * 10))
    s = score(indicators(COUNTS, full))
    assert s.available == 100
    # 19.4286 + 4.8 + (2.025 + 2 + 2.5) + (3 + 3.3333 + 2 + 0.75 + 4 + 2 + 2) + (3 + 6 + 6)
    # + 18 = 80.8369: "good" (80 to 90).
    assert s.total == 80.8369
    assert (s.band_vi, s.band_en) == ("Tốt", "good")
    assert band(91) == ("Xuất sắc", "excellent")
    assert band(49.9) == ("Yếu", "weak")


def test_targets_and_their_attainment() -> None:
    report = Report(Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31)), (),
                    (Row((), COUNTS),))
    (online,) = report.attainment()
    assert online.rate is not None
    assert (online.rate.numerator, online.rate.denominator, online.met) == (27, 80, True)
    strict = Report(report.period, (), report.rows,
                    targets=(Target("digitised", "digitisation.components", 0.8),))
    assert strict.attainment()[0].met is False  # 200 of 300 is under 80%
    bad = Report(report.period, (), report.rows, targets=(Target("x", "transparency.synced",
                                                                  0.5),))
    with pytest.raises(InvalidArgument, match="not a rate of a report"):
        bad.attainment()


def test_what_a_caller_gives_is_checked() -> None:
    with pytest.raises(InvalidArgument, match="before it starts"):
        Period(dt.date(2026, 2, 1), dt.date(2026, 1, 1))
    with pytest.raises(InvalidArgument, match="rate from 0 to 1"):
        Inputs(published=1.5)
    with pytest.raises(InvalidArgument, match="cannot group by 'district'"):
        check_by("agency,district")
    with pytest.raises(InvalidArgument, match="once"):
        check_by(["agency", "agency"])
    with pytest.raises(InvalidArgument, match="count from 0"):
        Counts(received_online=-1)
    assert check_by("level, agency") == ("level", "agency")
    assert Counts.total([COUNTS, COUNTS]).received_total == 210
