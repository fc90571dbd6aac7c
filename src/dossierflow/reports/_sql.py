"""The SQL path: a :class:`~dossierflow.reports.Report` computed with aggregates (``GROUP BY``
and ``SUM(CASE ...)``, ``COUNT(*) FILTER (WHERE ...)`` on PostgreSQL) over a store's
projection, on SQLite and PostgreSQL alike: the report columns of ``df_dossiers`` and the
``df_facts`` rows (schema 7), which the store writes with the events. Each statement reads
one covering index of schema 7 (``df_dossiers_report``, ``df_facts_kind_at``,
``df_dossiers_late``), never the tables, and none joins.

Three statements: the dossiers' counts, the counts of events in the period (ratings and
complaints with their answers) by the same groups, and the accountability rows. The counts
mean what :mod:`dossierflow.reports._replay` says (the Python path, the reference, which the
tests hold equal to this one): with ``[S, E)`` the period, a dossier is pending overdue when
it was first found overdue before ``E`` (``first_overdue_us``), or, never found overdue by
an event, its clock's state says overdue from before ``E`` (``overdue_us``): the two say the
same as the history cut at ``E`` (the clock's property test
``test_overdue_at_a_period_end_reads_off_the_whole_timeline``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from dossierflow._errors import InvalidArgument
from dossierflow.reports._model import (
    COUNT_FIELDS,
    TARGETS,
    Counts,
    Inputs,
    Period,
    Report,
    Row,
    Target,
    check_by,
)
from dossierflow.reports._replay import COMPLAINT_LIMIT, NO_INPUTS, accountability, check_limit
from dossierflow.rules import TimeLimit
from dossierflow.states import Channel
from dossierflow.store import Store, duration_us, metadata, to_us

UNSATISFIED = 2
_ONLINE = Channel.ONLINE.value
# Constants in grouped expressions are written into the SQL, not bound: PostgreSQL matches a
# SELECT expression to its GROUP BY one only when their parameters are the same literal.
_EMPTY: sa.ColumnClause[str] = sa.literal_column("''")


def _channel_names(t: sa.Table) -> sa.Case[Any]:
    return sa.case(*((t.c.channel == c.value, sa.literal_column(f"'{c.name.lower()}'"))
                     for c in Channel), else_=_EMPTY)


def _dims(by: tuple[str, ...], t: sa.Table) -> list[sa.ColumnElement[Any]]:
    """The grouping expressions of ``by`` over ``t``: ``df_dossiers`` or ``df_facts``, whose
    rows carry their dossier's groups under the same names."""
    columns: dict[str, sa.ColumnElement[Any]] = {
        "agency": t.c.receiver, "level": sa.func.coalesce(t.c.level, _EMPTY),
        "sector": sa.func.coalesce(t.c.sector, _EMPTY), "procedure": t.c.procedure,
        "channel": _channel_names(t)}
    return [columns[b].label(f"k_{b}") for b in by]


def _aggregate(condition: sa.ColumnElement[bool], value: Any = 1, *,
               dialect: str = "") -> sa.ColumnElement[Any]:
    """The sum of ``value`` over the rows where ``condition`` holds (0 if none): on
    PostgreSQL an aggregate ``FILTER``, which skips the other rows before the aggregate
    (``COUNT(*) FILTER`` for counts); elsewhere ``SUM(CASE ...)``."""
    if dialect == "postgresql":
        if isinstance(value, int) and value == 1:
            return sa.func.count().filter(condition)
        return sa.func.coalesce(sa.func.sum(value).filter(condition), 0)
    return sa.func.coalesce(sa.func.sum(sa.case((condition, value), else_=0)), 0)


def dossier_counts(by: tuple[str, ...], start: int, end: int, *,
                   dialect: str = "") -> sa.Select[Any]:
    """The counts read off each dossier's row, by the groups ``by``, for ``[start, end)``.

    The rows read are those received before ``end`` (the ``WHERE``), so "received in the
    period" is ``received >= start`` alone, and every column read is in the index
    ``df_dossiers_report``: the scan reads the index, not the table."""
    d = metadata.tables["df_dossiers"]
    received, closed = d.c.received_us, d.c.closed_us
    in_period = received >= start
    resolved = sa.and_(closed >= start, closed < end)
    pending = sa.or_(closed.is_(None), closed >= end)
    # First found overdue before the end, or, never found so by an event, its clock's
    # state says overdue from before the end (the module's docstring).
    overdue = sa.func.coalesce(d.c.first_overdue_us, d.c.overdue_us) < end
    returned = sa.and_(d.c.returned_us >= start, d.c.returned_us < end)
    eligible = sa.and_(in_period, d.c.online_eligible.is_(True))
    fee = sa.and_(in_period, d.c.fee_bearing.is_(True))
    recorded = sa.and_(in_period, d.c.components.is_not(None))

    def _sum(condition: sa.ColumnElement[bool], value: Any = 1) -> sa.ColumnElement[Any]:
        return _aggregate(condition, value, dialect=dialect)

    counts = {
        "received_online": _sum(sa.and_(in_period, d.c.channel == _ONLINE)),
        "received_direct": _sum(sa.and_(in_period, d.c.channel != _ONLINE)),
        "carried_over": _sum(sa.and_(received < start,
                                     sa.or_(closed.is_(None), closed >= start))),
        "resolved_early": _sum(sa.and_(resolved, d.c.verdict == "early")),
        "resolved_on_time": _sum(sa.and_(resolved, sa.or_(d.c.verdict.is_(None),
                                                          d.c.verdict == "on_time"))),
        "resolved_late": _sum(sa.and_(resolved, d.c.verdict == "late")),
        "pending_in_time": _sum(pending),  # all pending here; the overdue taken off below
        "pending_overdue": _sum(sa.and_(pending, overdue)),
        "fully_online_eligible": _sum(eligible),
        "fully_online": _sum(sa.and_(eligible, d.c.channel == _ONLINE)),
        "fee_bearing": _sum(fee),
        "paid_online": _sum(sa.and_(fee, d.c.paid_online_us < end)),
        "results": _sum(returned),
        "electronic_results": _sum(sa.and_(returned, d.c.electronic_result.is_(True))),
        "components": _sum(recorded, d.c.components),
        "digitised": _sum(recorded, sa.func.coalesce(d.c.digitised, 0)),
        "reused": _sum(sa.and_(in_period, d.c.reused > 0)),
        "complained_or_unsatisfied": _sum(sa.and_(in_period, d.c.unsatisfied_us < end)),
        "five_on_the_spot": _sum(sa.and_(returned, d.c.five_on_the_spot.is_(True))),
    }
    dims = _dims(by, d)
    q = sa.select(*dims, *(v.label(k) for k, v in counts.items())).where(
        received < end, sa.or_(closed.is_(None), closed >= start, d.c.returned_us >= start))
    return q.group_by(*dims) if dims else q


