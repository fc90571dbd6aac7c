"""The simulation: a tiny province run through the engine and the store, its report checked
against the same figures recomputed from the stored histories, the seed's determinism, the
shipped profiles, and profile mistakes named by their field."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest

from dossierflow import reports
from dossierflow.clock import Sla, Verdict
from dossierflow.simulate import (
    PROFILES,
    InvalidProfile,
    build,
    load_profile,
    read_profile,
    shipped_profile_text,
    simulate,
)
from dossierflow.simulate._report import report_of
from dossierflow.states import Channel, FeePaid, PaymentMethod, Rated, Status
from dossierflow.store import Store

TINY = """
format = 1
name = "Tiny mountain province"
start = 2026-03-02
end = 2026-03-20
months = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]

[mix]
online = 0.5
postal = 0.02
paid_online_if_online = 0.7
paid_online_if_direct = 0.05
desk_supplement = 0.05
step_supplement = 0.05
supplement_abandoned = 0.2
refused = 0.01
rejected = 0.02
withdrawn = 0.02
verification = 0.2
land_tax_pause = 0.6
rated = 0.8
unsatisfied = 0.05
complaint = 0.05
electronic_result = 0.5
digitised = 0.7
reused = 0.4
office_absence = 0.05
outside_hours = 0.2
monday_factor = 1.2
after_tet_days = 0
after_tet_factor = 1.0

[kinds.commune]
level = "commune"
absence = 0.1
[kinds.commune.volumes]
"2.000815" = 1500
"LT.A" = 120
"1.012757" = 300
"1.004873" = 200
[kinds.commune.staff]
one_stop = { officers = 1, capacity = 40 }
justice_officer = { officers = 1, capacity = 25 }
civil_status = { officers = 1, capacity = 10 }
chairman = { officers = 1, capacity = 40 }
residence_officer = { officers = 1, capacity = 10 }
land_officer = { officers = 1, capacity = 2 }

[kinds.province]
level = "province"
[kinds.province.volumes]
"2.000505" = 800
[kinds.province.staff]
one_stop = { officers = 1, capacity = 40 }

[offices.cn_vpdkdd]
registrar = { officers = 1, capacity = 2 }
[offices.thue]
tax_officer = { officers = 1, capacity = 5 }
[offices.bhxh]
card_officer = { officers = 1, capacity = 10 }
[offices.ca_tinh]
records_officer = { officers = 1, capacity = 10 }
director = { officers = 1, capacity = 30 }

[[units]]
id = "tinh"
name = "Provincial centre"
kind = "province"

