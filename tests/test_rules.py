"""Time limits, appointments and the SLA clock: properties on generated calendars, golden cases
on the Vietnamese calendar, verdicts, apologies and recomputation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dossierflow import samples
from dossierflow._errors import InvalidArgument, TransitionNotAllowed
from dossierflow.calendar import DayOff, WorkCalendar, vietnam
from dossierflow.clock import Sla, Verdict
from dossierflow.rules import (
    ClockPolicy,
    Convention,
    StartPolicy,
    SupplementPolicy,
    TimeLimit,
    Unit,
    appointment,
    calendar_days,
    months,
    same_day,
    working_days,
    working_hours,
)
from dossierflow.rules._deadline import _appointment
from dossierflow.states import (
    END,
    Agency,
    Catalogue,
    Channel,
    Citizen,
    CompleteStep,
    Dossier,
    Engine,
    Extend,
    File,
    Officer,
    Pause,
    Procedure,
    Receive,
    RequestSupplement,
    Resume,
    Step,
    Supplement,
    System,
)
from dossierflow.testing import calendars, instants, time_limits, with_convention

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
VN = vietnam()


def vn(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


# ------------------------------------------------------------------------------ time limits


def test_limit_values_and_their_errors() -> None:
    assert str(working_days(2.5, legal_basis="x")) == "2.5 working days"
    assert str(same_day()) == "same working day (cut-off 15:00)"
    assert str(months(1)) == "1 month"
    assert working_days("0.5").max_working_hours() == Decimal(4)
    assert calendar_days(10).max_working_hours() is None
    for bad, match in [
        (lambda: working_days(1.3), "halves"),
        (lambda: working_days(-1), "zero or more"),
        (lambda: working_days(True), "must be a number"),
        (lambda: calendar_days(1.5), "whole number"),  # type: ignore[arg-type]
        (lambda: TimeLimit(Unit.SAME_DAY, Decimal(1)), "no amount"),
        (lambda: working_hours(2, cutoff="15:00"), "datetime.time"),  # type: ignore[arg-type]
        (lambda: working_hours(2, cutoff=dt.time(15, tzinfo=TZ)), "drop its tzinfo"),
    ]:
        with pytest.raises(InvalidArgument, match=match):
            bad()


# --------------------------------------------------------------------- golden cases (Vietnam)


def test_cutoff_on_the_friday_before_tet() -> None:
    # Tết 2026: Monday 16 to Friday 20 February off; the Friday before is 13 February.
    late = appointment(vn(2026, 2, 13, 15, 30), same_day(), VN)
    assert late.start == vn(2026, 2, 23, 8)
    assert late.due == vn(2026, 2, 23, 17)
    assert appointment(vn(2026, 2, 13, 15, 0), same_day(), VN).due == vn(2026, 2, 13, 17)
    group = appointment(vn(2026, 2, 13, 15, 1), working_days(3, cutoff=dt.time(15)), VN)
    assert group.due == vn(2026, 2, 26, 8)  # counted from the 23rd, due at the opening


def test_half_day_received_at_eleven() -> None:
    assert appointment(vn(2026, 3, 2, 11), working_days(0.5), VN).due == vn(2026, 3, 2, 16)
    end = appointment(vn(2026, 3, 2, 11), working_days(0.5), VN,
                      ClockPolicy(convention=Convention.END_OF_DAY))
    assert end.due == vn(2026, 3, 2, 17)


def test_online_at_nine_pm_on_a_sunday() -> None:
    received = vn(2026, 3, 1, 21)
    two = appointment(received, working_days(2), VN)
    assert two.start == vn(2026, 3, 2, 8)
    assert two.due == vn(2026, 3, 4, 8)  # received at an opening, due at an opening
    assert appointment(received, same_day(), VN).due == vn(2026, 3, 2, 17)
    days = appointment(received, calendar_days(10), VN)
    assert days.due == vn(2026, 3, 12, 17)  # counted from Monday: the start policy
    at_receipt = appointment(received, calendar_days(10), VN,
                             ClockPolicy(start=StartPolicy.AT_RECEIPT))
    assert at_receipt.due == vn(2026, 3, 11, 17)


def test_calendar_days_and_months_end_on_a_working_day() -> None:
    # 10 days from Thursday 20 August 2026 end on Sunday 30 August; 31 August is the swapped
    # day off and 1-2 September are National Day: due Thursday 3 September.
    assert appointment(vn(2026, 8, 20, 9), calendar_days(10), VN).due == vn(2026, 9, 3, 17)
    # A month from Friday 30 January 2026 ends on the last day of February (Civil Code
    # Art. 148), Saturday 28 February: due Monday 2 March.
    assert appointment(vn(2026, 1, 30, 9), months(1), VN).due == vn(2026, 3, 2, 17)


def test_every_deadline_records_its_calendar() -> None:
    d = appointment(vn(2026, 3, 2, 9), working_days(1), VN)
    assert (d.calendar, d.calendar_fingerprint) == ("vietnam", VN.fingerprint)
    assert d.slip_text() == "09:00 03/03/2026"
    closed = VN.with_closure(dt.date(2026, 3, 3), dt.date(2026, 3, 3), reason="typhoon",
                             source="provincial decision")
    assert closed.fingerprint != VN.fingerprint
    assert appointment(vn(2026, 3, 2, 9), working_days(1), closed).due == vn(2026, 3, 4, 9)


# ------------------------------------------------------------------- properties (generated)


@given(cal=calendars(), limit=time_limits(), data=st.data())
def test_appointment_never_before_receipt_and_monotonic(
    cal: WorkCalendar, limit: TimeLimit, data: st.DataObject
) -> None:
    received = data.draw(instants(cal))
    due = appointment(received, limit, cal)
    assert due.due >= received
    assert due.start >= received
    assume(limit.unit is not Unit.SAME_DAY)
    more = attrs.evolve(limit, amount=limit.amount + data.draw(st.integers(1, 5)))
    assert appointment(received, more, cal).due >= due.due


@given(cal=calendars(), limit=time_limits(), convention=st.sampled_from(Convention),
       start=st.sampled_from(StartPolicy), data=st.data())
def test_appointment_read_off_the_index_is_its_definition(
    cal: WorkCalendar, limit: TimeLimit, convention: Convention, start: StartPolicy,
    data: st.DataObject,
) -> None:
    received = data.draw(instants(cal))
    limit = attrs.evolve(limit, cutoff=data.draw(st.none() | st.times()))
    policy = ClockPolicy(convention=convention, start=start)
    cal.is_open(received)  # the index is loaded, so the one-pass path answers where it can
    assert appointment(received, limit, cal, policy) == _appointment(received, limit, cal, policy)


@given(cal=calendars(), data=st.data())
def test_two_conventions_give_the_same_local_date(cal: WorkCalendar, data: st.DataObject) -> None:
    limit = data.draw(time_limits(units=(Unit.WORKING_DAYS, Unit.WORKING_HOURS)))
    received = data.draw(instants(cal))
    exact = appointment(received, limit, cal).due
    end = appointment(received, limit, cal, ClockPolicy(convention=Convention.END_OF_DAY)).due
    assert cal.local_date(exact) == cal.local_date(end)
    assert exact <= end
    assert end == cal.closing_time(cal.local_date(end))
    if exact > cal.next_opening(received):
        assert cal.is_open(exact)  # never a closing time: the next opening instead


@given(cal=calendars(), n=st.integers(1, 15), data=st.data())
def test_received_at_an_opening_is_due_at_an_opening(
    cal: WorkCalendar, n: int, data: st.DataObject
) -> None:
    day = cal.working_date(data.draw(instants(cal)))
    opening = cal.next_opening(dt.datetime.combine(day, dt.time(0), ZoneInfo(cal.timezone)))
    hours = sum(b - a for a, b in (s.seconds for s in cal.describe(day).sessions)) / 3600
    due = appointment(opening, working_hours(hours * n), cal).due
    later = cal.add_working_days(day, n)
    assume(cal.describe(later).sessions == cal.describe(day).sessions)
    assert due == cal.next_opening(dt.datetime.combine(later, dt.time(0),
                                                       ZoneInfo(cal.timezone)))


# ------------------------------------------------------------------------ the dossier clock

COMMUNE = Agency("a", "Commune")
POLICE = Agency("p", "Police")
DESK = Officer("desk", "a", "one_stop")
CLERK = Officer("clerk", "a", "clerk")
COP = Officer("cop", "p", "officer")
APPLICANT = Citizen("c1")


def three_steps(**kw: Any) -> Procedure:
    return Procedure(
        code="1.000009", name="Three steps", agencies=[COMMUNE, POLICE], receivers=["a"],
        time_limit=working_days(3), max_extension=working_days(2),
        steps=[Step("receive", owner=COMMUNE.role("clerk"), allotment=working_days(0.5),
                    then="check"),
               Step("check", owner=POLICE.role("officer"), allotment=working_days(2),
                    then="sign"),
               Step("sign", owner=COMMUNE.role("clerk"), allotment=working_days(0.5),
                    then=END)],
        **kw,
    )


def engine_for(proc: Procedure, cal: WorkCalendar = VN) -> Engine:
    return Engine(Catalogue([proc]), calendar=cal)


def live(engine: Engine, moves: list[tuple[Any, Any, dt.datetime]]) -> Dossier:
    proc = engine.catalogue.procedures[0]
    d, _ = engine.apply(None, File("D-1", proc.code, Channel.ONLINE), at=moves[0][2],
                        actor=APPLICANT)
    for command, actor, at in moves:
        d, _ = engine.apply(d, command, at=at, actor=actor)
    return d


def test_supplement_request_spanning_a_make_up_saturday() -> None:
    # Saturday 10 January 2026 is worked in exchange for Friday 2 January.
    engine = engine_for(three_steps())
    sla = Sla(engine)
    start = [(Receive("R"), DESK, vn(2026, 1, 8, 9))]
    base = live(engine, start)
    assert sla.due(base) == vn(2026, 1, 12, 9)  # Thursday, Friday, the Saturday, Monday
    asked = [*start, (CompleteStep("receive"), CLERK, vn(2026, 1, 8, 10)),
             (RequestSupplement(["map"]), COP, vn(2026, 1, 9, 9))]
    paused = live(engine, asked)
    assert sla.due(paused) is None
    assert sla.clock(paused).consumed == dt.timedelta(hours=8)  # Thursday 7h, Friday 1h
    back_monday = live(engine, [*asked, (Supplement(["map"]), APPLICANT, vn(2026, 1, 12, 8))])
    assert sla.due(back_monday) == vn(2026, 1, 14, 8)
    back_saturday = live(engine, [*asked, (Supplement(["map"]), APPLICANT,
                                           vn(2026, 1, 10, 10))])
    assert sla.due(back_saturday) == vn(2026, 1, 13, 10)  # the Saturday counts once resumed
    restart = engine_for(three_steps(clock=ClockPolicy(
        on_supplement=SupplementPolicy.RESTART)))
    again = live(restart, [*asked, (Supplement(["map"]), APPLICANT, vn(2026, 1, 12, 8))])
    assert Sla(restart).due(again) == vn(2026, 1, 15, 8)


@given(pause_at=st.integers(0, 60 * 40), length=st.integers(0, 60 * 60), zero=st.booleans())
def test_paused_time_is_excluded_exactly(pause_at: int, length: int, zero: bool) -> None:
    engine = engine_for(three_steps())
    sla = Sla(engine)
    received = vn(2026, 3, 2, 9)
    plain = live(engine, [(Receive("R"), DESK, received)])
    t1 = received + dt.timedelta(minutes=pause_at)
    t2 = t1 if zero else t1 + dt.timedelta(minutes=length)
    paused = live(engine, [(Receive("R"), DESK, received),
                           (Pause("land tax", "basis"), CLERK, t1),
                           (Resume(), System("s"), t2)])
    before, after = sla.due(plain), sla.due(paused)
    assert before is not None
    assert after is not None
    if zero:
        assert after == before
    assert VN.working_time_between(before, after) == VN.working_time_between(t1, t2)


@given(data=st.data())
def test_steps_consumed_plus_paused_is_elapsed(data: st.DataObject) -> None:
    engine = engine_for(three_steps())
    sla = Sla(engine)
    at = vn(2026, 3, 2, 9)
    moves: list[tuple[Any, Any, dt.datetime]] = [(Receive("R"), DESK, at)]
    pauses = dt.timedelta(0)
    for step, actor in (("receive", CLERK), ("check", COP), ("sign", CLERK)):
        if data.draw(st.booleans()):
            t1 = at + dt.timedelta(minutes=data.draw(st.integers(0, 900)))
            t2 = t1 + dt.timedelta(minutes=data.draw(st.integers(0, 3000)))
            moves += [(Pause("tax", "basis"), actor, t1), (Resume(), System("s"), t2)]
            pauses += VN.working_time_between(t1, t2)
            at = t2
        at += dt.timedelta(minutes=data.draw(st.integers(0, 2000)))
        moves.append((CompleteStep(step), actor, at))
    d = live(engine, moves)
    steps = sla.steps(d)
    assert [s.step for s in steps] == ["receive", "check", "sign"]
    total = sum((s.consumed for s in steps), dt.timedelta(0))
    assert total + pauses == VN.working_time_between(moves[0][2], at)
    clock = sla.clock(d)
    assert clock is not None
    assert clock.consumed == total


def test_parallel_branches_each_account_for_their_time() -> None:
    engine = Engine(samples.catalogue())
    sla = Sla(engine)
    d = live_group(engine)
    steps = {s.step: s for s in sla.steps(d)}
    for branch in ("1.004222/register_residence", "1.002364/issue_card"):
        chain = [steps["1.001193/check"], steps["1.001193/register"], steps[branch]]
        total = sum((s.consumed for s in chain), dt.timedelta(0))
        assert total == VN.working_time_between(chain[0].activated, chain[-1].completed)


def live_group(engine: Engine, residence_at: dt.datetime | None = None) -> Dossier:
    # Filed online and received at once: the clock counts from the portal's record, 09:05.
    d, _ = engine.apply(None, File("G-1", "LT.A", Channel.ONLINE, {"child_name": "An"}),
                        at=vn(2026, 3, 2, 9, 5), actor=APPLICANT)
    moves = [
        (Receive("R"), Officer("d", "ubnd_xa", "one_stop"), vn(2026, 3, 2, 9, 5)),
        (CompleteStep("1.001193/check"), Officer("c", "ubnd_xa", "civil_status"),
         vn(2026, 3, 2, 10)),
        (CompleteStep("1.001193/register"), Officer("h", "ubnd_xa", "chairman"),
         vn(2026, 3, 2, 14)),
        (CompleteStep("1.002364/issue_card"), Officer("b", "bhxh", "card_officer"),
         vn(2026, 3, 3, 11)),
        (CompleteStep("1.004222/register_residence"), Officer("p", "ca_xa",
                                                               "residence_officer"),
         residence_at or vn(2026, 3, 4, 10)),
    ]
    for command, actor, at in moves:
        d, _ = engine.apply(d, command, at=at, actor=actor)
    return d


# ------------------------------------------------------------------ verdicts and worklists


def test_on_time_early_late_and_who_caused_it() -> None:
    engine = Engine(samples.catalogue())
    sla = Sla(engine)
    early = sla.classify(live_group(engine, vn(2026, 3, 4, 10)))
    assert early.appointment == vn(2026, 3, 5, 9, 5)
    assert early.verdict is Verdict.EARLY
    assert early.responsible is None
    on_time = sla.classify(live_group(engine, vn(2026, 3, 5, 9)))
    assert on_time.verdict is Verdict.ON_TIME
    assert on_time.margin == dt.timedelta(minutes=5)
    late = sla.classify(live_group(engine, vn(2026, 3, 6, 10)))
    assert late.verdict is Verdict.LATE
    assert late.margin == -dt.timedelta(hours=8, minutes=55)
    assert late.responsible == "ca_xa"
    residence = next(s for s in late.steps if s.step == "1.004222/register_residence")
    assert residence.verdict is Verdict.LATE
    card = next(s for s in late.steps if s.step == "1.002364/issue_card")
    assert card.verdict is Verdict.EARLY  # due 4 March 14:00, done on the 3rd


def test_apology_gives_a_new_appointment_but_late_stays_late() -> None:
    engine = Engine(samples.catalogue())
    sla = Sla(engine)
    d = live_group(engine)
    open_ = engine.replay(d.history[:-3])  # before the residence step completed
    assert sla.overdue([open_], vn(2026, 3, 5, 9)) == ()
    ((_, due),) = sla.overdue([open_], vn(2026, 3, 5, 10))
    assert due == vn(2026, 3, 5, 9, 5)
    assert sla.due_soon([open_], vn(2026, 3, 4, 16), dt.timedelta(hours=2)) == ()
    soon = sla.due_soon([open_], vn(2026, 3, 4, 16), dt.timedelta(hours=3))
    assert [x[0].id for x in soon] == ["G-1"]
    command = sla.apology(open_, vn(2026, 3, 5, 10), "waiting for the residence database")
    assert command.agency == "ca_xa"
    assert command.new_appointment == vn(2026, 3, 9, 10)
    sorry, events = engine.apply(open_, command, at=vn(2026, 3, 5, 10), actor=System("sweeper"))
    assert events[0].original_appointment == vn(2026, 3, 5, 9, 5)
    assert events[0].late  # sent after the appointment it moves: recorded as late
    with pytest.raises(TransitionNotAllowed, match="an appointment is moved only once"):
        engine.apply(sorry, command, at=vn(2026, 3, 5, 11), actor=System("sweeper"))
    later = attrs.evolve(command, new_appointment=vn(2026, 3, 20, 10))
    with pytest.raises(TransitionNotAllowed, match="an appointment is moved only once"):
        engine.apply(sorry, later, at=vn(2026, 3, 10, 11), actor=System("sweeper"))
    with pytest.raises(InvalidArgument, match="later than now"):
        engine.apply(open_, attrs.evolve(command, new_appointment=vn(2026, 3, 5, 9)),
                     at=vn(2026, 3, 5, 10), actor=System("sweeper"))
    done, _ = engine.apply(sorry, CompleteStep("1.004222/register_residence"),
                           at=vn(2026, 3, 6, 10), actor=Officer("p", "ca_xa",
                                                               "residence_officer"))
    verdict = sla.classify(done)
    assert verdict.verdict is Verdict.LATE  # judged against the original appointment
    assert verdict.due == vn(2026, 3, 5, 9, 5)


def test_extension_moves_the_due_within_its_bound() -> None:
    engine = engine_for(three_steps())
    sla = Sla(engine)
    d = live(engine, [(Receive("R"), DESK, vn(2026, 3, 2, 9)),
                      (Extend(working_days(1), "complex", "Decree 118/2025/NĐ-CP"), CLERK,
                       vn(2026, 3, 2, 10))])
    assert sla.due(d) == vn(2026, 3, 6, 9)


def test_recompute_lists_the_appointments_a_new_calendar_moves() -> None:
    engine = Engine(samples.catalogue())
    sla = Sla(engine)
    open_ = engine.replay(live_group(engine).history[:-3])
    assert sla.recompute([open_], VN) == ()
    typhoon = VN.with_closure(dt.date(2026, 3, 4), dt.date(2026, 3, 4), reason="typhoon",
                              source="provincial decision")
    (moved,) = sla.recompute([open_], typhoon)
    assert (moved.dossier_id, moved.before, moved.after) == (
        "G-1", vn(2026, 3, 5, 9, 5), vn(2026, 3, 6, 9, 5))
    finished = live_group(engine)
    assert sla.recompute([finished], typhoon) == ()


def test_exact_and_end_of_day_dossiers_agree_on_the_date() -> None:
    proc = with_convention(three_steps(), Convention.END_OF_DAY)
    engine = engine_for(proc)
    d = live(engine, [(Receive("R"), DESK, vn(2026, 3, 2, 9))])
    assert Sla(engine).due(d) == vn(2026, 3, 5, 17)


def test_generated_calendars_run_the_engine() -> None:
    cal = VN.with_days_off([DayOff(dt.date(2026, 3, 3), "local holiday", "decision")])
    engine = engine_for(three_steps(), cal)
    d = live(engine, [(Receive("R"), DESK, vn(2026, 3, 2, 9))])
    assert Sla(engine).due(d) == vn(2026, 3, 6, 9)
