"""Notices: Vietnamese formatting, SMS lengths, the wording of every notice, and the outbox
messages written by Store.run and delivered by Store.relay on every backend."""

from __future__ import annotations

import datetime as dt
import json
from string import Template
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from dossierflow import InvalidArgument
from dossierflow.forms._samples import LAND, REFUSED, WITHDRAWN, samples
from dossierflow.notices import TEXTS, NoticeKind, NoticeText, compose, kind_of
from dossierflow.notices._texts import fill
from dossierflow.rules import working_days
from dossierflow.states import (
    Channel,
    Extend,
    File,
    Pause,
    Receive,
    RequestSupplement,
    Resume,
    Supplement,
    Withdraw,
)
from dossierflow.store import OutboxMessage, Store, TamperKind
from dossierflow.store import _schema as tables
from dossierflow.text import (
    GSM_7,
    UCS_2,
    format_amount,
    format_date,
    format_instant,
    format_short,
    format_time,
    sms_segments,
    unaccent,
)
from tests.store_support import Spec
from tests.test_store_law import APPLICANT, CLERK, DESK, ENGINE, vn

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


# ------------------------------------------------------------------------------ formatting

def test_dates_hours_and_amounts_are_written_the_vietnamese_way() -> None:
    at = dt.datetime(2026, 2, 23, 10, 0, tzinfo=dt.UTC)  # 17:00 in Hanoi
    assert format_date(at) == "ngày 23 tháng 02 năm 2026"
    assert format_date(dt.date(2026, 3, 5)) == "ngày 05 tháng 3 năm 2026"  # months 1-2 only
    assert format_date(dt.date(2026, 12, 31)) == "ngày 31 tháng 12 năm 2026"
    assert format_time(at) == "17 giờ 00"
    assert format_time(dt.time(9, 5), minutes=True) == "9 giờ 05 phút"
    assert format_instant(at) == "17 giờ 00, ngày 23 tháng 02 năm 2026"
    assert format_short(at) == "17h00 23/02/2026"
    assert format_amount(2000) == "2.000 đồng"
    assert format_amount(1_234_567) == "1.234.567 đồng"
    assert format_amount(0) == "0 đồng"
    assert format_date(at, language="en") == "23 February 2026"
    assert format_instant(at, language="en") == "17:00, 23 February 2026"
    assert format_amount(2000, language="en") == "2,000 VND"


@pytest.mark.parametrize("bad", [
    lambda: format_date(dt.datetime(2026, 1, 1)),           # naive
    lambda: format_amount(2.5),                              # type: ignore[arg-type]
    lambda: format_amount(True),
    lambda: format_date(dt.date(2026, 1, 1), language="fr"),
])
def test_bad_arguments_are_refused(bad: Any) -> None:
    with pytest.raises(InvalidArgument):
        bad()


# ------------------------------------------------------------------------------ SMS lengths

@pytest.mark.parametrize(("text", "expected"), [
    ("", (GSM_7, 1, 0)),
    ("a" * 160, (GSM_7, 1, 160)),
    ("a" * 161, (GSM_7, 2, 161)),
    ("a" * 306, (GSM_7, 2, 306)),
    ("a" * 307, (GSM_7, 3, 307)),
    ("€" * 80, (GSM_7, 1, 160)),                # the extension table takes two septets
    ("a" * 152 + "€" + "a" * 10, (GSM_7, 2, 164)),  # the escape is not split: 152 | 2 + 10
    ("a" * 152 + "€" * 77, (GSM_7, 3, 306)),    # 152 | 76 pairs | 1 pair
    ("ơ" * 70, (UCS_2, 1, 70)),
    ("ơ" * 71, (UCS_2, 2, 71)),
    ("ơ" * 134, (UCS_2, 2, 134)),
    ("ơ" * 135, (UCS_2, 3, 135)),
    ("a" * 69 + "😀", (UCS_2, 2, 71)),          # a surrogate pair counts two
    ("Hồ sơ", (UCS_2, 1, 5)),
    ("Ho so", (GSM_7, 1, 5)),
])
def test_sms_segments(text: str, expected: tuple[str, int, int]) -> None:
    assert tuple(sms_segments(text)) == expected


