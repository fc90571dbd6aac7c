"""What a batch of its own writes when it ends (package-internal): :class:`Pending`.

On SQLite a batch of its own holds the write lock from ``BEGIN IMMEDIATE`` to its end, so no
other writer can come between its commands and nothing else reads its uncommitted rows. Its
commands are decided, chained and projected one by one, exactly as :meth:`Store.run` does,
but their rows wait here and are written when the batch ends, one ``executemany`` a table:
the events and outbox messages in the order they were decided, and only the last projection
row and worklist rows of each dossier (a dossier moved five times in a batch is updated
once). What the batch wrote is read back from here (:attr:`Pending.entries`), never from the
tables, until then.
"""

from __future__ import annotations

from typing import Any


class Pending:
    """The rows of a batch of its own, held until it ends.

    - ``entries``: what the batch knows of each dossier it wrote (the store's cache entry:
      the dossier, its last hash, its clock, its rows), kept for the whole batch whatever
      the store's cache drops;
    - ``new``: the ``df_dossiers`` row of each dossier filed in the batch, the latest;
    - ``updated``: for each dossier the batch moved that was stored before it, the version
      it had when the batch first wrote it and its latest row;
    - ``held``: each dossier's latest ``df_active`` rows, and whether rows stored before the
      batch must be deleted first;
    - ``events`` and ``outbox``: the rows, in the order they were decided."""

    __slots__ = ("entries", "events", "held", "new", "outbox", "updated")

    def __init__(self) -> None:
        self.entries: dict[str, Any] = {}
        self.new: dict[str, dict[str, Any]] = {}
        self.updated: dict[str, tuple[int, dict[str, Any]]] = {}
        self.held: dict[str, tuple[bool, list[dict[str, Any]]]] = {}
        self.events: list[dict[str, Any]] = []
        self.outbox: list[dict[str, Any]] = []

    def dossier(self, dossier_id: str, expected: int, row: dict[str, Any]) -> None:
        """The dossier's row after a command that found it at version ``expected``."""
        if expected == 0 or dossier_id in self.new:
            self.new[dossier_id] = row
            return
        first = self.updated.get(dossier_id)
        self.updated[dossier_id] = (expected if first is None else first[0], row)

    def hold(self, dossier_id: str, stored: bool, rows: list[dict[str, Any]]) -> None:
        """The dossier's worklist rows after a command; ``stored``: it may have rows in the
        table (it was stored before the batch)."""
        first = self.held.get(dossier_id)
        if first is None:
            stored = stored and dossier_id not in self.new
        self.held[dossier_id] = (stored if first is None else first[0], rows)
