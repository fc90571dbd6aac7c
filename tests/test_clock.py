"""The clock over histories: one definition of overdue (paused dossiers whose time ran out
included), due-soon as a window of office time, one rule of blame, the apology's floor and its
original appointment, step clocks, the control slip with verdicts, and the formatters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dossierflow import NaiveDatetimeError
from dossierflow.clock import Sla, Verdict, format_duration, format_margin, responsible
from dossierflow.clock import StepVerdict as SV
from dossierflow.rules import working_days
from dossierflow.states import (
    ALLOWED,
    COMMAND_NAMES,
    EVENT_TYPES,
    Apologize,
    CompleteStep,
    Pause,
    Procedure,
    Receive,
    Resume,
    Status,
    System,
)
from tests.test_rules import (
    CLERK,
    COP,
    DESK,
    VN,
    engine_for,
    live,
    three_steps,
    vn,
)

H = dt.timedelta(hours=1)


def _three(moves: list[tuple[Any, Any, dt.datetime]]) -> tuple[Sla, Any]:
    engine = engine_for(three_steps())
    return Sla(engine), live(engine, moves)


RECEIVED = [(Receive("R"), DESK, vn(2026, 3, 2, 9))]  # due Thursday 5 March 09:00


def test_paused_after_its_time_ran_out_stays_overdue() -> None:
    sla, d = _three([*RECEIVED, (Pause("land tax", "Land Law 2024"), CLERK,
                                 vn(2026, 3, 6, 10))])
    assert d.status is Status.PAUSED
    ((_, since),) = sla.overdue([d], vn(2026, 3, 9, 9))
    assert since == vn(2026, 3, 5, 9)  # the instant its time ran out
    assert sla.timeline(d).is_overdue(vn(2026, 3, 9, 9))
    within, paused = _three([*RECEIVED, (Pause("land tax", "Land Law 2024"), CLERK,
                                         vn(2026, 3, 4, 10))])
    assert within.overdue([paused], vn(2026, 3, 20, 9)) == ()


def test_due_soon_is_a_window_of_office_time() -> None:
    sla, d = _three(RECEIVED)
    # Wednesday 16:00 to Thursday 09:00 is 2 hours of office time (16-17, 8-9).
    assert sla.due_soon([d], vn(2026, 3, 4, 16), 2 * H - dt.timedelta(minutes=1)) == ()
    assert [x[0].id for x in sla.due_soon([d], vn(2026, 3, 4, 16), 2 * H)] == ["D-1"]
    assert sla.due_soon_until(vn(2026, 3, 4, 16), 2 * H) == vn(2026, 3, 5, 9)


def test_blame_goes_to_the_step_that_overran_most_not_the_first() -> None:
    steps = [SV("a", "first", vn(2026, 3, 2, 8), vn(2026, 3, 3, 8), None, None, H, Verdict.LATE,
                -H),
             SV("b", "second", vn(2026, 3, 3, 8), vn(2026, 3, 6, 8), None, None, H,
                Verdict.LATE, -5 * H),
             SV("c", "third", vn(2026, 3, 6, 8), None, None, None, H, Verdict.LATE, -2 * H)]
    assert responsible(steps, vn(2026, 3, 5, 8), "desk") == "second"
    # The same rule gives the final verdict: the police's check overran by far the most.
    sla, d = _three([*RECEIVED,
                     (CompleteStep("receive"), CLERK, vn(2026, 3, 2, 15)),  # 1h late
                     (CompleteStep("check"), COP, vn(2026, 3, 9, 15)),
                     (CompleteStep("sign"), CLERK, vn(2026, 3, 10, 9))])
    verdict = sla.classify(d)
    assert verdict.verdict is Verdict.LATE
    assert [s.verdict for s in verdict.steps[:2]] == [Verdict.LATE, Verdict.LATE]
    assert verdict.responsible == "p"


def test_apology_names_the_same_agency_as_the_verdict_and_moves_the_clocks_due() -> None:
    moves = [*RECEIVED, (CompleteStep("receive"), CLERK, vn(2026, 3, 2, 10)),
             (Pause("land tax", "Land Law 2024"), COP, vn(2026, 3, 3, 8)),
             (Resume(), System("s"), vn(2026, 3, 4, 8))]  # one working day paused
    sla, d = _three(moves)
    command = sla.apology(d, vn(2026, 3, 6, 10), "backlog")
    assert command.original_appointment == vn(2026, 3, 6, 9)  # the pause counted
    assert command.agency == "p"  # holds the step that overran (the check, due the 5th 10:00)
    engine = sla.engine
    sorry, events = engine.apply(d, command, at=vn(2026, 3, 6, 10), actor=System("sweeper"))
    assert events[0].original_appointment == vn(2026, 3, 6, 9)
    done, _ = engine.apply(sorry, CompleteStep("check"), at=vn(2026, 3, 10, 9), actor=COP)
    final = sla.classify(done, vn(2026, 3, 10, 9))
    assert final.responsible == command.agency


def test_apology_gives_at_least_one_working_day() -> None:
    sla, d = _three([*RECEIVED, (CompleteStep("receive"), CLERK, vn(2026, 3, 2, 10)),
                     (CompleteStep("check"), COP, vn(2026, 3, 4, 8))])
    # Only "sign" (half a day) is left; the new appointment is still one working day later.
    command = sla.apology(d, vn(2026, 3, 5, 10), "backlog")
    assert command.new_appointment == vn(2026, 3, 6, 10)
    assert VN.working_time_between(vn(2026, 3, 5, 10), command.new_appointment) == 8 * H


def test_open_steps_run_late_while_the_dossier_is_within_its_appointment() -> None:
    sla, d = _three([*RECEIVED, (CompleteStep("receive"), CLERK, vn(2026, 3, 2, 10))])
    at = vn(2026, 3, 4, 16)  # the check was due Wednesday 10:00; the dossier Thursday 09:00
    assert sla.overdue([d], at) == ()
    (check,) = [s for s in sla.steps(d, at) if s.step == "check"]
    assert check.verdict is Verdict.LATE
    assert check.margin == -5 * H  # 10:00-12:00 and 13:00-16:00
    assert format_margin(check.margin) == "chậm 5 giờ"


def test_control_slip_rows_carry_step_verdicts_and_the_desk_transfer() -> None:
    sla, d = _three([*RECEIVED, (CompleteStep("receive"), CLERK, vn(2026, 3, 2, 15)),
                     (CompleteStep("check"), COP, vn(2026, 3, 3, 9))])
    rows = sla.control_slip(d)
    assert [(r.step, r.from_unit, r.to_unit, r.result) for r in rows] == [
        ("(reception)", "a", "a", "received"), ("receive", "a", "p", "forward"),
        ("check", "p", "a", "forward")]
    assert rows[0].verdict is None
    assert (rows[1].verdict, rows[1].margin) == (Verdict.LATE, -H)  # due 14:00
    assert rows[2].verdict is Verdict.EARLY


def test_naive_instants_are_named() -> None:
    sla, d = _three(RECEIVED)
    naive = dt.datetime(2026, 3, 5, 9)
    for call, name in [(lambda: sla.classify(d, naive), "at"),
                       (lambda: sla.overdue([d], naive), "at"),
                       (lambda: sla.due_soon([d], naive, H), "at"),
                       (lambda: sla.apology(d, naive, "x"), "at")]:
        with pytest.raises(NaiveDatetimeError, match=f"^{name}="):
            call()
    with pytest.raises(NaiveDatetimeError, match=r"^new_appointment="):
        sla.engine.apply(d, Apologize("a", "backlog", naive), at=vn(2026, 3, 6, 9),
                         actor=System("s"))


def test_formatters() -> None:
    late = -(15 * H + dt.timedelta(minutes=35))
    assert format_margin(late) == "chậm 15 giờ 35 phút"
    assert format_margin(late, language="en") == "late by 15h35"
    assert format_margin(2 * H, language="en") == "ahead by 2h00"
    assert format_margin(dt.timedelta(seconds=30)) == "đúng hạn"
    assert format_margin(None) == "-"
    assert format_duration(dt.timedelta(minutes=35)) == "35 phút"
    with pytest.raises(ValueError, match="language"):
        format_margin(H, language="fr")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="timedelta"):
        format_duration(3)  # type: ignore[arg-type]


def test_exported_tables_are_read_only() -> None:
    for table in (ALLOWED, COMMAND_NAMES, EVENT_TYPES):
        with pytest.raises(TypeError):
            table["x"] = ()  # type: ignore[index]


def test_long_procedure_codes_of_provincial_portals() -> None:
    proc = three_steps()
    import attrs

    long = attrs.evolve(proc, code="1.012756.000.00.00.H29")
    assert long.code == "1.012756.000.00.00.H29"
    assert isinstance(attrs.evolve(proc, code="1.000948.H38"), Procedure)
    with pytest.raises(ValueError, match="national procedure code"):
        attrs.evolve(proc, code="1.012756.00.H29")


def test_events_record_where_the_flow_went_and_schema_1_folds_the_same() -> None:
    import attrs

    engine = engine_for(three_steps())
    d = live(engine, [*RECEIVED, (CompleteStep("receive"), CLERK, vn(2026, 3, 2, 10))])
    received, completed = d.history[1], d.history[2]
    assert received.activated == ("receive",)
    assert received.to_units == ("a",)
    assert completed.activated == ("check",)
    old = [attrs.evolve(e, activated=None, waiting=None) if hasattr(e, "activated") else e
           for e in d.history]
    received_old = old[1]
    old = [attrs.evolve(e, to_units=()) if e is received_old else e for e in old]
    assert engine.replay(old) == d  # schema-1 events are completed from the graph
    assert d.receipt is received
    assert d.appointment == vn(2026, 3, 5, 9)
    assert working_days(3) == received.appointment.limit
