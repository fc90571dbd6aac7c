"""Property tests of calendar arithmetic against independent oracles.

numpy's business-day functions for calendars without weekend working days; a naive
day-by-day loop for calendars with make-up days and for office time.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import attrs
import numpy as np
import pendulum
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dossierflow import OutOfCalendarRange
from dossierflow.calendar import DayOff, MakeupWorkday, WorkCalendar, vietnam

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST, LAST = 2000, 2003
DAYS = st.dates(dt.date(FIRST, 1, 1), dt.date(LAST, 12, 31))
INNER_DAYS = st.dates(dt.date(FIRST, 3, 1), dt.date(LAST, 10, 31))
HOURS = [
    ["08:00-12:00", "13:00-17:00"],
    ["07:30-11:30", "13:30-17:00"],
    ["00:00-23:59"],
    ["09:00-09:01", "22:00-23:00"],
]


@st.composite
def calendars(draw: st.DrawFn, *, makeup: bool) -> WorkCalendar:
    mask = draw(st.text(alphabet="01", min_size=7, max_size=7).filter(lambda m: m.count("1") > 0))
    offs = draw(st.lists(DAYS, max_size=80, unique=True))
    cal = WorkCalendar(
        name="generated", timezone="Asia/Ho_Chi_Minh", first_year=FIRST, last_year=LAST,
        weekmask=mask, days_off=[DayOff(d, "generated", "test") for d in offs],
    )
    if makeup:
        rest = [d for d in draw(st.lists(DAYS, max_size=40, unique=True))
                if mask[d.weekday()] == "0"]
        cal = cal.with_makeup_workdays(MakeupWorkday(d, "generated", "test") for d in rest)
    return cal.with_office_hours(draw(st.sampled_from(HOURS)))


def naive_is_working(cal: WorkCalendar, day: dt.date) -> bool:
    if any(e.day == day for e in cal.days_off):
        return False
    return cal.weekmask[day.weekday()] == "1" or any(e.day == day for e in cal.makeup_workdays)


def naive_add(cal: WorkCalendar, day: dt.date, n: int) -> dt.date:
    while not naive_is_working(cal, day):
        day += dt.timedelta(days=1)
    step = 1 if n >= 0 else -1
    for _ in range(abs(n)):
        day += dt.timedelta(days=step)
        while not naive_is_working(cal, day):
            day += dt.timedelta(days=step)
    return day


def naive_add_or_max(cal: WorkCalendar, day: dt.date, n: int) -> dt.date:
    # The naive loop walks off the calendar's range when there are too few working days.
    try:
        return naive_add(cal, day, n)
    except (OverflowError, OutOfCalendarRange):
        return dt.date.max


def _numpy(cal: WorkCalendar) -> np.busdaycalendar:
    return np.busdaycalendar(
        weekmask=cal.weekmask, holidays=[np.datetime64(e.day) for e in cal.days_off]
    )


def _in_range(day: dt.date) -> bool:
    return FIRST <= day.year <= LAST


@given(calendars(makeup=False), INNER_DAYS, st.integers(-150, 150))
def test_add_working_days_agrees_with_numpy(cal: WorkCalendar, day: dt.date, n: int) -> None:
    expected = np.busday_offset(
        np.datetime64(day), n, roll="forward", busdaycal=_numpy(cal)
    ).astype(dt.date)
    if _in_range(expected):
        assert cal.add_working_days(day, n) == expected
    else:
        with pytest.raises(OutOfCalendarRange):
            cal.add_working_days(day, n)


@given(calendars(makeup=False), INNER_DAYS, INNER_DAYS)
def test_working_days_between_agrees_with_numpy(
    cal: WorkCalendar, a: dt.date, b: dt.date
) -> None:
    a, b = sorted((a, b))
    expected = int(np.busday_count(np.datetime64(a), np.datetime64(b), busdaycal=_numpy(cal)))
    assert cal.working_days_between(a, b) == expected
    # Backwards the count is the negation (numpy counts (b, a] instead, which would break the
    # inverse relation with add_working_days).
    assert cal.working_days_between(b, a) == -expected


@given(calendars(makeup=True), INNER_DAYS, st.integers(-60, 60))
def test_add_working_days_agrees_with_a_naive_loop(cal: WorkCalendar, day: dt.date, n: int) -> None:
    assert cal.is_working_day(day) == naive_is_working(cal, day)
    try:
        expected = naive_add(cal, day, n)
    except (OverflowError, OutOfCalendarRange):
        expected = dt.date.max
    if _in_range(expected):
        assert cal.add_working_days(day, n) == expected
    else:
        with pytest.raises(OutOfCalendarRange):
            cal.add_working_days(day, n)


@given(calendars(makeup=True), INNER_DAYS, st.integers(-200, 200))
def test_between_is_the_inverse_of_add(cal: WorkCalendar, day: dt.date, n: int) -> None:
    assume(_in_range(naive_add_or_max(cal, day, n)))
    assert cal.working_days_between(day, cal.add_working_days(day, n)) == n


@given(calendars(makeup=True), INNER_DAYS, INNER_DAYS)
def test_add_is_the_inverse_of_between_on_working_days(
    cal: WorkCalendar, a: dt.date, b: dt.date
) -> None:
    b = naive_add_or_max(cal, b, 0)  # the first working day from b
    assume(_in_range(b))
    assert cal.add_working_days(a, cal.working_days_between(a, b)) == b


@given(calendars(makeup=True), INNER_DAYS, st.integers(-100, 100), st.integers(-100, 100))
def test_add_working_days_is_monotonic(cal: WorkCalendar, day: dt.date, m: int, n: int) -> None:
    lo, hi = sorted((m, n))
    assume(_in_range(naive_add_or_max(cal, day, lo)) and _in_range(naive_add_or_max(cal, day, hi)))
    assert cal.add_working_days(day, lo) <= cal.add_working_days(day, hi)
    later = cal.add_working_days(day, 0)
    assert cal.add_working_days(later, 0) == later


@given(calendars(makeup=True), INNER_DAYS)
def test_next_and_previous_working_day(cal: WorkCalendar, day: dt.date) -> None:
    assume(_in_range(naive_add_or_max(cal, day, -1)) and _in_range(naive_add_or_max(cal, day, 1)))
    nxt, prev = cal.next_working_day(day), cal.previous_working_day(day)
    assert prev < day < nxt
    assert naive_is_working(cal, nxt)
    assert naive_is_working(cal, prev)
    assert cal.working_days_between(prev + dt.timedelta(1), nxt) == int(cal.is_working_day(day))


# ------------------------------------------------------------------ instants

INSTANTS = st.datetimes(
    min_value=dt.datetime(FIRST, 3, 1), max_value=dt.datetime(LAST, 10, 1),
    timezones=st.sampled_from([TZ, dt.UTC, dt.timezone(dt.timedelta(hours=-5))]),
)
DURATIONS = st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(hours=400))


def add_or_skip(cal: WorkCalendar, t: dt.datetime, d: dt.timedelta) -> dt.datetime:
    """add_working_time, skipping examples whose sparse calendars run past their range."""
    try:
        return cal.add_working_time(t, d)
    except OutOfCalendarRange:
        assume(False)
        raise


def naive_office_time(cal: WorkCalendar, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    """Office time between a <= b, summing each day's sessions (one step a day)."""
    a, b = a.astimezone(TZ), b.astimezone(TZ)
    total = dt.timedelta(0)
    day = a.date()
    while day <= b.date():
        status = cal.describe(day)
        for s in status.sessions:
            start = dt.datetime.combine(day, s.start, TZ)
            end = dt.datetime.combine(day, s.end, TZ)
            lo, hi = max(start, a), min(end, b)
            if hi > lo:
                total += hi - lo
        day += dt.timedelta(days=1)
    return total