def test_unaccent_drops_every_vietnamese_diacritic() -> None:
    assert unaccent("Hồ sơ đã được tiếp nhận. ĐƯỢC Ấy Ỵ") == "Ho so da duoc tiep nhan. DUOC Ay Y"
    vowels = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    plain = unaccent(vowels + vowels.upper())
    assert sms_segments(plain).encoding == GSM_7
    assert set(plain) <= set("aeiouydAEIOUYD")


# ------------------------------------------------------------------------------ the wording

def _every_notice(language: str = "vi", code: str | None = None) -> list[Any]:
    s = samples()
    found = []
    for d in s.dossiers.values():
        proc = s.engine.procedure_of(d)
        for k, e in enumerate(d.history, 1):
            due = s.sla.advance(None, d, d.history[:k]).due
            n = compose(e, dossier_id=code or d.id, procedure=proc, due=due, language=language)
            if n is not None:
                found.append(n)
    return found


def test_the_samples_give_every_kind_but_one_and_their_appointments() -> None:
    notices = _every_notice()
    kinds = {n.kind for n in notices}
    assert kinds == set(NoticeKind) - {NoticeKind.REJECTED, NoticeKind.STOPPED}
    received = next(n for n in notices if n.kind is NoticeKind.RECEIVED)
    assert received.sms == "Hồ sơ H29.123.45-260302-0001 đã được tiếp nhận. Hẹn trả kết quả: " \
        "09h10 30/03/2026."
    assert "9 giờ 10, ngày 30 tháng 3 năm 2026" in received.email_body
    moved = next(n for n in notices if n.kind is NoticeKind.APPOINTMENT_MOVED)
    assert moved.moved
    assert moved.appointment is not None
    assert "đã nhận đủ hồ sơ bổ sung" in moved.sms
    apology = next(n for n in notices if n.kind is NoticeKind.APOLOGY)
    assert "Cơ quan thuế cần thêm thời gian" in apology.email_body
    assert apology.appointment is not None
    assert apology.moved


@pytest.mark.parametrize("code", [
    "H29.123.45-260302-0001",           # Circular 03/2025 Art. 13(1) shape
    "000.00.01.H29-240115-0001",        # Circular 01/2018 Art. 19 shape, 25 characters
    "H29.123.45-260310-010042",         # Circular 03/2025 Art. 13(3), added by 04/2025
])
def test_every_default_sms_fits_two_ucs2_segments_and_one_gsm_message_unaccented(
        code: str) -> None:
    for n in _every_notice(code=code):
        assert n.sms_segments == sms_segments(n.sms)
        assert n.sms_segments.encoding == UCS_2
        assert n.sms_segments.segments <= 2, n.sms
        assert n.sms_unaccented == unaccent(n.sms)
        assert n.sms_unaccented_segments.encoding == GSM_7, n.sms_unaccented
        assert n.sms_unaccented_segments.segments == 1, n.sms_unaccented


def test_english_is_the_second_locale() -> None:
    notices = _every_notice("en")
    received = next(n for n in notices if n.kind is NoticeKind.RECEIVED)
    assert received.sms == "Dossier H29.123.45-260302-0001 was received. Result due 09:10 " \
        "30/03/2026."
    assert all(n.sms_segments.encoding == GSM_7 and n.sms_segments.segments == 1
               for n in notices)
    assert set(TEXTS["en"]) == set(TEXTS["vi"]) == set(NoticeKind)


