"""The error tree.

Every error dossierflow raises is a :class:`DossierflowError` and also the standard-library type
that fits it, so callers can catch either. Errors carry the offending values as attributes and
their messages say how to fix the problem.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path


class DossierflowError(Exception):
    """Root of every error raised by dossierflow."""


class InvalidArgument(DossierflowError, ValueError, TypeError):
    """An argument has the wrong type or value (a float day count, an unknown weekday...)."""


class NaiveDatetimeError(InvalidArgument):
    """A datetime without a time zone was given where an instant is required."""

    def __init__(self, name: str, value: dt.datetime) -> None:
        self.name = name
        self.value = value
        super().__init__(
            f"{name}={value.isoformat()!r} is a naive datetime; dossierflow needs an instant. "
            f"Attach a time zone, e.g. {name}.replace(tzinfo=ZoneInfo('Asia/Ho_Chi_Minh')) "
            "or pendulum.datetime(..., tz='Asia/Ho_Chi_Minh')"
        )


class InvalidCalendar(DossierflowError, ValueError):
    """A calendar cannot be built from the data given (bad weekmask, overlapping sessions...)."""


class LayerFileError(InvalidCalendar):
    """A calendar layer file (TOML or JSON) is malformed; names the file and the key or line."""

    def __init__(
        self, path: Path | str, problem: str, *, key: str | None = None, line: int | None = None
    ) -> None:
        self.path = Path(path)
        self.key = key
        self.line = line
        self.problem = problem
        where = str(self.path)
        if line is not None:
            where += f", line {line}"
        if key is not None:
            where += f", key {key!r}"
        super().__init__(f"{where}: {problem}")


class OutOfCalendarRange(DossierflowError, LookupError):
    """A query falls outside the years a calendar covers; the calendar never guesses."""

    def __init__(self, calendar: str, day: dt.date, first_year: int, last_year: int) -> None:
        self.calendar = calendar
        self.day = day
        self.first_year = first_year
        self.last_year = last_year
        super().__init__(
            f"{day.isoformat()} is outside calendar {calendar!r}, which covers "
            f"{first_year}-{last_year}; build it with a wider range "
            f"(e.g. vietnam(first_year=..., last_year=...)) or layer the missing years' data"
        )
