"""Dates, hours and amounts written the Vietnamese way, as forms and notices print them:
"ngày 23 tháng 02 năm 2026", "17 giờ 00", "2.000 đồng" (thousands grouped with dots).

Dates follow Decree 30/2020/NĐ-CP (Appendix I) on administrative documents: a day below 10
and the months 1 and 2 take a leading zero ("ngày 05 tháng 3", "ngày 23 tháng 02"), so that
nobody can add a digit. An instant is written in the calendar's zone, never the server's.
English (``language="en"``) is the second locale, for docs and tests.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from dossierflow._errors import InvalidArgument, check_instant

VIETNAM = "Asia/Ho_Chi_Minh"
_LANGUAGES = ("vi", "en")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")


def _language(language: str) -> str:
    if language not in _LANGUAGES:
        raise InvalidArgument(f"language must be one of {_LANGUAGES}, got {language!r}")
    return language


def _local(at: dt.datetime, timezone: str, name: str = "at") -> dt.datetime:
    return check_instant(at, name).astimezone(ZoneInfo(timezone))


def _date(day: dt.date, language: str) -> str:
    if language == "en":
        return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _time(at: dt.time | dt.datetime, language: str, minutes: bool) -> str:
    if language == "en":
        return f"{at.hour:02d}:{at.minute:02d}"
    return f"{at.hour} giờ {at.minute:02d}" + (" phút" if minutes else "")


def format_date(day: dt.date | dt.datetime, *, language: str = "vi",
                timezone: str = VIETNAM) -> str:
    """"ngày 23 tháng 02 năm 2026", "ngày 05 tháng 3 năm 2026" (English: "23 February
    2026"). An aware datetime is read in ``timezone`` first."""
    _language(language)
    if isinstance(day, dt.datetime):
        day = _local(day, timezone, "day").date()
    elif not isinstance(day, dt.date):
        raise InvalidArgument(f"day must be a date or an aware datetime, got {day!r}")
    return _date(day, language)


def format_time(at: dt.time | dt.datetime, *, language: str = "vi", minutes: bool = False,
                timezone: str = VIETNAM) -> str:
    """"17 giờ 00" (with ``minutes``: "17 giờ 00 phút", as the forms print it; English
    "17:00"). An aware datetime is read in ``timezone`` first."""
    _language(language)
    if isinstance(at, dt.datetime):
        at = _local(at, timezone).time()
    elif not isinstance(at, dt.time):
        raise InvalidArgument(f"at must be a time or an aware datetime, got {at!r}")
    return _time(at, language, minutes)


def format_instant(at: dt.datetime, *, language: str = "vi", minutes: bool = False,
                   timezone: str = VIETNAM) -> str:
    """"17 giờ 00, ngày 23 tháng 02 năm 2026" (English "17:00, 23 February 2026"), in
    ``timezone``."""
    local = _local(at, timezone)
    return f"{_time(local, _language(language), minutes)}, {_date(local, language)}"


def format_short(at: dt.datetime, *, language: str = "vi", timezone: str = VIETNAM) -> str:
    """The compact form SMS use: "17h00 23/02/2026" (English "17:00 23/02/2026")."""
    _language(language)
    local = _local(at, timezone)
    sep = "h" if language == "vi" else ":"
    # strftime is slow, and pads a year below 1000 as the C library does: kept for those.
    day = (f"{local.day:02d}/{local.month:02d}/{local.year}" if local.year >= 1000
           else f"{local:%d/%m/%Y}")
    return f"{local.hour:02d}{sep}{local.minute:02d} {day}"


def format_amount(amount: int, *, language: str = "vi") -> str:
    """A sum of Vietnamese đồng: "2.000 đồng" (English "2,000 VND"); whole numbers only."""
    _language(language)
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidArgument(f"amount must be a whole number of VND, got {amount!r}")
    grouped = f"{abs(amount):,}"
    sign = "-" if amount < 0 else ""
    if language == "en":
        return f"{sign}{grouped} VND"
    return f"{sign}{grouped.replace(',', '.')} đồng"
