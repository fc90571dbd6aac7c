"""A one-stop portal on dossierflow: a small FastAPI application over the embedded store.

Citizens file dossiers online, look them up by code, answer a supplement request and rate the
result; officers work their agency's worklist (receive, request a supplement, complete a step,
hand off, pause with a named reason, resume, apologise, return the result) and print Forms 01,
02, 04 and 06; a supervisor reads the period's report (Biểu 06, Decision 766's indicators,
charts). The deadline sweeper and the outbox relay run as background tasks; notices go to the
``portal.notices`` logger.

Start it from the repository's root (``pip install '.[portal,reports]'``)::

    uvicorn --factory --app-dir examples/portal app:create_app

Configuration, by environment variable: ``PORTAL_DATABASE_URL`` (a ``postgresql://`` URL;
without it the embedded SQLite file ``PORTAL_SQLITE``, default ``portal.db``), and
``PORTAL_SECRET`` (the key that signs the login cookie; random per process without it).

The app uses dossierflow's public API only: one :class:`~dossierflow.store.Store` per process,
each endpoint one command through ``store.file`` or ``store.run``, and a refused command an
HTTP error carrying the library's message (422 bad input, 403 not authorised, 409 not allowed
in the dossier's state or a conflict, 404 unknown dossier). The login is a demo: pick a user
from :data:`USERS`; a real portal plugs its single sign-on in :func:`current_user`.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from dossierflow import (
    ConcurrencyConflict,
    DossierExists,
    DossierflowError,
    DossierNotFound,
    InvalidArgument,
    NotAuthorized,
    TransitionNotAllowed,
    reports,
)
from dossierflow.catalogues import vietnam
from dossierflow.forms import Applicant, Renderer
from dossierflow.states import (
    ALLOWED,
    Actor,
    Apologize,
    Channel,
    Citizen,
    Command,
    CompleteStep,
    Dossier,
    Engine,
    File,
    Form,
    HandOff,
    Officer,
    Outcome,
    Pause,
    Procedure,
    Rate,
    Receive,
    RequestSupplement,
    Resume,
    ReturnResult,
    Supplement,
)
from dossierflow.store import OutboxMessage, Store, StoreError

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HERE = Path(__file__).parent
notices = logging.getLogger("portal.notices")
log = logging.getLogger("portal")

# ---------------------------------------------------------------------------- identities


@dataclass(frozen=True)
class User:
    """A demo user: a citizen (``agency`` empty), an officer of an agency in a role, or the
    supervisor (``role == "supervisor"``)."""

    key: str
    name: str
    id: str
    agency: str = ""
    role: str = ""

    @property
    def kind(self) -> str:
        if self.role == "supervisor":
            return "supervisor"
        return "officer" if self.agency else "citizen"

    @property
    def actor(self) -> Actor:
        """The dossierflow actor: a :class:`Citizen` or an :class:`Officer`."""
        if self.kind == "citizen":
            return Citizen(self.id)
        return Officer(self.id, self.agency or "ttpvhcc_tinh", self.role)


USERS: Mapping[str, User] = {u.key: u for u in (
    User("citizen-an", "Nguyễn Văn An", "079123456789"),
    User("citizen-binh", "Trần Thị Bình", "001085012345"),
    User("desk-xa", "Lê Thị Hoa (một cửa xã)", "desk-xa", "ubnd_xa", "one_stop"),
    User("justice-xa", "Phạm Văn Nam (tư pháp)", "justice-xa", "ubnd_xa", "justice_officer"),
    User("civil-xa", "Đỗ Thị Lan (hộ tịch)", "civil-xa", "ubnd_xa", "civil_status"),
    User("land-xa", "Vũ Văn Sơn (địa chính)", "land-xa", "ubnd_xa", "land_officer"),
    User("chair-xa", "Hoàng Văn Minh (chủ tịch)", "chair-xa", "ubnd_xa", "chairman"),
    User("registrar-land", "Bùi Thị Thu (VPĐKĐĐ)", "registrar-land", "cn_vpdkdd", "registrar"),
    User("tax", "Ngô Văn Tài (thuế)", "tax", "thue", "tax_officer"),
    User("desk-police", "Đinh Văn Hùng (một cửa công an)", "desk-police", "ca_xa", "one_stop"),
    User("residence", "Lý Thị Mai (cư trú)", "residence", "ca_xa", "residence_officer"),
    User("head-police", "Trịnh Văn Quang (trưởng công an)", "head-police", "ca_xa", "head"),
    User("supervisor", "Văn phòng UBND tỉnh (giám sát)", "supervisor", "", "supervisor"),
)}
"""The demo's users. Citizens by their personal ID number; officers by agency and role."""

