"""The Python path: a :class:`~dossierflow.reports.Report` computed from dossiers' histories,
each dossier replayed and classified by the clock (:class:`~dossierflow.clock.Sla`), one by
one. It is the reference the SQL path (:func:`~dossierflow.reports.from_store`) is held equal
to, and what an application without a store runs.

What each count means is :class:`~dossierflow.reports.Counts`' docstring, made exact here
(``[S, E)`` is the period's :attr:`~dossierflow.reports.Period.instants`; "received" is the
receipt's instant, Form 01; "closed" is when handling ended,
:attr:`~dossierflow.clock.Timeline.ended`):

- received in the period: ``S <= received < E``; online when filed online, else direct;
  carried over: ``received < S`` and not closed before ``S``;
- resolved: closed in ``[S, E)``, by the dossier's verdict
  (:meth:`~dossierflow.clock.Sla.classify`; no verdict, e.g. no time limit: on time);
- pending: ``received < E``, not closed before ``E``; overdue when the history before ``E``
  found it past its due (:attr:`~dossierflow.clock.Timeline.first_overdue`) or it is past
  its due at ``E``;
- of the dossiers received in the period: fully online (eligible: the procedure is offered
  fully online), fee-bearing and paid online before ``E``, components and digitised (where
  the receipt recorded components), data reused, complained about or rated 1–2 before ``E``;
- events in the period: results returned (electronic ones; one-visit ones, "5 tại chỗ"),
  ratings (1–2: unsatisfied), complaints (answered on time: within ``complaint_limit`` of
  office time, the answer whenever it came; satisfied: the applicant accepted the answer);
- accountability, events in the period of any dossier: late dossiers (resolved late, by
  the agency answerable, :func:`~dossierflow.clock.responsible`), apologies (Form 04) by
  the apologising agency, supplement requests (Form 02) by the asking agency and the step it
  held (``(reception)`` before receipt), pauses by the pausing officer's agency (the
  receiving agency for a system's), the step it held and the named reason (``other`` for
  free text).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable

from dossierflow._errors import InvalidArgument
from dossierflow.clock import Sla, Verdict
from dossierflow.reports._model import (
    TARGETS,
    AccountabilityRow,
    Counts,
    Inputs,
    Period,
    Report,
    Row,
    Target,
    check_by,
)
from dossierflow.rules import TimeLimit, working_days
from dossierflow.states import (
    RECEPTION,
    Apologized,
    Channel,
    Complained,
    Dossier,
    Officer,
    OnlineLevel,
    Paused,
    PaymentMethod,
    Procedure,
    Rated,
    ResultReturned,
    SupplementRequested,
    fold,
)

COMPLAINT_LIMIT: TimeLimit = working_days(10)
"""How long an agency has to answer a complaint or petition about a dossier, by default: 10
working days (Decree 20/2008/NĐ-CP on petitions about administrative regulations, as the
portals apply it to feedback on dossiers; not confirmed against the text for complaints
under the Law on Complaints, whose limits are longer: give ``complaint_limit``)."""

NO_INPUTS = Inputs()
"""No facts given by the caller: the indicators that need them are left out of the total."""

UNSATISFIED = 2
"""Ratings at or below this score (of 1 to 5) are "not satisfied"."""

_US = dt.timedelta(microseconds=1)


def channel_name(channel: Channel) -> str:
    """The grouping value of a channel: ``online``, ``in_person``, ``postal``."""
    return channel.name.lower()


def level_of(proc: Procedure, agency: str) -> str:
    """The level of ``agency`` among ``proc``'s agencies ("" if it is not one of them)."""
    for a in proc.agencies:
        if a.id == agency:
            return a.level
    return ""


def key_of(by: tuple[str, ...], *, agency: str, level: str, sector: str, procedure: str,
           channel: str) -> tuple[str, ...]:
    values = {"agency": agency, "level": level, "sector": sector, "procedure": procedure,
              "channel": channel}
    return tuple(values[b] for b in by)


def held_step(before: Dossier | None, agency: str, proc: Procedure) -> str:
    """The step ``agency`` held in ``before`` (the dossier just before an event): its first
    active step owned by the agency; ``(reception)`` before receipt; "" if none."""
    if before is None or not before.received:
        return RECEPTION
    for h in before.active:
        try:
            owner = proc.step(h.step).owner.agency
        except InvalidArgument:
            continue
        if owner == agency:
            return h.step
    return ""


def check_limit(complaint_limit: TimeLimit) -> dt.timedelta:
    if not isinstance(complaint_limit, TimeLimit) or complaint_limit.office_time is None:
        raise InvalidArgument(f"complaint_limit must be a TimeLimit in working days or hours, "
                              f"e.g. working_days(10), got {complaint_limit!r}")
    return complaint_limit.office_time


