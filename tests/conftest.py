"""Fixtures shared by every test: the ../shared corpus and the two databases.

PostgreSQL tests skip with a reason when no server answers, unless
HARVESTER_REQUIRE_POSTGRES=1 (set by .ci/run), where they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("HARVESTER_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus"
PG_ADMIN_URL = os.environ.get(
    "HARVESTER_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
PG_REQUIRED = os.environ.get("HARVESTER_REQUIRE_POSTGRES") == "1"


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The real pages in ../shared/corpus; skips the test when they are absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"../shared corpus not present at {CORPUS}")
    return CORPUS


def _pg_connect(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=3)


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The admin URL of a reachable PostgreSQL, or skip (fail when required)."""
    try:
        with _pg_connect(PG_ADMIN_URL) as conn:
            conn.execute("select 1")
    except Exception as exc:  # any failure to connect means "no server here"
        msg = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}"
        if PG_REQUIRED:
            pytest.fail(msg + " (HARVESTER_REQUIRE_POSTGRES=1)")
        pytest.skip(msg)
    return PG_ADMIN_URL


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards.

    Returned as a SQLAlchemy URL (postgresql+psycopg://...).
    """
    name = f"harvester_test_{uuid.uuid4().hex[:12]}"
    with _pg_connect(pg_server) as conn:
        conn.execute(f'create database "{name}"')
    base = pg_server.rsplit("/", 1)[0]
    try:
        yield f"{base.replace('postgresql://', 'postgresql+psycopg://', 1)}/{name}"
    finally:
        with _pg_connect(pg_server) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'harvest.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Runs the test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'harvest.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A database at the migrations' head, on SQLite and on PostgreSQL (db_url)."""
    from pipelines.db import make_engine, upgrade

    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()
