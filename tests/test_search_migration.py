"""Revision 0009_search_queue carries the index over on upgrade and back on downgrade;
revision 0010_pg_insert_marks marks PostgreSQL inserts by a statement trigger."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, text

from pipelines.db import alembic_config, make_engine, upgrade
from pipelines.load import ensure_source, upsert_records
from pipelines.search_index import PG_DOCUMENT, pending_count
from tests.test_search_index import LIBRARY, NOW, found, indexed, load, record


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


def _insert_trigger_level(engine: Engine) -> str:
    with engine.connect() as conn:
        tgtype = conn.execute(text(
            "SELECT tgtype FROM pg_trigger WHERE tgname = 'publication_fts_mark_ai'"
        )).scalar_one()  # fmt: skip
    return "row" if tgtype & 1 else "statement"  # TRIGGER_TYPE_ROW


def _insert_plain(engine: Engine, keys: list[str]) -> None:
    """Publications written by hand (no loader): one multi-row INSERT, then one COPY."""
    columns = ("source_id, source_key, url, platform, record_json, provenance_json, "
               "content_hash, first_seen, last_changed, last_seen")  # fmt: skip
    with engine.begin() as conn:
        source = conn.execute(text("SELECT min(id) FROM sources")).scalar_one()
        half = len(keys) // 2
        values = ", ".join(f"(:s, :k{i}, 'https://x.test', 'pure', '{{}}', '{{}}', 'h', "
                           "now(), now(), now())" for i in range(half))  # fmt: skip
        conn.execute(text(f"INSERT INTO publications ({columns}) VALUES {values}"),
                     {"s": source, **{f"k{i}": k for i, k in enumerate(keys[:half])}})  # fmt: skip
        conn.execute(text(f"INSERT INTO publications ({columns}) SELECT {columns} "
                          "FROM publications WHERE false"))  # no rows: marks nothing  # fmt: skip
        driver: Any = conn.connection.driver_connection
        with driver.cursor() as cur, cur.copy(f"COPY publications ({columns}) FROM STDIN") as cp:
            for key in keys[half:]:
                cp.write_row((source, key, "https://x.test", "pure", "{}", "{}", "h",
                              "2024-01-01", "2024-01-01", "2024-01-01"))  # fmt: skip


def _marked(engine: Engine, keys: list[str]) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(text(
            "SELECT p.source_key FROM publication_fts_pending q "
            "JOIN publications p ON p.id = q.publication_id WHERE p.source_key = ANY(:k)"
        ), {"k": keys}).scalars())  # fmt: skip


@pytest.mark.postgres
def test_pg_inserts_are_marked_by_one_statement_trigger_and_by_the_row_trigger_after_downgrade(
    pg_url: str,
) -> None:
    engine = make_engine(pg_url)
    try:
        upgrade(engine)
        assert _insert_trigger_level(engine) == "statement"
        load(engine, LIBRARY)
        with engine.connect() as conn:
            assert pending_count(conn) == 3
        _insert_plain(engine, ["h1", "h2", "h3", "h4", "h5"])
        assert _marked(engine, ["h1", "h2", "h3", "h4", "h5"]) == {"h1", "h2", "h3", "h4", "h5"}

        migrate(engine, "0009_search_queue", down=True)
        assert _insert_trigger_level(engine) == "row"
        _insert_plain(engine, ["r1", "r2", "r3"])
        assert _marked(engine, ["r1", "r2", "r3"]) == {"r1", "r2", "r3"}

        migrate(engine, "head")
        assert _insert_trigger_level(engine) == "statement"
        with engine.begin() as conn:  # the loader's window: row triggers off, marks still made
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            upsert_records(conn, ensure_source(conn, "s2", "pure", None),
                           [record("k9", "Late arrival")], now=NOW)  # fmt: skip
        assert _marked(engine, ["k9"]) == {"k9"}
    finally:
        engine.dispose()