def test_a_portal_can_replace_the_wording_of_one_kind() -> None:
    s = samples()
    d = s.dossiers[WITHDRAWN]
    notice = d.history[-1]
    assert kind_of(notice) is NoticeKind.WITHDRAWN
    mine = {NoticeKind.WITHDRAWN: attrs_evolve_sms(TEXTS["vi"][NoticeKind.WITHDRAWN],
                                                   "Đã rút hồ sơ $code.")}
    n = compose(notice, dossier_id=d.id, procedure=s.engine.procedure_of(d), texts=mine)
    assert n is not None
    assert n.sms == f"Đã rút hồ sơ {d.id}."
    refused = s.dossiers[REFUSED].history[-1]
    n = compose(refused, dossier_id=REFUSED, procedure=s.engine.procedure_of(
        s.dossiers[REFUSED]), texts=mine)
    assert n is not None
    assert n.kind is NoticeKind.REFUSED
    assert "bị từ chối" in n.sms
    assert "tẩy xóa" in n.email_body


VALUES = {"code": "H29.123.45-260302-0001", "a": "{0} {code}", "b_1": "$code", "A": "Ấ"}
PIECES = ["$code", "${code}", "$a", "${a}", "$A", "$b_1", "$b_1x", "${b_1}x", "$$", "$$code",
          "$", "${", "${code", "$1", "$ ", "{", "}", "{}", "{0}", "{code}", "{{", "}}",
          "Hồ sơ ", "đã ", ".", "x", "\n", "…"]


def _outcome(fn: Any) -> Any:
    try:
        return fn()
    except (KeyError, ValueError) as e:
        return type(e), e.args


@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_filling_a_template_is_substitute(text: str) -> None:
    t = Template(text)
    assert _outcome(lambda: fill(t, VALUES)) == _outcome(lambda: t.substitute(VALUES))


def test_a_template_of_its_own_kind_is_filled_by_its_own_rules() -> None:
    class Percent(Template):
        delimiter = "%"

    escaping = Template("Hồ sơ #code, $code, $$")
    escaping.delimiter = "#"  # type: ignore[misc]
    reading = Template("Hồ sơ %code, $code, %%")
    reading.pattern = Percent.pattern  # type: ignore[misc]
    for template in (Percent("Hồ sơ %code, $code"), escaping, reading):
        assert fill(template, VALUES) == template.substitute(VALUES)
    assert fill(Percent("%code {x} $$"), VALUES) == "H29.123.45-260302-0001 {x} $$"


def test_every_default_text_is_filled_as_substitute_fills_it() -> None:
    values = {k: f"<{k}>" for k in ("code", "procedure", "unit", "received", "appointment",
                                    "short", "previous", "reason", "items", "items_inline",
                                    "cause")}
    for texts in TEXTS.values():
        for wording in texts.values():
            for field in attrs.fields(NoticeText):
                template = getattr(wording, field.name)
                assert fill(template, values) == template.substitute(values)


def attrs_evolve_sms(text: Any, sms: str) -> Any:
    return attrs.evolve(text, sms=Template(sms), sms_plain=Template(sms))


def test_events_without_a_notice_give_none() -> None:
    s = samples()
    d = s.dossiers[LAND]
    filed = d.history[0]
    assert compose(filed, dossier_id=d.id, procedure=s.engine.procedure_of(d)) is None


# ---------------------------------------------------------------- the outbox, every backend

def _messages(store: Store) -> list[OutboxMessage]:
    got: list[OutboxMessage] = []
    while True:
        report = store.relay(got.append, at=vn(2026, 6, 1, 9))
        if not report.delivered:
            return got


