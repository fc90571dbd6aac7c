"""An equivalent ``transitions`` machine for a procedure, for applications that want its
callback style (and, in our tests, an oracle for the engine's state semantics).

Its states are the dossier's configurations: the status and, while the dossier is being handled,
which steps are active and how many parallel branches wait at each join, e.g.
``in_progress:1.004222/register_residence+1.002364/issue_card``. They are found by exploring the
definition's graph through :func:`._graph.outcomes` (every way a ``then`` can go, with the
conditions each needs), where the engine asks :func:`._graph.choose` for one dossier's way.
Triggers are named after the commands:
``receive``, ``refuse``, ``request_supplement``, ``supplement``, ``complete_step:<step>``,
``reject:<step>``, ``hand_off:<step>``, ``pause``, ``resume``, ``withdraw``, ``stop``,
``return_result``, ``rate``, ``apologize``. Choices become ordered conditional transitions on
``model.data``; ``complete_step`` takes ``data={...}`` to update it first, and
``request_supplement`` takes ``agency=...`` to count requests against the procedure's bounds
(per dossier and per agency).
The bounds of extensions and apologies are not modelled: they are arithmetic on time limits
and instants, which the engine checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dossierflow._errors import InvalidArgument
from dossierflow.states import _graph as graph
from dossierflow.states._dossier import Dossier, Status

if TYPE_CHECKING:
    from transitions import Machine

    from dossierflow.states._definition import Procedure

_Config = tuple[tuple[str, ...], tuple[tuple[str, int], ...]]
"""(active steps sorted, waiting joins sorted)."""


class MachineModel:
    """A model for the machine: its ``state``, the applicant's ``data`` and the agencies that
    asked for a supplement."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self.state: str = "filed"
        self.data: dict[str, Any] = dict(data or {})
        self.requests: list[str] = []


def state_name(dossier: Dossier) -> str:
    """The machine state that corresponds to ``dossier``."""
    if dossier.status is Status.RETURNED and dossier.rated:
        return "rated"
    if not dossier.received or dossier.status not in _HANDLING:
        return dossier.status.value
    return _name(dossier.status.value, (tuple(sorted(dossier.active_steps)), dossier.waiting))


_HANDLING = (Status.IN_PROGRESS, Status.PAUSED, Status.AWAITING_SUPPLEMENT)


def _name(status: str, config: _Config) -> str:
    active, waiting = config
    text = f"{status}:{'+'.join(active)}"
    if waiting:
        text += "|" + ",".join(f"{j}={n}" for j, n in waiting)
    return text


def _enter(need: dict[str, int], active: list[str], waiting: dict[str, int],
           reached: tuple[str, ...]) -> _Config:
    active.extend(graph.arrive(reached, waiting, need))
    return tuple(sorted(active)), tuple(sorted(waiting.items()))


def machine_spec(proc: Procedure) -> tuple[list[str], list[dict[str, Any]]]:
    """The states and transitions (as ``transitions`` dictionaries) of ``proc``'s machine."""
    states = ["filed", "awaiting_supplement", "refused", "resolved", "returned", "rated",
              "withdrawn", "stopped"]
    trans: list[dict[str, Any]] = []

    def add(trigger: str, source: str, dest: str | None, **extra: Any) -> None:
        trans.append({"trigger": trigger, "source": source, "dest": dest, **extra})

    bound, per_dossier = proc.supplement_requests_per_agency, proc.supplement_requests
    conditions: list[Any] = []
    if bound is not None:
        conditions.append(lambda event: event.model.requests.count(
            event.kwargs.get("agency")) < bound)
    if per_dossier is not None:
        conditions.append(lambda event: len(event.model.requests) < per_dossier)
    limit: dict[str, Any] = {"conditions": conditions} if conditions else {}
    record = {"after": [lambda event: event.model.requests.append(event.kwargs.get("agency"))]}
    add("receive", "filed", None)  # replaced below once the first configuration is known
    trans.pop()
    add("refuse", "filed", "refused")
    add("request_supplement", "filed", "awaiting_supplement", **limit, **record)
    add("supplement", "awaiting_supplement", "filed")
    add("stop", "awaiting_supplement", "stopped")
    add("return_result", "resolved", "returned")
    add("rate", "returned", "rated")

    need = dict(proc.join_need)
    todo: list[_Config] = []
    for _conds, reached in graph.outcomes(proc.first_step):
        config = _enter(need, [], {}, reached)
        add("receive", "filed", _name("in_progress", config))
        todo.append(config)
    seen: set[_Config] = set()
    while todo:
        config = todo.pop()
        if config in seen:
            continue
        seen.add(config)
        active, waiting = config
        here = _name("in_progress", config)
        paused = _name("paused", config)
        asking = _name("awaiting_supplement", config)
        states.extend([here, paused, asking])
        add("request_supplement", here, asking, **limit, **record)
        add("supplement", asking, here)
        add("pause", here, paused)
        add("resume", paused, here)
        for source in (here, paused, asking):
            add("withdraw", source, "withdrawn")
            add("stop", source, "stopped")
            add("apologize", source, None)
        for step in dict.fromkeys(active):
            definition = proc.step(step)
            add(f"hand_off:{step}", here, None)
            if definition.can_reject:
                add(f"reject:{step}", here, "resolved")
            for conds, reached in graph.outcomes(definition.then):
                rest = list(active)
                rest.remove(step)
                nxt = _enter(need, rest, dict(waiting), reached)
                dest = "resolved" if nxt == ((), ()) else _name("in_progress", nxt)
                if dest != "resolved":
                    todo.append(nxt)
                add(f"complete_step:{step}", here, dest,
                    prepare=[_merge_data], conditions=[_holds(c) for c in conds])
    return list(dict.fromkeys(states)), trans


def _merge_data(event: Any) -> None:
    update = event.kwargs.get("data")
    if update:
        event.model.data.update(update)


def _holds(condition: graph.Condition) -> Any:
    field, value, wanted = condition
    return lambda event: (event.model.data.get(field) == value) is wanted


def to_machine(proc: Procedure, model: Any = None) -> Machine:
    """A ``transitions.Machine`` equivalent to ``proc`` (see the module docstring); ``model``
    defaults to none: add :class:`MachineModel` instances with ``machine.add_model``."""
    try:
        from transitions import Machine
    except ImportError:  # pragma: no cover - depends on the environment
        raise InvalidArgument(
            "to_machine needs the transitions package: pip install 'dossierflow[machine]'"
        ) from None
    states, trans = machine_spec(proc)
    return Machine(model=model, states=states, transitions=trans, initial="filed",
                   auto_transitions=False, send_event=True)
