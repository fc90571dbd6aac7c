"""The walks over a procedure's graph of steps, in one place.

A step's ``then`` is a step name, :data:`END`, a :class:`Parallel` fork or a :class:`Choice`
(the values are defined here, with their constructors). Validation, the flow of
tokens in the engine, the equivalent ``transitions`` machine and the Mermaid diagram all walk
that graph through these functions (a package-internal module of :mod:`dossierflow.states`).

- :func:`options`, :func:`targets`, :func:`forks`: what a ``then`` leads to directly.
- :func:`choose` (one dossier's data decides) and :func:`outcomes` (every way, with the
  conditions each needs): the steps a ``then`` reaches.
- :func:`arrive`: steps reached become active, or wait at their join until every branch came.
- :func:`reachable`, :func:`reaching_end`, :func:`branch_problems`, :func:`longest`: the
  checks a definition must pass.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeAlias

import attrs

if TYPE_CHECKING:
    from dossierflow.states._definition import Step



@attrs.frozen
class End:
    """The end of the flow: reaching it resolves the dossier (or finishes a parallel branch
    that has no join)."""

    def __repr__(self) -> str:
        return "END"


END = End()
"""The end of a procedure's flow."""


@attrs.frozen
class Parallel:
    """Branches that all run at once; ``join`` waits for every one of them (None: the dossier
    is resolved when every branch reaches :data:`END`)."""

    branches: tuple[str, ...]
    join: str | None = None


@attrs.frozen
class When:
    """One option of a :class:`Choice`: taken when ``data[field] == equals``."""

    field: str
    equals: Any
    then: str | End | Parallel


@attrs.frozen
class Choice:
    """The first option whose condition holds on the dossier's data, else ``otherwise``."""

    options: tuple[When, ...]
    otherwise: str | End | Parallel


Next: TypeAlias = str | End | Parallel | Choice
"""What a step leads to."""


def parallel(*branches: str, join: str | None = None) -> Parallel:
    """Run ``branches`` at once; continue at ``join`` when all of them reach it."""
    return Parallel(tuple(branches), join)


def when(field: str, *, equals: Any = True, then: str | End | Parallel) -> When:
    """An option of :func:`choice`: go to ``then`` when ``data[field] == equals``."""
    return When(field, equals, then)


def choice(*options: When, otherwise: str | End | Parallel) -> Choice:
    """Go to the first option whose condition holds, else to ``otherwise``."""
    return Choice(tuple(options), otherwise)


Condition: TypeAlias = tuple[str, Any, bool]
"""(field, value, wanted): ``(data.get(field) == value) is wanted``."""


def options(choice: Choice) -> tuple[str | End | Parallel, ...]:
    """A choice's options in order, ``otherwise`` last."""
    return (*(o.then for o in choice.options), choice.otherwise)


def targets(nxt: Next) -> Iterator[str | End]:
    """Every step (or END) ``nxt`` can lead to directly."""
    if isinstance(nxt, str | End):
        yield nxt
    elif isinstance(nxt, Parallel):
        yield from nxt.branches
    else:
        for option in options(nxt):
            yield from targets(option)


def forks(nxt: Next) -> Iterator[Parallel]:
    """The parallel forks in ``nxt`` (itself, or among a choice's options)."""
    if isinstance(nxt, Parallel):
        yield nxt
    elif isinstance(nxt, Choice):
        for option in options(nxt):
            yield from forks(option)


def parallels(steps: Iterable[Step]) -> Iterator[Parallel]:
    """Every parallel fork of a procedure."""
    for step in steps:
        yield from forks(step.then)


def join_need(steps: Iterable[Step]) -> dict[str, int]:
    """For each join step, how many branches it waits for."""
    return {p.join: len(p.branches) for p in parallels(steps) if p.join is not None}


