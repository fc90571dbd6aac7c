"""The Vietnamese catalogue: its procedures and limits, its worked examples on the engine, and
the one JSON/TOML schema that keeps it as configuration."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossierflow import InvalidArgument, InvalidProcedure, catalogues
from dossierflow.calendar import vietnam as vietnam_calendar
from dossierflow.catalogues import vietnam
from dossierflow.rules import (
    SupplementPolicy,
    TimeLimit,
    Unit,
    VaryingLimit,
    appointment,
    calendar_days,
    same_day,
    working_days,
)
from dossierflow.states import (
    Catalogue,
    Channel,
    Citizen,
    Engine,
    File,
    Officer,
    Procedure,
    Receive,
)
from dossierflow.testing import dossiers, time_limits

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CATALOGUE = vietnam.catalogue()
ENGINE = Engine(CATALOGUE)
CODE = re.compile(r"^\d\.\d{6}$")


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


# ------------------------------------------------------------------------ the procedures


def test_at_least_25_procedures_with_national_codes_and_facts() -> None:
    procs = CATALOGUE.procedures
    assert len(procs) >= 25
    for p in procs:
        assert CODE.match(p.code) or p.members, p.code
        assert all((p.name, p.name_en, p.sector, p.legal_basis)), p.code
        assert p.time_limit is not None, p.code
        assert p.effective_from == dt.date(2025, 7, 1), p.code
    for group in (p for p in procs if p.members):
        assert all(CODE.match(m) for m in group.members), group.code


REQUIRED = {
    "1.001193": same_day(), "1.000894": same_day(), "1.000656": same_day(),
    "1.004873": working_days(3), "2.000635": same_day(), "2.000815": same_day(),
    "2.000908": same_day(), "2.000884": same_day(), "2.001009": working_days(2),
    "1.004222": working_days(7), "1.004194": working_days(3),
    "LT.A": working_days(3, cutoff=dt.time(15)), "LT.297": working_days(16),
    "2.000505": calendar_days(10),
}


def _bare(limit: TimeLimit) -> tuple[Unit, Decimal, dt.time | None]:
    return limit.unit, limit.amount, limit.cutoff


@pytest.mark.parametrize("code", sorted(REQUIRED))
def test_required_procedures_and_limits(code: str) -> None:
    p = CATALOGUE.in_force(code, dt.date(2025, 7, 1))
    assert isinstance(p.time_limit, TimeLimit)
    assert _bare(p.time_limit) == _bare(REQUIRED[code])


def test_same_day_procedures_cut_off_at_15() -> None:
    same = [p for p in CATALOGUE.procedures
            if isinstance(p.time_limit, TimeLimit) and p.time_limit.unit is Unit.SAME_DAY]
    assert len(same) >= 7
    assert all(p.time_limit.cutoff == dt.time(15) for p in same)  # type: ignore[union-attr]


def test_extensions_the_law_allows() -> None:
    assert vietnam.certified_copy().max_extension == working_days(
        2, legal_basis=vietnam.certified_copy().max_extension.legal_basis)  # type: ignore[union-attr]
    judicial = vietnam.judicial_record_certificate()
    assert judicial.time_limit == calendar_days(10, legal_basis=judicial.legal_basis)
    assert judicial.max_extension is not None
    assert judicial.max_extension.amount == 5
    assert vietnam.marriage_registration().max_extension.amount == 4  # type: ignore[union-attr]
    assert vietnam.death_registration().max_extension.amount == 2  # type: ignore[union-attr]
    assert vietnam.group_a().max_extension.amount == 2  # type: ignore[union-attr]


def test_permanent_residence_is_1_004222_and_temporary_1_004194() -> None:
    assert vietnam.permanent_residence().name == "Đăng ký thường trú"
    assert vietnam.temporary_residence().name == "Đăng ký tạm trú"
    assert vietnam.group_a().members == ("1.001193", "1.004222", "1.002364")
    assert vietnam.group_b().members == ("1.000656", "1.004206", "1.001979")


def test_the_297_chain_adds_up_to_16_working_days_and_restarts_on_supplement() -> None:
    chain = vietnam.karaoke_chain()
    members = [CATALOGUE.in_force(code, dt.date(2025, 7, 1)) for code in chain.members]
    assert [m.time_limit.amount for m in members] == [3, 3, 10]  # type: ignore[union-attr]
    assert sum(m.time_limit.amount for m in members) == 16  # type: ignore[union-attr]
    assert chain.time_limit == working_days(16, legal_basis=chain.legal_basis)
    assert chain.worst_path()[0] == 16 * 8
    assert chain.clock.closing_window == dt.timedelta(hours=1)
    assert chain.clock.on_supplement is SupplementPolicy.RESTART


def test_unconfirmed_figures_are_said_in_the_data() -> None:
    assert all(isinstance(u, str) and u for p in CATALOGUE.procedures for u in p.unverified)
    unconfirmed = {p.code for p in CATALOGUE.procedures if p.unverified}
    assert {"1.012756", "2.002039", "LT.B"} <= unconfirmed


def test_pause_reasons_have_their_bases_and_maxima() -> None:
    reasons = {r.code: r for r in vietnam.PAUSE_REASONS}
    assert set(reasons) == {"vneid_confirmation", "civil_status_verification",
                            "judicial_record_exchange", "land_financial_obligations"}
    assert all(r.legal_basis for r in reasons.values())
    assert reasons["vneid_confirmation"].max_length.amount == 5  # type: ignore[union-attr]
    assert reasons["judicial_record_exchange"].max_length.amount == 3  # type: ignore[union-attr]
    land = vietnam.land_first_certificate()
    assert land.pause_reason("land_financial_obligations") is not None


# ------------------------------------------------------------------ worked examples


def test_birth_filed_friday_1530_is_due_at_the_close_of_monday() -> None:
    cal = vietnam_calendar()
    birth = vietnam.birth_registration()
    assert isinstance(birth.time_limit, TimeLimit)
    friday = dt.datetime(2026, 3, 6, 15, 30, tzinfo=TZ)
    due = appointment(friday, birth.time_limit, cal, birth.clock).due
    assert due == cal.closing_time(dt.date(2026, 3, 9))
    before = appointment(friday.replace(hour=14), birth.time_limit, cal, birth.clock).due
    assert before == cal.closing_time(dt.date(2026, 3, 6))


def _received(proc: Procedure, agency: str, when: dt.datetime) -> dt.datetime | None:
    d, _ = ENGINE.apply(None, File(f"H-{agency}", proc.code, Channel.IN_PERSON),
                        at=when, actor=Citizen("079123456789"))
    d, _ = ENGINE.apply(d, Receive("BN-1", ["đơn"]), at=when + dt.timedelta(minutes=5),
                        actor=Officer("desk", agency, "one_stop"))
    return d.appointment


def test_land_first_registration_takes_10_more_working_days_in_a_mountainous_commune() -> None:
    cal = vietnam_calendar()
    proc = vietnam.land_first_registration()
    assert isinstance(proc.time_limit, VaryingLimit)
    mountain = _received(proc, vietnam.MOUNTAIN_COMMUNE.id, at(2, 9))
    lowland = _received(proc, vietnam.COMMUNE.id, at(2, 9))
    assert mountain is not None
    assert lowland is not None
    start = at(2, 9, 5)
    assert lowland == cal.add_working_time(start, dt.timedelta(hours=17 * 8))
    assert mountain == cal.add_working_time(start, dt.timedelta(hours=27 * 8))
    assert cal.working_days_between(lowland.date(), mountain.date()) == 10


# ------------------------------------------------------------------------ the schema


@pytest.mark.parametrize("fmt", ["json", "toml"])
def test_round_trip_equals_the_python_catalogue(fmt: str, tmp_path: Path) -> None:
    write, read = {"json": (catalogues.to_json, catalogues.from_json),
                   "toml": (catalogues.to_toml, catalogues.from_toml)}[fmt]
    back = read(write(CATALOGUE))
    assert back.procedures == CATALOGUE.procedures
    for mine, theirs in zip(CATALOGUE.procedures, back.procedures, strict=True):
        assert mine == theirs, mine.code
    path = tmp_path / f"catalogue.{fmt}"
    catalogues.dump(CATALOGUE, path)
    assert catalogues.load(path) == CATALOGUE


def test_the_document_records_its_schema() -> None:
    doc = catalogues.to_dict(CATALOGUE)
    assert doc["schema"] == catalogues.SCHEMA == 1
    assert json.loads(catalogues.to_json(CATALOGUE)) == doc


def _bad(edit: object) -> dict[str, object]:
    doc = catalogues.to_dict(CATALOGUE)
    edit(doc)  # type: ignore[operator]
    return doc


@pytest.mark.parametrize(("edit", "message"), [
    (lambda d: d["procedures"][3]["steps"][1]["allotment"].update(unit="workdays"),
     "procedures[3].steps[1].allotment.unit: 'workdays' is not one of 'working_days'"),
    (lambda d: d["procedures"][0].update(online="sometimes"),
     "procedures[0].online: 'sometimes' is not one of"),
    (lambda d: d["procedures"][2]["steps"][0].update(alotment={}),
     "procedures[2].steps[0].alotment: unknown key"),
    (lambda d: d["procedures"][0]["data"][0].update(type="list"),
     "procedures[0].data[0].type: 'list' is not one of 'str', 'int', 'float', 'bool'"),
    (lambda d: d["procedures"][1]["clock"].update(closing_window="an hour"),
     "procedures[1].clock.closing_window: expected a duration"),
    (lambda d: d["procedures"][1].pop("name"), "procedures[1].name: missing"),
    (lambda d: d["procedures"][5].update(fee="free"),
     "procedures[5].fee: expected a whole number"),
    (lambda d: d["procedures"][4]["time_limit"].update(cutoff="3pm"),
     "procedures[4].time_limit.cutoff: expected a time"),
    (lambda d: d["procedures"][3]["time_limit"].update(amount=0.3),
     "procedures[3].time_limit: working days come in halves"),
    (lambda d: d.update(schema=2), "schema: this release reads catalogue schema 1"),
])
def test_bad_documents_name_the_path(edit: object, message: str) -> None:
    with pytest.raises(InvalidArgument) as info:
        catalogues.from_dict(_bad(edit))
    assert message in str(info.value)


def test_an_invalid_definition_lists_its_problems_under_its_path() -> None:
    doc = _bad(lambda d: d["procedures"][3]["steps"][0].update(then="nowhere"))
    with pytest.raises(InvalidProcedure) as info:
        catalogues.from_dict(doc)
    assert "procedures[3]: step 'check' leads to unknown step 'nowhere'" in str(info.value)


def test_bad_files_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text("schema = 1\nprocedures = 3\n", encoding="utf-8")
    with pytest.raises(InvalidArgument, match=r"c\.toml: procedures: expected a list"):
        catalogues.load(path)
    with pytest.raises(InvalidArgument, match=r"\.json or \.toml"):
        catalogues.load(tmp_path / "c.yaml")


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(limit=time_limits(), cutoff=st.none() | st.times().map(lambda t: t.replace(tzinfo=None)),
       index=st.integers(0, len(CATALOGUE.procedures) - 1))
def test_round_trip_of_generated_limits(limit: TimeLimit, cutoff: dt.time | None,
                                        index: int) -> None:
    import attrs

    if cutoff is not None and limit.unit is not Unit.SAME_DAY:
        limit = attrs.evolve(limit, cutoff=cutoff)
    proc = CATALOGUE.procedures[index]
    changed = attrs.evolve(proc, max_extension=limit if limit.unit is not Unit.SAME_DAY
                           and limit.unit is not Unit.MONTHS else None,
                           steps=[attrs.evolve(s, allotment=None) for s in proc.steps],
                           time_limit=limit)
    cat = Catalogue([changed])
    assert catalogues.from_toml(catalogues.to_toml(cat)) == cat
    assert catalogues.from_json(catalogues.to_json(cat)) == cat


# -------------------------------------------------------- every procedure runs on the engine


@pytest.mark.parametrize("code", [p.code for p in CATALOGUE.procedures])
def test_dossiers_run_on_every_procedure(code: str) -> None:
    proc = CATALOGUE.in_force(code, dt.date(2026, 3, 2))

    @settings(max_examples=8, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    @given(dossiers(ENGINE, proc))
    def run(d: object) -> None:
        assert ENGINE.replay(d.history) == d  # type: ignore[attr-defined]

    run()
