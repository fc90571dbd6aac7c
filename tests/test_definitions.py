"""Procedure definitions: the samples build, and every kind of bad definition is refused with
every offender listed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dossierflow import samples
from dossierflow._errors import InvalidProcedure
from dossierflow.rules import calendar_days, same_day, working_days, working_hours
from dossierflow.states import (
    END,
    Agency,
    Catalogue,
    DataField,
    Procedure,
    Role,
    Step,
    choice,
    interconnected,
    parallel,
    when,
)

A = Agency("a", "Agency A")
B = Agency("b", "Agency B")


def proc(*steps: Step, **kw: Any) -> Procedure:
    args: dict[str, Any] = {
        "code": "1.000001", "name": "Test", "agencies": [A, B], "receivers": ["a"],
        "steps": steps,
    }
    args.update(kw)
    return Procedure(**args)


def problems(*steps: Step, **kw: Any) -> tuple[str, ...]:
    with pytest.raises(InvalidProcedure) as info:
        proc(*steps, **kw)
    assert info.value.code == kw.get("code", "1.000001")
    return info.value.problems


def test_samples_build_and_read_like_their_process() -> None:
    cat = samples.catalogue()
    copy = cat.get("2.000815", 1)
    assert copy.first_step == "certify"
    assert str(copy.time_limit) == "same working day (cut-off 15:00)"
    group = cat.get("LT.A", 1)
    assert group.members == ("1.001193", "1.004222", "1.002364")
    assert group.step("1.004222/register_residence").member == "1.004222"
    assert {a.id for a in group.agencies} == {"ubnd_xa", "ca_xa", "bhxh"}
    worst, path = group.worst_path()
    assert worst == 24  # 0.5 + 0.5 + 2 working days, in hours
    assert path[0] == "1.001193/check"


def test_unreachable_steps_and_steps_with_no_end_are_listed_together() -> None:
    found = problems(
        Step("one", owner=A.role("x"), then=END),
        Step("orphan", owner=A.role("x"), then="loop"),
        Step("loop", owner=A.role("x"), then="orphan"),
    )
    assert any("cannot be reached" in p and "'orphan', 'loop'" in p for p in found)
    assert any("no path to an end: ['orphan', 'loop']" in p for p in found)


def test_unknown_agency_duplicate_names_unknown_targets() -> None:
    found = problems(
        Step("one", owner=Role("police", "x"), then="two"),
        Step("one", owner=A.role("x"), then="nowhere"),
        Step("two", owner=A.role("x"), then=END),
        data=[DataField("f", str), DataField("f", str)],
    )
    text = "\n".join(found)
    assert "duplicate step name 'one'" in text
    assert "duplicate data field name 'f'" in text
    assert "owned by agency 'police', which the procedure does not know" in text
    assert "leads to unknown step 'nowhere'" in text


def test_condition_on_undeclared_or_mistyped_data() -> None:
    found = problems(
        Step("one", owner=A.role("x"),
             then=choice(when("urgent", then="two"), when("count", equals="3", then="two"),
                         otherwise=END)),
        Step("two", owner=A.role("x"), then=END),
        data=[DataField("count", int)],
    )
    assert any("reads data the procedure does not declare" in p and "'urgent'" in p
               for p in found)
    assert any("compares 'count' (int) with '3'" in p for p in found)


def test_parallel_branch_that_never_joins() -> None:
    found = problems(
        Step("split", owner=A.role("x"), then=parallel("left", "right", join="merge")),
        Step("left", owner=A.role("x"), then="merge"),
        Step("right", owner=B.role("y"), then=END),
        Step("merge", owner=A.role("x"), then=END),
    )
    assert any("branch 'right'" in p and "without joining at 'merge'" in p for p in found)


def test_parallel_branch_that_loops_forever_is_reported() -> None:
    found = problems(
        Step("split", owner=A.role("x"), then=parallel("left", "right", join="merge")),
        Step("left", owner=A.role("x"), then="merge"),
        Step("right", owner=B.role("y"), then="spin"),
        Step("spin", owner=B.role("y"), then="right"),
        Step("merge", owner=A.role("x"), then=END),
    )
    assert any("branch 'right'" in p and "can never join at 'merge'" in p for p in found)
    assert any("no path to an end" in p for p in found)


def test_allotments_that_cannot_fit_the_statutory_limit_name_the_path() -> None:
    found = problems(
        Step("receive", owner=A.role("x"), allotment=working_days(0.5),
             then=choice(when("verify", then="verify"), otherwise="approve")),
        Step("verify", owner=A.role("x"), allotment=working_days(2), then="approve"),
        Step("approve", owner=B.role("y"), allotment=working_hours(4), then=END),
        data=[DataField("verify", bool)],
        time_limit=working_days(2.5),
    )
    assert found == (
        "the step allotments on path receive -> verify -> approve add up to 3 working days, "
        "more than the statutory limit (2.5 working days); shorten them or fix the limit",
    )


def test_parallel_allotments_count_the_longest_branch() -> None:
    ok = proc(
        Step("split", owner=A.role("x"), allotment=working_days(1),
             then=parallel("left", "right")),
        Step("left", owner=A.role("x"), allotment=working_days(2), then=END),
        Step("right", owner=B.role("y"), allotment=working_days(1), then=END),
        time_limit=working_days(3),
    )
    assert ok.worst_path() == (24, ("split", "left"))


def test_calendar_unit_limits_are_not_compared() -> None:
    p = proc(Step("one", owner=A.role("x"), allotment=calendar_days(40), then=END),
             time_limit=working_days(1))
    assert p.worst_path()[0] is None


def test_identity_checks() -> None:
    found = problems(
        Step("one", owner=A.role("x"), then=END),
        code="1001612", name=" ", version=0, receivers=["zz"],
        effective_from=dt.date(2025, 7, 1), effective_to=dt.date(2025, 1, 1), fee=-1,
    )
    text = "\n".join(found)
    for piece in ("national procedure code", "name is empty", "version must be",
                  "effective_to 2025-01-01 must be after", "fee must be",
                  "receiver 'zz' is not among the agencies"):
        assert piece in text
    assert proc(Step("one", owner=A.role("x"), then=END), code="1.000948.H38").code


def test_one_error_lists_every_problem() -> None:
    with pytest.raises(InvalidProcedure) as info:
        proc(Step("one", owner=Role("zz", "x"), then="nope"),
             Step("one", owner=A.role("x"), then=END))
    message = str(info.value)
    assert message.startswith("procedure '1.000001' is invalid (3 problems):\n  - ")
    assert isinstance(info.value, ValueError)


def test_interconnected_members_keep_their_codes() -> None:
    first = proc(Step("a1", owner=A.role("x"), then=END), code="1.000001")
    second = proc(Step("b1", owner=B.role("y"), then=END), code="1.000002", receivers=["b"])
    third = proc(Step("c1", owner=B.role("y"), then=END), code="1.000003", receivers=["b"])
    group = interconnected("G", "group", first=first, then=[second, third],
                           time_limit=same_day())
    assert group.first_step == "1.000001/a1"
    assert group.step("1.000001/a1").then == parallel("1.000002/b1", "1.000003/c1")
    assert group.receivers == ("a",)
    with pytest.raises(InvalidProcedure, match=r"member '1\.000002' is listed twice"):
        interconnected("G", "group", first=first, then=[second, second])
    clash = proc(Step("c1", owner=B.role("y"), then=END), code="1.000004",
                 agencies=[A, Agency("b", "Other name")], receivers=["b"])
    with pytest.raises(InvalidProcedure, match="agency 'b' differs between members"):
        interconnected("G", "group", first=first, then=[second, clash])


def test_catalogue_versions() -> None:
    v1 = samples.certified_copy()
    v2 = Procedure(**{**{a.name: getattr(v1, a.name) for a in Procedure.__attrs_attrs__
                        if a.init}, "version": 2, "effective_from": dt.date(2027, 1, 1)})
    cat = Catalogue([v1]).with_procedure(v2)
    assert cat.in_force("2.000815", dt.date(2026, 12, 31)) is v1
    assert cat.in_force("2.000815", dt.date(2027, 1, 1)) is v2
    assert cat.versions("2.000815") == (v1, v2)
    with pytest.raises(LookupError, match=r"version 3 in the catalogue \(versions known: \[1, 2\]"):
        cat.get("2.000815", 3)
    with pytest.raises(LookupError, match="in force on 2025-06-30"):
        cat.in_force("2.000815", dt.date(2025, 6, 30))
    with pytest.raises(ValueError, match="registered twice"):
        cat.with_procedure(v2)


def test_mermaid_groups_steps_by_agency() -> None:
    text = samples.group_a().to_mermaid()
    assert text.startswith("flowchart TD\n")
    assert 'subgraph a_ca_xa["Commune police"]' in text
    assert "2 working days" in text
    assert '-->|"needs_verification = True"|' in text
    assert "parallel: all branches end" in text
