"""The hash chain that makes the event log tamper-evident (package-internal): each event row's
hash covers its dossier, sequence number, type and canonical JSON payload, and the hash of the
event before it (:data:`GENESIS` for the first). An edit, a deletion or a reordering breaks the
chain; :func:`check_chain` reports each break as a :class:`Tampering`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

GENESIS = "0" * 64
"""The ``prev_hash`` of a dossier's first event."""


def canonical(data: dict[str, Any]) -> str:
    """The one JSON text of ``data`` that is stored and hashed: sorted keys, no spaces, UTF-8
    kept as is."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def chain_hash(prev_hash: str, dossier_id: str, seq: int, kind: str, payload: str) -> str:
    """The hash of an event row, chained to the previous event of its dossier."""
    text = f"{prev_hash}|{dossier_id}|{seq}|{kind}|{payload}"
    return hashlib.sha256(text.encode()).hexdigest()


@attrs.frozen
class Tampering:
    """An event that is not as it was written."""

    dossier_id: str
    seq: int
    problem: str


def check_chain(dossier_id: str, rows: Iterable[Any]) -> Iterator[Tampering]:
    """Every break in the chain of ``rows``, the event rows of one dossier in ``seq`` order
    (with ``seq``, ``type``, ``payload``, ``prev_hash`` and ``hash``)."""
    prev = GENESIS
    expected = 1
    for r in rows:
        if r.seq != expected:
            yield Tampering(dossier_id, expected,
                            f"event {expected} is missing: deleted (the next is {r.seq})")
            expected = r.seq
        if r.prev_hash != prev:
            yield Tampering(dossier_id, r.seq, "does not follow the event before it: an "
                            "earlier event was deleted, edited or moved")
        if chain_hash(r.prev_hash, dossier_id, r.seq, r.type, r.payload) != r.hash:
            yield Tampering(dossier_id, r.seq, "was edited after it was written")
        prev = r.hash
        expected += 1
