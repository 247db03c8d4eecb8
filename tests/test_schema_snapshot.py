"""A new SQLite database made from migrations/sqlite_head.sql is the database the
migrations make: same tables, indexes, views, triggers and rows; the snapshot is used
only when it stands for the migrations' head."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pipelines import db, schema_snapshot
from pipelines.db import at_head, make_engine, open_database, script_heads, upgrade


def _migrated(path: Path) -> None:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return sorted(conn.iterdump())


def test_a_new_database_from_the_snapshot_dumps_as_a_migrated_one(tmp_path: Path) -> None:
    _migrated(tmp_path / "migrated.db")
    open_database(f"sqlite:///{tmp_path / 'new.db'}").dispose()
    assert _dump(tmp_path / "new.db") == _dump(tmp_path / "migrated.db")


def test_the_snapshot_is_written_from_the_migrations_head(tmp_path: Path) -> None:
    _migrated(tmp_path / "migrated.db")
    (head,) = script_heads() or ()
    with sqlite3.connect(tmp_path / "migrated.db") as conn:
        fresh = schema_snapshot.render(conn, head)
    assert schema_snapshot.SNAPSHOT.read_text(encoding="utf-8") == fresh, (
        "migrations/sqlite_head.sql is out of date: run `python -m pipelines.schema_snapshot`")


def test_a_new_database_runs_no_migration_and_is_at_head(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_upgrade(*_: object) -> None:
        raise AssertionError("migrated instead of made from the snapshot")

    monkeypatch.setattr(db, "upgrade", no_upgrade)
    engine = open_database(f"sqlite:///{tmp_path / 'new.db'}")
    assert at_head(engine)
    engine.dispose()


def test_a_snapshot_of_another_revision_leaves_the_work_to_the_migrations(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, script = schema_snapshot.read() or ("", "")
    monkeypatch.setattr(schema_snapshot, "read", lambda: ("0001_initial", script))
    upgraded: list[str] = []
    real = db.upgrade

    def upgrade_seen(engine: object, revision: str = "head") -> None:
        upgraded.append(revision)
        real(engine, revision)  # type: ignore[arg-type]

    monkeypatch.setattr(db, "upgrade", upgrade_seen)
    engine = open_database(f"sqlite:///{tmp_path / 'new.db'}")
    assert upgraded == ["head"] and at_head(engine)
    engine.dispose()
    _migrated(tmp_path / "migrated.db")
    assert _dump(tmp_path / "new.db") == _dump(tmp_path / "migrated.db")


def test_a_database_that_has_tables_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE mine (x)")
    revision, script = schema_snapshot.read() or ("", "")
    conn = sqlite3.connect(path, isolation_level=None)
    assert schema_snapshot.create(conn, revision, script) is False
    assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["mine"]
    conn.close()


def test_a_statement_that_fails_leaves_the_database_empty(tmp_path: Path) -> None:
    revision, script = schema_snapshot.read() or ("", "")
    conn = sqlite3.connect(tmp_path / "new.db", isolation_level=None)
    with pytest.raises(sqlite3.OperationalError):
        schema_snapshot.create(conn, revision, script + "\nCREATE TABLE alembic_version (x);")
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)
    conn.close()
