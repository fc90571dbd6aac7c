"""Value objects a calendar is made of: days off, make-up working days, office hours."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Sequence
from typing import Literal

import attrs

from dossierflow._errors import InvalidArgument, InvalidCalendar

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _check_day(_: object, attribute: attrs.Attribute[dt.date], value: object) -> None:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InvalidArgument(f"{attribute.name} must be a datetime.date, got {value!r}")


def _check_text(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgument(
            f"{attribute.name} must be a non-empty string (every calendar entry says why the day "
            f"is what it is and which document says so), got {value!r}"
        )


@attrs.frozen
class DayOff:
    """A day on which offices are closed: a holiday, a swapped day, a closure.

    ``source`` names the document the day comes from (law and article, dispatch number);
    ``estimated`` is true when the day was computed by rule rather than announced.
    """

    day: dt.date = attrs.field(validator=_check_day)
    reason: str = attrs.field(validator=_check_text)
    source: str = attrs.field(validator=_check_text)
    estimated: bool = attrs.field(default=False, kw_only=True)


@attrs.frozen
class MakeupWorkday:
    """A weekend day worked in exchange for a weekday off ("làm bù")."""

    day: dt.date = attrs.field(validator=_check_day)
    reason: str = attrs.field(validator=_check_text)
    source: str = attrs.field(validator=_check_text)
    estimated: bool = attrs.field(default=False, kw_only=True)


_HHMM = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


def parse_clock(text: str) -> dt.time:
    """Parse ``"HH:MM"`` into a time; raise :class:`InvalidArgument` otherwise."""
    m = _HHMM.match(text)
    if m is None or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise InvalidArgument(f"{text!r} is not a clock time; write it as 'HH:MM', e.g. '07:30'")
    return dt.time(int(m.group(1)), int(m.group(2)))


@attrs.frozen
class Session:
    """One opening of the office on a day, from ``start`` (open) to ``end`` (closed)."""

    start: dt.time
    end: dt.time

    def __attrs_post_init__(self) -> None:
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, dt.time) or value.tzinfo is not None:
                raise InvalidArgument(
                    f"Session.{name} must be a naive datetime.time, got {value!r}"
                )
        if self.end <= self.start:
            raise InvalidArgument(
                f"session {self.start:%H:%M}-{self.end:%H:%M} ends before it starts; "
                "a session must end later on the same day"
            )

    @classmethod
    def parse(cls, text: str) -> Session:
        """Build a session from ``"08:00-12:00"``."""
        if not isinstance(text, str) or text.count("-") != 1:
            raise InvalidArgument(f"{text!r} is not a session; write it as 'HH:MM-HH:MM'")
        start, end = text.split("-")
        return cls(parse_clock(start), parse_clock(end))

    @property
    def seconds(self) -> tuple[int, int]:
        """Start and end as seconds after midnight."""
        return (
            self.start.hour * 3600 + self.start.minute * 60 + self.start.second,
            self.end.hour * 3600 + self.end.minute * 60 + self.end.second,
        )

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


SessionsLike = Iterable["Session | str"]


def to_sessions(sessions: SessionsLike) -> tuple[Session, ...]:
    """Normalise sessions (objects or ``"HH:MM-HH:MM"`` strings), sorted and checked apart."""
    if isinstance(sessions, str):
        raise InvalidArgument(
            f"sessions must be a list such as ['08:00-12:00', '13:00-17:00'], got {sessions!r}"
        )
    result = tuple(
        sorted(
            (s if isinstance(s, Session) else Session.parse(s) for s in sessions),
            key=lambda s: s.start,
        )
    )
    for a, b in itertools.pairwise(result):
        if b.start < a.end:
            raise InvalidCalendar(f"office sessions {a} and {b} overlap; give them apart")
    return result


def to_weekdays(weekdays: Iterable[int | str]) -> tuple[int, ...]:
    """Normalise weekdays given as 0-6 (Monday = 0) or names ``"mon"`` ... ``"sun"``."""
    out: list[int] = []
    for w in weekdays:
        if isinstance(w, str) and w.lower()[:3] in WEEKDAY_NAMES:
            out.append(WEEKDAY_NAMES.index(w.lower()[:3]))
        elif isinstance(w, int) and not isinstance(w, bool) and 0 <= w <= 6:
            out.append(w)
        else:
            raise InvalidArgument(
                f"{w!r} is not a weekday; use 0-6 (Monday = 0) or one of {list(WEEKDAY_NAMES)}"
            )
    return tuple(sorted(set(out)))


@attrs.frozen
class OfficeHours:
    """When the office is open: sessions for each weekday, and for make-up working days.

    ``weekly[0]`` is Monday. A make-up Saturday is a full working day, so it uses ``makeup``
    rather than Saturday's own sessions (which may be a short reception, or none).
    """

    weekly: tuple[tuple[Session, ...], ...]
    makeup: tuple[Session, ...]

    def __attrs_post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise InvalidCalendar("OfficeHours.weekly needs seven entries, Monday first")

    @classmethod
    def uniform(cls, sessions: SessionsLike) -> OfficeHours:
        """The same sessions every day (days off and weekends are still closed)."""
        s = to_sessions(sessions)
        if not s:
            raise InvalidCalendar("office hours need at least one session")
        return cls(weekly=(s,) * 7, makeup=s)

    def replace(self, sessions: SessionsLike, weekdays: Sequence[int] | None) -> OfficeHours:
        """These hours with ``sessions`` on ``weekdays`` (all days and make-up days if None)."""
        if weekdays is None:
            return OfficeHours.uniform(sessions)
        s = to_sessions(sessions)
        weekly = tuple(s if i in weekdays else self.weekly[i] for i in range(7))
        return OfficeHours(weekly=weekly, makeup=self.makeup)

    def sessions_for(self, weekday: int, *, makeup: bool = False) -> tuple[Session, ...]:
        """The sessions of a working day on ``weekday`` (or of a make-up day)."""
        return self.makeup if makeup else self.weekly[weekday]


DayKind = Literal["working_day", "weekend", "day_off", "makeup_workday"]


@attrs.frozen
class DayStatus:
    """What a calendar says about one day, and why."""

    day: dt.date
    working: bool
    kind: DayKind
    reason: str
    source: str
    estimated: bool
    sessions: tuple[Session, ...]
