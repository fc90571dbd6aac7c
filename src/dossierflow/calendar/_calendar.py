"""The working-day calendar: an immutable value plus a lazily built rank index.

Date arithmetic is a pair of list lookups: for every day of the loaded span, ``rank[i]`` is the
number of working days before it and ``workdays[k]`` is the k-th working day. Instant arithmetic
uses a flat list of the span's office sessions: ``start[k]``, the aware local instant session
``k`` opens, ``length[k]``, its length, and ``cum[k]``, the working time before it; ``first[i]``
is the first session on or after day ``i``. An instant maps to working time by a binary search over
the starts of its own day, and working time maps back to an instant by a binary search over
``cum``, with no loop over days or sessions. Working time is kept as ``timedelta`` on the
calendar zone's wall clock, so every step is one C-level operation on the stdlib types. The index
covers a contiguous span of years and grows on demand, year by year data being resolved only when
first needed.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import threading
from array import array
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from dossierflow._errors import (
    InvalidArgument,
    InvalidCalendar,
    NaiveDatetimeError,
    OutOfCalendarRange,
)
from dossierflow.calendar._entries import (
    DayOff,
    DayStatus,
    MakeupWorkday,
    OfficeHours,
    Session,
    SessionsLike,
    to_weekdays,
)

if TYPE_CHECKING:
    from dossierflow.calendar._layers import Layer

YearRule = Callable[[int], tuple[Sequence[DayOff], Sequence[MakeupWorkday]]]
"""Computes the days off and make-up days of a year that has no announced schedule."""

_ZERO = dt.timedelta(0)
_NEAR = 128
"""Sessions after an instant within which add_working_time searches first (about 60 working
days with two sessions a day)."""
_bisect_right = bisect.bisect_right
_PAST = dt.timedelta.max
_Hot: TypeAlias = (
    "tuple[_Span, ZoneInfo, int, list[dt.datetime], array[int], list[dt.timedelta], "
    "dt.timedelta, int, int, list[int], list[dt.timedelta], int, list[int]]"
)
"""_Span.hot: what add_working_time reads (see there)."""
_date = dt.date
_datetime = dt.datetime
_time = dt.time
_timedelta = dt.timedelta


def _check_weekmask(_: object, __: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or len(value) != 7 or set(value) - {"0", "1"}:
        raise InvalidCalendar(
            f"weekmask {value!r} must be seven '0'/'1' characters, Monday first, "
            "e.g. '1111100' for Monday to Friday"
        )


def _check_timezone(_: object, __: attrs.Attribute[str], value: object) -> None:
    try:
        ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidCalendar(
            f"time zone {value!r} is not an IANA zone name such as 'Asia/Ho_Chi_Minh'"
        ) from exc


class _Year:
    """The resolved days off and make-up days of one year."""

    __slots__ = ("days_off", "estimated", "makeup")

    def __init__(
        self, days_off: dict[dt.date, DayOff], makeup: dict[dt.date, MakeupWorkday], estimated: bool
    ) -> None:
        self.days_off = days_off
        self.makeup = makeup
        self.estimated = estimated


class _Span:
    """Index of a contiguous run of years; immutable once built."""

    __slots__ = (
        "base",
        "close_from",
        "cum",
        "day_of",
        "first",
        "first_year",
        "hot",
        "irregular",
        "last_year",
        "length",
        "n",
        "nsessions",
        "nwork",
        "rank",
        "sessions",
        "start",
        "tz",
        "unit_multiples",
        "unit_seconds",
        "workdays",
        "working",
    )

    def __init__(self, cal: WorkCalendar, first_year: int, last_year: int) -> None:
        self.first_year = first_year
        self.last_year = last_year
        self.base = dt.date(first_year, 1, 1).toordinal()
        end = dt.date(last_year, 12, 31).toordinal() + 1
        self.n = end - self.base
        rank: list[int] = []
        first: list[int] = []
        sessions: list[tuple[tuple[dt.timedelta, dt.timedelta], ...]] = []
        opens: list[tuple[dt.datetime, dt.timedelta]] = []
        length: list[dt.timedelta] = []
        cum: list[dt.timedelta] = []
        workdays: list[dt.date] = []
        day_of: list[int] = []
        closing: list[dt.datetime | None] = []
        lengths: dict[tuple[dt.timedelta, dt.timedelta], dt.timedelta] = {}
        patterns: set[tuple[tuple[dt.timedelta, dt.timedelta], ...]] = set()
        working = bytearray(self.n)
        self.tz = tz = cal._tz
        hours = cal.office_hours
        weekly = [_session_offsets(day) for day in hours.weekly]
        makeup = _session_offsets(hours.makeup)
        mask = [c == "1" for c in cal.weekmask]
        total = _ZERO
        for year in range(first_year, last_year + 1):
            info = cal._year(year)
            jan1 = dt.date(year, 1, 1).toordinal()
            for ordinal in range(jan1, dt.date(year, 12, 31).toordinal() + 1):
                day = dt.date.fromordinal(ordinal)
                wd = ordinal % 7 - 1  # proleptic ordinal 1 is a Monday
                wd = 6 if wd < 0 else wd
                rank.append(len(workdays))
                first.append(len(opens))
                if day in info.days_off:
                    today: tuple[tuple[dt.timedelta, dt.timedelta], ...] = ()
                elif mask[wd]:
                    working[ordinal - self.base] = 1
                    workdays.append(day)
                    today = weekly[wd]
                elif day in info.makeup:
                    working[ordinal - self.base] = 1
                    workdays.append(day)
                    today = makeup
                else:
                    today = ()
                sessions.append(today)
                patterns.add(today)
                if today:
                    midnight = _datetime(day.year, day.month, day.day, tzinfo=tz)
                    for a, b in today:
                        opens.append((midnight, a))
                        length.append(lengths.setdefault((a, b), b - a))  # shared: fewer reads
                        cum.append(total)
                        day_of.append(ordinal - self.base)
                        total += b - a
                    closing.append(midnight + today[-1][1])
                else:
                    closing.append(None)
        rank.append(len(workdays))
        first.append(len(opens))
        cum.append(total)
        # The opening instants are made in one pass, so that they lie side by side in memory:
        # a search among a day's sessions and the session it ends in read fewer cache lines.
        start = [midnight + a for midnight, a in opens]
        del opens
        # Padding, so that add_working_time's narrowed search never runs off the end: a
        # result found in it is past the span, and the slow path handles it.
        cum.extend([_PAST] * _NEAR)
        self.rank = array("i", rank)
        self.first = array("i", first)  # dense: both ends of a day in one cache line
        self.sessions = sessions
        self.start = start
        self.length = length
        self.cum = cum
        self.workdays = workdays
        self.nsessions = len(start)
        self.working = bytes(working)
        self.nwork = len(workdays)
        # For WorkCalendar.opening_and_end, answered from the index alone: the day of each
        # session, the closing time of the first working day on or after each day, and the
        # count of sessions before each one whose length is not the usual one.
        self.day_of = day_of
        close_from: list[dt.datetime | None] = [None] * self.n
        after: dt.datetime | None = None
        for i in range(self.n - 1, -1, -1):
            if closing[i] is not None:
                after = closing[i]
            close_from[i] = after
        self.close_from = close_from
        counts: dict[dt.timedelta, int] = {}
        for x in length:
            counts[x] = counts.get(x, 0) + 1
        unit = max(counts, key=counts.__getitem__) if counts else _ZERO
        # add_working_time divides office time into usual sessions with integer seconds, exact
        # when the usual length is whole seconds; otherwise no length counts as usual.
        whole = unit.days * 86400 + unit.seconds
        if not whole or unit.microseconds:
            unit, whole = _ZERO, 1
        self.unit_seconds = whole
        # unit * m for every m up to the span's length: a result m usual sessions on needs
        # no bound on m other than the span's end.
        self.unit_multiples = [unit * m for m in range(self.nsessions + 1)]
        irregular = [0]
        for x in length:
            irregular.append(irregular[-1] + (x != unit))
        self.irregular = irregular
        # When every working day has the same sessions (Vietnam's calendar), the hour of an
        # instant on a working day mostly tells which session it is in or before, without a
        # search: hour_codes[h] is 2j + 1 when hour h lies inside the day's session j, 2j when
        # it lies before session j and after session j - 1, -1 when a session starts or ends
        # within it. per_day is that day's number of sessions (-1: days differ).
        patterns.discard(())
        if len(patterns) == 1:
            (pattern,) = patterns
            per_day, hour_codes = len(pattern), [_hour_code(pattern, h) for h in range(24)]
        else:
            per_day, hour_codes = -1, []
        # When every session has the usual length (Vietnam's calendar), add_working_time gets
        # an empty list instead of the counts and reads neither them nor the lengths.
        self.hot: _Hot = (self, tz, self.base, start, self.first, length, unit,
                          self.unit_seconds, self.nsessions, irregular if irregular[-1] else [],
                          self.unit_multiples, per_day, hour_codes)
        """What add_working_time reads, in one tuple: unpacked at once, it costs less than
        as many attribute reads."""

    def after(self, k: int, total: dt.timedelta) -> dt.datetime | None:
        """The instant ``total`` of office time after session ``k`` opens, when the sessions on
        the way all have the usual length (no search: whole sessions and a rest); else None.
        add_working_time has this inlined."""
        m = (total.days * 86400 + total.seconds) // self.unit_seconds
        last = k + m
        if m >= 0 and last < self.nsessions and self.irregular[k] == self.irregular[last + 1]:
            return self.start[last] + (total - self.unit_multiples[m])
        return None

    def session_at(self, i: int, local: dt.datetime) -> tuple[int, dt.timedelta | None]:
        """The session that holds ``local``, a wall-clock instant of day ``i`` whose tzinfo is
        the span's zone, and how far into it ``local`` is; when the office is closed at
        ``local``, the next session to open and None (``nsessions``: none left in the span).

        The one session lookup: a search among the openings of ``local``'s own day. Hot paths
        have it inlined (:meth:`WorkCalendar.add_working_time`,
        :meth:`WorkCalendar.opening_and_end`), and a property test holds them to it.
        """
        lo = self.first[i]
        k = _bisect_right(self.start, local, lo, self.first[i + 1]) - 1
        if k >= lo:
            into = local - self.start[k]
            if into < self.length[k]:
                return k, into
        # Before the day's first session (k + 1 == lo), after one of its sessions, or on a day
        # without any: the next session is k + 1, on this day or a later one.
        return k + 1, None

    def work_at(self, i: int, local: dt.datetime) -> dt.timedelta:
        """Working time from the span's first day to ``local``, a wall-clock instant of day
        ``i`` whose tzinfo is the span's zone."""
        k, into = self.session_at(i, local)
        # Closed: every session before the next one has ended, cum[k] counts them all.
        return self.cum[k] if into is None else self.cum[k] + into

    def instant_at(self, work: dt.timedelta) -> dt.datetime | int:
        """The latest instant whose working time is ``work``; an int when that instant is not in
        the span (-1: before it, 1: after it).

        That instant is always one when the office is open: at a closing time the working time
        stays flat until the next opening, and the latest instant of that flat stretch is the
        opening itself.
        """
        if work < _ZERO:
            return -1
        k = _bisect_right(self.cum, work, 0, len(self.start) + 1) - 1
        if k >= len(self.start):
            return 1
        return self.start[k] + (work - self.cum[k])

    def work_before_day(self, i: int) -> dt.timedelta:
        """Working time from the span's first day to the start of day ``i``."""
        return self.cum[self.first[i]]


