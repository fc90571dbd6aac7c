"""Simulation: a province's year of dossiers through the real engine and store.

- :class:`Profile` (read with :func:`load_profile`; the shipped ones are :data:`PROFILES`,
  the format is ``docs/simulate.md``): the units and their levels, the procedures each kind
  of unit offers with yearly volumes, staff and capacity per role, the channel, payment and
  behaviour mix, the seasons;
- :func:`build` makes a profile concrete (a :class:`Province`: catalogue, engine, work
  queues); :func:`simulate` runs it into a :class:`~dossierflow.store.Store`, one batch a
  simulated day, with the sweeper and the relay as in production, and returns a
  :class:`Simulation`;
- the report of the simulated period is read off the store like any other.
"""

from dossierflow.simulate._profile import (
    FORMAT,
    PROFILES,
    InvalidProfile,
    Kind,
    Mix,
    Profile,
    Staff,
    Unit,
    load_profile,
    read_profile,
    shipped_profile_text,
)
from dossierflow.simulate._province import Province, build
from dossierflow.simulate._run import Progress, Simulation, simulate

__all__ = [
    "FORMAT",
    "PROFILES",
    "InvalidProfile",
    "Kind",
    "Mix",
    "Profile",
    "Progress",
    "Province",
    "Simulation",
    "Staff",
    "Unit",
    "build",
    "load_profile",
    "read_profile",
    "shipped_profile_text",
    "simulate",
]
