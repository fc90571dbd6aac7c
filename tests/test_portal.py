"""The example portal through its HTTP API and pages, with FastAPI's test client: a citizen
files, officers receive and complete, the citizen supplements and rates; refused commands are
HTTP errors with the library's message; the worklist shows what is overdue and due soon; the
sweeper apologises, the relay logs the notices (on demand and as background tasks); the
supervisor's figures are the store's report."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dossierflow import reports
from dossierflow.store import Store
from tests.portal_support import TZ, Clock, load_portal, portal_store

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = portal_store(tmp_path / "portal.db")
    yield s
    s.close()


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY)


@pytest.fixture
def app(store: Store, clock: Clock) -> Any:
    return load_portal().create_app(store, clock=clock, secret=b"k" * 32, sweep_every=None,
                                    relay_every=None)


@pytest.fixture
def login(app: Any) -> Callable[[str], TestClient]:
    def as_user(key: str) -> TestClient:
        client = TestClient(app)
        assert client.post("/login", data={"user": key}, follow_redirects=False
                           ).status_code == 303
        return client
    return as_user


def _file(login: Callable[[str], TestClient], procedure: str = "2.000815",
          who: str = "citizen-an", **data: Any) -> str:
    r = login(who).post("/api/dossiers", json={"procedure": procedure, "data": data})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_a_dossier_from_filing_to_rating(login: Callable[[str], TestClient], clock: Clock,
                                         store: Store) -> None:
    citizen, desk = login("citizen-an"), login("desk-xa")
    code = _file(login)
    assert code == "H29.123.45-260302-0001"  # the agency's e-ID, the day, the sequence
    assert citizen.get(f"/api/dossiers/{code}").json()["status"] == "filed"
    clock.advance(minutes=10)
    d = desk.post(f"/api/dossiers/{code}/receive", json={"documents": "bản chính\nbản sao"})
    assert d.json()["status"] == "in_progress"
    assert d.json()["active_steps"] == ["certify"]
    assert d.json()["forms"] == ["01", "06"]
    clock.advance(hours=1)
    login("justice-xa").post(f"/api/dossiers/{code}/complete_step", json={})
    clock.advance(hours=1)
    d = login("chair-xa").post(f"/api/dossiers/{code}/complete_step",
                               json={"outcome": "approve"})
    assert d.json()["status"] == "resolved"
    d = desk.post(f"/api/dossiers/{code}/return_result", json={"electronic": "1"})
    assert d.json()["status"] == "returned"
    d = citizen.post(f"/api/dossiers/{code}/rate", json={"score": "5", "comment": "nhanh"})
    assert d.json()["history"][-1] == "Rated"
    assert store.load(code).rated
    # The receipt slip and the control slip print with the applicant's name.
    slip = desk.get(f"/dossiers/{code}/forms/01")
    assert slip.status_code == 200
    assert code in slip.text
    assert "Nguyễn Văn An" in slip.text
    assert "PHIẾU KIỂM SOÁT" in desk.get(f"/dossiers/{code}/forms/06").text.upper()


def test_refused_commands_are_http_errors_with_the_librarys_message(
        login: Callable[[str], TestClient], clock: Clock) -> None:
    code = _file(login)
    desk = login("desk-xa")
    desk.post(f"/api/dossiers/{code}/receive", json={})
    again = desk.post(f"/api/dossiers/{code}/receive", json={})
    assert again.status_code == 409
    assert again.json()["error"] == "TransitionNotAllowed"
    assert "'receive' is not allowed there" in again.json()["detail"]
    wrong = login("chair-xa").post(f"/api/dossiers/{code}/complete_step", json={})
    assert wrong.status_code == 403
    assert wrong.json()["error"] == "NotAuthorized"
    assert "owned by ubnd_xa/justice_officer" in wrong.json()["detail"]
    bad = login("justice-xa").post(f"/api/dossiers/{code}/hand_off", json={"to_person": ""})
    assert bad.status_code == 422
    assert bad.json()["error"] == "InvalidArgument"
    unknown = login("citizen-an").post("/api/dossiers", json={"procedure": "9.999999"})
    assert unknown.status_code == 422
    assert "9.999999" in unknown.json()["detail"]
    missing = desk.get("/api/dossiers/H29.123.45-260302-0099")
    assert missing.status_code == 404
    assert missing.json()["error"] == "DossierNotFound"
    # The portal's own rules: sign in; a citizen sees only their own dossiers.
    assert TestClient(desk.app).get(f"/api/dossiers/{code}").status_code == 401
    assert login("citizen-binh").get(f"/api/dossiers/{code}").status_code == 403
    assert login("citizen-an").get("/api/worklist").status_code == 403
    # Pages show the same message in HTML, with the same status.
    page = desk.post(f"/dossiers/{code}/do/receive", data={})
    assert page.status_code == 409
    assert "is not allowed there" in page.text


def test_a_supplement_request_answered_and_printed(login: Callable[[str], TestClient],
                                                   clock: Clock) -> None:
    code = _file(login, "1.001193", child_name="Nguyễn Bình An")
    desk = login("desk-xa")
    clock.advance(minutes=30)
    d = desk.post(f"/api/dossiers/{code}/request_supplement",
                  json={"items": "Giấy chứng sinh", "reason": "thiếu giấy chứng sinh"})
    assert d.json()["status"] == "awaiting_supplement"
    assert "02" in d.json()["forms"]
    assert "Giấy chứng sinh" in desk.get(f"/dossiers/{code}/forms/02").text
    clock.advance(hours=1)
    # The citizen's page offers the supplement; answering it puts the dossier back.
    page = login("citizen-an").get(f"/dossiers/{code}")
    assert 'id="do-supplement"' in page.text
    r = login("citizen-an").post(f"/dossiers/{code}/do/supplement",
                                 data={"documents": "Giấy chứng sinh"}, follow_redirects=False)
    assert r.status_code == 303
    assert desk.get(f"/api/dossiers/{code}").json()["status"] == "filed"


def test_hand_off_pause_with_a_named_reason_and_resume(login: Callable[[str], TestClient],
                                                       clock: Clock) -> None:
    code = _file(login, "1.012757")
    login("desk-xa").post(f"/api/dossiers/{code}/receive", json={})
    land = login("land-xa")
    clock.advance(hours=1)
    assert land.post(f"/api/dossiers/{code}/hand_off",
                     json={"to_person": "land-xa-2"}).status_code == 200
    d = land.post(f"/api/dossiers/{code}/pause",
                  json={"kind": "land_financial_obligations", "reason": "chờ nộp tiền"})
    assert d.status_code == 200
    assert d.json()["status"] == "paused"
    clock.advance(days=2)
    d = land.post(f"/api/dossiers/{code}/resume", json={})
    assert d.json()["status"] == "in_progress"
    assert d.json()["history"][-3:] == ["HandedOff", "Paused", "Resumed"]


def test_the_worklist_shows_dues_overdue_and_due_soon(login: Callable[[str], TestClient],
                                                      clock: Clock) -> None:
    code = _file(login)
    login("desk-xa").post(f"/api/dossiers/{code}/receive", json={})
    justice = login("justice-xa")
    w = justice.get("/api/worklist").json()
    (row,) = w["worklist"]
    assert (row["dossier"], row["step"]) == (code, "certify")
    assert row["step_due"] == "2026-03-02T14:00:00+07:00"      # 4 working hours, lunch out
    assert row["dossier_due"] == "2026-03-02T17:00:00+07:00"   # the same working day
    assert [e["dossier"] for e in w["due_soon"]] == [code]
    assert w["overdue"] == []
    clock.advance(hours=5, minutes=30)                         # 14:30: the step overran
    w = justice.get("/api/worklist").json()
    assert [(e["dossier"], e["reason"]) for e in w["overdue"]] == [(code, "step")]
    page = justice.get("/officer").text
    assert code in page
    assert 'class="overdue"' in page


def test_officer_apology_and_the_sweeper_and_relay(login: Callable[[str], TestClient],
                                                   clock: Clock,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    first, second = _file(login), _file(login)
    desk, supervisor = login("desk-xa"), login("supervisor")
    for code in (first, second):
        desk.post(f"/api/dossiers/{code}/receive", json={})
    clock.advance(days=1)                                      # both past their appointment
    d = login("justice-xa").post(f"/api/dossiers/{first}/apologize",
                                 json={"reason": "thiếu cán bộ"})
    assert d.status_code == 200, d.text
    assert "04" in d.json()["forms"]
    assert "xin lỗi" in desk.get(f"/dossiers/{first}/forms/04").text.lower()
    swept = supervisor.post("/api/admin/sweep").json()
    assert swept["apologised"] == [second]
    assert swept["failed"] == []
    with caplog.at_level(logging.INFO, logger="portal.notices"):
        delivered = supervisor.post("/api/admin/relay").json()["delivered"]
    assert f"{first}:2" in delivered                           # the receipt's notice
    assert any(first in r.getMessage() and "tiếp nhận" in r.getMessage()
               for r in caplog.records)
    assert desk.post("/api/admin/sweep").status_code == 403


def test_sweeper_and_relay_run_as_background_tasks(store: Store, clock: Clock,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    app = load_portal().create_app(store, clock=clock, secret=b"k" * 32, sweep_every=0.05,
                                   relay_every=0.05)
    with caplog.at_level(logging.INFO, logger="portal.notices"), TestClient(app) as client:
        client.post("/login", data={"user": "citizen-an"})
        code = client.post("/api/dossiers", json={"procedure": "2.000815"}).json()["id"]
        client.post("/login", data={"user": "desk-xa"})
        client.post(f"/api/dossiers/{code}/receive", json={})
        clock.advance(days=1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (
                store.load(code).apologies and store.pending_messages() == 0):
            time.sleep(0.05)
    assert store.load(code).apologies                          # the sweeper's Form 04
    assert store.pending_messages() == 0                       # the relay delivered
    assert any(f"{code}:3 Apologized" in r.getMessage() for r in caplog.records)


def test_the_supervisor_sees_the_stores_report(login: Callable[[str], TestClient],
                                               clock: Clock, store: Store) -> None:
    done, late = _file(login), _file(login)
    desk = login("desk-xa")
    for code in (done, late):
        desk.post(f"/api/dossiers/{code}/receive", json={})
    clock.advance(hours=1)
    login("justice-xa").post(f"/api/dossiers/{done}/complete_step", json={})
    login("chair-xa").post(f"/api/dossiers/{done}/complete_step", json={"outcome": "approve"})
    clock.advance(days=2)
    supervisor = login("supervisor")
    period = {"start": "2026-03-01", "end": "2026-03-31"}
    expected = reports.from_store(store, reports.Period(dt.date(2026, 3, 1),
                                                        dt.date(2026, 3, 31)), ("agency",))
    rate = next(i for i in expected.indicators() if i.code == "progress.on_time").rates[0]
    assert (rate.numerator, rate.denominator) == (1, 2)
    page = supervisor.get("/supervisor", params=period).text
    assert 'id="on-time">50.0%' in page
    assert f'id="on-time-denominator">{rate.denominator}<' in page
    assert reports.from_json(supervisor.get("/api/report", params=period).text) == expected
    full = supervisor.get("/supervisor/report", params=period).text
    assert "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT TTHC" in full
    assert "<svg" in full
    assert login("desk-xa").get("/supervisor").status_code == 403


def test_pages_render_for_each_kind_of_user(login: Callable[[str], TestClient]) -> None:
    home = TestClient(login("citizen-an").app).get("/")
    assert home.status_code == 200
    assert "citizen-an" in home.text
    citizen = login("citizen-an").get("/citizen")
    assert "2.000815" in citizen.text
    assert 'name="child_name"' in citizen.text
    code = _file(login)
    r = login("citizen-an").get("/lookup", params={"code": code})
    assert r.status_code == 200
    assert code in r.text
    desk_page = login("desk-xa").get(f"/dossiers/{code}").text
    assert 'id="do-receive"' in desk_page
    assert 'id="do-request_supplement"' in desk_page
