"""Engines, connection checks and URL redaction."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import StatementError

from harvester.errors import DatabaseError
from pipelines.db import check_connection, make_engine, open_database, redact
from pipelines.models import sources


def test_sqlite_engine_creates_parent_dir_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "h.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        pragmas = {
            p: conn.exec_driver_sql(f"PRAGMA {p}").scalar()
            for p in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
    assert path.exists()
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30000,
                       "synchronous": 1}  # fmt: skip


def test_bulk_writes_keep_statement_journals_in_memory_and_the_default_cache(
        tmp_path: Path) -> None:
    def settings(engine: Engine) -> tuple[int, int]:
        with engine.connect() as conn:
            return (conn.exec_driver_sql("PRAGMA temp_store").scalar_one(),
                    conn.exec_driver_sql("PRAGMA cache_size").scalar_one())

    plain = make_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    bulk = open_database(f"sqlite:///{tmp_path / 'bulk.db'}", bulk_writes=True)
    assert settings(plain) == (0, -2000)  # SQLite's defaults: other commands keep them
    # a larger cache raised a 100,000-page harvest's peak RSS near its 200 MB goal
    assert settings(bulk) == (2, -2000)


def test_none_is_bound_through_an_adapter_and_stored_as_null(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'h.db'}")
    # the registered adapter spares sqlite3 its failing protocol lookup for every None
    assert sqlite3.adapters[(type(None), sqlite3.PrepareProtocol)](None) is None
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (a, b)")
        conn.exec_driver_sql("INSERT INTO t VALUES (?, ?)", [(None, 1), (None, None)])
        stored = conn.exec_driver_sql("SELECT typeof(a), typeof(b) FROM t ORDER BY rowid").all()
    assert [tuple(r) for r in stored] == [("null", "integer"), ("null", "null")]


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u:p@db.example/h", "postgresql+psycopg"),
        ("postgres://u@db.example/h", "postgresql+psycopg"),
        ("postgresql+psycopg://u@db.example/h", "postgresql+psycopg"),
        ("sqlite:///x.db", "sqlite"),
    ],
)
def test_url_gets_the_installed_driver(url: str, driver: str, tmp_path: Path) -> None:
    if url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'x.db'}"
    assert make_engine(url).url.drivername == driver


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://user:s3cret@host:5432/db", "postgresql://user:***@host:5432/db"),
        ("postgresql://user@host/db", "postgresql://user@host/db"),
        ("sqlite:///harvest.db", "sqlite:///harvest.db"),
        ("not a url user:s3cret@x", "not a url user:s3cret@x"),
        ("weird://user:pa:ss@host", "weird://user:***@host"),
    ],
)
def test_redact_masks_only_the_password(url: str, expected: str) -> None:
    assert redact(url) == expected


def test_unreachable_database_raises_one_line_database_error_without_password() -> None:
    engine = make_engine("postgresql://postgres:s3cret@127.0.0.1:1/x")
    with pytest.raises(DatabaseError) as info:
        check_connection(engine)
    message = str(info.value)
    assert "s3cret" not in message
    assert "postgres:***@127.0.0.1:1/x" in message
    assert "\n" not in message


def test_open_database_migrates_a_new_sqlite_file(tmp_path: Path) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'new.db'}")
    assert "publications" in inspect(engine).get_table_names()


def test_timestamps_come_back_as_the_same_instant_in_utc(db_url: str) -> None:
    engine = open_database(db_url)
    at = datetime(2024, 3, 31, 1, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    with engine.begin() as conn:
        conn.execute(sources.insert().values(name="s", platform="pure", created_at=at))
        back = conn.execute(select(sources.c.created_at)).scalar_one()
    assert back == at
    assert back.utcoffset() == timedelta(0)
    assert back.tzinfo is not None


def test_naive_timestamps_are_refused(sqlite_url: str) -> None:
    engine = open_database(sqlite_url)
    with pytest.raises(StatementError, match="naive datetime"), engine.begin() as conn:
        conn.execute(
            sources.insert().values(name="s", platform="pure", created_at=datetime(2024, 1, 1))
        )
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sources")).scalar() == 0
    assert datetime.now(UTC).tzinfo is UTC
