"""What an OAI-PMH harvest keeps in the database, written inside the caller's transaction.

- `oai_checkpoints`: per source, the window and resumption token of the harvest
  in progress and the responseDate the next incremental run starts from.
- `oai_records`: per record, its datestamp, the hash of its OAI-only Record
  (so an unchanged OAI record is skipped even after enrichment changed the
  stored row), its landing page and enrichment state, and the run that last
  listed it (records not listed by a full harvest are marked missing).
- tombstones: `publications.deleted_at`, keeping the earlier data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select, update

from harvester.errors import DiscoveryError
from harvester.types import Record

from .db import dialect_insert
from .load import LoadStats, upsert_records
from .load_bulk import driver_value, is_postgres, one_of
from .load_rows import json_and_hash
from .load_sqlite import sqlite_insert_rows
from .models import oai_checkpoints, oai_records, publications
from .oai_enrich_queue import PENDING
from .oai_windows import parse_stamp


@dataclass(frozen=True, slots=True)
class Checkpoint:
    metadata_prefix: str | None = None
    set_spec: str | None = None
    window_from: str | None = None
    window_until: str | None = None
    resumption_token: str | None = None
    last_response_date: str | None = None
    harvest_mode: str | None = None  # 'full' | 'incremental' while a harvest is unfinished
    harvest_started: str | None = None  # responseDate of that harvest's first response
    harvest_run: int | None = None  # run id the unfinished harvest began in


@dataclass(frozen=True, slots=True)
class Listed:
    """One record of a ListRecords page: a mapped Record, or a tombstone."""

    key: str
    datestamp: str
    record: Record | None  # None: deleted


@dataclass(frozen=True, slots=True)
class PageOutcome:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    deleted: int = 0


def load_checkpoint(conn: Connection, source_id: int) -> Checkpoint | None:
    row = conn.execute(
        select(oai_checkpoints).where(oai_checkpoints.c.source_id == source_id)
    ).mappings().first()
    if row is None:
        return None
    return Checkpoint(**{k: row[k] for k in Checkpoint.__dataclass_fields__})


def save_checkpoint(conn: Connection, source_id: int, cp: Checkpoint, now: datetime) -> None:
    values = {**asdict(cp), "source_id": source_id, "updated_at": now}
    stmt = dialect_insert(conn, oai_checkpoints)
    stmt = stmt.on_conflict_do_update(
        index_elements=["source_id"],
        set_={k: stmt.excluded[k] for k in values if k != "source_id"},
    )
    conn.execute(stmt, values)


def store_page(
    conn: Connection,
    source_id: int,
    items: Sequence[Listed],
    *,
    run_id: int,
    enrich: bool,
    now: datetime,
) -> PageOutcome:
    """Upsert a page's changed records, write its tombstones and note every record
    as listed by `run_id`. The caller commits this with the page's checkpoint."""
    latest = {i.key: i for i in items}
    if not latest:
        return PageOutcome()
    keys = list(latest)
    known = _known_hashes(conn, source_id, keys)
    live = [i for i in latest.values() if i.record is not None]
    shapes = {i.key: json_and_hash(i.record) for i in live if i.record is not None}
    hashes = {key: shape[1] for key, shape in shapes.items()}
    fresh = [i for i in live if known.get(i.key, (None,))[0] != hashes[i.key]]
    dead = [i for i in latest.values() if i.record is None]
    dead_state = _deleted_at(conn, source_id, dead) if dead else {}
    # tombstones never seen before need a row: written in the same load as the fresh
    # records (a load's fixed cost, ~2 ms of SQL a call, is paid once a page)
    unseen = [Record(url="", platform="oai", source_key=i.key)
              for i in dead if i.key not in dead_state]
    loaded = LoadStats()
    if fresh or unseen:
        loaded = upsert_records(conn, source_id,
                                [i.record for i in fresh if i.record] + unseen, now=now,
                                shapes=shapes)
        # the unseen are new rows (absent from publications a moment ago), not the page's
        loaded = replace(loaded, new=loaded.new - len(unseen))
        if fresh:
            _revive(conn, source_id, [i.key for i in fresh])
    newly = [i for i in dead if dead_state.get(i.key) is None]
    _set_deleted(conn, source_id, [(i.key, _when(i.datestamp, now)) for i in newly])
    deleted = len(newly)
    stamp = now if is_postgres(conn) else driver_value(conn, oai_records, "listed_at", now)
    _upsert_oai_records(conn, [
        (source_id, i.key, i.datestamp, hashes.get(i.key),
         (i.record.url or None) if i.record else None,
         _enrich_state(i, known, hashes, enrich), stamp, run_id)
        for i in latest.values()
    ])
    conn.execute(
        update(publications)
        .where(publications.c.source_id == source_id, publications.c.missing_since.is_not(None),
               one_of(conn, publications.c.source_key, keys))
        .values(missing_since=None)
    )
    return PageOutcome(loaded.new, loaded.changed,
                       loaded.unchanged + len(live) - len(fresh), deleted)


