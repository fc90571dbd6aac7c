"""The one schema of a catalogue document, its writers and its checked reader.

A document is ``{"schema": 1, "procedures": [...]}``; each procedure is a table of its fields
(see ``docs/catalogue.md``). Absent optional keys take the field's default; ``"none"`` stands
for None where the default is not None (TOML has no null). Reading checks every key and
value and names the path of the first bad one; a definition that does not validate raises the
procedure's own :class:`~dossierflow.InvalidProcedure`, each problem under its path.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
import tomllib
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import tomli_w

from dossierflow._errors import InvalidArgument, InvalidProcedure
from dossierflow.rules import (
    ApologyTiming,
    ClockPolicy,
    Convention,
    PauseReason,
    ReceiptPolicy,
    StartPolicy,
    SupplementPolicy,
    TimeLimit,
    Unit,
    VaryingLimit,
)
from dossierflow.states import (
    DATA_TYPES,
    END,
    Agency,
    Catalogue,
    Choice,
    DataField,
    End,
    Next,
    OnlineLevel,
    Parallel,
    Procedure,
    Role,
    Step,
    When,
)

SCHEMA = 1
"""The version of the catalogue document this release writes and reads."""

NONE = "none"
"""The text standing for None in a field whose default is not None."""

_TYPES = {t.__name__: t for t in DATA_TYPES}
_E = TypeVar("_E", bound=enum.Enum)
_T = TypeVar("_T")
_DURATION = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d{1,6})?))?$")

# ---------------------------------------------------------------------------------- writing


def _number(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _limit(limit: TimeLimit) -> dict[str, Any]:
    out: dict[str, Any] = {"unit": limit.unit.value, "amount": _number(limit.amount)}
    if limit.cutoff is not None:
        out["cutoff"] = limit.cutoff.isoformat()
    if limit.legal_basis:
        out["legal_basis"] = limit.legal_basis
    return out


def _any_limit(limit: TimeLimit | VaryingLimit) -> dict[str, Any]:
    if isinstance(limit, TimeLimit):
        return _limit(limit)
    out: dict[str, Any] = {"attribute": limit.attribute, "default": _limit(limit.default),
                           "cases": {key: _limit(case) for key, case in limit.cases}}
    if limit.legal_basis:
        out["legal_basis"] = limit.legal_basis
    return out


def _lead(target: str | End | Parallel) -> Any:
    if isinstance(target, str):
        return target
    if isinstance(target, End):
        return {"end": True}
    out: dict[str, Any] = {"parallel": list(target.branches)}
    if target.join is not None:
        out["join"] = target.join
    return out


def _then(nxt: Next) -> Any:
    if isinstance(nxt, Choice):
        return {"choice": [{"field": o.field, "equals": o.equals, "then": _lead(o.then)}
                           for o in nxt.options],
                "otherwise": _lead(nxt.otherwise)}
    return _lead(nxt)


def _duration(value: dt.timedelta) -> str:
    seconds = value.total_seconds()
    hours, rest = divmod(int(seconds), 3600)
    text = f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
    if value.microseconds:
        text += f".{value.microseconds:06d}"
    return text


def _clock(c: ClockPolicy) -> dict[str, Any]:
    out: dict[str, Any] = {
        "convention": c.convention.value, "start": c.start.value,
        "on_supplement": c.on_supplement.value, "receipt": c.receipt.value,
        "supplement_wait": NONE if c.supplement_wait is None else _limit(c.supplement_wait),
        "reception": NONE if c.reception is None else _limit(c.reception),
        "apology": c.apology.value,
    }
    if c.closing_window is not None:
        out["closing_window"] = _duration(c.closing_window)
    if c.legal_basis:
        out["legal_basis"] = c.legal_basis
    return out


def _pause(r: PauseReason) -> dict[str, Any]:
    out: dict[str, Any] = {"code": r.code, "name": r.name, "legal_basis": r.legal_basis}
    if r.name_vi:
        out["name_vi"] = r.name_vi
    if r.max_length is not None:
        out["max_length"] = _limit(r.max_length)
    return out


def _step(s: Step) -> dict[str, Any]:
    out: dict[str, Any] = {"name": s.name, "agency": s.owner.agency, "role": s.owner.role,
                           "then": _then(s.then)}
    if s.allotment is not None:
        out["allotment"] = _limit(s.allotment)
    if s.can_reject:
        out["can_reject"] = True
    if s.description:
        out["description"] = s.description
    if s.member is not None:
        out["member"] = s.member
    return out


def procedure_to_dict(p: Procedure) -> dict[str, Any]:
    """One procedure as a table of the schema."""
    out: dict[str, Any] = {
        "code": p.code, "version": p.version, "name": p.name, "name_en": p.name_en,
        "sector": p.sector, "effective_from": p.effective_from.isoformat(),
        "legal_basis": p.legal_basis, "fee": p.fee, "online": p.online.value,
        "agencies": [{"id": a.id, "name": a.name, "level": a.level,
                      "attributes": dict(a.attributes)} for a in p.agencies],
        "receivers": list(p.receivers), "reception_role": p.reception_role,
        "supplement_requests": NONE if p.supplement_requests is None else
        p.supplement_requests,
        "clock": _clock(p.clock),
        "data": [{"name": f.name, "type": f.type.__name__, "required": f.required,
                  "description": f.description} for f in p.data],
        "steps": [_step(s) for s in p.steps],
        "pause_reasons": [_pause(r) for r in p.pause_reasons],
        "members": list(p.members),
        "unverified": list(p.unverified),
    }
    if p.effective_to is not None:
        out["effective_to"] = p.effective_to.isoformat()
    if p.time_limit is not None:
        out["time_limit"] = _any_limit(p.time_limit)
    if p.max_extension is not None:
        out["max_extension"] = _limit(p.max_extension)
    if p.start is not None:
        out["start"] = p.start
    if p.supplement_requests_per_agency is not None:
        out["supplement_requests_per_agency"] = p.supplement_requests_per_agency
    return out


def to_dict(catalogue: Catalogue) -> dict[str, Any]:
    """The document of ``catalogue``: ``{"schema": SCHEMA, "procedures": [...]}``."""
    if not isinstance(catalogue, Catalogue):
        raise InvalidArgument(f"catalogue must be a Catalogue, got {catalogue!r:.80}")
    return {"schema": SCHEMA, "procedures": [procedure_to_dict(p) for p in catalogue.procedures]}


def to_json(catalogue: Catalogue, *, indent: int | None = 2) -> str:
    """The document of ``catalogue`` as JSON text (UTF-8 names kept as written)."""
    return json.dumps(to_dict(catalogue), ensure_ascii=False, indent=indent)


def to_toml(catalogue: Catalogue) -> str:
    """The document of ``catalogue`` as TOML text."""
    return tomli_w.dumps(to_dict(catalogue))


# ---------------------------------------------------------------------------------- reading


class _Table:
    """A mapping being read: every key is taken once, and leftovers are reported."""

    def __init__(self, value: object, path: str) -> None:
        if not isinstance(value, Mapping):
            raise InvalidArgument(f"{path}: expected a table, got {value!r:.80}")
        self.value = value
        self.path = path
        self.taken: set[str] = set()

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, read: Callable[[object, str], Any], default: Any = ...) -> Any:
        self.taken.add(key)
        if key not in self.value:
            if default is ...:
                raise InvalidArgument(f"{self.where(key)}: missing")
            return default
        return read(self.value[key], self.where(key))

    def done(self) -> None:
        extra = [str(k) for k in self.value if k not in self.taken]
        if extra:
            raise InvalidArgument(f"{self.where(extra[0])}: unknown key; known keys: "
                                  f"{', '.join(sorted(self.taken))}")


def _text(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise InvalidArgument(f"{path}: expected text, got {value!r:.80}")
    return value


def _int(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgument(f"{path}: expected a whole number, got {value!r:.80}")
    return value


def _bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgument(f"{path}: expected true or false, got {value!r:.80}")
    return value


def _list(value: object, path: str) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise InvalidArgument(f"{path}: expected a list, got {value!r:.80}")
    return list(value)


def _texts(value: object, path: str) -> list[str]:
    return [_text(v, f"{path}[{k}]") for k, v in enumerate(_list(value, path))]


def _date(value: object, path: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value  # TOML's own dates
    try:
        return dt.date.fromisoformat(_text(value, path))
    except ValueError:
        raise InvalidArgument(f"{path}: expected a date such as '2025-07-01', got "
                              f"{value!r:.80}") from None


def _enum(kind: type[_E]) -> Callable[[object, str], _E]:
    def read(value: object, path: str) -> _E:
        for member in kind:
            if member.value == value:
                return member
        names = ", ".join(repr(m.value) for m in kind)
        raise InvalidArgument(f"{path}: {value!r:.80} is not one of {names}")
    return read


def _or_none(read: Callable[[object, str], Any]) -> Callable[[object, str], Any]:
    def maybe(value: object, path: str) -> Any:
        return None if value == NONE else read(value, path)
    return maybe


def _checked(path: str, build: Callable[[], _T]) -> _T:
    """``build()``, its value errors prefixed with ``path``."""
    try:
        return build()
    except InvalidProcedure:
        raise
    except InvalidArgument as exc:
        raise InvalidArgument(f"{path}: {exc}") from None


def _time(value: object, path: str) -> dt.time:
    try:
        return dt.time.fromisoformat(_text(value, path))
    except ValueError:
        raise InvalidArgument(f"{path}: expected a time such as '15:00', got "
                              f"{value!r:.80}") from None


def _amount(value: object, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidArgument(f"{path}: expected a number, got {value!r:.80}")
    return _checked(path, lambda: TimeLimit(Unit.WORKING_HOURS, value).amount)


def _read_limit(value: object, path: str) -> TimeLimit:
    t = _Table(value, path)
    unit = t.get("unit", _enum(Unit))
    amount = t.get("amount", _amount, 0)
    cutoff = t.get("cutoff", _time, None)
    basis = t.get("legal_basis", _text, "")
    t.done()
    return _checked(path, lambda: TimeLimit(unit, amount, cutoff, basis))


def _read_any_limit(value: object, path: str) -> TimeLimit | VaryingLimit:
    if isinstance(value, Mapping) and "attribute" in value:
        t = _Table(value, path)
        attribute = t.get("attribute", _text)
        default = t.get("default", _read_limit)
        cases_table = _Table(t.get("cases", lambda v, _: v, {}), t.where("cases"))
        cases = {str(k): cases_table.get(str(k), _read_limit) for k in cases_table.value}
        basis = t.get("legal_basis", _text, "")
        t.done()
        return _checked(path, lambda: VaryingLimit(attribute, default, cases, basis))
    return _read_limit(value, path)


def _read_lead(value: object, path: str) -> str | End | Parallel:
    if isinstance(value, str):
        return value
    t = _Table(value, path)
    if "end" in value:  # type: ignore[operator]  # a Mapping: _Table checked it
        if t.get("end", _bool) is not True:
            raise InvalidArgument(f"{path}.end: write {{end = true}} for the end of the flow")
        t.done()
        return END
    if "parallel" in value:  # type: ignore[operator]
        branches = t.get("parallel", _texts)
        join = t.get("join", _text, None)
        t.done()
        return Parallel(tuple(branches), join)
    raise InvalidArgument(f"{path}: expected a step name, {{end = true}}, {{parallel = [...]}} "
                          f"or {{choice = [...], otherwise = ...}}, got {value!r:.80}")


def _read_when(value: object, path: str) -> When:
    t = _Table(value, path)
    field = t.get("field", _text)
    equals = t.get("equals", _scalar)
    then = t.get("then", _read_lead)
    t.done()
    return When(field, equals, then)


def _scalar(value: object, path: str) -> object:
    if not isinstance(value, str | int | float | bool):
        raise InvalidArgument(f"{path}: expected text, a number or a boolean, got "
                              f"{value!r:.80}")
    return value


def _read_then(value: object, path: str) -> Next:
    if isinstance(value, Mapping) and "choice" in value:
        t = _Table(value, path)
        options = t.get("choice", _list)
        whens = tuple(_read_when(o, f"{t.where('choice')}[{k}]") for k, o in enumerate(options))
        otherwise = t.get("otherwise", _read_lead)
        t.done()
        return Choice(whens, otherwise)
    return _read_lead(value, path)


def _read_step(value: object, path: str) -> Step:
    t = _Table(value, path)
    step = Step(
        name=t.get("name", _text),
        owner=Role(t.get("agency", _text), t.get("role", _text)),
        then=t.get("then", _read_then),
        allotment=t.get("allotment", _read_limit, None),
        can_reject=t.get("can_reject", _bool, False),
        description=t.get("description", _text, ""),
        member=t.get("member", _text, None),
    )
    t.done()
    return step


def _read_agency(value: object, path: str) -> Agency:
    t = _Table(value, path)
    ident = t.get("id", _text)
    name = t.get("name", _text)
    level = t.get("level", _text, "")
    attrs_table = _Table(t.get("attributes", lambda v, _: v, {}), t.where("attributes"))
    attributes = {str(k): attrs_table.get(str(k), _text) for k in attrs_table.value}
    t.done()
    return _checked(path, lambda: Agency(ident, name, level, attributes))


def _read_field(value: object, path: str) -> DataField:
    t = _Table(value, path)
    name = t.get("name", _text)
    type_name = t.get("type", _text)
    if type_name not in _TYPES:
        raise InvalidArgument(f"{t.where('type')}: {type_name!r:.80} is not one of "
                              f"{', '.join(repr(n) for n in _TYPES)}")
    field = DataField(name, _TYPES[type_name], t.get("required", _bool, False),
                      t.get("description", _text, ""))
    t.done()
    return field


def _read_duration(value: object, path: str) -> dt.timedelta:
    match = _DURATION.match(_text(value, path))
    if match is None:
        raise InvalidArgument(f"{path}: expected a duration such as '01:00' (hours:minutes) "
                              f"or '01:00:00', got {value!r:.80}")
    hours, minutes, seconds = match.groups()
    return dt.timedelta(hours=int(hours), minutes=int(minutes),
                        seconds=float(Decimal(seconds or 0)))


def _read_clock(value: object, path: str) -> ClockPolicy:
    t = _Table(value, path)
    base = ClockPolicy()
    values = {
        "convention": t.get("convention", _enum(Convention), base.convention),
        "start": t.get("start", _enum(StartPolicy), base.start),
        "on_supplement": t.get("on_supplement", _enum(SupplementPolicy), base.on_supplement),
        "legal_basis": t.get("legal_basis", _text, ""),
        "receipt": t.get("receipt", _enum(ReceiptPolicy), base.receipt),
        "closing_window": t.get("closing_window", _read_duration, None),
        "supplement_wait": t.get("supplement_wait", _or_none(_read_limit),
                                 base.supplement_wait),
        "reception": t.get("reception", _or_none(_read_limit), base.reception),
        "apology": t.get("apology", _enum(ApologyTiming), base.apology),
    }
    t.done()
    return _checked(path, lambda: ClockPolicy(**values))


def _read_pause(value: object, path: str) -> PauseReason:
    t = _Table(value, path)
    code, name = t.get("code", _text), t.get("name", _text)
    basis = t.get("legal_basis", _text)
    max_length = t.get("max_length", _read_limit, None)
    name_vi = t.get("name_vi", _text, "")
    t.done()
    return _checked(path, lambda: PauseReason(code, name, basis, max_length, name_vi))


def _items(read: Callable[[object, str], Any]) -> Callable[[object, str], list[Any]]:
    def many(value: object, path: str) -> list[Any]:
        return [read(v, f"{path}[{k}]") for k, v in enumerate(_list(value, path))]
    return many


def procedure_from_dict(value: object, path: str = "") -> Procedure:
    """One procedure from a table of the schema; errors name keys under ``path``."""
    t = _Table(value, path)
    code = t.get("code", _text)
    fields: dict[str, Any] = {
        "code": code,
        "version": t.get("version", _int, 1),
        "name": t.get("name", _text),
        "name_en": t.get("name_en", _text, ""),
        "sector": t.get("sector", _text, ""),
        "effective_from": t.get("effective_from", _date, dt.date(2000, 1, 1)),
        "effective_to": t.get("effective_to", _date, None),
        "legal_basis": t.get("legal_basis", _text, ""),
        "time_limit": t.get("time_limit", _read_any_limit, None),
        "max_extension": t.get("max_extension", _read_limit, None),
        "fee": t.get("fee", _int, 0),
        "online": t.get("online", _enum(OnlineLevel), OnlineLevel.PARTIAL),
        "agencies": t.get("agencies", _items(_read_agency)),
        "receivers": t.get("receivers", _texts),
        "reception_role": t.get("reception_role", _text, "one_stop"),
        "start": t.get("start", _text, None),
        "supplement_requests": t.get("supplement_requests", _or_none(_int), 1),
        "supplement_requests_per_agency": t.get("supplement_requests_per_agency", _int, None),
        "clock": t.get("clock", _read_clock, ClockPolicy()),
        "data": t.get("data", _items(_read_field), []),
        "steps": t.get("steps", _items(_read_step)),
        "pause_reasons": t.get("pause_reasons", _items(_read_pause), []),
        "members": t.get("members", _texts, []),
        "unverified": t.get("unverified", _texts, []),
    }
    t.done()
    try:
        return Procedure(**fields)
    except InvalidProcedure as exc:
        where = path or "procedure"
        raise InvalidProcedure(code, [f"{where}: {p}" for p in exc.problems]) from None
    except InvalidArgument as exc:
        raise InvalidArgument(f"{path or 'procedure'}: {exc}") from None


def from_dict(document: object) -> Catalogue:
    """The catalogue a document of the schema describes (see :func:`to_dict`)."""
    t = _Table(document, "")
    schema = t.get("schema", _int)
    if schema != SCHEMA:
        raise InvalidArgument(f"schema: this release reads catalogue schema {SCHEMA}, the "
                              f"document says {schema}")
    items = t.get("procedures", _list)
    procedures = [procedure_from_dict(p, f"procedures[{k}]") for k, p in enumerate(items)]
    t.done()
    return _checked("procedures", lambda: Catalogue(procedures))


def from_json(text: str | bytes) -> Catalogue:
    """The catalogue in JSON ``text``."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidArgument(f"not JSON: {exc}") from None
    return from_dict(document)


