"""Page states read back in one SQLite step (pipelines/state_rows.py): the same states as
the plain SELECT, on both databases, with one step a chunk on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, event, select
from sqlalchemy.engine import Engine

from harvester.types import Record
from pipelines import state_rows
from pipelines.db import make_engine, upgrade
from pipelines.discover import unlisted_pages
from pipelines.load import ensure_source, upsert_records
from pipelines.models import fetched_pages
from pipelines.state import FetchRow, PageState, get_page_states, record_fetches
from pipelines.state_rows import json_rows, json_select

T0 = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)


def _rows() -> list[FetchRow]:
    return [
        FetchRow(url="https://r.test/plain", status=200, etag='"v1"', last_modified=None,
                 sha256="ab" * 32, fetched_at=T0, checked_at=T0, source_key="k1"),
        # quotes, backslashes, non-ASCII and a control character survive the JSON round trip
        FetchRow(url="https://r.test/ünï\"c\\o\tde", status=304, etag=None,
                 last_modified="Wed, 01 May 2024 12:00:00 GMT", sha256=None, fetched_at=None,
                 checked_at=T0 + timedelta(seconds=1), source_key=None),
        FetchRow(url="https://r.test/failed", status=None, etag=None, last_modified=None,
                 sha256=None, fetched_at=None, checked_at=T0 + timedelta(days=3),
                 source_key="k3", error_reason="timeout", error_message="slow"),
    ]


@pytest.fixture
def stored(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    upgrade(engine)
    with engine.begin() as conn:
        source = ensure_source(conn, "mine", "pure", None, now=T0)
        record_fetches(conn, source, _rows())
    yield engine
    engine.dispose()


def _select_states(engine: Engine, urls: list[str]) -> dict[str, PageState]:
    """get_page_states by the plain SELECT, as on a database without JSON functions."""
    key = str(engine.url)
    state_rows._unavailable.add(key)
    try:
        with engine.connect() as conn:
            return get_page_states(conn, urls)
    finally:
        state_rows._unavailable.discard(key)


def test_page_states_are_the_same_as_the_plain_select(stored: Engine) -> None:
    urls = [r.url for r in _rows()] + ["https://r.test/never-fetched"]
    with stored.connect() as conn:
        states = get_page_states(conn, urls)
    assert states == _select_states(stored, urls)
    assert set(states) == {r.url for r in _rows()}
    failed = states["https://r.test/failed"]
    assert failed.checked_at == T0 + timedelta(days=3)
    assert failed.checked_at is not None and failed.checked_at.tzinfo is not None
    assert (failed.error_reason, failed.status) == ("timeout", None)


def test_json_rows_give_the_columns_values_with_their_types(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    with engine.begin() as conn:
        record_fetches(conn, ensure_source(conn, "mine", "pure", None, now=T0), _rows())
    t = fetched_pages.c
    with engine.connect() as conn:
        rows = json_rows(conn, [t.url, t.status, t.checked_at], t.url,
                         ["https://r.test/plain", "https://r.test/none"])
    engine.dispose()
    assert rows == [("https://r.test/plain", 200, T0)]


def test_no_rows_is_an_empty_list_not_a_fallback(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    t = fetched_pages.c
    with engine.connect() as conn:
        assert json_rows(conn, [t.url], t.url, ["https://r.test/none"]) == []
        assert json_select(conn, select(t.url).where(t.url == "https://r.test/none")) == []
    engine.dispose()


def test_a_sqlite_chunk_of_states_is_read_as_one_aggregate_row(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    upgrade(engine)
    with engine.begin() as conn:
        source = ensure_source(conn, "mine", "pure", None, now=T0)
        many = [FetchRow(url=f"https://r.test/{n}", status=200, etag=None, last_modified=None,
                         sha256=None, fetched_at=T0, checked_at=T0, source_key=f"k{n}")
                for n in range(300)]
        record_fetches(conn, source, many)
    statements: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "fetched_pages" in statement:
            statements.append(statement)

    with engine.connect() as conn:
        states = get_page_states(conn, [r.url for r in many])
    engine.dispose()
    assert len(states) == 300
    # one statement whose one row is the JSON array of all 300
    assert len(statements) == 1
    assert statements[0].startswith("SELECT json_group_array(")


def _select_plainly(engine: Engine, read: Any) -> Any:
    """`read(conn)` as on a database without JSON functions: the plain SELECTs."""
    key = str(engine.url)
    state_rows._unavailable.add(key)
    try:
        with engine.connect() as conn:
            return read(conn)
    finally:
        state_rows._unavailable.discard(key)


def test_json_select_gives_the_rows_of_the_select_with_their_types(stored: Engine) -> None:
    t = fetched_pages.c
    stmt = select(t.url, t.status, t.checked_at, t.source_key).where(t.url.like("https://%"))
    with stored.connect() as conn:
        rows = json_select(conn, stmt)
        plain = [tuple(r) for r in conn.execute(stmt)]
    if stored.dialect.name != "sqlite":
        assert rows is None  # the caller runs its SELECT
        return
    assert rows is not None and sorted(rows, key=str) == sorted(plain, key=str)
    assert {r[2] for r in rows} == {r.checked_at for r in _rows()}
    assert all(r[2].tzinfo is not None for r in rows)


def test_unlisted_pages_are_the_same_read_in_one_step_or_row_by_row(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    with engine.begin() as conn:
        source = ensure_source(conn, "mine", "pure", None, now=T0)
        upsert_records(conn, source, [Record(url=f"https://r.test/{n}", platform="pure",
                                             source_key=f"k{n}", title=f"T{n}")
                                      for n in range(0, 40, 2)], now=T0)  # even keys live
        record_fetches(conn, source, [
            FetchRow(url=f"https://r.test/{n}", status=200, etag=None, last_modified=None,
                     sha256=None, fetched_at=T0, checked_at=T0, source_key=f"k{n}")
            for n in range(40)])
    listed = {f"https://r.test/{n}" for n in range(10)}

    def read(conn: Connection) -> list[str]:
        return unlisted_pages(conn, source, listed)

    with engine.connect() as conn:
        found = read(conn)
    engine.dispose()
    assert found == _select_plainly(engine, read)
    assert found == sorted(f"https://r.test/{n}" for n in range(10, 40, 2))