E_IDS: Mapping[str, str] = {
    "ubnd_xa": "H29.123.45", "ubnd_xa_mien_nui": "H29.123.46", "ca_xa": "H29.123.47",
    "bhxh": "H29.123.48", "ttpvhcc_tinh": "H29.100.01",
}
"""Electronic IDs of the receiving agencies (examples in the shape of Decision 20/2020/QĐ-TTg:
give each agency its real one)."""

COOKIE = "portal_user"


def _sign(secret: bytes, key: str) -> str:
    return key + "." + hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()


def current_user(request: Request) -> User | None:
    """The signed-in user from the signed cookie (a real portal reads its SSO session here)."""
    value = request.cookies.get(COOKIE, "")
    key, _, _ = value.rpartition(".")
    if key in USERS and hmac.compare_digest(_sign(request.app.state.portal.secret, key), value):
        return USERS[key]
    return None


class HttpError(Exception):
    """An error of the portal itself (not signed in, not the supervisor...)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def need(request: Request, *kinds: str) -> User:
    user = current_user(request)
    if user is None:
        raise HttpError(401, "sign in first (/)")
    if kinds and user.kind not in kinds:
        raise HttpError(403, f"{user.name} is a {user.kind}; this page is for: "
                             f"{', '.join(kinds)}")
    return user


# ------------------------------------------------------------------------------ the portal


@dataclass
class Portal:
    """What the app holds: one store per process, the engine, the forms' renderer and the
    clock (``datetime.now`` in Asia/Ho_Chi_Minh; tests pass their own)."""

    store: Store
    clock: Callable[[], dt.datetime]
    secret: bytes
    renderer: Renderer

    @property
    def engine(self) -> Engine:
        return self.store.engine

    def procedure(self, code: str) -> Procedure:
        return self.engine.catalogue.in_force(code, self.clock().date())

    def file(self, user: User, code: str, fields: Mapping[str, str]) -> Dossier:
        """File a dossier online for a citizen; its id is the next dossier code of the
        receiving agency's electronic ID."""
        procedure = self.procedure(code)
        data: dict[str, Any] = {}
        for f in procedure.data:
            raw = fields.get(f.name, "")
            if f.type is bool:
                data[f.name] = raw in ("1", "true", "on", True)
            elif raw != "":
                try:
                    data[f.name] = f.type(raw)
                except (TypeError, ValueError):
                    raise InvalidArgument(f"{f.name} must be a {f.type.__name__}, got "
                                          f"{raw!r}") from None
        at = self.clock()
        dossier_id = self.store.next_dossier_code(E_IDS[procedure.receivers[0]], at)
        self.store.file(File(dossier_id, code, Channel.ONLINE, data), at=at, actor=user.actor)
        return self.store.load(dossier_id)

    def command(self, user: User, dossier: Dossier, name: str,
                fields: Mapping[str, str]) -> Command:
        """The command ``name`` built from a form's or a JSON body's fields."""
        def text(key: str, default: str = "") -> str:
            return str(fields.get(key, default) or default).strip()

        def lines(key: str) -> list[str]:
            return [x.strip() for x in text(key).splitlines() if x.strip()]

        def step() -> str:
            given = text("step")
            mine = [h.step for h in dossier.active if self.owns(user, dossier, h.step)]
            return given or (mine[0] if mine else (dossier.active_steps or ("",))[0])

        if name == "receive":
            return Receive(dossier.id, documents=lines("documents"), note=text("note"))
        if name == "request_supplement":
            return RequestSupplement(lines("items") or [text("items")],
                                     reason=text("reason"))
        if name == "supplement":
            return Supplement(documents=lines("documents"))
        if name == "complete_step":
            return CompleteStep(step(), Outcome(text("outcome", "forward")),
                                note=text("note"))
        if name == "hand_off":
            return HandOff(step(), text("to_person"), note=text("note"))
        if name == "pause":
            return Pause(text("reason"), kind=text("kind") or None)
        if name == "resume":
            return Resume(note=text("note"))
        if name == "apologize":
            # The clock's suggestion (the appointment it moves, a new one after the longest
            # remaining allotment); the officer may give another new appointment.
            suggested = self.store.sla.apology(dossier, self.clock(), text("reason"))
            raw = text("new_appointment")
            try:
                new = dt.datetime.fromisoformat(raw) if raw else suggested.new_appointment
            except ValueError:
                raise InvalidArgument(f"new_appointment must be a date and time "
                                      f"(YYYY-MM-DDTHH:MM), got {raw!r}") from None
            return Apologize(user.agency, text("reason"),
                             new if new.tzinfo else new.replace(tzinfo=TZ),
                             suggested.original_appointment)
        if name == "return_result":
            return ReturnResult(method=text("method", "in_person"),
                                electronic_result=text("electronic") in ("1", "true", "on"))
        if name == "rate":
            score = text("score")
            if not score.isdigit():
                raise InvalidArgument(f"score must be a whole number from 1 to 5, got "
                                      f"{score!r}")
            return Rate(int(score), comment=text("comment"))
        raise InvalidArgument(f"unknown action {name!r}; the portal knows: "
                              f"{', '.join(ACTIONS)}")

    def run(self, user: User, dossier_id: str, name: str, fields: Mapping[str, str]) -> Dossier:
        """Apply the action ``name`` as ``user``: the library decides and refuses."""
        dossier = self.store.load(dossier_id)
        self.check_sees(user, dossier)
        command = self.command(user, dossier, name, fields)
        self.store.run(dossier_id, command, at=self.clock(), actor=user.actor)
        return self.store.load(dossier_id)

    def check_sees(self, user: User, dossier: Dossier) -> None:
        """Citizens see their own dossiers only (the portal's rule, not the library's)."""
        if user.kind == "citizen" and dossier.applicant != user.id:
            raise HttpError(403, f"dossier {dossier.id} was filed by another applicant")

    def owns(self, user: User, dossier: Dossier, step: str) -> bool:
        owner = self.engine.procedure_of(dossier).step(step).owner
        return (owner.agency, owner.role) == (user.agency, user.role)

    def actions(self, user: User, dossier: Dossier) -> list[str]:
        """The actions to offer: what the status admits (``ALLOWED``) and the portal shows to
        this kind of user; the engine still decides when one is taken."""
        offered = CITIZEN_ACTIONS if user.kind == "citizen" else \
            OFFICER_ACTIONS if user.kind == "officer" else ()
        return [a for a in ALLOWED[dossier.status] if a in offered]

    def applicant(self, dossier: Dossier) -> Applicant:
        for u in USERS.values():
            if u.kind == "citizen" and u.id == dossier.applicant:
                return Applicant(u.name, id_number=u.id)
        return Applicant(id_number=dossier.applicant)

    def report(self, start: dt.date, end: dt.date) -> reports.Report:
        return reports.from_store(self.store, reports.Period(start, end), ("agency",))

    def sweep(self) -> Any:
        report = self.store.sweep(self.clock())
        for dossier_id, reason in report.failed:
            log.error("no apology for %s: %s", dossier_id, reason)
        return report

    def relay(self) -> Any:
        report = self.store.relay(deliver, at=self.clock(), worker="portal")
        for key, reason in report.failed + report.quarantined:
            log.warning("outbox message %s: %s", key, reason)
        return report