def from_toml(text: str) -> Catalogue:
    """The catalogue in TOML ``text``."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidArgument(f"not TOML: {exc}") from None
    return from_dict(document)


_FORMATS: dict[str, tuple[Callable[[Catalogue], str], Callable[[str], Catalogue]]] = {
    ".json": (to_json, from_json), ".toml": (to_toml, from_toml),
}


def _format(path: Path) -> tuple[Callable[[Catalogue], str], Callable[[str], Catalogue]]:
    found = _FORMATS.get(path.suffix.lower())
    if found is None:
        raise InvalidArgument(f"{path}: a catalogue file ends in .json or .toml")
    return found


def dump(catalogue: Catalogue, path: str | Path) -> None:
    """Write ``catalogue`` to ``path`` (JSON or TOML by its suffix), UTF-8."""
    path = Path(path)
    write, _ = _format(path)
    path.write_text(write(catalogue), encoding="utf-8")


def load(path: str | Path) -> Catalogue:
    """The catalogue in the file ``path`` (JSON or TOML by its suffix); errors name the file."""
    path = Path(path)
    _, read = _format(path)
    try:
        return read(path.read_text(encoding="utf-8"))
    except InvalidProcedure as exc:
        raise InvalidProcedure(exc.code, [f"{path}: {p}" for p in exc.problems]) from None
    except InvalidArgument as exc:
        raise InvalidArgument(f"{path}: {exc}") from None
