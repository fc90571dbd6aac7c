"""Vietnam's catalogue: procedures commonly filed at commune and provincial level after the
two-tier local government reform of 1 July 2025, written as a portal writes its own.

Each procedure carries its national code, its official Vietnamese name and an English one, its
field ("lĩnh vực"), time limit and unit, cut-off, agencies, steps and allotments as a province
publishes them, fee (VND), online level and legal basis. What could not be confirmed against
an official text is listed, in words, in the procedure's ``unverified``: check those figures
against the National Procedure Database (csdl.dichvucong.gov.vn) and your province's published
internal processes before relying on them, and change them in your copy of the catalogue
(:mod:`dossierflow.catalogues` writes and reads it as JSON or TOML).

Structure after 1 July 2025 (Law 72/2025/QH15 on the Organisation of Local Government): the
commune, ward or special zone receives and resolves commune procedures at its public
administration service centre; provincial procedures are received by the provincial centre;
branches of ministries (police, social insurance, tax, land registration) act in their steps.
The agencies below stand for a province's units: a province lists its own communes (each an
:class:`~dossierflow.states.Agency`, those in mountainous, remote or island areas with
``attributes={"terrain": "mountainous"}``) in place of :data:`COMMUNE` and
:data:`MOUNTAIN_COMMUNE`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs

from dossierflow.rules import (
    ApologyTiming,
    ClockPolicy,
    PauseReason,
    SupplementPolicy,
    TimeLimit,
    calendar_days,
    same_day,
    varying,
    working_days,
)
from dossierflow.states import (
    END,
    Agency,
    Catalogue,
    DataField,
    OnlineLevel,
    Procedure,
    Step,
    choice,
    interconnected,
    when,
)

TWO_TIER = dt.date(2025, 7, 1)
"""Two-tier local government: communes, wards and special zones receive from 1 July 2025."""

# ------------------------------------------------------------------------------- agencies

COMMUNE = Agency("ubnd_xa", "Ủy ban nhân dân xã (phường, đặc khu)", level="commune")
"""A commune People's Committee and its public administration service centre."""
MOUNTAIN_COMMUNE = Agency("ubnd_xa_mien_nui", "Ủy ban nhân dân xã miền núi", level="commune",
                          attributes={"terrain": "mountainous"})
"""A commune in a mountainous, remote or island area (land limits are 10 working days longer)."""
COMMUNE_POLICE = Agency("ca_xa", "Công an xã (phường, đặc khu)", level="commune")
"""The commune police: residence registration, security and order certificates."""
SOCIAL_INSURANCE = Agency("bhxh", "Bảo hiểm xã hội cơ sở", level="social insurance branch")
"""The local social-insurance office (health-insurance cards, funeral allowance)."""
LAND_OFFICE = Agency("cn_vpdkdd", "Chi nhánh Văn phòng đăng ký đất đai",
                     level="province branch")
"""The branch of the provincial land registration office serving the commune."""
TAX = Agency("thue", "Cơ quan thuế quản lý", level="tax branch")
"""The tax office that determines land financial obligations."""
PROVINCE_CENTRE = Agency("ttpvhcc_tinh", "Trung tâm Phục vụ hành chính công tỉnh",
                         level="province")
"""The provincial public administration service centre: receives provincial procedures."""
PROVINCIAL_POLICE = Agency("ca_tinh", "Công an tỉnh", level="province")
"""The provincial police (judicial record certificates)."""
BUSINESS_REGISTRATION = Agency("so_tai_chinh", "Sở Tài chính (Phòng Đăng ký kinh doanh)",
                               level="province")
"""The business registration office of the provincial Department of Finance."""

# --------------------------------------------------------------------------- pause reasons

VNEID_CONFIRMATION = PauseReason(
    "vneid_confirmation", "Confirmation by relatives on VNeID",
    legal_basis="Decree 63/2024/NĐ-CP", max_length=working_days(5),
    name_vi="Chờ người thân xác nhận trên ứng dụng VNeID")
"""Waiting for the relatives named in an interconnected filing to confirm it on VNeID, at most
5 working days. Not confirmed: the article of Decree 63/2024/NĐ-CP that sets the 5 days."""
CIVIL_STATUS_VERIFICATION = PauseReason(
    "civil_status_verification", "Civil-status verification",
    legal_basis="Law on Civil Status 2014, Art. 18(2), 34(2); Decree 123/2015/NĐ-CP",
    name_vi="Xác minh hộ tịch")
"""Verifying civil-status facts with another agency. The law lengthens the limit itself for
marriage (5 working days) and death (3): those procedures allow an extension instead; the
pause is for verification the text excludes from the limit. Not confirmed: a general maximum."""
JUDICIAL_RECORD_EXCHANGE = PauseReason(
    "judicial_record_exchange", "Judicial-record data exchange",
    legal_basis="Law on Judicial Records 2009, Art. 48; Decree 111/2010/NĐ-CP",
    max_length=working_days(3), name_vi="Trao đổi, cung cấp thông tin lý lịch tư pháp")