CITIZEN_ACTIONS = ("supplement", "rate")
OFFICER_ACTIONS = ("receive", "request_supplement", "complete_step", "hand_off", "pause",
                   "resume", "apologize", "return_result")
ACTIONS = CITIZEN_ACTIONS + OFFICER_ACTIONS
FORMS = {"01": Form.RECEIPT, "02": Form.SUPPLEMENT_REQUEST, "04": Form.APOLOGY,
         "06": Form.CONTROL_SLIP}


def deliver(message: OutboxMessage) -> None:
    """Deliver a notice: here, to the log (a real portal sends the SMS and e-mail)."""
    notice = message.payload.get("notice", {})
    notices.info("%s %s: %s", message.key, message.type, notice.get("sms", ""))


def status_of(error: Exception) -> int:
    """The HTTP status of a refused command."""
    if isinstance(error, HttpError):
        return error.status
    if isinstance(error, NotAuthorized):
        return 403
    if isinstance(error, DossierNotFound):
        return 404
    if isinstance(error, TransitionNotAllowed | ConcurrencyConflict | DossierExists):
        return 409
    if isinstance(error, StoreError):
        return 503
    return 422  # InvalidArgument, UnknownProcedure, ClockSkew, ...


# ------------------------------------------------------------------------------- the app


