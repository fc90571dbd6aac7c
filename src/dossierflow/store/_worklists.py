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
    ``(return)`` (the result waits to be returned). ``step_due`` is when the step is due (its
    allotment from its activation, paused with the dossier), ``dossier_due`` when the dossier
    is (its appointment, moved by pauses, supplements and extensions), ``due`` the earlier of
    the two, and ``overdue_since`` when the step overran its allotment or the dossier its
    appointment, whichever came first (None: neither). Instants are in the time zone of the
    engine's calendar (``Asia/Ho_Chi_Minh`` for Vietnam); a due is None while its clock is not
    running or there is none."""

    dossier_id: str
    step: str
    agency: str
    status: str
    due: dt.datetime | None
    step_due: dt.datetime | None = None
    dossier_due: dt.datetime | None = None
    overdue_since: dt.datetime | None = None


def worklist(agency: str, status: Status | None, limit: int) -> sa.Select[Any]:
    """Open dossiers held by ``agency``, soonest due first."""
    q = sa.select(t.active).where(t.active.c.agency == agency)
    if status is not None:
        q = q.where(t.active.c.status == status.value)
    return q.order_by(t.active.c.due_us, t.active.c.dossier_id).limit(limit)


def overdue(at: dt.datetime, agency: str | None, limit: int | None) -> sa.Select[Any]:
    """Rows overdue at ``at`` (their step overran its allotment or their dossier its
    appointment, paused dossiers whose time ran out included), most overdue first (through
    the ``(agency, overdue)`` or ``(overdue)`` index)."""
    q = sa.select(t.active).where(t.active.c.overdue_us < to_us(at))
    if agency is not None:
        q = q.where(t.active.c.agency == agency)
    q = q.order_by(t.active.c.overdue_us, t.active.c.dossier_id)
    return q if limit is None else q.limit(limit)


def due_soon(at: dt.datetime, until: dt.datetime, agency: str | None) -> sa.Select[Any]:
    """Rows whose step or dossier falls due between ``at`` and ``until``, soonest first."""
    lo, hi = to_us(at), to_us(until)
    c = t.active.c
    q = sa.select(t.active).where(c.status == Status.IN_PROGRESS.value, sa.or_(
        c.step_due_us.between(lo, hi), c.dossier_due_us.between(lo, hi)))
    if agency is not None:
        q = q.where(c.agency == agency)
    return q.order_by(c.due_us, c.dossier_id)


def overdue_dossiers(at: dt.datetime, limit: int) -> sa.Select[Any]:
    """The ids of open dossiers past their appointment at ``at``, most overdue first."""
    c = t.dossiers.c
    return sa.select(c.id).where(c.overdue_us < to_us(at)).order_by(c.overdue_us,
                                                                     c.id).limit(limit)


def entries(reader: sa.Engine, query: sa.Select[Any], zone: dt.tzinfo) -> tuple[Entry, ...]:
    """The rows of ``query`` (one of the above) as entries, their instants in ``zone``."""
    def local(us: int | None) -> dt.datetime | None:
        return None if us is None else from_us(us).astimezone(zone)

    with reader.connect() as conn:
        return tuple(
            Entry(r.dossier_id, r.step, r.agency, r.status, local(r.due_us),
                  local(r.step_due_us), local(r.dossier_due_us), local(r.overdue_us))
            for r in conn.execute(query))