"""Waiting for another agency's judicial-record data, at most 3 working days. Not confirmed:
the article that sets the 3 working days."""
LAND_FINANCIAL_OBLIGATIONS = PauseReason(
    "land_financial_obligations", "Waiting for the applicant to pay land financial obligations",
    legal_basis="Land Law 2024; Decree 101/2024/NĐ-CP",
    name_vi="Chờ người sử dụng đất thực hiện nghĩa vụ tài chính")
"""The time the applicant takes to pay land-use fees and taxes is not counted. Not confirmed:
the article of Decree 101/2024/NĐ-CP that excludes it."""
INHERITANCE_NOTICE = PauseReason(
    "inheritance_notice", "Public notice of an inheritance declaration",
    legal_basis="Decree 23/2015/NĐ-CP; Law on Notarization 2024",
    max_length=calendar_days(15), name_vi="Niêm yết việc khai nhận di sản")
"""The 15-day public posting of an inheritance declaration at the commune, not counted in the
2 working days. Not confirmed: the article that excludes it from the limit."""

PAUSE_REASONS: tuple[PauseReason, ...] = (
    VNEID_CONFIRMATION, CIVIL_STATUS_VERIFICATION, JUDICIAL_RECORD_EXCHANGE,
    LAND_FINANCIAL_OBLIGATIONS,
)
"""The standard named excluded periods (``Pause(reason=...)`` codes) procedures cite."""

# ------------------------------------------------------------------------------- helpers

_CUTOFF_15 = dt.time(15)
_CODE_UNVERIFIED = "national code (check it against the National Procedure Database)"


def _commune(code: str, name: str, name_en: str, sector: str, *, steps: Sequence[Step],
             time_limit: TimeLimit, legal_basis: str, fee: int = 0,
             online: OnlineLevel = OnlineLevel.FULL, unverified: Sequence[str] = (),
             agencies: Sequence[Agency] = (COMMUNE,), **more: object) -> Procedure:
    """A procedure received at the commune centre."""
    return Procedure(
        code=code, name=name, name_en=name_en, sector=sector, version=1,
        effective_from=TWO_TIER, legal_basis=legal_basis, agencies=agencies,
        receivers=[agencies[0].id], time_limit=time_limit, fee=fee, online=online,
        steps=steps, unverified=unverified, **more)  # type: ignore[arg-type]


def _chain(code: str, name: str, name_en: str, members: Sequence[Procedure], *,
           time_limit: TimeLimit, legal_basis: str, clock: ClockPolicy,
           unverified: Sequence[str]) -> Procedure:
    """Members run one after another: each member's end leads to the next one's first step
    (steps named ``"<code>/<step>"`` as in :func:`~dossierflow.states.interconnected`)."""
    steps: list[Step] = []
    agencies: dict[str, Agency] = {}
    for k, m in enumerate(members):
        nxt = f"{members[k + 1].code}/{members[k + 1].first_step}" \
            if k + 1 < len(members) else END
        for a in m.agencies:
            agencies.setdefault(a.id, a)
        for s in m.steps:
            then = nxt if s.then == END else f"{m.code}/{s.then}"
            steps.append(attrs.evolve(s, name=f"{m.code}/{s.name}", member=m.code, then=then))
    first = members[0]
    return Procedure(
        code=code, name=name, name_en=name_en, sector=first.sector, version=1,
        effective_from=TWO_TIER, legal_basis=legal_basis, agencies=tuple(agencies.values()),
        receivers=first.receivers, time_limit=time_limit, fee=sum(m.fee for m in members),
        online=OnlineLevel.FULL, steps=steps, members=tuple(m.code for m in members),
        clock=clock, unverified=unverified)


def _step(name: str, owner: Agency, role: str, days: float, then: object = END,
          **more: object) -> Step:
    return Step(name, owner=owner.role(role), then=then,  # type: ignore[arg-type]
                allotment=working_days(days), **more)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- civil status

HO_TICH = "Hộ tịch"


