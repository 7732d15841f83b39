"""Shared fixtures.

- ``extractor``: the spaCy-backed extractor, loaded once per test session.
- ``kb_url``: a fresh, empty knowledge-base URL, once on SQLite and once on
  PostgreSQL. The PostgreSQL case takes the server from
  ``$DIPLOWATCH_TEST_PG_URL`` (``.ci/run`` starts a throwaway cluster on
  loopback and sets it) and gives each test its own schema, dropped afterwards;
  it is skipped, with the reason, when the variable is unset.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_ENV = "DIPLOWATCH_TEST_PG_URL"
BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def extractor():
    """One :class:`~diplowatch.extract.Extractor` for the whole session (loading spaCy is slow).

    Tests that use it should be marked ``@pytest.mark.slow``.
    """
    from diplowatch.extract import Extractor

    return Extractor()


@pytest.fixture(scope="session")
def pg_server() -> Iterator[object]:
    """A SQLAlchemy engine on ``$DIPLOWATCH_TEST_PG_URL``; skips when unset, fails when unreachable."""
    base = os.environ.get(PG_ENV, "").strip()
    if not base:
        pytest.skip(f"PostgreSQL tests need {PG_ENV}=postgresql://user:password@127.0.0.1:PORT/db "
                    "(.ci/run starts a throwaway cluster and sets it)")
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(base)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:
        engine.dispose()
        pytest.fail(f"{PG_ENV} is set but the server cannot be reached: {exc}".splitlines()[0])
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url(pg_server) -> Iterator[str]:
    """URL of a fresh PostgreSQL schema (first on the ``search_path``), dropped after the test."""
    schema = f"dw_test_{uuid.uuid4().hex[:12]}"
    with pg_server.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = pg_server.url.update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with pg_server.connect() as conn:
        # connections of a killed writer may still hold locks for a moment
        conn.exec_driver_sql("SET lock_timeout = '30s'")
        conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=BACKENDS)
def kb_url(request, tmp_path: Path) -> str:
    """A URL for a new, empty knowledge base: a SQLite file in ``tmp_path``, or a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kb.db'}"
    return request.getfixturevalue("pg_url")
