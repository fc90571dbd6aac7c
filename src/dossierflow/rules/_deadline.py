"""When the clock starts, how much time a limit gives, and when it is due.

The clock is a ledger, not a stored date: a *budget* (what the limit gives), the time
*consumed*, and the instant it has been *running since* (None while paused). Working units are
measured in office time on the calendar; calendar units in elapsed time. Projecting the rest of
the budget from the last resume gives the due instant.

Conventions for the appointment (``NgayHenTra``):

- ``EXACT`` (default): exact working time. Received at 09:30, two working days are due at 09:30
  two working days later; received in the morning, due in the morning, which is the half-day
  anchoring one-stop systems use. A deadline that lands exactly on a closing time is the next
  opening: received at an opening, due at an opening.
- ``END_OF_DAY``: the close of that same working day, as the Civil Code's "end of the last
  day" reads for days.

Both give the same local date. Same-day limits are due at the close of the (start) working
day, calendar days and months at the close of their last day, moved to the next working day
when it is not one (Civil Code 2015, Art. 147-148; the office's closing time, when the result
can be collected, stands for 24:00).
"""

from __future__ import annotations

import calendar as _monthcal
import datetime as dt
import enum
from collections.abc import Callable
from zoneinfo import ZoneInfo

import attrs

from dossierflow._errors import InvalidArgument
from dossierflow.calendar import WorkCalendar
from dossierflow.rules._limits import TimeLimit, Unit, working_days, working_hours

_HOUR = dt.timedelta(hours=1)
_SAME_DAY, _CALENDAR_DAYS = Unit.SAME_DAY, Unit.CALENDAR_DAYS
_EPSILON = dt.timedelta(microseconds=1)
_ZERO = dt.timedelta(0)


class Convention(enum.Enum):
    """How an appointment in working time is placed."""

    EXACT = "exact_working_time"
    END_OF_DAY = "end_of_day"


class StartPolicy(enum.Enum):
    """When the clock of a dossier received outside office hours starts."""

    NEXT_OPENING = "next_opening"
    """At the next opening (online filings at night count from the next working day; stated
    for State Treasury procedures, the default here)."""
    AT_RECEIPT = "at_receipt"
    """At the instant of receipt (only calendar units feel the difference)."""


class SupplementPolicy(enum.Enum):
    """What a request for a supplement does to the clock."""

    PAUSE = "pause"
    """The clock stops until the supplement arrives; time already spent still counts."""
    RESTART = "restart"
    """The clock starts again from zero when the supplement arrives."""


class ReceiptPolicy(enum.Enum):
    """Which instant counts as a dossier's receipt, from which its clock starts."""

    BY_CHANNEL = "by_channel"
    """By how it was filed: online, when the portal recorded the complete dossier; by post, at
    the arriving postmark; in person, at the desk (Decree 45/2020/NĐ-CP on the electronic
    environment, Art. 11; Decree 118/2025/NĐ-CP, Art. 15)."""
    AT_DESK = "at_desk"
    """When the desk receives it, whatever the channel."""


class ApologyTiming(enum.Enum):
    """When an agency that will be late must send its apology (Form 04)."""

    WORKING_DAY_BEFORE = "working_day_before"
    """At least one working day before the appointment (Decree 61/2018/NĐ-CP;
    provincial rules under Decree 118/2025/NĐ-CP, e.g. Lai Châu Decision 88/2025/QĐ-UBND,
    Art. 3(6))."""
    AT_EXPIRY = "at_expiry"
    """When the time limit expires, by the portal and SMS (Decree 297/2025/NĐ-CP)."""


_NEXT_OPENING, _END_OF_DAY = StartPolicy.NEXT_OPENING, Convention.END_OF_DAY


class Measure(enum.Enum):
    WORKING = "working"
    ELAPSED = "elapsed"


def _window(value: object) -> None:
    if value is not None and (not isinstance(value, dt.timedelta)
                              or not dt.timedelta(0) < value < dt.timedelta(hours=24)):
        raise InvalidArgument(f"closing_window must be a positive datetime.timedelta under a "
                              f"day, e.g. timedelta(hours=1), or None; got {value!r}")


def _limit_or_none(field: str) -> Callable[[object, object, object], None]:
    def check(_: object, __: object, value: object) -> None:
        if value is not None and not isinstance(value, TimeLimit):
            raise InvalidArgument(f"{field} must be a TimeLimit such as working_days(15) or "
                                  f"None, got {value!r}")
    return check


