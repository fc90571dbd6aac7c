"""The outbox (package-internal): messages for the application to deliver (SMS, e-mail,
letters), written in the same transaction as the events that caused them, and the relay that
leases pending messages to a worker, delivers them and marks them delivered, at least once and
in order per dossier, setting aside (quarantining) a message whose stored payload cannot be
read; :class:`RelayReport` says what one call did.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import attrs
import sqlalchemy as sa

from dossierflow._errors import InvalidArgument, SchemaError
from dossierflow.states import (
    Apologized,
    Extended,
    Received,
    Refused,
    Resolved,
    ResultReturned,
    Resumed,
    StopNoticeIssued,
    Supplemented,
    SupplementRequested,
)
from dossierflow.store import _schema as t
from dossierflow.store._sql import MICROSECOND, to_us

NOTIFY: tuple[type[Any], ...] = (Received, Refused, SupplementRequested, Apologized, Resolved,
                                 ResultReturned, StopNoticeIssued, Supplemented, Resumed,
                                 Extended)
"""Events that put a message in the outbox by default: what the applicant is told (the
receipt, a refusal, a supplement request, an apology, the result, the notice of stopping,
Form 05, whether the agency stopped the dossier or the applicant withdrew it, and the
appointment moved when the supplement arrives, a pause ends or the time is extended). The
payload is the event's, with its notice (:mod:`dossierflow.notices`) under ``"notice"``."""


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


@attrs.frozen
class RelayReport:
    """What one :meth:`Store.relay <dossierflow.store.Store.relay>` call did.

    - ``delivered``: the keys (``<dossier>:<sequence>``) of the messages ``deliver`` took;
    - ``failed``: ``(key, reason)`` for each message whose delivery raised (the exception's
      type and text); it is delivered again after its lease, and its dossier's later messages
      wait for it;
    - ``quarantined``: ``(key, reason)`` for each message whose stored payload cannot be read
      (not JSON, not an object); it is set aside for good (``df_outbox.quarantined`` holds the
      reason, :meth:`Store.quarantined_messages <dossierflow.store.Store.quarantined_messages>`
      lists them) and no longer holds back its dossier's later messages.

    A relay loop waits before its next call when ``delivered`` is empty.
    """

    delivered: tuple[str, ...] = ()
    failed: tuple[tuple[str, str], ...] = ()
    quarantined: tuple[tuple[str, str], ...] = ()


def check_relay_arguments(worker: object, batch: object, lease: object) -> None:
    """:class:`InvalidArgument` naming the first of ``worker`` (non-empty text of at most 100
    characters, the column's width), ``batch`` (a whole number from 1) and ``lease`` (a
    positive timedelta) that is not acceptable."""
    if not isinstance(worker, str) or not worker.strip() or len(worker) > 100:
        raise InvalidArgument(f"worker must be non-empty text of at most 100 characters "
                              f"naming the relay (e.g. 'relay-1'), got {worker!r}")
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise InvalidArgument(f"batch must be a whole number from 1, got {batch!r}")
    if not isinstance(lease, dt.timedelta) or lease <= dt.timedelta(0):
        raise InvalidArgument(f"lease must be a positive datetime.timedelta (e.g. "
                              f"timedelta(minutes=5)), got {lease!r}")


def claimable(now: int) -> sa.Select[Any]:
    """The messages a relay may claim at ``now`` (UTC microseconds; their id and dossier
    first),
    in order: not delivered, not quarantined, not leased past ``now``, and not held back by
    an earlier message of their dossier leased past ``now`` (a delivery under way, or one
    that failed and waits for its lease). A dossier's messages are numbered in the order
    they were written, so a claim in id order takes each dossier's from its first
    undelivered one (:func:`in_order` drops any that would skip one)."""
    o = t.outbox
    earlier = t.outbox.alias("earlier")
    held_back = sa.exists().where(earlier.c.dossier_id == o.c.dossier_id,
                                  earlier.c.seq < o.c.seq,
                                  earlier.c.delivered_us.is_(None),
                                  earlier.c.quarantined.is_(None),
                                  earlier.c.lease_until_us >= now)
    return (sa.select(o.c.id, o.c.dossier_id, o.c.key, o.c.seq, o.c.type, o.c.payload,
                      o.c.attempts)
            .where(o.c.delivered_us.is_(None), o.c.quarantined.is_(None),
                   sa.or_(o.c.lease_until_us.is_(None), o.c.lease_until_us < now),
                   ~held_back)
            .order_by(o.c.id))


def in_order(conn: sa.Connection, claimed: Sequence[Any]) -> list[Any]:
    """The rows of ``claimed`` (id and dossier first) that continue their dossier's
    undelivered messages without a gap: on PostgreSQL a claim skips the rows another relay
    has locked, and a dossier's later message must not go out while that relay holds an
    earlier one."""
    mine = {r[0] for r in claimed}
    dossiers = sorted({r[1] for r in claimed})
    o = t.outbox
    keep: set[int] = set()
    for part in _chunks(dossiers):
        waiting = conn.execute(
            sa.select(o.c.id, o.c.dossier_id)
            .where(o.c.dossier_id.in_(part), o.c.delivered_us.is_(None),
                   o.c.quarantined.is_(None))
            .order_by(o.c.id)).all()
        gap: set[str] = set()
        for ident, dossier in waiting:
            if ident not in mine:
                gap.add(dossier)
            elif dossier not in gap:
                keep.add(ident)
    return [r for r in claimed if r[0] in keep]


