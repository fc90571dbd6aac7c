"""The hash chain that makes the event log tamper-evident (package-internal): each event row's
hash covers every stored column of the row (dossier, sequence number, type, canonical JSON
payload, instant, actor) and the hash of the event before it (:data:`GENESIS` for the first);
with the store's secret key it is an HMAC, which nobody without the key can compute. An edit,
a deletion or a reordering breaks the chain; :func:`check_rows` reports each break as a
:class:`Tampering` of a :class:`TamperKind`.

Rows keep the formula they were written with (``df_events.hash_format``): NULL for rows written
by dossierflow before table schema 4 (:func:`chain_hash`, which did not cover the instant and
the actor), :data:`SHA256` and :data:`HMAC_SHA256` for rows written since. Along a chain the
format may only get stronger (legacy, then SHA-256, then HMAC): a weaker row after a stronger
one is a rewrite.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import json.encoder
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

GENESIS = "0" * 64
"""The ``prev_hash`` of a dossier's first event."""

SHA256 = "sha256"
"""``hash_format`` of a row hashed with SHA-256 over every column (a store without a key)."""

HMAC_SHA256 = "hmac-sha256"
"""``hash_format`` of a row hashed with HMAC-SHA256 under the store's key."""

_RANK = {None: 0, SHA256: 1, HMAC_SHA256: 2}


def canonical(data: dict[str, Any]) -> str:
    """The one JSON text of ``data`` that is stored and hashed: sorted keys, no spaces, UTF-8
    kept as is (what ``json.dumps(data, ensure_ascii=False, sort_keys=True,
    separators=(",", ":"))`` writes)."""
    return "".join(_encode(data, 0))