def _enrich_state(
    item: Listed, known: dict[str, tuple[str | None, str | None]], hashes: dict[str, str],
    enrich: bool,
) -> str | None:
    if item.record is None or not enrich or not item.record.url:
        return None
    old_hash, old_state = known.get(item.key, (None, None))
    # an unchanged OAI record keeps its enrichment (done, or failed until it changes)
    return old_state if old_hash == hashes[item.key] and old_state else PENDING


def _known_hashes(
    conn: Connection, source_id: int, keys: list[str]
) -> dict[str, tuple[str | None, str | None]]:
    c = oai_records.c
    query = select(c.source_key, c.oai_hash, c.enrich_state).where(
        c.source_id == source_id, one_of(conn, c.source_key, keys))
    return {k: (h, s) for k, h, s in conn.execute(query)}


_OAI_COLUMNS = ("source_id", "source_key", "datestamp", "oai_hash", "landing_url",
                "enrich_state", "listed_at", "listed_run")


def _upsert_oai_records(conn: Connection, rows: list[tuple[Any, ...]]) -> None:
    """Rows in _OAI_COLUMNS order, inserted or updated by (source_id, source_key)."""
    if is_postgres(conn):
        stmt = dialect_insert(conn, oai_records)
        stmt = stmt.on_conflict_do_update(
            index_elements=["source_id", "source_key"],
            set_={k: stmt.excluded[k] for k in _OAI_COLUMNS[2:]},
        )
        conn.execute(stmt, [dict(zip(_OAI_COLUMNS, row, strict=True)) for row in rows])
        return
    # SQLite: multi-row VALUES statements; a Core executemany built the parameters of
    # every row in Python (~10 µs a record, a page's rows every page)
    updates = ", ".join(f"{c} = excluded.{c}" for c in _OAI_COLUMNS[2:])
    sqlite_insert_rows(conn, "oai_records", _OAI_COLUMNS, rows,
                       f" ON CONFLICT (source_id, source_key) DO UPDATE SET {updates}")


def _revive(conn: Connection, source_id: int, keys: list[str]) -> None:
    """Clear deleted_at of the stored records among `keys` (listed live again), in one
    statement."""
    p = publications.c
    conn.execute(update(publications)
                 .where(p.source_id == source_id, p.deleted_at.is_not(None),
                        one_of(conn, p.source_key, keys))
                 .values(deleted_at=None))


def _deleted_at(conn: Connection, source_id: int, dead: list[Listed]
                ) -> dict[str, datetime | None]:  # fmt: skip
    """deleted_at of the stored publications among `dead` (None: stored and live); the
    records never stored are absent. A record already deleted is not counted again."""
    p = publications.c
    keys = [i.key for i in dead]
    return dict(conn.execute(select(p.source_key, p.deleted_at).where(
        p.source_id == source_id, one_of(conn, p.source_key, keys))).all())


def _when(datestamp: str, now: datetime) -> datetime:
    try:
        return parse_stamp(datestamp)
    except DiscoveryError:
        return now


def _set_deleted(
    conn: Connection, source_id: int, marks: list[tuple[str, datetime]]
) -> None:
    """deleted_at of each (key, when): the tombstones."""
    if not marks:
        return
    p = publications.c
    stmt = (
        update(publications)
        .where(p.source_id == source_id, p.source_key == bindparam("b_key"))
        .values(deleted_at=bindparam("b_at"))
    )
    conn.execute(stmt, [{"b_key": k, "b_at": at} for k, at in marks])


def mark_missing(conn: Connection, source_id: int, since_run: int, now: datetime) -> int:
    """After a full harvest: records it did not list get missing_since (kept, not deleted)."""
    p, r = publications.c, oai_records.c
    listed = select(r.source_key).where(r.source_id == source_id, r.listed_run >= since_run)
    result = conn.execute(
        update(publications)
        .where(and_(p.source_id == source_id, p.missing_since.is_(None), p.deleted_at.is_(None),
                    p.source_key.not_in(listed)))
        .values(missing_since=now)
    )
    return int(result.rowcount or 0)
