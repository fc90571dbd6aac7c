"""The simulated year: dossiers of a :class:`~dossierflow.simulate.Province` filed, received,
handled step by step, paused, sent back for supplements, returned, paid and rated, every
command through the engine and the store, one :meth:`Store.batch` a simulated day, with the
deadline sweeper at every opening and the outbox relay at every close, as in production.

Nothing about outcomes is decided here: each step waits in its work queue (the receiving
unit's staff of the step's role, or the province-wide office's) until an officer who is not
absent that day has time for it (``8 hours / capacity`` of office time a step), so lateness
comes from the work (queues behind absences, the land office's backlog, supplements,
pauses), and the clock, the sweeper and the reports judge it. Every random draw comes from one
``random.Random(seed)`` in a fixed order, and every instant written is a simulated one, so the
same seed writes the same records.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import random
from collections.abc import Callable
from zoneinfo import ZoneInfo

import attrs

from dossierflow._errors import InvalidArgument, NotAuthorized, TransitionNotAllowed
from dossierflow.simulate._profile import Staff
from dossierflow.simulate._province import Province
from dossierflow.states import (
    END,
    Channel,
    Choice,
    Citizen,
    Command,
    Complain,
    CompleteStep,
    Dossier,
    File,
    Officer,
    Outcome,
    Pause,
    PayFee,
    PaymentMethod,
    Procedure,
    Rate,
    Receive,
    Refuse,
    RequestSupplement,
    Resume,
    ReturnResult,
    Status,
    Supplement,
    System,
    Withdraw,
)
from dossierflow.states import AnswerComplaint as Answer
from dossierflow.store import Batch, Store

Progress = Callable[[dt.date, int, int], None]
"""Called after each simulated day with the day, the dossiers filed and the commands written
so far."""

LAND_PAUSE = "land_financial_obligations"
RELAY_BATCH = 5_000
"""How many messages one relay call delivers: a day's notices take one or two calls."""
PAYMENT_PLATFORM = System("payment-platform")

(FILE, DESK, STEP, DESK_DONE, STEP_DONE, SUPPLEMENT, RESUME, RETURN, RETURN_DONE, RATE, PAY,
 WITHDRAW, COMPLAIN, ANSWER) = range(14)
"""What a scheduled action does. Work waits in a queue (DESK, STEP) until an officer takes
it; the command is applied when the officer finishes (DESK_DONE, STEP_DONE), so that every
command is applied in the order of the simulated clock."""


@attrs.frozen
class Simulation:
    """What a run did: the dossiers filed, commands and events written, commands the engine
    refused (a simulation's bug if not 0), the sweeper's apologies and stops, the notices the
    relay delivered, and the communes (units of level ``commune``) that issued electronic
    certified copies, over how many communes offer certified copies."""

    start: dt.date
    end: dt.date
    seed: int
    scale: float
    units: int
    dossiers: int
    commands: int
    events: int
    refused: int
    apologised: int
    stopped: int
    notices: int
    e_copy_communes: int
    copy_communes: int


@attrs.define
class _Case:
    unit: str
    proc: Procedure
    channel: Channel
    applicant: Citizen
    pays_online: bool
    paid: bool = False
    asked: bool = False
    received: bool = False
    queued: set[str] = attrs.field(factory=set)


class _Queue:
    """A work queue: the officers of one role at one unit or office. Each working day the
    officers who are not absent take steps in order of arrival, each step taking
    ``8 h / capacity`` of office time; what does not fit in the day waits for the next."""

    def __init__(self, key: tuple[str, str], staff: Staff, absence: float,
                 province: Province) -> None:
        self.key = key
        self.officers = staff.officers
        self.service = dt.timedelta(hours=8 / staff.capacity)
        self.absence = absence
        self.day: dt.date | None = None
        self.free: list[dt.datetime] = []
        self.present: list[int] = []
        self.close: dt.datetime | None = None
        self.cal = province.engine.calendar

    def take(self, ready: dt.datetime, today: dt.date, opening: dt.datetime,
             close: dt.datetime, rng: random.Random) -> tuple[dt.datetime, int] | None:
        if self.day != today:
            self.day = today
            self.present = [k for k in range(self.officers) if rng.random() >= self.absence]
            self.free = [opening] * len(self.present)
            self.close = close
        if not self.free:
            return None
        k = min(range(len(self.free)), key=self.free.__getitem__)
        start = max(ready, self.free[k])
        finish = self.cal.add_working_time(start, self.service)
        if finish > close:
            return None
        self.free[k] = finish
        return finish, self.present[k]


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