@given(calendars(makeup=True), INSTANTS, DURATIONS)
def test_add_working_time_lands_open_and_loses_no_time(
    cal: WorkCalendar, t: dt.datetime, d: dt.timedelta
) -> None:
    u = add_or_skip(cal, t, d)
    assert cal.is_open(u)
    assert u >= t
    assert cal.working_time_between(t, u) == d
    assert naive_office_time(cal, t, u) == d
    # The result is the earliest open instant with that much office time behind it.
    assert u == cal.next_opening(u)


@given(calendars(makeup=True), INSTANTS, DURATIONS)
def test_office_time_to_a_result_is_the_duration_both_ways(
    cal: WorkCalendar, t: dt.datetime, d: dt.timedelta
) -> None:
    # What the clock relies on when it judges a step without reading its due: office time up
    # to a due projected with add_working_time is office time up to the start plus the rest.
    for x in (d, -d):
        u = add_or_skip(cal, t, x)
        assert cal.working_time_between(t, u) == x
        zone = ZoneInfo(cal.timezone)  # and through the fast path
        assert cal.working_time_between(t.astimezone(zone), u.astimezone(zone)) == x


@given(calendars(makeup=True), INSTANTS, st.timedeltas(dt.timedelta(0), dt.timedelta(days=60)))
def test_working_time_between_agrees_with_naive_sum(
    cal: WorkCalendar, a: dt.datetime, gap: dt.timedelta
) -> None:
    b = a + gap
    assert cal.working_time_between(a, b) == naive_office_time(cal, a, b)
    assert cal.working_time_between(b, a) == -cal.working_time_between(a, b)


