"""Shared test settings: hypothesis profiles and common fixtures.

``HYPOTHESIS_PROFILE=thorough`` runs many more examples than the default ``ci`` profile.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def vn():  # type: ignore[no-untyped-def]
    from dossierflow.calendar import vietnam

    return vietnam()
