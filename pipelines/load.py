"""Batched upserts of Records into publications and their child tables.

Per batch: one SELECT finds which source keys exist and their content hashes;
new rows go in with one executemany, changed rows are updated with one
executemany, and the child rows of new and changed records are deleted and
re-inserted in bulk. An unchanged record costs no write at all (its "still
there" stamp is fetched_pages.checked_at), which keeps re-harvests cheap and
row versions stable. Metrics are upserted for every record, since a count
ticking up is not a change of the record.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Table, bindparam, delete, or_, select

from harvester.types import Record

from . import load_rows as R
from .db import dialect_insert
from .load_bulk import insert_rows, one_of
from .models import CHILD_TABLES, metrics, persons, publications, sources, venues

BATCH_SIZE = 2000
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
    conn: Connection, source_id: int, records: Sequence[Record], *, now: datetime
) -> LoadStats:
    """Insert new, update changed and skip unchanged records of one source.

    Records are keyed by (source_id, source_key); with duplicate keys in one
    call the last record wins. Runs inside the caller's transaction.
    """
    for record in records:
        if not isinstance(record, Record):
            raise TypeError(f"upsert_records takes Record objects, got {type(record).__name__}")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    latest = {r.source_key: r for r in records}
    total = LoadStats()
    for batch in _chunks(list(latest.values()), BATCH_SIZE):
        total = total + _load_batch(conn, source_id, batch, now)
    return total


def _load_batch(
    conn: Connection, source_id: int, batch: list[Record], now: datetime
) -> LoadStats:
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
        venue_ids = _get_or_create(conn, venues, "venue_key", R.venue_rows(written))
        rows = {
            r.source_key: R.publication_row(r, source_id, *shapes[r.source_key], venue_ids, now)
            for r in written
        }
        if fresh:
            insert_rows(conn, publications, [rows[r.source_key] for r in fresh])
            added = _existing(conn, source_id, [r.source_key for r in fresh])
            ids.update((key, pid) for key, (pid, _) in added.items())
        if changed:
            _update_publications(conn, [(ids[r.source_key], rows[r.source_key]) for r in changed])
            _delete_children(conn, [ids[r.source_key] for r in changed])
        person_ids = _get_or_create(conn, persons, "person_key", R.person_rows(written))
        for table, child_rows in R.child_rows(written, ids, person_ids).items():
            insert_rows(conn, table, child_rows)
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


def _update_publications(conn: Connection, rows: list[tuple[int, dict[str, Any]]]) -> None:
    params = []
    for pid, row in rows:
        values = {k: v for k, v in row.items() if k != "first_seen"}
        values["b_id"] = pid
        params.append(values)
    stmt = publications.update().where(publications.c.id == bindparam("b_id"))
    conn.execute(stmt, params)


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


def _get_or_create(
    conn: Connection, table: Table, key_column: str, rows: Mapping[str, dict[str, Any]]
) -> dict[str, int]:
    """Ids by natural key; missing rows are inserted (ON CONFLICT DO NOTHING for races)."""
    key = table.c[key_column]

    def select_ids(keys: list[str]) -> None:
        for chunk in _chunks(keys, _KEYS_PER_QUERY):
            found = conn.execute(select(key, table.c.id).where(one_of(conn, key, chunk)))
            ids.update((k, v) for k, v in found)

    ids: dict[str, int] = {}
    select_ids(list(rows))
    missing = [rows[k] for k in rows if k not in ids]
    if missing:
        # conflicts are rows another writer inserted meanwhile: their ids are read all the same
        insert_rows(conn, table, missing, skip_conflicts=True)
        select_ids([k for k in rows if k not in ids])
    return ids


def _chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