class _Sim:
    def __init__(self, province: Province, store: Store, *, seed: int, scale: float,
                 start: dt.date, end: dt.date, progress: Progress | None) -> None:
        self.province, self.store = province, store
        self.profile = profile = province.profile
        self.engine = province.engine
        self.cal = self.engine.calendar
        self.tz = ZoneInfo(self.cal.timezone)
        self.rng = random.Random(seed)
        self.seed, self.scale = seed, scale
        self.start, self.end, self.progress = start, end, progress
        self.mix = profile.mix
        self.heap: list[tuple[dt.datetime, dt.datetime, int, int, str, object]] = []
        self.seq = 0
        self.cases: dict[str, _Case] = {}
        self.dossiers = self.commands = self.events = self.refused = 0
        self.apologised = self.stopped = self.notices = 0
        self.e_copies: set[str] = set()
        # Shrinking keeps a share of each kind's units; growing enlarges every unit. Staff
        # capacity follows the volume it serves: a province-wide office keeps the share of
        # its own work that the kept units send it (the provincial centre, kept whole, sends
        # the police all of its judicial records however few communes are kept).
        kept, factor = _units_kept(province, scale)
        self.units = kept
        self.size = factor
        served = _office_volumes(province, kept)
        absence = dict(province.absence)
        self.queues: dict[tuple[str, str], _Queue] = {}
        for key, staff in province.staff:
            if key[0] in kept:
                self.queues[key] = _Queue(key, _scaled(staff, factor), absence[key[0]],
                                          province)
            elif key[0] not in dict(province.offered):
                whole, mine = served.get(key, (0.0, 0.0))
                office_factor = factor * mine / whole if whole else factor
                self.queues[key] = _Queue(key, _scaled(staff, office_factor),
                                          absence[key[0]], province)
        self.working_days: dict[int, int] = {}
        self.rush: dict[int, set[dt.date]] = {}
        self.today = start
        self.opening = self.close = dt.datetime.combine(start, dt.time(), self.tz)

    # ------------------------------------------------------------------------ scheduling

    def push(self, at: dt.datetime, kind: int, ident: str, arg: object = None,
             order: dt.datetime | None = None) -> None:
        self.seq += 1
        heapq.heappush(self.heap, (at, order or at, self.seq, kind, ident, arg))

    def later(self, at: dt.datetime, lowest: float, highest: float) -> dt.datetime:
        """An instant ``lowest`` to ``highest`` working days of office time after ``at``."""
        return self.cal.add_working_time(
            at, dt.timedelta(hours=8 * self.rng.uniform(lowest, highest)))

    # -------------------------------------------------------------------------- arrivals

    def _year_facts(self, year: int) -> tuple[int, set[dt.date]]:
        if year not in self.working_days:
            first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
            days = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
            self.working_days[year] = sum(self.cal.is_working_day(d) for d in days)
            # The Tết break: the longest run of days off in January to March.
            best: tuple[int, dt.date] = (0, first)
            run, since = 0, first
            for d in days[:90]:
                if self.cal.is_working_day(d):
                    run = 0
                else:
                    if run == 0:
                        since = d
                    run += 1
                    best = max(best, (run, since), key=lambda x: x[0])
            after = best[1] + dt.timedelta(days=best[0])
            rush: set[dt.date] = set()
            while len(rush) < self.mix.after_tet_days:
                if self.cal.is_working_day(after):
                    rush.add(after)
                after += dt.timedelta(days=1)
            self.rush[year] = rush
        return self.working_days[year], self.rush[year]

    def arrivals(self, day: dt.date, working: bool) -> None:
        mix, rng = self.mix, self.rng
        per_year, rush = self._year_facts(day.year)
        factor = self.profile.months[day.month - 1]
        if working:
            factor *= mix.monday_factor if day.weekday() == 0 else \
                (5 - mix.monday_factor) / 4
            if day in rush:
                factor *= mix.after_tet_factor
        midnight = dt.datetime.combine(day, dt.time(), self.tz)
        for unit_id, volumes in self.province.offered:
            if unit_id not in self.units:
                continue
            unit = self.province.unit(unit_id)
            online = mix.online if unit.online is None else unit.online
            count = 0
            for code, volume in volumes:
                lam = volume * unit.size * self.size * factor / per_year
                if not working:
                    lam *= online * mix.outside_hours  # online filings on days off
                for _ in range(_poisson(rng, lam)):
                    count += 1
                    if not working:
                        channel = Channel.ONLINE
                    else:
                        draw = rng.random()
                        channel = Channel.ONLINE if draw < online else \
                            Channel.POSTAL if draw < online + mix.postal else \
                            Channel.IN_PERSON
                    if channel is Channel.ONLINE and (not working or
                                                      rng.random() < mix.outside_hours):
                        at = midnight + dt.timedelta(minutes=rng.randrange(7 * 60, 23 * 60))
                    else:
                        at = self.cal.add_working_time(self.opening, dt.timedelta(
                            minutes=rng.randrange(0, 8 * 60)))
                    ident = f"{unit_id}-{day:%y%m%d}-{count:04d}"
                    self.push(at, FILE, ident, (unit_id, code, channel))

    # -------------------------------------------------------------------------- commands

    def run(self, b: Batch, ident: str, command: Command | Callable[[Dossier], Command | None],
            at: dt.datetime, actor: Officer | Citizen | System) -> Dossier | None:
        try:
            after = b.run(ident, command, at=at, actor=actor)
        except (TransitionNotAllowed, NotAuthorized, InvalidArgument):
            self.refused += 1
            return None
        self.commands += after is not None
        return after

    def officer(self, key: tuple[str, str], agency: str, k: int) -> Officer:
        return Officer(f"{key[0]}.{key[1]}.{k + 1}", agency, key[1])

    def desk(self, case: _Case) -> Officer:
        return Officer(f"{case.unit}.{case.proc.reception_role}.1", case.unit,
                       case.proc.reception_role)

    def enqueue(self, ident: str, case: _Case, d: Dossier, at: dt.datetime) -> None:
        if d.status is Status.RESOLVED:
            self.push(at, RETURN, ident)
            return
        if d.status is not Status.IN_PROGRESS:
            return
        for step in d.active_steps:
            if step not in case.queued:
                case.queued.add(step)
                self.push(at, STEP, ident, step)

    def dispatch(self, b: Batch, at: dt.datetime, order: dt.datetime, kind: int, ident: str,
                 arg: object) -> None:
        rng, _mix = self.rng, self.mix
        if kind == FILE:
            self.file(b, at, ident, arg)
            return
        case = self.cases.get(ident)
        if case is None:
            return
        if kind in (DESK, STEP):
            if kind == DESK:
                key = (case.unit, case.proc.reception_role)
            else:
                assert isinstance(arg, str)
                key = self.province.queue_of(case.proc, arg, case.unit)
            taken = None
            if at < self.close and self.today == self.cal.local_date(at) and \
                    self.cal.is_working_day(self.today):
                taken = self.queues[key].take(at, self.today, self.opening, self.close, rng)
            if taken is None:  # no one has time today: first thing at the next opening
                self.push(self.cal.next_opening(max(at, self.close)), kind, ident, arg,
                          order)
                return
            finish, k = taken
            self.push(finish, DESK_DONE if kind == DESK else STEP_DONE, ident, (arg, k, key))
            return
        if kind == DESK_DONE:
            self.reception(b, ident, case, at, self.desk(case))
            return
        if kind == STEP_DONE:
            assert isinstance(arg, tuple)
            name: str = arg[0]
            owner = case.proc.step(name).owner
            self.work(b, ident, case, name, at, self.officer(arg[2], owner.agency, arg[1]))
            return
        if kind == SUPPLEMENT:
            d = self.run(b, ident, Supplement(("the documents asked for",)), at,
                         case.applicant)
            if d is not None:
                if not case.received:
                    self.push(at, DESK, ident)
                else:
                    self.enqueue(ident, case, d, at)
        elif kind == RESUME:
            d = self.run(b, ident, lambda d: Resume("the applicant paid the land financial "
                                                    "obligations")
                         if d.status is Status.PAUSED else None, at, PAYMENT_PLATFORM)
            if d is not None:
                self.enqueue(ident, case, d, at)
        elif kind == PAY:
            if not case.paid:
                case.paid = self.run(b, ident, PayFee(case.proc.fee, PaymentMethod.ONLINE), at,
                                     case.applicant) is not None
        elif kind == WITHDRAW:
            d = self.run(b, ident, lambda d: Withdraw("the applicant no longer needs it")
                         if d.received and d.status in (
                             Status.IN_PROGRESS, Status.PAUSED, Status.AWAITING_SUPPLEMENT)
                         else None, at, case.applicant)
            if d is not None:
                del self.cases[ident]
        elif kind == RETURN:  # online at once; in person when the applicant comes
            when = at + dt.timedelta(minutes=10) if case.channel is Channel.ONLINE else \
                self.later(at, 0, 3)
            self.push(when, RETURN_DONE, ident)
        elif kind == RETURN_DONE:
            self.give_back(b, ident, case, at)
        elif kind == RATE:
            assert isinstance(arg, int)
            self.run(b, ident, Rate(arg), at, case.applicant)
            del self.cases[ident]  # a rating is the dossier's last word
        elif kind == COMPLAIN:
            self.run(b, ident, Complain("the result came later than I expected"), at,
                     case.applicant)
            self.push(self.later(at, 1, 8), ANSWER, ident)
        elif kind == ANSWER:
            self.run(b, ident, Answer("the desk explained the time limit",
                                      rng.random() < 0.8), at, self.desk(case))
            del self.cases[ident]

    def file(self, b: Batch, at: dt.datetime, ident: str, arg: object) -> None:
        rng, mix = self.rng, self.mix
        assert isinstance(arg, tuple)
        unit_id: str = arg[0]
        code: str = arg[1]
        channel: Channel = arg[2]
        proc = self.engine.catalogue.in_force(code, self.cal.local_date(at))
        applicant = Citizen(f"0{rng.randrange(10**11):011d}")
        data = {f.name: _value(f.type) for f in proc.data if f.required}
        paid_online = proc.has_fee and rng.random() < (
            mix.paid_online_if_online if channel is Channel.ONLINE else
            mix.paid_online_if_direct)
        b.file(File(ident, code, channel, data, applicant=applicant.id), at=at,
               actor=applicant)
        self.dossiers += 1
        self.commands += 1
        case = _Case(unit_id, proc, channel, applicant, paid_online)
        self.cases[ident] = case
        if paid_online and channel is Channel.ONLINE:
            self.push(at + dt.timedelta(minutes=3), PAY, ident)
        self.push(at + dt.timedelta(minutes=2), DESK, ident)

    def reception(self, b: Batch, ident: str, case: _Case, at: dt.datetime,
                  desk: Officer) -> None:
        rng, mix = self.rng, self.mix
        draw = rng.random()
        if not case.asked and draw < mix.desk_supplement:
            case.asked = True
            d = self.run(b, ident, RequestSupplement(
                ("a document missing from the dossier",), "the dossier is incomplete"),
                at, desk)
            if d is not None and rng.random() >= mix.supplement_abandoned:
                self.push(self.later(at, 0.5, 6), SUPPLEMENT, ident)
            return
        if draw < mix.desk_supplement + mix.refused:
            if self.run(b, ident, Refuse("the request is not within the unit's competence"),
                        at, desk) is not None:
                del self.cases[ident]
            return
        components = rng.randint(1, 5)
        digitised = sum(rng.random() < mix.digitised for _ in range(components))
        reused = int(rng.random() < mix.reused)
        d = self.run(b, ident, Receive(f"BN-{ident}", components=components,
                                       digitised=digitised, reused=reused), at, desk)
        if d is None:
            return
        case.received = True
        if case.proc.has_fee and not case.paid:
            if case.pays_online:
                self.push(at + dt.timedelta(minutes=30), PAY, ident)
            elif case.channel is not Channel.ONLINE:
                method = PaymentMethod.POST if case.channel is Channel.POSTAL else \
                    PaymentMethod.DESK
                case.paid = self.run(b, ident, PayFee(case.proc.fee, method), at,
                                     desk) is not None
        if rng.random() < mix.withdrawn:
            self.push(self.later(at, 0.2, 3), WITHDRAW, ident)
        self.enqueue(ident, case, d, at)

    def work(self, b: Batch, ident: str, case: _Case, step: str, at: dt.datetime,
             officer: Officer) -> None:
        rng, mix, proc = self.rng, self.mix, case.proc
        case.queued.discard(step)
        s = proc.step(step)
        supplement = rng.random() < mix.step_supplement
        pause = s.owner.agency == "thue" and any(r.code == LAND_PAUSE
                                                 for r in proc.pause_reasons) and \
            rng.random() < mix.land_tax_pause
        reject = s.can_reject and rng.random() < mix.rejected
        data = _choice_data(proc, step, rng, mix.verification)
        then = s.then

        def decide(d: Dossier) -> Command | None:
            if d.status is not Status.IN_PROGRESS or step not in d.active_steps:
                return None
            if supplement and not d.supplement_requests:
                return RequestSupplement(("a corrected form",),
                                         "the form does not match the documents")
            if pause and not any(getattr(e, "kind", None) == LAND_PAUSE for e in d.history):
                return Pause("waiting for the applicant to pay land financial obligations",
                             kind=LAND_PAUSE)
            if reject:
                return CompleteStep(step, Outcome.REJECT, note="the conditions are not met")
            return CompleteStep(step, Outcome.APPROVE if then == END else Outcome.FORWARD,
                                data)

        d = self.run(b, ident, decide, at, officer)
        if d is None:
            return
        if d.status is Status.AWAITING_SUPPLEMENT:
            case.queued.clear()
            if rng.random() >= mix.supplement_abandoned:
                self.push(self.later(at, 0.5, 8), SUPPLEMENT, ident)
        elif d.status is Status.PAUSED:
            case.queued.clear()
            self.push(self.later(at, 1, 10), RESUME, ident)
        else:
            self.enqueue(ident, case, d, at)

    def give_back(self, b: Batch, ident: str, case: _Case, at: dt.datetime) -> None:
        rng, mix = self.rng, self.mix
        online = case.channel is Channel.ONLINE
        when = at
        desk = self.desk(case)
        if case.proc.has_fee and not case.paid:
            case.paid = self.run(b, ident, PayFee(case.proc.fee, PaymentMethod.DESK), when,
                                 desk) is not None
        electronic = online or rng.random() < mix.electronic_result
        d = self.run(b, ident, ReturnResult("electronic" if online else "in_person",
                                            electronic_result=electronic), when, desk)
        if d is None:
            return
        unit = self.province.unit(case.unit)
        if electronic and case.proc.code == "2.000815":
            self.e_copies.add(unit.id)
        if rng.random() < mix.complaint:  # a petition, answered; no rating then
            self.push(when + dt.timedelta(hours=2), COMPLAIN, ident)
        elif rng.random() < mix.rated:
            score = rng.randint(1, 2) if rng.random() < mix.unsatisfied else \
                rng.choice((4, 5, 5, 5))
            self.push(when + dt.timedelta(minutes=15), RATE, ident, score)
        else:
            del self.cases[ident]

    # ------------------------------------------------------------------------------ run

    def simulate(self) -> Simulation:
        store, cal = self.store, self.cal
        day = self.start
        while day <= self.end:
            midnight = dt.datetime.combine(day, dt.time(), self.tz)
            day_end = midnight + dt.timedelta(days=1)
            working = cal.is_working_day(day)
            self.today = day
            if working:
                self.opening = cal.next_opening(midnight)
                self.close = cal.closing_time(day)
                swept = store.sweep(self.opening)
                self.apologised += len(swept.apologised)
                self.stopped += len(swept.stopped)
                self.commands += len(swept.apologised) + len(swept.stopped)
                for ident in swept.stopped:
                    self.cases.pop(ident, None)
            else:
                self.opening = self.close = midnight
            self.arrivals(day, working)
            with store.batch() as b:
                while self.heap and self.heap[0][0] < day_end:
                    at, order, _, kind, ident, arg = heapq.heappop(self.heap)
                    self.dispatch(b, at, order, kind, ident, arg)
                self.events += b.events
            if working:
                while True:  # a batch takes each dossier's messages in order
                    report = store.relay(lambda m: None, at=day_end - dt.timedelta(hours=1),
                                         worker="simulation", batch=RELAY_BATCH)
                    self.notices += len(report.delivered)
                    if len(report.delivered) < RELAY_BATCH:
                        break
            if self.progress is not None:
                self.progress(day, self.dossiers, self.commands)
            day += dt.timedelta(days=1)
        copies = [u for u, vs in self.province.offered if u in self.units and
                  any(c == "2.000815" for c, _ in vs) and
                  self.province.profile.kind(self.province.unit(u).kind).level == "commune"]
        return Simulation(self.start, self.end, self.seed, self.scale, len(self.units),
                          self.dossiers, self.commands, self.events, self.refused,
                          self.apologised, self.stopped, self.notices,
                          sum(u in self.e_copies for u in copies), len(copies))