@given(calendars(makeup=True), INSTANTS, DURATIONS, DURATIONS)
def test_add_working_time_is_monotonic_and_additive(
    cal: WorkCalendar, t: dt.datetime, d1: dt.timedelta, d2: dt.timedelta
) -> None:
    lo, hi = sorted((d1, d2))
    assert add_or_skip(cal, t, lo) <= add_or_skip(cal, t, hi)
    assert add_or_skip(cal, add_or_skip(cal, t, d1), d2) == add_or_skip(cal, t, d1 + d2)


@given(calendars(makeup=True), INSTANTS, DURATIONS)
def test_negative_working_time_goes_back(
    cal: WorkCalendar, t: dt.datetime, d: dt.timedelta
) -> None:
    u = add_or_skip(cal, t, d)
    assert add_or_skip(cal, u, -d) == cal.next_opening(t)


@given(calendars(makeup=True), INSTANTS)
def test_next_opening_and_working_date(cal: WorkCalendar, t: dt.datetime) -> None:
    o = cal.next_opening(t)
    assert o >= t
    assert cal.is_open(o)
    assert cal.working_time_between(t, o) == dt.timedelta(0)
    if cal.is_open(t):
        assert o == t
    assert cal.working_date(t) == o.date()
    assert cal.is_working_day(cal.working_date(t))
    assert cal.local_date(t) == t.astimezone(TZ).date()


@given(INSTANTS, DURATIONS)
def test_pendulum_instants_are_accepted(t: dt.datetime, d: dt.timedelta) -> None:
    cal = vietnam()
    p = pendulum.instance(t.astimezone(dt.UTC)).in_timezone("Europe/Paris")
    assert cal.add_working_time(p, d) == cal.add_working_time(t, d)


@given(calendars(makeup=True), st.sampled_from([None, *HOURS, ["08:00-11:00"]]),
       st.sets(st.integers(0, 6), min_size=1), INSTANTS,
       st.timedeltas(-dt.timedelta(hours=400), dt.timedelta(hours=400)))
def test_add_working_time_fast_paths_are_the_definition(
    cal: WorkCalendar, hours: list[str] | None, weekdays: set[int], t: dt.datetime,
    d: dt.timedelta,
) -> None:
    # Some weekdays with other hours, so that sessions of the usual length and others mix.
    if hours is not None:
        cal = cal.with_office_hours(hours, weekdays=weekdays)
    try:
        cal.is_working_day(dt.date(FIRST, 1, 1))
        cal.is_working_day(dt.date(LAST, 12, 31))  # the whole range indexed: fast paths on
        s, w = cal._work(t, "instant")
        expected = cal._from_work(s, w + d, t)  # the definition: two searches, no shortcut
    except OutOfCalendarRange:
        assume(False)
    got = cal.add_working_time(t, d)
    assert got == expected
    assert got.tzinfo is expected.tzinfo


@pytest.mark.parametrize("hours", [None, ["07:30-11:30", "13:30-17:00"]])
def test_add_working_time_past_the_loaded_years_grows_the_index(hours: list[str] | None) -> None:
    # Only 2026 is indexed when the query runs: the result, in 2027, is past the loaded
    # sessions, so the fast path hands over and the index grows.
    cal = vietnam() if hours is None else vietnam().with_office_hours(hours)
    both = attrs.evolve(cal)  # same calendar, its own index
    both.is_working_day(dt.date(2027, 6, 1))
    both.is_working_day(dt.date(2026, 6, 1))
    for hour, minutes in ((10, 0), (16, 59), (20, 0)):
        fresh = attrs.evolve(cal)
        fresh.is_working_day(dt.date(2026, 12, 1))
        t = dt.datetime(2026, 12, 31, hour, minutes, tzinfo=TZ)
        d = dt.timedelta(hours=13, minutes=7)
        assert fresh.add_working_time(t, d) == both.add_working_time(t, d)
        assert fresh.add_working_time(t, d).year == 2027


