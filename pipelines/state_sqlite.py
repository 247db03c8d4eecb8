"""SQLite's fetched_pages upsert, written out: a batch's page rows in a few statements.

`pipelines.state.fetches_upsert` says what the upsert does; through SQLAlchemy a row
cost ~25 µs of the write thread in a first harvest, most of it building and
processing a 14-key parameter dict a row. Here the rows are tuples sent through
the loader's multi-row INSERT (`load_sqlite.sqlite_insert_rows`), with that
statement's own ON CONFLICT clause as SQLite's compiler writes it (once a process);
timestamps are written as SQLAlchemy's SQLite dialect writes them (`sqlite_stamp`).
A test holds the two paths to the same table after inserts, re-fetches, 304s and
repeated errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from .load_sqlite import sqlite_insert_rows

if TYPE_CHECKING:
    from .state import FetchRow

COLUMNS = ("url", "source_id", "status", "etag", "last_modified", "sha256", "fetched_at",
           "checked_at", "source_key", "error_reason", "error_message", "attempts",
           "warc_file", "warc_offset")


def sqlite_stamp(value: datetime) -> str:
    """A UTCDateTime as SQLAlchemy's SQLite dialect stores it (UTC, microseconds always
    written), at a third of its cost: one f-string, not a dict format after a
    TypeDecorator call."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime refused (store UTC-aware values): {value!r}")
    v = value.astimezone(UTC)
    return (f"{v.year:04d}-{v.month:02d}-{v.day:02d} "
            f"{v.hour:02d}:{v.minute:02d}:{v.second:02d}.{v.microsecond:06d}")


def upsert_fetches(conn: Connection, source_id: int, rows: Sequence[FetchRow], tail: str
                   ) -> None:
    """The rows (one per URL: a statement must not meet its own row twice) upserted;
    `tail` is the statement's ON CONFLICT clause (`state.fetches_upsert`, compiled)."""
    stamp = sqlite_stamp
    values = [
        (r.url, source_id, r.status, r.etag, r.last_modified, r.sha256,
         None if r.fetched_at is None else stamp(r.fetched_at), stamp(r.checked_at),
         r.source_key, r.error_reason, r.error_message, 1 if r.error_reason else 0,
         r.warc_file, r.warc_offset)
        for r in rows
    ]
    sqlite_insert_rows(conn, "fetched_pages", COLUMNS, values, tail)
