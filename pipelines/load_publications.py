"""The publications rows of one batch: which exist, new ones in, changed ones rewritten.

Also the replaced child rows' removal and the metrics upsert. Every function
runs inside the loader's transaction (pipelines.load).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, delete, or_, select

from harvester.types import Record

from . import load_rows as R
from .db import dialect_insert
from .load_bulk import KEYS_PER_QUERY, chunks, insert_rows, is_postgres, one_of
from .load_lookup import sqlite_new_ids
from .models import CHILD_TABLES, metrics, publications


def existing(conn: Connection, source_id: int, keys: list[str]) -> dict[str, tuple[int, str]]:
    """(id, content_hash) of the stored publications among these source keys."""
    found: dict[str, tuple[int, str]] = {}
    p = publications.c
    for chunk in chunks(keys, KEYS_PER_QUERY):
        query = select(p.source_key, p.id, p.content_hash).where(
            p.source_id == source_id, one_of(conn, p.source_key, chunk)
        )
        found.update((key, (pid, h)) for key, pid, h in conn.execute(query))
    return found


# n new ids as one text value, not a row fetched per id. The sequence is looked up once,
# in an InitPlan: pg_get_serial_sequence and its text -> regclass cast made per row cost
# the backend ~7 µs an id, nextval itself ~1 (50,000 ids: 360-660 ms against 40-60).
_NEW_IDS = (
    "SELECT string_agg(nextval((SELECT pg_get_serial_sequence('publications', 'id')::regclass))"
    "::text, ',') FROM generate_series(1, %(n)s)"
)


def insert_publications(
    conn: Connection,
    source_id: int,
    fresh: list[Record],
    row: Callable[[Record, int | None], R.Row],
) -> dict[str, int]:
    """Insert new publications; their ids by source key, without reading them back by key.

    PostgreSQL hands out the ids first (one nextval query) and COPY writes them.
    SQLite gives the rows of one INSERT, under the write lock this transaction
    holds, consecutive rowids ending at last_insert_rowid(); a range scan checks
    that, and a keyed SELECT is the fallback if it ever does not hold.
    """
    keys = [r.source_key for r in fresh]
    if is_postgres(conn):
        listed = conn.exec_driver_sql(_NEW_IDS, {"n": len(fresh)}).scalar_one()
        new_ids = [int(pid) for pid in listed.split(",")]
        # a generator: the server inserts the first rows while Python builds the next
        insert_rows(conn, publications, R.PUBLICATION_COLUMNS,
                    (row(r, pid) for r, pid in zip(fresh, new_ids, strict=True)))  # fmt: skip
        return dict(zip(keys, new_ids, strict=True))
    insert_rows(conn, publications, R.PUBLICATION_COLUMNS[1:], [row(r, None)[1:] for r in fresh])
    made = sqlite_new_ids(conn, "publications", "source_key", keys, " AND source_id = ?",
                          (source_id,))  # fmt: skip
    if made is not None:
        return made
    return {key: pid for key, (pid, _) in existing(conn, source_id, keys).items()}


_UPDATED = [c for c in R.PUBLICATION_COLUMNS if c not in ("id", "first_seen")]


def update_publications(conn: Connection, rows: list[R.Row]) -> None:
    """Rewrite changed rows (all columns but id and first_seen), one executemany."""
    at = {c: i for i, c in enumerate(R.PUBLICATION_COLUMNS)}
    mark = "%s" if is_postgres(conn) else "?"
    sets = ", ".join(f"{c} = {mark}" for c in _UPDATED)
    params = [(*(r[at[c]] for c in _UPDATED), r[0]) for r in rows]
    conn.exec_driver_sql(f"UPDATE publications SET {sets} WHERE id = {mark}", params)


def delete_children(conn: Connection, publication_ids: list[int]) -> None:
    for table in CHILD_TABLES:
        for chunk in chunks(publication_ids, KEYS_PER_QUERY):
            conn.execute(delete(table).where(one_of(conn, table.c.publication_id, chunk)))


def upsert_metrics(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    stmt = dialect_insert(conn, metrics)
    excluded = stmt.excluded
    stmt = stmt.on_conflict_do_update(
        index_elements=["publication_id", "name", "source"],
        set_={"value": excluded.value, "seen": excluded.seen},
        where=or_(metrics.c.value != excluded.value, metrics.c.seen != excluded.seen),
    )
    conn.execute(stmt, rows)
