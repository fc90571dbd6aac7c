"""Bad input is refused with errors that name the input; layers apply deployment data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dossierflow import (
    DossierflowError,
    InvalidArgument,
    InvalidCalendar,
    LayerFileError,
    NaiveDatetimeError,
    OutOfCalendarRange,
)
from dossierflow.calendar import DayOff, MakeupWorkday, WorkCalendar, load_layer, vietnam

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
D = dt.date.fromisoformat


def test_naive_datetimes_are_refused(vn: WorkCalendar) -> None:
    naive = dt.datetime(2026, 3, 2, 9, 0)
    for call in (vn.is_open, vn.next_opening, vn.local_date, vn.working_date):
        with pytest.raises(NaiveDatetimeError, match="naive datetime") as info:
            call(naive)
        assert isinstance(info.value, ValueError)
        assert isinstance(info.value, DossierflowError)
    with pytest.raises(NaiveDatetimeError, match="start="):
        vn.working_time_between(naive, dt.datetime(2026, 3, 2, tzinfo=TZ))
    with pytest.raises(NaiveDatetimeError):
        vn.add_working_time(naive, dt.timedelta(hours=1))


@pytest.mark.parametrize("day", [D("1999-12-31"), D("2100-01-01")])
def test_out_of_range_queries_raise(vn: WorkCalendar, day: dt.date) -> None:
    with pytest.raises(OutOfCalendarRange, match="covers 2000-2099") as info:
        vn.is_working_day(day)
    assert info.value.day == day
    assert isinstance(info.value, LookupError)
    with pytest.raises(OutOfCalendarRange):
        vn.add_working_days(day, 0)
    with pytest.raises(OutOfCalendarRange):
        vn.is_estimated(day)


def test_arithmetic_past_the_range_raises(vn: WorkCalendar) -> None:
    with pytest.raises(OutOfCalendarRange):
        vn.add_working_days(D("2099-12-30"), 5)
    with pytest.raises(OutOfCalendarRange):
        vn.add_working_days(D("2000-01-05"), -10)
    with pytest.raises(OutOfCalendarRange):
        vn.add_working_time(dt.datetime(2099, 12, 31, 9, tzinfo=TZ), dt.timedelta(hours=40))


@pytest.mark.parametrize("n", [1.5, 0.5, "2", True, None])
def test_day_counts_must_be_whole_numbers(vn: WorkCalendar, n: object) -> None:
    with pytest.raises(InvalidArgument, match="whole number of working days"):
        vn.add_working_days(D("2026-03-02"), n)  # type: ignore[arg-type]


def test_dates_must_be_dates(vn: WorkCalendar) -> None:
    with pytest.raises(InvalidArgument, match=r"local_date\(day\)"):
        vn.is_working_day(dt.datetime(2026, 3, 2, tzinfo=TZ))  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match=r"datetime\.date"):
        vn.add_working_days("2026-03-02", 1)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="timedelta"):
        vn.add_working_time(dt.datetime(2026, 3, 2, tzinfo=TZ), 4)  # type: ignore[arg-type]


@pytest.mark.parametrize("duration", [4, 4.5, True, None, "4h"])
def test_durations_must_be_timedeltas_on_the_fast_path(vn: WorkCalendar, duration: object) -> None:
    start = dt.datetime(2026, 3, 2, 9, tzinfo=TZ)
    vn.add_working_time(start, dt.timedelta(hours=1))  # the index now covers the instant
    with pytest.raises(InvalidArgument, match=r"duration must be a datetime\.timedelta"):
        vn.add_working_time(start, duration)  # type: ignore[arg-type]



@pytest.mark.parametrize("instant", [dt.time(9, tzinfo=TZ), "2026-03-02T09:00+07:00", None])
def test_instants_must_be_datetimes_on_the_fast_path(vn: WorkCalendar, instant: object) -> None:
    vn.add_working_time(dt.datetime(2026, 3, 2, 9, tzinfo=TZ), dt.timedelta(hours=1))
    with pytest.raises(InvalidArgument, match=r"instant must be a timezone-aware datetime"):
        vn.add_working_time(instant, dt.timedelta(hours=1))  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match=r"instant must be a timezone-aware datetime"):
        vn.opening_and_end(instant, days=1)  # type: ignore[arg-type]


def test_add_working_time_hands_over_at_the_ends_of_the_index() -> None:
    # Only 2026 indexed: instants before and after it, and results past it, take the checked
    # path, which grows the index (or says the calendar ends).
    cal = vietnam()
    cal.is_working_day(D("2026-06-01"))
    hour = dt.timedelta(hours=1)
    # 1 January 2026 is New Year's Day and 2 January a swapped day off: Monday 5 January.
    assert cal.add_working_time(dt.datetime(2025, 12, 31, 16, tzinfo=TZ), 2 * hour) == (
        dt.datetime(2026, 1, 5, 9, tzinfo=TZ))
    assert cal.add_working_time(dt.datetime(2027, 1, 4, 9, tzinfo=TZ), hour) == (
        dt.datetime(2027, 1, 4, 10, tzinfo=TZ))
    assert cal.add_working_time(dt.datetime(2026, 12, 31, 16, tzinfo=TZ), 2 * hour).year == 2027
    with pytest.raises(OutOfCalendarRange):
        cal.add_working_time(dt.datetime(2099, 12, 31, 16, tzinfo=TZ), 2 * hour)


def test_opening_and_end_refuses_bad_arguments(vn: WorkCalendar) -> None:
    t = dt.datetime(2026, 3, 2, 9, tzinfo=TZ)
    vn.is_open(t)
    with pytest.raises(NaiveDatetimeError):
        vn.opening_and_end(t.replace(tzinfo=None), days=1)
    with pytest.raises(InvalidArgument, match=r"office_time must be a datetime\.timedelta"):
        vn.opening_and_end(t, office_time=4)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="days must be a whole number"):
        vn.opening_and_end(t, days=1.5)  # type: ignore[arg-type]
    for bad in ("15:00", dt.time(15, tzinfo=TZ)):
        with pytest.raises(InvalidArgument, match="next_day_after must be a wall-clock"):
            vn.opening_and_end(t, days=0, next_day_after=bad)  # type: ignore[arg-type]
    with pytest.raises(OutOfCalendarRange):
        vn.opening_and_end(dt.datetime(2099, 12, 31, 16, tzinfo=TZ), days=3)
    # 09:00 on Monday 2 March 2026: 16 hours of office time, or the close of 12 March.
    assert vn.opening_and_end(t, office_time=dt.timedelta(hours=16)) == (
        t, dt.datetime(2026, 3, 4, 9, tzinfo=TZ))
    assert vn.opening_and_end(t, office_time=dt.timedelta(hours=16), to_close=True) == (
        t, dt.datetime(2026, 3, 4, 17, tzinfo=TZ))
    assert vn.opening_and_end(t, days=10) == (t, dt.datetime(2026, 3, 12, 17, tzinfo=TZ))
    # After 08:30 the opening moves to the next working day's.
    assert vn.opening_and_end(t, next_day_after=dt.time(8, 30)) == (
        dt.datetime(2026, 3, 3, 8, tzinfo=TZ), dt.datetime(2026, 3, 3, 17, tzinfo=TZ))

def test_bad_calendars_are_refused() -> None:
    base = {"name": "x", "timezone": "Asia/Ho_Chi_Minh", "first_year": 2020, "last_year": 2021}
    with pytest.raises(InvalidCalendar, match="weekmask"):
        WorkCalendar(**base, weekmask="11111")  # type: ignore[arg-type]
    with pytest.raises(InvalidCalendar, match="IANA"):
        WorkCalendar(**{**base, "timezone": "Mars/Olympus"})  # type: ignore[arg-type]
    with pytest.raises(InvalidCalendar, match="after last_year"):
        WorkCalendar(**{**base, "first_year": 2022})  # type: ignore[arg-type]
    cal = WorkCalendar(**base)  # type: ignore[arg-type]
    with pytest.raises(InvalidCalendar, match="already a working day"):
        cal.with_makeup_workdays([MakeupWorkday(D("2020-03-02"), "r", "s")])
    with pytest.raises(InvalidCalendar, match="outside the calendar's years"):
        cal.with_days_off([DayOff(D("2025-03-02"), "r", "s")])
    with pytest.raises(InvalidArgument, match="non-empty string"):
        DayOff(D("2020-03-02"), "closure", "")
    with pytest.raises(InvalidCalendar, match="overlap"):
        cal.with_office_hours(["08:00-12:00", "11:00-17:00"])
    with pytest.raises(InvalidArgument, match="HH:MM"):
        cal.with_office_hours(["8h-12h"])
    with pytest.raises(InvalidArgument, match="not a weekday"):
        cal.with_office_hours(["08:00-12:00"], weekdays=["someday"])


def test_closure_and_saturday_reception(vn: WorkCalendar) -> None:
    typhoon = vn.with_closure(D("2026-10-27"), D("2026-10-28"), reason="Typhoon: offices closed",
                              source="Official Dispatch 1/UBND (example)")
    assert not typhoon.is_working_day(D("2026-10-27"))
    assert vn.is_working_day(D("2026-10-27"))
    assert typhoon.add_working_days(D("2026-10-26"), 1) == D("2026-10-29")
    assert vn.add_working_days(D("2026-10-26"), 1) == D("2026-10-27")
    reception = vn.with_weekmask("1111110").with_office_hours(["08:00-11:30"], weekdays=["sat"])
    sat = dt.datetime(2026, 3, 7, 10, 0, tzinfo=TZ)
    assert reception.is_open(sat)
    assert not vn.is_open(sat)
    assert not reception.is_open(sat.replace(hour=14))
    assert reception.add_working_time(sat, dt.timedelta(hours=2)) == dt.datetime(
        2026, 3, 9, 8, 30, tzinfo=TZ)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_layer_file_announces_next_year(tmp_path: Path, vn: WorkCalendar) -> None:
    p = _write(tmp_path, "vn-2027.toml", """
