"""Rows found or made by natural key (venues, persons) and the authorships that use them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, select

from harvester.types import Record

from . import load_rows as R
from .load_bulk import (
    KEYS_PER_QUERY,
    chunks,
    insert_rows,
    is_postgres,
    json_list,
    one_of,
    stage_authors,
)
from .models import authorships, persons


def load_authors(conn: Connection, records: Sequence[Record], ids: Mapping[str, int]) -> None:
    """Authorship rows of these records, creating the persons not stored yet."""
    if not any(r.authors for r in records):
        return
    if is_postgres(conn):
        stage_authors(conn, R.iter_author_rows(records, ids))
        return
    rows = R.author_rows(records, ids)
    person_ids = get_or_create(conn, persons, R.PERSON_COLUMNS, R.person_rows(rows))
    insert_rows(conn, authorships, R.AUTHOR_COLUMNS, R.with_person_ids(rows, person_ids))


def get_or_create(
    conn: Connection, table: Table, columns: Sequence[str], rows: Mapping[str, R.Row]
) -> dict[str, int]:
    """Ids by natural key (the first column); missing rows are inserted, skipping
    conflicts with rows another writer inserted meanwhile (their ids are read all the same)."""
    key = table.c[columns[0]]

    def select_ids(keys: list[str]) -> None:
        for chunk in chunks(keys, KEYS_PER_QUERY):
            if is_postgres(conn):
                found = conn.execute(select(key, table.c.id).where(one_of(conn, key, chunk)))
                ids.update((k, v) for k, v in found.all())
                continue
            # the driver's own cursor: its (key, id) tuples go straight into the dict, where
            # SQLAlchemy made a Row of each (~0.2 µs a key, 15,000 keys a batch for persons)
            cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                cursor.execute(f"SELECT {key.name}, id FROM {table.name} "
                               f"WHERE {key.name} IN (SELECT value FROM json_each(?))",
                               (json_list(chunk),))  # fmt: skip
                ids.update(cursor)
            finally:
                cursor.close()

    ids: dict[str, int] = {}
    if not rows:
        return ids
    select_ids(list(rows))
    missing = [rows[k] for k in rows if k not in ids]
    if missing:
        if is_postgres(conn):
            # every writer inserts in key order: two writers of the same new keys then wait
            # for each other in one order, where first-seen order let each hold a key the
            # other wanted next (deadlock detected, one batch failed: 7 of 30 tries)
            missing.sort(key=_first)
        insert_rows(conn, table, columns, missing, skip_conflicts=True)
        if not is_postgres(conn):
            made = [m[0] for m in missing]
            ids.update(sqlite_new_ids(conn, table.name, key.name, made) or {})
        select_ids([k for k in rows if k not in ids])
    return ids


def _first(row: R.Row) -> Any:
    return row[0]


def sqlite_new_ids(
    conn: Connection, table: str, key: str, keys: list[str], where: str = "",
    params: tuple[Any, ...] = (),
) -> dict[str, int] | None:  # fmt: skip
    """SQLite: the ids of the rows just inserted with these keys, in this order, by one
    range scan instead of a keyed SELECT (~2 µs a person of a loaded record).

    Under the write lock the inserting transaction holds, one INSERT's rows get
    consecutive rowids ending at last_insert_rowid(). The scan checks that: the
    range must hold exactly these keys in this order. None when it does not (a row
    skipped as a conflict), and the caller reads the ids by key.
    """
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        last = cursor.execute("SELECT last_insert_rowid()").fetchone()[0]
        first = last - len(keys) + 1
        # the driver's rows as they come, where SQLAlchemy's result made a Row of each
        # and then took its scalar (~1 µs a key; 15,000 persons a batch when all are new)
        cursor.execute(f"SELECT {key} FROM {table} WHERE id BETWEEN ? AND ?{where} ORDER BY id",
                       (first, last, *params))  # fmt: skip
        got = [row[0] for row in cursor]
    finally:
        cursor.close()
    if got != keys:
        return None
    return dict(zip(keys, range(first, last + 1), strict=True))
