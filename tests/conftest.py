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


# --------------------------------------------------------------------------- storage backends

POSTGRES_URL = os.environ.get("DOSSIERFLOW_TEST_POSTGRES",
                              "postgresql://postgres@127.0.0.1:5432/test")


def postgres_or_skip() -> str:
    """The test server's URL; under CI=true a server that cannot be reached fails the test
    instead of skipping it."""
    import sqlalchemy as sa

    url = POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    db = sa.create_engine(url)
    try:
        with db.connect() as conn:
            conn.exec_driver_sql("select 1")
    except Exception as exc:
        message = (f"PostgreSQL is not reachable at {POSTGRES_URL} ({type(exc).__name__}); "
                   "start it with: pg_ctlcluster --skip-systemctl-redirect "
                   "$(ls /etc/postgresql) main start")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    finally:
        db.dispose()
    return POSTGRES_URL


@pytest.fixture
def opened(store_spec):  # type: ignore[no-untyped-def]
    """Open stores on the test's backend; all are closed when the test ends."""
    from tests.store_support import open_store

    stores = []

    def open_(spec=None, **kw):  # type: ignore[no-untyped-def]
        store = open_store(spec or store_spec, **kw)
        stores.append(store)
        return store

    yield open_
    for store in stores:
        store.close()


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store_spec(request, tmp_path):  # type: ignore[no-untyped-def]
    """(backend, where, schema): enough for any process to open the same store."""
    import uuid

    import sqlalchemy as sa

    if request.param == "memory":
        yield ("memory", None, None)
    elif request.param == "sqlite":
        yield ("sqlite", str(tmp_path / "dossiers.db"), None)
    else:
        url = postgres_or_skip()
        schema = f"df_test_{uuid.uuid4().hex[:12]}"
        db = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
        with db.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        yield ("postgresql", url, schema)
        with db.begin() as conn:
            conn.exec_driver_sql(  # end the sessions of processes that were killed
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                f"AND query LIKE '%%{schema}%%'")
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        db.dispose()
