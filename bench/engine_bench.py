"""The engine against a bare ``transitions`` Machine, measured in the same run.

Both run the same procedure (Decree 63/2024 group A) and the same command sequence per dossier:
file, receive, four step completions (one choice, then two parallel branches), return the result,
rate. transitions gets its best case: one shared machine built by ``Procedure.to_machine()``,
a model added per dossier, ``trigger`` per command, the model removed at the end. dossierflow
does more per command: authorization, validation, an immutable dossier, the event history and
the control slip. Then measures the memory a dossier with ten events holds at rest.

    python bench/engine_bench.py [--dossiers N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import tracemalloc
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import transitions

from _timing import ratio, side_by_side
from dossierflow import samples
from dossierflow.states import (
    Catalogue,
    Channel,
    Citizen,
    CompleteStep,
    Dossier,
    Engine,
    File,
    HandOff,
    Officer,
    Outcome,
    Rate,
    Receive,
    ReturnResult,
    StepCompleted,
)
from dossierflow.states._machine import MachineModel

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MOM = Citizen("079123456789")
DESK = Officer("desk1", "ubnd_xa", "one_stop")
CIVIL = Officer("cs1", "ubnd_xa", "civil_status")
CHAIR = Officer("ch1", "ubnd_xa", "chairman")
POLICE = Officer("p1", "ca_xa", "residence_officer")
CARD = Officer("b1", "bhxh", "card_officer")

SEQUENCE: list[tuple[Any, Any, str, dict[str, Any]]] = [
    (Receive("BN-1"), DESK, "receive", {}),
    (CompleteStep("1.001193/check", data={"needs_verification": False}), CIVIL,
     "complete_step:1.001193/check", {"data": {"needs_verification": False}}),
    (CompleteStep("1.001193/register", Outcome.APPROVE), CHAIR,
     "complete_step:1.001193/register", {}),
    (CompleteStep("1.002364/issue_card", Outcome.APPROVE), CARD,
     "complete_step:1.002364/issue_card", {}),
    (CompleteStep("1.004222/register_residence", Outcome.APPROVE), POLICE,
     "complete_step:1.004222/register_residence", {}),
    (ReturnResult(), DESK, "return_result", {}),
    (Rate(5), MOM, "rate", {}),
]
COMMANDS_PER_DOSSIER = len(SEQUENCE) + 1  # plus filing
START = dt.datetime(2026, 3, 2, 8, tzinfo=TZ)
STEP = dt.timedelta(minutes=20)
INSTANTS = [START + STEP * k for k in range(COMMANDS_PER_DOSSIER)]


def run_dossier(engine: Engine, ident: str) -> Dossier:
    d, _ = engine.apply(None, File(ident, "LT.A", Channel.ONLINE, {"child_name": "An"}),
                        at=INSTANTS[0], actor=MOM)
    for (command, actor, _, _), at in zip(SEQUENCE, INSTANTS[1:], strict=True):
        d, _ = engine.apply(d, command, at=at, actor=actor)
    return d


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=2_000)
    n = parser.parse_args().dossiers

    proc = samples.group_a()
    engine = Engine(Catalogue([proc]))
    machine = proc.to_machine()
    final = run_dossier(engine, "check")
    if final.status.value != "returned" or len(final.control_slip()) != 5:
        raise SystemExit(f"the sequence did not run as expected: {final.status}")

    def ours() -> None:
        for i in range(n):
            run_dossier(engine, f"D-{i}")

    def theirs() -> None:
        for _ in range(n):
            model = MachineModel({"child_name": "An"})
            machine.add_model(model, initial="filed")
            for _, _, trigger, kwargs in SEQUENCE:
                model.trigger(trigger, **kwargs)
            assert model.state == "rated"
            machine.remove_model(model)

    # What every command builds at least, timed alone: one frozen Dossier and one frozen event
    # (attrs, as STYLE.md asks), here a step's completion, the commonest.
    values = [getattr(final, f.name) for f in attrs.fields(Dossier)]
    completed = next(e for e in final.history if isinstance(e, StepCompleted))
    event_values = [getattr(completed, f.name) for f in attrs.fields(StepCompleted)]

    def records() -> None:
        for _ in range(n * COMMANDS_PER_DOSSIER):
            Dossier(*values)
            StepCompleted(*event_values)

    count = n * COMMANDS_PER_DOSSIER
    times = side_by_side([ours, theirs, records], count, rounds=5)
    t_ours, t_theirs, t_records = (min(t) for t in times)
    ratio_ = ratio(times[1], times[0])

    # Memory at rest: a dossier of group A with ten events (up to the last member's completion).
    _warm, _ = engine.apply(None, File("M-1", "LT.A", Channel.ONLINE, {"child_name": "An"}),
                        at=INSTANTS[0], actor=MOM)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    dossier, _ = engine.apply(None, File("M-2", "LT.A", Channel.ONLINE, {"child_name": "An"}),
                              at=START + dt.timedelta(days=1), actor=MOM)
    for (command, actor, _, _), at in zip(SEQUENCE[:5], INSTANTS[1:], strict=False):
        dossier, _ = engine.apply(dossier, command, at=at + dt.timedelta(days=1), actor=actor)
    gc.collect()
    at_rest = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    events = len(dossier.history)

    us = 1e6
    print(f"{n:,} dossiers of {proc.code} x {COMMANDS_PER_DOSSIER} commands; Python "
          f"{sys.version.split()[0]}, transitions {transitions.__version__}; ratio: median of "
          "turns")
    print(f"dossierflow Engine.apply            {t_ours * us:8.2f} us/command "
          "(history and control slip included)")
    print(f"transitions Machine.trigger          {t_theirs * us:8.2f} us/command "
          f"({ratio_:.1f}x dossierflow's time)")
    print(f"  part: one frozen Dossier + event   {t_records * us:8.2f} us/command "
          f"(the 10x goal leaves {t_theirs / 10 * us:.2f} us/command)")
    print(f"dossier with {events} events at rest: {at_rest:,} bytes (tracemalloc)")
    print(f"target engine_vs_transitions: {ratio_:.1f}x faster (goal >= 10x) "
          f"{'ok' if ratio_ >= 10 else 'short'}")
    print(f"target dossier_memory_10_events: {at_rest:,} B (goal < 4096 B) "
          f"{'ok' if at_rest < 4096 and events == 10 else 'short'}")
    print(f"target engine_vs_transitions_floor: {ratio_:.1f}x faster (goal >= 2x) "
          f"{'ok' if ratio_ >= 2 else 'short'}")
    replay_target(engine)


def long_history(engine: Engine, events: int) -> Dossier:
    """A received group-A dossier whose first step was handed on until it has ``events``."""
    d, _ = engine.apply(None, File("L-1", "LT.A", Channel.ONLINE, {"child_name": "An"}),
                        at=START, actor=MOM)
    d, _ = engine.apply(d, Receive("BN-1"), at=START, actor=DESK)
    at = START
    while d.version < events:
        at += dt.timedelta(seconds=1)
        d, _ = engine.apply(d, HandOff("1.001193/check", f"cs{d.version % 7}"), at=at,
                            actor=CIVIL)
    return d


def replay_target(engine: Engine) -> None:
    """Replaying a history costs time linear in its length: 8,000 events at most 4.5x 2,000."""
    short, long = long_history(engine, 2_000), long_history(engine, 8_000)
    def replay(d: Dossier, times: int) -> None:
        for _ in range(times):
            engine.replay(d.history)

    # 2,000 events replayed 4 times against 8,000 once: the same events in each turn, so
    # that the collector and the caches weigh the same on both.
    times = side_by_side([lambda: replay(short, 4), lambda: replay(long, 1)], 1, rounds=9)
    times[0] = [t / 4 for t in times[0]]
    r = ratio(times[1], times[0])
    print(f"replay: 2,000 events {min(times[0]) * 1e3:.2f} ms, 8,000 events "
          f"{min(times[1]) * 1e3:.2f} ms")
    print(f"target replay_8000_vs_2000: {r:.2f}x (goal <= 4.5x) {'ok' if r <= 4.5 else 'short'}")


if __name__ == "__main__":
    main()
