"""A province profile: what a simulated year is made of, read from a TOML file a user can copy
and edit (the format is ``docs/simulate.md``).

A profile names the province's receiving units (each of a *kind*: provincial centre, district
or commune one-stop department, commune centre, ward), the procedures each kind offers with a
yearly volume, the staff of each role with a daily capacity, the provincial offices (land
registration, tax, police...) that take steps for every unit, the channel and payment mix, the
behaviour of applicants and officers (supplements, pauses, withdrawals, ratings) and the
seasons. Nothing in it is an outcome: on-time rates, online payment shares and satisfaction
come out of the simulated work.

Reading checks every key and value and names the path of the first bad one
(``kinds.commune.staff.land_officer.officers: must be a whole number from 1, got 0``).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import attrs

from dossierflow._errors import InvalidArgument

FORMAT = 1
"""The version of the profile format this release reads."""

PROFILES: tuple[str, ...] = ("lai-chau-2025", "lai-chau-2023")
"""The profiles shipped with dossierflow; the first is the default."""

_T = TypeVar("_T")


class InvalidProfile(InvalidArgument):
    """A profile has a mistake; ``path`` names the field (``units[3].size``)."""

    def __init__(self, path: str, problem: str, *, source: str = "") -> None:
        self.path = path
        self.problem = problem
        self.source = source
        where = f"profile {source}: " if source else "profile: "
        super().__init__(f"{where}{path}: {problem}")


@attrs.frozen
class Staff:
    """The officers of one role at a unit or office: how many, and how many steps each
    finishes in a working day when present."""

    officers: int
    capacity: float


@attrs.frozen
class Kind:
    """A kind of receiving unit: its level (as reports show it), the procedures it offers with
    the dossiers a year a unit of size 1 receives, its staff by role, and the chance an
    officer is absent on a working day."""

    id: str
    level: str
    volumes: tuple[tuple[str, float], ...]
    staff: tuple[tuple[str, Staff], ...]
    absence: float


@attrs.frozen
class Unit:
    """One receiving unit: its agency id and name, kind, terrain (``"mountainous"`` gives the
    land procedures their longer limits), size (a multiplier of its kind's volumes) and, if
    it differs from the province's, its share of online filings."""

    id: str
    name: str
    kind: str
    terrain: str
    size: float
    online: float | None


@attrs.frozen
class Mix:
    """Shares and chances applied to every dossier (each from 0 to 1, except the factors)."""

    online: float
    postal: float
    paid_online_if_online: float
    paid_online_if_direct: float
    desk_supplement: float
    step_supplement: float
    supplement_abandoned: float
    refused: float
    rejected: float
    withdrawn: float
    verification: float
    land_tax_pause: float
    rated: float
    unsatisfied: float
    complaint: float
    electronic_result: float
    digitised: float
    reused: float
    office_absence: float
    outside_hours: float
    monday_factor: float
    after_tet_days: int
    after_tet_factor: float


@attrs.frozen
class Profile:
    """A province to simulate (see the module's documentation)."""

    name: str
    description: str
    start: dt.date
    end: dt.date
    mix: Mix
    months: tuple[float, ...]
    kinds: tuple[Kind, ...]
    offices: tuple[tuple[str, tuple[tuple[str, Staff], ...]], ...]
    units: tuple[Unit, ...]
    source: str = ""

    def kind(self, kind_id: str) -> Kind:
        for k in self.kinds:
            if k.id == kind_id:
                return k
        raise InvalidArgument(f"profile has no kind {kind_id!r}")


# ------------------------------------------------------------------------------- reading


class _Table:
    """A TOML table being read: every key is read once, and unknown keys are refused."""

    def __init__(self, value: object, path: str, source: str) -> None:
        if not isinstance(value, Mapping):
            raise InvalidProfile(path or "(top)", f"must be a table, got {value!r:.60}",
                                 source=source)
        self.value, self.path, self.source = value, path, source
        self.read: set[str] = set()

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, read: Callable[[object, str, str], _T],
            default: Any = ...) -> _T:
        self.read.add(key)
        if key not in self.value:
            if default is ...:
                raise InvalidProfile(self.where(key), "is missing", source=self.source)
            return default  # type: ignore[no-any-return]
        return read(self.value[key], self.where(key), self.source)

    def done(self) -> None:
        extra = sorted(set(self.value) - self.read)
        if extra:
            raise InvalidProfile(self.where(extra[0]), "is not a field of the profile format "
                                 "(see docs/simulate.md)", source=self.source)


