"""Sample dossiers for the forms, on the Vietnamese catalogue and the 2026 calendar: what
``python -m dossierflow forms --demo`` renders, what the golden tests hold, and a preview for
a portal adjusting its templates.

- ``H29.123.45-260302-0001``, first land registration with a certificate (1.012757, 20
  working days): received online with its documents, asked by the land office to supplement,
  supplemented, handed from the commune to the land office, the tax office and back, late at
  the tax office, which apologises with a new appointment; then resolved and returned (Forms
  01, 02, 04, 06).
- ``H29.123.45-260303-0002``, certified copy (2.000815): refused at the desk (Form 03).
- ``H29.123.45-260304-0003``, household business registration (2.000720): received, fee
  paid at the desk, then withdrawn by the applicant (Form 05).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

import attrs

from dossierflow.calendar import vietnam
from dossierflow.catalogues import vietnam as vietnam_catalogue
from dossierflow.clock import Sla
from dossierflow.forms._context import Applicant, Letterhead
from dossierflow.states import (
    Channel,
    Citizen,
    CompleteStep,
    Dossier,
    Engine,
    File,
    Form,
    Officer,
    Outcome,
    PayFee,
    PaymentMethod,
    Receive,
    Refuse,
    RequestSupplement,
    ReturnResult,
    Supplement,
    Withdraw,
)

LAND = "H29.123.45-260302-0001"
REFUSED = "H29.123.45-260303-0002"
WITHDRAWN = "H29.123.45-260304-0003"
_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@attrs.frozen
class Samples:
    """The engine, its clock, the sample dossiers by code, their applicants, the letterhead
    of the sample commune, and the period the register covers."""

    engine: Engine
    sla: Sla
    dossiers: Mapping[str, Dossier]
    applicants: Mapping[str, Applicant]
    letterhead: Letterhead
    first: dt.date
    last: dt.date


def _at(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=_TZ)


def samples() -> Samples:
    """The sample dossiers (always the same: fixed instants on the 2026 calendar)."""
    engine = Engine(vietnam_catalogue.catalogue(), calendar=vietnam())
    sla = Sla(engine)
    desk = Officer("Nguyễn Thị Hoa", "ubnd_xa", "one_stop")
    land = Officer("Trần Văn Bình", "ubnd_xa", "land_officer")
    registrar = Officer("Lê Minh Châu", "cn_vpdkdd", "registrar")
    tax = Officer("Phạm Quốc Dũng", "thue", "tax_officer")
    chairman = Officer("Hoàng Văn Em", "ubnd_xa", "chairman")
    people = {
        LAND: Applicant("Nguyễn Văn An", "001085012345", "Thôn Đông, xã Tân Hiệp, tỉnh Lào Cai",
                        "0912 345 678", "an.nguyen@example.vn"),
        REFUSED: Applicant("Đỗ Thị Bích Ngọc", "001190054321", "Tổ 3, phường Sa Pa, tỉnh Lào Cai",
                           "0987 654 321", ""),
        WITHDRAWN: Applicant("Vũ Đức Thắng", "001078098765", "Thôn Tây, xã Tân Hiệp, tỉnh Lào Cai",
                             "0905 111 222", "thang.vu@example.vn"),
    }
    found: dict[str, Dossier] = {}

    def run(d: Dossier | None, command: object, at: dt.datetime, actor: object) -> Dossier:
        after, _ = engine.apply(d, command, at=at, actor=actor)  # type: ignore[arg-type]
        return after

    a = Citizen(people[LAND].id_number)
    d = run(None, File(LAND, "1.012757", Channel.ONLINE, applicant=a.id), _at(2, 9, 10), a)
    d = run(d, Receive("0001", documents=(
        "Đơn đăng ký đất đai, tài sản gắn liền với đất (Mẫu số 04/ĐK)",
        "Giấy tờ về quyền sử dụng đất (bản sao)",
        "Sơ đồ thửa đất, trích đo địa chính",
        "Chứng từ nộp nghĩa vụ tài chính (nếu có)")), _at(2, 9, 40), desk)
    d = run(d, CompleteStep("verify", to_person=registrar.id, note="Đã xác minh hiện trạng"),
            _at(9, 15, 0), land)
    d = run(d, RequestSupplement(("Bản vẽ sơ đồ tài sản gắn liền với đất",),
                                 "Hồ sơ thiếu sơ đồ nhà ở trên thửa đất"), _at(10, 10), registrar)
    d = run(d, Supplement(("Bản vẽ sơ đồ tài sản gắn liền với đất",)), _at(12, 14, 30), a)
    d = run(d, CompleteStep("register", to_person=tax.id), _at(19, 10, 15), registrar)
    apology = sla.apology(d, _at(3, 8, 0, month=4),
                          "Cơ quan thuế cần thêm thời gian xác định nghĩa vụ tài chính")
    d = run(d, apology, _at(3, 8, 0, month=4), Officer(tax.id, apology.agency, "tax_officer"))
    d = run(d, CompleteStep("assess_obligations", to_person=chairman.id), _at(6, 16, 0, 4), tax)
    d = run(d, CompleteStep("sign", Outcome.APPROVE), _at(8, 9, 30, month=4), chairman)
    d = run(d, ReturnResult("in_person"), _at(9, 14, 0, month=4), desk)
    found[LAND] = d

    b = Citizen(people[REFUSED].id_number)
    d = run(None, File(REFUSED, "2.000815", Channel.IN_PERSON, applicant=b.id),
            _at(3, 10, 5), b)
    d = run(d, Refuse("Bản chính xuất trình là bản đã bị tẩy xóa, sửa chữa nội dung, không "
                      "đủ điều kiện chứng thực bản sao (Điều 22 Nghị định 23/2015/NĐ-CP)"),
            _at(3, 10, 20), desk)
    found[REFUSED] = d

    c = Citizen(people[WITHDRAWN].id_number)
    d = run(None, File(WITHDRAWN, "2.000720", Channel.IN_PERSON, applicant=c.id),
            _at(4, 8, 30), c)
    d = run(d, Receive("0003", documents=("Giấy đề nghị đăng ký hộ kinh doanh",
                                          "Bản sao giấy tờ pháp lý của chủ hộ kinh doanh")),
            _at(4, 8, 45), desk)
    d = run(d, PayFee(100_000, PaymentMethod.DESK), _at(4, 8, 50), desk)
    d = run(d, Withdraw("Người nộp hồ sơ đề nghị rút hồ sơ để bổ sung ngành nghề kinh doanh"),
            _at(5, 9, 0), c)
    found[WITHDRAWN] = d

    return Samples(engine, sla, MappingProxyType(found), MappingProxyType(people),
                   Letterhead("ỦY BAN NHÂN DÂN XÃ TÂN HIỆP", place="Tân Hiệp",
                              hotline="0214 3 888 999"),
                   dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def write_samples(directory: str | os.PathLike[str], *, pdf: bool = False,
                  language: str = "vi") -> tuple[Path, ...]:
    """Render every form of the sample dossiers into ``directory`` (created if needed) as
    ``form01.html``... ``form07.html`` (and ``.pdf`` with ``pdf``, which needs WeasyPrint);
    returns the files written."""
    from dossierflow.forms._renderer import Renderer

    s = samples()
    renderer = Renderer(s.engine, sla=s.sla, letterhead=s.letterhead, language=language)
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    pages: dict[str, str] = {}
    for form, code in SAMPLE_OF.items():
        pages[f"form{form.number}"] = renderer.render(
            form, s.dossiers[code], applicant=s.applicants[code],
            collect_at="Bộ phận Một cửa xã Tân Hiệp" if language == "vi" else "")
    pages["form07"] = renderer.register(s.dossiers.values(), first=s.first, last=s.last,
                                        applicants=lambda d: s.applicants.get(d.id))
    written = []
    for name, html in pages.items():
        path = out / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        written.append(path)
        if pdf:
            target = out / f"{name}.pdf"
            target.write_bytes(renderer.pdf(html))
            written.append(target)
    return tuple(written)


SAMPLE_OF: Mapping[Form, str] = MappingProxyType({
    Form.RECEIPT: LAND, Form.SUPPLEMENT_REQUEST: LAND, Form.REFUSAL: REFUSED,
    Form.APOLOGY: LAND, Form.STOP_NOTICE: WITHDRAWN, Form.CONTROL_SLIP: LAND,
})
"""The sample dossier each form is rendered from."""
