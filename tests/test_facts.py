"""The facts reports need, recorded as events: fee payments, how the result was delivered,
digitisation at receipt, complaints and their answers; "5 on-the-spot" read off a history."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from dossierflow import InvalidArgument, NotAuthorized, TransitionNotAllowed
from dossierflow.clock import Sla
from dossierflow.rules import same_day
from dossierflow.states import (
    END,
    Agency,
    AnswerComplaint,
    Catalogue,
    Channel,
    Citizen,
    Complain,
    ComplaintKind,
    CompleteStep,
    Dossier,
    Engine,
    FeePaid,
    File,
    Officer,
    Outcome,
    PayFee,
    PaymentMethod,
    Procedure,
    Rate,
    Receive,
    ReturnResult,
    Step,
    to_json,
)
from dossierflow.store import Store

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
COMMUNE = Agency("ubnd_xa", "UBND xã", level="commune")
DESK = Officer("desk", "ubnd_xa", "one_stop")
CLERK = Officer("clerk", "ubnd_xa", "justice_officer")
APPLICANT = Citizen("079000000001")
STRANGER = Citizen("079000000002")
COPY = Procedure(
    code="2.000815", name="Chứng thực bản sao từ bản chính", agencies=[COMMUNE],
    receivers=["ubnd_xa"], fee=2_000, time_limit=same_day(cutoff=dt.time(15)),
    steps=[Step("certify", owner=COMMUNE.role("justice_officer"), then=END)])
FREE = Procedure(
    code="1.001193", name="Đăng ký khai sinh", agencies=[COMMUNE], receivers=["ubnd_xa"],
    time_limit=same_day(cutoff=dt.time(15)),
    steps=[Step("register", owner=COMMUNE.role("justice_officer"), then=END)])
ENGINE = Engine(Catalogue([COPY, FREE]))
SLA = Sla(ENGINE)


def vn(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=TZ)


def at_desk(code: str = "2.000815", channel: Channel = Channel.IN_PERSON) -> Dossier:
    actor = DESK if channel is Channel.IN_PERSON else APPLICANT
    applicant = APPLICANT.id if channel is Channel.IN_PERSON else None
    d, _ = ENGINE.apply(None, File("D-1", code, channel, applicant=applicant), at=vn(2, 9),
                        actor=actor)
    d, _ = ENGINE.apply(d, Receive("BN-1", digitised=2, components=3, reused=1),
                        at=vn(2, 9, 5), actor=DESK)
    return d


def refused(d: Dossier, command: object, actor: object, error: type[Exception],
            match: str) -> None:
    before = to_json(d)
    with pytest.raises(error, match=match):
        ENGINE.apply(d, command, at=vn(2, 10), actor=actor)
    assert to_json(d) == before


def test_a_fee_is_paid_once_and_online_payments_come_from_the_applicant() -> None:
    d = at_desk()
    assert d.payment is None
    refused(d, PayFee(2_000, PaymentMethod.ONLINE), DESK, NotAuthorized,
            "online payment comes from the applicant")
    refused(d, PayFee(2_000, PaymentMethod.DESK), STRANGER, NotAuthorized, "only the applicant")
    refused(d, PayFee(0, PaymentMethod.DESK), DESK, InvalidArgument, "more than 0")
    paid, (event,) = ENGINE.apply(d, PayFee(2_000, PaymentMethod.ONLINE), at=vn(2, 10),
                                  actor=APPLICANT)
    assert event == FeePaid(2_000, PaymentMethod.ONLINE, vn(2, 10), APPLICANT)
    assert paid.payment == event
    refused(paid, PayFee(2_000, PaymentMethod.DESK), DESK, TransitionNotAllowed,
            "already paid")
    with pytest.raises(InvalidArgument, match=r"PayFee\.amount must be a whole number"):
        PayFee("2000", PaymentMethod.DESK)  # type: ignore[arg-type]


def test_a_zero_fee_procedure_takes_no_payment() -> None:
    d = at_desk("1.001193")
    assert COPY.has_fee
    assert not FREE.has_fee
    refused(d, PayFee(5_000, PaymentMethod.DESK), DESK, TransitionNotAllowed,
            "procedure 1.001193 charges no fee")


def test_digitisation_at_receipt_is_recorded_and_checked() -> None:
    d = at_desk()
    assert d.receipt is not None
    assert (d.receipt.digitised, d.receipt.components, d.receipt.reused) == (2, 3, 1)
    filed, _ = ENGINE.apply(None, File("D-2", "2.000815", Channel.ONLINE), at=vn(2, 9),
                            actor=APPLICANT)
    refused(filed, Receive("BN-2", digitised=4, components=3), DESK, InvalidArgument,
            r"digitised \(4\) cannot exceed the dossier's components \(3\)")
    with pytest.raises(InvalidArgument, match=r"Receive\.reused must be a count from 0"):
        Receive("BN-2", reused=-1)


def test_the_result_records_how_it_was_delivered() -> None:
    d = at_desk()
    d, _ = ENGINE.apply(d, CompleteStep("certify", Outcome.APPROVE), at=vn(2, 10), actor=CLERK)
    refused(d, ReturnResult("drone"), DESK, InvalidArgument,
            "method must be one of 'in_person', 'post', 'electronic'")
    d, (event,) = ENGINE.apply(d, ReturnResult("electronic", electronic_result=True),
                               at=vn(2, 11), actor=DESK)
    assert (event.method, event.electronic_result) == ("electronic", True)


def test_complaints_are_answered_one_at_a_time() -> None:
    d = at_desk()
    refused(d, AnswerComplaint("nothing to answer"), CLERK, TransitionNotAllowed,
            "no complaint about this dossier is waiting")
    refused(d, Complain("slow"), STRANGER, NotAuthorized, "only the applicant")
    d, _ = ENGINE.apply(d, Complain("asked twice for the same paper", ComplaintKind.COMPLAINT),
                        at=vn(2, 10), actor=APPLICANT)
    assert d.open_complaint is not None
    refused(d, Complain("again"), APPLICANT, TransitionNotAllowed, "still unanswered")
    refused(d, AnswerComplaint("sorry"), STRANGER, NotAuthorized, "an officer")
    d, _ = ENGINE.apply(d, AnswerComplaint("the second request was withdrawn", satisfied=True),
                        at=vn(2, 11), actor=CLERK)
    ((complaint, answer),) = d.complaints
    assert complaint.kind is ComplaintKind.COMPLAINT
    assert answer is not None
    assert answer.satisfied is True
    assert d.open_complaint is None


def _five(day_of_return: int, *, method: PaymentMethod = PaymentMethod.DESK,
          channel: Channel = Channel.IN_PERSON) -> Dossier:
    d = at_desk(channel=channel)
    d, _ = ENGINE.apply(d, PayFee(2_000, method),
                        at=vn(2, 9, 10), actor=DESK if method is not PaymentMethod.ONLINE
                        else APPLICANT)
    d, _ = ENGINE.apply(d, CompleteStep("certify", Outcome.APPROVE), at=vn(2, 9, 30),
                        actor=CLERK)
    d, _ = ENGINE.apply(d, ReturnResult(), at=vn(day_of_return, 9, 40), actor=DESK)
    return d


def test_five_on_the_spot_is_read_off_the_history() -> None:
    # Received, appraised, approved, returned and the fee collected at the desk, one visit.
    assert SLA.five_on_the_spot(_five(2))
    assert not SLA.five_on_the_spot(_five(3))  # returned the next day: a second visit
    assert not SLA.five_on_the_spot(_five(2, method=PaymentMethod.ONLINE))
    assert not SLA.five_on_the_spot(_five(2, channel=Channel.ONLINE, method=PaymentMethod.POST))
    rated, _ = ENGINE.apply(_five(2), Rate(5), at=vn(4, 9), actor=APPLICANT)
    assert SLA.five_on_the_spot(rated)  # a rating days later is not part of the visit
    free = at_desk("1.001193")
    free, _ = ENGINE.apply(free, CompleteStep("register", Outcome.APPROVE), at=vn(2, 9, 30),
                           actor=CLERK)
    free, _ = ENGINE.apply(free, ReturnResult(), at=vn(2, 9, 40), actor=DESK)
    assert SLA.five_on_the_spot(free)  # nothing to pay


def test_the_store_admits_the_facts() -> None:
    store = Store.memory(ENGINE, clock_tolerance=None)
    d = None
    script = [
        (File("D-1", "2.000815", Channel.IN_PERSON, applicant=APPLICANT.id), vn(2, 9), DESK),
        (Receive("BN-1", digitised=2, components=3, reused=1), vn(2, 9, 5), DESK),
        (PayFee(2_000, PaymentMethod.DESK), vn(2, 9, 10), DESK),
        (CompleteStep("certify", Outcome.APPROVE), vn(2, 9, 30), CLERK),
        (ReturnResult("in_person", electronic_result=True), vn(2, 9, 40), DESK),
        (Complain("the copy is smudged"), vn(2, 10), APPLICANT),
        (AnswerComplaint("a new copy was made", satisfied=True), vn(2, 11), CLERK),
    ]
    for command, when, actor in script:
        after, events = ENGINE.apply(d, command, at=when, actor=actor)
        store.save(d, after, events)
        d = after
    assert store.load("D-1") == d