def _units_kept(province: Province, scale: float) -> tuple[frozenset[str], float]:
    """The units a run at ``scale`` keeps, and the factor on their volumes and staff: below 1,
    an even share of each kind's units (at least one of each) at their own size; from 1, every
    unit, ``scale`` times larger."""
    units = province.profile.units
    if scale >= 1:
        return frozenset(u.id for u in units), scale
    kept: list[str] = []
    for kind in province.profile.kinds:
        mine = [u.id for u in units if u.kind == kind.id]
        if not mine:
            continue
        n = max(1, round(len(mine) * scale))
        kept += [mine[math.floor(k * len(mine) / n)] for k in range(n)]
    return frozenset(kept), 1.0


def _scaled(staff: Staff, factor: float) -> Staff:
    """``staff`` serving ``factor`` times the volume: as many officers as the factor makes
    (at least one), each with the capacity that keeps the role's total in proportion. Scaling
    the officers rather than their capacity keeps a step's duration, so a small run's queues
    behave like the whole province's (an office of 8 at a tenth of its capacity would take
    three hours a step and fit two in a day)."""
    if factor == 1:
        return staff
    officers = max(1, round(staff.officers * factor))
    return Staff(officers, staff.capacity * staff.officers * factor / officers)


def _office_volumes(province: Province,
                    kept: frozenset[str]) -> dict[tuple[str, str], tuple[float, float]]:
    """For each province-wide office's queue, the dossiers a year (at the units' sizes) whose
    procedures have a step in it: from every unit, and from the ``kept`` ones."""
    units = dict(province.offered)
    start = province.profile.start
    served: dict[tuple[str, str], tuple[float, float]] = {}
    for unit_id, volumes in province.offered:
        size = province.unit(unit_id).size
        for code, volume in volumes:
            proc = province.engine.catalogue.in_force(code, start)
            keys = {province.queue_of(proc, s.name, unit_id) for s in proc.steps}
            for key in keys:
                if key[0] in units:
                    continue
                whole, mine = served.get(key, (0.0, 0.0))
                served[key] = (whole + volume * size,
                               mine + (volume * size if unit_id in kept else 0.0))
    return served