def _chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    """``items`` in slices of ``size``: an ``IN`` list of a relay's batch stays well within
    the drivers' bound on parameters, whatever ``batch`` is."""
    for k in range(0, len(items), size):
        yield items[k:k + size]


def read_payload(text: str) -> dict[str, Any]:
    """A stored message payload as data; :class:`SchemaError` if it is not a JSON object."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise SchemaError(f"stored payload is not JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise SchemaError(f"stored payload is not a JSON object: {text!r:.80}")
    return data


def relay(db: sa.Engine, deliver: Callable[[OutboxMessage], None], *, at: dt.datetime,
          worker: str, batch: int, lease: dt.timedelta, skip_locked: bool) -> RelayReport:
    """Lease up to ``batch`` claimable messages of ``db`` (:func:`claimable`: each dossier's
    from its first undelivered one) to ``worker`` until ``at + lease``, deliver each with
    ``deliver`` in order and mark those delivered. With ``skip_locked`` (PostgreSQL) rows
    another relay has locked are skipped, and with them the later messages of their
    dossiers (:func:`in_order`); SQLite serialises the claim. Each message is on its own: a
    delivery that raises is left for the next lease and reported, and its dossier's later
    messages in the batch are given back unattempted, to follow it; a payload that cannot be
    read is quarantined and reported; the others go on."""
    now = to_us(at)
    o = t.outbox
    with db.begin() as conn:
        pending = claimable(now).limit(batch)
        if skip_locked:
            pending = pending.with_for_update(skip_locked=True)
        rows: Sequence[Any] = conn.execute(pending).all()
        if skip_locked:
            rows = in_order(conn, rows)
        if not rows:
            return RelayReport()
        ids = [r.id for r in rows]
        for part in _chunks(ids):
            conn.execute(sa.update(o).where(o.c.id.in_(part))
                         .values(lease_until_us=now + lease // MICROSECOND, worker=worker,
                                 attempts=o.c.attempts + 1))
    delivered: list[str] = []
    done: list[int] = []
    back: list[int] = []
    failed: list[tuple[str, str]] = []
    quarantined: list[tuple[str, str]] = []
    stuck: set[str] = set()  # dossiers whose message failed in this batch
    for r in rows:
        if r.dossier_id in stuck:
            back.append(r.id)
            continue
        try:
            payload = read_payload(r.payload)
        except SchemaError as exc:
            reason = f"{exc}; repair the row and clear df_outbox.quarantined to deliver it"
            with db.begin() as conn:
                conn.execute(sa.update(o).where(o.c.id == r.id, o.c.worker == worker)
                             .values(quarantined=reason, lease_until_us=None))
            quarantined.append((r.key, reason))
            continue
        message = OutboxMessage(r.id, r.key, r.dossier_id, r.seq, r.type, payload,
                                r.attempts + 1)
        try:
            deliver(message)
        except Exception as exc:  # the application's failure: this message waits its lease
            failed.append((r.key, f"{type(exc).__name__}: {exc}"))
            stuck.add(r.dossier_id)
            continue
        done.append(r.id)
        delivered.append(r.key)
    if done or back:
        # One transaction marks the batch delivered: a relay that dies before it commits
        # has them delivered again after their lease (at least once, as for a failure).
        with db.begin() as conn:
            for part in _chunks(done):
                conn.execute(sa.update(o)
                             .where(o.c.id.in_(part), o.c.worker == worker)
                             .values(delivered_us=now))
            for part in _chunks(back):  # not attempted: as if never claimed
                conn.execute(sa.update(o)
                             .where(o.c.id.in_(part), o.c.worker == worker)
                             .values(lease_until_us=None, worker=None,
                                     attempts=o.c.attempts - 1))
    return RelayReport(tuple(delivered), tuple(failed), tuple(quarantined))


def quarantined_messages(reader: sa.Engine) -> tuple[tuple[str, str], ...]:
    """``(key, reason)`` of every quarantined outbox message, oldest first."""
    with reader.connect() as conn:
        return tuple((r.key, r.quarantined) for r in conn.execute(
            sa.select(t.outbox.c.key, t.outbox.c.quarantined)
            .where(t.outbox.c.quarantined.is_not(None)).order_by(t.outbox.c.id)))


def pending_count(reader: sa.Engine) -> int:
    """How many outbox messages are not delivered yet (quarantined ones not counted)."""
    with reader.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(t.outbox)
                                .where(t.outbox.c.delivered_us.is_(None),
                                       t.outbox.c.quarantined.is_(None))).scalar_one())
