"""Procedure definitions: immutable tables of agencies, steps and their order.

A :class:`Procedure` is data shared by every dossier received under it. It is validated
completely when it is built: every problem is listed in one :class:`InvalidProcedure`.

The order of steps is a graph. Each step says what comes ``then``:

- a step name: the next step (a handoff when its owner is another agency);
- :data:`END`: the flow is done and the dossier is resolved;
- :func:`parallel`: several branches that all run, joined at a step (or all ending);
- :func:`choice`: the first branch whose condition on the dossier's data holds.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from dossierflow._errors import InvalidArgument, InvalidProcedure
from dossierflow.rules import (
    HOURS_PER_WORKING_DAY,
    ClockPolicy,
    PauseReason,
    TimeLimit,
    VaryingLimit,
)
from dossierflow.states import _graph as graph
from dossierflow.states import _machine, _mermaid
from dossierflow.states._graph import END, Choice, End, Next, Parallel, When

if TYPE_CHECKING:
    from transitions import Machine

_NATIONAL_CODE = re.compile(r"^\d\.\d{6}(\.\d{3}\.\d{2}\.\d{2})?(\.[A-Z0-9]+)?$")
"""A national procedure code (``1.001193``), with a provincial suffix (``1.000948.H38``) or in
the long form provincial portals show (``1.012756.000.00.00.H29``)."""
_NAME = re.compile(r"^[^\s/][^/]*$")
DATA_TYPES: tuple[type, ...] = (str, int, float, bool)
"""The types a dossier's data fields may have: JSON scalars."""


def _pairs(value: object) -> tuple[tuple[str, str], ...]:
    if isinstance(value, Mapping):
        return tuple(sorted(value.items()))
    return value  # type: ignore[return-value]  # a tuple of pairs, or wrong: validated


@attrs.frozen
class Agency:
    """A unit that receives or handles dossiers: a commune People's Committee, a district
    police office, a social-insurance branch... ``level`` is free text (agencies are data).
    ``attributes``: declared facts about the unit that limits may depend on (e.g.
    ``{"terrain": "mountainous"}``; see :class:`~dossierflow.rules.VaryingLimit`)."""

    id: str
    name: str
    level: str = ""
    attributes: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_pairs)

    def __attrs_post_init__(self) -> None:
        attributes = self.attributes
        if not isinstance(attributes, tuple) or not all(
                isinstance(p, tuple) and len(p) == 2 and all(isinstance(x, str) for x in p)
                for p in attributes):
            raise InvalidArgument(f"agency {self.id!r}: attributes must map names to texts, "
                                  f"e.g. {{'terrain': 'mountainous'}}, got {attributes!r:.80}")

    def role(self, role: str) -> Role:
        """The role ``role`` inside this agency, for a step's owner."""
        return Role(self.id, role)

    def attribute(self, name: str) -> str | None:
        """The value of the declared attribute ``name``, or None."""
        for key, value in self.attributes:
            if key == name:
                return value
        return None


@attrs.frozen
class Role:
    """Who owns a step: an agency and the role inside it (e.g. ``civil_status``)."""

    agency: str
    role: str

    def __str__(self) -> str:
        return f"{self.agency}/{self.role}"


@attrs.frozen
class DataField:
    """A piece of the applicant's data the procedure declares (and conditions may read)."""

    name: str
    type: type
    required: bool = False
    description: str = ""

    def accepts(self, value: object) -> bool:
        """Whether ``value`` fits this field: ``isinstance``, except that bools are not
        numbers and ints are floats."""
        if isinstance(value, bool):
            return self.type is bool
        if self.type is float:
            return isinstance(value, int | float)
        return isinstance(value, self.type)


@attrs.frozen
class Step:
    """A step of the published internal process: its owner, what it leads to, and its time
    allotment. ``can_reject``: the officer may end the dossier here with a rejection.
    ``member``: the member procedure's code, in an interconnected group."""

    name: str
    owner: Role
    then: Next
    allotment: TimeLimit | None = None
    can_reject: bool = False
    description: str = ""
    member: str | None = None