def birth_registration() -> Procedure:
    """Birth registration at the commune: the certificate the same working day, the next one
    if received after 15:00 (Law on Civil Status 2014, Art. 16(2))."""
    basis = "Law on Civil Status 2014, Art. 16(2)"
    return _commune(
        "1.001193", "Đăng ký khai sinh", "Birth registration", HO_TICH,
        time_limit=same_day(cutoff=_CUTOFF_15, legal_basis=basis), legal_basis=basis,
        data=[DataField("child_name", str, required=True),
              DataField("needs_verification", bool)],
        steps=[
            _step("check", COMMUNE, "civil_status", 0.5,
                  then=choice(when("needs_verification", then="verify"), otherwise="register"),
                  can_reject=True, description="check the dossier and the birth notice"),
            Step("verify", owner=COMMUNE.role("civil_status"), then="register",
                 description="verify the facts with another agency"),
            _step("register", COMMUNE, "chairman", 0.5, description="sign the certificate"),
        ],
        pause_reasons=[CIVIL_STATUS_VERIFICATION, VNEID_CONFIRMATION],
        unverified=["the text setting the 15:00 cut-off for civil-status registration "
                    "(provincial publications of the procedure state it)"])


def marriage_registration() -> Procedure:
    """Marriage registration at the commune: the same working day; up to 5 working days when
    verification is needed (Law on Civil Status 2014, Art. 18(2)): 4 more working days."""
    basis = "Law on Civil Status 2014, Art. 18(2)"
    return _commune(
        "1.000894", "Đăng ký kết hôn", "Marriage registration", HO_TICH,
        time_limit=same_day(cutoff=_CUTOFF_15, legal_basis=basis), legal_basis=basis,
        max_extension=working_days(4, legal_basis=basis),
        steps=[_step("check", COMMUNE, "civil_status", 0.5, then="register", can_reject=True),
               _step("register", COMMUNE, "chairman", 0.5)],
        pause_reasons=[CIVIL_STATUS_VERIFICATION],
        unverified=["the text setting the 15:00 cut-off for civil-status registration"])


def death_registration() -> Procedure:
    """Death registration at the commune: the same working day; up to 3 working days when
    verification is needed (Law on Civil Status 2014, Art. 34(2)): 2 more working days."""
    basis = "Law on Civil Status 2014, Art. 34(2)"
    return _commune(
        "1.000656", "Đăng ký khai tử", "Death registration", HO_TICH,
        time_limit=same_day(cutoff=_CUTOFF_15, legal_basis=basis), legal_basis=basis,
        max_extension=working_days(2, legal_basis=basis),
        steps=[_step("check", COMMUNE, "civil_status", 0.5, then="register", can_reject=True),
               _step("register", COMMUNE, "chairman", 0.5)],
        pause_reasons=[CIVIL_STATUS_VERIFICATION, VNEID_CONFIRMATION],
        unverified=["the text setting the 15:00 cut-off for civil-status registration"])


def marital_status_certificate() -> Procedure:
    """Certificate of marital status: 3 working days (Decree 123/2015/NĐ-CP, Art. 22(3))."""
    basis = "Decree 123/2015/NĐ-CP, Art. 22(3)"
    return _commune(
        "1.004873", "Cấp Giấy xác nhận tình trạng hôn nhân",
        "Certificate of marital status", HO_TICH,
        time_limit=working_days(3, legal_basis=basis), legal_basis=basis, fee=15_000,
        steps=[_step("check", COMMUNE, "civil_status", 2, then="sign", can_reject=True),
               _step("sign", COMMUNE, "chairman", 1)],
        pause_reasons=[CIVIL_STATUS_VERIFICATION],
        unverified=["fee: set by each province's People's Council; 15,000 VND is a common "
                    "figure", "the longest verification may add (Decree 123/2015/NĐ-CP, "
                    "Art. 22)"])


def civil_status_extract_copy() -> Procedure:
    """A copy of a civil-status extract: the same working day, the next one after 15:00
    (Decree 123/2015/NĐ-CP, Art. 64)."""
    basis = "Decree 123/2015/NĐ-CP, Art. 64"
    return _commune(
        "2.000635", "Cấp bản sao Trích lục hộ tịch", "Copy of a civil-status extract", HO_TICH,
        time_limit=same_day(cutoff=_CUTOFF_15, legal_basis=basis), legal_basis=basis,
        fee=8_000,
        steps=[_step("check", COMMUNE, "civil_status", 0.5, then="sign", can_reject=True),
               _step("sign", COMMUNE, "chairman", 0.5)],
        unverified=["fee: 8,000 VND a copy (Circular 281/2016/TT-BTC); provinces may set "
                    "their own and reduce it online", "article: Decree 123/2015/NĐ-CP, Art. 64"])


# ---------------------------------------------------------------------------- certification

CHUNG_THUC = "Chứng thực"
_DECREE_23 = "Decree 23/2015/NĐ-CP, Art. 7, as amended by Decree 280/2025/NĐ-CP"


