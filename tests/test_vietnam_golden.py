"""Golden data: the Vietnamese civil-service calendar against independently recorded facts."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from dossierflow.calendar import WorkCalendar, announced_years, vietnam
from tests.oracles import vn_lunar

GOLDEN = Path(__file__).parent / "golden"
D = dt.date.fromisoformat


def _lunar_rows() -> list[tuple[int, dt.date, dt.date]]:
    with (GOLDEN / "vn_lunar_1990_2050.csv").open(encoding="utf-8") as fh:
        rows = csv.reader(line for line in fh if not line.startswith("#"))
        next(rows)
        return [(int(y), D(t), D(h)) for y, t, h in rows]


def test_lunar_oracle_reproduces_the_golden_table() -> None:
    for year, tet, hung in _lunar_rows():
        assert vn_lunar.tet(year) == tet
        assert vn_lunar.hung_kings(year) == hung


def test_lunar_oracle_knows_where_vietnam_and_china_differ() -> None:
    # Years where Tết (UTC+7) and Chinese New Year (UTC+8) fall on different days.
    assert vn_lunar.tet(1985) == D("1985-01-21")
    assert vn_lunar.tet(1985, tz=8) == D("1985-02-20")
    assert vn_lunar.tet(2007) == D("2007-02-17")
    assert vn_lunar.tet(2007, tz=8) == D("2007-02-18")
    assert vn_lunar.tet(2030) == D("2030-02-02")
    assert vn_lunar.tet(2030, tz=8) == D("2030-02-03")


@pytest.fixture(scope="module")
def wide() -> WorkCalendar:
    return vietnam(first_year=1990, last_year=2050)


def test_tet_is_a_day_off_every_year(wide: WorkCalendar) -> None:
    for year, tet, _ in _lunar_rows():
        status = wide.describe(tet)
        assert not status.working, year
        assert status.kind == "day_off", (year, status)
        assert "Lunar New Year" in status.reason, (year, status)


def test_hung_kings_day_is_a_day_off_since_2007(wide: WorkCalendar) -> None:
    for year, _, hung in _lunar_rows():
        if year < 2007:  # a public holiday from the 2007 amendment of the Labour Code
            continue
        status = wide.describe(hung)
        assert status.kind == "day_off", (year, status)
        assert "Kings' Commemoration" in status.reason, (year, status)


# Weekdays off and Saturdays worked by civil servants, recorded by hand from the Government's
# announcements as reported at the time (see the sources in data/vietnam/<year>.toml).
WEEKDAYS_OFF = {
    2019: "01-01 02-04 02-05 02-06 02-07 02-08 04-15 04-29 04-30 05-01 09-02",
    2020: "01-01 01-23 01-24 01-27 01-28 01-29 04-02 04-30 05-01 09-02",
    2021: "01-01 02-10 02-11 02-12 02-15 02-16 04-21 04-30 05-03 09-02 09-03",
    2022: "01-03 01-31 02-01 02-02 02-03 02-04 04-11 05-02 05-03 09-01 09-02",
    2023: "01-02 01-20 01-23 01-24 01-25 01-26 05-01 05-02 05-03 09-01 09-04",
    2024: "01-01 02-08 02-09 02-12 02-13 02-14 04-18 04-29 04-30 05-01 09-02 09-03",
    2025: "01-01 01-27 01-28 01-29 01-30 01-31 04-07 04-30 05-01 05-02 09-01 09-02",
    2026: "01-01 01-02 02-16 02-17 02-18 02-19 02-20 04-27 04-30 05-01 08-31 09-01 09-02",
}
SATURDAYS_WORKED = {
    2019: "01-05 05-04", 2020: "", 2021: "", 2022: "", 2023: "", 2024: "05-04",
    2025: "04-26", 2026: "01-10 08-22",
}


@pytest.mark.parametrize("year", sorted(WEEKDAYS_OFF))
def test_announced_year_matches_the_record(vn: WorkCalendar, year: int) -> None:
    expected_off = {D(f"{year}-{md}") for md in WEEKDAYS_OFF[year].split()}
    expected_sat = {D(f"{year}-{md}") for md in SATURDAYS_WORKED[year].split()}
    days = [dt.date(year, 1, 1) + dt.timedelta(n) for n in range(366)]
    days = [d for d in days if d.year == year]
    off = {d for d in days if d.weekday() < 5 and not vn.is_working_day(d)}
    worked = {d for d in days if d.weekday() >= 5 and vn.is_working_day(d)}
    assert off == expected_off
    assert worked == expected_sat
    assert not any(vn.is_estimated(d) for d in days)
    for entry in (*vn.days_off_in(year), *vn.makeup_workdays_in(year)):
        assert entry.source
        assert entry.reason
        assert not entry.estimated


def test_announced_years_are_2019_to_2026() -> None:
    assert announced_years() == tuple(range(2019, 2027))


def test_2026_new_year_swap_missing_from_python_holidays(vn: WorkCalendar) -> None:
    # Official Letter 12729/VPCP-KGVX: Friday 2 January off, Saturday 10 January worked.
    assert not vn.is_working_day(D("2026-01-02"))
    assert vn.is_working_day(D("2026-01-10"))
    assert "12729/VPCP-KGVX" in vn.describe(D("2026-01-10")).source
    assert vn.add_working_days(D("2025-12-31"), 1) == D("2026-01-05")


def test_years_after_the_last_announcement_are_estimated(vn: WorkCalendar) -> None:
    assert vn.is_estimated(D("2027-03-01"))
    assert not vn.is_estimated(D("2026-12-31"))
    assert vn.describe(D("2027-02-06")).estimated  # Tết 2027 falls on Saturday 6 February


def test_national_day_is_one_day_until_2020_and_two_from_2021(vn: WorkCalendar) -> None:
    assert [d.day.day for d in vn.days_off_in(2020) if d.day.month == 9] == [2]
    assert [d.day.day for d in vn.days_off_in(2021) if d.day.month == 9] == [2, 3]
    assert len([d for d in vn.days_off_in(2027) if d.day.month == 9]) == 2


def test_compensatory_day_for_a_holiday_on_a_weekend(vn: WorkCalendar) -> None:
    # 2028: New Year's Day is a Saturday; the estimated rule gives Monday 3 January off.
    assert not vn.is_working_day(D("2028-01-03"))
    assert vn.is_estimated(D("2028-01-03"))


def test_culture_day_is_a_policy_off_by_default() -> None:
    assert vietnam().is_working_day(D("2026-11-24"))
    with_culture = vietnam(culture_day=True)
    assert not with_culture.is_working_day(D("2026-11-24"))
    assert "80-NQ/TW" in with_culture.describe(D("2026-11-24")).source
    assert not with_culture.is_working_day(D("2027-11-24"))  # Wednesday, estimated
    assert vietnam().is_working_day(D("2027-11-24"))


def test_default_office_hours_and_zone(vn: WorkCalendar) -> None:
    assert vn.timezone == "Asia/Ho_Chi_Minh"
    assert [str(s) for s in vn.describe(D("2026-03-02")).sessions] == ["08:00-12:00", "13:00-17:00"]
    assert [str(s) for s in vn.describe(D("2026-01-10")).sessions] == ["08:00-12:00", "13:00-17:00"]
