"""Bring the full-text index up to date for the publications marked since the last refresh.

Writes to `publications` only mark their ids in `publication_fts_pending`
(triggers of revision 0009_search_queue); `refresh_search` indexes the marked
rows in chunks, one set-based statement each (two on SQLite), and removes the
index rows of publications that no longer exist. Withdrawn records stay
indexed: searches leave them out by `deleted_at`, so marking one withdrawn or
back costs no index write. With nothing marked it costs one probe of the
queue's primary key.

It runs in the caller's transaction; the marks it takes go with that
transaction's commit. On PostgreSQL it picks marks with SKIP LOCKED: a mark
still held by an uncommitted writer belongs to a change this transaction
cannot read yet, and stays for the next refresh.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection, Engine

from harvester.errors import DatabaseError

from .db import in_transaction

__all__ = ["CHUNK", "PG_DOCUMENT", "pending_count", "refresh_after", "refresh_search"]

log = logging.getLogger(__name__)

PG_DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, "
    "coalesce(title, '') || ' ' || coalesce(subtitle, '')), 'A') || "
    "setweight(jsonb_to_tsvector('english'::regconfig, "
    "coalesce(record_json::jsonb -> 'keywords', '[]'::jsonb), '[\"string\"]'::jsonb), 'B') || "
    "setweight(to_tsvector('english'::regconfig, coalesce(abstract, '')), 'C')"
)
"""PostgreSQL's indexed document: title A, keywords B, abstract C (revision 0003_search's
expression, which revision 0009_search_queue stores in publication_fts.document)."""

_PG_REFRESHED = PG_DOCUMENT.replace(
    "jsonb_to_tsvector('english'::regconfig, coalesce(record_json::jsonb -> 'keywords', "
    "'[]'::jsonb)",
    "json_to_tsvector('english'::regconfig, coalesce(record_json::json -> 'keywords', '[]'::json)",
)
"""The same document, ~4 µs a row cheaper (of ~45): `::json` only checks the text where
`::jsonb` builds the whole record (abstract included) to read its keywords. The tests
check that both give the same tsvector.
Title and abstract are cut at 200,000 characters: a longer text could pass tsvector's 1 MB
limit, and that error would fail the whole chunk, and with it every search."""
_PG_REFRESHED = _PG_REFRESHED.replace(
    "coalesce(title, '')", "left(coalesce(title, ''), 200000)").replace(
    "coalesce(abstract, '')", "left(coalesce(abstract, ''), 200000)")

CHUNK = 5000
"""Marked publications per statement: big enough for set-based speed, small enough
that one statement's FTS5 segment or GIN pending list stays modest."""

QUEUE = "publication_fts_pending"
_PROBE = f"SELECT publication_id FROM {QUEUE} ORDER BY publication_id LIMIT 1"

# Revision 0003_search's row expressions (title with subtitle, keywords from record_json).
_SQLITE_ROW = (
    "p.id, trim(coalesce(p.title, '') || ' ' || coalesce(p.subtitle, '')), p.abstract, "
    "(SELECT group_concat(value, ' ') FROM json_each(p.record_json, '$.keywords'))"
)
_SQLITE_RANGE = "q.publication_id > ? AND q.publication_id <= ?"
_SQLITE_LAST = (
    f"SELECT max(publication_id) FROM (SELECT publication_id FROM {QUEUE} "
    "WHERE publication_id > ? ORDER BY publication_id LIMIT ?)"
)
_SQLITE_STEPS = (
    # FTS5 turns OR REPLACE into a delete of the row with that rowid, if there is one
    "INSERT OR REPLACE INTO publication_fts (rowid, title, abstract, keywords) "
    f"SELECT {_SQLITE_ROW} FROM {QUEUE} q JOIN publications p ON p.id = q.publication_id "
    f"WHERE {_SQLITE_RANGE}",
    f"DELETE FROM publication_fts WHERE rowid IN (SELECT q.publication_id FROM {QUEUE} q "
    f"WHERE {_SQLITE_RANGE} AND NOT EXISTS "
    "(SELECT 1 FROM publications p WHERE p.id = q.publication_id))",
    f"DELETE FROM {QUEUE} AS q WHERE {_SQLITE_RANGE}",
)

# `= ANY(array)` keeps every step an index probe: an IN (subquery) was planned as a
# scan of the whole queue, and the join as a merge from the first publication on.
_POSTGRES = f"""
WITH picked AS (
    DELETE FROM {QUEUE}
    WHERE publication_id = ANY(ARRAY(SELECT publication_id FROM {QUEUE}
                                     ORDER BY publication_id LIMIT %(chunk)s
                                     FOR UPDATE SKIP LOCKED))
    RETURNING publication_id
), ids AS (
    SELECT coalesce(array_agg(publication_id), '{{}}') AS taken FROM picked
), gone AS (
    DELETE FROM publication_fts f
    WHERE f.publication_id = ANY((SELECT taken FROM ids)::integer[])
      AND NOT EXISTS (SELECT 1 FROM publications p WHERE p.id = f.publication_id)
), indexed AS (
    INSERT INTO publication_fts (publication_id, document)
    SELECT p.id, {_PG_REFRESHED}
    FROM publications p WHERE p.id = ANY((SELECT taken FROM ids)::integer[])
    ORDER BY p.id
    ON CONFLICT (publication_id) DO UPDATE SET document = excluded.document
)
SELECT cardinality(taken) FROM ids
"""


def refresh_search(conn: Connection, *, chunk: int = CHUNK) -> int:
    """Index every marked publication (or drop it from the index if it is gone).

    Returns how many marks were taken. Idempotent; with nothing marked, one probe.
    """
    if conn.exec_driver_sql(_PROBE).first() is None:
        return 0
    if conn.dialect.name == "sqlite":
        return _refresh_sqlite(conn, chunk)
    done = 0
    while taken := int(conn.exec_driver_sql(_POSTGRES, {"chunk": chunk}).scalar_one()):
        done += taken
    return done


def _refresh_sqlite(conn: Connection, chunk: int) -> int:
    # The first write takes SQLite's write lock, so no other writer adds marks in between.
    done, after = 0, -1
    while (last := conn.exec_driver_sql(_SQLITE_LAST, (after, chunk)).scalar()) is not None:
        for step in _SQLITE_STEPS:
            result = conn.exec_driver_sql(step, (after, last))
        done += result.rowcount
        after = int(last)
    return done


def pending_count(conn: Connection) -> int:
    """How many publications wait to be (re)indexed (a full count: for reports, not hot paths)."""
    return int(conn.exec_driver_sql(f"SELECT count(*) FROM {QUEUE}").scalar_one())


def refresh_after(engine: Engine, what: str) -> None:
    """Refresh at the end of a run (what: "the run"). A failure is logged, not raised: the
    records are stored, their marks stay, and the next refresh or search takes them."""
    try:
        in_transaction(engine, refresh_search, what="refreshing the search index failed on")
    except DatabaseError as exc:
        log.error("after %s: %s", what, exc)
