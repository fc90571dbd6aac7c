"""What a batch of its own writes when it ends (package-internal): :class:`Pending` and, for
each dossier it moved, :class:`Moved`.

On SQLite a batch of its own holds the write lock from ``BEGIN IMMEDIATE`` to its end, so no
other writer can come between its commands and nothing else reads its uncommitted rows. Its
commands are decided by the engine and their events chained and given their outbox messages
one by one, as :meth:`Store.run` does; their rows wait here and are written when the batch
ends, one ``executemany`` a table: the events and messages in the order they were decided,
and each dossier's projection and worklist rows once, read off its last state (what one
command a transaction leaves in those tables at the end). What the batch wrote is read back
from here, never from the tables, until then.
"""

from __future__ import annotations

from typing import Any

import attrs

from dossierflow.clock import Sla, Timeline
from dossierflow.states import Dossier


@attrs.define(slots=True, eq=False)
class Moved:
    """A dossier a batch wrote, as the batch knows it.

    - ``dossier`` and ``last_hash``: its state and its last event's hash;
    - ``timeline``: its clock after event ``clocked`` (None: not folded yet, ``clocked`` 0),
      advanced only when a notice or the end of the batch needs it;
    - ``row``: its ``df_dossiers`` row after event ``projected`` (None: not known);
    - ``holding``: its ``df_active`` rows when the batch first wrote it (None: not known);
    - ``first``: its version then (0: filed in the batch)."""

    dossier: Dossier
    last_hash: str
    first: int
    timeline: Timeline | None = None
    clocked: int = 0
    row: dict[str, Any] | None = None
    projected: int = 0
    holding: list[dict[str, Any]] | None = None

    def clock(self, sla: Sla, dossier: Dossier, upto: int) -> Timeline:
        """The clock of ``dossier`` (this one or its next state) after event ``upto``, from
        what is known: the events after ``clocked`` folded in. Nothing is kept."""
        if self.timeline is not None and self.clocked == upto:
            return self.timeline
        return sla.advance(self.timeline, dossier, dossier.history[self.clocked:upto])


FLUSH_EVENTS = 20_000
"""A batch holding this many events writes what it holds and goes on (memory stays bounded
however long the batch; a day of a province is a few thousand)."""


class Pending:
    """The rows of a batch of its own, held until it ends (or until :meth:`full`): each
    dossier it moved (``entries``, in the order first moved) and the ``events`` and
    ``outbox`` rows in the order they were decided."""

    __slots__ = ("entries", "events", "outbox")

    def __init__(self) -> None:
        self.entries: dict[str, Moved] = {}
        self.events: list[dict[str, Any]] = []
        self.outbox: list[dict[str, Any]] = []

    def full(self) -> bool:
        """Whether it holds :data:`FLUSH_EVENTS` events or more: time to write them."""
        return len(self.events) >= FLUSH_EVENTS

    def clear(self) -> None:
        """Forget what it held, once written."""
        self.entries.clear()
        self.events.clear()
        self.outbox.clear()
