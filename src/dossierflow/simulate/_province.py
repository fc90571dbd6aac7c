"""A profile's province as the engine sees it: the real catalogue's procedures, each received
by the profile's units that offer it, and who does each step's work.

Each unit is an :class:`~dossierflow.states.Agency` of its own (its id, name, level and
terrain), listed among the receivers of the procedures its kind offers, so reports group by
the receiving unit and its level, and the land procedures read the unit's terrain for their
longer limits in mountainous communes (Land Law 2024; Decree 101/2024/NĐ-CP). The steps keep
the catalogue's owners: a step owned by a commune-level agency (the commune People's
Committee, the commune police) is worked by the receiving unit's own staff of that role; a
step owned by another agency (the land registration office, tax, social insurance, the
provincial police, the business registration office) by the province-wide office of that
name in the profile.

The catalogue holds the procedures in force from 1 July 2025. A profile of an earlier year
runs them from the profile's start (an estimate: the limits and steps of 2023 differed in
places; the land limits, for one, were those of Decree 43/2014/NĐ-CP).
"""

from __future__ import annotations

import attrs

from dossierflow.calendar import WorkCalendar, vietnam
from dossierflow.catalogues import vietnam as vietnam_catalogue
from dossierflow.simulate._profile import InvalidProfile, Profile, Staff, Unit
from dossierflow.states import Agency, Catalogue, Engine, Procedure

LOCAL_LEVEL = "commune"
"""Steps owned by agencies of this level in the catalogue are worked by the receiving unit."""


@attrs.frozen
class Province:
    """A profile made concrete: the engine (catalogue and calendar), the procedures each unit
    offers, and the staff of every work queue, keyed ``(unit or office id, role)``."""

    profile: Profile
    engine: Engine
    offered: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]
    """(unit id, ((procedure code, dossiers a year), ...)), in the profile's order."""
    staff: tuple[tuple[tuple[str, str], Staff], ...]
    absence: tuple[tuple[str, float], ...]
    """(unit or office id, the chance an officer is absent on a working day)."""

    def unit(self, unit_id: str) -> Unit:
        for u in self.profile.units:
            if u.id == unit_id:
                return u
        raise KeyError(unit_id)

    def queue_of(self, proc: Procedure, step: str, unit_id: str) -> tuple[str, str]:
        """The work queue of ``step`` of a dossier received by ``unit_id``."""
        owner = proc.step(step).owner
        if proc.agency(owner.agency).level == LOCAL_LEVEL:
            return unit_id, owner.role
        return owner.agency, owner.role


def build(profile: Profile, *, calendar: WorkCalendar | None = None) -> Province:
    """The :class:`Province` of ``profile``; a procedure code the catalogue lacks, or a role
    with no staff where a step needs it, raises :class:`InvalidProfile` naming the field."""
    source = profile.source
    base = vietnam_catalogue.catalogue()
    known = {p.code: p for p in base.procedures}
    receivers: dict[str, list[Unit]] = {}
    kinds = {k.id: k for k in profile.kinds}
    for kind in profile.kinds:
        for code, _ in kind.volumes:
            if code not in known:
                raise InvalidProfile(f"kinds.{kind.id}.volumes.{code}",
                                     "is not a procedure of the Vietnam catalogue; codes: "
                                     + ", ".join(sorted(known)), source=source)
    for u in profile.units:
        for code, volume in kinds[u.kind].volumes:
            if volume > 0:
                receivers.setdefault(code, []).append(u)
    procedures: list[Procedure] = []
    for code in sorted(receivers):
        p = known[code]
        units = receivers[code]
        agencies = [*p.agencies, *(Agency(u.id, u.name, level=kinds[u.kind].level,
                            attributes={"terrain": u.terrain}) for u in units)]
        procedures.append(attrs.evolve(
            p, agencies=agencies, receivers=[u.id for u in units],
            effective_from=min(p.effective_from, profile.start)))
    catalogue = Catalogue(procedures)
    engine = Engine(catalogue, calendar=calendar or vietnam())
    staff: dict[tuple[str, str], Staff] = {}
    for u in profile.units:
        kind = kinds[u.kind]
        for role, s in kind.staff:
            staff[(u.id, role)] = s
    offices = dict(profile.offices)
    for office, roles in profile.offices:
        for role, s in roles:
            staff[(office, role)] = s
    # Every step must have someone to work it.
    for u in profile.units:
        kind = kinds[u.kind]
        for code, volume in kind.volumes:
            if volume <= 0:
                continue
            p = catalogue.in_force(code, profile.start)
            needed = {(u.id, p.reception_role, f"kinds.{kind.id}.staff.{p.reception_role}")}
            for step in p.steps:
                where = Province(profile, engine, (), (), ()).queue_of(p, step.name, u.id)
                field = f"kinds.{kind.id}.staff.{where[1]}" if where[0] == u.id else \
                    f"offices.{where[0]}.{where[1]}"
                needed.add((*where, field))
            for owner, role, field in sorted(needed):
                if (owner, role) not in staff:
                    raise InvalidProfile(field, f"is missing: procedure {code} at unit {u.id} "
                                         f"needs officers of role {role!r}", source=source)
    absence = [(u.id, kinds[u.kind].absence) for u in profile.units]
    absence += [(office, profile.mix.office_absence) for office in sorted(offices)]
    offered = tuple((u.id, tuple((c, v) for c, v in kinds[u.kind].volumes if v > 0))
                    for u in profile.units)
    return Province(profile, engine, offered, tuple(sorted(staff.items())), tuple(absence))
