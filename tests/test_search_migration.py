"""Revision 0009_search_queue carries the index over on upgrade and back on downgrade."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import Engine, text

from pipelines.db import alembic_config, make_engine, upgrade
from pipelines.search_index import PG_DOCUMENT, pending_count
from tests.test_search_index import LIBRARY, found, indexed, load, record


@pytest.fixture
def at_0008(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    upgrade(eng, "0008_frontier")
    yield eng
    eng.dispose()


def migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, revision)


def test_upgrade_from_0008_keeps_indexed_records_searchable(at_0008: Engine) -> None:
    ids = load(at_0008, LIBRARY)
    migrate(at_0008, "0009_search_queue")
    with at_0008.connect() as conn:
        assert pending_count(conn) == 0
    assert indexed(at_0008, "holography") == {ids["k2"]}  # carried over, not re-queued
    assert found(at_0008, "coral") == {ids["k3"]}
    more = load(at_0008, [record("k4", "Tidal energy")])
    assert found(at_0008, "tidal") == {more["k4"]}


def test_downgrade_to_0008_indexes_what_was_pending_and_restores_the_old_index(
    at_0008: Engine,
) -> None:
    migrate(at_0008, "0009_search_queue")
    ids = load(at_0008, LIBRARY)  # marked, never refreshed
    migrate(at_0008, "0008_frontier", down=True)
    ids.update(load(at_0008, [record("k4", "Tidal energy")]))  # indexed by 0003's own way
    for word, key in (("holography", "k2"), ("tidal", "k4")):
        assert old_search(at_0008, word) == {ids[key]}


def old_search(engine: Engine, word: str) -> set[int]:
    """Revision 0003_search's queries: the FTS5 table, or PG_DOCUMENT under its GIN index."""
    if engine.dialect.name == "sqlite":
        return indexed(engine, word)
    with engine.connect() as conn:
        names = conn.execute(text("SELECT indexname FROM pg_indexes "
                                  "WHERE tablename = 'publications'")).scalars()  # fmt: skip
        assert "ix_publications_fts" in set(names)
        sql = f"SELECT id FROM publications WHERE ({PG_DOCUMENT}) @@ to_tsquery('english', :w)"
        return set(conn.execute(text(sql), {"w": word}).scalars())
