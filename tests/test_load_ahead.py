"""PostgreSQL statements sent ahead finish before the connection is used again, in order."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg import pq
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from pipelines.load import ensure_source, upsert_records
from pipelines.load_ahead import abandon, send_ahead, settle, then
from pipelines.load_bulk import insert_rows
from tests.test_load_upsert import T0, make_record


@pytest.fixture
def db_url(pg_url: str) -> str:
    """Pipeline mode is PostgreSQL's: conftest's `engine` on it alone."""
    return pg_url


def _pipeline_status(conn: Any) -> pq.PipelineStatus:
    return conn.connection.driver_connection.pgconn.pipeline_status  # type: ignore[no-any-return]


def test_a_statement_after_the_sent_ones_sees_their_rows(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TEMP TABLE t (n integer)")
        send_ahead(conn, ["INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)"])
        then(conn, "INSERT INTO t SELECT max(n) + 1 FROM t")
        assert _pipeline_status(conn) == pq.PipelineStatus.ON
        assert conn.execute(text("SELECT array_agg(n ORDER BY n) FROM t")).scalar_one() == [1, 2, 3]
        assert _pipeline_status(conn) == pq.PipelineStatus.OFF


def test_a_copy_waits_for_the_sent_statements(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TEMP TABLE t (n integer)")
        send_ahead(conn, ["INSERT INTO t VALUES (1)"])
        insert_rows(conn, "t", ("n",), iter([(2,), (3,)]))
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 3


def test_a_failed_statement_is_raised_by_the_next_one(engine: Engine) -> None:
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.exec_driver_sql("CREATE TEMP TABLE t (n integer PRIMARY KEY)")
        send_ahead(conn, ["INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (1)"])
        conn.exec_driver_sql("SELECT 1")
    with engine.connect() as conn:  # the pooled connection came back usable
        assert conn.exec_driver_sql("SELECT 2").scalar_one() == 2


def test_settle_raises_the_failure_and_leaves_pipeline_mode(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 0")  # SQLAlchemy's transaction begun, as in the loader
        send_ahead(conn, ["SELECT 1/0"])
        with pytest.raises(psycopg.errors.DivisionByZero):
            settle(conn)
        assert _pipeline_status(conn) == pq.PipelineStatus.OFF
        conn.rollback()


def test_abandon_swallows_the_failure_and_leaves_pipeline_mode(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 0")  # SQLAlchemy's transaction begun, as in the loader
        send_ahead(conn, ["SELECT 1/0"])
        abandon(conn)
        assert _pipeline_status(conn) == pq.PipelineStatus.OFF
        conn.rollback()
        assert conn.exec_driver_sql("SELECT 3").scalar_one() == 3


def test_a_load_leaves_the_connection_out_of_pipeline_mode_with_its_authors_stored(
    engine: Engine,
) -> None:
    with engine.begin() as conn:
        source_id = ensure_source(conn, "repo", "pure", None, now=T0)
        upsert_records(conn, source_id, [make_record(1), make_record(2)], now=T0)
        assert _pipeline_status(conn) == pq.PipelineStatus.OFF
    with engine.connect() as conn:
        authors = conn.exec_driver_sql("SELECT count(*) FROM authorships").scalar_one()
        persons = conn.exec_driver_sql("SELECT count(*) FROM persons").scalar_one()
    expected = sum(len(make_record(i).authors) for i in (1, 2))
    assert expected > 0 and authors == expected and persons > 0
