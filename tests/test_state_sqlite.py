"""SQLite's written-out fetched_pages upsert stores what SQLAlchemy's statement stores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine

from pipelines.db import make_engine, upgrade
from pipelines.load import ensure_source
from pipelines.models import fetched_pages
from pipelines.state import FetchRow, fetches_upsert, record_fetches
from pipelines.state_sqlite import sqlite_stamp

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
T1 = T0 + timedelta(hours=1, microseconds=7)


def _through_sqlalchemy(conn: Connection, source_id: int, rows: list[FetchRow]) -> None:
    latest = {r.url: r for r in rows}
    params = [{"url": r.url, "status": r.status, "etag": r.etag,
               "last_modified": r.last_modified, "sha256": r.sha256,
               "fetched_at": r.fetched_at, "checked_at": r.checked_at,
               "source_key": r.source_key, "error_reason": r.error_reason,
               "error_message": r.error_message, "warc_file": r.warc_file,
               "warc_offset": r.warc_offset, "source_id": source_id,
               "attempts": 1 if r.error_reason else 0} for r in latest.values()]
    conn.execute(fetches_upsert(conn), params)


@pytest.fixture
def engines(tmp_path: Path) -> Iterator[tuple[Engine, Engine]]:
    pair = []
    for name in ("written", "sqlalchemy"):
        eng = make_engine(f"sqlite:///{tmp_path / name}.db")
        upgrade(eng)
        with eng.begin() as conn:
            ensure_source(conn, "repo", "pure", None, now=T0)
            ensure_source(conn, "other", "pure", None, now=T0)
        pair.append(eng)
    yield pair[0], pair[1]
    for eng in pair:
        eng.dispose()


def _raw_table(engine: Engine) -> list[tuple[Any, ...]]:
    # the stored text itself, not values read back through the column types
    with engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(
            "SELECT * FROM fetched_pages ORDER BY url").all()]


def _row(i: int, at: datetime, **changes: Any) -> FetchRow:
    values: dict[str, Any] = {
        "url": f"https://repo.test/p/{i}", "status": 200, "etag": None if i % 3 else f'"e{i}"',
        "last_modified": None, "sha256": f"{i:064x}", "fetched_at": at, "checked_at": at,
        "source_key": f"key-{i}" if i % 4 else None, "warc_file": "harvest-1.warc.gz",
        "warc_offset": 1000 * i,
    }  # fmt: skip
    values.update(changes)
    return FetchRow(**values)


def test_written_out_upsert_stores_what_sqlalchemy_stores(
        engines: tuple[Engine, Engine]) -> None:
    written, reference = engines
    failure = {"status": None, "fetched_at": None, "error_reason": "network",
               "error_message": "timed out", "warc_file": None, "warc_offset": None}
    gone = {"status": 404, "fetched_at": None, "error_reason": "gone", "warc_file": None,
            "warc_offset": None}
    batches: list[tuple[int, list[FetchRow]]] = [
        (1, [_row(i, T0) for i in range(450)]),  # new rows, more than one statement's worth
        (1, [_row(i, T1, **failure) for i in range(0, 450, 2)]
         + [_row(i, T1, status=304, fetched_at=None, warc_file=None, warc_offset=None)
            for i in range(1, 450, 4)]
         + [_row(i, T1, sha256="f" * 64, warc_offset=7) for i in range(3, 450, 4)]),
        (1, [_row(i, T1 + timedelta(seconds=1), **failure) for i in range(0, 450, 4)]
         + [_row(i, T1, **gone) for i in range(2, 450, 4)]
         # a URL twice in one batch: the last answer wins
         + [_row(1, T1, status=500, fetched_at=None, error_reason="server"),
            _row(1, T1 + timedelta(seconds=2))]),
        (2, [_row(i, T1, **gone) for i in range(2, 50, 4)]),  # another source's answers
        (1, [_row(1000, T0)]),  # one row: nothing shared
    ]
    for source_id, rows in batches:
        with written.begin() as conn:
            record_fetches(conn, source_id, rows)
        with reference.begin() as conn:
            _through_sqlalchemy(conn, source_id, rows)
        assert _raw_table(written) == _raw_table(reference)
    stored = {r[0]: r for r in _raw_table(written)}
    assert len(stored) == 451
    attempts = fetched_pages.c.keys().index("attempts")
    assert stored["https://repo.test/p/0"][attempts] == 2  # the same failure twice in a row


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                    timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)),
                                               timezone(-timedelta(hours=11))])))
def test_stamp_is_sqlalchemys_sqlite_text(value: datetime) -> None:
    column = fetched_pages.c.checked_at.type
    engine = make_engine("sqlite://")
    process = column._cached_bind_processor(engine.dialect)  # what SQLAlchemy binds
    assert process is not None
    assert sqlite_stamp(value) == process(value)


def test_stamp_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="naive"):
        sqlite_stamp(datetime(2024, 5, 1, 12, 0))