def certified_copy() -> Procedure:
    """Certified copy from an original: the same working day, the next one if received after
    15:00; up to 2 more working days when the request is complex (many originals, many pages
    or copies, content hard to check) (Decree 23/2015/NĐ-CP, Art. 7)."""
    return _commune(
        "2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có "
        "thẩm quyền của Việt Nam cấp hoặc chứng nhận",
        "Certified copy from an original document", CHUNG_THUC,
        time_limit=same_day(cutoff=_CUTOFF_15, legal_basis=_DECREE_23), legal_basis=_DECREE_23,
        max_extension=working_days(2, legal_basis=_DECREE_23), fee=2_000,
        steps=[_step("certify", COMMUNE, "justice_officer", 0.5, then="sign", can_reject=True,
                     description="compare the copy with the original"),
               _step("sign", COMMUNE, "chairman", 0.5)],
        unverified=["fee: 2,000 VND a page for the first two pages, 1,000 from the third, at "
                    "most 200,000 a copy (Circular 226/2016/TT-BTC); 2,000 is the common "
                    "figure"])


def copy_from_original_register() -> Procedure:
    """Copy from the original register: the same working day, the next one after 15:00
    (Decree 23/2015/NĐ-CP, Art. 7)."""
    return _commune(
        "2.000908", "Cấp bản sao từ sổ gốc", "Copy from the original register", CHUNG_THUC,
        time_limit=same_day(cutoff=_CUTOFF_15, legal_basis=_DECREE_23), legal_basis=_DECREE_23,
        steps=[_step("check", COMMUNE, "justice_officer", 0.5, then="sign", can_reject=True),
               _step("sign", COMMUNE, "chairman", 0.5)],
        unverified=["fee: set by the issuing agency; 0 here",
                    "a large request may take longer by written agreement with the applicant "
                    "(Decree 23/2015/NĐ-CP, Art. 7); not modelled"])


def signature_certification() -> Procedure:
    """Certification of a signature: the same working day, the next one after 15:00 (Decree
    23/2015/NĐ-CP, Art. 7); 10,000 VND a case (Circular 226/2016/TT-BTC)."""
    return _commune(
        "2.000884", "Chứng thực chữ ký trong các giấy tờ, văn bản (áp dụng cho cả trường hợp "
        "chứng thực điểm chỉ và trường hợp người yêu cầu chứng thực không thể ký, không thể "
        "điểm chỉ được)", "Certification of a signature", CHUNG_THUC,
        time_limit=same_day(cutoff=_CUTOFF_15, legal_basis=_DECREE_23), legal_basis=_DECREE_23,
        fee=10_000,
        steps=[_step("certify", COMMUNE, "justice_officer", 0.5, then="sign", can_reject=True),
               _step("sign", COMMUNE, "chairman", 0.5)],
        unverified=["a large request may take longer by written agreement with the applicant "
                    "(Decree 23/2015/NĐ-CP, Art. 7); not modelled"])


def inheritance_declaration() -> Procedure:
    """Certification of an inheritance declaration: at most 2 working days (Decree
    23/2015/NĐ-CP, Art. 7), the 15-day public notice not counted; 50,000 VND (Circular
    226/2016/TT-BTC)."""
    return _commune(
        "2.001009", "Chứng thực văn bản khai nhận di sản mà di sản là động sản, quyền sử dụng "
        "đất, nhà ở", "Certification of an inheritance declaration", CHUNG_THUC,
        time_limit=working_days(2, legal_basis=_DECREE_23), legal_basis=_DECREE_23,
        fee=50_000, online=OnlineLevel.PARTIAL,
        steps=[_step("check", COMMUNE, "justice_officer", 1, then="sign", can_reject=True,
                     description="check the declaration; post the public notice"),
               _step("sign", COMMUNE, "chairman", 1)],
        pause_reasons=[INHERITANCE_NOTICE],
        unverified=["online level: partial (the signatories sign before the officer)",
                    "that the 15-day public notice is excluded from the 2 working days"])


# -------------------------------------------------------------------------------- residence

CU_TRU = "Cư trú"


def permanent_residence() -> Procedure:
    """Permanent residence registration: 7 working days (Law on Residence 2020, Art. 22(3));
    20,000 VND, 10,000 online (Circular 75/2022/TT-BTC)."""
    basis = "Law on Residence 2020, Art. 22(3)"
    return _commune(
        "1.004222", "Đăng ký thường trú", "Permanent residence registration", CU_TRU,
        agencies=(COMMUNE_POLICE,), time_limit=working_days(7, legal_basis=basis),
        legal_basis=basis, fee=20_000,
        steps=[_step("check", COMMUNE_POLICE, "residence_officer", 4, then="approve",
                     can_reject=True, description="check the dossier and the residence"),
               _step("approve", COMMUNE_POLICE, "head", 3,
                     description="approve and update the residence database")],
        unverified=["fee: 10,000 VND when filed online (Circular 75/2022/TT-BTC); the fee "
                    "field holds the in-person figure"])


