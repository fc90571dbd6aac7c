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


def check_instant(value: object, name: str) -> dt.datetime:
    """``value`` if it is a timezone-aware datetime; otherwise :class:`NaiveDatetimeError` (a
    datetime without a time zone) or :class:`InvalidArgument` (not a datetime), naming the
    argument ``name``."""
    if not isinstance(value, dt.datetime):
        raise InvalidArgument(
            f"{name} must be a timezone-aware datetime.datetime, got {value!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(name, value)
    return value


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


class InvalidProcedure(DossierflowError, ValueError):
    """A procedure definition is inconsistent; lists every offender and how to fix each."""

    def __init__(self, code: str, problems: list[str]) -> None:
        self.code = code
        self.problems = tuple(problems)
        listing = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"procedure {code!r} is invalid ({len(self.problems)} problem"
            f"{'s' if len(self.problems) != 1 else ''}):\n{listing}"
        )


class UnknownProcedure(DossierflowError, LookupError):
    """A catalogue has no procedure with the code (and version, or date) asked for."""

    def __init__(self, code: str, detail: str) -> None:
        self.code = code
        super().__init__(f"no procedure {code!r} {detail}")


class TransitionNotAllowed(DossierflowError, LookupError):
    """A command does not apply to the dossier in its current state; nothing was changed."""

    def __init__(
        self,
        dossier_id: str,
        status: str,
        command: str,
        allowed: tuple[str, ...],
        reason: str = "",
    ) -> None:
        self.dossier_id = dossier_id
        self.status = status
        self.command = command
        self.allowed = allowed
        self.reason = reason
        why = f" ({reason})" if reason else ""
        listing = ", ".join(repr(a) for a in allowed) if allowed else "nothing"
        super().__init__(
            f"dossier {dossier_id} is {status!r}; {command!r} is not allowed there{why}; "
            f"allowed: {listing}"
        )


class NotAuthorized(DossierflowError, PermissionError):
    """The actor may not issue this command on this dossier; nothing was changed."""

    def __init__(self, dossier_id: str, actor: str, command: str, reason: str) -> None:
        self.dossier_id = dossier_id
        self.actor = actor
        self.command = command
        self.reason = reason
        super().__init__(f"{actor} may not {command!r} dossier {dossier_id}: {reason}")


class SchemaError(DossierflowError, ValueError):
    """Stored dossier or event data cannot be read: corrupted, unknown type or newer schema.

    Names the dossier and the event's sequence number when they are known."""

    def __init__(self, problem: str, *, dossier_id: str | None = None, seq: int | None = None):
        self.dossier_id = dossier_id
        self.seq = seq
        self.problem = problem
        where = ""
        if dossier_id is not None:
            where = f"dossier {dossier_id}"
            if seq is not None:
                where += f", event {seq}"
            where += ": "
        super().__init__(where + problem)


class TamperedRecord(SchemaError):
    """A dossier's stored records are not as the store wrote them: its hash chain is broken,
    or does not end at the head recorded with it (events deleted, edited, rewritten or
    appended outside the store). ``load`` refuses such a dossier rather than return what an
    attacker may have written.

    ``problems`` holds each :class:`dossierflow.store.Tampering` found (dossier, event, kind
    of change); ``seq`` is the first event concerned. Investigate with
    ``store.read_events(dossier_id)``, which returns the raw rows and never raises on
    tampering; ``store.verify_all()`` lists every tampered dossier."""

    def __init__(self, dossier_id: str, problems: tuple[object, ...], seq: int | None = None):
        self.problems = problems
        texts = []
        for k, p in enumerate(problems):
            where = getattr(p, "seq", None)
            text = str(getattr(p, "problem", p))
            texts.append(text if k == 0 or where is None else f"event {where}: {text}")
        super().__init__(f"{'; '.join(texts)}; the records were tampered with (investigate "
                         f"with store.read_events({dossier_id!r}))", dossier_id=dossier_id,
                         seq=seq)


