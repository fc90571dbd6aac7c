"""How far the lives that ``dossierflow.testing.dossiers()`` draws reach, on Decree 63/2024 group A.

Draws 500 dossiers of ``samples.group_a()`` with the default knobs (a ``@given`` run with a
fixed seed and no example database, so every run draws the same lives) and prints the share of
each final status and of lives that ran late, were apologised for (Form 04), had a supplement
requested (Form 02) or were paused, and which branches of the procedure's choices were taken.
Group A allows no extension, so the extended share comes from a second draw on version 2 of
group A with ``max_extension=working_days(1)``.

    python bench/testing_bench.py [--dossiers N] [--seed S]
"""

from __future__ import annotations

import argparse
import collections
import time

import attrs
from hypothesis import HealthCheck, given, seed, settings

from dossierflow import samples
from dossierflow.calendar import vietnam
from dossierflow.clock import Sla, Verdict
from dossierflow.rules import working_days
from dossierflow.states import (
    Apologized,
    Dossier,
    Engine,
    Extended,
    Paused,
    Procedure,
    Status,
    SupplementRequested,
)
from dossierflow.testing import branches, branches_taken, dossiers

GOALS = {"finished": 30, "late": 15, "apologised": 5}
"""The least share, in percent, of the lives that should reach each."""


def draw(engine: Engine, proc: Procedure, n: int, seed_: int) -> list[Dossier]:
    """``n`` dossiers of ``proc`` as a test run draws them (hypothesis' default health checks
    on, none suppressed)."""
    drawn: list[Dossier] = []

    @seed(seed_)
    @settings(max_examples=n, database=None, deadline=None,
              suppress_health_check=list[HealthCheck]())
    @given(dossiers(engine, proc))
    def collect(d: Dossier) -> None:
        drawn.append(d)

    collect()
    return drawn


def has(d: Dossier, kind: type) -> bool:
    return any(type(e) is kind for e in d.history)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=500)
    parser.add_argument("--seed", type=int, default=20260302)
    args = parser.parse_args()
    n = args.dossiers

    group_a = samples.group_a()
    extensible = attrs.evolve(group_a, version=2, max_extension=working_days(1))
    engine = Engine(samples.catalogue().with_procedure(extensible), calendar=vietnam())
    sla = Sla(engine)

    t = time.perf_counter()
    lives = draw(engine, group_a, n, args.seed)
    seconds = time.perf_counter() - t
    extended_lives = draw(engine, extensible, n, args.seed)

    def pct(count: int, of: int) -> float:
        return 100 * count / of if of else 0.0

    drawn = len(lives)
    statuses = collections.Counter(d.status for d in lives)
    finished = sum(statuses[s] for s in Status if s.is_final or s is Status.RESOLVED)
    verdicts = collections.Counter(sla.classify(d, d.history[-1].at).verdict for d in lives)
    shares = {
        "finished": pct(finished, drawn),
        "late": pct(verdicts[Verdict.LATE], drawn),
        "apologised": pct(sum(has(d, Apologized) for d in lives), drawn),
    }
    rated = sum(d.rated for d in lives)
    every = branches(group_a)
    taken = collections.Counter(b for d in lives for b in set(branches_taken(group_a, d)))

    print(f"{drawn} dossiers of {group_a.code} v{group_a.version} from dossiers(engine, proc) "
          f"in {seconds:.1f} s ({1000 * seconds / max(drawn, 1):.1f} ms each), seed {args.seed}")
    print("final status:")
    for status in Status:
        extra = f" ({rated} rated)" if status is Status.RETURNED else ""
        print(f"  {status.value:<20} {pct(statuses[status], drawn):5.1f}%{extra}")
    print("verdict at the last event:")
    for verdict in (*Verdict, None):
        name = "none" if verdict is None else verdict.value
        print(f"  {name:<20} {pct(verdicts[verdict], drawn):5.1f}%")
    print("in the history:")
    for label, kind in (("supplement requested", SupplementRequested), ("paused", Paused),
                        ("apologised", Apologized), ("extended", Extended)):
        print(f"  {label:<20} {pct(sum(has(d, kind) for d in lives), drawn):5.1f}%")
    print(f"  {'extended (v2)':<20} "
          f"{pct(sum(has(d, Extended) for d in extended_lives), len(extended_lives)):5.1f}% "
          f"of {len(extended_lives)} dossiers of v2 (max_extension=1 working day)")
    print("choice branches:")
    for step, label in every:
        print(f"  {step} -> {label:<26} {pct(taken[step, label], drawn):5.1f}%")
    for name, goal in GOALS.items():
        share = shares[name]
        print(f"target {name}: {share:.1f}% (goal >={goal}%) "
              f"{'ok' if share >= goal else 'short'}")
    reached = sum(taken[b] > 0 for b in every)
    print(f"target choice branches: {reached}/{len(every)} (goal all) "
          f"{'ok' if reached == len(every) else 'short'}")


if __name__ == "__main__":
    main()
