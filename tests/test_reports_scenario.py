"""A fixed, hand-checked month: twelve dossiers of three small procedures at a provincial
centre and a commune, run with the real engine, saved command by command through a real store
(memory, SQLite, PostgreSQL), and reported for 1-31 March 2026. Every cell of the total, of the
rows by agency and of the rows by level and channel, the accountability rows and several
Decision 766 points are written out below as worked by hand from the documented meaning of
each count (:class:`~dossierflow.reports.Counts`, :mod:`dossierflow.reports._replay`), not
computed by code; the SQL path (``from_store``) and the Python path (``from_dossiers``) must
both give exactly them.

The calendar is Vietnam's (Asia/Ho_Chi_Minh): office hours 08:00-12:00 and 13:00-17:00,
Saturdays and Sundays off. February and March 2026 hold no day off after Tết (16-20 February);
April none before 26 April. 1 March 2026 is a Sunday, 31 March a Tuesday: the period is
``[Sun 1 Mar 00:00, Wed 1 Apr 00:00)``.

The dossiers (receiving agency; channel; what they cover):

- A0 provincial centre, in person: received and resolved in February, its result (electronic)
  returned on 2 March: in no Biểu 06 column, but a result returned in the period.
- A1 provincial centre, in person: received 26 February, open on 1 March (carried over);
  the department's appraisal overran its allotment, the department apologised after the
  appointment (a late apology), resolved late on 9 March: late, answered for by the department.
- A2 provincial centre, online: fee paid online before receipt, components digitised and data
  reused at receipt, resolved early, electronic result, rated 5.
- A3 provincial centre, by post: overdue on 16 March and still open at the period's end
  (pending overdue); a petition answered after 10 working days and 1 hour (not on time).
- A4 provincial centre, online: received 30 March, paused for a named reason the next day,
  pending within time at the period's end; fee paid online.
- A5 provincial centre, online: refused (and complained about): in no count.
- A6 provincial centre, in person: fee paid at the desk, withdrawn two days after receipt,
  judged at its withdrawal (early).
- B1 commune, in person, certification (same day, fee): "5 on-the-spot".
- B2 commune, online, certification: filed after the 15:00 cut-off, resolved late the day after
  its due, fee paid online, returned by post, rated 2.
- C1 commune, in person, zero-fee civil status: a supplement requested and brought, resolved
  on the day of its moved due (on time).
- C2 commune, online, civil status: a supplement that never came, stopped by the sweeper;
  judged at the request by the time it had used (on time), ended at the stop.
- C3 commune, in person, civil status: data reused, resolved early, electronic result, a
  complaint answered the next morning and accepted (satisfied).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from dossierflow import reports
from dossierflow.calendar import vietnam
from dossierflow.catalogues.vietnam import JUDICIAL_RECORD_EXCHANGE
from dossierflow.clock import Sla, Verdict
from dossierflow.reports import AccountabilityRow, Counts, Period, Report, Row
from dossierflow.rules import same_day, working_days
from dossierflow.states import (
    END,
    Agency,
    AnswerComplaint,
    Apologize,
    Catalogue,
    Channel,
    Citizen,
    Complain,
    ComplaintKind,
    CompleteStep,
    Dossier,
    Engine,
    File,
    Officer,
    OnlineLevel,
    Outcome,
    Pause,
    PayFee,
    PaymentMethod,
    Procedure,
    Rate,
    Receive,
    Refuse,
    RequestSupplement,
    ReturnResult,
    Status,
    Step,
    Stop,
    Supplement,
    System,
    Withdraw,
)
from dossierflow.store import Store, metadata

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


# ------------------------------------------------------------------------------ procedures

CENTRE = Agency("ttpvhcc_tinh", "Trung tâm Phục vụ hành chính công tỉnh", level="province")
DEPARTMENT = Agency("so_tp", "Sở Tư pháp", level="province")
COMMUNE = Agency("ubnd_xa", "Ủy ban nhân dân xã", level="commune")

PROVINCIAL = Procedure(
    code="2.000001", name="Thủ tục cấp tỉnh (thử)", sector="Tư pháp",
    agencies=[CENTRE, DEPARTMENT], receivers=["ttpvhcc_tinh"], time_limit=working_days(5),
    fee=100_000, online=OnlineLevel.FULL, pause_reasons=[JUDICIAL_RECORD_EXCHANGE],
    steps=[Step("appraise", owner=DEPARTMENT.role("specialist"), then="approve",
                allotment=working_days(4)),
           Step("approve", owner=DEPARTMENT.role("director"), then=END,
                allotment=working_days(1))])
"""Received at the provincial centre, handled by a department: 5 working days, of which
the appraisal 4 and the signature 1; a fee; offered fully online."""
COPY = Procedure(
    code="2.000815", name="Chứng thực bản sao từ bản chính (thử)", sector="Chứng thực",
    agencies=[COMMUNE], receivers=["ubnd_xa"], time_limit=same_day(cutoff=dt.time(15)),
    fee=2_000, online=OnlineLevel.PARTIAL,
    steps=[Step("certify", owner=COMMUNE.role("justice_officer"), then=END)])
"""A commune certification: the same working day (the next after 15:00); a fee; not fully
online."""
CIVIL = Procedure(
    code="1.004873", name="Xác nhận tình trạng hôn nhân (thử)", sector="Hộ tịch",
    agencies=[COMMUNE], receivers=["ubnd_xa"], time_limit=working_days(3),
    online=OnlineLevel.FULL,
    steps=[Step("check", owner=COMMUNE.role("civil_status"), then="sign",
                allotment=working_days(2)),
           Step("sign", owner=COMMUNE.role("chairman"), then=END, allotment=working_days(1))])
"""A commune civil-status procedure: 3 working days, no fee, offered fully online."""

ENGINE = Engine(Catalogue([PROVINCIAL, COPY, CIVIL]), calendar=vietnam())
SLA = Sla(ENGINE)
PERIOD = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))

DESK_P = Officer("desk-p", "ttpvhcc_tinh", "one_stop")
SPECIALIST = Officer("spec", "so_tp", "specialist")
DIRECTOR = Officer("dir", "so_tp", "director")
DESK_C = Officer("desk-c", "ubnd_xa", "one_stop")
JUSTICE = Officer("justice", "ubnd_xa", "justice_officer")
CIVIL_OFFICER = Officer("hotich", "ubnd_xa", "civil_status")
CHAIR = Officer("chair", "ubnd_xa", "chairman")
SWEEPER = System("sweeper")


def person(n: int) -> Citizen:
    return Citizen(f"0790000000{n:02d}")


Script = Sequence[tuple[Any, dt.datetime, Any]]
"""(command, instant, actor), in order."""


def in_person(ident: str, code: str, k: int) -> File:
    """Filed at the desk by an officer for applicant ``k``."""
    return File(ident, code, Channel.IN_PERSON, applicant=person(k).id)


def _scripts() -> dict[str, Script]:
    p = {k: person(k) for k in range(12)}
    return {
        "A0": [
            (in_person("A0", "2.000001", 0), vn(2, 2, 8, 55), DESK_P),
            (Receive("BN-A0"), vn(2, 2, 9), DESK_P),
            (CompleteStep("appraise"), vn(2, 4, 10), SPECIALIST),
            (CompleteStep("approve", Outcome.APPROVE), vn(2, 6, 10), DIRECTOR),
            (ReturnResult("in_person", electronic_result=True), vn(3, 2, 9), DESK_P),
        ],
        "A1": [
            (in_person("A1", "2.000001", 1), vn(2, 26, 8, 55), DESK_P),
            (Receive("BN-A1", components=5, digitised=5), vn(2, 26, 9), DESK_P),
            (PayFee(100_000, PaymentMethod.DESK), vn(2, 26, 9, 5), DESK_P),
            (Apologize("so_tp", "the appraisal needed a second opinion", vn(3, 10, 9)),
             vn(3, 6, 9), SPECIALIST),
            (CompleteStep("appraise"), vn(3, 6, 10), SPECIALIST),
            (CompleteStep("approve", Outcome.APPROVE), vn(3, 9, 10), DIRECTOR),
            (ReturnResult(), vn(3, 10, 9), DESK_P),
        ],
        "A2": [
            (File("A2", "2.000001", Channel.ONLINE), vn(3, 2, 10), p[2]),
            (PayFee(100_000, PaymentMethod.ONLINE), vn(3, 2, 10, 30), p[2]),
            (Receive("BN-A2", components=4, digitised=4, reused=1), vn(3, 2, 14), DESK_P),
            (CompleteStep("appraise"), vn(3, 4, 10), SPECIALIST),
            (CompleteStep("approve", Outcome.APPROVE), vn(3, 5, 15), DIRECTOR),
            (ReturnResult("electronic", electronic_result=True), vn(3, 5, 16), DESK_P),
            (Rate(5), vn(3, 6, 9), p[2]),
        ],
        "A3": [
            (File("A3", "2.000001", Channel.POSTAL), vn(3, 9, 9), p[3]),
            (Receive("BN-A3"), vn(3, 9, 9, 30), DESK_P),
            (Complain("no news of my dossier"), vn(3, 17, 10), p[3]),
            (AnswerComplaint("the appraisal is under way"), vn(3, 31, 11), SPECIALIST),
        ],
        "A4": [
            (File("A4", "2.000001", Channel.ONLINE), vn(3, 30, 10), p[4]),
            (PayFee(100_000, PaymentMethod.ONLINE), vn(3, 30, 10, 15), p[4]),
            (Receive("BN-A4", components=2, digitised=1), vn(3, 30, 11), DESK_P),
            (Pause("waiting for the police's records", kind="judicial_record_exchange"),
             vn(3, 31, 9), SPECIALIST),
        ],
        "A5": [
            (File("A5", "2.000001", Channel.ONLINE), vn(3, 3, 9), p[5]),
            (Refuse("the applicant lives in another province"), vn(3, 3, 10), DESK_P),
            (Complain("why was I refused?"), vn(3, 4, 9), p[5]),
        ],
        "A6": [
            (in_person("A6", "2.000001", 6), vn(3, 11, 8, 55), DESK_P),
            (Receive("BN-A6"), vn(3, 11, 9), DESK_P),
            (PayFee(100_000, PaymentMethod.DESK), vn(3, 11, 9, 5), DESK_P),
            (Withdraw("filed at the wrong office"), vn(3, 13, 10), p[6]),
        ],
        "B1": [
            (in_person("B1", "2.000815", 7), vn(3, 2, 9), DESK_C),
            (Receive("BN-B1", components=2, digitised=2), vn(3, 2, 9, 5), DESK_C),
            (PayFee(2_000, PaymentMethod.DESK), vn(3, 2, 9, 10), DESK_C),
            (CompleteStep("certify", Outcome.APPROVE), vn(3, 2, 9, 30), JUSTICE),
            (ReturnResult("in_person"), vn(3, 2, 9, 40), DESK_C),
        ],
        "B2": [
            (File("B2", "2.000815", Channel.ONLINE), vn(3, 9, 16), p[8]),
            (PayFee(2_000, PaymentMethod.ONLINE), vn(3, 9, 16, 5), p[8]),
            (Receive("BN-B2"), vn(3, 10, 8, 30), DESK_C),
            (CompleteStep("certify", Outcome.APPROVE), vn(3, 11, 9), JUSTICE),
            (ReturnResult("post"), vn(3, 12, 9), DESK_C),
            (Rate(2, "a day late"), vn(3, 13, 9), p[8]),
        ],
        "C1": [
            (in_person("C1", "1.004873", 9), vn(3, 16, 8, 55), DESK_C),
            (Receive("BN-C1", components=3, digitised=1), vn(3, 16, 9), DESK_C),
            (RequestSupplement(["identity card copy"]), vn(3, 16, 14), CIVIL_OFFICER),
            (Supplement(["identity card copy"]), vn(3, 18, 9), p[9]),
            (CompleteStep("check"), vn(3, 19, 10), CIVIL_OFFICER),
            (CompleteStep("sign", Outcome.APPROVE), vn(3, 20, 10), CHAIR),
            (ReturnResult(), vn(3, 20, 15), DESK_C),
        ],
        "C2": [
            (File("C2", "1.004873", Channel.ONLINE), vn(3, 3, 9), p[10]),
            (Receive("BN-C2"), vn(3, 3, 9, 30), DESK_C),
            (RequestSupplement(["divorce decision"]), vn(3, 4, 9), CIVIL_OFFICER),
            (Stop("no supplement came within 15 working days", "Decree 297/2025/NĐ-CP"),
             vn(3, 26, 9), SWEEPER),
        ],
        "C3": [
            (in_person("C3", "1.004873", 11), vn(3, 23, 8, 55), DESK_C),
            (Receive("BN-C3", components=2, digitised=0, reused=2), vn(3, 23, 9), DESK_C),
            (CompleteStep("check"), vn(3, 23, 15), CIVIL_OFFICER),
            (CompleteStep("sign", Outcome.APPROVE), vn(3, 24, 15), CHAIR),
            (ReturnResult("electronic", electronic_result=True), vn(3, 25, 10), DESK_C),
            (Complain("my name is misspelt", ComplaintKind.COMPLAINT), vn(3, 25, 11), p[11]),
            (AnswerComplaint("corrected and sent again", satisfied=True), vn(3, 26, 9),
             CIVIL_OFFICER),
        ],
    }


SCRIPTS = _scripts()


def live(store: Store | None = None) -> dict[str, Dossier]:
    """The twelve dossiers, each command applied by the engine and, given a store, saved
    with its events as an application saves them."""
    out = {}
    for ident, steps in SCRIPTS.items():
        d: Dossier | None = None
        for command, at, actor in steps:
            after, events = ENGINE.apply(d, command, at=at, actor=actor)
            if store is not None:
                store.save(d, after, events)
            d = after
        assert d is not None
        out[ident] = d
    return out


LIVED = live()

# ------------------------------------------------------------------- the expected report


def counts(**given: int) -> Counts:
    """Counts with every one of the 24 fields given (none left to its default)."""
    assert sorted(given) == sorted(reports.COUNT_FIELDS), set(reports.COUNT_FIELDS) ^ set(given)
    return Counts(**given)


# The provincial centre: A0 A1 A2 A3 A4 A6 (A5 refused: in no count).
CENTRE_COUNTS = counts(
    received_online=2,           # A2 (2 Mar), A4 (30 Mar)
    received_direct=2,           # A3 by post (9 Mar), A6 in person (11 Mar)
    carried_over=1,              # A1, received 26 Feb, resolved 9 Mar (A0 closed 6 Feb)
    resolved_early=2,            # A2 (Thu 5 < due Mon 9 Mar), A6 (withdrawn Fri 13 < Wed 18)
    resolved_on_time=0,
    resolved_late=1,             # A1 (9 Mar 10:00 > due 5 Mar 09:00)
    pending_in_time=1,           # A4 (paused with 7 of its 40 hours used)
    pending_overdue=1,           # A3 (due Mon 16 Mar 09:00, open at the end)
    fully_online_eligible=4,     # A2 A3 A4 A6 (the procedure is fully online)
    fully_online=2,              # A2 A4 (filed online)
    fee_bearing=4,               # A2 A3 A4 A6
    paid_online=2,               # A2 A4 (A6 paid at the desk, A3 not at all)
    results=3,                   # A0 (2 Mar), A1 (10 Mar), A2 (5 Mar)
    electronic_results=2,        # A0 A2
    components=6, digitised=5,   # A2 4 of 4, A4 1 of 2 (A1's 5 of 5 before the period)
    reused=1,                    # A2
    rated=1, rated_unsatisfied=0,  # A2's 5
    complained_or_unsatisfied=1,  # A3 (A5's complaint: refused, not received)
    complaints=1,                # A3's petition of 17 Mar
    complaints_answered_on_time=0,  # answered 31 Mar 11:00: 10 working days and 1 hour
    complaints_satisfied=0,      # no word from the applicant
    five_on_the_spot=0)

# The commune: B1 B2 C1 C2 C3.
COMMUNE_COUNTS = counts(
    received_online=2,           # B2, C2
    received_direct=3,           # B1, C1, C3
    carried_over=0,
    resolved_early=1,            # C3 (Tue 24 < due Thu 26 Mar)
    resolved_on_time=3,          # B1 (the same day), C1 (Fri 20 10:00, due 14:00), C2
    resolved_late=1,             # B2 (Wed 11 09:00 > due Tue 10 17:00)
    pending_in_time=0, pending_overdue=0,
    fully_online_eligible=3,     # C1 C2 C3 (civil status is fully online, copies are not)
    fully_online=1,              # C2
    fee_bearing=2,               # B1 B2 (civil status charges no fee)
    paid_online=1,               # B2 (B1 at the desk)
    results=4,                   # B1 B2 C1 C3 (C2 stopped: no result)
    electronic_results=1,        # C3
    components=7, digitised=3,   # B1 2 of 2, C1 1 of 3, C3 0 of 2
    reused=1,                    # C3 (2 components taken from national databases)
    rated=1, rated_unsatisfied=1,  # B2's 2
    complained_or_unsatisfied=2,  # B2 (rated 2), C3 (complained)
    complaints=1,                # C3's complaint of 25 Mar
    complaints_answered_on_time=1,  # the next morning
    complaints_satisfied=1,      # accepted
    five_on_the_spot=1)          # B1

TOTAL = counts(
    received_online=4, received_direct=5, carried_over=1,
    resolved_early=3, resolved_on_time=3, resolved_late=2,
    pending_in_time=1, pending_overdue=1,
    fully_online_eligible=7, fully_online=3, fee_bearing=6, paid_online=3,
    results=7, electronic_results=3, components=13, digitised=8, reused=2,
    rated=2, rated_unsatisfied=1, complained_or_unsatisfied=3,
    complaints=2, complaints_answered_on_time=1, complaints_satisfied=1, five_on_the_spot=1)

BY_LEVEL_CHANNEL = (
    Row(("commune", "in_person"), counts(  # B1 C1 C3
        received_online=0, received_direct=3, carried_over=0,
        resolved_early=1, resolved_on_time=2, resolved_late=0,  # C3; B1 C1
        pending_in_time=0, pending_overdue=0,
        fully_online_eligible=2, fully_online=0,  # C1 C3
        fee_bearing=1, paid_online=0,  # B1 at the desk
        results=3, electronic_results=1,  # B1 C1 C3; C3
        components=7, digitised=3, reused=1,
        rated=0, rated_unsatisfied=0, complained_or_unsatisfied=1,  # C3
        complaints=1, complaints_answered_on_time=1, complaints_satisfied=1,
        five_on_the_spot=1)),  # B1
    Row(("commune", "online"), counts(  # B2 C2
        received_online=2, received_direct=0, carried_over=0,
        resolved_early=0, resolved_on_time=1, resolved_late=1,  # C2; B2
        pending_in_time=0, pending_overdue=0,
        fully_online_eligible=1, fully_online=1,  # C2
        fee_bearing=1, paid_online=1,  # B2
        results=1, electronic_results=0,  # B2 by post
        components=0, digitised=0, reused=0,
        rated=1, rated_unsatisfied=1, complained_or_unsatisfied=1,  # B2's 2
        complaints=0, complaints_answered_on_time=0, complaints_satisfied=0,
        five_on_the_spot=0)),
    Row(("province", "in_person"), counts(  # A0 A1 A6
        received_online=0, received_direct=1, carried_over=1,  # A6; A1
        resolved_early=1, resolved_on_time=0, resolved_late=1,  # A6; A1
        pending_in_time=0, pending_overdue=0,
        fully_online_eligible=1, fully_online=0,  # A6
        fee_bearing=1, paid_online=0,  # A6 at the desk
        results=2, electronic_results=1,  # A0 A1; A0
        components=0, digitised=0, reused=0,
        rated=0, rated_unsatisfied=0, complained_or_unsatisfied=0,
        complaints=0, complaints_answered_on_time=0, complaints_satisfied=0,
        five_on_the_spot=0)),
    Row(("province", "online"), counts(  # A2 A4 (A5 refused)
        received_online=2, received_direct=0, carried_over=0,
        resolved_early=1, resolved_on_time=0, resolved_late=0,  # A2
        pending_in_time=1, pending_overdue=0,  # A4
        fully_online_eligible=2, fully_online=2,
        fee_bearing=2, paid_online=2,
        results=1, electronic_results=1,  # A2
        components=6, digitised=5, reused=1,
        rated=1, rated_unsatisfied=0, complained_or_unsatisfied=0,  # A2's 5
        complaints=0, complaints_answered_on_time=0, complaints_satisfied=0,
        five_on_the_spot=0)),
    Row(("province", "postal"), counts(  # A3
        received_online=0, received_direct=1, carried_over=0,
        resolved_early=0, resolved_on_time=0, resolved_late=0,
        pending_in_time=0, pending_overdue=1,
        fully_online_eligible=1, fully_online=0,
        fee_bearing=1, paid_online=0,
        results=0, electronic_results=0,
        components=0, digitised=0, reused=0,
        rated=0, rated_unsatisfied=0, complained_or_unsatisfied=1,
        complaints=1, complaints_answered_on_time=0, complaints_satisfied=0,
        five_on_the_spot=0)),
)

ACCOUNTABILITY = (
    # A1: the department apologised on Fri 6 Mar 09:00, after the appointment (Thu 5 09:00).
    AccountabilityRow("apology_late", "so_tp", "", "", 1),
    # A1: its appraisal overran its 4 working days by 17 office hours (due Wed 4 09:00, done
    # Fri 6 10:00); the signature kept to its day: the department answers.
    AccountabilityRow("late", "so_tp", "", "", 1),
    # B2: its step has no allotment; the commune held it when it fell due (Tue 10 17:00).
    AccountabilityRow("late", "ubnd_xa", "", "", 1),
    # A4: the department's specialist paused the appraisal for the records exchange.
    AccountabilityRow("pause", "so_tp", "appraise", "judicial_record_exchange", 1),
    # C1 and C2: the commune's civil-status officer, holding "check", asked once each.
    AccountabilityRow("supplement", "ubnd_xa", "check", "", 2),
)


def expected(by: tuple[str, ...]) -> Report:
    rows = {(): (Row((), TOTAL),),
            ("agency",): (Row(("ttpvhcc_tinh",), CENTRE_COUNTS),
                          Row(("ubnd_xa",), COMMUNE_COUNTS)),
            ("level", "channel"): BY_LEVEL_CHANNEL}[by]
    return Report(PERIOD, by, rows, ACCOUNTABILITY)


GROUPINGS = [(), ("agency",), ("level", "channel")]

# ------------------------------------------------------------------------------- the tests


def test_the_appointments_are_the_calendars() -> None:
    d = LIVED
    # Five working days in the exact convention: from Mon 2 Feb 09:00 to Mon 9 Feb 09:00.
    assert d["A0"].appointment == vn(2, 9, 9)
    # Thu 26 Feb 09:00: Fri 27, Mon 2, Tue 3, Wed 4, Thu 5 Mar 09:00.
    assert d["A1"].appointment == vn(3, 5, 9)
    # Online counts from the portal's record (10:00), not the desk's (14:00).
    assert d["A2"].appointment == vn(3, 9, 10)
    # By post without a postmark: from the filing's record, Mon 9 Mar 09:00.
    assert d["A3"].appointment == vn(3, 16, 9)
    # Mon 30 Mar 10:00: Tue 31, Wed 1, Thu 2, Fri 3, Mon 6 Apr 10:00.
    assert d["A4"].appointment == vn(4, 6, 10)
    assert d["A5"].appointment is None  # refused: never received
    assert d["A6"].appointment == vn(3, 18, 9)
    # Same day before 15:00: Mon 2 Mar at the close; after 15:00 (16:00): Tue 10 at the close.
    assert d["B1"].appointment == vn(3, 2, 17)
    assert d["B2"].appointment == vn(3, 10, 17)
    # Three working days.
    assert d["C1"].appointment == vn(3, 19, 9)
    assert d["C2"].appointment == vn(3, 6, 9)  # from the portal's 09:00
    assert d["C3"].appointment == vn(3, 26, 9)
    # C1 used 4 hours (09-12, 13-14) before the request; the 20 left run from Wed 18 09:00:
    # Wed 7, Thu 8, Fri 08-12 and 13-14: due Fri 20 Mar 14:00.
    assert SLA.timeline(d["C1"], until=vn(3, 18, 9)).due == vn(3, 20, 14)
    # C2's supplement would have been waited for 15 working days: until Wed 25 Mar 09:00.
    c2_waiting = ENGINE.replay(d["C2"].history[:-2])
    assert SLA.supplement_expires(c2_waiting) == vn(3, 25, 9)


def test_the_verdicts_are_the_hand_worked_ones() -> None:
    d = LIVED
    verdicts = {k: SLA.classify(v) for k, v in d.items()}
    assert {k: (v.verdict, v.ended) for k, v in verdicts.items()} == {
        "A0": (Verdict.EARLY, vn(2, 6, 10)),
        "A1": (Verdict.LATE, vn(3, 9, 10)),
        "A2": (Verdict.EARLY, vn(3, 5, 15)),
        "A3": (None, None),  # open, judged only at a period's end
        "A4": (None, None),
        "A5": (None, vn(3, 3, 10)),  # refused: no verdict
        "A6": (Verdict.EARLY, vn(3, 13, 10)),  # judged at its withdrawal
        "B1": (Verdict.ON_TIME, vn(3, 2, 9, 30)),  # the due's own day
        "B2": (Verdict.LATE, vn(3, 11, 9)),
        "C1": (Verdict.ON_TIME, vn(3, 20, 10)),
        "C2": (Verdict.ON_TIME, vn(3, 4, 9)),  # ended at the request: 8 of 24 hours used
        "C3": (Verdict.EARLY, vn(3, 24, 15)),
    }
    assert (verdicts["A1"].responsible, verdicts["B2"].responsible) == ("so_tp", "ubnd_xa")
    assert SLA.timeline(d["C2"]).ended == vn(3, 26, 9)  # what Biểu 06 reads: the stop
    # At the period's end A3 had been overdue since Mon 16 Mar 09:00, found by its petition;
    # A4 was paused within its time.
    end = PERIOD.instants[1]
    assert SLA.timeline(d["A3"], until=end).first_overdue == vn(3, 16, 9)
    assert SLA.classify(d["A3"], end).verdict is Verdict.LATE
    assert SLA.classify(d["A4"], end).verdict is Verdict.ON_TIME
    assert d["A4"].status is Status.PAUSED
    assert SLA.five_on_the_spot(d["B1"])
    assert not any(SLA.five_on_the_spot(v) for k, v in d.items() if k != "B1")
    assert [a.late for a in d["A1"].apologies] == [True]


def test_the_python_path_gives_every_hand_worked_cell() -> None:
    for by in GROUPINGS:
        assert reports.from_dossiers(LIVED.values(), SLA, PERIOD, by) == expected(by), by


def test_the_sql_path_on_each_backend_gives_the_same_cells(opened: Any) -> None:
    store = opened(eng=ENGINE, clock_tolerance=None)
    lived = live(store)
    stored = [store.load(k) for k in lived]
    assert stored == list(lived.values()) == list(LIVED.values())
    for by in GROUPINGS:
        got = reports.from_store(store, PERIOD, by)
        assert got == reports.from_dossiers(stored, SLA, PERIOD, by) == expected(by), by


@pytest.mark.parametrize("by", GROUPINGS)
def test_biểu_06_adds_up(by: tuple[str, ...]) -> None:
    report = expected(by)
    # (3), (7), (11) of every row, worked by hand from the counts above.
    sums = {
        (): [(10, 8, 2)],  # 4 + 5 + 1; 3 + 3 + 2; 1 + 1
        ("agency",): [(5, 3, 2),  # the centre: 2 + 2 + 1; 2 + 0 + 1; 1 + 1
                      (5, 5, 0)],  # the commune: 2 + 3 + 0; 1 + 3 + 1; 0
        ("level", "channel"): [(3, 3, 0), (2, 2, 0), (2, 2, 0), (2, 1, 1), (1, 0, 1)],
    }[by]
    rows = [r.counts for r in report.rows]
    assert [(c.received_total, c.resolved_total, c.pending_total) for c in rows] == sums
    for c in (*rows, report.total):
        assert c.received_total == c.received_online + c.received_direct + c.carried_over
        assert c.resolved_total == c.resolved_early + c.resolved_on_time + c.resolved_late
        assert c.pending_total == c.pending_in_time + c.pending_overdue
        assert c.received_total == c.resolved_total + c.pending_total
    assert report.total == TOTAL


def test_the_form_and_the_766_points() -> None:
    report = expected(("agency",))
    assert reports.to_csv(report).splitlines()[-1] == ",Tổng số,10,4,5,1,8,3,3,2,2,1,1"
    points = {i.code: i.points for i in report.indicators()}
    # On time: (early 3 + on time 3 + pending in time 1) of (resolved 8 + pending 2): 20 × 70%.
    assert points["progress.on_time"] == 14
    # Fully online: 3 of the 7 eligible dossiers received: 12 × 3/7 = 5.142857...
    assert points["online.fully_online"] == 5.1429
    # Paid online: 3 of 6 fee-bearing: 6 × 50%.
    assert points["payment.a"] == 3
    # Electronic results: 3 of the 7 results returned: 6 × 3/7 = 2.571428...
    assert points["digitisation.electronic_result"] == 2.5714
    # Components: 8 of 13 digitised, 61.5%: 4 × (8/13) / 80% = 40/13 = 3.076923...
    assert points["digitisation.components"] == 3.0769
    # Data reused: 2 of the 9 received in the period: 2 × (2/9) / 80% = 5/9 = 0.5555...
    assert points["digitisation.reused"] == 0.5556
    # Complaints: 1 of 2 answered on time, 1 of 2 satisfied: 6 × 50% each.
    assert points["satisfaction.complaints_on_time"] == 3
    assert points["satisfaction.complaints_satisfied"] == 3
    # Dossiers: 100% − (late 3/10 + complained or unsatisfied 3/9) = 11/30, 6 × (11/30) / 90%
    # = 2.2 / 0.9 = 2.4444...
    assert points["satisfaction.dossiers"] == 2.4444
    rate = next(i for i in report.indicators() if i.code == "satisfaction.dossiers").rates
    assert [(r.numerator, r.denominator) for r in rate] == [(3, 10), (3, 9)]
    # By agency: the centre's on time 3 of 5 (12 points), paid online 2 of 4 (3); the
    # commune's on time 4 of 5 (16), paid online 1 of 2 (3), electronic 1 of 4 (1.5).
    centre, commune = (r.counts for r in report.rows)
    by_row = [{i.code: i.points for i in report.indicators(c)} for c in (centre, commune)]
    assert [(p["progress.on_time"], p["payment.a"]) for p in by_row] == [(12, 3), (16, 3)]
    assert by_row[1]["digitisation.electronic_result"] == 1.5
    [payment] = report.attainment()
    assert payment.rate is not None
    assert (payment.rate.numerator, payment.rate.denominator, payment.met) == (3, 6, True)


def test_facts_made_before_receipt_get_their_groups_when_it_comes(opened: Any) -> None:
    """A supplement request and a complaint before receipt: their fact rows have no groups
    until the dossier is received, whose save gives them the dossier's; the complaint's row
    gets its answer when the answer is saved (later); the rows are those a rebuild writes,
    and the report counts them as the Python path does."""
    store = opened(eng=ENGINE, clock_tolerance=None)
    applicant = person(20)
    facts = metadata.tables["df_facts"]
    script: Script = [
        (File("E1", "2.000001", Channel.ONLINE, applicant=applicant.id), vn(3, 2, 9),
         applicant),
        (RequestSupplement(["identity card copy"]), vn(3, 2, 10), DESK_P),
        (Supplement(["identity card copy"]), vn(3, 2, 14), applicant),
        (Complain("no news of my dossier"), vn(3, 3, 9), applicant),
        (Receive("BN-E1"), vn(3, 3, 10), DESK_P),
        (AnswerComplaint("received today", satisfied=True), vn(3, 4, 9), DESK_P),
        (CompleteStep("appraise"), vn(3, 5, 10), SPECIALIST),
        (CompleteStep("approve", Outcome.APPROVE), vn(3, 6, 10), DIRECTOR),
        (ReturnResult("in_person"), vn(3, 9, 9), DESK_P),
        (Rate(2), vn(3, 9, 10), applicant),
    ]

    def rows() -> list[Any]:
        with store.db.connect() as conn:
            return list(conn.execute(sa.select(facts).where(facts.c.dossier_id == "E1")
                                     .order_by(facts.c.seq)))

    d: Dossier | None = None
    for command, at, actor in script:
        after, events = ENGINE.apply(d, command, at=at, actor=actor)
        store.save(d, after, events)
        d = after
        if type(command) is Complain:  # before receipt: no groups yet
            assert {r.kind: r.receiver for r in rows()} == {"supplement": None,
                                                           "complaint": None}
    assert d is not None
    saved = rows()
    complaint = next(r for r in saved if r.kind == "complaint")
    assert (complaint.receiver, complaint.level, complaint.sector, complaint.procedure,
            complaint.channel, complaint.satisfied) == (
        "ttpvhcc_tinh", "province", "Tư pháp", "2.000001", Channel.ONLINE.value, True)
    assert all(r.received_us == complaint.received_us is not None for r in saved)
    assert complaint.took_us is not None
    for by in GROUPINGS:
        got = reports.from_store(store, PERIOD, by)
        assert got == reports.from_dossiers([d], SLA, PERIOD, by), by
    assert got.total.complaints == got.total.complaints_satisfied == 1
    assert store.rebuild_projections() == ()
    assert rows() == saved
