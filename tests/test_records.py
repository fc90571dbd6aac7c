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
