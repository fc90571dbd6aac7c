"""Timing shared by the bench scripts: functions run in turns, ratios taken within a turn."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def side_by_side(fns: list[Callable[[], object]], count: int,
                 rounds: int = 7) -> list[list[float]]:
    """Seconds per query of each of ``fns`` in each of ``rounds`` turns. In a turn each function
    runs once untimed, so that it is timed with its own data in the caches as when it runs
    alone, then once timed. Ratios are taken within a turn (see :func:`ratio`), so the
    machine's load drifting from one turn to the next does not skew them."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(rounds):
        for j, fn in enumerate(fns):
            fn()
            t = time.perf_counter()
            fn()
            times[j].append((time.perf_counter() - t) / count)
    return times


def ratio(slow: list[float], fast: list[float]) -> float:
    """The median over turns of ``slow / fast`` measured in the same turn."""
    return statistics.median(s / f for s, f in zip(slow, fast, strict=True))
