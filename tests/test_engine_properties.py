"""Hypothesis over the engine: random commands from random actors never corrupt a dossier, and
the engine agrees with an equivalent ``transitions`` machine on every command."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, given, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from transitions import MachineError

from dossierflow import samples
from dossierflow._errors import DossierflowError, TransitionNotAllowed
from dossierflow.rules import working_days
from dossierflow.states import (
    Catalogue,
    Channel,
    Citizen,
    CompleteStep,
    Dossier,
    Engine,
    Extend,
    File,
    HandOff,
    Officer,
    Outcome,
    Pause,
    Procedure,
    Rate,
    Receive,
    Refuse,
    RequestSupplement,
    Resume,
    ReturnResult,
    Status,
    Stop,
    Supplement,
    System,
    Withdraw,
    dossier_from_json,
    to_json,
)
from dossierflow.states._machine import MachineModel, state_name

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = dt.datetime(2026, 3, 2, 8, tzinfo=TZ)
APPLICANT = Citizen("079123456789")
SYSTEM = System("sweeper")
PROCEDURES = [samples.certified_copy(), samples.group_a(), samples.birth_registration()]
ENGINE = Engine(Catalogue(PROCEDURES))


def desk(proc: Procedure) -> Officer:
    return Officer("desk", proc.receivers[0], proc.reception_role)


def owner(proc: Procedure, step: str) -> Officer:
    role = proc.step(step).owner
    return Officer(f"{role.agency}-{role.role}", role.agency, role.role)


def actors(proc: Procedure) -> list[Any]:
    officers = {owner(proc, s.name) for s in proc.steps}
    return [APPLICANT, Citizen("someone-else"), SYSTEM, desk(proc),
            Officer("stray", "elsewhere", "one_stop"), *sorted(officers, key=str)]


def data_values(proc: Procedure) -> st.SearchStrategy[dict[str, Any]]:
    fields = {f.name: st.from_type(f.type) for f in proc.data if f.type is bool}
    return st.fixed_dictionaries({}, optional=fields)  # type: ignore[arg-type]


def commands(proc: Procedure) -> st.SearchStrategy[Any]:
    steps = st.sampled_from([s.name for s in proc.steps])
    return st.one_of(
        st.builds(Receive, receipt_no=st.sampled_from(["BN-1", ""])),
        st.just(Refuse("ineligible")),
        st.builds(RequestSupplement, items=st.just(["document"])),
        st.just(Supplement(["document"])),
        st.builds(CompleteStep, step=steps, outcome=st.sampled_from(Outcome),
                  data=data_values(proc), note=st.sampled_from(["", "reasons"])),
        st.builds(HandOff, step=steps, to_person=st.just("colleague")),
        st.just(Pause("waiting for land tax", "Decree 118/2025/NĐ-CP")),
        st.just(Resume()),
        st.just(Extend(working_days(1), "complex", "basis")),
        st.just(ReturnResult()),
        st.just(Withdraw()),
        st.just(Stop("no supplement came", "Circular 03/2025/TT-VPCP")),
        st.builds(Rate, score=st.integers(0, 6)),
    )


class DossierLife(RuleBasedStateMachine):
    """Random commands by random actors on one dossier of one procedure."""

    proc: Procedure
    moves: st.SearchStrategy[tuple[Any, Any]]

    def __init__(self) -> None:
        super().__init__()
        data = {"child_name": "An"} if self.proc.field("child_name") else {}
        self.at = START
        self.dossier: Dossier
        self.dossier, _ = ENGINE.apply(
            None, File("D-1", self.proc.code, Channel.ONLINE, data), at=self.at,
            actor=APPLICANT)

    @rule(data=st.data(), minutes=st.integers(0, 600))
    def anyone_does_anything(self, data: st.DataObject, minutes: int) -> None:
        command, actor = data.draw(self.moves)
        self.apply(command, actor, minutes)

    @rule(data=st.data(), minutes=st.integers(0, 600))
    def the_right_actor_acts(self, data: st.DataObject, minutes: int) -> None:
        trigger = data.draw(st.sampled_from(triggers(self.proc)))
        update = data.draw(data_values(self.proc))
        command, actor = command_for(self.proc, self.dossier, trigger, update)
        self.apply(command, actor, minutes)

    def apply(self, command: Any, actor: Any, minutes: int) -> None:
        self.at += dt.timedelta(minutes=minutes)
        before = self.dossier
        snapshot = to_json(before)
        try:
            after, events = ENGINE.apply(before, command, at=self.at, actor=actor)
        except DossierflowError as exc:
            note(f"refused: {exc}")
            assert to_json(before) == snapshot
            return
        assert events
        assert after.history == before.history + events
        self.dossier = after

    @invariant()
    def replays_and_round_trips(self) -> None:
        d = self.dossier
        event(f"status {d.status.value}")
        assert ENGINE.replay(d.history) == d
        assert dossier_from_json(to_json(d)) == d
        assert d.version == len(d.history)
        if d.status.is_final or d.status in (Status.RESOLVED, Status.REFUSED):
            assert not d.active
        if d.status is Status.IN_PROGRESS:
            assert d.active or d.waiting


@pytest.mark.parametrize("proc", PROCEDURES, ids=lambda p: p.code)
def test_random_commands_never_corrupt_a_dossier(proc: Procedure) -> None:
    moves = st.tuples(commands(proc), st.sampled_from(actors(proc)))
    life = type(f"Life_{proc.code}", (DossierLife,), {"proc": proc, "moves": moves})
    run_state_machine_as_test(life, settings=settings(stateful_step_count=30))


# ----------------------------------------------------------------- transitions as an oracle


def triggers(proc: Procedure) -> list[str]:
    names = ["receive", "refuse", "request_supplement", "supplement", "pause", "resume",
             "withdraw", "stop", "return_result", "rate"]
    for s in proc.steps:
        names += [f"complete_step:{s.name}", f"reject:{s.name}", f"hand_off:{s.name}"]
    return names


def command_for(proc: Procedure, d: Dossier, trigger: str, data: dict[str, Any]) -> tuple[Any,
                                                                                           Any]:
    """The engine command for ``trigger`` and an actor entitled to issue it."""
    kind, _, step = trigger.partition(":")
    if kind in ("complete_step", "reject", "hand_off"):
        actor = owner(proc, step)
        if kind == "hand_off":
            return HandOff(step, "colleague"), actor
        if kind == "reject":
            return CompleteStep(step, Outcome.REJECT, note="reasons"), actor
        return CompleteStep(step, Outcome.FORWARD, data=data), actor
    if kind in ("supplement", "withdraw", "rate"):
        command = {"supplement": Supplement(), "withdraw": Withdraw(), "rate": Rate(5)}[kind]
        return command, APPLICANT
    holder = owner(proc, d.active[0].step) if d.active else desk(proc)
    return {
        "receive": (Receive("BN-1"), desk(proc)),
        "refuse": (Refuse("ineligible"), desk(proc)),
        "request_supplement": (RequestSupplement(["x"]),
                               desk(proc) if d.status is Status.FILED else holder),
        "pause": (Pause("reason", "basis"), holder),
        "resume": (Resume(), SYSTEM),
        "stop": (Stop("reason", "basis"), SYSTEM),
        "return_result": (ReturnResult(), desk(proc)),
    }[kind]


@pytest.mark.parametrize("proc", PROCEDURES, ids=lambda p: p.code)
@given(data=st.data())
def test_engine_agrees_with_the_transitions_machine(proc: Procedure, data: st.DataObject) -> None:
    machine = proc.to_machine()
    start = {"child_name": "An"} if proc.field("child_name") else {}
    model = MachineModel(start)
    machine.add_model(model, initial="filed")
    d, _ = ENGINE.apply(None, File("D-1", proc.code, Channel.ONLINE, start), at=START,
                        actor=APPLICANT)
    at = START
    names = triggers(proc)
    for _ in range(data.draw(st.integers(1, 25))):
        trigger = data.draw(st.sampled_from(names))
        update = data.draw(data_values(proc)) if trigger.startswith("complete_step") else {}
        command, actor = command_for(proc, d, trigger, update)
        at += dt.timedelta(minutes=17)
        try:
            d, _ = ENGINE.apply(d, command, at=at, actor=actor)
            accepted = True
        except TransitionNotAllowed as exc:
            note(f"{trigger}: engine refused ({exc})")
            accepted = False
        kwargs: dict[str, Any] = {"data": update}
        if trigger == "request_supplement" and isinstance(actor, Officer):
            kwargs["agency"] = actor.agency
        try:
            fired = trigger in machine.events and bool(model.trigger(trigger, **kwargs))
        except MachineError:
            fired = False
        assert accepted == fired, f"{trigger} from {model.state}: engine {accepted}"
        assert state_name(d) == model.state
        assert dict(d.data) == model.data
    machine.remove_model(model)