def temporary_residence() -> Procedure:
    """Temporary residence registration: 3 working days (Law on Residence 2020, Art. 28(3));
    15,000 VND, 7,000 online (Circular 75/2022/TT-BTC)."""
    basis = "Law on Residence 2020, Art. 28(3)"
    return _commune(
        "1.004194", "Đăng ký tạm trú", "Temporary residence registration", CU_TRU,
        agencies=(COMMUNE_POLICE,), time_limit=working_days(3, legal_basis=basis),
        legal_basis=basis, fee=15_000,
        steps=[_step("check", COMMUNE_POLICE, "residence_officer", 2, then="approve",
                     can_reject=True),
               _step("approve", COMMUNE_POLICE, "head", 1)],
        unverified=["fee: 7,000 VND when filed online (Circular 75/2022/TT-BTC); the fee "
                    "field holds the in-person figure"])


def residence_removal() -> Procedure:
    """Removal of permanent residence (of a person who died): 1 working day (Law on Residence
    2020, Art. 24)."""
    basis = "Law on Residence 2020, Art. 24"
    return _commune(
        "1.004206", "Xóa đăng ký thường trú", "Removal of permanent residence", CU_TRU,
        agencies=(COMMUNE_POLICE,), time_limit=working_days(1, legal_basis=basis),
        legal_basis=basis,
        steps=[_step("remove", COMMUNE_POLICE, "residence_officer", 1, can_reject=True)],
        unverified=[_CODE_UNVERIFIED, "time limit: 1 working day",
                    "article: Law on Residence 2020, Art. 24"])


# ---------------------------------------------------------------- social insurance (members)


def health_insurance_card() -> Procedure:
    """Health-insurance card for a child under 6: 2 working days, its share within group A
    (Decree 63/2024/NĐ-CP)."""
    basis = "Law on Health Insurance 2008, Art. 16; Decree 63/2024/NĐ-CP"
    return _commune(
        "1.002364", "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
        "Health-insurance card for a child under 6", "Bảo hiểm y tế",
        agencies=(SOCIAL_INSURANCE,), time_limit=working_days(2, legal_basis=basis),
        legal_basis=basis,
        steps=[_step("issue_card", SOCIAL_INSURANCE, "card_officer", 2)],
        unverified=[_CODE_UNVERIFIED,
                    "time limit outside group A: 2 working days is its share in the group"])


def funeral_allowance() -> Procedure:
    """Funeral allowance and survivor benefits by social insurance: 5 working days, its share
    within group B (Decree 63/2024/NĐ-CP; Law on Social Insurance 2024)."""
    basis = "Law on Social Insurance 2024; Decree 63/2024/NĐ-CP"
    return _commune(
        "1.001979", "Giải quyết hưởng trợ cấp mai táng, trợ cấp tuất",
        "Funeral allowance and survivor benefits", "Bảo hiểm xã hội",
        agencies=(SOCIAL_INSURANCE,), time_limit=working_days(5, legal_basis=basis),
        legal_basis=basis,
        steps=[_step("assess", SOCIAL_INSURANCE, "benefits_officer", 3, then="pay",
                     can_reject=True),
               _step("pay", SOCIAL_INSURANCE, "head", 2)],
        unverified=[_CODE_UNVERIFIED, "time limit: 5 working days",
                    "the article of the Law on Social Insurance 2024 that sets it"])


# ---------------------------------------------------------------- interconnected (63/2024)

_DECREE_63 = "Decree 63/2024/NĐ-CP"


def group_a() -> Procedure:
    """Decree 63/2024/NĐ-CP group A, a child under 6: birth registration, then permanent
    residence and the health-insurance card in parallel (2 working days each); the whole group
    at most 3 working days, 5 when verification is needed (an extension of 2), filings after
    15:00 counting from the next working day. Filed and paid once, online."""
    residence = attrs.evolve(
        permanent_residence(), time_limit=working_days(2, legal_basis=_DECREE_63),
        steps=[_step("register_residence", COMMUNE_POLICE, "residence_officer", 2,
                     can_reject=True)])
    group = interconnected(
        "LT.A", "Liên thông thủ tục hành chính: đăng ký khai sinh, đăng ký thường trú, cấp thẻ "
        "bảo hiểm y tế cho trẻ em dưới 6 tuổi",
        first=birth_registration(), then=[residence, health_insurance_card()],
        effective_from=TWO_TIER, legal_basis=_DECREE_63,
        time_limit=working_days(3, cutoff=_CUTOFF_15, legal_basis=_DECREE_63))
    return attrs.evolve(
        group, name_en="Interconnected: birth registration, permanent residence, "
        "health-insurance card for a child under 6", sector=HO_TICH,
        max_extension=working_days(2, legal_basis=_DECREE_63),
        pause_reasons=[VNEID_CONFIRMATION, CIVIL_STATUS_VERIFICATION],
        unverified=["the articles of Decree 63/2024/NĐ-CP setting 3 working days (5 with "
                    "verification) and the 15:00 cut-off", "the code LT.A is this "
                    "catalogue's; portals show the group under their own code"])