def test_the_outbox_carries_the_notices_and_every_moved_appointment(
        store_spec: Spec, opened: Any) -> None:
    store = opened(eng=ENGINE)
    ident = "H29-260302-0007"
    store.file(File(ident, "1.000009", Channel.ONLINE), at=vn(2026, 3, 2, 9), actor=APPLICANT)
    store.run(ident, Receive("R"), at=vn(2026, 3, 2, 9), actor=DESK)
    store.run(ident, RequestSupplement(["proof of address"], "the address differs"),
              at=vn(2026, 3, 2, 10), actor=CLERK)
    store.run(ident, Supplement(["proof"]), at=vn(2026, 3, 4, 11), actor=APPLICANT)
    after_supplement = store.sla.due(store.load(ident))
    store.run(ident, Pause("relatives confirm", kind="vneid"), at=vn(2026, 3, 5, 10),
              actor=CLERK)
    store.run(ident, Resume("confirmed"), at=vn(2026, 3, 6, 15), actor=CLERK)
    after_resume = store.sla.due(store.load(ident))
    d = store.load(ident)
    apology = store.sla.apology(d, vn(2026, 3, 9, 9), "the verification took longer")
    store.run(ident, apology, at=vn(2026, 3, 9, 9), actor=CLERK)
    store.run(ident, Withdraw("no longer needed"), at=vn(2026, 3, 10, 9), actor=APPLICANT)

    messages = _messages(store)
    by_type = {m.type: m for m in messages}
    assert [m.type for m in messages] == [
        "Received", "SupplementRequested", "Supplemented", "Resumed", "Apologized",
        "StopNoticeIssued"]
    for m in messages:
        notice = m.payload["notice"]
        assert notice["sms_segments"]["segments"] <= 2
        assert notice["sms_unaccented_segments"] == {
            "encoding": "GSM-7", "segments": 1, "length": len(notice["sms_unaccented"])}
        assert m.payload["at"]  # the event's own keys are still there
        assert m.payload["schema"]
    received = by_type["Received"].payload
    # both kept: the event's (with its zone's name) and the notice's (ISO 8601)
    assert received["appointment"]["due"].startswith(received["notice"]["appointment"])
    assert not received["notice"]["moved"]
    assert by_type["Supplemented"].payload["notice"]["appointment"] == \
        after_supplement.isoformat()
    assert by_type["Resumed"].payload["notice"]["appointment"] == after_resume.isoformat()
    assert after_resume != after_supplement  # the pause moved it again
    assert by_type["Apologized"].payload["notice"]["appointment"] == \
        apology.new_appointment.isoformat()
    assert by_type["Apologized"].payload["notice"]["kind"] == "apology"
    assert by_type["StopNoticeIssued"].payload["notice"]["kind"] == "withdrawn"
    assert "proof of address" in by_type["SupplementRequested"].payload["notice"]["email_body"]
    assert store.verify_all() == ()


def test_an_extension_moves_the_appointment_in_the_outbox(store_spec: Spec,
                                                         opened: Any) -> None:
    from tests.test_store_clock import CIVIL, engine, group_a

    store = opened(eng=engine())
    group_a(store, version=2)
    store.run("G-1", Extend(working_days(1), "verification", "Decree 63/2024/NĐ-CP"),
              at=vn(2026, 3, 2, 10), actor=CIVIL)
    moved = [m for m in _messages(store) if m.type == "Extended"]
    (m,) = moved
    assert m.payload["notice"]["kind"] == "appointment_moved"
    assert m.payload["notice"]["appointment"] == store.sla.due(store.load("G-1")).isoformat()
    assert "gia hạn" in m.payload["notice"]["sms"]


def test_an_edited_notice_is_found(store_spec: Spec, opened: Any) -> None:
    store = opened(eng=ENGINE)
    store.file(File("E", "1.000009", Channel.ONLINE), at=vn(2026, 3, 2, 9), actor=APPLICANT)
    store.run("E", Receive("R"), at=vn(2026, 3, 2, 9), actor=DESK)
    assert store.verify_all() == ()
    ob = tables.outbox
    with store.db.begin() as conn:
        payload = json.loads(conn.execute(sa.select(ob.c.payload)).scalar_one())
        payload["notice"]["sms"] = "Hồ sơ E: mời nộp thêm 500.000 đồng vào tài khoản ..."
        conn.execute(sa.update(ob).values(payload=json.dumps(payload, ensure_ascii=False)))
    (found,) = store.verify_all()
    assert found.kind is TamperKind.OUTBOX_EDITED
    assert found.seq == 2
