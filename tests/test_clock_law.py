"""The clocks the law adds beside the appointment, with worked examples on the three-step
procedure (3 working days; office hours 08-12, 13-17; March 2026 has no holiday): the
desk's 8 working hours to receive an online filing, when the apology is due, pauses past
their maximum, and the 15 working days a supplement is waited for."""

from __future__ import annotations

from dossierflow.clock import Sla
from dossierflow.rules import ApologyTiming, ClockPolicy, PauseReason, working_days
from dossierflow.states import (
    Apologize,
    Channel,
    File,
    Pause,
    Receive,
    RequestSupplement,
    Resume,
    Supplement,
    System,
)
from tests.test_rules import APPLICANT, CLERK, DESK, engine_for, live, three_steps, vn

VNEID = PauseReason("vneid", "confirmation by relatives through VNeID", "test basis",
                    working_days(5))
ENGINE = engine_for(three_steps(pause_reasons=[VNEID]))
SLA = Sla(ENGINE)
RECEIVED = [(Receive("R"), DESK, vn(2026, 3, 2, 9))]  # due Thursday 5 March 09:00


def test_an_online_filing_must_be_answered_within_8_working_hours() -> None:
    filed = ENGINE.apply(
        None, File("D-1", "1.000009", Channel.ONLINE), at=vn(2026, 3, 2, 10),
        actor=APPLICANT)[0]
    assert SLA.reception_due(filed) == vn(2026, 3, 3, 10)  # Monday 10-12, 13-17, Tuesday 08-10
    assert SLA.reception_overdue_from(filed) == vn(2026, 3, 3, 10)
    # Filed on Saturday: counted from Monday's opening; 8 hours end at Monday's close, which
    # the library writes as the next opening.
    weekend = ENGINE.apply(None, File("D-2", "1.000009", Channel.ONLINE),
                           at=vn(2026, 3, 7, 10), actor=APPLICANT)[0]
    assert SLA.reception_due(weekend) == vn(2026, 3, 10, 8)
    received = ENGINE.apply(filed, Receive("R"), at=vn(2026, 3, 3, 11), actor=DESK)[0]
    assert SLA.reception_due(received) == vn(2026, 3, 3, 10)  # still known: received late
    assert SLA.reception_overdue_from(received) is None
    assert SLA.timeline(received).answered == vn(2026, 3, 3, 11)
    asked = ENGINE.apply(filed, RequestSupplement(["proof"]), at=vn(2026, 3, 2, 11),
                         actor=DESK)[0]
    assert SLA.reception_overdue_from(asked) is None
    postal = ENGINE.apply(None, File("D-3", "1.000009", Channel.POSTAL), at=vn(2026, 3, 2, 10),
                          actor=APPLICANT)[0]
    assert SLA.reception_due(postal) is None
    no_clock = engine_for(three_steps(clock=ClockPolicy(reception=None)))
    d = no_clock.apply(None, File("D-4", "1.000009", Channel.ONLINE), at=vn(2026, 3, 2, 10),
                       actor=APPLICANT)[0]
    assert Sla(no_clock).reception_due(d) is None


def test_the_apology_is_due_a_working_day_before_the_due_or_at_it() -> None:
    d = live(ENGINE, RECEIVED)
    assert SLA.apology_due(d) == vn(2026, 3, 4, 9)  # Wednesday 09:00, 8 office hours before
    at_expiry = engine_for(three_steps(clock=ClockPolicy(apology=ApologyTiming.AT_EXPIRY)))
    assert Sla(at_expiry).apology_due(live(at_expiry, RECEIVED)) == vn(2026, 3, 5, 9)
    # Received Tuesday 14:00: due Friday 14:00; the apology by Thursday 14:00.
    later = live(ENGINE, [(Receive("R"), DESK, vn(2026, 3, 3, 14))])
    assert SLA.apology_due(later) == vn(2026, 3, 5, 14)
    paused = ENGINE.apply(d, Pause("land tax", "Land Law 2024"), at=vn(2026, 3, 2, 10),
                          actor=CLERK)[0]
    assert SLA.apology_due(paused) is None  # no due while the clock is stopped
    cmd = Apologize("a", "the police's check is late", vn(2026, 3, 9, 9))
    apologised = ENGINE.apply(d, cmd, at=vn(2026, 3, 4, 10), actor=System("s"))[0]
    assert apologised.apologies[0].late is False
    assert SLA.apology_due(apologised) is None  # one apology per dossier


def test_a_pause_past_its_maximum_is_overdue_from_its_end() -> None:
    d = live(ENGINE, [*RECEIVED, (Pause("relatives confirm", kind="vneid"), CLERK,
                                  vn(2026, 3, 2, 10))])
    assert d.history[-1].max_length == working_days(5)  # type: ignore[union-attr]
    assert SLA.pause_overrun(d) == vn(2026, 3, 9, 10)  # five working days after Monday 10:00
    resumed = ENGINE.apply(d, Resume(), at=vn(2026, 3, 9, 11), actor=CLERK)[0]
    assert SLA.pause_overrun(resumed) is None
    free = live(ENGINE, [*RECEIVED, (Pause("land tax", "Land Law 2024"), CLERK,
                                     vn(2026, 3, 2, 10))])
    assert SLA.pause_overrun(free) is None  # a reason without a maximum


def test_a_supplement_is_waited_for_15_working_days() -> None:
    d = live(ENGINE, [*RECEIVED, (RequestSupplement(["proof"]), CLERK, vn(2026, 3, 2, 10))])
    assert SLA.supplement_expires(d) == vn(2026, 3, 23, 10)  # three weeks, no holiday
    back = ENGINE.apply(d, Supplement(["proof"]), at=vn(2026, 3, 5, 9), actor=APPLICANT)[0]
    assert SLA.supplement_expires(back) is None
    never = engine_for(three_steps(clock=ClockPolicy(supplement_wait=None)))
    waiting = live(never, [*RECEIVED, (RequestSupplement(["proof"]), CLERK,
                                       vn(2026, 3, 2, 10))])
    assert Sla(never).supplement_expires(waiting) is None
