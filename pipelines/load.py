"""Batched upserts of Records into publications and their child tables.

Per batch: one SELECT finds which source keys exist and their content hashes;
new rows go in with one bulk insert (COPY on PostgreSQL, executemany on
SQLite) whose ids are known without reading them back by key, changed rows
are updated with one executemany, and the child rows of new and changed
records are deleted and re-inserted in bulk. An unchanged record costs no write at all (its "still
there" stamp is fetched_pages.checked_at), which keeps re-harvests cheap and
row versions stable. Metrics are upserted for every record, since a count
ticking up is not a change of the record. New and changed records also get a
publication_versions row (pipelines.versions) and have their works re-decided
(pipelines.works), in the same transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, delete, or_, select

from harvester.types import Record

from . import load_rows as R
from .db import dialect_insert
from .load_bulk import driver_value, insert_rows, is_postgres, one_of, stage_authors
from .load_nul import has_nul, strip_nul
from .models import CHILD_TABLES, authorships, metrics, persons, publications, sources, venues
from .versions import FetchRef, changed_versions, new_versions, write_versions
from .works import assign_records

BATCH_SIZE = 5000
_KEYS_PER_QUERY = 5000  # well under SQLite's 32766 and psycopg's 65535 parameters
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class LoadStats:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    ids: Mapping[str, int] = field(default_factory=dict)
    """Publication id of every loaded record, by source_key."""

    def __add__(self, other: LoadStats) -> LoadStats:
        return LoadStats(
            self.new + other.new,
            self.changed + other.changed,
            self.unchanged + other.unchanged,
            {**self.ids, **other.ids},
        )


def ensure_source(
    conn: Connection,
    name: str,
    platform: str,
    base_url: str | None,
    *,
    now: datetime | None = None,
) -> int:
    """The id of the source called `name`, created or brought up to date."""
    row = conn.execute(
        select(sources.c.id, sources.c.platform, sources.c.base_url).where(sources.c.name == name)
    ).first()
    if row is None:
        values = {"name": name, "platform": platform, "base_url": base_url}
        stmt = dialect_insert(conn, sources).on_conflict_do_nothing(index_elements=["name"])
        conn.execute(stmt, {**values, "created_at": now or R.utcnow()})
        return int(conn.execute(select(sources.c.id).where(sources.c.name == name)).scalar_one())
    if (row.platform, row.base_url) != (platform, base_url):
        conn.execute(
            sources.update()
            .where(sources.c.id == row.id)
            .values(platform=platform, base_url=base_url)
        )
    return int(row.id)


def upsert_records(
    conn: Connection,
    source_id: int,
    records: Sequence[Record],
    *,
    now: datetime,
    fetches: Mapping[str, FetchRef] | None = None,
) -> LoadStats:
    """Insert new, update changed and skip unchanged records of one source.

    Records are keyed by (source_id, source_key); with duplicate keys in one
    call the last record wins. Runs inside the caller's transaction. `fetches`
    names the fetch each record came from, by source key, for its version row
    (default: the record's url, no hash).
    """
    for record in records:
        if not isinstance(record, Record):
            raise TypeError(f"upsert_records takes Record objects, got {type(record).__name__}")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    latest = {r.source_key: r for r in records}
    total = LoadStats()
    for batch in _chunks(list(latest.values()), BATCH_SIZE):
        total = total + _load_batch(conn, source_id, batch, now, fetches)
    return total


def _load_batch(
    conn: Connection,
    source_id: int,
    batch: list[Record],
    now: datetime,
    fetches: Mapping[str, FetchRef] | None,
) -> LoadStats:
    shapes = {r.source_key: R.json_and_hash(r) for r in batch}
    if any(has_nul(r, shapes[r.source_key][0]) for r in batch):
        # PostgreSQL cannot store U+0000: drop it (on SQLite too, so both hold the same)
        batch = list({r.source_key: r for r in map(strip_nul, batch)}.values())
        shapes = {r.source_key: R.json_and_hash(r) for r in batch}
    existing = _existing(conn, source_id, list(shapes))

    ids = {key: pid for key, (pid, _) in existing.items()}
    fresh = [r for r in batch if r.source_key not in existing]
    changed = [
        r
        for r in batch
        if r.source_key in existing and existing[r.source_key][1] != shapes[r.source_key][1]
    ]
    written = fresh + changed
    if written:
        stamp = driver_value(conn, publications, "last_seen", now)
        venue_ids = _get_or_create(conn, venues, R.VENUE_COLUMNS, R.venue_rows(written))

        def row(r: Record, pid: int | None) -> R.Row:
            key = R.venue_key(r)
            venue = venue_ids[key] if key else None
            return R.publication_row(r, pid, source_id, shapes[r.source_key], venue, stamp)

        if fresh:
            ids.update(_insert_publications(conn, source_id, fresh, row))
        history = new_versions(fresh, ids, stamp, fetches)
        if changed:
            canonical = {r.source_key: shapes[r.source_key][0] for r in changed}
            history += changed_versions(conn, changed, ids, canonical, stamp, fetches)
            _update_publications(conn, [row(r, ids[r.source_key]) for r in changed])
            _delete_children(conn, [ids[r.source_key] for r in changed])
        load_authors(conn, written, ids)
        for name, rows in R.child_rows(written, ids).items():
            insert_rows(conn, name, R.CHILD_COLUMNS[name], rows)
        write_versions(conn, history)
        assign_records(conn, written, ids, now=now, inserted=len(fresh))
    _upsert_metrics(conn, R.metric_rows(batch, ids, now))
    return LoadStats(
        new=len(fresh),
        changed=len(changed),
        unchanged=len(batch) - len(written),
        ids={r.source_key: ids[r.source_key] for r in batch},
    )


def _existing(conn: Connection, source_id: int, keys: list[str]) -> dict[str, tuple[int, str]]:
    """(id, content_hash) of the stored publications among these source keys."""
    found: dict[str, tuple[int, str]] = {}
    p = publications.c
    for chunk in _chunks(keys, _KEYS_PER_QUERY):
        query = select(p.source_key, p.id, p.content_hash).where(
            p.source_id == source_id, one_of(conn, p.source_key, chunk)
        )
        found.update((key, (pid, h)) for key, pid, h in conn.execute(query))
    return found


def _insert_publications(
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
        new_ids = [pid for (pid,) in conn.exec_driver_sql(
            "SELECT nextval(pg_get_serial_sequence('publications', 'id')) "
            "FROM generate_series(1, %(n)s)", {"n": len(fresh)})]  # fmt: skip
        insert_rows(conn, publications, R.PUBLICATION_COLUMNS,
                    [row(r, pid) for r, pid in zip(fresh, new_ids, strict=True)])
        return dict(zip(keys, new_ids, strict=True))
    insert_rows(conn, publications, R.PUBLICATION_COLUMNS[1:], [row(r, None)[1:] for r in fresh])
    last = int(conn.exec_driver_sql("SELECT last_insert_rowid()").scalar_one())
    first = last - len(fresh) + 1
    got = conn.exec_driver_sql(
        "SELECT source_key FROM publications WHERE id BETWEEN ? AND ? AND source_id = ? "
        "ORDER BY id", (first, last, source_id)).scalars().all()  # fmt: skip
    if list(got) == keys:
        return dict(zip(keys, range(first, last + 1), strict=True))
    return {key: pid for key, (pid, _) in _existing(conn, source_id, keys).items()}


_UPDATED = [c for c in R.PUBLICATION_COLUMNS if c not in ("id", "first_seen")]


def _update_publications(conn: Connection, rows: list[R.Row]) -> None:
    """Rewrite changed rows (all columns but id and first_seen), one executemany."""
    at = {c: i for i, c in enumerate(R.PUBLICATION_COLUMNS)}
    mark = "%s" if is_postgres(conn) else "?"
    sets = ", ".join(f"{c} = {mark}" for c in _UPDATED)
    params = [(*(r[at[c]] for c in _UPDATED), r[0]) for r in rows]
    conn.exec_driver_sql(f"UPDATE publications SET {sets} WHERE id = {mark}", params)


def _delete_children(conn: Connection, publication_ids: list[int]) -> None:
    for table in CHILD_TABLES:
        for chunk in _chunks(publication_ids, _KEYS_PER_QUERY):
            conn.execute(delete(table).where(one_of(conn, table.c.publication_id, chunk)))


def _upsert_metrics(conn: Connection, rows: list[dict[str, Any]]) -> None:
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


def load_authors(conn: Connection, records: Sequence[Record], ids: Mapping[str, int]) -> None:
    """Authorship rows of these records, creating the persons not stored yet."""
    if not any(r.authors for r in records):
        return
    if is_postgres(conn):
        stage_authors(conn, R.author_rows(records, ids, None))
        return
    person_ids = _get_or_create(conn, persons, R.PERSON_COLUMNS, R.person_rows(records))
    insert_rows(conn, authorships, R.AUTHOR_COLUMNS, R.author_rows(records, ids, person_ids))


def _get_or_create(
    conn: Connection, table: Table, columns: Sequence[str], rows: Mapping[str, R.Row]
) -> dict[str, int]:
    """Ids by natural key (the first column); missing rows are inserted, skipping
    conflicts with rows another writer inserted meanwhile (their ids are read all the same)."""
    key = table.c[columns[0]]

    def select_ids(keys: list[str]) -> None:
        for chunk in _chunks(keys, _KEYS_PER_QUERY):
            if is_postgres(conn):
                found = conn.execute(select(key, table.c.id).where(one_of(conn, key, chunk)))
            else:  # raw: the ORM-free result path is measurably cheaper for 10,000s of rows
                found = conn.exec_driver_sql(
                    f"SELECT {key.name}, id FROM {table.name} "
                    f"WHERE {key.name} IN (SELECT value FROM json_each(?))", (json.dumps(chunk),))
            ids.update((k, v) for k, v in found.all())

    ids: dict[str, int] = {}
    if not rows:
        return ids
    select_ids(list(rows))
    missing = [rows[k] for k in rows if k not in ids]
    if missing:
        insert_rows(conn, table, columns, missing, skip_conflicts=True)
        select_ids([k for k in rows if k not in ids])
    return ids


def _chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
