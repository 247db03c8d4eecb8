"""A run counts as a re-harvest only when the SQLite database already holds pages or OAI
records of every source it runs; any doubt keeps the prestarted parse workers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert

from pipelines.db import open_database
from pipelines.load import ensure_source
from pipelines.models import fetched_pages, oai_records
from pipelines.rerun import all_harvested_before, postgres_conninfo, sqlite_path

NOW = datetime(2026, 11, 29, tzinfo=UTC)


def _database(url: str) -> str:
    """web: one fetched page; oai: one listed record; new: a source with nothing yet."""
    engine = open_database(url)
    with engine.begin() as conn:
        web = ensure_source(conn, "web", "pure", None, now=NOW)
        oai = ensure_source(conn, "oai", "oai", None, now=NOW)
        ensure_source(conn, "new", "pure", None, now=NOW)
        conn.execute(insert(fetched_pages).values(
            url="https://repo.example.org/p/1", source_id=web, status=200, checked_at=NOW,
            attempts=1))
        conn.execute(insert(oai_records).values(
            source_id=oai, source_key="oai:x:1", datestamp="2026-11-01", listed_at=NOW,
            listed_run=1))
    engine.dispose()
    return url


def test_sources_with_pages_or_oai_records_are_a_reharvest(db_url: str) -> None:
    url = _database(db_url)
    assert all_harvested_before(url, ["web"])
    assert all_harvested_before(url, ["web", "oai", "web"])


@pytest.mark.parametrize("names", [["new"], ["web", "new"], ["web", "unknown"], []])
def test_a_source_without_anything_stored_is_a_first_harvest(db_url: str,
                                                             names: list[str]) -> None:
    assert not all_harvested_before(_database(db_url), names)


def test_no_file_another_schema_or_another_database_keep_the_workers(tmp_path: Path) -> None:
    assert not all_harvested_before(f"sqlite:///{tmp_path / 'absent.db'}", ["web"])
    (tmp_path / "other.db").write_bytes(b"not a database at all" * 100)
    assert not all_harvested_before(f"sqlite:///{tmp_path / 'other.db'}", ["web"])
    # a server that refuses (port 1), and a database without the tables
    assert not all_harvested_before("postgresql+psycopg://postgres@127.0.0.1:1/test", ["web"])
    assert not (tmp_path / "absent.db").exists()  # asking made no file


@pytest.mark.parametrize(("url", "path"), [
    ("sqlite:////var/lib/h.db", Path("/var/lib/h.db")),
    ("sqlite:////var/lib/h.db?timeout=5", Path("/var/lib/h.db")),
    ("sqlite://", None), ("sqlite:///:memory:", None), ("sqlite:///file:x?mode=memory", None),
    ("postgresql+psycopg://u@h/db", None),
])
def test_only_plain_sqlite_files_are_looked_at(url: str, path: Path | None) -> None:
    assert sqlite_path(url) == path


@pytest.mark.parametrize(("url", "conninfo"), [
    ("postgresql+psycopg://u:p@h:5433/db?sslmode=require",
     "postgresql://u:p@h:5433/db?sslmode=require"),
    ("postgresql://u@h/db", "postgresql://u@h/db"),
    ("mysql://u@h/db", None), ("sqlite:///x.db", None), ("postgresql+asyncpg://u@h/db", None),
])
def test_postgres_urls_are_asked_through_libpq(url: str, conninfo: str | None) -> None:
    assert postgres_conninfo(url) == conninfo


@pytest.mark.postgres
def test_a_postgres_database_without_the_schema_keeps_the_workers(pg_url: str) -> None:
    assert not all_harvested_before(pg_url, ["web"])