def choose(nxt: Next, data: Mapping[str, Any]) -> list[str]:
    """The steps ``nxt`` reaches for a dossier with ``data`` (the first option of a choice whose
    condition holds, else its ``otherwise``; every branch of a fork)."""
    if isinstance(nxt, str):
        return [nxt]
    if isinstance(nxt, End):
        return []
    if isinstance(nxt, Parallel):
        return list(nxt.branches)
    for option in nxt.options:
        if data.get(option.field) == option.equals:
            return choose(option.then, data)
    return choose(nxt.otherwise, data)


def outcomes(nxt: Next) -> Iterator[tuple[tuple[Condition, ...], tuple[str, ...]]]:
    """Every way of entering ``nxt``: the conditions it needs and the steps it reaches (what
    :func:`choose` returns for data meeting those conditions)."""
    if isinstance(nxt, str):
        yield (), (nxt,)
    elif isinstance(nxt, End):
        yield (), ()
    elif isinstance(nxt, Parallel):
        per_branch = [list(outcomes(b)) for b in nxt.branches]
        for combo in itertools.product(*per_branch):
            yield (tuple(c for conds, _ in combo for c in conds),
                   tuple(s for _, reached in combo for s in reached))
    else:
        earlier: list[Condition] = []
        for option in nxt.options:
            mine = (option.field, option.equals, True)
            for conds, reached in outcomes(option.then):
                yield (*earlier, mine, *conds), reached
            earlier.append((option.field, option.equals, False))
        for conds, reached in outcomes(nxt.otherwise):
            yield (*earlier, *conds), reached


def arrive(reached: Iterable[str], waiting: dict[str, int],
           need: Mapping[str, int]) -> list[str]:
    """The steps that become active when tokens reach ``reached``: a join step becomes active
    only when its last branch arrives (``waiting`` counts arrivals and is updated)."""
    entered: list[str] = []
    for step in reached:
        wanted = need.get(step)
        if wanted is None:
            entered.append(step)
            continue
        got = waiting.get(step, 0) + 1
        if got < wanted:
            waiting[step] = got
        else:
            waiting.pop(step, None)
            entered.append(step)
    return entered


# ------------------------------------------------------------------------------ definitions


def reachable(steps: Mapping[str, Step], start: str) -> set[str]:
    """The steps reachable from ``start``."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(t for t in targets(steps[name].then) if isinstance(t, str))
    return seen


def reaching_end(steps: Iterable[Step]) -> set[str]:
    """The steps from which some path reaches END (a walk back from END over the reversed
    edges: linear in the size of the graph)."""
    before: dict[str, list[str]] = {}
    todo: list[str] = []
    for s in steps:
        for t in targets(s.then):
            if isinstance(t, End):
                todo.append(s.name)
            else:
                before.setdefault(t, []).append(s.name)
    ends: set[str] = set()
    while todo:
        name = todo.pop()
        if name not in ends:
            ends.add(name)
            todo.extend(before.get(name, ()))
    return ends


def branch_problems(steps: Mapping[str, Step], fork: Parallel, branch: str,
                    joins: set[str]) -> list[str]:
    """Why a branch of ``fork`` may fail to reach the fork's join (or END when it has none)."""
    goal = fork.join
    seen: set[str] = set()
    todo = [branch]
    reached = False
    problems: list[str] = []
    while todo:
        name = todo.pop()
        if name == goal:
            reached = True
            continue
        if name in seen:
            continue
        seen.add(name)
        if name in joins and name != goal:
            problems.append(f"branch {branch!r} of parallel{fork.branches} runs into {name!r}, "
                            "the join of another parallel(...)")
            continue
        nxt = steps[name].then
        if isinstance(nxt, Parallel) and nxt.join is not None:
            todo.append(nxt.join)  # a nested fork comes back together at its own join
            continue
        for t in targets(nxt):
            if isinstance(t, End):
                if goal is None:
                    reached = True
                else:
                    problems.append(
                        f"branch {branch!r} of parallel{fork.branches} can reach END from "
                        f"{name!r} without joining at {goal!r}; lead it to {goal!r}")
            else:
                todo.append(t)
    if not reached and not problems:
        problems.append(f"branch {branch!r} of parallel{fork.branches} can never join at "
                        f"{goal!r}")
    return problems