def from_dossiers(dossiers: Iterable[Dossier], sla: Sla, period: Period,
                  by: Iterable[str] | str | None = (), *, inputs: Inputs = NO_INPUTS,
                  targets: Iterable[Target] = TARGETS,
                  complaint_limit: TimeLimit = COMPLAINT_LIMIT) -> Report:
    """The report of ``period`` grouped ``by`` dimensions, from ``dossiers`` replayed and
    classified one by one by ``sla`` (see the module's docstring for what each count is)."""
    if not isinstance(sla, Sla):
        raise InvalidArgument(f"sla must be a dossierflow.clock.Sla, got {sla!r}")
    if not isinstance(period, Period):
        raise InvalidArgument(f"period must be a reports.Period, got {period!r}")
    names = check_by(by)
    limit = check_limit(complaint_limit)
    start, end = period.instants
    cal = sla.calendar
    groups: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    blame: Counter[tuple[str, str, str, str]] = Counter()
    for d in dossiers:
        proc = sla.engine.procedure_of(d)
        history = d.history
        receipt = d.receipt
        # Accountability: events in the period, whoever received the dossier.
        for k, e in enumerate(history):
            if not start <= e.at < end:
                continue
            kind = type(e)
            if kind is Apologized:
                assert isinstance(e, Apologized)
                blame["apology_late" if e.late else "apology_on_time", e.agency, "", ""] += 1
            elif kind is SupplementRequested:
                assert isinstance(e, SupplementRequested)
                before = fold(history[:k]) if k else None
                blame["supplement", e.agency, held_step(before, e.agency, proc), ""] += 1
            elif kind is Paused:
                assert isinstance(e, Paused)
                before = fold(history[:k])
                actor = e.actor
                agency = actor.agency if isinstance(actor, Officer) else (
                    before.receipt.agency if before.receipt is not None else "")
                blame["pause", agency, held_step(before, agency, proc),
                      e.kind or "other"] += 1
        if receipt is None:
            continue  # refused, or not received yet: not in reports
        received = receipt.at
        if received >= end:
            continue
        whole = sla.timeline(d)
        closed = whole.ended
        counts = groups[key_of(names, agency=receipt.agency,
                               level=level_of(proc, receipt.agency), sector=proc.sector,
                               procedure=proc.code, channel=channel_name(d.channel))]
        # Biểu 06.
        in_period = received >= start
        if in_period:
            counts["received_online" if d.channel is Channel.ONLINE
                   else "received_direct"] += 1
        elif closed is None or closed >= start:
            counts["carried_over"] += 1
        if closed is not None and start <= closed < end:
            judged = sla.judge(d, whole)
            verdict = judged.verdict
            if verdict is Verdict.LATE:
                counts["resolved_late"] += 1
                blame["late", judged.responsible or "", "", ""] += 1
            elif verdict is Verdict.EARLY:
                counts["resolved_early"] += 1
            else:
                counts["resolved_on_time"] += 1
        elif closed is None or closed >= end:
            cut = sla.timeline(d, until=end - _US)
            overdue = cut.ledger is not None and (cut.first_overdue is not None
                                                  or cut.is_overdue(end))
            counts["pending_overdue" if overdue else "pending_in_time"] += 1
        # Decision 766: the dossiers received in the period.
        if in_period:
            if proc.online is OnlineLevel.FULL:
                counts["fully_online_eligible"] += 1
                if d.channel is Channel.ONLINE:
                    counts["fully_online"] += 1
            if proc.has_fee:
                counts["fee_bearing"] += 1
                paid = d.payment
                if paid is not None and paid.method is PaymentMethod.ONLINE and paid.at < end:
                    counts["paid_online"] += 1
            if receipt.components is not None:
                counts["components"] += receipt.components
                counts["digitised"] += receipt.digitised or 0
            if receipt.reused > 0:
                counts["reused"] += 1
            if any(e.at < end and (type(e) is Complained or (
                    isinstance(e, Rated) and e.score <= UNSATISFIED)) for e in history):
                counts["complained_or_unsatisfied"] += 1
        # Decision 766: events in the period.
        answers = {id(c): a for c, a in d.complaints}
        for e in history:
            if not start <= e.at < end:
                continue
            if isinstance(e, ResultReturned) and e is first_return(history):
                counts["results"] += 1
                if e.electronic_result:
                    counts["electronic_results"] += 1
                if sla.five_on_the_spot(d):
                    counts["five_on_the_spot"] += 1
            elif isinstance(e, Rated):
                counts["rated"] += 1
                if e.score <= UNSATISFIED:
                    counts["rated_unsatisfied"] += 1
            elif isinstance(e, Complained):
                counts["complaints"] += 1
                answer = answers.get(id(e))
                if answer is not None:
                    if cal.working_time_between(e.at, answer.at) <= limit:
                        counts["complaints_answered_on_time"] += 1
                    if answer.satisfied is True:
                        counts["complaints_satisfied"] += 1
    rows = tuple(Row(key, Counts(**c)) for key, c in sorted(groups.items()) if any(c.values()))
    return Report(period, names, rows, accountability(blame), inputs, tuple(targets))


def first_return(history: Iterable[object]) -> object | None:
    """The dossier's (first) result returned."""
    return next((e for e in history if type(e) is ResultReturned), None)


def accountability(found: Counter[tuple[str, str, str, str]]
                   ) -> tuple[AccountabilityRow, ...]:
    """Accountability rows from counts by (kind, agency, step, reason), in that order."""
    return tuple(AccountabilityRow(kind, agency, step, reason, n)
                 for (kind, agency, step, reason), n in sorted(found.items()) if n)