# ------------------------------------------------------------------ the one session lookup

WALL = st.datetimes(min_value=dt.datetime(FIRST, 1, 1), max_value=dt.datetime(LAST, 12, 31, 23, 59))


@given(calendars(makeup=True), st.sampled_from([None, *HOURS, ["08:00-11:00"]]),
       st.sets(st.integers(0, 6), min_size=1), WALL, st.booleans())
def test_inlined_session_lookups_are_the_definition(
    cal: WorkCalendar, hours: list[str] | None, weekdays: set[int], wall: dt.datetime,
    on_the_hour: bool,
) -> None:
    # add_working_time and opening_and_end inline _Span.session_at (add_working_time also
    # reads the session off the hour when every working day has the same sessions): at zero
    # office time both give the instant itself while a session holds it, else the next opening.
    if hours is not None:
        cal = cal.with_office_hours(hours, weekdays=weekdays)
    if on_the_hour:  # openings and closings on the hour: the hour shortcut answers
        wall = wall.replace(minute=0, second=0, microsecond=0)
    cal.is_working_day(dt.date(FIRST, 1, 1))
    cal.is_working_day(dt.date(LAST, 12, 31))  # the whole range indexed: fast paths on
    local = wall.replace(tzinfo=ZoneInfo(cal.timezone))
    s = cal._cache.span
    assert s is not None
    k, into = s.session_at(local.toordinal() - s.base, local)
    assert cal.is_open(local) == (into is not None)
    if into is None:
        assume(k < s.nsessions)  # no opening left in the range: the fast paths hand over
        expected = s.start[k]
    else:
        assert s.start[k] + into == local
        expected = local
    assert cal.add_working_time(local, dt.timedelta(0)) == expected
    assert cal.opening_and_end(local, days=0)[0] == expected
    assert cal.opening_and_end(local, office_time=dt.timedelta(0))[0] == expected


def closing_or_none(cal: WorkCalendar, day: dt.date) -> dt.datetime:
    if not cal.is_working_day(day):
        day = cal.next_working_day(day)
    return cal.closing_time(day)


@given(calendars(makeup=True), INSTANTS, st.none() | st.times(),
       st.none() | st.timedeltas(dt.timedelta(0), dt.timedelta(hours=200)),
       st.integers(0, 60), st.booleans(), st.booleans())
def test_opening_and_end_is_its_definition(
    cal: WorkCalendar, t: dt.datetime, after: dt.time | None, office: dt.timedelta | None,
    days: int, to_close: bool, indexed: bool,
) -> None:
    if indexed:
        cal.is_working_day(dt.date(FIRST, 1, 1))
        cal.is_working_day(dt.date(LAST, 12, 31))
    try:
        start = cal.next_opening(t)
        if after is not None and start.time() > after:
            start = cal.next_opening(cal.closing_time(start.date()))
        if office is not None:
            end = cal.add_working_time(start, office)
            if to_close:
                end = cal.closing_time(end.date())
        else:
            end = closing_or_none(cal, start.date() + dt.timedelta(days=days))
    except OutOfCalendarRange:
        with pytest.raises(OutOfCalendarRange):
            cal.opening_and_end(t, office_time=office, days=days, to_close=to_close,
                                next_day_after=after)
        return
    got = cal.opening_and_end(t, office_time=office, days=days, to_close=to_close,
                              next_day_after=after)
    assert got == (start, end)
    assert got[0].tzinfo is got[1].tzinfo is ZoneInfo(cal.timezone)


@given(calendars(makeup=True), INSTANTS, st.timedeltas(-dt.timedelta(days=60),
                                                      dt.timedelta(days=60)))
def test_working_time_between_fast_path_is_its_definition(
    cal: WorkCalendar, a: dt.datetime, gap: dt.timedelta,
) -> None:
    zone = ZoneInfo(cal.timezone)
    a = a.astimezone(zone)  # on the calendar's zone: the fast path
    b = (a + gap).astimezone(zone)
    try:
        cal.is_working_day(dt.date(FIRST, 1, 1))
        cal.is_working_day(dt.date(LAST, 12, 31))  # the whole range indexed
        s1, w1 = cal._work(a, "start")  # the definition, through the checked path
        s2, w2 = cal._work(b, "end")
    except OutOfCalendarRange:
        assume(False)
    assert s1 is s2
    assert cal.working_time_between(a, b) == w2 - w1
