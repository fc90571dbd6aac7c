"""Sample procedures, written as a portal developer would write them from the published process.

They back the examples, the demo, the benchmarks and the tests. Their codes, names, fields,
time limits, fees, online levels and legal bases come from :mod:`dossierflow.catalogues.vietnam`
(where a sample's structure matches the catalogue's); their steps are kept small and stable.
What the catalogue could not confirm is in each procedure's ``unverified``.
"""

from __future__ import annotations

import datetime as dt

from dossierflow.catalogues import vietnam
from dossierflow.rules import working_days
from dossierflow.states import (
    END,
    Agency,
    Catalogue,
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


def _facts(entry: Procedure) -> dict[str, object]:
    """What a sample takes from the catalogue's ``entry``: identity, name, field and basis."""
    return {"code": entry.code, "name": entry.name, "name_en": entry.name_en,
            "sector": entry.sector, "legal_basis": entry.legal_basis,
            "unverified": entry.unverified, "effective_from": entry.effective_from}


def certified_copy() -> Procedure:
    """Certified copy from an original: the same working day, or the next one if received
    after 15:00 (Decree 23/2015/NĐ-CP, Art. 7)."""
    entry = vietnam.certified_copy()
    return Procedure(
        **_facts(entry),  # type: ignore[arg-type]
        version=1,
        agencies=[COMMUNE],
        receivers=["ubnd_xa"],
        fee=entry.fee,
        online=entry.online,
        time_limit=entry.time_limit,
        steps=[
            Step("certify", owner=COMMUNE.role("justice_officer"), then="sign",
                 can_reject=True, description="compare the copy with the original"),
            Step("sign", owner=COMMUNE.role("chairman"), then=END),
        ],
    )


def birth_registration() -> Procedure:
    """Birth registration at the commune: the certificate the same working day (Law on Civil
    Status 2014, Art. 16; Decree 63/2024/NĐ-CP for the electronic certificate)."""
    entry = vietnam.birth_registration()
    return Procedure(
        **_facts(entry),  # type: ignore[arg-type]
        agencies=[COMMUNE],
        receivers=["ubnd_xa"],
        time_limit=entry.time_limit,
        fee=entry.fee,
        online=entry.online,
        data=entry.data,
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
    """Permanent-residence registration (1.004222) of the newborn by the commune police: 2
    working days within group A (Decree 63/2024/NĐ-CP); 7 on its own (the catalogue's)."""
    entry = vietnam.permanent_residence()
    return Procedure(
        **{**_facts(entry),  # type: ignore[arg-type]
           "legal_basis": f"{entry.legal_basis}; Decree 63/2024/NĐ-CP"},
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
    entry = vietnam.health_insurance_card()
    return Procedure(
        **_facts(entry),  # type: ignore[arg-type]
        agencies=[SOCIAL_INSURANCE],
        receivers=["bhxh"],
        time_limit=entry.time_limit,
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
