"""The catalogue: every version of every procedure an engine knows.

A dossier keeps the version in force when it was filed; a new version is a new entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from dossierflow._errors import InvalidArgument, UnknownProcedure
from dossierflow.states._definition import Procedure


def _procedures(value: Iterable[Procedure]) -> tuple[Procedure, ...]:
    return tuple(value)


@attrs.frozen
class Catalogue:
    """The procedures an engine knows, every version of each. Immutable: ``with_procedure``
    returns a new catalogue, so a dossier received under version 1 keeps resolving to it."""

    procedures: tuple[Procedure, ...] = attrs.field(default=(), converter=_procedures)
    _by_key: dict[tuple[str, int], Procedure] = attrs.field(
        init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        by_key: dict[tuple[str, int], Procedure] = {}
        for p in self.procedures:
            if not isinstance(p, Procedure):
                raise InvalidArgument(f"a catalogue holds Procedure values, got {p!r}")
            if (p.code, p.version) in by_key:
                raise InvalidArgument(f"procedure {p.code} version {p.version} is registered "
                                      "twice; give the new one the next version number")
            by_key[(p.code, p.version)] = p
        object.__setattr__(self, "_by_key", by_key)

    def with_procedure(self, procedure: Procedure) -> Catalogue:
        """This catalogue plus ``procedure`` (a new code, or a new version of a known one)."""
        return Catalogue((*self.procedures, procedure))

    def get(self, code: str, version: int) -> Procedure:
        """The procedure ``code`` at ``version``."""
        p = self._by_key.get((code, version))
        if p is None:
            known = sorted(v for c, v in self._by_key if c == code)
            raise UnknownProcedure(code, f"version {version} in the catalogue (versions known: "
                                         f"{known or 'none'})")
        return p

    def in_force(self, code: str, on: dt.date) -> Procedure:
        """The version of ``code`` in force on ``on`` (the latest, if several overlap)."""
        versions = [p for (c, _), p in self._by_key.items() if c == code]
        if not versions:
            raise UnknownProcedure(code, "in the catalogue; register it with with_procedure()")
        found = [p for p in versions if p.is_in_force(on)]
        if not found:
            spans = ", ".join(f"v{p.version} from {p.effective_from}" for p in versions)
            raise UnknownProcedure(code, f"in force on {on} ({spans})")
        return max(found, key=lambda p: p.version)

    def versions(self, code: str) -> tuple[Procedure, ...]:
        return tuple(sorted((p for (c, _), p in self._by_key.items() if c == code),
                            key=lambda p: p.version))
