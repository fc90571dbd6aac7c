"""The fast fold (``dossierflow.clock._fold.fold``, what ``Sla.advance`` runs) is the definition
(``dossierflow.clock._timeline.advance``, one event at a time) on generated lives: whole
histories, histories cut anywhere and folded on from the cut (as the store does on every save),
and procedures whose steps' allotments take every unit (the one-read shortcut for exact
working time and the definition's path for the others), under both conventions and both
supplement policies; with repeated supplement requests, and with histories as another system
might have recorded them (a receipt without appointment, filings on every channel)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossierflow import samples
from dossierflow.calendar import vietnam
from dossierflow.clock import Sla, Timeline
from dossierflow.clock._timeline import advance
from dossierflow.rules import (
    ClockPolicy,
    Convention,
    SupplementPolicy,
    TimeLimit,
    calendar_days,
    same_day,
    working_days,
    working_hours,
)
from dossierflow.states import (
    Catalogue,
    Channel,
    Dossier,
    Engine,
    Event,
    Filed,
    Procedure,
    Received,
)
from dossierflow.testing import dossiers


def _allotted(proc: Procedure, version: int, allot: Callable[[int], TimeLimit | None],
              clock: ClockPolicy, **changes: Any) -> Procedure:
    steps = [attrs.evolve(s, allotment=allot(k)) for k, s in enumerate(proc.steps)]
    return attrs.evolve(proc, version=version, steps=steps, clock=clock, **changes)


GROUP_A = samples.group_a()
UNITS: Sequence[TimeLimit | None] = (working_days(0.5), same_day(), calendar_days(1),
                                     working_hours(3), None)
END_OF_DAY_RESTART = ClockPolicy(convention=Convention.END_OF_DAY,
                                 on_supplement=SupplementPolicy.RESTART)
EXTEND = working_days(1)
PROCEDURES = [
    GROUP_A,
    _allotted(GROUP_A, 2, lambda k: UNITS[k % len(UNITS)], ClockPolicy(),
              max_extension=EXTEND),
    _allotted(GROUP_A, 3, lambda k: UNITS[(k + 2) % len(UNITS)], END_OF_DAY_RESTART,
              max_extension=EXTEND, supplement_requests=None),
    attrs.evolve(GROUP_A, version=4, max_extension=EXTEND, supplement_requests=None,
                 clock=ClockPolicy(on_supplement=SupplementPolicy.RESTART)),
    attrs.evolve(samples.certified_copy(), version=2, max_extension=EXTEND),  # same day
    _allotted(samples.birth_registration(), 2, lambda k: UNITS[(k + 1) % len(UNITS)],
              ClockPolicy(), max_extension=EXTEND),
    _allotted(samples.birth_registration(), 3, lambda k: UNITS[(k + 3) % len(UNITS)],
              END_OF_DAY_RESTART, time_limit=calendar_days(3)),  # elapsed time
]
ENGINE = Engine(Catalogue(PROCEDURES), calendar=vietnam())
SLA = Sla(ENGINE)
FOLD = settings(max_examples=100, deadline=None, suppress_health_check=list[HealthCheck]())


def reference(tl: Timeline | None, d: Dossier, events: Sequence[Event]) -> Timeline:
    """The definition: ``advance``, one event at a time."""
    proc = ENGINE.procedure_of(d)
    tl = Timeline() if tl is None else tl
    for e in events:
        tl = advance(tl, e, proc, SLA.calendar)
    return tl


def test_the_procedures_cover_every_allotment_unit() -> None:
    units = {s.allotment.unit for p in PROCEDURES for s in p.steps if s.allotment is not None}
    assert units == {u.unit for u in UNITS if u is not None}
    assert any(s.allotment is None for p in PROCEDURES for s in p.steps)


@FOLD
@given(st.data())
def test_fold_is_the_definition(data: st.DataObject) -> None:
    proc = data.draw(st.sampled_from(PROCEDURES))
    d = data.draw(dossiers(ENGINE, proc))
    history = d.history
    whole = reference(None, d, history)
    assert SLA.timeline(d) == whole
    # Cut anywhere, folded on from the cut: open clocks come in from an earlier timeline.
    cut = data.draw(st.integers(0, len(history)))
    before = SLA.advance(None, d, history[:cut])
    assert before == reference(None, d, history[:cut])
    assert SLA.advance(before, d, history[cut:]) == whole
    # One event at a time, as a store saving each command.
    tl = None
    for e in history:
        tl = SLA.advance(tl, d, [e])
    assert tl == whole
    # What is read off the timeline is the same too.
    at = history[-1].at + dt.timedelta(hours=data.draw(st.integers(0, 100)))
    assert SLA.judge(d, whole, at) == SLA.classify(d, at)


def test_the_lives_ask_for_supplements_more_than_once() -> None:
    assert any(p.supplement_requests is None for p in PROCEDURES)


@FOLD
@given(st.data())
def test_fold_is_the_definition_on_imported_histories(data: st.DataObject) -> None:
    # A receipt without appointment (the clock runs from the procedure's limit) and filings
    # on each channel (only online ones have a reception clock).
    proc = data.draw(st.sampled_from(PROCEDURES))
    d = data.draw(dossiers(ENGINE, proc))
    channel = data.draw(st.sampled_from(Channel))
    strip = data.draw(st.booleans())
    history = [attrs.evolve(e, channel=channel) if type(e) is Filed else
               attrs.evolve(e, appointment=None) if type(e) is Received and strip else e
               for e in d.history]
    whole = reference(None, d, history)
    assert SLA.advance(None, d, history) == whole
    cut = data.draw(st.integers(0, len(history)))
    assert SLA.advance(SLA.advance(None, d, history[:cut]), d, history[cut:]) == whole
    received = [e for e in history if type(e) is Received]
    if strip and received:
        assert whole.appointed is (proc.time_limit is None)
    assert (whole.filed_online is not None) is (channel is Channel.ONLINE)


def overdue_by(d: Dossier, end: dt.datetime) -> bool:
    """Reports' "pending and had been overdue before ``end``", from the history cut at
    ``end`` (events before it): found overdue by an event before ``end``, or overdue at it."""
    tl = SLA.timeline(d, until=end - dt.timedelta(microseconds=1))
    return tl.ended is None and tl.ledger is not None and (
        tl.first_overdue is not None or tl.is_overdue(end))


def overdue_by_whole(whole: Timeline, end: dt.datetime) -> bool:
    """The same from the whole history's timeline (what the store keeps): first found overdue
    before ``end``, or never found overdue yet overdue before ``end`` now."""
    if whole.first_overdue is not None:
        return whole.first_overdue < end
    since = whole.overdue_from
    return since is not None and since < end


@FOLD
@given(st.data())
def test_first_overdue_is_when_an_event_first_saw_the_dossier_overdue(
        data: st.DataObject) -> None:
    proc = data.draw(st.sampled_from(PROCEDURES))
    d = data.draw(dossiers(ENGINE, proc))
    history = d.history
    # The oracle: the timelines of every prefix, the first event after an overdue instant.
    found = None
    tl = Timeline()
    for e in history:
        if found is None and tl.ended is None:
            since = tl.overdue_from
            if since is not None and since < e.at:
                found = since
        tl = advance(tl, e, ENGINE.procedure_of(d), SLA.calendar)
    assert SLA.timeline(d).first_overdue == found
    # A new appointment, an extension or a restart never makes it earlier than its event.
    if found is not None:
        assert found < max(e.at for e in history)


@FOLD
@given(st.data())
def test_overdue_at_a_period_end_reads_off_the_whole_timeline(data: st.DataObject) -> None:
    # The rule the report's SQL path relies on: whether a dossier open at ``end`` had been
    # overdue before it is the same from the history cut at ``end`` and from the whole
    # history's timeline (first_overdue, and the state's overdue_from).
    proc = data.draw(st.sampled_from(PROCEDURES))
    d = data.draw(dossiers(ENGINE, proc))
    whole = SLA.timeline(d)
    first, last = d.history[0].at, d.history[-1].at
    span = int((last - first).total_seconds()) + 86_400 * 3
    end = first + dt.timedelta(seconds=data.draw(st.integers(0, span)))
    cut = SLA.timeline(d, until=end - dt.timedelta(microseconds=1))
    if cut.ended is None and cut.ledger is not None:
        assert overdue_by(d, end) == overdue_by_whole(whole, end)