class ConcurrencyConflict(DossierflowError, RuntimeError):
    """Someone else appended to the dossier since it was loaded; nothing was saved.

    Load the dossier again and re-apply the command (``Store.run`` does it for you)."""

    def __init__(self, dossier_id: str, expected: int, actual: int | None) -> None:
        self.dossier_id = dossier_id
        self.expected = expected
        self.actual = actual
        now = "does not exist" if actual is None else f"is at version {actual}"
        super().__init__(
            f"dossier {dossier_id} was loaded at version {expected} but {now}; reload it and "
            "apply the command again"
        )


class DossierExists(DossierflowError, ValueError):
    """A dossier is filed with an id the store already holds; nothing was written.

    A ``ValueError``: the id given is not acceptable as a new one, and no retry can make it
    so (unlike :class:`ConcurrencyConflict`). Not a ``FileExistsError``, which is an
    ``OSError`` that ``except OSError`` around I/O code would catch by mistake."""

    def __init__(self, dossier_id: str) -> None:
        self.dossier_id = dossier_id
        super().__init__(
            f"dossier {dossier_id} is already in the store; load it with "
            f"store.load({dossier_id!r}), or file the new dossier with another id"
        )


class DossierNotFound(DossierflowError, LookupError):
    """The store holds no dossier with the id asked for."""

    def __init__(self, dossier_id: str) -> None:
        self.dossier_id = dossier_id
        super().__init__(
            f"no dossier {dossier_id!r} in the store; file it first with store.file(...), "
            "or check the id (store.dossier_ids() lists them)"
        )


class ClockSkew(DossierflowError, ValueError):
    """An instant given to the store is further ahead of the database server's clock than the
    store's ``clock_tolerance``; nothing was written.

    Events must be in time order, so one stamped in the future would make every later command
    at the real time be refused. Check the clock of the machine (or the ``at`` function) that
    produced the instant; widen ``Store(..., clock_tolerance=...)`` if the clocks are known to
    drift, or pass ``clock_tolerance=None`` to accept any instant (imports of old records)."""

    def __init__(self, at: dt.datetime, server_time: dt.datetime,
                 tolerance: dt.timedelta) -> None:
        self.at = at
        self.server_time = server_time
        self.tolerance = tolerance
        super().__init__(
            f"at={at.isoformat()} is {at - server_time} ahead of the database server's clock "
            f"({server_time.isoformat()}); the store accepts instants at most {tolerance} "
            "ahead of it. Check the clock of the machine that produced the instant, or widen "
            "Store(..., clock_tolerance=...)")


class StoreError(DossierflowError):
    """The database could not do what the store asked, for a reason outside dossierflow (the
    server, the disk, the file's permissions). The driver's exception is the ``__cause__``."""

    def __init__(self, problem: str, *, detail: str = "") -> None:
        self.problem = problem
        self.detail = detail
        super().__init__(f"{problem}: {detail}" if detail else problem)


class StoreUnavailable(StoreError, ConnectionError):
    """The database cannot be reached: the connection was refused or lost. A command whose
    outcome is unknown has been checked (the store re-reads the dossier) before this is raised:
    nothing was written, or the error says it may have been."""


class StoreReadOnly(StoreError, PermissionError):
    """The database refuses writes: a read-only file, a read-only transaction or replica."""


class StoreFull(StoreError, OSError):
    """The database has no room left: its disk (or its configured maximum size) is full."""


class TransactionOpen(DossierflowError, RuntimeError):
    """A command was given without ``connection=`` while this thread holds an open transaction
    on the store's database: the store's own transaction would wait for it (SQLite for its busy
    timeout, PostgreSQL for ever). Pass the application's connection (``connection=conn``) so
    that the command joins its unit of work, or commit it first."""

    def __init__(self, method: str) -> None:
        self.method = method
        super().__init__(
            f"store.{method}(...) was called without connection= while this thread holds an "
            "open transaction on the store's database (a connection from store.db.begin()); "
            f"pass it, store.{method}(..., connection=conn), to write in that transaction, or "
            "commit it first")
