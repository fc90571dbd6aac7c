"""Nothing unreadable is ever written: commands and actors check their fields when they are
built (text without NUL or lone surrogates, of a length that fits the columns on both
backends; JSON scalar data), so a bad value never reaches an event or the store."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dossierflow import InvalidArgument
from dossierflow.states import (
    Apologize,
    Channel,
    Citizen,
    CompleteStep,
    File,
    HandOff,
    Officer,
    Pause,
    Rate,
    Receive,
    Refuse,
    RequestSupplement,
    Resume,
    ReturnResult,
    Stop,
    Supplement,
    System,
    Withdraw,
)
from tests.store_support import Spec, vn

BAD: list[tuple[Any, str]] = [
    (lambda: Receive("BN-1", note=5), "Receive.note must be text"),
    (lambda: Receive("BN-1", documents=[1, 2]), r"Receive.documents\[0\] must be text"),
    (lambda: Receive(7), "Receive.receipt_no must be text"),
    (lambda: CompleteStep("certify", note=5), "CompleteStep.note must be text"),
    (lambda: CompleteStep("certify", to_person=5), "CompleteStep.to_person must be text"),
    (lambda: CompleteStep("certify", data={"x": [1]}), r"CompleteStep.data\['x'\] must be"),
    (lambda: CompleteStep("certify", data={"x": float("nan")}), "only finite numbers"),
    (lambda: CompleteStep("certify", data={1: "x"}), "CompleteStep.data key must be text"),
    (lambda: RequestSupplement(["map"], reason=5), "RequestSupplement.reason must be text"),
    (lambda: RequestSupplement(5), "expected a list of texts"),
    (lambda: Supplement([None]), r"Supplement.documents\[0\] must be text"),
    (lambda: Withdraw(5), "Withdraw.reason must be text"),
    (lambda: Resume(5), "Resume.note must be text"),
    (lambda: ReturnResult(note=5), "ReturnResult.note must be text"),
    (lambda: Rate(5, comment=5), "Rate.comment must be text"),
    (lambda: Rate("5"), "Rate.score must be a whole number"),
    (lambda: File("D-1", "2.000815", Channel.ONLINE, applicant=123),
     "File.applicant must be text"),
    (lambda: File("D" * 101, "2.000815", Channel.ONLINE), "101 characters long; at most 100"),
    (lambda: File("D-\x00", "2.000815", Channel.ONLINE), "NUL character"),
    (lambda: HandOff("certify", "p\ud800"), "lone surrogate"),
    (lambda: Pause("x" * 4001, "basis"), "at most 4000 fit"),
    (lambda: Stop("reason", 5), "Stop.legal_basis must be text"),
    (lambda: Refuse(None), "Refuse.reasons must be text"),
    (lambda: Apologize(5, "late", dt.datetime(2026, 3, 3, tzinfo=dt.UTC)),
     "Apologize.agency must be text"),
    (lambda: Citizen(123), "Citizen.id must be text"),
    (lambda: Officer("o" * 61, "ubnd_xa", "one_stop"), "at most 60 fit"),
    (lambda: System("\x00"), "NUL character"),
]


@pytest.mark.parametrize(("build", "message"), BAD)
def test_bad_fields_are_refused_when_built(build: Any, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        build()


def test_a_bad_command_writes_nothing(store_spec: Spec, opened: Any) -> None:
    store = opened()
    mom = Citizen("079123456789")
    store.file(File("D-1", "2.000815", Channel.ONLINE), at=vn(2, 9), actor=mom)
    with pytest.raises(InvalidArgument, match=r"Receive\.note"):
        store.run("D-1", lambda d: Receive("BN-1", note=5), at=vn(2, 9, 5),
                  actor=Officer("desk", "ubnd_xa", "one_stop"))
    again = store.load("D-1", cached=False)
    assert again.version == 1
    assert store.verify_all() == ()


def _json_dossier() -> dict[str, Any]:
    import json

    from dossierflow import samples
    from dossierflow.states import Engine, to_json

    engine = Engine(samples.catalogue())
    d, _ = engine.apply(None, File("D-1", "2.000815", Channel.ONLINE), at=vn(2, 9),
                        actor=Citizen("c1"))
    d, _ = engine.apply(d, Receive("BN-1"), at=vn(2, 9, 5),
                        actor=Officer("desk", "ubnd_xa", "one_stop"))
    data: dict[str, Any] = json.loads(to_json(d))
    return data


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d.update(status="filed"), r"fields \['status'\] contradict"),
    (lambda d: d.update(id="D-2"), r"fields \['id'\] contradict"),
    (lambda d: d.update(history=[]), "this one is empty|starts with its Filed"),
    (lambda d: d["history"][0].update(at="2026-03-02T09:00:00+08:00[Asia/Ho_Chi_Minh]"),
     "has offset 8:00:00, but zone Asia/Ho_Chi_Minh is at 7:00:00"),
])
def test_json_dossiers_must_agree_with_their_history(edit: Any, message: str) -> None:
    import json

    from dossierflow import SchemaError
    from dossierflow.states import dossier_from_json

    data = _json_dossier()
    assert dossier_from_json(json.dumps(data)).status.value == "in_progress"
    edit(data)
    with pytest.raises(SchemaError, match=message):
        dossier_from_json(json.dumps(data))


# --------------------------------------------------------------- what Store.save admits


def _received(store: Any) -> Any:
    mom = Citizen("079123456789")
    store.file(File("D-1", "2.000815", Channel.ONLINE), at=vn(2, 9), actor=mom)
    d = store.run("D-1", Receive("BN-1"), at=vn(2, 9, 5),
                  actor=Officer("desk", "ubnd_xa", "one_stop"))
    assert d is not None
    return d


def _forge(before: Any, *events: Any) -> Any:
    from dossierflow.states import fold

    return fold(events, None, before)


def test_save_admits_only_what_the_engine_decides(store_spec: Spec, opened: Any) -> None:
    import attrs

    from dossierflow import NotAuthorized
    from dossierflow.states import (
        Outcome,
        Resolution,
        Resolved,
        StepCompleted,
        Stopped,
    )

    store = opened()
    d = _received(store)
    at = vn(2, 10)
    citizen = Citizen("079123456789")
    forged_step = StepCompleted("certify", Outcome.FORWARD, (), ("ubnd_xa",), None, "", at,
                                citizen, ("sign",), ())
    system_step = attrs.evolve(forged_step, actor=System("intruder"))
    resolved = Resolved(Resolution.APPROVED, "", at, Officer("j1", "ubnd_xa",
                                                               "justice_officer"))
    old_stop = Stopped("no supplement", "Decree 118/2025/NĐ-CP", vn(2, 9) - dt.timedelta(
        days=3 * 365), System("sweeper"))
    for events, error, message in [
        ((forged_step,), NotAuthorized, "may not 'complete_step'"),
        ((system_step,), NotAuthorized, "may not 'complete_step'"),
        ((resolved,), InvalidArgument, "not what a command yields first"),
        ((old_stop,), InvalidArgument, "before dossier D-1's last event"),
    ]:
        with pytest.raises(error, match=message):
            store.save(d, _forge(d, *events), events)
    # A dossier handed in as "before" must be the stored one.
    fake = attrs.evolve(d, applicant="someone-else")
    good_after, good_events = store.engine.apply(
        d, CompleteStep("certify"), at=at, actor=Officer("j1", "ubnd_xa", "justice_officer"))
    with pytest.raises(InvalidArgument, match="is not the one stored"):
        store.save(fake, good_after, good_events)
    assert store.load("D-1", cached=False).version == 2  # nothing was written
    store.save(d, good_after, good_events)  # what the engine decided is saved
    assert store.load("D-1", cached=False).active_steps == ("sign",)
    assert store.verify_all() == ()
