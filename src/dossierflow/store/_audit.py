"""Auditing the stored records (package-internal): a dossier's projection, worklist and outbox
rows checked against what its events call for, the anchor an operator keeps outside the
database (every dossier's head), and the raw rows a forensic read returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from dossierflow._errors import InvalidArgument
from dossierflow.clock import Sla
from dossierflow.states import Dossier, Engine
from dossierflow.store._chain import Tampering, TamperKind
from dossierflow.store._notices import without_notice
from dossierflow.store._projection import holding, project
from dossierflow.store._sql import from_us

ANCHOR_FORMAT = "dossierflow-anchor/1"
"""The ``format`` of what :meth:`Store.anchor` returns."""


@attrs.frozen
class StoredEvent:
    """An event row exactly as stored, whatever was done to it (a forensic read)."""

    seq: int
    type: str
    payload: str
    at: dt.datetime
    actor: str
    prev_hash: str
    hash: str
    hash_format: str | None


@attrs.frozen
class EventRecord:
    """What :meth:`Store.read_events` found of a dossier: its raw event rows in ``seq`` order,
    the head ``df_dossiers`` records (``(version, head_hash)``, None without a row), and every
    :class:`Tampering` found (empty when the records are as the store wrote them)."""

    dossier_id: str
    events: tuple[StoredEvent, ...]
    head: tuple[int, str | None] | None
    problems: tuple[Tampering, ...]


def stored_event(row: Any) -> StoredEvent:
    return StoredEvent(row.seq, row.type, row.payload, from_us(row.at_us), row.actor,
                       row.prev_hash, row.hash, row.hash_format)


def check_projection(d: Dossier, stored: Any, active: Iterable[Any], *, sla: Sla,
                     engine: Engine) -> Iterator[Tampering]:
    """Every difference between the ``df_dossiers`` row ``stored`` and the ``df_active`` rows
    ``active`` of dossier ``d`` and what its events call for (its projection, column by
    column; the rows as SQLAlchemy returns them, columns as attributes)."""
    timeline = sla.timeline(d)
    row = project(d, timeline, sla=sla)
    if stored is not None:
        for column, value in row.items():
            if getattr(stored, column) != value:
                yield Tampering(d.id, None, TamperKind.PROJECTION_EDITED,
                                f"df_dossiers.{column} is {getattr(stored, column)!r}; the events "
                                f"say {value!r}")
    want = {r["step"]: r for r in holding(d, timeline, row, engine=engine, sla=sla)}
    have = {r.step: r for r in active}
    for step in sorted(want.keys() - have.keys()):
        yield Tampering(d.id, None, TamperKind.WORKLIST_MISSING,
                        f"df_active has no row for step {step!r}: the dossier is hidden from "
                        f"{want[step]['agency']!r}'s worklist")
    for step in sorted(have.keys() - want.keys()):
        yield Tampering(d.id, None, TamperKind.WORKLIST_EXTRA,
                        f"df_active has a row for step {step!r} the events do not call for")
    for step in sorted(want.keys() & have.keys()):
        for column, value in want[step].items():
            if getattr(have[step], column) != value:
                yield Tampering(d.id, None, TamperKind.WORKLIST_EDITED,
                                f"df_active.{column} of step {step!r} is "
                                f"{getattr(have[step], column)!r}; the events say {value!r}")


def check_outbox(dossier_id: str, events: Mapping[int, Any], messages: Iterable[Any],
                 expected: Mapping[int, str] | None = None) -> Iterator[Tampering]:
    """Every outbox message of the dossier that does not match its event (``events`` by
    sequence number): its key, type and instant are copies of the event's, and its payload is
    ``expected[seq]`` (the event's payload with its notice, written again) or, where that
    could not be written again, holds the event's payload beside the notice; a message
    written before notices existed is the event's payload alone."""
    expected = expected or {}
    for m in messages:
        e = events.get(m.seq)
        if e is None:
            yield Tampering(dossier_id, m.seq, TamperKind.OUTBOX_EDITED,
                            f"outbox message {m.key!r} has no event {m.seq}")
            continue
        wanted = expected.get(m.seq)
        # A message written before notices carried its event's payload alone: still valid.
        payload_ok = m.payload == e.payload or (
            m.payload == wanted if wanted is not None else without_notice(m.payload) == e.payload)
        if not payload_ok or (m.key, m.type, m.created_us) != (
                f"{dossier_id}:{m.seq}", e.type, e.at_us):
            yield Tampering(dossier_id, m.seq, TamperKind.OUTBOX_EDITED,
                            f"outbox message {m.key!r} does not match its event")


def make_anchor(heads: Iterable[tuple[str, int, str]], *, keyed: bool) -> dict[str, Any]:
    """The JSON-ready anchor of ``heads`` (dossier id, last sequence number, last hash)."""
    return {"format": ANCHOR_FORMAT, "keyed": keyed,
            "heads": [[ident, seq, digest] for ident, seq, digest in heads]}


def read_anchor(anchor: object) -> dict[str, tuple[int, str]]:
    """The heads of ``anchor`` (what :func:`make_anchor` returned, or its JSON read back) by
    dossier id; :class:`InvalidArgument` if it is not one."""
    if not isinstance(anchor, Mapping) or anchor.get("format") != ANCHOR_FORMAT or \
            not isinstance(anchor.get("heads"), list):
        raise InvalidArgument("anchor must be what store.anchor() returned (a mapping with "
                              f"format {ANCHOR_FORMAT!r} and its heads), got {anchor!r:.200}")
    heads: dict[str, tuple[int, str]] = {}
    for item in anchor["heads"]:
        if not (isinstance(item, list | tuple) and len(item) == 3
                and isinstance(item[0], str) and isinstance(item[1], int)
                and not isinstance(item[1], bool) and isinstance(item[2], str)):
            raise InvalidArgument(f"anchor head {item!r:.200} is not [dossier id, sequence "
                                  "number, hash]")
        heads[item[0]] = (item[1], item[2])
    return heads


def check_anchor(dossier_id: str, hashes: Mapping[int, str],
                 anchored: tuple[int, str]) -> Tampering | None:
    """Whether the chain (``hashes`` by sequence number) passes through its ``anchored``
    head; None if it does."""
    seq, digest = anchored
    found = hashes.get(seq)
    if found is None:
        return Tampering(dossier_id, seq, TamperKind.TRUNCATED,
                         f"the anchored event {seq} is gone: the chain was truncated below "
                         "its anchor")
    if found != digest:
        return Tampering(dossier_id, seq, TamperKind.ANCHOR_MISMATCH,
                         f"event {seq} is not the one anchored: the chain was rewritten")
    return None
