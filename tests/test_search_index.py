"""The search index is refreshed in bulk from marked publications (revision 0009_search_queue)."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, Engine, delete, event, text

from harvester.types import Record
from pipelines.config import parse_settings
from pipelines.db import make_engine, open_database, upgrade
from pipelines.load import ensure_source, upsert_records
from pipelines.models import publications
from pipelines.run import harvest
from pipelines.sample_site import SampleSite
from pipelines.search import search
from pipelines.search_index import pending_count, refresh_search

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
LATER = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def record(key: str, title: str, abstract: str = "", keywords: tuple[str, ...] = ()) -> Record:
    return Record(url=f"https://repo.test/{key}", platform="pure", source_key=key, title=title,
                  abstract=abstract or None, keywords=keywords)  # fmt: skip


LIBRARY = [
    record("k1", "Quasicrystal growth", "Grown from a melt.", ("alloys",)),
    record("k2", "Magnetic vortices", "Imaged by holography.", ("skyrmions",)),
    record("k3", "Ocean acidification", "Coral reefs under stress."),
]


def load(engine: Engine, records: list[Record], now: datetime = NOW) -> dict[str, int]:
    with engine.begin() as conn:
        source = ensure_source(conn, "s", "pure", None)
        return dict(upsert_records(conn, source, records, now=now).ids)


def indexed(engine: Engine, word: str) -> set[int]:
    """Publication ids the index itself matches, read without refreshing it."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            sql = "SELECT rowid FROM publication_fts WHERE publication_fts MATCH :w"
        else:
            sql = ("SELECT publication_id FROM publication_fts "
                   "WHERE document @@ to_tsquery('english', :w)")  # fmt: skip
        return set(conn.execute(text(sql), {"w": word}).scalars())


def refresh(engine: Engine, **kwargs: int) -> int:
    with engine.begin() as conn:
        return refresh_search(conn, **kwargs)


def found(engine: Engine, query: str) -> set[int]:
    with engine.connect() as conn:
        return {hit.id for hit in search(conn, query)}


def test_a_loaded_record_is_indexed_by_the_refresh_not_by_the_load(engine: Engine) -> None:
    ids = load(engine, LIBRARY)
    assert indexed(engine, "quasicrystal") == set()
    assert refresh(engine) == 3
    assert indexed(engine, "quasicrystal") == {ids["k1"]}
    assert indexed(engine, "skyrmions") == {ids["k2"]}  # keywords come from record_json
    assert indexed(engine, "coral") == {ids["k3"]}


def test_refresh_is_idempotent_and_leaves_nothing_pending(engine: Engine) -> None:
    load(engine, LIBRARY)
    assert refresh(engine) == 3
    assert refresh(engine) == 0
    with engine.connect() as conn:
        assert pending_count(conn) == 0
        table = "publication_fts"
        assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 3


def test_small_chunks_index_every_marked_record(engine: Engine) -> None:
    ids = load(engine, [record(f"c{i}", f"Chunked title{i} words") for i in range(7)])
    assert refresh(engine, chunk=2) == 7
    assert indexed(engine, "chunked") == set(ids.values())


def test_nothing_pending_costs_one_statement(engine: Engine) -> None:
    load(engine, LIBRARY)
    refresh(engine)
    statements: list[str] = []

    def count(conn: Connection, cursor: object, sql: str, *args: object) -> None:
        statements.append(sql)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert refresh(engine) == 0
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) == 1


def test_a_changed_records_old_words_stop_matching(engine: Engine) -> None:
    ids = load(engine, LIBRARY)
    refresh(engine)
    renamed = dataclasses.replace(LIBRARY[0], title="Icosahedral phases", keywords=("metals",))
    load(engine, [renamed], now=LATER)
    assert indexed(engine, "quasicrystal") == {ids["k1"]}  # stale until refreshed
    assert refresh(engine) == 1
    assert indexed(engine, "quasicrystal") == set()
    assert indexed(engine, "alloys") == set()
    assert indexed(engine, "icosahedral") == {ids["k1"]}
    assert found(engine, "metals") == {ids["k1"]}


def test_a_search_refreshes_the_index_first(engine: Engine) -> None:
    ids = load(engine, LIBRARY)
    assert found(engine, "holography") == {ids["k2"]}
    with engine.connect() as conn:
        assert pending_count(conn) == 0  # the search's refresh was committed


def test_a_deleted_record_leaves_the_index(engine: Engine) -> None:
    ids = load(engine, LIBRARY)
    refresh(engine)
    with engine.begin() as conn:
        conn.execute(delete(publications).where(publications.c.id == ids["k3"]))
    assert found(engine, "coral") == set()
    assert indexed(engine, "coral") == set()
    assert indexed(engine, "vortices") == {ids["k2"]}