[[units]]
id = "xa-{n}"
name = "Commune {n}"
kind = "commune"
terrain = "mountainous"
count = 2
"""


def tiny() -> dict[str, object]:
    return tomllib.loads(TINY)


def run(seed: int = 7) -> tuple[Store, object, reports.Report]:
    profile = read_profile(tiny(), source="tiny.toml")
    province = build(profile)
    store = Store.memory(province.engine, clock_tolerance=None)
    result = simulate(province, store, seed=seed)
    report = report_of(store, reports.Period(profile.start, profile.end))
    return store, result, report


@pytest.fixture(scope="module")
def ran() -> tuple[Store, object, reports.Report]:
    return run()


def test_every_command_goes_through_the_engine_and_the_records_verify(ran) -> None:
    store, result, _ = ran
    assert result.refused == 0
    assert result.dossiers > 200
    assert result.commands > 4 * result.dossiers
    assert store.verify_all() == ()
    assert store.pending_messages() == 0  # the relay ran at every close


def test_the_report_is_what_the_stored_histories_say(ran) -> None:
    store, _, report = ran
    sla = Sla(store.engine)
    start, end = report.period.instants
    judged = in_time = fee = online = rated = happy = received = by_level = 0
    levels: dict[str, int] = {}
    for ident in store.dossier_ids():
        d = store.load(ident, cached=False)
        if d.receipt is None or not start <= d.receipt.at < end:
            continue
        received += 1
        level = "province" if d.receipt.agency == "tinh" else "commune"
        levels[level] = levels.get(level, 0) + 1
        verdict = sla.classify(d, end - dt.timedelta(microseconds=1))
        judged += 1
        in_time += verdict.verdict is not Verdict.LATE
        if store.engine.procedure_of(d).has_fee:
            fee += 1
            online += any(isinstance(e, FeePaid) and e.method is PaymentMethod.ONLINE
                          for e in d.history)
        for e in d.history:
            if isinstance(e, Rated) and e.at < end:
                rated += 1
                happy += e.score >= 3
    total = report.total
    assert total.carried_over == 0  # the province opened with the period
    assert total.received_in_period == received
    assert (total.in_time, total.judged) == (in_time, judged)
    assert (total.paid_online, total.fee_bearing) == (online, fee)
    assert (total.rated - total.rated_unsatisfied, total.rated) == (happy, rated)
    by_level = {k[0]: 0 for k in (r.key for r in report.rows)}
    for r in report.rows:
        by_level[r.key[0]] += r.counts.received_in_period
    assert by_level == levels
    assert 0 < total.resolved_late < judged  # the small staff makes some late, not all
    replayed = reports.from_dossiers((store.load(i, cached=False) for i in store.dossier_ids()),
                                     sla, report.period, by=report.by)
    assert replayed.rows == report.rows  # the SQL report is the replayed histories' report


def test_the_work_decides_who_is_late(ran) -> None:
    store, _, _ = ran
    sla = Sla(store.engine)
    late: dict[str, int] = {}
    for ident in store.dossier_ids():
        d = store.load(ident)
        v = sla.classify(d)
        if v.verdict is Verdict.LATE and d.status is not Status.STOPPED:
            late[v.responsible or "?"] = late.get(v.responsible or "?", 0) + 1
    # One registrar for the whole province's land: the land office is behind most delays.
    assert max(late, key=late.__getitem__) in {"cn_vpdkdd", "thue", "ubnd_xa"}


def test_the_same_seed_writes_the_same_records_and_report() -> None:
    a, _, ra = run(seed=3)
    b, _, rb = run(seed=3)
    c, _, rc = run(seed=4)
    assert a.anchor() == b.anchor()
    assert reports.to_json(ra) == reports.to_json(rb)
    assert a.anchor() != c.anchor()
    assert reports.to_json(ra) != reports.to_json(rc)


@pytest.mark.parametrize(("path", "value", "field", "problem"), [
    (("kinds", "commune", "staff", "land_officer", "officers"), 0,
     "kinds.commune.staff.land_officer.officers", "must be a whole number from 1"),
    (("mix", "online"), 1.5, "mix.online", "must be a share from 0 to 1"),
    (("kinds", "commune", "volumes", "9.999999"), 10, "kinds.commune.volumes.9.999999",
     "is not a procedure of the Vietnam catalogue"),
    (("units", 1, "kind"), "district", "units[1].kind", "names no kind of the profile"),
    (("units", 1, "sise"), 2, "units[1].sise", "is not a field of the profile format"),
    (("months",), [1, 2], "months", "must list 12 monthly factors"),
])
def test_a_mistake_is_named_by_its_field(path, value, field, problem) -> None:
    document = tiny()
    target = document
    for key in path[:-1]:
        target = target[key]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]
    with pytest.raises(InvalidProfile, match=problem) as caught:
        build(read_profile(document, source="tiny.toml"))
    assert caught.value.path == field
    assert str(caught.value).startswith(f"profile tiny.toml: {field}: ")


def test_a_role_without_staff_is_named() -> None:
    document = tiny()
    del document["offices"]["thue"]  # type: ignore[attr-defined]
    with pytest.raises(InvalidProfile, match=r"offices\.thue\.tax_officer: is missing"):
        build(read_profile(document))


@pytest.mark.parametrize("name", PROFILES)
def test_the_shipped_profiles_build(name: str) -> None:
    profile = load_profile(name)
    province = build(profile)
    assert read_profile(tomllib.loads(shipped_profile_text(name))) == attrs_evolve_source(
        profile)
    levels = {profile.kind(u.kind).level for u in profile.units}
    assert "province" in levels
    assert "commune" in levels
    assert province.engine.catalogue.procedures


def attrs_evolve_source(profile: object) -> object:
    import attrs

    return attrs.evolve(profile, source="")  # type: ignore[misc]


def test_the_2023_and_2025_structures() -> None:
    after = load_profile("lai-chau-2025")
    before = load_profile("lai-chau-2023")
    count = lambda p, level: sum(p.kind(u.kind).level == level for u in p.units)  # noqa: E731
    assert (count(after, "province"), count(after, "commune"), count(after, "district")) == \
        (1, 38, 0)
    assert (count(before, "province"), count(before, "district"), count(before, "commune")) \
        == (1, 8, 106)


def test_the_command_prints_the_summary_and_writes_the_report(tmp_path: Path, capsys) -> None:
    from dossierflow.__main__ import main

    profile = tmp_path / "tiny.toml"
    profile.write_text(TINY, encoding="utf-8")
    assert main(["simulate", "--profile", str(profile), "--out", str(tmp_path / "out"),
                 "--to", "2026-03-06", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "resolved early or on time" in out
    assert "paid online" in out
    assert (tmp_path / "out" / "dossiers.db").exists()
    html = tmp_path / "out" / "report.html"
    assert f"HTML report: {html.resolve()}" in out.replace("\n", "")
    assert html.read_text(encoding="utf-8").startswith("<!")


def test_a_bad_profile_is_a_usage_error(tmp_path: Path, capsys) -> None:
    from dossierflow.__main__ import main

    profile = tmp_path / "bad.toml"
    profile.write_text(TINY.replace("count = 2", "count = 0"), encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main(["simulate", "--profile", str(profile), "--out", str(tmp_path), "--quiet"])
    assert exited.value.code == 2
    assert "units[1].count: must be a whole number from 1" in capsys.readouterr().err


def test_online_filings_on_days_off_count_from_the_next_opening(ran) -> None:
    store, _, _ = ran
    cal = store.engine.calendar
    seen = 0
    for ident in store.dossier_ids():
        d = store.load(ident)
        filed = d.history[0].at
        if d.channel is Channel.ONLINE and not cal.is_working_day(cal.local_date(filed)):
            seen += 1
            assert d.receipt is None or cal.is_working_day(cal.local_date(d.receipt.at))
    assert seen > 0
