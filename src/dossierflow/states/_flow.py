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
from dossierflow.states._graph import Choice

if TYPE_CHECKING:
    from dossierflow.states._definition import Procedure


class Flow:
    """Token movement over one procedure's graph."""

    __slots__ = ("agency", "chooses", "member", "need", "procedure", "then")

    def __init__(self, procedure: Procedure) -> None:
        self.procedure = procedure
        self.need = procedure.join_need
        steps = procedure.steps
        self.then = {s.name: s.then for s in steps}
        self.agency = {s.name: s.owner.agency for s in steps}
        """The agency owning each step."""
        self.member = {s.name: s.member for s in steps}
        """The member procedure of each step (None outside interconnected groups)."""
        self.chooses = frozenset(s.name for s in steps if isinstance(s.then, Choice))
        """The steps whose successor depends on the dossier's data."""

    def first(self, data: Mapping[str, Any],
              ) -> tuple[tuple[str, ...], tuple[tuple[str, int], ...]]:
        """The steps a dossier just received starts at, and the joins then waited on."""
        waiting: dict[str, int] = {}
        entered = graph.arrive(graph.choose(self.procedure.first_step, data), waiting,
                               self.need)
        return tuple(entered), tuple(sorted(waiting.items()))

    def units(self, steps: tuple[str, ...]) -> tuple[str, ...]:
        """The agencies owning ``steps``, each once, in order."""
        agency = self.agency
        if len(steps) == 1:
            return (agency[steps[0]],)
        return tuple(dict.fromkeys(agency[s] for s in steps))

    def advance(self, step: str, data: Mapping[str, Any],
                waiting: tuple[tuple[str, int], ...],
                ) -> tuple[tuple[str, ...], tuple[tuple[str, int], ...]]:
        """The steps that become active when ``step`` completes with ``data``, and every join
        waited on afterwards (``waiting``: before)."""
        reached = graph.choose(self.then[step], data)
        if not waiting and not self.need.keys() & set(reached):
            return tuple(reached), ()  # no join involved: every step reached is entered
        counts = dict(waiting)
        entered = graph.arrive(reached, counts, self.need)
        return tuple(entered), tuple(sorted(counts.items()))
