"""The engine on the sample procedures: whole lives, refusals that change nothing, JSON."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dossierflow import samples
from dossierflow._errors import (
    DossierflowError,
    InvalidArgument,
    NaiveDatetimeError,
    NotAuthorized,
    SchemaError,
    TransitionNotAllowed,
)
from dossierflow.rules import working_days
from dossierflow.states import (
    END,
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
    Rate,
    Receive,
    Refuse,
    RequestSupplement,
    Resolution,
    Resume,
    ReturnResult,
    Status,
    Stop,
    Supplement,
    System,
    Withdraw,
    dossier_from_json,
    event_from_json,
    to_json,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MOM = Citizen("079123456789")
STRANGER = Citizen("001000000000")
DESK = Officer("desk1", "ubnd_xa", "one_stop")
JUSTICE = Officer("j1", "ubnd_xa", "justice_officer")
CHAIR = Officer("ch1", "ubnd_xa", "chairman")
CIVIL = Officer("cs1", "ubnd_xa", "civil_status")
POLICE = Officer("p1", "ca_xa", "residence_officer")
CARD = Officer("b1", "bhxh", "card_officer")
SWEEPER = System("sweeper")
ENGINE = Engine(samples.catalogue())


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=TZ)


class Run:
    """A dossier and the engine, applying commands in order."""

    def __init__(self, code: str, data: dict[str, Any] | None = None,
                 channel: Channel = Channel.ONLINE, engine: Engine = ENGINE) -> None:
        self.engine = engine
        self.clock = at(2, 8)
        self.dossier, _ = engine.apply(None, File("D-1", code, channel, data), at=self.clock,
                                       actor=MOM)

    def do(self, command: Any, actor: Any, minutes: int = 30) -> Dossier:
        self.clock += dt.timedelta(minutes=minutes)
        self.dossier, events = self.engine.apply(self.dossier, command, at=self.clock,
                                                 actor=actor)
        assert self.dossier.history[-len(events):] == events
        return self.dossier

    def refused(self, command: Any, actor: Any, error: type[Exception], match: str) -> None:
        before = to_json(self.dossier)
        with pytest.raises(error, match=match) as info:
            self.engine.apply(self.dossier, command, at=self.clock, actor=actor)
        assert isinstance(info.value, DossierflowError)
        assert to_json(self.dossier) == before


def test_certified_copy_whole_life() -> None:
    run = Run("2.000815")
    assert run.dossier.status is Status.FILED
    assert run.dossier.applicant == MOM.id
    run.do(Receive("BN-0001", documents=["ID card copy"]), DESK)
    assert run.dossier.active_steps == ("certify",)
    run.do(CompleteStep("certify", to_person="ch1"), JUSTICE)
    assert run.dossier.active[0].person == "ch1"
    run.do(CompleteStep("sign", Outcome.APPROVE), CHAIR)
    assert run.dossier.status is Status.RESOLVED
    assert run.dossier.resolution is Resolution.APPROVED
    run.do(ReturnResult(), DESK)
    run.do(Rate(5, "fast"), MOM)
    assert run.dossier.status is Status.RETURNED
    assert run.dossier.rated
    slip = run.dossier.control_slip()
    assert [(r.step, r.from_unit, r.from_person, r.to_unit, r.to_person, r.result)
            for r in slip] == [
        ("(reception)", "ubnd_xa", "desk1", "ubnd_xa", None, "received"),  # the transfer
        ("certify", "ubnd_xa", "j1", "ubnd_xa", "ch1", "forward"),
        ("sign", "ubnd_xa", "ch1", "ubnd_xa", None, "approve"),
    ]
    assert ENGINE.replay(run.dossier.history) == run.dossier
    run.refused(Rate(4), MOM, TransitionNotAllowed, "'rate' is not allowed there")


def test_group_a_runs_parallel_branches_and_records_members() -> None:
    run = Run("LT.A", {"child_name": "An"})
    run.do(Receive("BN-0002"), DESK)
    run.do(CompleteStep("1.001193/check", data={"needs_verification": True}), CIVIL)
    assert run.dossier.active_steps == ("1.001193/verify",)
    run.do(CompleteStep("1.001193/verify"), CIVIL)
    run.do(CompleteStep("1.001193/register", Outcome.APPROVE), CHAIR)
    assert set(run.dossier.active_steps) == {"1.004222/register_residence",
                                             "1.002364/issue_card"}
    run.do(CompleteStep("1.002364/issue_card", Outcome.APPROVE), CARD)
    assert run.dossier.status is Status.IN_PROGRESS
    run.refused(CompleteStep("1.002364/issue_card"), CARD, TransitionNotAllowed,
                "step '1.002364/issue_card' is not active")
    run.do(CompleteStep("1.004222/register_residence", Outcome.APPROVE), POLICE)
    assert run.dossier.status is Status.RESOLVED
    members = [e.member for e in run.dossier.history if type(e).__name__ == "MemberCompleted"]
    assert members == ["1.001193", "1.002364", "1.004222"]
    slip = run.dossier.control_slip()
    assert slip[0].to_unit == "ubnd_xa"  # the desk transfers to the commune's first step
    assert slip[3].to_unit == "ca_xa, bhxh"  # the handoff from the commune to both agencies
    assert slip[-1].to_unit == "ubnd_xa"  # results go back to the desk


def test_supplement_before_and_after_receipt() -> None:
    run = Run("2.000815")
    run.do(RequestSupplement(["original document"], "copy unreadable"), DESK)
    assert run.dossier.status is Status.AWAITING_SUPPLEMENT
    run.refused(Withdraw(), MOM, TransitionNotAllowed, "allowed: 'supplement', 'stop'")
    run.do(Supplement(["original document"]), MOM)
    assert run.dossier.status is Status.FILED
    run.do(Receive("BN-0003"), DESK)
    # Once per dossier (Decree 118/2025/NĐ-CP): the desk asked before receipt, so no agency
    # may ask again after it.
    run.refused(RequestSupplement(["x"]), JUSTICE, TransitionNotAllowed,
                r"already been asked for a supplement 1 time\(s\) \(by ubnd_xa\)")
    assert run.dossier.supplement_requests == ("ubnd_xa",)


def test_supplement_bounds_per_dossier_and_per_agency_are_policies() -> None:
    import attrs

    base = samples.group_a()
    each_once = attrs.evolve(base, version=2, supplement_requests=None,
                             supplement_requests_per_agency=1)
    twice = attrs.evolve(base, version=3, supplement_requests=2)
    for proc in (each_once, twice):
        engine = Engine(Catalogue([proc]))
        run = Run("LT.A", {"child_name": "An"}, engine=engine)
        run.do(Receive("BN-0004"), DESK)
        run.do(CompleteStep("1.001193/check"), CIVIL)
        run.do(CompleteStep("1.001193/register"), CHAIR)
        run.do(RequestSupplement(["marriage certificate"]), POLICE)
        run.do(Supplement(["marriage certificate"]), MOM)
        if proc is each_once:
            run.refused(RequestSupplement(["x"]), POLICE, TransitionNotAllowed,
                        "ca_xa has already asked 1 time")
        run.do(RequestSupplement(["photo"]), CARD)  # another agency: a second request
        assert run.dossier.supplement_requests == ("ca_xa", "bhxh")
        run.do(Supplement(["photo"]), MOM)
        run.refused(RequestSupplement(["y"]), CARD, TransitionNotAllowed,
                    "bhxh has already asked 1 time" if proc is each_once else
                    r"asked for a supplement 2 time\(s\)")


def test_supplement_pauses_and_resumes_the_same_steps() -> None:
    run = Run("LT.A", {"child_name": "An"})
    run.do(Receive("BN-0004"), DESK)
    run.do(CompleteStep("1.001193/check"), CIVIL)
    run.do(CompleteStep("1.001193/register"), CHAIR)
    run.do(RequestSupplement(["parents' marriage certificate"]), POLICE)
    assert run.dossier.status is Status.AWAITING_SUPPLEMENT
    run.refused(CompleteStep("1.002364/issue_card"), CARD, TransitionNotAllowed,
                "is 'awaiting_supplement'; 'complete_step' is not allowed there; allowed: "
                "'supplement', 'withdraw', 'stop'")
    run.refused(Supplement(), STRANGER, NotAuthorized, "only the applicant")
    run.do(Supplement(["parents' marriage certificate"]), MOM)
    assert run.dossier.status is Status.IN_PROGRESS
    assert set(run.dossier.active_steps) == {"1.004222/register_residence",
                                             "1.002364/issue_card"}
    run.refused(RequestSupplement(["photo"]), CARD, TransitionNotAllowed,  # once per dossier
                r"already been asked for a supplement 1 time\(s\) \(by ca_xa\)")


def test_pause_resume_extend_stop() -> None:
    base = samples.certified_copy()
    import attrs

    extendable = attrs.evolve(base, version=2, max_extension=working_days(2))
    engine = Engine(Catalogue([base, extendable]))
    run = Run("2.000815", engine=engine)
    assert run.dossier.procedure_version == 2  # the latest in force
    run.do(Receive("BN-0005"), DESK)
    run.refused(Pause("", "x"), JUSTICE, InvalidArgument, "reason must be non-empty text")
    run.refused(Pause("tax", "x"), CHAIR, NotAuthorized, "only the owner of an active step")
    run.do(Pause("waiting for the land tax", "Decree 118/2025/NĐ-CP"), JUSTICE)
    assert run.dossier.status is Status.PAUSED
    run.do(Extend(working_days(1), "complex", "Decree 23/2015/NĐ-CP Art. 7"), JUSTICE)
    run.refused(Extend(working_days(1.5), "complex", "x"), JUSTICE, TransitionNotAllowed,
                r"exceed 2 working days")
    run.do(Resume("tax paid"), SWEEPER)
    assert run.dossier.status is Status.IN_PROGRESS
    run.refused(CompleteStep("certify"), SWEEPER, NotAuthorized, "owned by ubnd_xa/justice")
    run.do(Stop("applicant unreachable", "Circular 03/2025/TT-VPCP"), SWEEPER)
    assert run.dossier.status is Status.STOPPED
    assert not run.dossier.active
    run.refused(Resume(), SWEEPER, TransitionNotAllowed, "allowed: 'complain', 'answer_complaint'")


def test_extension_needs_a_procedure_that_allows_it() -> None:
    run = Run("2.000815")
    run.do(Receive("BN-0006"), DESK)
    run.refused(Extend(working_days(1), "r", "b"), JUSTICE, TransitionNotAllowed,
                "allows no extension")


def test_reject_refuse_withdraw() -> None:
    run = Run("2.000815")
    run.refused(Receive("BN-1"), JUSTICE, NotAuthorized, "only the one-stop desk")
    run.do(Refuse("not an original"), DESK)
    assert run.dossier.status is Status.REFUSED

    run = Run("2.000815")
    run.do(Receive("BN-0007"), DESK)
    run.refused(CompleteStep("certify", Outcome.REJECT), JUSTICE, InvalidArgument,
                "reasons for rejecting")
    run.do(CompleteStep("certify", Outcome.REJECT, note="forged seal"), JUSTICE)
    assert run.dossier.status is Status.RESOLVED
    assert run.dossier.resolution is Resolution.REJECTED

    run = Run("LT.A", {"child_name": "An"})
    run.do(Receive("BN-0008"), DESK)
    run.refused(CompleteStep("1.001193/verify"), CIVIL, TransitionNotAllowed, "not active")
    run.do(CompleteStep("1.001193/check"), CIVIL)
    run.refused(CompleteStep("1.001193/register", Outcome.REJECT, note="x"), CHAIR,
                TransitionNotAllowed, "cannot reject")
    run.refused(Withdraw(), STRANGER, NotAuthorized, "only the applicant")
    run.do(Withdraw("moved abroad"), MOM)
    assert run.dossier.status is Status.WITHDRAWN


def test_hand_off_within_the_unit() -> None:
    run = Run("2.000815")
    run.do(Receive("BN-0009"), DESK)
    run.do(HandOff("certify", "j2", "on leave"), JUSTICE)
    assert run.dossier.active[0].person == "j2"
    row = run.dossier.control_slip()[1]
    assert (row.from_person, row.to_unit, row.to_person, row.result) == (
        "j1", "ubnd_xa", "j2", "handoff")


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda d: (d, Receive("x"), dt.datetime(2026, 3, 2, 9), DESK), NaiveDatetimeError,
         "naive datetime"),
        (lambda d: (d, "receive", at(2, 9), DESK), InvalidArgument,
         "is not a dossierflow command"),
        (lambda d: (d, Receive("x"), at(2, 9), "desk1"), InvalidArgument,
         "actor must be a Citizen, Officer or System"),
        (lambda d: (d, Receive("x"), at(1, 9), DESK), InvalidArgument,
         "before dossier D-1's last event"),
        (lambda d: (d, File("D-1", "2.000815", Channel.ONLINE), at(2, 9), MOM),
         TransitionNotAllowed, "it is already filed"),
        (lambda d: (d, Receive(""), at(2, 9), DESK), InvalidArgument, "receipt_no"),
        (lambda d: (d, CompleteStep("certify"), at(2, 9), JUSTICE), TransitionNotAllowed,
         "is 'filed'; 'complete_step' is not allowed there; allowed: 'receive', 'refuse', "
         "'request_supplement'"),
    ],
)
def test_bad_commands_change_nothing(
    make: Callable[[Dossier], tuple[Any, ...]], error: type[Exception], match: str
) -> None:
    run = Run("2.000815")
    before = to_json(run.dossier)
    dossier, command, when, actor = make(run.dossier)
    with pytest.raises(error, match=match):
        ENGINE.apply(dossier, command, at=when, actor=actor)
    assert to_json(run.dossier) == before


def test_filing_checks_data_and_applicant() -> None:
    def file(data: Any = None, actor: Any = MOM, **kw: Any) -> None:
        ENGINE.apply(None, File("D-2", kw.pop("code", "LT.A"), Channel.ONLINE, data, **kw),
                     at=at(2, 9), actor=actor)

    with pytest.raises(InvalidArgument, match=r"needs data fields \['child_name'\]"):
        file({})
    with pytest.raises(InvalidArgument, match="declares no data field 'age'"):
        file({"child_name": "An", "age": 1})
    with pytest.raises(InvalidArgument, match="'needs_verification' must be bool, got 1"):
        file({"child_name": "An", "needs_verification": 1})
    with pytest.raises(NotAuthorized, match="files only for themself"):
        file({"child_name": "An"}, applicant="someone else")
    with pytest.raises(NotAuthorized, match="filed by the applicant or at a receiving desk"):
        file({"child_name": "An"}, actor=POLICE)
    with pytest.raises(InvalidArgument, match="must name the applicant"):
        file({"child_name": "An"}, actor=DESK)
    with pytest.raises(LookupError, match=r"no procedure '9\.999999'"):
        file(code="9.999999")
    d, _ = ENGINE.apply(None, File("D-3", "LT.A", Channel.IN_PERSON, {"child_name": "An"},
                                   applicant=MOM.id), at=at(2, 9), actor=DESK)
    assert d.applicant == MOM.id
    assert d.channel is Channel.IN_PERSON


def test_version_kept_after_a_new_version_is_registered() -> None:
    import attrs

    v1 = samples.certified_copy()
    run = Run("2.000815", engine=Engine(Catalogue([v1])))
    run.do(Receive("BN-0010"), DESK)
    v2 = attrs.evolve(v1, version=2, effective_from=dt.date(2026, 3, 1),
                      steps=[attrs.evolve(v1.steps[0], then=END)])
    run.engine = Engine(Catalogue([v1, v2]))
    assert run.dossier.procedure_version == 1
    run.do(CompleteStep("certify"), JUSTICE)
    assert run.dossier.active_steps == ("sign",)  # version 1's order, not version 2's
    fresh = Run("2.000815", engine=run.engine)
    assert fresh.dossier.procedure_version == 2


def test_json_round_trip_and_bad_data() -> None:
    run = Run("LT.A", {"child_name": "Ân"})
    run.do(Receive("BN-0011"), DESK)
    run.do(CompleteStep("1.001193/check", data={"needs_verification": False}), CIVIL)
    text = to_json(run.dossier)
    assert dossier_from_json(text) == run.dossier
    for e in run.dossier.history:
        assert event_from_json(to_json(e)) == e
    data = json.loads(text)
    assert data["schema"] == 2
    assert data["history"][0]["type"] == "Filed"
    assert data["history"][1]["at"] == "2026-03-02T08:30:00+07:00[Asia/Ho_Chi_Minh]"
    for path, value, match in [
        (("history", 2, "type"), "Teleported", "event 3: unknown event type 'Teleported'"),
        (("history", 1, "receipt_no"), 7, "event 2: cannot read Received event"),
        (("history", 1, "at"), "yesterday", "event 2: cannot read Received event"),
        (("schema",), 9, "schema version 9 is newer than this library's"),
        (("status",), "lost", "cannot read dossier"),
    ]:
        broken = json.loads(text)
        target: Any = broken
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        with pytest.raises(SchemaError, match=match) as info:
            dossier_from_json(json.dumps(broken))
        assert info.value.dossier_id == "D-1"
    with pytest.raises(SchemaError, match="not JSON"):
        dossier_from_json("{")