def _text(value: object, path: str, source: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidProfile(path, f"must be non-empty text, got {value!r:.60}", source=source)
    return value


def _share(value: object, path: str, source: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise InvalidProfile(path, f"must be a share from 0 to 1, got {value!r:.60}",
                             source=source)
    return float(value)


def _positive(value: object, path: str, source: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise InvalidProfile(path, f"must be a positive number, got {value!r:.60}",
                             source=source)
    return float(value)


def _volume(value: object, path: str, source: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InvalidProfile(path, f"must be a number of dossiers a year from 0, got "
                             f"{value!r:.60}", source=source)
    return float(value)


def _whole(lowest: int) -> Callable[[object, str, str], int]:
    def read(value: object, path: str, source: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
            raise InvalidProfile(path, f"must be a whole number from {lowest}, got "
                                 f"{value!r:.60}", source=source)
        return value
    return read


def _date(value: object, path: str, source: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise InvalidProfile(path, f"must be a date such as 2026-01-01, got {value!r:.60}",
                             source=source)
    return value


def _staff(value: object, path: str, source: str) -> Staff:
    t = _Table(value, path, source)
    staff = Staff(t.get("officers", _whole(1)), t.get("capacity", _positive))
    t.done()
    return staff


def _roles(value: object, path: str, source: str) -> tuple[tuple[str, Staff], ...]:
    t = _Table(value, path, source)
    roles = tuple((role, t.get(role, _staff)) for role in sorted(t.value))
    t.done()
    return roles


def _volumes(value: object, path: str, source: str) -> tuple[tuple[str, float], ...]:
    t = _Table(value, path, source)
    volumes = tuple((code, t.get(code, _volume)) for code in sorted(t.value))
    t.done()
    return volumes


def _kind(kind_id: str) -> Callable[[object, str, str], Kind]:
    def read(value: object, path: str, source: str) -> Kind:
        t = _Table(value, path, source)
        kind = Kind(kind_id, t.get("level", _text), t.get("volumes", _volumes),
                    t.get("staff", _roles), t.get("absence", _share, 0.0))
        t.done()
        return kind
    return read


def _months(value: object, path: str, source: str) -> tuple[float, ...]:
    if not isinstance(value, list) or len(value) != 12:
        raise InvalidProfile(path, f"must list 12 monthly factors, January first, got "
                             f"{value!r:.60}", source=source)
    return tuple(_positive(v, f"{path}[{k}]", source) for k, v in enumerate(value))


def _mix(value: object, path: str, source: str) -> Mix:
    t = _Table(value, path, source)
    shares = {a.name: t.get(a.name, _share) for a in attrs.fields(Mix)
              if a.name not in ("monday_factor", "after_tet_days", "after_tet_factor")}
    mix = Mix(**shares, monday_factor=t.get("monday_factor", _positive),
              after_tet_days=t.get("after_tet_days", _whole(0)),
              after_tet_factor=t.get("after_tet_factor", _positive))
    t.done()
    if mix.online + mix.postal > 1:
        raise InvalidProfile(t.where("postal"), f"online ({mix.online}) and postal "
                             f"({mix.postal}) shares add up to more than 1", source=source)
    return mix


def _units(value: object, path: str, source: str) -> list[Unit]:
    """A ``[[units]]`` entry; with ``count``, that many units numbered from 1 (``{n}`` in the
    id and the name, e.g. ``"xa-{n:02d}"``)."""
    t = _Table(value, path, source)
    ident, name = t.get("id", _text), t.get("name", _text)
    kind, terrain = t.get("kind", _text), t.get("terrain", _text, "lowland")
    size, online = t.get("size", _positive, 1.0), t.get("online", _share, None)
    count = t.get("count", _whole(1), None)
    t.done()
    if count is None:
        return [Unit(ident, name, kind, terrain, size, online)]
    if "{n" not in ident:
        raise InvalidProfile(t.where("id"), "with count, must number its units with {n} "
                             "(e.g. 'xa-{n:02d}')", source=source)
    try:
        return [Unit(ident.format(n=n), name.format(n=n), kind, terrain, size, online)
                for n in range(1, count + 1)]
    except (ValueError, KeyError, IndexError) as exc:
        raise InvalidProfile(t.where("id"), f"cannot be numbered: {exc}",
                             source=source) from None


def read_profile(document: Mapping[str, Any], *, source: str = "") -> Profile:
    """A checked :class:`Profile` from a parsed TOML document."""
    t = _Table(document, "", source)
    version = t.get("format", _whole(1))
    if version != FORMAT:
        raise InvalidProfile("format", f"this dossierflow reads profile format {FORMAT}, got "
                             f"{version}", source=source)
    kinds_table = _Table(t.get("kinds", lambda v, p, s: v), "kinds", source)
    kinds = tuple(kinds_table.get(k, _kind(k)) for k in sorted(kinds_table.value))
    kinds_table.done()
    offices_table = _Table(t.get("offices", lambda v, p, s: v, {}), "offices", source)
    offices = tuple((o, offices_table.get(o, _roles)) for o in sorted(offices_table.value))
    offices_table.done()
    raw_units = t.get("units", lambda v, p, s: v)
    if not isinstance(raw_units, list) or not raw_units:
        raise InvalidProfile("units", "must list the receiving units ([[units]] tables)",
                             source=source)
    units: list[Unit] = []
    for k, raw in enumerate(raw_units):
        found = _units(raw, f"units[{k}]", source)
        known = {k.id for k in kinds}
        if found[0].kind not in known:
            raise InvalidProfile(f"units[{k}].kind", f"names no kind of the profile; kinds: "
                                 f"{', '.join(sorted(known))}", source=source)
        units.extend(found)
    seen: set[str] = set()
    for k, u in enumerate(units):
        if u.id in seen:
            raise InvalidProfile(f"units[{k}].id", f"{u.id!r} is listed twice", source=source)
        seen.add(u.id)
    profile = Profile(
        name=t.get("name", _text), description=t.get("description", _text, ""),
        start=t.get("start", _date), end=t.get("end", _date), mix=t.get("mix", _mix),
        months=t.get("months", _months), kinds=kinds, offices=offices, units=tuple(units),
        source=source)
    t.done()
    if profile.end < profile.start:
        raise InvalidProfile("end", f"{profile.end} is before start ({profile.start})",
                             source=source)
    return profile


def load_profile(name_or_path: str | Path) -> Profile:
    """A shipped profile by name (:data:`PROFILES`) or a profile file (TOML)."""
    if isinstance(name_or_path, str) and name_or_path in PROFILES:
        ref = resources.files("dossierflow.simulate").joinpath(
            "profiles", f"{name_or_path}.toml")
        text, source = ref.read_text(encoding="utf-8"), f"{name_or_path}.toml"
    else:
        path = Path(name_or_path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InvalidArgument(f"cannot read profile {path}: {exc.strerror}; shipped "
                                  f"profiles: {', '.join(PROFILES)}") from None
        source = str(path)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidProfile("(file)", f"is not valid TOML: {exc}", source=source) from None
    return read_profile(document, source=source)


def shipped_profile_text(name: str) -> str:
    """The text of a shipped profile, to copy and edit."""
    if name not in PROFILES:
        raise InvalidArgument(f"no shipped profile {name!r}; shipped: {', '.join(PROFILES)}")
    return resources.files("dossierflow.simulate").joinpath(
        "profiles", f"{name}.toml").read_text(encoding="utf-8")
