"""Sample procedures, written as a portal developer would write them from the published process.

They back the examples, the demo, the benchmarks and the tests. The time limits follow the
texts cited on each; the procedure codes are the ones commonly shown for these procedures on
provincial portals and are illustrative: check a code against the National Procedure Database
(csdl.dichvucong.gov.vn) before relying on it.
"""

from __future__ import annotations

import datetime as dt

from dossierflow.rules import same_day, working_days
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

COMMUNE = Agency("ubnd_xa", "Commune People's Committee", level="commune")
POLICE = Agency("ca_xa", "Commune police", level="commune")
SOCIAL_INSURANCE = Agency("bhxh", "Social insurance office", level="district branch")

TWO_TIER = dt.date(2025, 7, 1)
"""Two-tier local government: communes receive dossiers from 1 July 2025."""


def certified_copy() -> Procedure:
    """Certified copy from an original: the same working day, or the next one if received
    after 15:00 (Decree 23/2015/NĐ-CP, Art. 7)."""
    basis = "Decree 23/2015/NĐ-CP, Art. 7"
    return Procedure(
        code="2.000815",
        name="Certified copy from an original document",
        version=1,
        effective_from=TWO_TIER,
        legal_basis=basis,
        agencies=[COMMUNE],
        receivers=["ubnd_xa"],
        fee=2_000,
        online=OnlineLevel.FULL,
        time_limit=same_day(legal_basis=basis),
        steps=[
            Step("certify", owner=COMMUNE.role("justice_officer"), then="sign",
                 can_reject=True, description="compare the copy with the original"),
            Step("sign", owner=COMMUNE.role("chairman"), then=END),
        ],
    )


def birth_registration() -> Procedure:
    """Birth registration at the commune: the certificate the same working day (Law on Civil
    Status 2014, Art. 16; Decree 63/2024/NĐ-CP for the electronic certificate)."""
    basis = "Law on Civil Status 2014, Art. 16"
    return Procedure(
        code="1.001193",
        name="Birth registration",
        effective_from=TWO_TIER,
        legal_basis=basis,
        agencies=[COMMUNE],
        receivers=["ubnd_xa"],
        time_limit=same_day(legal_basis=basis),
        data=[DataField("child_name", str, required=True),
              DataField("needs_verification", bool)],
        steps=[
            Step("check", owner=COMMUNE.role("civil_status"), allotment=working_days(0.5),
                 then=choice(when("needs_verification", then="verify"), otherwise="register"),
                 can_reject=True),
            Step("verify", owner=COMMUNE.role("civil_status"), then="register"),
            Step("register", owner=COMMUNE.role("chairman"), allotment=working_days(0.5),
                 then=END),
        ],
    )


def permanent_residence() -> Procedure:
    """Permanent-residence registration of the newborn by the commune police: 2 working days
    within group A (Decree 63/2024/NĐ-CP)."""
    return Procedure(
        code="1.004194",
        name="Permanent residence registration",
        effective_from=TWO_TIER,
        legal_basis="Law on Residence 2020, Art. 22; Decree 63/2024/NĐ-CP",
        agencies=[POLICE],
        receivers=["ca_xa"],
        time_limit=working_days(2),
        steps=[
            Step("register_residence", owner=POLICE.role("residence_officer"),
                 allotment=working_days(2), then=END, can_reject=True),
        ],
    )


def health_insurance_card() -> Procedure:
    """Health-insurance card for a child under 6 by social insurance: 2 working days within
    group A (Decree 63/2024/NĐ-CP)."""
    return Procedure(
        code="1.002364",
        name="Health-insurance card for a child under 6",
        effective_from=TWO_TIER,
        legal_basis="Law on Health Insurance 2008, Art. 16; Decree 63/2024/NĐ-CP",
        agencies=[SOCIAL_INSURANCE],
        receivers=["bhxh"],
        time_limit=working_days(2),
        steps=[
            Step("issue_card", owner=SOCIAL_INSURANCE.role("card_officer"),
                 allotment=working_days(2), then=END),
        ],
    )


def group_a() -> Procedure:
    """Decree 63/2024/NĐ-CP group A: birth registration, then permanent residence and the
    health-insurance card in parallel; at most 3 working days, filings after 15:00 counting
    from the next working day."""
    basis = "Decree 63/2024/NĐ-CP, Art. 12"
    return interconnected(
        "LT.A",
        "Interconnected: birth registration, permanent residence, health-insurance card",
        first=birth_registration(),
        then=[permanent_residence(), health_insurance_card()],
        effective_from=TWO_TIER,
        legal_basis=basis,
        time_limit=working_days(3, cutoff=dt.time(15), legal_basis=basis),
    )


def catalogue() -> Catalogue:
    """Every sample procedure."""
    return Catalogue([certified_copy(), birth_registration(), permanent_residence(),
                      health_insurance_card(), group_a()])