def event_counts(by: tuple[str, ...], start: int, end: int, limit_us: int, *,
                 dialect: str = "") -> sa.Select[Any]:
    """Ratings and complaints made in ``[start, end)`` about received dossiers, by groups.

    One range scan of the index ``df_facts_kind_at``, without a join: a fact row carries its
    dossier's groups and receipt instant (NULL before receipt), and a complaint's row its
    answer (see ``store/_facts.py``)."""
    f = metadata.tables["df_facts"]
    complaint = f.c.kind == "complaint"

    def _sum(condition: sa.ColumnElement[bool], value: Any = 1) -> sa.ColumnElement[Any]:
        return _aggregate(condition, value, dialect=dialect)

    counts = {
        "rated": _sum(f.c.kind == "rating"),
        "rated_unsatisfied": _sum(sa.and_(f.c.kind == "rating", f.c.score <= UNSATISFIED)),
        "complaints": _sum(complaint),
        "complaints_answered_on_time": _sum(sa.and_(complaint, f.c.took_us <= limit_us)),
        "complaints_satisfied": _sum(sa.and_(complaint, f.c.satisfied.is_(True))),
    }
    dims = _dims(by, f)
    q = sa.select(*dims, *(v.label(k) for k, v in counts.items())).where(
        f.c.kind.in_(("rating", "complaint")), f.c.at_us >= start, f.c.at_us < end,
        f.c.received_us < end)
    return q.group_by(*dims) if dims else q


def blame(start: int, end: int) -> tuple[Any, Any]:
    """The accountability rows: events in ``[start, end)`` by kind, agency, step and reason;
    late dossiers closed in it by the agency answerable."""
    d, f = metadata.tables["df_dossiers"], metadata.tables["df_facts"]
    kinds = ("apology_on_time", "apology_late", "supplement", "pause")
    agency, step, reason = (sa.func.coalesce(c, _EMPTY) for c in (f.c.agency, f.c.step,
                                                              f.c.reason))
    events = sa.select(f.c.kind, agency, step, reason, sa.func.count()).where(
        f.c.kind.in_(kinds), f.c.at_us >= start, f.c.at_us < end).group_by(
        f.c.kind, agency, step, reason)
    # closed_us is NULL for dossiers never received: this reads the index df_dossiers_late
    # alone.
    late = sa.select(sa.func.coalesce(d.c.responsible, _EMPTY), sa.func.count()).where(
        d.c.verdict == "late", d.c.closed_us >= start, d.c.closed_us < end).group_by(
        sa.func.coalesce(d.c.responsible, _EMPTY))
    return events, late


def from_store(store: Store, period: Period, by: Iterable[str] | str | None = (), *,
               inputs: Inputs = NO_INPUTS, targets: Iterable[Target] = TARGETS,
               complaint_limit: TimeLimit = COMPLAINT_LIMIT) -> Report:
    """The report of ``period`` grouped ``by`` dimensions, computed with SQL aggregates over
    ``store``'s projection (the same figures as :func:`~dossierflow.reports.from_dossiers`
    over the store's dossiers, judged by the store's verdict policy)."""
    if not isinstance(store, Store):
        raise InvalidArgument(f"store must be a dossierflow.store.Store, got {store!r}")
    if not isinstance(period, Period):
        raise InvalidArgument(f"period must be a reports.Period, got {period!r}")
    names = check_by(by)
    limit_us = duration_us(check_limit(complaint_limit))
    s, e = (to_us(x) for x in period.instants)
    groups: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    n = len(names)
    found: Counter[tuple[str, str, str, str]] = Counter()
    with store.db.connect() as conn:
        dialect = conn.dialect.name
        for query in (dossier_counts(names, s, e, dialect=dialect),
                      event_counts(names, s, e, limit_us, dialect=dialect)):
            result = conn.execute(query)
            names_out = list(result.keys())[n:]
            for r in result:
                key = tuple("" if v is None else str(v) for v in r[:n])
                got = {k: int(v) for k, v in zip(names_out, r[n:], strict=True)}
                if "pending_in_time" in got:
                    got["pending_in_time"] -= got["pending_overdue"]
                groups[key].update(got)
        events, late = blame(s, e)
        for kind, agency, step, reason, count in conn.execute(events):
            found[kind, agency, step, reason] += int(count)
        for agency, count in conn.execute(late):
            found["late", agency, "", ""] += int(count)
    rows = tuple(Row(key, Counts(**{k: c[k] for k in COUNT_FIELDS}))
                 for key, c in sorted(groups.items()) if any(c.values()))
    return Report(period, names, rows, accountability(found), inputs, tuple(targets))

