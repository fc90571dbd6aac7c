"""Verdicts as Decision 766/QĐ-TTg judges them, one worked example per rule, each with the
rule switched off (VerdictPolicy), on the three-step procedure of 3 working days: received
Monday 2 March 2026 09:00, due Thursday 5 March 09:00 (office hours 08-12, 13-17)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from dossierflow import InvalidArgument
from dossierflow.clock import Sla, Verdict, VerdictPolicy
from dossierflow.states import (
    CompleteStep,
    Dossier,
    Receive,
    Received,
    Refuse,
    RequestSupplement,
    Status,
    Stop,
    Supplement,
    System,
    Withdraw,
    evolve,
)
from tests.test_rules import APPLICANT, CLERK, COP, DESK, engine_for, live, three_steps, vn

H = dt.timedelta(hours=1)
RECEIVED = [(Receive("R"), DESK, vn(2026, 3, 2, 9))]
ASK = (RequestSupplement(["proof of address"]), CLERK)
PERIOD_END = vn(2026, 3, 31, 17)
SWEEPER = System("sweeper")
NO_SUPPLEMENT = Stop("the supplement did not arrive within 15 working days",
                     "Decree 297/2025/NĐ-CP")


def _sla(**policy: bool) -> Sla:
    return Sla(ENGINE, verdicts=VerdictPolicy(**policy))


ENGINE = engine_for(three_steps(supplement_requests=None))
SLA = Sla(ENGINE)


def _life(moves: list[tuple[Any, Any, dt.datetime]]) -> Dossier:
    return live(ENGINE, moves)


def test_the_default_policy_is_decision_766_and_checked() -> None:
    assert SLA.verdicts == VerdictPolicy()
    assert "766" in VerdictPolicy().legal_basis
    with pytest.raises(InvalidArgument, match="judge_withdrawn"):
        VerdictPolicy(judge_withdrawn=1)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="VerdictPolicy"):
        Sla(ENGINE, verdicts="766")  # type: ignore[arg-type]


# 1. Withdrawn after receipt: judged at the withdrawal.

def test_a_withdrawn_dossier_is_judged_at_its_withdrawal() -> None:
    early = _life([*RECEIVED, (Withdraw("moved away"), APPLICANT, vn(2026, 3, 3, 10))])
    assert early.status is Status.WITHDRAWN
    v = SLA.classify(early)
    # Tuesday 10-12, 13-17, Wednesday 8 hours, Thursday 08-09: 15 hours before the due.
    assert (v.verdict, v.ended, v.margin, v.due) == (Verdict.EARLY, vn(2026, 3, 3, 10), 15 * H,
                                                     vn(2026, 3, 5, 9))
    late = _life([*RECEIVED, (Withdraw(), APPLICANT, vn(2026, 3, 6, 10))])
    v = SLA.classify(late)
    # Thursday 09-12, 13-17, Friday 08-10: 9 hours late; the clerk's first step overran most.
    assert (v.verdict, v.margin, v.responsible) == (Verdict.LATE, -9 * H, "a")
    off = _sla(judge_withdrawn=False)
    assert off.classify(early).verdict is None
    assert off.classify(late, PERIOD_END).verdict is None


def test_a_refused_dossier_still_gets_no_verdict() -> None:
    refused = live(ENGINE, [(Refuse("not this commune's"), DESK, vn(2026, 3, 2, 9))])
    assert refused.status is Status.REFUSED
    assert SLA.classify(refused, PERIOD_END).verdict is None


# 2. More than one supplement request: late.

ASKED_TWICE = [*RECEIVED,
               (*ASK, vn(2026, 3, 2, 10)), (Supplement(["a"]), APPLICANT, vn(2026, 3, 2, 11)),
               (*ASK, vn(2026, 3, 2, 13)), (Supplement(["b"]), APPLICANT, vn(2026, 3, 2, 14)),
               (CompleteStep("receive"), CLERK, vn(2026, 3, 2, 15)),
               (CompleteStep("check"), COP, vn(2026, 3, 3, 9)),
               (CompleteStep("sign"), CLERK, vn(2026, 3, 3, 10))]


def test_a_dossier_asked_twice_is_late_whatever_its_time() -> None:
    d = _life(ASKED_TWICE)
    assert d.status is Status.RESOLVED
    v = SLA.classify(d)
    # Two hours waiting for supplements moved the due to Thursday 11:00; resolved on Tuesday
    # 10:00 with 17 hours to spare, but asked twice.
    assert (v.verdict, v.due, v.ended, v.margin) == (Verdict.LATE, vn(2026, 3, 5, 11),
                                                     vn(2026, 3, 3, 10), 17 * H)
    assert v.responsible == "a"  # no step overran: the receiving desk's agency
    assert _sla(late_if_asked_twice=False).classify(d).verdict is Verdict.EARLY
    once = _life([*ASKED_TWICE[:3], *ASKED_TWICE[5:]])
    assert SLA.classify(once).verdict is Verdict.EARLY
    # An open dossier asked twice is late at the end of the period too.
    assert SLA.classify(_life(ASKED_TWICE[:5]), vn(2026, 3, 2, 15)).verdict is Verdict.LATE


# 3. A supplement never returned ends the dossier at the request.

def test_a_supplement_never_returned_ends_the_dossier_at_the_request() -> None:
    waiting = _life([*RECEIVED, (*ASK, vn(2026, 3, 2, 10))])
    v = SLA.classify(waiting, PERIOD_END)
    # One hour used of 24: on time, ended at the request, 23 hours to spare.
    assert (v.verdict, v.ended, v.margin) == (Verdict.ON_TIME, vn(2026, 3, 2, 10), 23 * H)
    assert SLA.classify(waiting).verdict is None  # open, and no period given
    stopped = ENGINE.apply(waiting, NO_SUPPLEMENT, at=vn(2026, 3, 25, 9), actor=SWEEPER)[0]
    assert stopped.status is Status.STOPPED
    v = SLA.classify(stopped)
    assert (v.verdict, v.ended, v.margin) == (Verdict.ON_TIME, vn(2026, 3, 2, 10), 23 * H)
    withdrawn = ENGINE.apply(waiting, Withdraw(), at=vn(2026, 3, 25, 9), actor=APPLICANT)[0]
    assert SLA.classify(withdrawn).ended == vn(2026, 3, 2, 10)
    off = _sla(end_at_unreturned_supplement=False)
    v = off.classify(waiting, PERIOD_END)
    assert (v.verdict, v.ended, v.margin) == (Verdict.ON_TIME, None, None)
    v = off.classify(stopped)
    assert (v.verdict, v.ended, v.margin) == (Verdict.ON_TIME, vn(2026, 3, 25, 9), 23 * H)


def test_a_supplement_asked_after_the_due_and_never_returned_is_late_at_the_request() -> None:
    d = _life([*RECEIVED, (*ASK, vn(2026, 3, 6, 10))])
    v = SLA.classify(d, PERIOD_END)
    # 33 hours used of 24 by Friday 10:00.
    assert (v.verdict, v.ended, v.margin, v.responsible) == (
        Verdict.LATE, vn(2026, 3, 6, 10), -9 * H, "a")


# 4. Open dossiers are judged at the end of the period.

def test_an_open_dossier_is_judged_at_the_end_of_the_period() -> None:
    d = _life(RECEIVED)
    v = SLA.classify(d, vn(2026, 3, 9, 9))
    # Thursday 09-12, 13-17, Friday, Monday 08-09: 16 hours late.
    assert (v.verdict, v.ended, v.margin) == (Verdict.LATE, None, -16 * H)
    assert SLA.classify(d, vn(2026, 3, 4, 9)).verdict is Verdict.ON_TIME
    v = _sla(judge_open_at_period_end=False).classify(d, vn(2026, 3, 9, 9))
    assert (v.verdict, v.due) == (None, vn(2026, 3, 5, 9))


# 5. Without an appointment: end − start − supplement time against the limit.

def _imported(moves: list[tuple[Any, Any, dt.datetime]]) -> Dossier:
    """The dossier as another system recorded it: a receipt without appointment."""
    d: Dossier | None = None
    for e in _life(moves).history:
        d = evolve(d, attrs.evolve(e, appointment=None) if type(e) is Received else e)
    assert d is not None
    assert d.appointment is None
    return d


def _resolved(*at: dt.datetime) -> list[tuple[Any, Any, dt.datetime]]:
    return [(CompleteStep("receive"), CLERK, at[0]), (CompleteStep("check"), COP, at[1]),
            (CompleteStep("sign"), CLERK, at[2])]


def test_without_an_appointment_the_time_used_is_held_to_the_limit() -> None:
    # Received Monday 18:00, after the close: the clock starts Tuesday 08:00, and 24 working
    # hours end on Thursday at the close, that is Friday 08:00.
    evening = [(Receive("R"), DESK, vn(2026, 3, 2, 18))]
    d = _imported([*evening, *_resolved(vn(2026, 3, 3, 9), vn(2026, 3, 4, 9),
                                        vn(2026, 3, 6, 8))])
    v = SLA.classify(d)
    assert (v.verdict, v.appointment, v.due, v.margin) == (Verdict.ON_TIME, None,
                                                           vn(2026, 3, 6, 8), dt.timedelta(0))
    late = _imported([*evening, *_resolved(vn(2026, 3, 3, 9), vn(2026, 3, 4, 9),
                                           vn(2026, 3, 6, 8, 30))])
    assert (SLA.classify(late).verdict, SLA.classify(late).margin) == (
        Verdict.LATE, -dt.timedelta(minutes=30))
    # Supplement time is left out: asked Tuesday 09:00, back Thursday 09:00 (16 hours of
    # office time not counted), resolved Monday 09:00 the next week.
    waited = _imported([*evening, (*ASK, vn(2026, 3, 3, 9)),
                        (Supplement(["a"]), APPLICANT, vn(2026, 3, 5, 9)),
                        *_resolved(vn(2026, 3, 5, 10), vn(2026, 3, 6, 9), vn(2026, 3, 9, 9))])
    v = SLA.classify(waited)
    # Used: Tuesday 08-09 (1), Thursday 09-12, 13-17 (7), Friday (8), Monday 08-09 (1) = 17.
    assert (v.verdict, v.margin) == (Verdict.ON_TIME, 7 * H)
    # Open, judged at the end of a period by what it used until then.
    open_ = _imported(evening)
    v = SLA.classify(open_, vn(2026, 3, 9, 8))
    assert (v.verdict, v.margin) == (Verdict.LATE, -8 * H)  # Tue, Wed, Thu, Fri: 32 hours
    off = _sla(judge_without_appointment=False)
    assert off.classify(d).verdict is None
    assert off.classify(open_, vn(2026, 3, 9, 8)).verdict is None