@attrs.frozen
class ClockPolicy:
    """A procedure's clock rules, each a policy with its basis. The defaults:

    - ``convention``: exact working time (received in the morning, due in the morning);
    - ``start``: the next opening (online filings outside office hours count from 08:00 of the
      next working day, Decree 297/2025/NĐ-CP Art. 3(5));
    - ``receipt``: the receipt counts by channel (:class:`ReceiptPolicy`);
    - ``closing_window``: None; a duration such as one hour makes receipts in that last part
      of the working day count from the next working day (Decree 297/2025/NĐ-CP, Art. 6(3));
    - ``on_supplement``: a supplement pauses the clock, time already spent still counting
      (:attr:`SupplementPolicy.RESTART`: "thời hạn giải quyết được tính lại từ đầu", Decree
      297/2025/NĐ-CP Art. 6(4)(a));
    - ``supplement_wait``: a dossier whose supplement has not come 15 working days after the
      request is stopped with a notice (Form 05; Decree 297/2025/NĐ-CP); None: never;
    - ``reception``: the desk receives an online filing, or asks for a supplement, within 8
      working hours (Decree 45/2020/NĐ-CP, Art. 11; Decree 297/2025/NĐ-CP, Art. 6(4)(a));
    - ``apology``: due one working day before the appointment (:class:`ApologyTiming`).
    """

    convention: Convention = Convention.EXACT
    start: StartPolicy = StartPolicy.NEXT_OPENING
    on_supplement: SupplementPolicy = SupplementPolicy.PAUSE
    legal_basis: str = ""
    receipt: ReceiptPolicy = ReceiptPolicy.BY_CHANNEL
    closing_window: dt.timedelta | None = attrs.field(
        default=None, validator=lambda _, __, value: _window(value))
    supplement_wait: TimeLimit | None = attrs.field(
        default=working_days(15, legal_basis="Decree 297/2025/NĐ-CP"),
        validator=_limit_or_none("supplement_wait"))
    reception: TimeLimit | None = attrs.field(
        default=working_hours(8, legal_basis="Decree 45/2020/NĐ-CP, Art. 11"),
        validator=_limit_or_none("reception"))
    apology: ApologyTiming = ApologyTiming.WORKING_DAY_BEFORE


@attrs.frozen
class Deadline:
    """A computed appointment and everything needed to recompute it."""

    limit: TimeLimit
    received: dt.datetime
    start: dt.datetime
    due: dt.datetime
    convention: Convention
    calendar: str
    calendar_fingerprint: str

    def slip_text(self, calendar_tz: dt.tzinfo | None = None) -> str:
        """The appointment as printed on the receipt slip: ``HH:MM dd/mm/yyyy``."""
        due = self.due if calendar_tz is None else self.due.astimezone(calendar_tz)
        return f"{due:%H:%M} {due:%d/%m/%Y}"


def clock_start(received: dt.datetime, limit: TimeLimit, cal: WorkCalendar,
                policy: ClockPolicy = ClockPolicy()) -> dt.datetime:
    """When the clock of a dossier received at ``received`` starts.

    With ``NEXT_OPENING`` a receipt outside office hours starts at the next opening. A receipt
    after the limit's cut-off (e.g. 15:00) on a working day, or within the policy's
    ``closing_window`` before the close, counts from the next working day's opening.
    """
    start = cal.next_opening(received) if policy.start is StartPolicy.NEXT_OPENING else received
    if limit.cutoff is not None:
        local = start.astimezone(ZoneInfo(cal.timezone))  # ZoneInfo caches its instances
        day = local.date()
        if cal.is_working_day(day) and local.time() > limit.cutoff:
            start = cal.next_opening(cal.closing_time(day))
    window = policy.closing_window
    if window is not None:
        day = cal.local_date(start)
        if cal.is_working_day(day):
            close = cal.closing_time(day)
            if close - window <= start < close:
                start = cal.next_opening(close)
    return start


def measure_of(limit: TimeLimit) -> Measure:
    """Working units run on office time, calendar units on elapsed time."""
    return Measure.ELAPSED if limit.unit in (Unit.CALENDAR_DAYS, Unit.MONTHS) else Measure.WORKING


def budget(limit: TimeLimit, start: dt.datetime, cal: WorkCalendar) -> dt.timedelta:
    """What ``limit`` gives from ``start``, in its measure (office time or elapsed time)."""
    office = limit.office_time
    if office is not None:
        return office
    unit = limit.unit
    if unit is Unit.SAME_DAY:
        return cal.working_time_between(start, cal.closing_time(cal.working_date(start)))
    last = cal.local_date(start)
    if unit is Unit.CALENDAR_DAYS:
        last += dt.timedelta(days=int(limit.amount))
    else:
        last = _add_months(last, int(limit.amount))
    if not cal.is_working_day(last):
        last = cal.next_working_day(last)
    return cal.closing_time(last) - start


