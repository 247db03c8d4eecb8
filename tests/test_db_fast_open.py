"""open_database skips Alembic when the database is already at the newest revision,
and still migrates a database that is behind or new."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

import pipelines.db as db
from pipelines.db import alembic_config, at_head, make_engine, open_database, script_heads


def test_heads_read_from_the_files_are_alembics_heads() -> None:
    alembic = ScriptDirectory.from_config(alembic_config())
    assert script_heads() == frozenset(alembic.get_heads())


def test_a_database_at_head_is_opened_without_running_alembic(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_database(db_url)
    assert at_head(make_engine(db_url))

    def no_upgrade(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("upgrade ran on a database already at head")

    monkeypatch.setattr(db, "upgrade", no_upgrade)
    open_database(db_url)


def test_a_database_behind_or_new_is_migrated(db_url: str) -> None:
    engine = make_engine(db_url)
    assert not at_head(engine)  # new: no alembic_version table
    db.upgrade(engine, "0005_archive")
    assert not at_head(engine)
    open_database(db_url)
    with engine.connect() as conn:
        version = conn.execute(text("select version_num from alembic_version")).scalar_one()
    assert frozenset([version]) == script_heads()