def real_clock() -> dt.datetime:
    return dt.datetime.now(TZ)


def default_store() -> Store:
    engine = Engine(vietnam.catalogue())
    url = os.environ.get("PORTAL_DATABASE_URL")
    if url:
        return Store.postgresql(url, engine)
    return Store.sqlite(os.environ.get("PORTAL_SQLITE", "portal.db"), engine)


def create_app(store: Store | None = None, *, clock: Callable[[], dt.datetime] = real_clock,
               secret: bytes | None = None, sweep_every: float | None = 300.0,
               relay_every: float | None = 5.0) -> FastAPI:
    """The portal over ``store`` (by default the environment's, see the module's doc).

    ``sweep_every`` and ``relay_every`` (seconds; None: not in the background) pace the
    background sweeper and relay; both also run on ``POST /api/admin/sweep`` and
    ``/api/admin/relay``."""
    if secret is None:
        env = os.environ.get("PORTAL_SECRET")
        secret = env.encode() if env else secrets.token_bytes(32)
    owned = store is None
    if not logging.getLogger().handlers and not log.handlers:  # uvicorn logs its own only
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    the_store = store if store is not None else default_store()
    portal = Portal(the_store, clock, secret, Renderer(the_store.engine, sla=the_store.sla))

    async def every(seconds: float, job: Callable[[], Any], name: str) -> None:
        while True:
            try:
                await asyncio.to_thread(job)
            except Exception:  # a background job logs and goes on
                log.exception("%s failed", name)
            await asyncio.sleep(seconds)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(every(s, job, name)) for s, job, name in (
            (sweep_every, portal.sweep, "sweep"), (relay_every, portal.relay, "relay"))
            if s is not None]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if owned:
                the_store.close()

    app = FastAPI(title="dossierflow portal (example)", lifespan=lifespan)
    app.state.portal = portal
    pages = Jinja2Templates(directory=HERE / "templates")
    pages.env.globals.update(USERS=USERS, FORMS=FORMS)

    def page(request: Request, name: str, code: int = 200, **context: Any) -> Response:
        context.update(user=current_user(request), now=portal.clock())
        return pages.TemplateResponse(request, name, context, status_code=code)

    @app.exception_handler(DossierflowError)
    @app.exception_handler(HttpError)
    async def refused(request: Request, error: Exception) -> Response:
        status = status_of(error)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": type(error).__name__, "detail": str(error)},
                                status_code=status)
        return page(request, "error.html", status, error=error, status=status)

    # ---------------------------------------------------------------- sign in, sign out

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> Response:
        return page(request, "login.html")

    @app.post("/login")
    async def login(request: Request) -> Response:
        form = await request.form()
        key = str(form.get("user", ""))
        if key not in USERS:
            raise HttpError(422, f"unknown user {key!r}")
        user = USERS[key]
        target = {"citizen": "/citizen", "officer": "/officer", "supervisor": "/supervisor"}
        response = RedirectResponse(target[user.kind], status_code=303)
        response.set_cookie(COOKIE, _sign(portal.secret, key), httponly=True, samesite="lax")
        return response

    @app.post("/logout")
    def logout() -> Response:
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(COOKIE)
        return response

    # ------------------------------------------------------------------- HTML pages

    @app.get("/citizen", response_class=HTMLResponse)
    def citizen(request: Request) -> Response:
        need(request, "citizen")
        online = [p for p in portal.engine.catalogue.procedures
                  if p.online.name != "NONE" and p.receivers[0] in E_IDS]
        return page(request, "citizen.html", procedures=online)

    @app.post("/citizen/file")
    async def file_page(request: Request) -> Response:
        user = need(request, "citizen")
        fields = {k: str(v) for k, v in (await request.form()).items()}
        d = await run_in_threadpool(portal.file, user, fields.pop("procedure", ""), fields)
        return RedirectResponse(f"/dossiers/{d.id}", status_code=303)

    @app.get("/lookup")
    def lookup(request: Request, code: str = "") -> Response:
        return RedirectResponse(f"/dossiers/{code.strip()}", status_code=303)

    @app.get("/dossiers/{dossier_id}", response_class=HTMLResponse)
    def dossier_page(request: Request, dossier_id: str) -> Response:
        user = need(request)
        d = portal.store.load(dossier_id)
        portal.check_sees(user, d)
        procedure = portal.engine.procedure_of(d)
        mine = [h.step for h in d.active if user.kind == "officer"
                and portal.owns(user, d, h.step)]
        return page(request, "dossier.html", d=d, procedure=procedure,
                    actions=portal.actions(user, d), mine=mine,
                    forms=[n for n, f in FORMS.items() if f in portal.renderer.forms_of(d)],
                    due=portal.store.sla.due(d))

    @app.post("/dossiers/{dossier_id}/do/{action}")
    async def act(request: Request, dossier_id: str, action: str) -> Response:
        user = need(request, "citizen", "officer")
        fields = {k: str(v) for k, v in (await request.form()).items()}
        await run_in_threadpool(portal.run, user, dossier_id, action, fields)
        return RedirectResponse(f"/dossiers/{dossier_id}", status_code=303)

    @app.get("/dossiers/{dossier_id}/forms/{number}", response_class=HTMLResponse)
    def form_page(request: Request, dossier_id: str, number: str) -> Response:
        user = need(request, "citizen", "officer")
        d = portal.store.load(dossier_id)
        portal.check_sees(user, d)
        if number not in FORMS:
            raise HttpError(404, f"the portal prints Forms {', '.join(FORMS)}, not {number!r}")
        return HTMLResponse(portal.renderer.render(FORMS[number], d,
                                                   applicant=portal.applicant(d)))

    @app.get("/officer", response_class=HTMLResponse)
    def officer(request: Request) -> Response:
        user = need(request, "officer")
        now = portal.clock()
        return page(request, "officer.html", worklist=portal.store.worklist(user.agency),
                    overdue=portal.store.overdue(now, agency=user.agency),
                    due_soon=portal.store.due_soon(now, dt.timedelta(hours=8),
                                                   agency=user.agency))

    @app.get("/supervisor", response_class=HTMLResponse)
    def supervisor(request: Request, start: str = "", end: str = "") -> Response:
        need(request, "supervisor")
        first, last = _period(portal.clock().date(), start, end)
        report = portal.report(first, last)
        on_time = next(i for i in report.indicators() if i.code == "progress.on_time")
        return page(request, "supervisor.html", report=report, first=first, last=last,
                    on_time=on_time.rates[0], score=report.score(),
                    indicators=report.indicators(), total=report.total)

    @app.get("/supervisor/report", response_class=HTMLResponse)
    def supervisor_report(request: Request, start: str = "", end: str = "") -> Response:
        need(request, "supervisor")
        first, last = _period(portal.clock().date(), start, end)
        return HTMLResponse(reports.to_html(portal.report(first, last)))

    # ---------------------------------------------------------------------- JSON API

    @app.get("/api/procedures")
    def api_procedures() -> list[dict[str, Any]]:
        return [{"code": p.code, "name": p.name, "receiver": p.receivers[0],
                 "data": [{"name": f.name, "type": f.type.__name__, "required": f.required}
                          for f in p.data]}
                for p in portal.engine.catalogue.procedures]

    @app.post("/api/dossiers", status_code=201)
    async def api_file(request: Request) -> dict[str, Any]:
        user = need(request, "citizen")
        body = await _json(request)
        data = body.get("data", {})
        d = await run_in_threadpool(portal.file, user, str(body.get("procedure", "")),
                                    data if isinstance(data, dict) else {})
        return _dossier_json(portal, d)

    @app.get("/api/dossiers/{dossier_id}")
    def api_dossier(request: Request, dossier_id: str) -> dict[str, Any]:
        user = need(request)
        d = portal.store.load(dossier_id)
        portal.check_sees(user, d)
        return _dossier_json(portal, d)

    @app.post("/api/dossiers/{dossier_id}/{action}")
    async def api_act(request: Request, dossier_id: str, action: str) -> dict[str, Any]:
        user = need(request, "citizen", "officer")
        body = await _json(request)
        d = await run_in_threadpool(portal.run, user, dossier_id, action, body)
        return _dossier_json(portal, d)

    @app.get("/api/worklist")
    def api_worklist(request: Request) -> dict[str, Any]:
        user = need(request, "officer")
        now = portal.clock()
        return {"agency": user.agency,
                "worklist": [_entry(e) for e in portal.store.worklist(user.agency)],
                "overdue": [_entry(e) for e in portal.store.overdue(now, agency=user.agency)],
                "due_soon": [_entry(e) for e in portal.store.due_soon(
                    now, dt.timedelta(hours=8), agency=user.agency)]}

    @app.get("/api/report")
    def api_report(request: Request, start: str = "", end: str = "") -> Response:
        need(request, "supervisor")
        first, last = _period(portal.clock().date(), start, end)
        return Response(reports.to_json(portal.report(first, last)),
                        media_type="application/json")

    @app.post("/api/admin/sweep")
    async def api_sweep(request: Request) -> dict[str, Any]:
        need(request, "supervisor")
        report = await run_in_threadpool(portal.sweep)
        return {"apologised": list(report.apologised), "stopped": list(report.stopped),
                "failed": [list(f) for f in report.failed]}

    @app.post("/api/admin/relay")
    async def api_relay(request: Request) -> dict[str, Any]:
        need(request, "supervisor")
        report = await run_in_threadpool(portal.relay)
        return {"delivered": list(report.delivered), "failed": [list(f) for f in report.failed]}

    return app


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise HttpError(422, "the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise HttpError(422, "the body must be a JSON object")
    return body


def _period(today: dt.date, start: str, end: str) -> tuple[dt.date, dt.date]:
    """The period asked for (ISO dates), by default this month up to today."""
    try:
        first = dt.date.fromisoformat(start) if start else today.replace(day=1)
        last = dt.date.fromisoformat(end) if end else today
    except ValueError as exc:
        raise HttpError(422, f"start and end are dates (YYYY-MM-DD): {exc}") from None
    return first, last


def _iso(x: dt.datetime | None) -> str | None:
    return None if x is None else x.isoformat()


def _entry(e: Any) -> dict[str, Any]:
    return {"dossier": e.dossier_id, "step": e.step, "status": e.status, "due": _iso(e.due),
            "step_due": _iso(e.step_due), "dossier_due": _iso(e.dossier_due),
            "overdue_since": _iso(e.overdue_since), "reason": e.reason}


def _dossier_json(portal: Portal, d: Dossier) -> dict[str, Any]:
    return {"id": d.id, "procedure": d.procedure, "status": d.status.value,
            "applicant": d.applicant, "active_steps": list(d.active_steps),
            "appointment": _iso(d.appointment), "version": d.version,
            "forms": [n for n, f in FORMS.items() if f in portal.renderer.forms_of(d)],
            "history": [type(e).__name__ for e in d.history]}
