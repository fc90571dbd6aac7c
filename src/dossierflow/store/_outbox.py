"""The outbox (package-internal): messages for the application to deliver (SMS, e-mail,
letters), written in the same transaction as the events that caused them, and the relay that
leases pending messages to a worker, delivers them and marks them delivered, at least once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import attrs
import sqlalchemy as sa

from dossierflow.states import (
    Apologized,
    Received,
    Refused,
    Resolved,
    ResultReturned,
    Stopped,
    SupplementRequested,
    Withdrawn,
)
from dossierflow.store import _schema as t
from dossierflow.store._sql import MICROSECOND, to_us

NOTIFY: tuple[type[Any], ...] = (Received, Refused, SupplementRequested, Apologized, Resolved,
                                 ResultReturned, Stopped, Withdrawn)
"""Events that put a message in the outbox by default: what the applicant is told (the
receipt, a refusal, a supplement request, an apology, the result, a stop)."""


@attrs.frozen
class OutboxMessage:
    """A message for the application to deliver; ``key`` makes deliveries idempotent."""

    id: int
    key: str
    dossier_id: str
    seq: int
    type: str
    payload: dict[str, Any]
    attempts: int


def relay(db: sa.Engine, deliver: Callable[[OutboxMessage], None], *, at: dt.datetime,
          worker: str, batch: int, lease: dt.timedelta, skip_locked: bool) -> int:
    """Lease up to ``batch`` pending messages of ``db`` to ``worker`` until ``at + lease``,
    deliver each with ``deliver`` and mark those delivered; returns how many were. With
    ``skip_locked`` (PostgreSQL) rows another relay has locked are skipped; SQLite serialises
    the claim. A delivery that raises is left for the next lease."""
    now = to_us(at)
    with db.begin() as conn:
        pending = (sa.select(t.outbox.c.id)
                   .where(t.outbox.c.delivered_us.is_(None),
                          sa.or_(t.outbox.c.lease_until_us.is_(None),
                                 t.outbox.c.lease_until_us < now))
                   .order_by(t.outbox.c.id).limit(batch))
        if skip_locked:
            pending = pending.with_for_update(skip_locked=True)
        ids = list(conn.execute(pending).scalars())
        if not ids:
            return 0
        conn.execute(sa.update(t.outbox).where(t.outbox.c.id.in_(ids))
                     .values(lease_until_us=now + lease // MICROSECOND, worker=worker,
                             attempts=t.outbox.c.attempts + 1))
        rows = conn.execute(sa.select(t.outbox).where(t.outbox.c.id.in_(ids))
                            .order_by(t.outbox.c.id)).all()
    delivered = 0
    for r in rows:
        message = OutboxMessage(r.id, r.key, r.dossier_id, r.seq, r.type,
                                json.loads(r.payload), r.attempts)
        try:
            deliver(message)
        except Exception:  # any failure leaves it for the next lease
            continue
        with db.begin() as conn:
            conn.execute(sa.update(t.outbox)
                         .where(t.outbox.c.id == r.id, t.outbox.c.worker == worker)
                         .values(delivered_us=now))
        delivered += 1
    return delivered


def pending_count(reader: sa.Engine) -> int:
    """How many outbox messages are not delivered yet."""
    with reader.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(t.outbox)
                                .where(t.outbox.c.delivered_us.is_(None))).scalar_one())