def group_b() -> Procedure:
    """Decree 63/2024/NĐ-CP group B: death registration, then removal of permanent residence
    and the funeral allowance and survivor benefits in parallel."""
    group = interconnected(
        "LT.B", "Liên thông thủ tục hành chính: đăng ký khai tử, xóa đăng ký thường trú, giải "
        "quyết mai táng phí, tử tuất",
        first=death_registration(), then=[residence_removal(), funeral_allowance()],
        effective_from=TWO_TIER, legal_basis=_DECREE_63,
        time_limit=working_days(6, cutoff=_CUTOFF_15, legal_basis=_DECREE_63))
    return attrs.evolve(
        group, name_en="Interconnected: death registration, removal of permanent residence, "
        "funeral allowance and survivor benefits", sector=HO_TICH,
        pause_reasons=[VNEID_CONFIRMATION, CIVIL_STATUS_VERIFICATION],
        unverified=["the group's limit (6 working days: 1 + the longer of 1 and 5) and each "
                    "member's share; published totals range from about 6 to 18 working days",
                    "the code LT.B is this catalogue's"])


# --------------------------------------------------------------- the Decree 297/2025 chain

KINH_DOANH = "Thành lập và hoạt động của hộ kinh doanh"
_DECREE_297 = "Decree 297/2025/NĐ-CP"
_CLOCK_297 = ClockPolicy(
    on_supplement=SupplementPolicy.RESTART, closing_window=dt.timedelta(hours=1),
    apology=ApologyTiming.AT_EXPIRY,
    legal_basis="Decree 297/2025/NĐ-CP, Art. 3(5), 6(3), 6(4)(a)")


def household_business_registration() -> Procedure:
    """Registration of a household business at the commune: 3 working days (Decree
    168/2025/NĐ-CP; the first step of the Decree 297/2025/NĐ-CP chain)."""
    basis = "Decree 168/2025/NĐ-CP; Decree 297/2025/NĐ-CP"
    return _commune(
        "2.000720", "Đăng ký thành lập hộ kinh doanh", "Registration of a household business",
        KINH_DOANH, time_limit=working_days(3, legal_basis=basis), legal_basis=basis,
        fee=100_000, clock=_CLOCK_297,
        steps=[_step("check", COMMUNE, "business_registrar", 2, then="register",
                     can_reject=True),
               _step("register", COMMUNE, "head_of_economy", 1)],
        unverified=[_CODE_UNVERIFIED, "fee: set by each province; 100,000 VND common",
                    "the article of Decree 168/2025/NĐ-CP setting 3 working days"])


def security_order_certificate() -> Procedure:
    """Certificate of eligibility on security and order: 3 working days within the Decree
    297/2025/NĐ-CP chain."""
    basis = "Decree 96/2016/NĐ-CP as amended; Decree 297/2025/NĐ-CP"
    return _commune(
        "1.000342", "Cấp Giấy chứng nhận đủ điều kiện về an ninh, trật tự",
        "Certificate of eligibility on security and order", "Quản lý ngành nghề kinh doanh "
        "có điều kiện về an ninh, trật tự", agencies=(COMMUNE_POLICE,),
        time_limit=working_days(3, legal_basis=basis), legal_basis=basis, fee=300_000,
        clock=_CLOCK_297,
        steps=[_step("check", COMMUNE_POLICE, "security_officer", 2, then="approve",
                     can_reject=True),
               _step("approve", COMMUNE_POLICE, "head", 1)],
        unverified=[_CODE_UNVERIFIED, "issuing level after 1 July 2025 (commune police)",
                    "fee: 300,000 VND", "time limit outside the chain: 3 working days is its "
                    "share in the chain"])


def karaoke_licence() -> Procedure:
    """Licence for a karaoke business: 10 working days within the Decree 297/2025/NĐ-CP
    chain (Decree 54/2019/NĐ-CP on karaoke and dance services)."""
    basis = "Decree 54/2019/NĐ-CP as amended; Decree 297/2025/NĐ-CP"
    return _commune(
        "1.001029", "Cấp Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke",
        "Licence for a karaoke business", "Văn hóa", time_limit=working_days(10,
                                                                          legal_basis=basis),
        legal_basis=basis, fee=2_000_000, clock=_CLOCK_297,
        steps=[_step("appraise", COMMUNE, "culture_officer", 3, then="inspect",
                     can_reject=True),
               _step("inspect", COMMUNE, "culture_officer", 5, then="sign",
                     description="inspect the premises"),
               _step("sign", COMMUNE, "chairman", 2)],
        unverified=[_CODE_UNVERIFIED, "issuing level after 1 July 2025 (commune)",
                    "fee: 2,000,000 VND outside urban wards, 4,000,000 in them (Circular "
                    "01/2021/TT-BTC), for up to 3 rooms",
                    "time limit outside the chain: 10 working days is its share in the chain"])


