"""The civil-service calendar of Vietnam.

Announced years (shipped as ``data/vietnam/<year>.toml``, one file per year, every date with
the document it comes from) are authoritative. Other years are computed by rule with
python-holidays' Vietnam calendar (Labour Code in force each year, Tết and Hùng Kings' day on
the Vietnamese UTC+7 lunar calendar, compensatory days) and are reported as estimated.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from importlib import resources

import attrs

from dossierflow.calendar._calendar import WorkCalendar
from dossierflow.calendar._entries import DayOff, MakeupWorkday, OfficeHours
from dossierflow.calendar._layers import Layer, parse_layer

TIMEZONE = "Asia/Ho_Chi_Minh"

OFFICE_HOURS = OfficeHours.uniform(["08:00-12:00", "13:00-17:00"])
"""Default office hours: a morning and an afternoon session, 8 hours a day.

Decision 188/1999/QĐ-TTg sets the civil service's 40-hour week (8 hours a day, Monday to
Friday); the session times are set by each province or agency. 08:00-12:00 and 13:00-17:00 is a
common arrangement; change it with ``vietnam(office_hours=[...])`` or ``with_office_hours``.
"""

CULTURE_DAY_SOURCE = (
    "Politburo Resolution 80-NQ/TW (January 2026) chose 24 November as Vietnam Culture Day, a paid "
    "day off; Government Resolution 30/NQ-CP tasks amending Labour Code 2019 Art. 112(1). Enabled "
    "by vietnam(culture_day=True)"
)


@attrs.frozen
class VietnamRule:
    """Statutory days off of a year without an announced schedule, from python-holidays.

    ``culture_day`` keeps Vietnam Culture Day (24 November, from 2026), whose statutory basis
    is pending; without it those days are left out.
    """

    culture_day: bool = False

    def __call__(self, year: int) -> tuple[Sequence[DayOff], Sequence[MakeupWorkday]]:
        import holidays
        from holidays.countries.vietnam import VietnamStaticHolidays
        from holidays.version import __version__ as holidays_version

        source = (
            f"computed by rule (python-holidays {holidays_version}, Vietnam: Labour Code in "
            f"force in {year}, Vietnamese lunar calendar); no official {year} schedule loaded"
        )
        days = holidays.country_holidays("VN", years=year, language="en_US")
        offs = [
            DayOff(day, name, source, estimated=True)
            for day, name in sorted(days.items())
            if self.culture_day or "Cultural Day" not in name
        ]
        makeups = [
            MakeupWorkday(worked, f"Worked in exchange for {off:%A %d %B %Y} (day off)", source,
                          estimated=True)
            for off, worked in _swaps(VietnamStaticHolidays.special_public_holidays)
            if worked.year == year
        ]
        return offs, makeups


def _swaps(table: object) -> list[tuple[dt.date, dt.date]]:
    """(day off, weekend day worked) pairs from python-holidays' table of special days."""
    pairs: list[tuple[dt.date, dt.date]] = []
    if not isinstance(table, dict):
        return pairs
    for year, value in table.items():
        entries = value if value and isinstance(value[0], tuple) else (value,)
        for entry in entries:
            if len(entry) in (4, 5):
                m, d, fm, fd, *rest = entry
                pairs.append((dt.date(year, m, d), dt.date(rest[0] if rest else year, fm, fd)))
    return pairs


@functools.cache
def _shipped_layers() -> tuple[Layer, ...]:
    folder = resources.files("dossierflow.calendar") / "data" / "vietnam"
    import tomllib

    layers = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            text = entry.read_text(encoding="utf-8")
            layers.append(
                parse_layer(tomllib.loads(text), path=f"dossierflow/calendar/data/vietnam/"
                            f"{entry.name}", text=text)
            )
    return tuple(layers)


def announced_years() -> tuple[int, ...]:
    """The years whose official civil-service schedule ships with this release."""
    return tuple(sorted(y for layer in _shipped_layers() for y in layer.announced_years))


def vietnam(
    *,
    first_year: int = 2000,
    last_year: int = 2099,
    culture_day: bool = False,
    office_hours: Sequence[str] | None = None,
) -> WorkCalendar:
    """The civil-service working calendar of Vietnam (Asia/Ho_Chi_Minh, Monday to Friday).

    Years with an announced schedule (see :func:`announced_years`) come from data shipped with
    the package; other years are computed by rule and reported by ``is_estimated``. Layer next
    year's announcement or a local closure with ``with_layer_file`` or ``with_days_off``.
    Calls with the same arguments return the same (immutable) calendar, index included.
    """
    return _vietnam(first_year, last_year, culture_day,
                    None if office_hours is None else tuple(office_hours))


@functools.lru_cache(maxsize=16)
def _vietnam(
    first_year: int, last_year: int, culture_day: bool, office_hours: tuple[str, ...] | None
) -> WorkCalendar:
    cal = WorkCalendar(
        name="vietnam",
        timezone=TIMEZONE,
        first_year=first_year,
        last_year=last_year,
        office_hours=OFFICE_HOURS if office_hours is None else OfficeHours.uniform(office_hours),
        rule=VietnamRule(culture_day=culture_day),
    )
    for layer in _shipped_layers():
        if all(first_year <= y <= last_year for y in layer.announced_years):
            cal = layer.apply(cal)
    if culture_day and first_year <= 2026 <= last_year:
        cal = cal.with_days_off(
            [DayOff(dt.date(2026, 11, 24), "Vietnam Culture Day (24 November)", CULTURE_DAY_SOURCE)]
        )
    return cal