name = "Vietnam 2027 (hypothetical announcement)"
announced_years = [2027]
[[days_off]]
date = 2027-01-01
reason = "New Year's Day"
source = "Labour Code 2019 Art. 112(1)(a)"
[[days_off]]
date = 2027-02-04
until = 2027-02-10
reason = "Tết window"
source = "Hypothetical dispatch 1/VPCP-KGVX"
[[makeup_workdays]]
date = 2027-02-20
reason = "Worked in exchange"
source = "Hypothetical dispatch 1/VPCP-KGVX"
""")
    cal = vn.with_layer_file(p)
    assert not cal.is_estimated(D("2027-06-01"))
    assert vn.is_estimated(D("2027-06-01"))
    assert not cal.is_working_day(D("2027-02-04"))
    assert cal.is_working_day(D("2027-02-20"))
    # The rule is no longer consulted for 2027: a holiday the file does not list is worked.
    assert cal.is_working_day(D("2027-09-02"))
    assert not vn.is_working_day(D("2027-09-02"))
    assert {e.day for e in cal.days_off_in(2027)} >= {D("2027-02-10"), D("2027-01-01")}


def test_layer_json_with_office_hours(tmp_path: Path, vn: WorkCalendar) -> None:
    p = _write(tmp_path, "agency.json", json.dumps({
        "name": "agency", "office_hours": [{"sessions": ["07:30-11:30", "13:30-17:00"]}],
        "days_off": [{"date": "2026-10-27", "reason": "Flood", "source": "Decision 5/QĐ"}],
    }))
    cal = vn.with_layer(load_layer(p))
    assert cal.is_open(dt.datetime(2026, 3, 2, 7, 45, tzinfo=TZ))
    assert not cal.is_working_day(D("2026-10-27"))


@pytest.mark.parametrize(
    ("name", "text", "match", "line", "key"),
    [
        ("a.toml", "name = 'x'\n[[days_off]]\ndate = 2026-13-01\n", "not valid TOML", 3, None),
        ("b.toml", "[[days_off]]\ndate = 2026-10-01\nreason = 'r'\nsource = 's'\n\n"
         "[[days_off]]\ndate = 'nope'\nreason='r'\nsource='s'\n", "YYYY-MM-DD", 6,
         "days_off[1].date"),
        ("c.toml", "[[days_off]]\ndate = 2026-10-01\nreason = 'r'\n", "non-empty 'source'", 1,
         "days_off[0].source"),
        ("d.toml", "colour = 'red'\n", "unknown key", None, "colour"),
        ("e.json", '{"days_off": [}', "not valid JSON", 1, None),
        ("f.toml", "weekmask = '11'\n", "seven", None, "weekmask"),
        ("g.toml", "[[makeup_workdays]]\ndate = 2026-10-03\nreason='r'\nsource='s'\n"
         "[[days_off]]\ndate = 2026-10-03\nreason='r'\nsource='s'\n", "both", None,
         "makeup_workdays"),
        ("h.txt", "", "must end in .toml or .json", None, None),
        ("i.toml", "announced_years = [2027]\n", "lists no day off", None, "announced_years"),
        ("j.toml", "[[office_hours]]\nsessions = ['9-5']\n", "HH:MM", 1, "office_hours[0]"),
    ],
)
def test_malformed_layer_files(
    tmp_path: Path, name: str, text: str, match: str, line: int | None, key: str | None
) -> None:
    p = _write(tmp_path, name, text)
    with pytest.raises(LayerFileError, match=match) as info:
        load_layer(p)
    err = info.value
    assert err.path == p
    assert str(p) in str(err)
    assert err.line == line
    assert err.key == key


def test_layer_outside_the_range_names_the_file(tmp_path: Path) -> None:
    p = _write(tmp_path, "far.toml", "[[days_off]]\ndate = 2150-01-02\nreason='r'\nsource='s'\n")
    with pytest.raises(LayerFileError, match=r"far\.toml.*outside"):
        vietnam().with_layer_file(p)
    with pytest.raises(LayerFileError, match="cannot read"):
        load_layer(tmp_path / "missing.toml")


def test_calendars_are_immutable_values(vn: WorkCalendar) -> None:
    assert vietnam() is vn  # same arguments, same calendar (and index)
    assert vietnam(first_year=2000, last_year=2099) == vn
    closed = vn.with_closure(D("2026-10-27"), D("2026-10-27"), reason="r", source="s")
    assert closed != vn
    assert vn.is_working_day(D("2026-10-27"))
    with pytest.raises(AttributeError):
        vn.weekmask = "1111111"  # type: ignore[misc]