def _refuse(value: Any) -> Any:
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def _encoder() -> Any:
    """The encoder ``json.dumps`` builds for :func:`canonical`'s options on every call, built
    once: the C encoder where the interpreter has it (a stored payload is a tree, so it skips
    the check for cycles), else the pure-Python one. The property test
    ``test_canonical_is_json_dumps`` (tests/test_hot_paths.py) holds it to ``json.dumps``."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is not None:
        return make(None, _refuse, json.encoder.encode_basestring, None, ":", ",", True,
                    False, True)
    encoder = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                               check_circular=False)
    return lambda data, _level: encoder.iterencode(data)


_encode = _encoder()


def chain_hash(prev_hash: str, dossier_id: str, seq: int, kind: str, payload: str) -> str:
    """The hash of an event row written before table schema 4 (``hash_format`` NULL), chained
    to the previous event of its dossier. It does not cover the instant and the actor; rows
    written since are hashed with :func:`row_hash`."""
    text = f"{prev_hash}|{dossier_id}|{seq}|{kind}|{payload}"
    return hashlib.sha256(text.encode()).hexdigest()


def row_hash(key: bytes | None, prev_hash: str, dossier_id: str, seq: int, kind: str,
             payload: str, at_us: int, actor: str) -> str:
    """The hash of an event row over every stored column: HMAC-SHA256 under ``key``, or
    SHA-256 when ``key`` is None. Text fields are length-prefixed, so no two rows share a
    hashed text."""
    fmt = SHA256 if key is None else HMAC_SHA256
    text = (f"dossierflow/4|{fmt}|{len(prev_hash)}:{prev_hash}|{len(dossier_id)}:{dossier_id}"
            f"|{seq}|{at_us}|{len(kind)}:{kind}|{len(actor)}:{actor}|{payload}").encode()
    if key is None:
        return hashlib.sha256(text).hexdigest()
    return hmac.digest(key, text, "sha256").hex()


class TamperKind(enum.Enum):
    """What was changed in the stored records (:attr:`Tampering.kind`)."""

    MISSING_EVENT = "missing event"
    """An event is not there: deleted (the next one's sequence number skips it)."""
    EDITED_EVENT = "edited event"
    """A column of the event (payload, type, instant, actor...) was changed after it was
    written, or its hash was made up without the store's key."""
    CHAIN_BROKEN = "chain broken"
    """The event does not follow the one before it: an earlier event was deleted, edited or
    moved."""
    TRUNCATED = "truncated"
    """The last events (or all of them) were deleted: the chain ends before the head recorded
    in ``df_dossiers`` or in an anchor."""
    HEAD_MISMATCH = "head mismatch"
    """The chain does not end at the head ``df_dossiers`` records: events appended outside the
    store, or the head edited."""
    ANCHOR_MISMATCH = "anchor mismatch"
    """The chain no longer passes through the head an exported anchor recorded: rewritten."""
    DOWNGRADED = "downgraded"
    """An event hashed with a weaker formula than the event before it (an unkeyed row after a
    keyed one), or without the key in a store that requires it: rewritten."""
    UNVERIFIABLE = "unverifiable"
    """The event was hashed with a key and the store has none (open it with ``key=``)."""
    UNREADABLE = "unreadable"
    """The history cannot be read or replayed, so its projection cannot be checked."""
    PROJECTION_MISSING = "projection missing"
    """Events without their ``df_dossiers`` row."""
    PROJECTION_EXTRA = "projection extra"
    """A ``df_dossiers`` row (or ``df_active`` rows) without any event."""
    PROJECTION_EDITED = "projection edited"
    """A ``df_dossiers`` column differs from the projection of the events."""
    WORKLIST_MISSING = "worklist missing"
    """A ``df_active`` row the events call for is not there (hidden from worklists)."""
    WORKLIST_EXTRA = "worklist extra"
    """A ``df_active`` row the events do not call for."""
    WORKLIST_EDITED = "worklist edited"
    """A ``df_active`` column differs from the projection of the events."""
    OUTBOX_EDITED = "outbox edited"
    """An outbox message does not match its event (type, payload, instant), or has no event."""


@attrs.frozen
class Tampering:
    """One thing in the stored records that is not as the store wrote it: the dossier, the
    event's sequence number (None when the problem is not one event's, such as an edited
    projection row), the :class:`TamperKind` and a sentence saying what was found."""

    dossier_id: str
    seq: int | None
    kind: TamperKind
    problem: str


def check_rows(dossier_id: str, rows: Iterable[Any], *, key: bytes | None,
               keyed_only: bool = False, prev: str = GENESIS, expected: int = 1,
               fmt: str | None = None) -> Iterator[Tampering]:
    """Every break in the chain of ``rows``, event rows of one dossier in ``seq`` order (with
    ``seq``, ``type``, ``payload``, ``at_us``, ``actor``, ``prev_hash``, ``hash`` and
    ``hash_format``), starting after the event whose hash is ``prev`` and format ``fmt``
    (:data:`GENESIS` and 1: the whole chain). Linear: one hash per row."""
    rank = _RANK.get(fmt, 0)
    for r in rows:
        if r.seq != expected:
            yield Tampering(dossier_id, expected, TamperKind.MISSING_EVENT,
                            f"event {expected} is missing: deleted (the next is {r.seq})")
            expected = r.seq
        if r.prev_hash != prev:
            yield Tampering(dossier_id, r.seq, TamperKind.CHAIN_BROKEN,
                            "does not follow the event before it: an earlier event was "
                            "deleted, edited or moved")
        problem = check_row(dossier_id, r, key=key, keyed_only=keyed_only, rank=rank)
        if problem is not None:
            yield problem
        rank = max(rank, _RANK.get(r.hash_format, 0))
        prev = r.hash
        expected += 1


def check_row(dossier_id: str, r: Any, *, key: bytes | None, keyed_only: bool,
              rank: int) -> Tampering | None:
    """What is wrong with event row ``r`` itself (its hash), the chain before it having
    reached format rank ``rank``; None if nothing."""
    fmt = r.hash_format
    if fmt not in _RANK:
        return Tampering(dossier_id, r.seq, TamperKind.EDITED_EVENT,
                         f"was edited after it was written (unknown hash format {fmt!r})")
    if _RANK[fmt] < rank or (keyed_only and fmt != HMAC_SHA256):
        why = "in a store that requires the key" if _RANK[fmt] >= rank else \
            "after a stronger one"
        return Tampering(dossier_id, r.seq, TamperKind.DOWNGRADED,
                         f"was rewritten: hashed as {fmt or 'legacy'} {why}")
    if fmt == HMAC_SHA256 and key is None:
        return Tampering(dossier_id, r.seq, TamperKind.UNVERIFIABLE,
                         "was hashed with the store's key; open the store with key= to "
                         "verify it")
    if fmt is None:
        digest = chain_hash(r.prev_hash, dossier_id, r.seq, r.type, r.payload)
    else:
        digest = row_hash(key if fmt == HMAC_SHA256 else None, r.prev_hash, dossier_id,
                          r.seq, r.type, r.payload, r.at_us, r.actor)
    if digest != r.hash:
        return Tampering(dossier_id, r.seq, TamperKind.EDITED_EVENT,
                         "was edited after it was written")
    return None


def rank_of(fmt: str | None) -> int:
    """How strong hash format ``fmt`` is (legacy 0, SHA-256 1, HMAC 2)."""
    return _RANK.get(fmt, 0)


def check_head(dossier_id: str, last_seq: int | None, last_hash: str | None,
               head_seq: int | None, head_hash: str | None, *,
               exists: bool = True) -> Tampering | None:
    """Whether a chain ending at event ``last_seq`` with hash ``last_hash`` (None: no event
    left) ends where ``df_dossiers`` says it does (``head_seq``, ``head_hash``; ``exists``
    False: the dossier has no ``df_dossiers`` row). None if it does."""
    if not exists:
        return Tampering(dossier_id, None, TamperKind.PROJECTION_MISSING,
                         "has events but no df_dossiers row: the row was deleted")
    if head_seq is None:
        return Tampering(dossier_id, None, TamperKind.HEAD_MISMATCH,
                         "df_dossiers records no head (version)")
    if last_seq is None:
        return Tampering(dossier_id, 1, TamperKind.TRUNCATED,
                         f"every event was deleted: df_dossiers records {head_seq}")
    if head_seq > last_seq:
        return Tampering(dossier_id, last_seq + 1, TamperKind.TRUNCATED,
                         f"events {last_seq + 1} to {head_seq} were deleted: the chain "
                         f"ends at {last_seq}, df_dossiers records {head_seq}")
    if head_seq < last_seq:
        return Tampering(dossier_id, head_seq + 1, TamperKind.HEAD_MISMATCH,
                         f"events {head_seq + 1} to {last_seq} were appended outside the "
                         f"store: df_dossiers records {head_seq}")
    if head_hash != last_hash:
        return Tampering(dossier_id, last_seq, TamperKind.HEAD_MISMATCH,
                         "is not the head df_dossiers records (its hash differs): the "
                         "chain was rewritten or the head edited")
    return None
