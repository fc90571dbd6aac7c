"""Worklists (package-internal): who holds which open dossier, read from the ``df_active``
index: an agency's worklist, the overdue list and the due-soon list, as :class:`Entry` rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import sqlalchemy as sa

from dossierflow.states import Status
from dossierflow.store import _schema as t
from dossierflow.store._sql import from_us, to_us


@attrs.frozen
class Entry:
    """A worklist row: an open dossier held by an agency at a step.

    ``step`` is a step of the procedure, ``(reception)`` (at the desk, not yet received) or
    ``(return)`` (the result waits to be returned). ``due`` is the instant the step is due,
    in the time zone of the engine's calendar (``Asia/Ho_Chi_Minh`` for Vietnam), or None
    while the dossier's clock is not running."""

    dossier_id: str
    step: str
    agency: str
    status: str
    due: dt.datetime | None


def worklist(agency: str, status: Status | None, limit: int) -> sa.Select[Any]:
    """Open dossiers held by ``agency``, soonest due first."""
    q = sa.select(t.active).where(t.active.c.agency == agency)
    if status is not None:
        q = q.where(t.active.c.status == status.value)
    return q.order_by(t.active.c.due_us, t.active.c.dossier_id).limit(limit)


def overdue(at: dt.datetime, agency: str | None, limit: int | None) -> sa.Select[Any]:
    """Steps of running dossiers whose appointment passed before ``at``, most overdue first
    (through the ``(agency, status, due)`` index)."""
    q = sa.select(t.active).where(t.active.c.due_us < to_us(at),
                                  t.active.c.status == Status.IN_PROGRESS.value)
    if agency is not None:
        q = q.where(t.active.c.agency == agency)
    q = q.order_by(t.active.c.due_us)
    return q if limit is None else q.limit(limit)


def due_soon(at: dt.datetime, until: dt.datetime, agency: str | None) -> sa.Select[Any]:
    """Steps of running dossiers due between ``at`` and ``until``."""
    q = sa.select(t.active).where(t.active.c.status == Status.IN_PROGRESS.value,
                                  t.active.c.due_us >= to_us(at),
                                  t.active.c.due_us <= to_us(until))
    if agency is not None:
        q = q.where(t.active.c.agency == agency)
    return q.order_by(t.active.c.due_us)


def entries(reader: sa.Engine, query: sa.Select[Any], zone: dt.tzinfo) -> tuple[Entry, ...]:
    """The rows of ``query`` (one of the above) as entries, their instants in ``zone``."""
    with reader.connect() as conn:
        return tuple(
            Entry(r.dossier_id, r.step, r.agency, r.status,
                  from_us(r.due_us).astimezone(zone) if r.due_us is not None else None)
            for r in conn.execute(query))