def longest(steps: Mapping[str, Step], name: str, stop: str | None = None,
            ) -> tuple[Decimal | None, tuple[str, ...]]:
    """Longest total allotment (working hours) from ``name`` to ``stop`` (None: END), and its
    path; None when an allotment cannot be bounded in hours.

    Each (step, stop) pair is computed once, without recursion, so the cost is polynomial in
    the number of steps (choices that rejoin do not multiply paths) and a chain of any length
    fits. A loop (rework) is counted once: a step met again on the way is cut at zero."""
    memo: dict[tuple[str, str | None], tuple[Decimal | None, tuple[str, ...]]] = {}
    on_path: set[tuple[str, str | None]] = set()
    todo: list[tuple[str, str | None]] = [(name, stop)]
    while todo:
        key = todo[-1]
        if key in memo:
            todo.pop()
            continue
        step_name, until = key
        if step_name == until:
            memo[key] = (Decimal(0), ())
            todo.pop()
            continue
        missing = [d for d in _needs(steps[step_name].then, until)
                   if d not in memo and d not in on_path]
        if missing and key not in on_path:
            on_path.add(key)
            todo.extend(missing)
            continue
        on_path.discard(key)
        todo.pop()
        memo[key] = _combine(steps, key, memo)
    return memo[(name, stop)]


def _needs(nxt: Next, stop: str | None) -> Iterator[tuple[str, str | None]]:
    """The (step, stop) pairs the longest path from a ``then`` depends on."""
    if isinstance(nxt, str):
        yield nxt, stop
    elif isinstance(nxt, Parallel):
        for b in nxt.branches:
            yield b, nxt.join
        if nxt.join is not None:
            yield nxt.join, stop
    elif isinstance(nxt, Choice):
        for option in options(nxt):
            yield from _needs(option, stop)


_ZERO_PATH: tuple[Decimal | None, tuple[str, ...]] = (Decimal(0), ())


def _combine(steps: Mapping[str, Step], key: tuple[str, str | None],
             memo: Mapping[tuple[str, str | None], tuple[Decimal | None, tuple[str, ...]]],
             ) -> tuple[Decimal | None, tuple[str, ...]]:
    """The longest path from ``key`` once what it needs is known (a pair still being computed
    is a loop, cut at zero)."""
    name, stop = key
    step = steps[name]
    own = Decimal(0) if step.allotment is None else step.allotment.max_working_hours()
    if own is None:
        return None, (name,)

    def via(nxt: str | End | Parallel) -> tuple[Decimal | None, tuple[str, ...]]:
        if isinstance(nxt, End):
            return _ZERO_PATH
        if isinstance(nxt, str):
            return memo.get((nxt, stop), _ZERO_PATH)
        branch, branch_path = _worst(memo.get((b, nxt.join), _ZERO_PATH)
                                     for b in nxt.branches)
        if nxt.join is None or branch is None:
            return branch, branch_path
        cost, path = memo.get((nxt.join, stop), _ZERO_PATH)
        if cost is None:
            return None, (*branch_path, *path)
        return branch + cost, (*branch_path, *path)

    then = step.then
    rest, path = _worst(via(o) for o in options(then)) if isinstance(then, Choice) \
        else via(then)
    if rest is None:
        return None, (name, *path)
    return own + rest, (name, *path)


def _worst(candidates: Iterable[tuple[Decimal | None, tuple[str, ...]]],
           ) -> tuple[Decimal | None, tuple[str, ...]]:
    """The longest candidate (the first on ties); None as soon as one cannot be bounded."""
    worst: tuple[Decimal | None, tuple[str, ...]] | None = None
    for cost, path in candidates:
        if cost is None:
            return None, path
        if worst is None or (worst[0] is not None and cost > worst[0]):
            worst = (cost, path)
    assert worst is not None
    return worst
