"""Bounded cost: validation is polynomial and needs no recursion (choices that rejoin, long
chains), and extreme inputs are refused with a DossierflowError instead of overflowing,
exhausting memory or miscounting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dossierflow import DossierflowError, InvalidArgument, InvalidCalendar, InvalidProcedure
from dossierflow.calendar import MAX_YEARS, WorkCalendar, vietnam
from dossierflow.rules import calendar_days, months, working_days, working_hours
from dossierflow.states import (
    END,
    Agency,
    DataField,
    Parallel,
    Procedure,
    Step,
    choice,
    parallel,
    when,
)

A = Agency("a", "Commune")
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def warm() -> WorkCalendar:
    """Vietnam's calendar with its index loaded: add_working_time takes its fast path."""
    cal = vietnam()
    cal.add_working_time(dt.datetime(2026, 3, 2, 9, tzinfo=TZ), dt.timedelta(hours=1))
    return cal


def procedure(**kw: Any) -> Procedure:
    base: dict[str, Any] = {"code": "1.000001", "name": "x", "agencies": [A],
                            "receivers": ["a"],
                            "steps": [Step("s1", owner=A.role("r"), then=END)]}
    base.update(kw)
    return Procedure(**base)


def test_thirty_choice_diamonds_validate() -> None:
    steps = []
    for i in range(30):
        after = f"d{i + 1}" if i < 29 else END
        steps += [Step(f"d{i}", owner=A.role("r"), allotment=working_hours(1),
                       then=choice(when("f", then=f"l{i}"), otherwise=f"r{i}")),
                  Step(f"l{i}", owner=A.role("r"), allotment=working_hours(2), then=after),
                  Step(f"r{i}", owner=A.role("r"), allotment=working_hours(1), then=after)]
    proc = procedure(steps=steps, data=[DataField("f", bool)])
    worst, path = proc.worst_path()
    assert worst == Decimal(90)  # 30 x (1 + 2)
    assert path[:3] == ("d0", "l0", "d1")


def test_a_thousand_step_chain_validates_without_recursion() -> None:
    steps = [Step(f"s{i}", owner=A.role("r"), allotment=working_hours(1),
                  then=f"s{i + 1}" if i < 999 else END) for i in range(1000)]
    proc = procedure(steps=steps, time_limit=working_hours(1000))
    assert proc.worst_path()[0] == Decimal(1000)
    with pytest.raises(InvalidProcedure, match="add up to 125 working days"):
        procedure(steps=steps, time_limit=working_hours(999))


@pytest.mark.parametrize(("build", "message"), [
    (lambda: working_days(1e308), "at most a hundred years"),
    (lambda: months(10**6), "at most 1200 months"),
    (lambda: calendar_days(10**9), "at most 36500 calendar_days"),
    (lambda: vietnam().add_working_time(dt.datetime(2026, 3, 2, 9, tzinfo=TZ),
                                         dt.timedelta.max), "more office time than"),
    (lambda: warm().add_working_time(dt.datetime(2026, 3, 2, 9, tzinfo=TZ),
                                     dt.timedelta.min), "more office time than"),
    (lambda: warm().add_working_time(dt.datetime(2026, 3, 2, 9, 30, tzinfo=TZ),
                                     dt.timedelta.max), "more office time than"),
    (lambda: procedure(steps=[Step("s1", owner=A.role("r"), then=parallel(END, "s2")),
                              Step("s2", owner=A.role("r"), then=END)]),
     "takes step names as branches"),
    (lambda: procedure(steps=[Step("s1", owner=A.role("r"),
                                   then=Parallel((Parallel(("s2", "s3")), "s2"))),
                              Step("s2", owner=A.role("r"), then=END),
                              Step("s3", owner=A.role("r"), then=END)]),
     "takes step names as branches"),
    (lambda: procedure(steps=None), "steps must be a non-empty sequence"),
    (lambda: procedure(data=["f"]), "data must be a sequence of DataField"),
    (lambda: procedure(max_extension=5), "max_extension must be a TimeLimit"),
    (lambda: vietnam(first_year=1, last_year=9998), f"at most {MAX_YEARS} are allowed"),
    (lambda: WorkCalendar(name="x", timezone="Europe/Berlin", first_year=2024,
                          last_year=2025), "changes its offset from UTC in 2024"),
])
def test_extreme_inputs_are_refused(build: Any, message: str) -> None:
    with pytest.raises(DossierflowError, match=message) as info:
        build()
    assert isinstance(info.value, InvalidArgument | InvalidProcedure | InvalidCalendar)


@pytest.mark.parametrize(("text", "message"), [
    ("[[days_off]]\ndate = 0001-01-01\nuntil = 9999-12-30\nreason = 'x'\nsource = 'y'\n",
     "longer than a year"),
    ("[[days_off]]\ndate = 0001-01-01\nreason = 'x'\nsource = 'y'\n"
     "[[days_off]]\ndate = 9999-01-01\nreason = 'x'\nsource = 'y'\n",
     "spans 1-9999; a calendar covers at most 200 years"),
])
def test_layer_spans_are_bounded(tmp_path: Any, text: str, message: str) -> None:
    from dossierflow import LayerFileError
    from dossierflow.calendar import load_layer

    path = tmp_path / "huge.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LayerFileError, match=message):
        load_layer(path)
