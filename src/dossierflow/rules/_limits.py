"""Statutory time limits as values: an amount, a unit, an optional cut-off and a legal basis.

These values are what procedure definitions and step allotments hold. Turning a limit into an
appointment on a calendar is the SLA clock's job; here a limit only knows what it says and the
most working time it can stand for, which is what a definition needs to check that its steps'
allotments fit the statutory limit.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal, InvalidOperation

import attrs

from dossierflow._errors import InvalidArgument

HOURS_PER_WORKING_DAY = Decimal(8)
"""Office hours in a civil-service working day (Decision 188/1999/QĐ-TTg: 40 hours over 5 days),
used to compare limits in days with limits in hours without a calendar."""


class Unit(enum.Enum):
    """The units Vietnamese procedure texts use for time limits."""

    WORKING_DAYS = "working_days"
    """"ngày làm việc": whole or half working days (0.5, 2.5)."""
    WORKING_HOURS = "working_hours"
    """"giờ làm việc": hours of office time."""
    SAME_DAY = "same_day"
    """"trong ngày": the same working day, or the next one after the cut-off."""
    CALENDAR_DAYS = "calendar_days"
    """"ngày" without "làm việc": calendar days (Civil Code 2015, Art. 147-148)."""
    MONTHS = "months"
    """"tháng": calendar months (Civil Code 2015, Art. 147-148)."""


def _amount(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise InvalidArgument(f"a time limit's amount must be a number, got {value!r}")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise InvalidArgument(f"a time limit's amount must be a number, got {value!r}") from None
    if not amount.is_finite() or amount < 0:
        raise InvalidArgument(f"a time limit's amount must be zero or more, got {value!r}")
    if amount > 10**9:  # before any arithmetic on it; _check states the bound per unit
        raise InvalidArgument(f"a time limit's amount must be at most a hundred years' worth, "
                              f"got {value!r}")
    return amount


_MOST = {
    "working_days": Decimal(36_500), "working_hours": Decimal(292_000),
    "calendar_days": Decimal(36_500), "months": Decimal(1_200), "same_day": Decimal(0),
}
"""The largest amount of each unit: a hundred years' worth, far beyond any statutory limit and
within what dates and durations can hold."""


def _check(limit: TimeLimit) -> None:
    unit, amount = limit.unit, limit.amount
    most = _MOST[unit.value]
    if amount > most and unit is not Unit.SAME_DAY:
        raise InvalidArgument(f"a time limit of {amount} {unit.value} is more than a hundred "
                              f"years; at most {most} {unit.value}")
    if unit is Unit.WORKING_DAYS and amount * 2 != int(amount * 2):
        raise InvalidArgument(
            f"working days come in halves (0.5, 2.5), got {amount}; "
            "use working_hours(...) for finer limits"
        )
    if unit in (Unit.CALENDAR_DAYS, Unit.MONTHS) and amount != int(amount):
        raise InvalidArgument(f"{unit.value} must be a whole number, got {amount}")
    if unit is Unit.SAME_DAY and amount != 0:
        raise InvalidArgument("a same-day limit has no amount; build it with same_day()")
    if limit.cutoff is not None and not isinstance(limit.cutoff, dt.time):
        raise InvalidArgument(f"cutoff must be a datetime.time such as time(15), got "
                              f"{limit.cutoff!r}")
    if limit.cutoff is not None and limit.cutoff.tzinfo is not None:
        raise InvalidArgument("cutoff is a wall-clock time of the calendar's zone; drop its tzinfo")
    if not isinstance(limit.legal_basis, str):
        raise InvalidArgument(f"legal_basis must be a string, got {limit.legal_basis!r}")


@attrs.frozen
class TimeLimit:
    """A statutory time limit or a step's allotment.

    ``cutoff`` is the wall-clock time after which a receipt counts from the next working day
    (15:00 for same-day procedures; Decree 63/2024/NĐ-CP sets it for group A as well).
    """

    unit: Unit = attrs.field(validator=attrs.validators.instance_of(Unit))
    amount: Decimal = attrs.field(converter=_amount)
    cutoff: dt.time | None = None
    legal_basis: str = ""
    _office_time: dt.timedelta | None = attrs.field(init=False, eq=False, repr=False,
                                                    hash=False)

    def __attrs_post_init__(self) -> None:
        _check(self)
        hours = self.max_working_hours() if self.unit is not Unit.SAME_DAY else None
        office = None if hours is None else dt.timedelta(hours=float(hours))
        object.__setattr__(self, "_office_time", office)

    @property
    def office_time(self) -> dt.timedelta | None:
        """The office time a limit in working days or hours gives (8 hours a working day);
        None for same-day and calendar units, which depend on the dates."""
        return self._office_time

    def max_working_hours(self, hours_per_day: Decimal = HOURS_PER_WORKING_DAY) -> Decimal | None:
        """The most office time, in hours, this limit can stand for; None for calendar units,
        whose working time depends on the dates they cover."""
        if self.unit is Unit.WORKING_DAYS:
            return self.amount * hours_per_day
        if self.unit is Unit.WORKING_HOURS:
            return self.amount
        if self.unit is Unit.SAME_DAY:
            return hours_per_day
        return None

    def __str__(self) -> str:
        amount = f"{self.amount.normalize():f}"
        text = {
            Unit.WORKING_DAYS: f"{amount} working day{'' if self.amount == 1 else 's'}",
            Unit.WORKING_HOURS: f"{amount} working hour{'' if self.amount == 1 else 's'}",
            Unit.SAME_DAY: "same working day",
            Unit.CALENDAR_DAYS: f"{amount} day{'' if self.amount == 1 else 's'}",
            Unit.MONTHS: f"{amount} month{'' if self.amount == 1 else 's'}",
        }[self.unit]
        if self.cutoff is not None:
            text += f" (cut-off {self.cutoff:%H:%M})"
        return text


def working_days(
    amount: int | float | str | Decimal, *, cutoff: dt.time | None = None, legal_basis: str = ""
) -> TimeLimit:
    """``amount`` working days ("ngày làm việc"); halves allowed."""
    return TimeLimit(Unit.WORKING_DAYS, amount, cutoff, legal_basis)


def working_hours(
    amount: int | float | str | Decimal, *, cutoff: dt.time | None = None, legal_basis: str = ""
) -> TimeLimit:
    """``amount`` hours of office time ("giờ làm việc")."""
    return TimeLimit(Unit.WORKING_HOURS, amount, cutoff, legal_basis)


def same_day(*, cutoff: dt.time = dt.time(15), legal_basis: str = "") -> TimeLimit:
    """Due the same working day if received before ``cutoff`` (15:00 by default, as in Decree
    23/2015/NĐ-CP Art. 7 for certified copies), else the next working day."""
    return TimeLimit(Unit.SAME_DAY, 0, cutoff, legal_basis)


def calendar_days(
    amount: int, *, cutoff: dt.time | None = None, legal_basis: str = ""
) -> TimeLimit:
    """``amount`` calendar days ("ngày" without "làm việc")."""
    return TimeLimit(Unit.CALENDAR_DAYS, amount, cutoff, legal_basis)


def months(amount: int, *, cutoff: dt.time | None = None, legal_basis: str = "") -> TimeLimit:
    """``amount`` calendar months ("tháng")."""
    return TimeLimit(Unit.MONTHS, amount, cutoff, legal_basis)


def _cases(value: object) -> tuple[tuple[str, TimeLimit], ...]:
    if isinstance(value, dict):
        return tuple(sorted(value.items()))
    if isinstance(value, list | tuple):
        return tuple(tuple(pair) for pair in value)
    raise InvalidArgument(f"cases must map attribute values to time limits, e.g. "
                          f"{{'mountainous': working_days(27)}}, got {value!r:.80}")


@attrs.frozen
class VaryingLimit:
    """A time limit that depends on a declared attribute of the dossier or of the unit that
    receives it: the limit of ``cases`` whose key is the attribute's value, else ``default``.

    Land procedures, for example, get 10 more working days in mountainous, remote and island
    communes (Land Law 2024 and the decree on its registration procedures, Decree
    101/2024/NĐ-CP): ``varying(working_days(17),
    attribute="terrain", cases={"mountainous": working_days(27)})``. The engine reads the
    attribute from the dossier's data first (a declared data field), then from the receiving
    agency's ``attributes``; the receipt slip records the limit it chose."""

    attribute: str
    default: TimeLimit
    cases: tuple[tuple[str, TimeLimit], ...] = attrs.field(converter=_cases)
    legal_basis: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.attribute, str) or not self.attribute.strip():
            raise InvalidArgument(f"a varying limit needs the attribute it depends on, got "
                                  f"{self.attribute!r}")
        if not isinstance(self.default, TimeLimit):
            raise InvalidArgument(f"a varying limit's default must be a TimeLimit such as "
                                  f"working_days(17), got {self.default!r}")
        keys = [k for k, _ in self.cases]
        for key, limit in self.cases:
            if not isinstance(key, str) or not isinstance(limit, TimeLimit):
                raise InvalidArgument(f"case {key!r} of attribute {self.attribute!r} must map "
                                      f"a text value to a TimeLimit, got {limit!r}")
        if len(set(keys)) != len(keys):
            raise InvalidArgument(f"attribute {self.attribute!r} lists a case twice: {keys}")

    def for_value(self, value: object) -> TimeLimit:
        """The limit for the attribute's ``value`` (None or an unlisted value: the default)."""
        for key, limit in self.cases:
            if key == value:
                return limit
        return self.default

    @property
    def limits(self) -> tuple[TimeLimit, ...]:
        """Every limit it can give, the default first."""
        return (self.default, *(limit for _, limit in self.cases))

    def __str__(self) -> str:
        cases = ", ".join(f"{limit} if {self.attribute} is {key!r}" for key, limit in self.cases)
        return f"{self.default} ({cases})" if cases else str(self.default)


def varying(default: TimeLimit, *, attribute: str,
            cases: dict[str, TimeLimit], legal_basis: str = "") -> VaryingLimit:
    """A limit that depends on ``attribute`` (see :class:`VaryingLimit`)."""
    return VaryingLimit(attribute, default, cases, legal_basis)


@attrs.frozen
class PauseReason:
    """A lawful reason for an excluded period ("thời gian không tính vào thời hạn giải
    quyết"), as data: a stable ``code``, its name, its legal basis, and the longest it may
    last (``max_length``; None: the text sets no maximum). A pause longer than its maximum
    shows in the overdue list."""

    code: str
    name: str
    legal_basis: str
    max_length: TimeLimit | None = None
    name_vi: str = ""

    def __attrs_post_init__(self) -> None:
        for field in ("code", "name", "legal_basis"):
            value = getattr(self, field)
            if not isinstance(value, str) or not value.strip():
                raise InvalidArgument(f"a pause reason needs a non-empty {field}, got "
                                      f"{value!r}")
        if self.max_length is not None and not isinstance(self.max_length, TimeLimit):
            raise InvalidArgument(f"pause reason {self.code!r}: max_length must be a TimeLimit "
                                  f"such as working_days(5) or None, got {self.max_length!r}")
