"""What each form shows, read off a dossier (and the clock) as ready-to-print text: the
templates only lay it out. Blank fields print as dotted leaders, to be filled by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from dossierflow._errors import InvalidArgument
from dossierflow.clock import Sla, Verdict
from dossierflow.rules import TimeLimit, Unit
from dossierflow.states import (
    RECEPTION,
    Apologized,
    Delivery,
    Dossier,
    Form,
    Procedure,
    Refused,
    ResultReturned,
    StopNoticeIssued,
    SupplementRequested,
)
from dossierflow.text import format_amount, format_date, format_instant

DOTS = "…………"
DESK_VI = "Bộ phận TN&TKQ"
DESK_EN = "One-stop desk"


@attrs.frozen
class Applicant:
    """Who filed the dossier, as the forms print them (the portal has these from the
    population or business-registration database; a dossier keeps only the applicant's id).
    Empty fields print as dotted leaders. ``representative``: for an authorised person, the
    authoriser's details and the authorisation."""

    name: str = ""
    id_number: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    representative: str = ""


@attrs.frozen
class Letterhead:
    """The issuing block at the top left: ``parent`` (the governing body, e.g. "ỦY BAN NHÂN
    DÂN XÃ TÂN HIỆP"; default: the receiving agency's name), ``unit`` (the one-stop
    department), ``place`` (the place before the date, e.g. "Tân Hiệp"), ``hotline`` (the
    phone number Form 02 gives for help) and ``number_suffix`` (the tail of each form's
    number line, default "TTPVHCC (BPTNTKQ)")."""

    parent: str = ""
    unit: str = "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ"
    place: str = ""
    hotline: str = ""
    number_suffix: str = "TTPVHCC (BPTNTKQ)"


_PREFIX = {Form.RECEIPT: "", Form.SUPPLEMENT_REQUEST: "PBS-", Form.REFUSAL: "PTC-",
           Form.APOLOGY: "PXL-", Form.STOP_NOTICE: "TBD-", Form.CONTROL_SLIP: "PKS-",
           Form.REGISTER: "STD-"}
_VERDICT = {"vi": {Verdict.EARLY: "Trước hạn", Verdict.ON_TIME: "Đúng hạn",
                   Verdict.LATE: "Quá hạn"},
            "en": {Verdict.EARLY: "Early", Verdict.ON_TIME: "On time", Verdict.LATE: "Late"}}
_DELIVERY = {"vi": {Delivery.IN_PERSON.value: "Trực tiếp", Delivery.POST.value: "Bưu chính",
                    Delivery.ELECTRONIC.value: "Trực tuyến"},
             "en": {Delivery.IN_PERSON.value: "In person", Delivery.POST.value: "By post",
                    Delivery.ELECTRONIC.value: "Online"}}


def limit_text(limit: TimeLimit | None, language: str) -> str:
    """A time limit as Form 01 prints it: "03 ngày làm việc", "trong ngày (nhận sau 15 giờ
    00: ngày làm việc tiếp theo)", "4 giờ làm việc"."""
    if limit is None:
        return DOTS
    amount = limit.amount.normalize()
    text = f"{amount:f}".replace(".", ",") if language == "vi" else f"{amount:f}"
    if amount == int(amount) and amount < 10:
        text = f"{int(amount):02d}"
    vi = {Unit.WORKING_DAYS: f"{text} ngày làm việc", Unit.WORKING_HOURS: f"{text} giờ làm việc",
          Unit.SAME_DAY: "trong ngày", Unit.CALENDAR_DAYS: f"{text} ngày",
          Unit.MONTHS: f"{text} tháng"}
    en = {Unit.WORKING_DAYS: f"{text} working day{'' if amount == 1 else 's'}",
          Unit.WORKING_HOURS: f"{text} working hour{'' if amount == 1 else 's'}",
          Unit.SAME_DAY: "the same working day", Unit.CALENDAR_DAYS: f"{text} days",
          Unit.MONTHS: f"{text} months"}
    found = (vi if language == "vi" else en)[limit.unit]
    if limit.cutoff is not None:
        found += (f" (nhận sau {limit.cutoff.hour} giờ {limit.cutoff.minute:02d}: đến hết ngày "
                  "làm việc tiếp theo)" if language == "vi" else
                  f" (received after {limit.cutoff:%H:%M}: by the end of the next working day)")
    return found


@attrs.frozen
class Facts:
    """What the context builders share: the clock, names of units, the letterhead, the
    language and the calendar's zone."""

    sla: Sla
    units: Mapping[str, str]
    letterhead: Letterhead
    language: str

    @property
    def timezone(self) -> str:
        return self.sla.calendar.timezone

    def procedure(self, dossier: Dossier) -> Procedure:
        return self.sla.engine.procedure_of(dossier)

    def unit(self, ident: str, procedure: Procedure | None = None) -> str:
        if ident in self.units:
            return self.units[ident]
        if procedure is not None:
            for a in procedure.agencies:
                if a.id == ident:
                    return a.name
        return ident

    def when(self, at: dt.datetime | None, *, minutes: bool = True) -> str:
        if at is None:
            return DOTS
        return format_instant(at, language=self.language, minutes=minutes,
                              timezone=self.timezone)

    def day(self, at: dt.datetime | None) -> str:
        if at is None:
            return DOTS
        return format_date(at, language=self.language, timezone=self.timezone)

    def short(self, at: dt.datetime | None) -> str:
        if at is None:
            return ""
        return f"{at.astimezone(ZoneInfo(self.timezone)):%H:%M %d/%m/%Y}"

    def header(self, form: Form, dossier: Dossier | None, at: dt.datetime | None,
               number: str = "") -> dict[str, Any]:
        lh = self.letterhead
        parent = lh.parent
        if not parent and dossier is not None:
            proc = self.procedure(dossier)
            desk = dossier.receipt.agency if dossier.receipt else proc.receivers[0]
            parent = self.unit(desk, proc).upper()
        place = lh.place or DOTS
        return {
            "parent": parent, "unit": lh.unit,
            "number_line": f"Số: {number or DOTS}/{_PREFIX[form]}{lh.number_suffix}",
            "place_date": f"{place}, {self.day(at)}" if at is not None else
            f"{place}, ngày … tháng … năm …",
        }


def _person(applicant: Applicant | None) -> dict[str, str]:
    a = applicant or Applicant()
    return {"name": a.name or DOTS, "id_number": a.id_number or DOTS,
            "address": a.address or DOTS, "phone": a.phone or DOTS, "email": a.email or DOTS,
            "representative": a.representative}


def _last(dossier: Dossier, kind: type[Any], form: Form) -> Any:
    for e in reversed(dossier.history):
        if type(e) is kind:
            return e
    raise InvalidArgument(f"dossier {dossier.id} has no {kind.__name__} event, so no Form "
                          f"{form.number} ({form.title_en}); its forms: "
                          f"{', '.join(f.number for f in forms_of(dossier))}")


def forms_of(dossier: Dossier) -> tuple[Form, ...]:
    """The forms ``dossier`` has so far, by number (the register is rendered for a period)."""
    kinds = {type(e) for e in dossier.history}
    found = []
    if dossier.receipt is not None:
        found.append(Form.RECEIPT)
    if SupplementRequested in kinds:
        found.append(Form.SUPPLEMENT_REQUEST)
    if Refused in kinds:
        found.append(Form.REFUSAL)
    if Apologized in kinds:
        found.append(Form.APOLOGY)
    if StopNoticeIssued in kinds:
        found.append(Form.STOP_NOTICE)
    if dossier.receipt is not None:
        found.append(Form.CONTROL_SLIP)
    return tuple(sorted(found, key=lambda f: f.number))


def receipt(f: Facts, d: Dossier, applicant: Applicant | None, at: dt.datetime | None,
            collect_at: str) -> dict[str, Any]:
    r = d.receipt
    if r is None:
        _last(d, type(None), Form.RECEIPT)  # raises: not received
        raise AssertionError
    proc = f.procedure(d)
    return {
        **f.header(Form.RECEIPT, d, r.at, r.receipt_no), "code": d.id,
        "applicant": _person(applicant), "procedure": proc.name,
        "desk": f.unit(r.agency, proc), "documents": list(r.documents),
        "count": "01", "limit": limit_text(r.appointment.limit if r.appointment else
                                           _plain_limit(proc), f.language),
        "received": f.when(r.at), "appointment": f.when(d.appointment),
        "collect_at": collect_at or DOTS, "book": DOTS, "sequence": r.receipt_no or DOTS,
    }


def _plain_limit(proc: Procedure) -> TimeLimit | None:
    limit = proc.time_limit
    return limit if isinstance(limit, TimeLimit) else None


def supplement(f: Facts, d: Dossier, applicant: Applicant | None,
               at: dt.datetime | None) -> dict[str, Any]:
    e: SupplementRequested = _last(d, SupplementRequested, Form.SUPPLEMENT_REQUEST)
    proc = f.procedure(d)
    return {
        **f.header(Form.SUPPLEMENT_REQUEST, d, e.at), "code": d.id,
        "applicant": _person(applicant), "procedure": proc.name, "items": list(e.items),
        "reason": e.reason, "unit": f.unit(e.agency, proc),
        "officer": getattr(e.actor, "id", str(e.actor)),
        "hotline": f.letterhead.hotline or DOTS,
    }


def refusal(f: Facts, d: Dossier, applicant: Applicant | None,
            at: dt.datetime | None) -> dict[str, Any]:
    e: Refused = _last(d, Refused, Form.REFUSAL)
    proc = f.procedure(d)
    return {
        **f.header(Form.REFUSAL, d, e.at), "code": d.id, "applicant": _person(applicant),
        "procedure": proc.name, "desk": f.unit(proc.receivers[0], proc), "reasons": e.reasons,
    }


def apology(f: Facts, d: Dossier, applicant: Applicant | None,
            at: dt.datetime | None) -> dict[str, Any]:
    e: Apologized = _last(d, Apologized, Form.APOLOGY)
    proc = f.procedure(d)
    r = d.receipt
    return {
        **f.header(Form.APOLOGY, d, e.at), "code": d.id, "applicant": _person(applicant),
        "procedure": proc.name, "agency": f.unit(e.agency, proc),
        "desk": f.unit(r.agency, proc) if r else DOTS,
        "received": f.when(r.at if r else None), "appointment": f.when(e.original_appointment),
        "reason": e.reason, "new_appointment": f.when(e.new_appointment),
        "new_day": f.day(e.new_appointment),
    }


def stop_notice(f: Facts, d: Dossier, applicant: Applicant | None,
                at: dt.datetime | None) -> dict[str, Any]:
    e: StopNoticeIssued = _last(d, StopNoticeIssued, Form.STOP_NOTICE)
    proc = f.procedure(d)
    r = d.receipt
    paid = d.payment
    return {
        **f.header(Form.STOP_NOTICE, d, e.at), "code": d.id, "applicant": _person(applicant),
        "procedure": proc.name, "received": f.when(r.at if r else None),
        "requested_by_applicant": e.requested_by_applicant, "stopped": f.when(e.at),
        "channel": d.channel.name, "reason": e.reason, "legal_basis": e.legal_basis,
        "fee": format_amount(paid.amount, language=f.language) if paid else "",
        "agency": f.unit(e.agency, proc),
    }


def control_slip(f: Facts, d: Dossier, applicant: Applicant | None,
                 at: dt.datetime | None) -> dict[str, Any]:
    r = d.receipt
    if r is None:
        _last(d, type(None), Form.CONTROL_SLIP)
        raise AssertionError
    proc = f.procedure(d)
    desk_name = DESK_VI if f.language == "vi" else DESK_EN
    rows = []
    slip = f.sla.control_slip(d, at)
    for k, row in enumerate(slip):
        giver = desk_name if row.step == RECEPTION else f.unit(row.from_unit, proc)
        ends = k == len(slip) - 1 and row.to_unit == r.agency and not d.active
        taker = desk_name if ends else ", ".join(
            f.unit(u, proc) for u in row.to_unit.split(", ") if u) or DOTS
        rows.append({
            "giver": giver, "taker": taker, "at": f.when(row.at),
            "giver_person": row.from_person, "taker_person": row.to_person or "",
            "result": _VERDICT[f.language].get(row.verdict, "") if row.verdict else "",
            "note": row.note,
        })
    handling = r.to_units[0] if r.to_units else r.agency
    seen = [u for row in slip for u in (row.from_unit, *row.to_unit.split(", "))]
    partners = [u for u in dict.fromkeys(seen) if u and u not in (r.agency, handling)]
    return {
        **f.header(Form.CONTROL_SLIP, d, at or (slip[-1].at if slip else r.at),
                   r.receipt_no),
        "code": d.id, "procedure": proc.name,
        "handling": f.unit(handling, proc),
        "partners": ", ".join(f.unit(u, proc) for u in partners) or DOTS,
        "received": f.when(r.at), "appointment": f.when(d.appointment), "rows": rows,
        "blank_rows": max(0, 4 - len(rows)),
    }


def register(f: Facts, dossiers: Sequence[Dossier], first: dt.date, last: dt.date,
             applicants: Callable[[Dossier], Applicant | None]) -> dict[str, Any]:
    if not isinstance(first, dt.date) or not isinstance(last, dt.date) or first > last:
        raise InvalidArgument(f"the register's period needs first <= last (dates), got "
                              f"{first!r} and {last!r}")
    cal = f.sla.calendar
    chosen = sorted((d for d in dossiers if d.receipt is not None
                     and first <= cal.local_date(d.receipt.at) <= last),
                    key=lambda d: (d.receipt.at if d.receipt else dt.datetime.min, d.id))
    rows = []
    for k, d in enumerate(chosen, 1):
        proc = f.procedure(d)
        r = d.receipt
        assert r is not None
        a = _person(applicants(d))
        returned = next((e for e in reversed(d.history) if type(e) is ResultReturned), None)
        lead = proc.agencies[0].id if not r.to_units else r.to_units[0]
        rows.append({
            "no": f"{k:02d}", "code": d.id, "procedure": proc.name, "name": a["name"],
            "contact": " / ".join(x for x in (a["address"], a["phone"]) if x != DOTS) or "",
            "lead": f.unit(lead, proc), "received": f.short(r.at),
            "appointment": f.short(d.appointment),
            "returned": f.short(returned.at) if returned else "",
            "method": _DELIVERY[f.language].get(returned.method, returned.method)
            if isinstance(returned, ResultReturned) else "",
        })
    period_vi = (f"Từ {format_date(first, language=f.language)} đến "
                 f"{format_date(last, language=f.language)}")
    return {**f.header(Form.REGISTER, None, None), "rows": rows, "period": period_vi,
            "first": first, "last": last}