class OnlineLevel(enum.Enum):
    """The online service level of a procedure."""

    FULL = "full"
    """"toàn trình": filed, handled and returned online."""
    PARTIAL = "partial"
    """"một phần": some part needs a visit."""
    NONE = "none"
    """Not offered online."""


def _tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """A sequence as a tuple; anything else is kept for validation to name it."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]  # _validate reports it
    return tuple(value)


@attrs.frozen
class Procedure:
    """An administrative procedure: identity, agencies, steps and policies.

    ``receivers`` are the agencies whose one-stop desk (role ``reception_role``) receives
    dossiers, refuses them, asks for supplements before receipt and returns results.
    ``time_limit`` is a :class:`~dossierflow.rules.TimeLimit`, or a
    :class:`~dossierflow.rules.VaryingLimit` that depends on a declared attribute of the dossier
    or of the receiving unit. ``supplement_requests`` bounds how often a dossier may be asked
    for a supplement, by all agencies together: once by default (Decree 118/2025/NĐ-CP: "chỉ
    được yêu cầu sửa đổi, bổ sung một lần"; None: no bound);
    ``supplement_requests_per_agency`` bounds each agency's requests as well (None: no bound
    of its own). ``max_extension`` bounds the total extension officers may grant (None: none
    may be granted). ``clock`` says when the clock starts, how the appointment is placed and
    what a supplement request does to it. ``pause_reasons`` are the named excluded periods a
    pause may cite (:class:`~dossierflow.rules.PauseReason`).

    Catalogue facts: ``name_en`` (the English name, when ``name`` is the official Vietnamese
    one), ``sector`` (the procedure's field, "lĩnh vực", which reports group by) and
    ``unverified`` (the figures of this definition not confirmed against an official text,
    each said in words).
    """

    code: str
    name: str
    steps: tuple[Step, ...] = attrs.field(converter=_tuple)
    agencies: tuple[Agency, ...] = attrs.field(converter=_tuple)
    receivers: tuple[str, ...] = attrs.field(converter=_tuple)
    version: int = 1
    effective_from: dt.date = dt.date(2000, 1, 1)
    effective_to: dt.date | None = None
    legal_basis: str = ""
    time_limit: TimeLimit | VaryingLimit | None = None
    fee: int = 0
    online: OnlineLevel = OnlineLevel.PARTIAL
    data: tuple[DataField, ...] = attrs.field(default=(), converter=_tuple)
    start: str | None = None
    reception_role: str = "one_stop"
    supplement_requests_per_agency: int | None = None
    max_extension: TimeLimit | None = None
    clock: ClockPolicy = attrs.field(factory=ClockPolicy)
    members: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    supplement_requests: int | None = 1
    pause_reasons: tuple[PauseReason, ...] = attrs.field(default=(), converter=_tuple)
    name_en: str = ""
    sector: str = ""
    unverified: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    _index: _Index = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        problems = list(_validate(self))
        if problems:
            raise InvalidProcedure(self.code if isinstance(self.code, str) else repr(self.code),
                                   problems)
        object.__setattr__(self, "_index", _Index(self))

    @property
    def has_fee(self) -> bool:
        """Whether the procedure charges a fee (zero-fee dossiers leave online-payment rates)."""
        return self.fee > 0

    @property
    def first_step(self) -> str:
        """The step a received dossier starts at."""
        return self._index.start

    def step(self, name: str) -> Step:
        """The step called ``name``."""
        try:
            return self._index.steps[name]
        except KeyError:
            raise InvalidArgument(
                f"procedure {self.code} has no step {name!r}; its steps: "
                f"{', '.join(repr(s) for s in self._index.steps)}"
            ) from None

    def agency(self, agency_id: str) -> Agency:
        """The agency called ``agency_id``."""
        for a in self.agencies:
            if a.id == agency_id:
                return a
        raise InvalidArgument(f"procedure {self.code} knows no agency {agency_id!r}")

    def field(self, name: str) -> DataField | None:
        """The declared data field ``name``, or None."""
        return self._index.fields_by_name.get(name)

    def limit_for(self, data: Mapping[str, Any], agency: str | None) -> TimeLimit | None:
        """The time limit of a dossier with ``data`` received by ``agency``: a varying limit's
        attribute is read from the data first (a declared field), then from the agency."""
        limit = self.time_limit
        if not isinstance(limit, VaryingLimit):
            return limit
        name = limit.attribute
        value = data.get(name)
        if value is None and agency is not None:
            value = self.agency(agency).attribute(name)
        return limit.for_value(value)

    def pause_reason(self, code: str) -> PauseReason:
        """The named pause reason ``code`` this procedure admits."""
        for reason in self.pause_reasons:
            if reason.code == code:
                return reason
        known = ", ".join(repr(r.code) for r in self.pause_reasons) or "none"
        raise InvalidArgument(f"procedure {self.code} admits no pause reason {code!r}; it "
                              f"admits: {known}")

    def is_in_force(self, on: dt.date) -> bool:
        """Whether this version applies to dossiers received on ``on``."""
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)

    def worst_path(self) -> tuple[Decimal | None, tuple[str, ...]]:
        """The longest total allotment (in working hours) over the paths from the first step to
        the end, and that path; None when an allotment is in calendar units or missing."""
        return graph.longest(self._index.steps, self._index.start)

    def longest_from(self, step: str) -> Decimal | None:
        """The longest total allotment (working hours) from ``step`` to the end; None when an
        allotment is in calendar units."""
        return graph.longest(self._index.steps, self.step(step).name)[0]

    @property
    def join_need(self) -> Mapping[str, int]:
        """For each join step, how many parallel branches it waits for."""
        return self._index.join_need

    @property
    def fields(self) -> Mapping[str, DataField]:
        """The declared data fields by name."""
        return self._index.fields

    def to_machine(self, model: Any = None) -> Machine:
        """An equivalent ``transitions.Machine`` (needs ``pip install 'dossierflow[machine]'``);
        see :mod:`dossierflow.states._machine` for its states and triggers."""
        return _machine.to_machine(self, model)

    def to_mermaid(self) -> str:
        """A Mermaid flowchart of the procedure (steps grouped by agency)."""
        return _mermaid.to_mermaid(self)


class _Index:
    """Lookup tables the engine uses, built once per procedure."""

    __slots__ = ("fields", "fields_by_name", "join_need", "start", "steps")

    def __init__(self, proc: Procedure) -> None:
        self.steps: dict[str, Step] = {s.name: s for s in proc.steps}
        self.start: str = proc.start if proc.start is not None else proc.steps[0].name
        self.fields_by_name: dict[str, DataField] = {f.name: f for f in proc.data}
        self.join_need = MappingProxyType(graph.join_need(proc.steps))
        self.fields = MappingProxyType(self.fields_by_name)


# ---------------------------------------------------------------------------------- validation


def _duplicates(names: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    dup: list[str] = []
    for n in names:
        if n in seen and n not in dup:
            dup.append(n)
        seen.add(n)
    return dup


def _validate(p: Procedure) -> Iterator[str]:
    yield from _validate_identity(p)
    if not isinstance(p.steps, tuple) or not p.steps or \
            not all(isinstance(s, Step) for s in p.steps):
        yield "steps must be a non-empty sequence of Step values"
        return
    if not isinstance(p.agencies, tuple) or not all(isinstance(a, Agency) for a in p.agencies):
        yield "agencies must be a sequence of Agency values"
        return
    if not isinstance(p.receivers, tuple) or not all(isinstance(r, str) for r in p.receivers):
        yield "receivers must be a sequence of agency ids"
        return
    if not isinstance(p.data, tuple) or not all(isinstance(f, DataField) for f in p.data):
        yield "data must be a sequence of DataField values, e.g. [DataField('name', str)]"
        return
    shapes = [problem for s in p.steps for problem in _shape(s)]
    if shapes:
        yield from shapes
        return
    for kind, names in (
        ("step", [s.name for s in p.steps]),
        ("agency", [a.id for a in p.agencies]),
        ("data field", [f.name for f in p.data]),
    ):
        for dup in _duplicates(names):
            yield f"duplicate {kind} name {dup!r}: give each {kind} its own name"
    for s in p.steps:
        bare = s.name
        if isinstance(bare, str) and s.member:
            bare = bare.removeprefix(f"{s.member}/")
        if not isinstance(bare, str) or not _NAME.match(bare):
            yield (f"step name {s.name!r} must be non-empty text without '/' (the separator "
                   "of member and step in interconnected groups)")
    agencies = {a.id for a in p.agencies}
    for r in p.receivers:
        if r not in agencies:
            yield f"receiver {r!r} is not among the agencies; add Agency({r!r}, ...) to agencies"
    if not p.receivers:
        yield "receivers is empty: name the agencies whose one-stop desk receives dossiers"
    steps = {s.name: s for s in p.steps}
    fields = {f.name: f for f in p.data}
    for f in p.data:
        if f.type not in DATA_TYPES:
            yield (f"data field {f.name!r} has type {f.type!r}; use one of "
                   f"{', '.join(t.__name__ for t in DATA_TYPES)}")
    for s in p.steps:
        if not isinstance(s.owner, Role):
            yield f"step {s.name!r}: owner must be a Role (agency, role), got {s.owner!r}"
        elif s.owner.agency not in agencies:
            yield (f"step {s.name!r} is owned by agency {s.owner.agency!r}, which the "
                   "procedure does not know; add it to agencies or fix the owner")
        if s.allotment is not None and not isinstance(s.allotment, TimeLimit):
            yield f"step {s.name!r}: allotment must be a TimeLimit, got {s.allotment!r}"
        if not isinstance(s.then, str | End | Parallel | Choice):
            yield (f"step {s.name!r}: then must be a step name, END, parallel(...) or "
                   f"choice(...), got {s.then!r}")
            continue
        for t in graph.targets(s.then):
            if isinstance(t, str) and t not in steps:
                yield f"step {s.name!r} leads to unknown step {t!r}"
        if isinstance(s.then, Choice):
            for o in s.then.options:
                fd = fields.get(o.field)
                if fd is None:
                    yield (f"step {s.name!r}: the condition on {o.field!r} reads data the "
                           "procedure does not declare; add DataField("
                           f"{o.field!r}, ...) to data")
                elif not fd.accepts(o.equals):
                    yield (f"step {s.name!r}: the condition compares {o.field!r} "
                           f"({fd.type.__name__}) with {o.equals!r}")
    start = p.start if p.start is not None else p.steps[0].name
    if start not in steps:
        yield f"start step {start!r} is not a step"
        return
    if any(isinstance(t, str) and t not in steps for s in p.steps for t in _safe_targets(s)):
        return  # the graph checks below need every target to exist
    yield from _validate_graph(p, steps, start)


def _shape(s: Step) -> Iterator[str]:
    """What is wrong with the form of a step's ``then``: forks of step names (a join a step
    name or None), choices of ``When`` options leading to a step name, END or a fork."""
    nxt = s.then
    if isinstance(nxt, Choice):
        if not isinstance(nxt.options, tuple) or not all(
                isinstance(o, When) for o in nxt.options):
            yield f"step {s.name!r}: a choice's options must be when(...) values"
            return
        leads = [*(o.then for o in nxt.options), nxt.otherwise]
    else:
        leads = [nxt]
    for lead in leads:
        if isinstance(lead, Parallel):
            if not isinstance(lead.branches, tuple) or not all(
                    isinstance(b, str) for b in lead.branches):
                yield (f"step {s.name!r}: parallel(...) takes step names as branches, got "
                       f"{lead.branches!r}; nest a fork inside a branch step instead")
            if lead.join is not None and not isinstance(lead.join, str):
                yield f"step {s.name!r}: a parallel join must be a step name, got {lead.join!r}"
        elif isinstance(lead, Choice) and lead is not nxt:
            yield f"step {s.name!r}: a choice cannot lead to another choice; use a step between"
        elif not isinstance(lead, str | End | Parallel | Choice):
            yield (f"step {s.name!r}: then must be a step name, END, parallel(...) or "
                   f"choice(...), got {lead!r}")


def _safe_targets(s: Step) -> Iterator[str | End]:
    if isinstance(s.then, str | End | Parallel | Choice):
        yield from graph.targets(s.then)


def _validate_identity(p: Procedure) -> Iterator[str]:
    if not isinstance(p.code, str) or not (
        _NATIONAL_CODE.match(p.code) or (p.members and _NAME.match(p.code) and " " not in p.code)
    ):
        yield (f"code {p.code!r} is not a national procedure code such as '1.001612' or "
               "'1.000948.H38'")
    if not isinstance(p.name, str) or not p.name.strip():
        yield "name is empty"
    if isinstance(p.version, bool) or not isinstance(p.version, int) or p.version < 1:
        yield f"version must be a whole number from 1, got {p.version!r}"
    if not isinstance(p.effective_from, dt.date) or isinstance(p.effective_from, dt.datetime):
        yield f"effective_from must be a date, got {p.effective_from!r}"
    elif p.effective_to is not None and not p.effective_from < p.effective_to:
        yield (f"effective_to {p.effective_to} must be after effective_from "
               f"{p.effective_from}")
    if p.time_limit is not None and not isinstance(p.time_limit, TimeLimit | VaryingLimit):
        yield (f"time_limit must be a TimeLimit such as working_days(3) or a VaryingLimit, got "
               f"{p.time_limit!r}")
    if isinstance(p.time_limit, VaryingLimit):
        name = p.time_limit.attribute
        declared = isinstance(p.data, tuple) and any(
            isinstance(f, DataField) and f.name == name for f in p.data)
        on_agency = isinstance(p.agencies, tuple) and any(
            isinstance(a, Agency) and a.attribute(name) is not None for a in p.agencies)
        if not declared and not on_agency:
            yield (f"the time limit depends on {name!r}, which is neither a declared data "
                   f"field nor an attribute of any agency; declare DataField({name!r}, str) "
                   "or give the receiving agencies that attribute")
    for n, what in ((p.supplement_requests, "supplement_requests"),
                    (p.supplement_requests_per_agency, "supplement_requests_per_agency")):
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 0):
            yield f"{what} must be None or a whole number from 0, got {n!r}"
    if not all(isinstance(r, PauseReason) for r in p.pause_reasons):
        yield f"pause_reasons must be PauseReason values, got {p.pause_reasons!r:.120}"
    else:
        for dup in _duplicates(r.code for r in p.pause_reasons):
            yield f"pause reason {dup!r} is listed twice"
    for what in ("name_en", "sector"):
        if not isinstance(getattr(p, what), str):
            yield f"{what} must be text, got {getattr(p, what)!r}"
    if not all(isinstance(u, str) and u.strip() for u in p.unverified):
        yield f"unverified must list texts saying what is not confirmed, got {p.unverified!r}"
    if isinstance(p.fee, bool) or not isinstance(p.fee, int) or p.fee < 0:
        yield f"fee must be a whole number of VND from 0, got {p.fee!r}"
    if not isinstance(p.clock, ClockPolicy):
        yield f"clock must be a ClockPolicy, got {p.clock!r}"
    if not isinstance(p.online, OnlineLevel):
        yield f"online must be an OnlineLevel, got {p.online!r}"
    if p.max_extension is not None and not isinstance(p.max_extension, TimeLimit):
        yield (f"max_extension must be a TimeLimit such as working_days(2) or None, got "
               f"{p.max_extension!r}")


def _validate_graph(p: Procedure, steps: dict[str, Step], start: str) -> Iterator[str]:
    reachable = graph.reachable(steps, start)
    unreachable = [s.name for s in p.steps if s.name not in reachable]
    if unreachable:
        yield (f"these steps cannot be reached from the first step {start!r}: "
               f"{unreachable}; lead to them from another step or remove them")
    ends = graph.reaching_end(p.steps)
    stuck = [s.name for s in p.steps if s.name not in ends]
    if stuck:
        yield (f"these steps have no path to an end: {stuck}; lead them to END or to a step "
               "that reaches it")
    forks = list(graph.parallels(p.steps))
    joins = [f.join for f in forks if f.join is not None]
    for dup in _duplicates(joins):
        yield f"step {dup!r} is the join of more than one parallel(...); give each its own join"
    for fork in forks:
        if len(fork.branches) < 2:
            yield f"parallel{fork.branches} needs at least two branches"
        for dup in _duplicates(fork.branches):
            yield f"parallel{fork.branches} lists branch {dup!r} twice"
        for branch in fork.branches:
            yield from graph.branch_problems(steps, fork, branch, set(joins))
    limits: tuple[TimeLimit, ...] = ()
    if isinstance(p.time_limit, TimeLimit):
        limits = (p.time_limit,)
    elif isinstance(p.time_limit, VaryingLimit):
        limits = p.time_limit.limits
    sized = [(h, lim) for lim in limits if (h := lim.max_working_hours()) is not None]
    if sized and not stuck:
        worst, path = graph.longest(steps, start)
        shortest, limit = min(sized, key=lambda pair: pair[0])
        if worst is not None and worst > shortest:
            yield (f"the step allotments on path {' -> '.join(path)} add up to "
                   f"{_days(worst)} working days, more than the statutory limit "
                   f"({limit}); shorten them or fix the limit")


def _days(hours: Decimal) -> str:
    return f"{(hours / HOURS_PER_WORKING_DAY).normalize():f}"


# ------------------------------------------------------------------------ interconnected groups


def interconnected(
    code: str,
    name: str,
    *,
    first: Procedure,
    then: Iterable[Procedure],
    version: int = 1,
    effective_from: dt.date = dt.date(2000, 1, 1),
    effective_to: dt.date | None = None,
    legal_basis: str = "",
    time_limit: TimeLimit | VaryingLimit | None = None,
    receivers: Iterable[str] | None = None,
    online: OnlineLevel = OnlineLevel.FULL,
    fee: int | None = None,
    clock: ClockPolicy | None = None,
) -> Procedure:
    """An interconnected group ("liên thông", Decree 63/2024/NĐ-CP): one filing runs ``first``,
    then every procedure of ``then`` in parallel.

    Each member keeps its own code: its steps are named ``"<code>/<step>"`` and carry
    ``member=<code>``. A rejection in any member resolves the whole filing as rejected.
    """
    then = tuple(then)
    members = (first, *then)
    problems: list[str] = []
    agencies: dict[str, Agency] = {}
    for m in members:
        for a in m.agencies:
            if agencies.setdefault(a.id, a) != a:
                problems.append(f"agency {a.id!r} differs between members: {agencies[a.id]} "
                                f"and {a} (in {m.code})")
    fields: dict[str, DataField] = {}
    for m in members:
        for f in m.data:
            if fields.setdefault(f.name, f).type is not f.type:
                problems.append(f"data field {f.name!r} has two types across members")
    for dup in _duplicates(m.code for m in members):
        problems.append(f"member {dup!r} is listed twice")
    if problems:
        raise InvalidProcedure(code, problems)
    starts = [f"{m.code}/{m.first_step}" for m in then]
    after_first: Next
    if not starts:
        after_first = END
    elif len(starts) == 1:
        after_first = starts[0]
    else:
        after_first = Parallel(tuple(starts), None)
    steps: list[Step] = []
    for m in members:
        finish = after_first if m is first else END
        for s in m.steps:
            steps.append(attrs.evolve(
                s, name=f"{m.code}/{s.name}", member=m.code,
                then=_prefix(s.then, m.code, finish),
            ))
    return Procedure(
        code=code,
        name=name,
        steps=steps,
        agencies=tuple(agencies.values()),
        receivers=tuple(receivers) if receivers is not None else first.receivers,
        version=version,
        effective_from=effective_from,
        effective_to=effective_to,
        legal_basis=legal_basis,
        time_limit=time_limit,
        fee=sum(m.fee for m in members) if fee is None else fee,
        online=online,
        data=tuple(fields.values()),
        start=f"{first.code}/{first.first_step}",
        reception_role=first.reception_role,
        clock=first.clock if clock is None else clock,
        members=tuple(m.code for m in members),
    )


def _prefix(nxt: Next, code: str, finish: Next) -> Next:
    def one(target: str | End | Parallel) -> Any:
        if isinstance(target, End):
            return finish
        if isinstance(target, str):
            return f"{code}/{target}"
        return Parallel(tuple(f"{code}/{b}" for b in target.branches),
                        None if target.join is None else f"{code}/{target.join}")

    if isinstance(nxt, Choice):
        return Choice(tuple(attrs.evolve(o, then=one(o.then)) for o in nxt.options),
                      one(nxt.otherwise))
    result: Next = one(nxt)
    return result