def test_a_withdrawn_record_is_not_returned_and_needs_no_reindexing(engine: Engine) -> None:
    ids = load(engine, LIBRARY)
    refresh(engine)
    with engine.begin() as conn:
        conn.execute(publications.update().where(publications.c.id == ids["k2"])
                     .values(deleted_at=LATER))  # fmt: skip
        assert pending_count(conn) == 0
    assert found(engine, "vortices") == set()
    assert indexed(engine, "vortices") == {ids["k2"]}  # kept: withdrawal can be undone


def test_a_rewrite_with_the_same_text_marks_nothing(engine: Engine) -> None:
    ids = load(engine, LIBRARY)
    refresh(engine)
    with engine.begin() as conn:
        conn.execute(publications.update().where(publications.c.id == ids["k1"])
                     .values(title="Quasicrystal growth", doi="10.1/x"))  # fmt: skip
        assert pending_count(conn) == 0


@pytest.mark.postgres
def test_a_mark_held_by_an_uncommitted_writer_waits_for_the_next_refresh(pg_url: str) -> None:
    eng = make_engine(pg_url)
    upgrade(eng)
    try:
        ids = load(eng, LIBRARY)
        refresh(eng)
        with eng.connect() as writer:
            writer.execute(publications.update().where(publications.c.id == ids["k1"])
                           .values(title="Penrose tilings"))  # fmt: skip
            assert refresh(eng) == 0  # skipped, not taken: the new title is not visible yet
            writer.commit()
        assert refresh(eng) == 1
        assert indexed(eng, "penrose") == {ids["k1"]}
    finally:
        eng.dispose()


@pytest.mark.postgres
def test_the_refreshed_document_equals_revision_0003s_expression(pg_url: str) -> None:
    from pipelines.search_index import _PG_REFRESHED, PG_DOCUMENT

    assert _PG_REFRESHED != PG_DOCUMENT  # the cheaper spelling is in use
    eng = make_engine(pg_url)
    upgrade(eng)
    odd = [record("o1", "Über Größen", "", ("Straße", "naïve ‘quotes’", "")),
           Record(url="https://repo.test/o2", platform="pure", source_key="o2")]  # fmt: skip
    try:
        load(eng, LIBRARY + odd)
        refresh(eng)
        with eng.connect() as conn:
            differ = conn.execute(text(
                f"SELECT count(*) FROM publication_fts f JOIN publications p "
                f"ON p.id = f.publication_id WHERE f.document IS DISTINCT FROM ({PG_DOCUMENT})"
            )).scalar_one()  # fmt: skip
            total = conn.execute(text("SELECT count(*) FROM publication_fts")).scalar_one()
        assert (differ, total) == (0, 5)
    finally:
        eng.dispose()


@pytest.mark.postgres
def test_writes_with_row_triggers_switched_off_are_still_marked(pg_url: str) -> None:
    eng = make_engine(pg_url)
    upgrade(eng)
    try:
        with eng.begin() as conn:  # what pipelines.load_fk does around child inserts
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            upsert_records(conn, ensure_source(conn, "s", "pure", None), LIBRARY, now=NOW)
            assert pending_count(conn) == 3
    finally:
        eng.dispose()


def test_an_abstract_past_the_tsvector_limit_does_not_block_the_index(engine: Engine) -> None:
    # 300,000 distinct words: as one tsvector, past PostgreSQL's 1 MB limit
    huge = " ".join(f"w{i:06d}x" for i in range(300_000))
    ids = load(engine, [*LIBRARY, record("big", "Enormous abstract", huge)])
    assert refresh(engine) == 4
    assert found(engine, "holography") == {ids["k2"]}
    assert found(engine, "enormous") == {ids["big"]}


def test_a_harvest_leaves_its_records_indexed_and_nothing_pending(db_url: str) -> None:
    with SampleSite() as site:
        settings = parse_settings({
            "database": db_url, "archive": False,
            "user_agent": "harvester-tests (+mailto:t@example.org)",
            "sources": [{"name": "sample", "platform": "pure", "allow_private": True,
                         "politeness": {"concurrency": 4, "delay": 0},
                         "sitemap": f"{site.base_url}/sitemap.xml"}],
        }, path=None, env={})
        engine = open_database(settings.database_url)
        assert asyncio.run(harvest(settings, engine)).ok
    with engine.connect() as conn:
        assert pending_count(conn) == 0
        stored = conn.execute(text("SELECT count(*) FROM publications")).scalar_one()
    assert stored > 0
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM publication_fts")).scalar_one()
    assert rows == stored
