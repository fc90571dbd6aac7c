"""Calendar layers: deployment data applied on top of a calendar without a new release.

A layer is a TOML or JSON file such as::

    name = "Quảng Ngãi province, 2026 closures"
    announced_years = []            # years whose complete official schedule this file lists
    weekmask = "1111100"            # optional

    [[days_off]]
    date = 2026-10-27
    until = 2026-10-28              # optional, inclusive: a closure of several days
    reason = "Typhoon: provincial offices closed"
    source = "Official Dispatch 123/UBND-NC of 26 Oct 2026"

    [[makeup_workdays]]
    date = 2027-01-09
    reason = "Worked in exchange for 2027-01-04"
    source = "..."

    [[office_hours]]
    sessions = ["07:30-11:30", "13:30-17:00"]
    weekdays = ["mon", "tue", "wed", "thu", "fri"]   # optional: all days if absent

The package's own yearly civil-service schedules use the same format.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from dossierflow._errors import DossierflowError, InvalidCalendar, LayerFileError
from dossierflow.calendar._calendar import MAX_YEARS, WorkCalendar
from dossierflow.calendar._entries import (
    DayOff,
    MakeupWorkday,
    Session,
    to_sessions,
    to_weekdays,
)

_LONGEST_CLOSURE = 366
"""The most days one entry of days off may span (a closure); longer spans are mistakes."""
_TOP_KEYS = {"name", "announced_years", "weekmask", "days_off", "makeup_workdays", "office_hours"}
_DAY_OFF_KEYS = {"date", "until", "reason", "source"}
_MAKEUP_KEYS = {"date", "reason", "source"}
_HOURS_KEYS = {"sessions", "weekdays"}


@attrs.frozen
class Layer:
    """Calendar data to apply on top of a calendar (see the module documentation)."""

    name: str
    path: Path | None = None
    days_off: tuple[DayOff, ...] = ()
    makeup_workdays: tuple[MakeupWorkday, ...] = ()
    announced_years: frozenset[int] = frozenset()
    weekmask: str | None = None
    office_hours: tuple[tuple[tuple[Session, ...], tuple[int, ...] | None], ...] = ()

    def apply(self, calendar: WorkCalendar) -> WorkCalendar:
        """``calendar`` with this layer's data; announced years replace the calendar's rule."""
        try:
            cal = calendar
            if self.weekmask is not None:
                cal = cal.with_weekmask(self.weekmask)
            for sessions, weekdays in self.office_hours:
                cal = cal.with_office_hours(sessions, weekdays=weekdays)
            return attrs.evolve(
                cal,
                days_off=(*cal.days_off, *self.days_off),
                makeup_workdays=(*cal.makeup_workdays, *self.makeup_workdays),
                announced_years=cal.announced_years | self.announced_years,
            )
        except DossierflowError as exc:
            raise LayerFileError(self.path or self.name, str(exc)) from exc


def load_layer(path: str | Path) -> Layer:
    """Read a calendar layer from a ``.toml`` or ``.json`` file.

    Every problem raises :class:`LayerFileError` naming the file and the line or key.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise LayerFileError(p, f"cannot read the file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise LayerFileError(p, "the file is not UTF-8 text") from exc
    suffix = p.suffix.lower()
    data: Any
    if suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            m = re.search(r"line (\d+)", str(exc))
            raise LayerFileError(
                p, f"not valid TOML: {exc}", line=int(m.group(1)) if m else None
            ) from exc
    elif suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LayerFileError(p, f"not valid JSON: {exc.msg}", line=exc.lineno) from exc
    else:
        raise LayerFileError(p, "a layer file must end in .toml or .json")
    return parse_layer(data, path=p, text=text if suffix == ".toml" else None)


def parse_layer(data: Any, *, path: Path | str, text: str | None = None) -> Layer:
    """Build a :class:`Layer` from already-parsed TOML/JSON data (``path`` names it in errors)."""
    p = Path(path)

    def fail(problem: str, key: str, table: str | None = None, index: int | None = None) -> None:
        line = _toml_line(text, table, index) if text is not None and table else None
        raise LayerFileError(p, problem, key=key, line=line)

    if not isinstance(data, Mapping):
        fail("the top level must be a table of keys", "<top>")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        fail(f"unknown key(s) {unknown}; allowed: {sorted(_TOP_KEYS)}", unknown[0])

    name = data.get("name", p.stem)
    if not isinstance(name, str):
        fail("must be a string", "name")

    years_raw = data.get("announced_years", [])
    if not isinstance(years_raw, list) or not all(
        isinstance(y, int) and not isinstance(y, bool) for y in years_raw
    ):
        fail("must be a list of years, e.g. [2027]", "announced_years")

    weekmask = data.get("weekmask")
    if weekmask is not None and (
        not isinstance(weekmask, str) or len(weekmask) != 7 or set(weekmask) - {"0", "1"}
    ):
        fail("must be seven '0'/'1' characters, Monday first, e.g. '1111100'", "weekmask")

    days_off: list[DayOff] = []
    for k, item in enumerate(_tables(data, "days_off", fail)):
        key = f"days_off[{k}]"
        _check_keys(item, _DAY_OFF_KEYS, key, fail, "days_off", k)
        first = _date(item, "date", key, fail, "days_off", k)
        last = _date(item, "until", key, fail, "days_off", k) if "until" in item else first
        if last < first:
            fail(f"'until' ({last}) is before 'date' ({first})", f"{key}.until", "days_off", k)
        if (last - first).days > _LONGEST_CLOSURE:
            fail(f"a closure from {first} to {last} is longer than a year; list its periods "
                 "one by one", f"{key}.until", "days_off", k)
        reason, source = _texts(item, key, fail, "days_off", k)
        for d in range((last - first).days + 1):
            days_off.append(DayOff(first + dt.timedelta(days=d), reason, source))

    makeups: list[MakeupWorkday] = []
    for k, item in enumerate(_tables(data, "makeup_workdays", fail)):
        key = f"makeup_workdays[{k}]"
        _check_keys(item, _MAKEUP_KEYS, key, fail, "makeup_workdays", k)
        day = _date(item, "date", key, fail, "makeup_workdays", k)
        reason, source = _texts(item, key, fail, "makeup_workdays", k)
        makeups.append(MakeupWorkday(day, reason, source))

    hours: list[tuple[tuple[Session, ...], tuple[int, ...] | None]] = []
    for k, item in enumerate(_tables(data, "office_hours", fail)):
        key = f"office_hours[{k}]"
        _check_keys(item, _HOURS_KEYS, key, fail, "office_hours", k)
        try:
            sessions = to_sessions(item.get("sessions", []))
            if not sessions:
                raise InvalidCalendar("give at least one session such as '08:00-12:00'")
            weekdays = to_weekdays(item["weekdays"]) if "weekdays" in item else None
        except DossierflowError as exc:
            fail(str(exc), key, "office_hours", k)
        hours.append((sessions, weekdays))

    years = {e.day.year for e in days_off} | {m.day.year for m in makeups} | set(years_raw)
    if years and max(years) - min(years) + 1 > MAX_YEARS:
        fail(f"the layer spans {min(years)}-{max(years)}; a calendar covers at most "
             f"{MAX_YEARS} years, so split it into one file per period", "days_off")
    off_days = {e.day for e in days_off}
    for m in makeups:
        if m.day in off_days:
            fail(f"{m.day} is both a day off and a make-up working day", "makeup_workdays")
    for year in years_raw:
        if not any(e.day.year == year for e in days_off):
            fail(f"announced year {year} lists no day off; an announced year's file must list "
                 "every day off of that year", "announced_years")

    return Layer(
        name=name,
        path=p,
        days_off=tuple(days_off),
        makeup_workdays=tuple(makeups),
        announced_years=frozenset(years_raw),
        weekmask=weekmask,
        office_hours=tuple(hours),
    )


def _tables(data: Mapping[str, Any], key: str, fail: Any) -> Sequence[Mapping[str, Any]]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
        fail(f"must be an array of tables ([[{key}]] in TOML, a list of objects in JSON)", key)
    return items  # type: ignore[no-any-return]


def _check_keys(
    item: Mapping[str, Any], allowed: set[str], key: str, fail: Any, table: str, k: int
) -> None:
    unknown = sorted(set(item) - allowed)
    if unknown:
        fail(f"unknown key(s) {unknown}; allowed: {sorted(allowed)}", f"{key}.{unknown[0]}",
             table, k)


def _date(item: Mapping[str, Any], name: str, key: str, fail: Any, table: str, k: int) -> dt.date:
    value = item.get(name)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    fail(f"must be a date written YYYY-MM-DD, got {value!r}", f"{key}.{name}", table, k)
    raise AssertionError  # pragma: no cover


def _texts(
    item: Mapping[str, Any], key: str, fail: Any, table: str, k: int
) -> tuple[str, str]:
    out: list[str] = []
    for name in ("reason", "source"):
        value = item.get(name)
        if not isinstance(value, str) or not value.strip():
            fail(f"every entry needs a non-empty {name!r} (why the day is what it is, and the "
                 "document that says so)", f"{key}.{name}", table, k)
        out.append(str(value))
    return out[0], out[1]


def _toml_line(text: str, table: str | None, index: int | None) -> int | None:
    """The line of the ``index``-th ``[[table]]`` header (1-based), if it can be found."""
    if table is None or index is None:
        return None
    pattern = re.compile(r"^\s*\[\[\s*" + re.escape(table) + r"\s*\]\]")
    count = -1
    for lineno, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            count += 1
            if count == index:
                return lineno
    return None
