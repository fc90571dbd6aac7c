"""The two ways of computing a report agree: the SQL path (``reports.from_store``, aggregates
over the store's projection) and the Python path (``reports.from_dossiers``, each dossier
replayed and classified by the clock), on hypothesis-generated stores (lives of catalogue
procedures with fees paid online or at the desk, digitisation at receipt, complaints and
their answers, ratings), saved command by command as an application saves them, for random
periods and groupings, on each backend; and the arithmetic of Biểu 06 holds on every row."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossierflow import DossierflowError, reports
from dossierflow.calendar import vietnam
from dossierflow.catalogues import vietnam as catalogue_vn
from dossierflow.clock import Sla
from dossierflow.reports import DIMENSIONS, Period, Report
from dossierflow.states import (
    AnswerComplaint,
    Catalogue,
    Citizen,
    Complain,
    Dossier,
    Engine,
    Filed,
    Officer,
    PayFee,
    PaymentMethod,
    Rate,
    Received,
)
from dossierflow.store import Store, metadata
from dossierflow.testing import dossiers
from tests.store_support import open_store

PROCS = [make() for make in catalogue_vn.PROCEDURES[::3]]
ENGINE = Engine(Catalogue(PROCS), calendar=vietnam())
SLA = Sla(ENGINE)
START = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone(dt.timedelta(hours=7)))
_ids = itertools.count()


@st.composite
def lives(draw: st.DrawFn) -> Dossier:
    """A generated life, with its receipt's digitisation and, after it, facts: a fee paid
    online or at the desk, a complaint answered or not, a rating."""
    proc = draw(st.sampled_from(PROCS))
    start = START + dt.timedelta(days=draw(st.integers(0, 60)), hours=draw(st.integers(0, 8)))
    d = draw(dossiers(ENGINE, proc, start=start))
    ident = f"R-{next(_ids)}"
    history = []
    for e in d.history:
        if type(e) is Filed:
            e = attrs.evolve(e, dossier=ident)
        elif type(e) is Received and draw(st.booleans()):
            components = draw(st.integers(0, 6))
            e = attrs.evolve(e, components=components,
                             digitised=draw(st.integers(0, components)),
                             reused=draw(st.integers(0, 2)))
        history.append(e)
    d = ENGINE.replay(history)
    at = d.history[-1].at
    applicant = Citizen(d.applicant)
    officer = Officer("o-1", proc.agencies[0].id, "one_stop")
    desk = Officer("desk", d.receipt.agency if d.receipt else proc.receivers[0],
                   proc.reception_role)
    extra: list[tuple[Any, Any]] = []
    if proc.has_fee and draw(st.booleans()):
        online = draw(st.booleans())
        extra.append((PayFee(proc.fee, PaymentMethod.ONLINE if online else PaymentMethod.DESK),
                      applicant if online else desk))
    if draw(st.booleans()):
        extra.append((Complain("slow"), applicant))
        if draw(st.booleans()):
            extra.append((AnswerComplaint("sorry", satisfied=draw(st.sampled_from(
                [True, False, None]))), officer))
    if draw(st.booleans()):
        extra.append((Rate(draw(st.integers(1, 5))), applicant))
    for command, actor in extra:
        at = at + dt.timedelta(hours=draw(st.integers(1, 200)))
        with contextlib.suppress(DossierflowError):  # not allowed in this life (refused...)
            d, _ = ENGINE.apply(d, command, at=at, actor=actor)
    return d


def save(store: Store, d: Dossier) -> None:
    """Saved command by command (the projection kept event by event, as in production)."""
    before = None
    k = 0
    history = d.history
    while k < len(history):
        # The events one command made share an instant and come together.
        j = k + 1
        while j < len(history) and history[j].at == history[k].at:
            j += 1
        after = ENGINE.replay(history[:j])
        store.save(before, after, history[k:j])
        before, k = after, j


def periods() -> st.SearchStrategy[Period]:
    day = st.integers(0, 150).map(lambda n: dt.date(2026, 2, 20) + dt.timedelta(days=n))
    return st.tuples(day, st.integers(0, 90)).map(
        lambda p: Period(p[0], p[0] + dt.timedelta(days=p[1])))


def biểu_06_holds(report: Report) -> None:
    for row in (*report.rows, reports.Row((), report.total)):
        c = row.counts
        assert c.received_total == c.received_online + c.received_direct + c.carried_over
        assert c.resolved_total == c.resolved_early + c.resolved_on_time + c.resolved_late
        assert c.pending_total == c.pending_in_time + c.pending_overdue
        assert c.received_total == c.resolved_total + c.pending_total, row


PATHS = settings(max_examples=25, deadline=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture,
                                        HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture
def one_store(store_spec: Any) -> Any:
    """One store for every example (emptied after each)."""
    store = open_store(store_spec, ENGINE, clock_tolerance=None)
    yield store
    store.close()


@PATHS
@given(data=st.data())
def test_the_sql_path_is_the_python_path(one_store: Store, data: st.DataObject) -> None:
    store = one_store
    lived = data.draw(st.lists(lives(), min_size=1, max_size=6))
    try:
        for d in lived:
            save(store, d)
        stored = [store.load(d.id) for d in lived]
        assert stored == lived
        for _ in range(3):
            period = data.draw(periods())
            by = tuple(data.draw(st.lists(st.sampled_from(DIMENSIONS), unique=True,
                                          max_size=3)))
            expected = reports.from_dossiers(stored, SLA, period, by)
            got = reports.from_store(store, period, by)
            assert got == expected
            biểu_06_holds(got)
    finally:
        with store.db.begin() as conn:  # the next example starts from an empty store
            for table in ("df_facts", "df_active", "df_outbox", "df_dossiers", "df_events"):
                conn.execute(sa.delete(metadata.tables[table]))
        for d in lived:
            store._forget(d.id)  # the cache would remember the deleted rows


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lived=st.lists(lives(), min_size=1, max_size=8))
def test_a_rebuilt_projection_gives_the_same_report(lived: list[Dossier]) -> None:
    store = Store.memory(ENGINE, clock_tolerance=None)
    for d in lived:
        save(store, d)
    period = Period(dt.date(2026, 3, 1), dt.date(2026, 4, 30))
    before = reports.from_store(store, period, ("agency", "channel"))
    assert before == reports.from_dossiers(lived, SLA, period, ("agency", "channel"))
    facts = metadata.tables["df_facts"]

    def fact_rows() -> list[Any]:  # kept save by save, or written by the rebuild
        with store.db.connect() as conn:
            return list(conn.execute(sa.select(facts).order_by(facts.c.dossier_id,
                                                               facts.c.seq)))

    saved = fact_rows()
    assert store.rebuild_projections() == ()
    assert reports.from_store(store, period, ("agency", "channel")) == before
    assert fact_rows() == saved


def test_bad_arguments_say_what_to_give() -> None:
    store = Store.memory(ENGINE, clock_tolerance=None)
    period = Period(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    with pytest.raises(DossierflowError, match="group by any of"):
        reports.from_store(store, period, "county")
    with pytest.raises(DossierflowError, match="complaint_limit"):
        reports.from_dossiers([], SLA, period, complaint_limit=None)  # type: ignore[arg-type]
