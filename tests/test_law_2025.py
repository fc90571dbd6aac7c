"""The 2025 law in the engine, each rule with a worked example from its text: when a dossier
counts as received (Decree 45/2020/NĐ-CP Art. 11; Decree 118/2025/NĐ-CP Art. 15; Decree
297/2025/NĐ-CP Art. 3(5), 6(3)), limits that vary by place (Land Law 2024), named excluded
periods, the notice of stopping (Form 05 of Circular 03/2025/TT-VPCP) and the forms' numbers."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import attrs
import pytest

from dossierflow import InvalidArgument, InvalidProcedure, TransitionNotAllowed
from dossierflow.rules import (
    ClockPolicy,
    PauseReason,
    ReceiptPolicy,
    VaryingLimit,
    same_day,
    varying,
    working_days,
)
from dossierflow.states import (
    END,
    ISSUED_BY,
    Agency,
    Apologize,
    Catalogue,
    Channel,
    Citizen,
    DataField,
    Dossier,
    Engine,
    File,
    Form,
    Officer,
    Pause,
    Procedure,
    Receive,
    Received,
    Refused,
    RequestSupplement,
    Status,
    Step,
    Stop,
    StopNoticeIssued,
    Stopped,
    Supplement,
    SupplementRequested,
    System,
    Withdraw,
    Withdrawn,
    dossier_from_json,
    to_json,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
APPLICANT = Citizen("079000000001")
HIGHLAND = Agency("xa_nui", "Commune (highland)", level="commune",
                  attributes={"terrain": "mountainous"})
LOWLAND = Agency("xa_dong", "Commune (lowland)", level="commune")
DESK_HIGH = Officer("d1", "xa_nui", "one_stop")
DESK_LOW = Officer("d2", "xa_dong", "one_stop")
CLERK = Officer("c1", "xa_nui", "clerk")


def vn(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


VNEID = PauseReason("vneid_relatives", "VNeID confirmation by relatives",
                    "Decree 69/2024/NĐ-CP", working_days(5))


def procedure(**changes: object) -> Procedure:
    base = Procedure(
        code="1.000001",
        name="Thủ tục thử",
        agencies=[HIGHLAND, LOWLAND],
        receivers=["xa_nui", "xa_dong"],
        time_limit=working_days(2),
        steps=[Step("handle", owner=HIGHLAND.role("clerk"), then=END)],
        pause_reasons=[VNEID],
    )
    return attrs.evolve(base, **changes)


def received(proc: Procedure, channel: Channel, filed: dt.datetime, desk: dt.datetime, *,
             postmark: dt.datetime | None = None, by: Officer = DESK_HIGH,
             data: dict[str, object] | None = None) -> Dossier:
    engine = Engine(Catalogue([proc]))
    actor = APPLICANT if channel is not Channel.IN_PERSON else by
    applicant = None if channel is not Channel.IN_PERSON else APPLICANT.id
    d, _ = engine.apply(None, File("D-1", proc.code, channel, data, applicant=applicant,
                                   postmark=postmark), at=filed, actor=actor)
    d, _ = engine.apply(d, Receive("BN-1"), at=desk, actor=by)
    return d


# ------------------------------------------------------------ when a dossier counts as received


def test_online_counts_when_the_portal_records_it() -> None:
    # Filed at 10:00 on Monday 2 March 2026, received by the desk at 14:00: two working days
    # run from 10:00, so the appointment is Wednesday 10:00, not 14:00.
    d = received(procedure(), Channel.ONLINE, vn(3, 2, 10), vn(3, 2, 14))
    assert d.receipt is not None
    assert d.receipt.appointment is not None
    assert d.receipt.appointment.received == vn(3, 2, 10)
    assert d.appointment == vn(3, 4, 10)


def test_online_at_night_counts_from_the_next_opening() -> None:
    # Sunday 21:00 (Decree 297/2025/NĐ-CP Art. 3(5)): from Monday 08:00, due Wednesday 08:00.
    d = received(procedure(), Channel.ONLINE, vn(3, 1, 21), vn(3, 2, 9))
    assert d.appointment == vn(3, 4, 8)


def test_by_post_counts_at_the_arriving_postmark() -> None:
    # Postmarked Friday 27 February 16:00, recorded Monday 09:00: 16 office hours from the
    # postmark are Friday 16-17, all Monday, Tuesday 08-12 and 13-16.
    d = received(procedure(), Channel.POSTAL, vn(3, 2, 9), vn(3, 2, 9, 30),
                 postmark=vn(2, 27, 16))
    assert d.appointment == vn(3, 3, 16)
    # Without a postmark, the filing's record stands in for it.
    d = received(procedure(), Channel.POSTAL, vn(3, 2, 9), vn(3, 2, 9, 30))
    assert d.appointment == vn(3, 4, 9)


def test_in_person_counts_at_the_desk() -> None:
    d = received(procedure(), Channel.IN_PERSON, vn(3, 2, 9), vn(3, 2, 9, 30))
    assert d.appointment == vn(3, 4, 9, 30)


def test_at_desk_policy_counts_every_channel_at_the_desk() -> None:
    proc = procedure(clock=ClockPolicy(receipt=ReceiptPolicy.AT_DESK))
    d = received(proc, Channel.ONLINE, vn(3, 2, 10), vn(3, 2, 14))
    assert d.appointment == vn(3, 4, 14)


def test_a_supplement_before_receipt_completes_the_dossier_when_it_arrives() -> None:
    proc = procedure()
    engine = Engine(Catalogue([proc]))
    d, _ = engine.apply(None, File("D-1", proc.code, Channel.ONLINE), at=vn(3, 2, 10),
                        actor=APPLICANT)
    d, _ = engine.apply(d, RequestSupplement(["ID card"]), at=vn(3, 2, 11), actor=DESK_HIGH)
    d, _ = engine.apply(d, Supplement(["ID card"]), at=vn(3, 3, 9), actor=APPLICANT)
    d, _ = engine.apply(d, Receive("BN-1"), at=vn(3, 3, 10), actor=DESK_HIGH)
    assert d.appointment == vn(3, 5, 9)  # two working days from Tuesday 09:00


def test_after_the_cut_off_the_clock_starts_the_next_working_day() -> None:
    # Same-day procedures (certification, civil status): after 15:00, the next working day.
    proc = procedure(time_limit=same_day(cutoff=dt.time(15)))
    d = received(proc, Channel.ONLINE, vn(3, 2, 15, 30), vn(3, 2, 15, 40))
    assert d.appointment == vn(3, 3, 17)
    d = received(proc, Channel.ONLINE, vn(3, 2, 14, 50), vn(3, 2, 15, 40))
    assert d.appointment == vn(3, 2, 17)


def test_the_last_hour_before_the_close_counts_from_the_next_working_day() -> None:
    # Decree 297/2025/NĐ-CP Art. 6(3): with a one-hour window, 16:20 counts from Tuesday
    # 08:00; three working days end at Thursday's close, which is Friday's opening.
    window = procedure(time_limit=working_days(3),
                       clock=ClockPolicy(closing_window=dt.timedelta(hours=1)))
    d = received(window, Channel.ONLINE, vn(3, 2, 16, 20), vn(3, 2, 16, 30))
    assert d.receipt is not None
    assert d.receipt.appointment is not None
    assert d.receipt.appointment.start == vn(3, 3, 8)
    assert d.appointment == vn(3, 6, 8)
    plain = procedure(time_limit=working_days(3))
    assert received(plain, Channel.ONLINE, vn(3, 2, 16, 20),
                    vn(3, 2, 16, 30)).appointment == vn(3, 5, 16, 20)
    # 15:59 is before the window: the clock starts at once.
    assert received(window, Channel.ONLINE, vn(3, 2, 15, 59),
                    vn(3, 2, 16, 30)).appointment == vn(3, 5, 15, 59)


def test_a_postmark_is_checked() -> None:
    proc = procedure()
    engine = Engine(Catalogue([proc]))
    with pytest.raises(InvalidArgument, match="a postmark belongs to a postal filing"):
        engine.apply(None, File("D-1", proc.code, Channel.ONLINE, postmark=vn(3, 2, 8)),
                     at=vn(3, 2, 9), actor=APPLICANT)
    with pytest.raises(InvalidArgument, match="give the arriving postmark"):
        engine.apply(None, File("D-1", proc.code, Channel.POSTAL, postmark=vn(3, 2, 10)),
                     at=vn(3, 2, 9), actor=APPLICANT)
    with pytest.raises(InvalidArgument, match="postmark"):
        engine.apply(None, File("D-1", proc.code, Channel.POSTAL,
                                postmark=dt.datetime(2026, 3, 2, 8)),
                     at=vn(3, 2, 9), actor=APPLICANT)


def test_clock_policy_values_are_checked() -> None:
    with pytest.raises(InvalidArgument, match="closing_window"):
        ClockPolicy(closing_window=dt.timedelta(hours=30))
    with pytest.raises(InvalidArgument, match="supplement_wait"):
        ClockPolicy(supplement_wait=15)  # type: ignore[arg-type]
    assert ClockPolicy().supplement_wait == working_days(15, legal_basis="Decree 297/2025/NĐ-CP")
    assert str(ClockPolicy().reception) == "8 working hours"


# --------------------------------------------------------------------- limits that vary by place


LAND = varying(working_days(17), attribute="terrain",
               cases={"mountainous": working_days(27)}, legal_basis="Land Law 2024")


def test_a_limit_can_depend_on_the_receiving_unit() -> None:
    # Land procedures get 10 more working days in mountainous communes: 27 instead of 17.
    proc = procedure(time_limit=LAND)
    high = received(proc, Channel.IN_PERSON, vn(3, 2, 9), vn(3, 2, 9), by=DESK_HIGH)
    low = received(proc, Channel.IN_PERSON, vn(3, 2, 9), vn(3, 2, 9), by=DESK_LOW)
    assert high.receipt is not None
    assert high.receipt.appointment is not None
    assert high.receipt.appointment.limit == working_days(27)  # recorded on the slip
    assert high.appointment == vn(4, 8, 9)  # 27 working days: five weeks and two days
    assert low.appointment == vn(3, 25, 9)


def test_a_limit_can_depend_on_a_declared_attribute_of_the_dossier() -> None:
    proc = procedure(time_limit=LAND, data=[DataField("terrain", str)])
    low = received(proc, Channel.IN_PERSON, vn(3, 2, 9), vn(3, 2, 9), by=DESK_LOW,
                   data={"terrain": "mountainous"})
    assert low.appointment == vn(4, 8, 9)  # the land's commune, declared, decides


def test_a_varying_limit_is_checked() -> None:
    with pytest.raises(InvalidProcedure, match="neither a declared data field nor an attribute"):
        procedure(time_limit=varying(working_days(1), attribute="island", cases={}))
    with pytest.raises(InvalidArgument, match="lists a case twice"):
        VaryingLimit("terrain", working_days(1), (("a", working_days(2)),
                                                  ("a", working_days(3))))
    with pytest.raises(InvalidProcedure, match="more than the statutory limit"):
        procedure(time_limit=varying(working_days(1), attribute="terrain",
                                     cases={"mountainous": working_days(3)}),
                  steps=[Step("handle", owner=HIGHLAND.role("clerk"), then=END,
                              allotment=working_days(2))])
    assert str(LAND) == "17 working days (27 working days if terrain is 'mountainous')"


# ------------------------------------------------------------------------ named excluded periods


def test_a_pause_names_its_reason_and_inherits_its_basis_and_maximum() -> None:
    proc = procedure()
    engine = Engine(Catalogue([proc]))
    d = received(proc, Channel.IN_PERSON, vn(3, 2, 9), vn(3, 2, 9))
    before = to_json(d)
    with pytest.raises(InvalidArgument, match="admits no pause reason 'flood'; it admits: "
                                              "'vneid_relatives'"):
        engine.apply(d, Pause("waiting", kind="flood"), at=vn(3, 2, 10), actor=CLERK)
    with pytest.raises(InvalidArgument, match="legal_basis must be non-empty"):
        engine.apply(d, Pause("waiting"), at=vn(3, 2, 10), actor=CLERK)
    assert to_json(d) == before
    d, (paused,) = engine.apply(d, Pause("relatives confirm on VNeID", kind="vneid_relatives"),
                                at=vn(3, 2, 10), actor=CLERK)
    assert (paused.kind, paused.legal_basis, paused.max_length) == (
        "vneid_relatives", "Decree 69/2024/NĐ-CP", working_days(5))
    assert dossier_from_json(to_json(d)) == d


def test_pause_reasons_are_checked() -> None:
    with pytest.raises(InvalidArgument, match="non-empty legal_basis"):
        PauseReason("x", "X", "")
    with pytest.raises(InvalidProcedure, match="pause reason 'vneid_relatives' is listed twice"):
        procedure(pause_reasons=[VNEID, VNEID])


# --------------------------------------------------------------------- the notice of stopping


def test_withdrawal_and_stopping_issue_the_notice_of_stopping() -> None:
    proc = procedure()
    engine = Engine(Catalogue([proc]))
    d = received(proc, Channel.ONLINE, vn(3, 2, 9), vn(3, 2, 9, 30))
    gone, events = engine.apply(d, Withdraw("changed my mind"), at=vn(3, 2, 11),
                                actor=APPLICANT)
    assert [type(e) for e in events] == [Withdrawn, StopNoticeIssued]
    notice = gone.stop_notice
    assert notice is not None
    assert notice.requested_by_applicant
    assert (notice.agency, notice.legal_basis) == ("xa_nui", "Decree 118/2025/NĐ-CP, Art. 21")
    stopped, events = engine.apply(d, Stop("no supplement came", "Decree 297/2025/NĐ-CP"),
                                   at=vn(3, 2, 11), actor=System("sweeper"))
    assert [type(e) for e in events] == [Stopped, StopNoticeIssued]
    assert stopped.status is Status.STOPPED
    assert stopped.stop_notice is not None
    assert not stopped.stop_notice.requested_by_applicant
    assert d.stop_notice is None


def test_the_forms_are_numbered_as_circular_03_2025() -> None:
    assert [f.number for f in Form] == ["01", "02", "03", "04", "05", "06", "07"]
    assert Form.STOP_NOTICE.title_vi == "Thông báo dừng giải quyết hồ sơ"
    assert Form.CONTROL_SLIP.number == "06"
    assert Form.CONTROL_SLIP.number_2018 == "05"
    assert Form.REGISTER.number_2018 == "06"
    assert Form.STOP_NOTICE.number_2018 is None
    assert ISSUED_BY[Received] is Form.RECEIPT
    assert ISSUED_BY[SupplementRequested] is Form.SUPPLEMENT_REQUEST
    assert ISSUED_BY[Refused] is Form.REFUSAL
    assert ISSUED_BY[StopNoticeIssued] is Form.STOP_NOTICE


# ------------------------------------------------------------------------------- apologies


def test_an_apology_before_the_appointment_is_not_late_and_a_second_is_refused() -> None:
    proc = procedure()
    engine = Engine(Catalogue([proc]))
    d = received(proc, Channel.IN_PERSON, vn(3, 2, 9), vn(3, 2, 9))
    assert d.appointment == vn(3, 4, 9)
    sorry = Apologize("xa_nui", "waiting for the land register", vn(3, 6, 9))
    d, (event,) = engine.apply(d, sorry, at=vn(3, 3, 9), actor=CLERK)
    assert not event.late
    before = to_json(d)
    with pytest.raises(TransitionNotAllowed, match="moved only once"):
        engine.apply(d, attrs.evolve(sorry, new_appointment=vn(3, 9, 9)), at=vn(3, 6, 10),
                     actor=CLERK)
    assert to_json(d) == before


# ----------------------------------------------------------------- through the store's admission


def test_the_store_admits_what_the_2025_rules_produce() -> None:
    """``Store.save`` re-derives each command from its events and applies it again: a postal
    filing's postmark, a named pause and the notice of stopping must survive it."""
    from dossierflow.store import Store

    proc = procedure()
    engine = Engine(Catalogue([proc]))
    store = Store.memory(engine, clock_tolerance=None)
    d, events = engine.apply(None, File("D-1", proc.code, Channel.POSTAL,
                                        postmark=vn(2, 27, 16)),
                             at=vn(3, 2, 9), actor=APPLICANT)
    store.save(None, d, events)
    steps = [(Receive("BN-1"), vn(3, 2, 9, 30), DESK_HIGH),
             (Pause("relatives confirm", kind="vneid_relatives"), vn(3, 2, 10), CLERK),
             (Withdraw("filed twice"), vn(3, 2, 11), APPLICANT)]
    for command, when, actor in steps:
        after, events = engine.apply(d, command, at=when, actor=actor)
        store.save(d, after, events)
        d = after
    stored = store.load("D-1")
    assert stored == d
    assert stored.appointment == vn(3, 3, 16)  # from the postmark
    assert stored.stop_notice is not None
    told: list[str] = []
    for _ in range(2):  # one message of a dossier per batch, in order
        store.relay(lambda m: told.append(m.type), at=vn(3, 2, 12))
    assert told == ["Received", "StopNoticeIssued"]  # the receipt, then Form 05