def karaoke_chain() -> Procedure:
    """Decree 297/2025/NĐ-CP: household business registration, then the security and order
    certificate, then the karaoke licence, online through the National Public Service Portal:
    3 + 3 + 10, at most 16 working days. Online filings after 17:00 or on a day off count from
    08:00 of the next working day; filings in the last hour before the close from the next
    working day; a supplement restarts the clock; the apology goes out at expiry."""
    return _chain(
        "LT.297", "Liên thông điện tử: đăng ký thành lập hộ kinh doanh, cấp Giấy chứng nhận đủ "
        "điều kiện về an ninh, trật tự, cấp Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke",
        "Interconnected: household business, security and order certificate, karaoke licence",
        [household_business_registration(), security_order_certificate(), karaoke_licence()],
        time_limit=working_days(16, legal_basis=_DECREE_297), legal_basis=_DECREE_297,
        clock=_CLOCK_297,
        unverified=["each member's share (3 + 3 + 10) of the 16 working days",
                    "the code LT.297 is this catalogue's"])


# ------------------------------------------------------------------------------------- land

DAT_DAI = "Đất đai"
_DECREE_101 = "Land Law 2024; Decree 101/2024/NĐ-CP, Art. 22; Decree 151/2025/NĐ-CP"
_LAND_UNVERIFIED = ("the article of Decree 101/2024/NĐ-CP (Art. 22) setting the limits and "
                    "the extra 10 working days in mountainous, remote and island communes")


def _land(code: str, name: str, name_en: str, days: int, steps: Sequence[Step],
          unverified: Sequence[str], fee: int = 0) -> Procedure:
    limit = varying(working_days(days, legal_basis=_DECREE_101), attribute="terrain",
                    cases={"mountainous": working_days(days + 10, legal_basis=_DECREE_101)},
                    legal_basis=_DECREE_101)
    return Procedure(
        code=code, name=name, name_en=name_en, sector=DAT_DAI, effective_from=TWO_TIER,
        legal_basis=_DECREE_101, agencies=[COMMUNE, MOUNTAIN_COMMUNE, LAND_OFFICE, TAX],
        receivers=[COMMUNE.id, MOUNTAIN_COMMUNE.id], time_limit=limit, fee=fee,
        online=OnlineLevel.PARTIAL, steps=steps,
        pause_reasons=[LAND_FINANCIAL_OBLIGATIONS],
        unverified=[_CODE_UNVERIFIED, _LAND_UNVERIFIED, *unverified])


def land_first_registration() -> Procedure:
    """First registration of land and attached assets (without a certificate): 17 working
    days, 27 in mountainous, remote or island communes (Decree 101/2024/NĐ-CP)."""
    return _land(
        "1.012756", "Đăng ký đất đai, tài sản gắn liền với đất lần đầu",
        "First registration of land and attached assets", 17,
        steps=[_step("verify", COMMUNE, "land_officer", 7, then="register", can_reject=True,
                     description="check the land's status and origin; public notice"),
               _step("register", LAND_OFFICE, "registrar", 10,
                     description="update the cadastral records")],
        unverified=["the steps' allotments (7 + 10) as provinces publish them"])


def land_first_certificate() -> Procedure:
    """First registration with the certificate of land-use rights: 20 working days, 30 in
    mountainous, remote or island communes (Decree 101/2024/NĐ-CP); since 1 July 2025 the
    commune chairman signs certificates for households and individuals (Decree
    151/2025/NĐ-CP). Waiting for the applicant to pay is not counted."""
    return _land(
        "1.012757", "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử "
        "dụng đất, quyền sở hữu tài sản gắn liền với đất lần đầu",
        "First registration and certificate of land-use rights", 20,
        steps=[_step("verify", COMMUNE, "land_officer", 6, then="register", can_reject=True),
               _step("register", LAND_OFFICE, "registrar", 7, then="assess_obligations"),
               _step("assess_obligations", TAX, "tax_officer", 3, then="sign",
                     description="determine the land financial obligations"),
               _step("sign", COMMUNE, "chairman", 4, description="sign the certificate")],
        fee=100_000,
        unverified=["fee: the certificate fee is set by each province; 100,000 VND common",
                    "the steps' allotments (6 + 7 + 3 + 4) as provinces publish them"])


