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
(pipelines.works), in the same transaction. On PostgreSQL the child rows of the
batch's own publications skip the foreign-key triggers when the role may
(pipelines.load_fk), and the statements that make persons and authorships run
while works assignment computes keys (pipelines.load_ahead). The modules:
load_json (canonical JSON and hash), load_rows (Record -> row tuples),
load_publications, load_lookup (venues, persons, authorships), load_bulk
(COPY / executemany), load_copy_dumper (COPY's datetimes), load_ahead, load_nul.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, select

from harvester.types import Record

from . import load_rows as R
from .db import dialect_insert
from .load_ahead import abandon, settle
from .load_bulk import chunks, driver_value, insert_rows, is_postgres
from .load_fk import children_of_own_rows
from .load_lookup import get_or_create, load_authors
from .load_nul import has_nul, strip_nul
from .load_publications import (
    delete_children,
    existing,
    insert_publications,
    update_publications,
    upsert_metrics,
)
from .models import publications, sources, venues
from .versions import FetchRef, changed_versions, new_versions, write_versions
from .works import assign_records

__all__ = ["BATCH_SIZE", "LoadStats", "ensure_source", "load_authors", "upsert_records"]

BATCH_SIZE = 5000


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
    shapes: Mapping[str, tuple[str, str]] | None = None,
) -> LoadStats:
    """Insert new, update changed and skip unchanged records of one source.

    Records are keyed by (source_id, source_key); with duplicate keys in one
    call the last record wins. Runs inside the caller's transaction. `fetches`
    names the fetch each record came from, by source key, for its version row
    (default: the record's url, no hash). `shapes`: `json_and_hash` of records the
    caller has already worked it out for, by source key (the OAI harvest compares
    hashes before loading); it must be of that very record.
    """
    for record in records:
        if not isinstance(record, Record):
            raise TypeError(f"upsert_records takes Record objects, got {type(record).__name__}")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    latest = {r.source_key: r for r in records}
    total = LoadStats()
    for batch in chunks(list(latest.values()), BATCH_SIZE):
        with _collector_paused():
            try:
                total = total + _load_batch(conn, source_id, batch, now, fetches, shapes)
                settle(conn)
            except BaseException:
                abandon(conn)
                raise
    return total


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection during one batch.

    A batch makes ~100,000 short-lived tuples, lists and dicts, which set off
    collections that walk every tracked object of the process again and again:
    0.18 of 3.2 s CPU for 30,000 records in bench/load.py, whose records are
    frozen out of the collector's sight, and 0.62 of 3.9 s when they are not.
    Reference counting still frees them; the few cycles wait for the collector,
    which runs again right after.
    Re-enabled only if it was on, so a caller's own pause is kept.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _load_batch(
    conn: Connection,
    source_id: int,
    batch: list[Record],
    now: datetime,
    fetches: Mapping[str, FetchRef] | None,
    known: Mapping[str, tuple[str, str]] | None = None,
) -> LoadStats:
    if known:
        shapes = {r.source_key: known.get(r.source_key) or R.json_and_hash(r) for r in batch}
    else:
        shapes = {r.source_key: R.json_and_hash(r) for r in batch}
    if any(has_nul(r, shapes[r.source_key][0]) for r in batch):
        # PostgreSQL cannot store U+0000: drop it (on SQLite too, so both hold the same)
        batch = list({r.source_key: r for r in map(strip_nul, batch)}.values())
        shapes = {r.source_key: R.json_and_hash(r) for r in batch}
    stored = existing(conn, source_id, list(shapes))

    ids = {key: pid for key, (pid, _) in stored.items()}
    fresh = [r for r in batch if r.source_key not in stored]
    changed = [
        r
        for r in batch
        if r.source_key in stored and stored[r.source_key][1] != shapes[r.source_key][1]
    ]
    written = fresh + changed
    if written:
        stamp = driver_value(conn, publications, "last_seen", now)
        venue_of = {r.source_key: R.venue_key(r) for r in written}
        venue_ids = get_or_create(conn, venues, R.VENUE_COLUMNS, R.venue_rows(written, venue_of))

        def row(r: Record, pid: int | None) -> R.Row:
            key = venue_of[r.source_key]
            venue = venue_ids[key] if key else None
            return R.publication_row(r, pid, source_id, shapes[r.source_key], venue, stamp)

        history: list[R.Row] = []
        if changed:
            canonical = {r.source_key: shapes[r.source_key][0] for r in changed}
            history = changed_versions(conn, changed, ids, canonical, stamp, fetches)
        # publications' parents (source, venues) and the children's publications are all
        # rows this transaction made or holds: pipelines.load_fk
        with children_of_own_rows(conn):
            if fresh:
                ids.update(insert_publications(conn, source_id, fresh, row))
            history = new_versions(fresh, ids, stamp, fetches) + history
            if changed:
                update_publications(conn, [row(r, ids[r.source_key]) for r in changed])
                delete_children(conn, [ids[r.source_key] for r in changed])
            # PostgreSQL's COPY takes the rows as they are made, while the server inserts
            children = R.child_row_streams if is_postgres(conn) else R.child_rows
            for name, rows in children(written, ids).items():
                insert_rows(conn, name, R.CHILD_COLUMNS[name], rows)
            write_versions(conn, history)
            # last: on PostgreSQL it is still running while works assignment computes keys
            load_authors(conn, written, ids)
        assign_records(conn, written, ids, now=now, inserted=len(fresh))
    upsert_metrics(conn, R.metric_rows(batch, ids, now))
    return LoadStats(
        new=len(fresh),
        changed=len(changed),
        unchanged=len(batch) - len(written),
        ids={r.source_key: ids[r.source_key] for r in batch},
    )
