"""Worklists (package-internal): who holds which open dossier, read from the ``df_active``
index: an agency's worklist, the overdue list and the due-soon list, as :class:`Entry` rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import sqlalchemy as sa

from dossierflow.states import RECEPTION, Status
from dossierflow.store import _schema as t
from dossierflow.store._projection import RETURN
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
    running or there is none.

    ``reason`` says why the entry is listed:

    - in the overdue list, what overran first: ``"step"`` (the step its allotment),
      ``"dossier"`` (the dossier its appointment), ``"pause"`` (the pause in progress its
      maximum) or ``"reception"`` (at the desk, an online filing not received nor asked to
      supplement within 8 working hours; ``due`` is then when it had to be);
    - in the due-soon list, what falls due: ``"step"``, ``"dossier"``, or ``"apology"`` (the
      apology, Form 04, is due; ``due`` is then when): a row due soon for its clock and for
      its apology gives two entries;
    - in a worklist, the overdue reason of an overdue row, else ``"reception"`` or
      ``"return"`` for the desk's rows and ``"step"`` for the others."""

    dossier_id: str
    step: str
    agency: str
    status: str
    due: dt.datetime | None
    step_due: dt.datetime | None = None
    dossier_due: dt.datetime | None = None
    overdue_since: dt.datetime | None = None
    reason: str = "step"


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
    """Rows whose step, dossier or apology falls due between ``at`` and ``until``, soonest
    first."""
    lo, hi = to_us(at), to_us(until)
    c = t.active.c
    q = sa.select(t.active).where(c.status == Status.IN_PROGRESS.value, sa.or_(
        c.step_due_us.between(lo, hi), c.dossier_due_us.between(lo, hi),
        c.apology_due_us.between(lo, hi)))
    if agency is not None:
        q = q.where(c.agency == agency)
    return q.order_by(c.due_us, c.dossier_id)


def overdue_dossiers(at: dt.datetime, limit: int) -> sa.Select[Any]:
    """The ids of open dossiers past their appointment at ``at``, most overdue first."""
    c = t.dossiers.c
    return sa.select(c.id).where(c.overdue_us < to_us(at)).order_by(c.overdue_us,
                                                                     c.id).limit(limit)


def supplement_expired(at: dt.datetime, limit: int) -> sa.Select[Any]:
    """The ids of dossiers whose supplement wait expired before ``at``, the longest expired
    first (through the ``supplement_expires`` index)."""
    c = t.dossiers.c
    return sa.select(c.id).where(c.supplement_expires_us < to_us(at)).order_by(
        c.supplement_expires_us, c.id).limit(limit)


def entries(reader: sa.Engine, query: sa.Select[Any], zone: dt.tzinfo, *,
            window: tuple[dt.datetime, dt.datetime] | None = None) -> tuple[Entry, ...]:
    """The rows of ``query`` (one of the above) as entries, their instants in ``zone``;
    ``window``: the due-soon list's (``at``, ``until``), whose rows give an entry for their
    clock's due and one for their apology's, each when it falls in the window."""
    def local(us: int | None) -> dt.datetime | None:
        return None if us is None else from_us(us).astimezone(zone)

    def listed(r: Any) -> list[Entry]:
        entry = Entry(r.dossier_id, r.step, r.agency, r.status, local(r.due_us),
                      local(r.step_due_us), local(r.dossier_due_us), local(r.overdue_us),
                      r.reason or _RESERVED.get(r.step, "step"))
        if window is None:
            return [entry]
        lo, hi = to_us(window[0]), to_us(window[1])
        found = []
        soon = [(us, why) for us, why in ((r.step_due_us, "step"), (r.dossier_due_us, "dossier"))
                if us is not None and lo <= us <= hi]
        if soon:
            found.append(attrs.evolve(entry, reason=min(soon)[1]))
        if r.apology_due_us is not None and lo <= r.apology_due_us <= hi:
            found.append(attrs.evolve(entry, due=local(r.apology_due_us), reason="apology"))
        return found

    with reader.connect() as conn:
        found = [e for r in conn.execute(query) for e in listed(r)]
    if window is not None:  # apology entries join in the order of their due
        found.sort(key=lambda e: (e.due is None, e.due or window[0], e.dossier_id))
    return tuple(found)


_RESERVED = {RECEPTION: "reception", RETURN: "return"}