def _value(kind: type) -> object:
    return {str: "Nguyễn Văn An", bool: False, int: 0, float: 0.0}[kind]


def _choice_data(proc: Procedure, step: str, rng: random.Random,
                 chance: float) -> dict[str, object]:
    """Values for the fields a choice after ``step`` reads: a yes/no field (such as
    ``needs_verification``) is yes with ``chance``."""
    then = proc.step(step).then
    if not isinstance(then, Choice):
        return {}
    data: dict[str, object] = {}
    for option in then.options:
        f = proc.field(option.field)
        if f is not None and f.type is bool and option.field not in data:
            data[option.field] = rng.random() < chance
    return data


def simulate(province: Province, store: Store, *, seed: int, scale: float = 1.0,
             start: dt.date | None = None, end: dt.date | None = None,
             progress: Progress | None = None) -> Simulation:
    """Run ``province`` from ``start`` to ``end`` (the profile's period by default) into
    ``store``, which must run ``province.engine`` (build it with
    ``Store.sqlite(path, province.engine, clock_tolerance=None)``: simulated instants are
    ahead of the database's clock). ``scale`` shrinks (an even share of each kind's units) or
    grows (every unit larger) the province."""
    if store.engine is not province.engine:
        raise InvalidArgument("the store must run the province's engine: "
                              "Store.sqlite(path, province.engine, clock_tolerance=None)")
    if isinstance(scale, bool) or not isinstance(scale, int | float) or not 0 < scale <= 100:
        raise InvalidArgument(f"scale must be a number above 0 (1 = the profile's province), "
                              f"got {scale!r}")
    first = start or province.profile.start
    last = end or province.profile.end
    if last < first:
        raise InvalidArgument(f"the period ends ({last}) before it starts ({first})")
    return _Sim(province, store, seed=seed, scale=float(scale), start=first, end=last,
                progress=progress).simulate()