def land_certificate_correction() -> Procedure:
    """Correction of an issued land certificate: 8 working days, 18 in mountainous, remote or
    island communes (Decree 101/2024/NĐ-CP)."""
    return _land(
        "1.012794", "Đính chính Giấy chứng nhận đã cấp", "Correction of a land certificate", 8,
        steps=[_step("check", LAND_OFFICE, "registrar", 5, then="sign", can_reject=True),
               _step("sign", COMMUNE, "chairman", 3)],
        unverified=["the steps' allotments (5 + 3)"])


# ----------------------------------------------------------------------- provincial level


def judicial_record_certificate() -> Procedure:
    """Judicial record certificate: at most 10 days, 15 when the case is complex (Law on
    Judicial Records 2009, Art. 48): an extension of 5 days. "Ngày" without "làm việc":
    calendar days."""
    basis = "Law on Judicial Records 2009, Art. 48"
    return Procedure(
        code="2.000505", name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước "
        "ngoài đang cư trú tại Việt Nam", name_en="Judicial record certificate",
        sector="Lý lịch tư pháp", effective_from=TWO_TIER, legal_basis=basis,
        agencies=[PROVINCE_CENTRE, PROVINCIAL_POLICE], receivers=[PROVINCE_CENTRE.id],
        time_limit=calendar_days(10, legal_basis=basis),
        max_extension=calendar_days(5, legal_basis=basis), fee=200_000,
        online=OnlineLevel.FULL,
        steps=[_step("search_records", PROVINCIAL_POLICE, "records_officer", 5, then="sign",
                     can_reject=True),
               _step("sign", PROVINCIAL_POLICE, "director", 2)],
        pause_reasons=[JUDICIAL_RECORD_EXCHANGE],
        unverified=[_CODE_UNVERIFIED, "issuing agency after the 2025 reform (the "
                    "provincial police, formerly the Department of Justice)",
                    "fee: 200,000 VND, 100,000 for students and people with merit (Circular "
                    "244/2016/TT-BTC)"])


def construction_permit() -> Procedure:
    """Construction permit for a detached house: 15 days (Law on Construction 2014, Art. 102,
    as amended by Law 62/2020/QH14), issued by the commune since 1 July 2025."""
    basis = "Law on Construction 2014, Art. 102, as amended by Law 62/2020/QH14"
    return _commune(
        "1.009994", "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        "Construction permit for a detached house", "Hoạt động xây dựng",
        time_limit=calendar_days(15, legal_basis=basis), legal_basis=basis, fee=75_000,
        online=OnlineLevel.PARTIAL,
        steps=[_step("appraise", COMMUNE, "construction_officer", 7, then="sign",
                     can_reject=True, description="appraise the dossier; inspect the site"),
               _step("sign", COMMUNE, "chairman", 3)],
        unverified=[_CODE_UNVERIFIED, "issuing level after 1 July 2025 (commune)",
                    "whether the 15 days are calendar days (the text says 'ngày')",
                    "fee: set by each province; 75,000 VND common"])


def enterprise_registration() -> Procedure:
    """Registration of a single-member limited liability company: 3 working days (Law on
    Enterprises 2020, Art. 26(5)); 50,000 VND."""
    basis = "Law on Enterprises 2020, Art. 26(5)"
    return Procedure(
        code="2.002039", name="Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên",
        name_en="Enterprise registration (single-member limited liability company)",
        sector="Thành lập và hoạt động doanh nghiệp", effective_from=TWO_TIER,
        legal_basis=basis, agencies=[PROVINCE_CENTRE, BUSINESS_REGISTRATION],
        receivers=[PROVINCE_CENTRE.id], time_limit=working_days(3, legal_basis=basis),
        fee=50_000, online=OnlineLevel.FULL,
        steps=[_step("check", BUSINESS_REGISTRATION, "registrar", 2, then="register",
                     can_reject=True),
               _step("register", BUSINESS_REGISTRATION, "head", 1)],
        unverified=[_CODE_UNVERIFIED, "time limit: 3 working days",
                    "fee: 50,000 VND (Circular 47/2019/TT-BTC); online filings may be exempt"])


# ------------------------------------------------------------------------------ catalogue

PROCEDURES = (
    birth_registration, marriage_registration, death_registration, marital_status_certificate,
    civil_status_extract_copy, certified_copy, copy_from_original_register,
    signature_certification, inheritance_declaration, permanent_residence,
    temporary_residence, residence_removal, health_insurance_card, funeral_allowance,
    group_a, group_b, household_business_registration, security_order_certificate,
    karaoke_licence, karaoke_chain, land_first_registration, land_first_certificate,
    land_certificate_correction, judicial_record_certificate, construction_permit,
    enterprise_registration,
)
"""The function that builds each procedure of :func:`catalogue`, in its order."""


def catalogue() -> Catalogue:
    """Every procedure of this module, version 1, in force from 1 July 2025."""
    return Catalogue(make() for make in PROCEDURES)