def extension(limit: TimeLimit, measure: Measure) -> dt.timedelta:
    """What an extension of ``limit`` adds to a budget kept in ``measure``."""
    hours = limit.max_working_hours()
    if measure is Measure.WORKING and hours is not None:
        return _HOUR * float(hours)  # same-day extensions count as a whole working day
    if measure is Measure.ELAPSED and limit.unit is Unit.CALENDAR_DAYS:
        return dt.timedelta(days=int(limit.amount))
    raise InvalidArgument(
        f"an extension of {limit} cannot be added to a clock kept in {measure.value} time; "
        "extend in the unit of the statutory limit")


def spent(measure: Measure, a: dt.datetime, b: dt.datetime, cal: WorkCalendar) -> dt.timedelta:
    """Time that counts between ``a`` and ``b`` (never negative)."""
    if b <= a:
        return _ZERO
    return cal.working_time_between(a, b) if measure is Measure.WORKING else b - a


def project(limit: TimeLimit, since: dt.datetime, remaining: dt.timedelta,
            cal: WorkCalendar, convention: Convention) -> dt.datetime:
    """The due instant when ``remaining`` of the budget is left at ``since``."""
    if measure_of(limit) is Measure.ELAPSED:
        day = cal.local_date(since + remaining)
        if not cal.is_working_day(day):
            day = cal.next_working_day(day)
        return cal.closing_time(day)
    if limit.unit is Unit.SAME_DAY:
        # The close of the working day on which the last of the budget is used.
        if remaining <= _ZERO:
            return cal.closing_time(cal.working_date(since))
        last = cal.add_working_time(since, remaining - _EPSILON)
        return cal.closing_time(cal.local_date(last))
    due = cal.add_working_time(since, remaining)
    if convention is Convention.END_OF_DAY:
        return cal.closing_time(cal.local_date(due))
    return due


def appointment(received: dt.datetime, limit: TimeLimit, cal: WorkCalendar,
                policy: ClockPolicy = ClockPolicy()) -> Deadline:
    """The appointment of a dossier received at ``received`` under ``limit``."""
    if not isinstance(limit, TimeLimit):
        raise InvalidArgument(f"limit must be a TimeLimit such as working_days(3), got {limit!r}")
    # Most appointments are one call to WorkCalendar.opening_and_end, which reads the start and
    # the due instant off the calendar's index; the general path below is the definition, and a
    # property test holds the two equal. The mapping is what the limits mean: office time from
    # the start (at the close of its day under END_OF_DAY); the close of the start's working
    # day; the close of the day ``amount`` calendar days later, or the next working day's.
    if policy.start is _NEXT_OPENING and policy.closing_window is None:
        office = limit.office_time
        if office is not None:
            start, due = cal.opening_and_end(
                received, office_time=office, to_close=policy.convention is _END_OF_DAY,
                next_day_after=limit.cutoff)
            return Deadline(limit, received, start, due, policy.convention, cal.name,
                            cal.fingerprint)
        unit = limit.unit
        if unit is _SAME_DAY or unit is _CALENDAR_DAYS:
            start, due = cal.opening_and_end(
                received, days=0 if unit is _SAME_DAY else int(limit.amount),
                next_day_after=limit.cutoff)
            return Deadline(limit, received, start, due, policy.convention, cal.name,
                            cal.fingerprint)
    return _appointment(received, limit, cal, policy)


def _appointment(received: dt.datetime, limit: TimeLimit, cal: WorkCalendar,
                 policy: ClockPolicy) -> Deadline:
    """:func:`appointment` by its definition: clock start, budget, projection."""
    start = clock_start(received, limit, cal, policy)
    if limit.unit is Unit.SAME_DAY:  # what project(start, budget(start)) gives, directly
        due = cal.closing_time(cal.working_date(start))
    else:
        due = project(limit, start, budget(limit, start, cal), cal, policy.convention)
    return Deadline(limit, received, start, due, policy.convention, cal.name, cal.fingerprint)


def _add_months(day: dt.date, months: int) -> dt.date:
    """The corresponding day ``months`` later, or that month's last day (Civil Code Art. 148)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, _monthcal.monthrange(year, month)[1]))
