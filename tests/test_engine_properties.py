"""Hypothesis over the engine, with the strategies users get from ``dossierflow.testing``:
random commands from random actors never corrupt a dossier, and the engine agrees with an
equivalent ``transitions`` machine on every command."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test
from transitions import MachineError

from dossierflow import samples
from dossierflow._errors import TransitionNotAllowed
from dossierflow.states import Catalogue, Channel, Engine, File, Officer, Procedure, Status
from dossierflow.states._machine import MachineModel, state_name
from dossierflow.testing import (
    APPLICANT,
    command_for,
    dossiers,
    procedure_state_machine,
    triggers,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
START = dt.datetime(2026, 3, 2, 8, tzinfo=TZ)
PROCEDURES = [samples.certified_copy(), samples.group_a(), samples.birth_registration()]
ENGINE = Engine(Catalogue(PROCEDURES))


@pytest.mark.parametrize("proc", PROCEDURES, ids=lambda p: p.code)
def test_random_commands_never_corrupt_a_dossier(proc: Procedure) -> None:
    run_state_machine_as_test(procedure_state_machine(ENGINE, proc),
                              settings=settings(stateful_step_count=30))


@pytest.mark.parametrize("proc", PROCEDURES, ids=lambda p: p.code)
@given(data=st.data())
def test_generated_dossiers_are_consistent(proc: Procedure, data: st.DataObject) -> None:
    d = data.draw(dossiers(ENGINE, proc))
    assert ENGINE.replay(d.history) == d
    if d.status in (Status.RESOLVED, Status.RETURNED):
        assert not d.active


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
    bools = {f.name: st.booleans() for f in proc.data if f.type is bool}
    for _ in range(data.draw(st.integers(1, 25))):
        trigger = data.draw(st.sampled_from(names))
        update: dict[str, Any] = {}
        if trigger.startswith("complete_step"):
            update = data.draw(st.fixed_dictionaries({}, optional=bools))  # type: ignore[arg-type]
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