class _Cache:
    """Mutable memo attached to an immutable calendar; swapped atomically, never edited."""

    __slots__ = ("fingerprint", "hot", "lock", "span", "years")

    def __init__(self) -> None:
        self.fingerprint: str | None = None
        self.years: dict[int, _Year] = {}
        self.span: _Span | None = None
        self.hot: _Hot | None = None
        """``span.hot``, one attribute read nearer for add_working_time."""
        self.lock = threading.Lock()



def _tuple_of_days_off(entries: Iterable[DayOff]) -> tuple[DayOff, ...]:
    return tuple(entries)


def _tuple_of_makeups(entries: Iterable[MakeupWorkday]) -> tuple[MakeupWorkday, ...]:
    return tuple(entries)


def _years(years: Iterable[int]) -> frozenset[int]:
    return frozenset(years)


@attrs.frozen
class WorkCalendar:
    """A civil-service working calendar: which days are worked, and when offices are open.

    The calendar is an immutable value. ``days_off`` and ``makeup_workdays`` are the entries
    given explicitly (each with a reason and a source); for years not listed in
    ``announced_years``, ``rule`` (if any) computes the statutory days off and the result is
    reported as estimated. A day off always wins over a make-up day or the weekmask (a typhoon
    closure on a make-up Saturday closes the office).

    Every query outside ``first_year``..``last_year`` raises :class:`OutOfCalendarRange`.
    Instants are read on the wall clock of ``timezone``; naive datetimes are refused.
    """

    name: str
    timezone: str = attrs.field(validator=_check_timezone)
    first_year: int
    last_year: int
    weekmask: str = attrs.field(default="1111100", validator=_check_weekmask)
    office_hours: OfficeHours = attrs.field(
        factory=lambda: OfficeHours.uniform(["08:00-12:00", "13:00-17:00"])
    )
    days_off: tuple[DayOff, ...] = attrs.field(default=(), converter=_tuple_of_days_off)
    makeup_workdays: tuple[MakeupWorkday, ...] = attrs.field(
        default=(), converter=_tuple_of_makeups
    )
    announced_years: frozenset[int] = attrs.field(default=frozenset(), converter=_years)
    rule: YearRule | None = None
    _cache: _Cache = attrs.field(init=False, factory=_Cache, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        for name in ("first_year", "last_year"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 9998:
                raise InvalidCalendar(f"{name} must be a year between 1 and 9998, got {value!r}")
        if self.first_year > self.last_year:
            raise InvalidCalendar(
                f"first_year {self.first_year} is after last_year {self.last_year}"
            )
        if self.last_year - self.first_year + 1 > MAX_YEARS:
            raise InvalidCalendar(
                f"the calendar covers {self.last_year - self.first_year + 1} years "
                f"({self.first_year}-{self.last_year}); at most {MAX_YEARS} are allowed, since "
                "the index holds every day between the dates it is asked about; build one "
                "calendar per period"
            )
        for entry in (*self.days_off, *self.makeup_workdays):
            if not isinstance(entry, DayOff | MakeupWorkday):  # pragma: no cover - typed input
                raise InvalidCalendar(f"{entry!r} is not a DayOff or MakeupWorkday")
            if not self.first_year <= entry.day.year <= self.last_year:
                raise InvalidCalendar(
                    f"{type(entry).__name__} {entry.day.isoformat()} ({entry.reason}) is outside "
                    f"the calendar's years {self.first_year}-{self.last_year}"
                )
        for wd in range(7):
            if self.weekmask[wd] == "1" and not self.office_hours.weekly[wd]:
                raise InvalidCalendar(
                    f"{dt.date(2024, 1, 1 + wd):%A} is a working day but has no office session; "
                    "give it hours with with_office_hours(..., weekdays=[...])"
                )
        if not self.office_hours.makeup:
            raise InvalidCalendar("make-up working days need office sessions")
        zone = self._tz  # fail now on a zone that cannot be loaded
        _check_fixed_offset(zone, self.first_year, self.last_year)

    # ------------------------------------------------------------------ derived calendars

    def with_days_off(self, entries: Iterable[DayOff]) -> WorkCalendar:
        """This calendar with more days off (a closure, a newly announced swap)."""
        return attrs.evolve(self, days_off=(*self.days_off, *_entries(entries, DayOff)))

    def with_closure(
        self, first: dt.date, last: dt.date, *, reason: str, source: str
    ) -> WorkCalendar:
        """This calendar with offices closed every day from ``first`` to ``last`` inclusive.

        For local closures such as a province closing its offices during a typhoon.
        """
        if last < first:
            raise InvalidArgument(f"closure ends ({last}) before it starts ({first})")
        days = (first + dt.timedelta(days=k) for k in range((last - first).days + 1))
        return self.with_days_off(DayOff(d, reason, source) for d in days)

    def with_makeup_workdays(self, entries: Iterable[MakeupWorkday]) -> WorkCalendar:
        """This calendar with more weekend days worked."""
        new = _entries(entries, MakeupWorkday)
        for entry in new:
            if self.weekmask[entry.day.weekday()] == "1":
                raise InvalidCalendar(
                    f"make-up working day {entry.day.isoformat()} ({entry.reason}) is a "
                    f"{entry.day:%A}, already a working day under weekmask {self.weekmask!r}"
                )
        return attrs.evolve(self, makeup_workdays=(*self.makeup_workdays, *new))

    def with_office_hours(
        self, sessions: SessionsLike, *, weekdays: Iterable[int | str] | None = None
    ) -> WorkCalendar:
        """This calendar with other office hours.

        ``sessions`` are :class:`Session` objects or ``"HH:MM-HH:MM"`` strings. Without
        ``weekdays`` they apply to every working day, make-up days included; with
        ``weekdays`` (0-6 or ``"mon"``...) only to those days, e.g. a Saturday-morning
        reception: ``cal.with_weekmask("1111110").with_office_hours(["08:00-11:30"],
        weekdays=["sat"])``.
        """
        days = None if weekdays is None else to_weekdays(weekdays)
        return attrs.evolve(self, office_hours=self.office_hours.replace(sessions, days))

    def with_weekmask(self, weekmask: str) -> WorkCalendar:
        """This calendar with another weekly pattern (``"1111110"`` adds Saturdays)."""
        hours = self.office_hours
        if isinstance(weekmask, str) and len(weekmask) == 7:
            # A weekday that becomes working without hours of its own gets the full-day hours.
            hours = OfficeHours(
                weekly=tuple(
                    hours.weekly[i] or hours.makeup if weekmask[i] == "1" else hours.weekly[i]
                    for i in range(7)
                ),
                makeup=hours.makeup,
            )
        return attrs.evolve(self, weekmask=weekmask, office_hours=hours)

    def with_announced_year(
        self,
        year: int,
        *,
        days_off: Iterable[DayOff],
        makeup_workdays: Iterable[MakeupWorkday] = (),
    ) -> WorkCalendar:
        """This calendar with the official schedule of ``year``, which replaces the rule.

        ``days_off`` must list every day off of that year (holidays, the Tết window, swapped
        days, compensatory days); the year is no longer reported as estimated.
        """
        offs = _entries(days_off, DayOff)
        makeups = _entries(makeup_workdays, MakeupWorkday)
        entries: list[DayOff | MakeupWorkday] = [*offs, *makeups]
        for e in entries:
            if e.day.year != year:
                raise InvalidArgument(
                    f"{e.day.isoformat()} ({e.reason}) is not in the announced year {year}"
                )
        return attrs.evolve(
            self,
            days_off=(*self.days_off, *offs),
            makeup_workdays=(*self.makeup_workdays, *makeups),
            announced_years=self.announced_years | {year},
        )

    def with_layer(self, layer: Layer) -> WorkCalendar:
        """This calendar with a :class:`Layer` (see :func:`load_layer`) applied."""
        return layer.apply(self)

    def with_layer_file(self, path: str | Path) -> WorkCalendar:
        """This calendar with the layer in a TOML or JSON file applied."""
        from dossierflow.calendar._layers import load_layer

        return load_layer(path).apply(self)

    # ------------------------------------------------------------------ day level

    def is_working_day(self, day: dt.date) -> bool:
        """Whether offices work on ``day``."""
        s = self._cache.span
        if s is not None and type(day) is _date:
            i = day.toordinal() - s.base
            if 0 <= i < s.n:
                return s.working[i] == 1
        s, i = self._locate(day, "day")
        return s.working[i] == 1

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        s, i = self._locate(day, "day")
        return self._nth_working(day, s, i + 1, 0)

    def previous_working_day(self, day: dt.date) -> dt.date:
        """The last working day strictly before ``day``."""
        s, i = self._locate(day, "day")
        return self._nth_working(day, s, i, -1)

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day``, counting ``day`` itself as day 0.

        ``n == 0`` gives ``day`` if it is a working day, else the next working day. Negative
        ``n`` counts backwards: ``-1`` is the last working day before ``day``. The inverse of
        :meth:`working_days_between`: ``add_working_days(d, working_days_between(d, e)) == e``
        for every working day ``e``.
        """
        s = self._cache.span
        if s is not None and type(day) is _date and type(n) is int:
            i = day.toordinal() - s.base
            if 0 <= i < s.n:
                j = s.rank[i] + n
                if 0 <= j < s.nwork:
                    return s.workdays[j]
        _check_count(n, "n")
        s, i = self._locate(day, "day")
        return self._nth_working(day, s, i, n)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """The number of working days ``d`` with ``start <= d < end`` (negative if end < start).

        Half-open, like ``range``: the start day counts, the end day does not, so
        ``working_days_between(d, d) == 0`` and the result of consecutive intervals add up.
        """
        s = self._cache.span
        if s is not None and type(start) is _date and type(end) is _date:
            i = start.toordinal() - s.base
            k = end.toordinal() - s.base
            if 0 <= i < s.n and 0 <= k < s.n:
                return s.rank[k] - s.rank[i]
        _check_date(start, "start")
        _check_date(end, "end")
        self._load(min(start.year, end.year), max(start.year, end.year), start, end)
        s, i = self._locate(start, "start")
        s, k = self._locate(end, "end")
        return s.rank[k] - s.rank[i]

    def is_estimated(self, day: dt.date) -> bool:
        """Whether ``day``'s status is computed by rule rather than taken from an announcement."""
        _check_date(day, "day")
        self._check_range(day)
        return self._year(day.year).estimated

    def describe(self, day: dt.date) -> DayStatus:
        """What the calendar says about ``day`` and why (reason and source)."""
        s, i = self._locate(day, "day")
        info = self._year(day.year)
        sessions = tuple(
            Session(_clock(a), _clock(b)) for a, b in s.sessions[i]
        )
        off = info.days_off.get(day)
        if off is not None:
            return DayStatus(day, False, "day_off", off.reason, off.source,
                             off.estimated or info.estimated, ())
        if self.weekmask[day.weekday()] == "1":
            return DayStatus(day, True, "working_day", "regular working day",
                             f"weekmask {self.weekmask}", info.estimated, sessions)
        mk = info.makeup.get(day)
        if mk is not None:
            return DayStatus(day, True, "makeup_workday", mk.reason, mk.source,
                             mk.estimated or info.estimated, sessions)
        return DayStatus(day, False, "weekend", "weekly rest day", f"weekmask {self.weekmask}",
                         info.estimated, ())

    def days_off_in(self, year: int) -> tuple[DayOff, ...]:
        """Every day off of ``year`` (weekends excluded), in date order, with its source."""
        self._check_range(dt.date(_check_year(year), 1, 1))
        return tuple(sorted(self._year(year).days_off.values(), key=lambda e: e.day))

    def makeup_workdays_in(self, year: int) -> tuple[MakeupWorkday, ...]:
        """Every make-up working day of ``year``, in date order, with its source."""
        self._check_range(dt.date(_check_year(year), 1, 1))
        info = self._year(year)
        return tuple(
            e for e in sorted(info.makeup.values(), key=lambda e: e.day)
            if e.day not in info.days_off
        )

    # ------------------------------------------------------------------ instant level

    def local_date(self, instant: dt.datetime) -> dt.date:
        """The date of ``instant`` on the calendar's wall clock."""
        s = self._cache.span
        if s is not None and type(instant) is _datetime and instant.tzinfo is s.tz:
            return instant.date()  # already on the calendar's wall clock: _local is identity
        return self._local(instant, "instant").date()

    def working_date(self, instant: dt.datetime) -> dt.date:
        """The working day on which ``instant`` counts: its own date while the office is open
        or before it closes on a working day, else the date of the next opening."""
        return self.next_opening(instant).date()

    def closing_time(self, day: dt.date) -> dt.datetime:
        """The instant the office closes on working day ``day`` (the end of its last session).

        Deadlines "by the end of the working day" fall here."""
        s, i = self._locate(day, "day")
        if not s.working[i]:
            raise InvalidArgument(
                f"{day.isoformat()} is not a working day of calendar {self.name!r}; "
                "use next_working_day(day) first")
        k = s.first[i + 1] - 1
        return s.start[k] + s.length[k]

    @property
    def fingerprint(self) -> str:
        """A digest of everything the calendar says (entries, hours, zone, range, rule).

        Deadlines record it, so a dossier's appointment can be recomputed when a deployment
        layers new data (a swap announced after receipt, a typhoon closure)."""
        cache = self._cache
        if cache.fingerprint is None:
            text = repr((self.name, self.timezone, self.first_year, self.last_year,
                         self.weekmask, self.office_hours, self.days_off, self.makeup_workdays,
                         sorted(self.announced_years), self.rule))
            cache.fingerprint = hashlib.sha256(text.encode()).hexdigest()[:16]
        return cache.fingerprint

    def is_open(self, instant: dt.datetime) -> bool:
        """Whether an office session is running at ``instant`` (sessions are [start, end))."""
        loc = self._local(instant, "instant")
        s, i = self._locate(loc.date(), "instant")
        return s.session_at(i, loc)[1] is not None

    def next_opening(self, instant: dt.datetime) -> dt.datetime:
        """The first instant at or after ``instant`` when the office is open (``instant``
        itself, in the calendar's zone, if it is open)."""
        return self.add_working_time(instant, _ZERO)

    def add_working_time(self, instant: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The instant when ``duration`` of office time has passed since ``instant``.

        Only office hours count. The result is always an instant when the office is open: a
        result that would fall exactly on a closing time is the next opening instead (received
        at an opening, due at an opening). Negative durations count backwards.
        """
        hot = self._cache.hot
        if hot is not None and type(instant) is _datetime and type(duration) is _timedelta:
            # Fast path: an instant already on the calendar's zone inside the loaded span, a
            # result inside the span; anything else (other zones, datetime subclasses,
            # bad arguments, the span's ends) takes the checked path below. It is
            # _Span.session_at, _Span.after and _Span.instant_at inlined (the calls would cost
            # a third of the time); test_inlined_session_lookups_are_the_definition holds the
            # lookup to _Span.session_at. ``k`` is the session the instant is in or the next
            # one, ``total`` the office time to go from that session's opening. When the
            # sessions on the way all have the usual length, the result is ``total`` divided
            # into whole sessions and a rest, with no search; otherwise the second search runs
            # in a window that padding keeps inside ``cum``, its result checked afterwards.
            # The reads are few and close together because, on random instants over decades,
            # cache misses cost more than the arithmetic.
            s, tz, base, start, first, length, unit, unit_seconds, nsessions, irregular, \
                multiples, per_day, hour_codes = hot
            i = instant.toordinal() - base
            if instant.tzinfo is tz and i >= 0:
                try:  # the one indexing that can run past the span (its last day)
                    lo, hi = first[i], first[i + 1]
                except IndexError:  # a later day: the checked path below grows the index
                    pass
                else:
                    try:  # a duration past any calendar overflows: the checked path explains
                        c = hour_codes[instant.hour] if hi - lo == per_day else -1
                        if hi == lo:  # no session that day: the clock waits for the next
                            k, total = lo, duration
                        elif c >= 0:  # the hour says which session, or which comes next
                            k = lo + (c >> 1)
                            total = instant - start[k] + duration if c & 1 else duration
                        else:  # _Span.session_at
                            k = _bisect_right(start, instant, lo, hi) - 1
                            if k < lo:
                                k, total = lo, duration
                            else:
                                into = instant - start[k]
                                if into < (length[k] if irregular else unit):
                                    total = into + duration
                                else:
                                    k, total = k + 1, duration
                        # k <= nsessions here (nsessions: no session left in the span), and
                        # multiples has nsessions + 1 entries.
                        m = (total.days * 86400 + total.seconds) // unit_seconds
                        last = k + m
                        if m >= 0 and last < nsessions and (
                                not irregular or irregular[k] == irregular[last + 1]):
                            return start[last] + (total - multiples[m])
                        cum = s.cum  # nsessions + 1 entries, then _NEAR of padding
                        w = cum[k] + total
                        k = _bisect_right(cum, w, lo, lo + _NEAR) - 1
                        if lo <= k < lo + _NEAR - 1 and k < nsessions:
                            return start[k] + (w - cum[k])
                    except OverflowError:
                        pass
        if not isinstance(duration, dt.timedelta):
            raise InvalidArgument(
                f"duration must be a datetime.timedelta, got {duration!r}; "
                "e.g. timedelta(hours=4) for half a working day"
            )
        s, w = self._work(instant, "instant")
        if abs(duration) > _LONGEST:
            raise InvalidArgument(
                f"duration {duration} is more office time than the calendar can cover "
                f"({self.first_year}-{self.last_year}); check the amount")
        return self._from_work(s, w + duration, instant)

    def opening_and_end(
        self,
        instant: dt.datetime,
        *,
        office_time: dt.timedelta | None = None,
        days: int = 0,
        to_close: bool = False,
        next_day_after: dt.time | None = None,
    ) -> tuple[dt.datetime, dt.datetime]:
        """The opening from which a stretch of office time or of days is counted, and the
        instant that stretch ends.

        The opening is :meth:`next_opening` of ``instant`` (``instant`` itself while the office
        is open); when its time of day on the calendar's wall clock is later than
        ``next_day_after``, the first opening of the next working day instead.

        With ``office_time``, the end is that much office time after the opening, as
        :meth:`add_working_time` places it, or with ``to_close`` the close of the working day
        it falls on. Without, the end is the close of the first working day on or after the
        opening's date plus ``days`` days (``days=0``: the close of the opening's own day).
        Both instants are in the calendar's zone; the answer is the one those methods give,
        mostly read off the index in one pass.
        """
        if next_day_after is not None and (type(next_day_after) is not _time
                                           or next_day_after.tzinfo is not None):
            raise InvalidArgument(
                f"next_day_after must be a wall-clock datetime.time without tzinfo, such as "
                f"time(15), got {next_day_after!r}")
        if office_time is None:
            if type(days) is not int:
                raise InvalidArgument(f"days must be a whole number of days, got {days!r}")
        elif type(office_time) is not _timedelta:
            raise InvalidArgument(
                f"office_time must be a datetime.timedelta, got {office_time!r}; "
                "e.g. timedelta(hours=4) for half a working day")
        s = self._cache.span
        if s is not None and type(instant) is _datetime and instant.tzinfo is s.tz:
            # Read off the index: _Span.session_at inlined (the call costs more than the
            # lookup; test_inlined_session_lookups_are_the_definition holds the two together),
            # then the close of a day from close_from, or office time by _Span.after.
            i = instant.toordinal() - s.base
            if 0 <= i < s.n:
                start_at, lo = s.start, s.first[i]
                k = _bisect_right(start_at, instant, lo, s.first[i + 1]) - 1
                opening: dt.datetime | None = instant
                if k < lo or instant - start_at[k] >= s.length[k]:  # closed: the next session
                    k += 1
                    opening = start_at[k] if k < s.nsessions else None
                if opening is not None and next_day_after is not None and (
                        opening.time() > next_day_after):
                    k = s.first[s.day_of[k] + 1]
                    opening = start_at[k] if k < s.nsessions else None
                if opening is not None:
                    if office_time is None:
                        j = s.day_of[k] + days
                        found = s.close_from[j] if 0 <= j < s.n else None
                        if found is not None:
                            return opening, found
                    else:
                        due = s.after(k, opening - start_at[k] + office_time)
                        if due is None:
                            due = self.add_working_time(opening, office_time)
                        if not to_close:
                            return opening, due
                        # An open instant, so its day is a working day: close_from has its close
                        # when that day is in this span.
                        j = due.toordinal() - s.base
                        found = s.close_from[j] if 0 <= j < s.n else None
                        return opening, found or self.closing_time(due.date())
        # The same, by the definitions (they grow the index, and explain bad arguments).
        start = self.next_opening(instant)
        if next_day_after is not None and start.time() > next_day_after:
            start = self.next_opening(self.closing_time(start.date()))
        if office_time is not None:
            end = self.add_working_time(start, office_time)
            return start, self.closing_time(end.date()) if to_close else end
        day = start.date() + _timedelta(days=days)
        if not self.is_working_day(day):
            day = self.next_working_day(day)
        return start, self.closing_time(day)

    def working_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Office time between two instants (negative if ``end`` is before ``start``)."""
        hot = self._cache.hot
        if hot is not None and type(start) is _datetime and type(end) is _datetime:
            # Fast path: both instants already on the calendar's zone, on days of the loaded
            # span: _Span.work_at for each, with no conversion and no range checks. The clock
            # measures every step it judges this way. When every working day has the same
            # sessions, the hour of an instant mostly says which session it is in or before
            # (as in add_working_time), and _Span.session_at's search is skipped. The checked
            # path below is the definition; test_working_time_between_fast_path_is_its_definition
            # and test_inlined_session_lookups_are_the_definition hold them together.
            s, tz, base, starts, first, _, _, _, _, _, _, per_day, hour_codes = hot
            if start.tzinfo is tz and end.tzinfo is tz:
                i, j = start.toordinal() - base, end.toordinal() - base
                n = s.n
                if 0 <= i < n and 0 <= j < n:
                    cum = s.cum
                    lo, hi = first[j], first[j + 1]
                    c = hour_codes[end.hour] if hi - lo == per_day else -1
                    if hi == lo:  # a day without sessions: the next one has not opened
                        w = cum[lo]
                    elif c < 0:
                        w = s.work_at(j, end)
                    elif c & 1:  # inside the day's session c >> 1
                        k = lo + (c >> 1)
                        w = cum[k] + (end - starts[k])
                    else:  # before it (and after the one before)
                        w = cum[lo + (c >> 1)]
                    lo, hi = first[i], first[i + 1]
                    c = hour_codes[start.hour] if hi - lo == per_day else -1
                    if hi == lo:
                        return w - cum[lo]
                    if c < 0:
                        return w - s.work_at(i, start)
                    k = lo + (c >> 1)
                    return w - (cum[k] + (start - starts[k]) if c & 1 else cum[k])
        s1, w1 = self._work(start, "start")
        s2, w2 = self._work(end, "end")
        span = self._cache.span
        assert span is not None
        return _rebase(s2, w2, span) - _rebase(s1, w1, span)

    # ------------------------------------------------------------------ internals

    @property
    def _tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def _check_range(self, day: dt.date) -> None:
        if not self.first_year <= day.year <= self.last_year:
            raise OutOfCalendarRange(self.name, day, self.first_year, self.last_year)

    def _year(self, year: int) -> _Year:
        cache = self._cache
        info = cache.years.get(year)
        if info is not None:
            return info
        offs: dict[dt.date, DayOff] = {}
        makeup: dict[dt.date, MakeupWorkday] = {}
        estimated = self.rule is not None and year not in self.announced_years
        if estimated and self.rule is not None:
            rule_offs, rule_makeup = self.rule(year)
            offs.update((e.day, e) for e in rule_offs if e.day.year == year)
            makeup.update((e.day, e) for e in rule_makeup if e.day.year == year)
        offs.update((e.day, e) for e in self.days_off if e.day.year == year)
        makeup.update((e.day, e) for e in self.makeup_workdays if e.day.year == year)
        info = _Year(offs, makeup, estimated)
        cache.years[year] = info
        return info

    def _load(self, lo: int, hi: int, *context: dt.date) -> _Span:
        """Make sure the index covers years ``lo``..``hi``; return the span."""
        for year in (lo, hi):
            if not self.first_year <= year <= self.last_year:
                bad = next((d for d in context if d.year == year), dt.date(year, 1, 1))
                raise OutOfCalendarRange(self.name, bad, self.first_year, self.last_year)
        cache = self._cache
        s = cache.span
        if s is not None and s.first_year <= lo and hi <= s.last_year:
            return s
        with cache.lock:
            s = cache.span
            if s is not None:
                lo, hi = min(lo, s.first_year), max(hi, s.last_year)
            span = _Span(self, lo, hi)
            cache.span = span
            cache.hot = span.hot
            return span

    def _locate(self, day: dt.date, name: str) -> tuple[_Span, int]:
        _check_date(day, name)
        s = self._load(day.year, day.year, day)
        return s, day.toordinal() - s.base

    def _nth_working(self, origin: dt.date, s: _Span, i: int, n: int) -> dt.date:
        """``workdays[rank[i] + n]``, growing the span year by year until it is inside."""
        ordinal = s.base + i
        while True:
            i = ordinal - s.base
            j = s.rank[i] + n
            if 0 <= j < s.nwork:
                return s.workdays[j]
            if j < 0:
                if s.first_year == self.first_year:
                    raise OutOfCalendarRange(
                        self.name, dt.date(self.first_year - 1, 12, 31) if self.first_year > 1
                        else origin, self.first_year, self.last_year)
                step = max(1, -j // 200)
                s = self._load(max(self.first_year, s.first_year - step), s.last_year, origin)
            else:
                if s.last_year == self.last_year:
                    raise OutOfCalendarRange(
                        self.name, dt.date(self.last_year + 1, 1, 1) if self.last_year < 9998
                        else origin, self.first_year, self.last_year)
                step = max(1, (j - s.nwork) // 200 + 1)
                s = self._load(s.first_year, min(self.last_year, s.last_year + step), origin)

    def _local(self, instant: dt.datetime, name: str) -> dt.datetime:
        if not isinstance(instant, _datetime):
            raise InvalidArgument(
                f"{name} must be a timezone-aware datetime.datetime, got {instant!r}"
            )
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise NaiveDatetimeError(name, instant)
        return instant.astimezone(self._tz)

    def _work(self, instant: dt.datetime, name: str) -> tuple[_Span, dt.timedelta]:
        """Working time from the start of the index span to ``instant``."""
        loc = self._local(instant, name)
        s, i = self._locate(loc.date(), name)
        return s, s.work_at(i, loc)

    def _from_work(self, s0: _Span, work: dt.timedelta, origin: dt.datetime) -> dt.datetime:
        """The latest instant whose working time (from span ``s0``'s first day) is ``work``,
        growing the index until that instant is inside it."""
        while True:
            s = self._cache.span
            assert s is not None
            work, s0 = _rebase(s0, work, s), s
            found = s.instant_at(work)
            if isinstance(found, _datetime):
                return found
            if found < 0:
                if s.first_year == self.first_year:
                    raise OutOfCalendarRange(
                        self.name, origin.date(), self.first_year, self.last_year)
                self._load(s.first_year - 1, s.last_year)
            else:
                if s.last_year == self.last_year:
                    raise OutOfCalendarRange(
                        self.name, dt.date(min(self.last_year + 1, 9999), 1, 1),
                        self.first_year, self.last_year)
                self._load(s.first_year, s.last_year + 1)


def _hour_code(day: tuple[tuple[dt.timedelta, dt.timedelta], ...], hour: int) -> int:
    """Where hour ``hour`` of a day with sessions ``day`` lies: 2j + 1 inside session j, 2j
    between session j - 1 and session j, -1 when a session starts or ends within the hour."""
    a, b = _timedelta(hours=hour), _timedelta(hours=hour + 1)
    for j, (opens, closes) in enumerate(day):
        if opens <= a and b <= closes:
            return 2 * j + 1
    if all(closes <= a or opens >= b for opens, closes in day):
        return 2 * sum(1 for _, closes in day if closes <= a)
    return -1


def _rebase(old: _Span, work: dt.timedelta, new: _Span) -> dt.timedelta:
    """Express office time measured from ``old``'s first day from ``new``'s (which covers it)."""
    if old is new:
        return work
    return work + new.work_before_day(old.base - new.base)


def _session_offsets(
    sessions: Iterable[Session],
) -> tuple[tuple[dt.timedelta, dt.timedelta], ...]:
    """Each session as (start, end) offsets from midnight."""
    return tuple(
        (_timedelta(seconds=a), _timedelta(seconds=b)) for a, b in (x.seconds for x in sessions)
    )


def _clock(offset: dt.timedelta) -> dt.time:
    s = int(offset.total_seconds())
    return dt.time(s // 3600, s // 60 % 60, s % 60)


def _check_date(day: object, name: str) -> None:
    if not isinstance(day, _date) or isinstance(day, _datetime):
        hint = (
            f"; use {name}.date() or cal.local_date({name}) for an instant"
            if isinstance(day, _datetime) else ""
        )
        raise InvalidArgument(f"{name} must be a datetime.date, got {day!r}{hint}")


def _check_count(n: object, name: str) -> None:
    if not isinstance(n, int) or isinstance(n, bool):
        raise InvalidArgument(
            f"{name} must be a whole number of working days, got {n!r}; "
            "half days are working time: use add_working_time(instant, timedelta(hours=4))"
        )


MAX_YEARS = 200
"""The most years a calendar may cover (its index grows to every day between the dates it is
asked about)."""
_LONGEST = dt.timedelta(days=366 * MAX_YEARS)
"""More office time than any calendar holds: a larger duration is a mistake."""


def _check_fixed_offset(zone: ZoneInfo, first_year: int, last_year: int) -> None:
    """Refuse a zone whose offset from UTC changes within the calendar's years (daylight saving
    or a change of standard time): office time is counted on the wall clock, and a skipped or
    repeated hour would be miscounted."""
    expected = None
    for year in range(first_year, last_year + 1):
        for month in (1, 4, 7, 10):
            offset = dt.datetime(year, month, 1, 12, tzinfo=zone).utcoffset()
            if expected is None:
                expected = offset
            elif offset != expected:
                raise InvalidCalendar(
                    f"time zone {zone.key} changes its offset from UTC in {year} (daylight "
                    "saving or a new standard time), and office time is counted on the wall "
                    "clock; use a zone with a fixed offset over the calendar's years, or one "
                    "calendar per period")


def _check_year(year: object) -> int:
    if not isinstance(year, int) or isinstance(year, bool):
        raise InvalidArgument(f"year must be an int, got {year!r}")
    return year


_E = TypeVar("_E", DayOff, MakeupWorkday)


def _entries(entries: Iterable[_E], kind: type[_E]) -> tuple[_E, ...]:
    out = tuple(entries)
    for e in out:
        if not isinstance(e, kind):
            raise InvalidArgument(
                f"expected {kind.__name__} entries (with day, reason and source), got {e!r}"
            )
    return out
