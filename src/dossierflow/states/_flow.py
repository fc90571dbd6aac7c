"""The flow of a procedure: where a dossier's tokens go when it is received and when a step
completes (through the graph walks of :mod:`._graph`).

The engine asks the flow once per command and records its answer in the event
(``activated``, ``waiting``); folding an event later reads the record. Only histories written
by schema 1, which have no record, are folded through the flow again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dossierflow.states import _graph as graph

if TYPE_CHECKING:
    from dossierflow.states._definition import Procedure


class Flow:
    """Token movement over one procedure's graph."""

    __slots__ = ("need", "procedure")

    def __init__(self, procedure: Procedure) -> None:
        self.procedure = procedure
        self.need = procedure.join_need

    def first(self, data: Mapping[str, Any],
              ) -> tuple[tuple[str, ...], tuple[tuple[str, int], ...]]:
        """The steps a dossier just received starts at, and the joins then waited on."""
        waiting: dict[str, int] = {}
        entered = graph.arrive(graph.choose(self.procedure.first_step, data), waiting,
                               self.need)
        return tuple(entered), tuple(sorted(waiting.items()))

    def units(self, steps: tuple[str, ...]) -> tuple[str, ...]:
        """The agencies owning ``steps``, each once, in order."""
        return tuple(dict.fromkeys(self.procedure.step(s).owner.agency for s in steps))

    def advance(self, step: str, data: Mapping[str, Any],
                waiting: tuple[tuple[str, int], ...],
                ) -> tuple[tuple[str, ...], tuple[tuple[str, int], ...]]:
        """The steps that become active when ``step`` completes with ``data``, and every join
        waited on afterwards (``waiting``: before)."""
        counts = dict(waiting)
        reached = graph.choose(self.procedure.step(step).then, data)
        entered = graph.arrive(reached, counts, self.need)
        return tuple(entered), tuple(sorted(counts.items()))
