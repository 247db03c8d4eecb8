"""What we know about each fetched page, and the record of every harvest run.

`fetched_pages` carries the validators for conditional GET (ETag,
Last-Modified), the body hash, and `checked_at`, the "still there" stamp that
spares unchanged publications any write. Runs are written when they start
and again when they finish, so a crashed run stays visible as 'running'.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, is_dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, insert, select, update

from .db import dialect_insert
from .models import fetched_pages, harvest_run_sources, harvest_runs, publications, sources
from .state_rows import json_rows
from .state_sqlite import upsert_fetches

RUN_STATUSES = ("running", "ok", "partial", "failed", "stopped")  # stopped: SIGINT/SIGTERM
_URLS_PER_QUERY = 5000
_COUNTERS = ("fetched", "not_modified", "unchanged", "new", "changed", "failed")


@dataclass(frozen=True, slots=True)
class PageState:
    url: str
    etag: str | None
    last_modified: str | None
    sha256: str | None
    source_key: str | None
    status: int | None
    # the last answer's time and error: whether a sitemap's lastmod may spare a request
    checked_at: datetime | None = None
    error_reason: str | None = None


@dataclass(frozen=True, slots=True)
class FetchRow:
    """The outcome of one fetch; `fetched_at` None means no new body (304, error)."""

    url: str
    status: int | None
    etag: str | None
    last_modified: str | None
    sha256: str | None
    fetched_at: datetime | None
    checked_at: datetime
    source_key: str | None
    error_reason: str | None = None
    error_message: str | None = None
    warc_file: str | None = None  # where the new body was archived (None: not archived)
    warc_offset: int | None = None


def get_page_states(conn: Connection, urls: Sequence[str]) -> dict[str, PageState]:
    """Known state of these URLs (absent URLs are left out)."""
    t = fetched_pages
    cols = (t.c.url, t.c.etag, t.c.last_modified, t.c.sha256, t.c.source_key, t.c.status,
            t.c.checked_at, t.c.error_reason)
    states: dict[str, PageState] = {}
    for chunk in _chunks(list(dict.fromkeys(urls)), _URLS_PER_QUERY):
        rows = json_rows(conn, cols, t.c.url, chunk)  # SQLite: one step, not one a row
        for row in conn.execute(select(*cols).where(t.c.url.in_(chunk))) if rows is None else rows:
            states[row[0]] = PageState(*row)
    return states


def record_fetches(conn: Connection, source_id: int, rows: Sequence[FetchRow]) -> None:
    """Upsert one row per URL; `attempts` counts consecutive failures for the same reason
    (another reason starts again at 1, so it also counts consecutive 404/410 answers)."""
    latest = {r.url: r for r in rows}
    if not latest:
        return
    if conn.dialect.name == "sqlite":
        # the same upsert written out: SQLAlchemy's parameter handling cost ~2/3 of it
        upsert_fetches(conn, source_id, list(latest.values()), _sqlite_tail(conn))
        return
    # by hand, not dataclasses.asdict: its deep copy cost more than the insert itself
    params = [
        {"url": r.url, "status": r.status, "etag": r.etag, "last_modified": r.last_modified,
         "sha256": r.sha256, "fetched_at": r.fetched_at, "checked_at": r.checked_at,
         "source_key": r.source_key, "error_reason": r.error_reason,
         "error_message": r.error_message, "warc_file": r.warc_file,
         "warc_offset": r.warc_offset, "source_id": source_id,
         "attempts": 1 if r.error_reason else 0}
        for r in latest.values()
    ]
    conn.execute(fetches_upsert(conn), params)


_SQLITE_TAIL: list[str] = []


def _sqlite_tail(conn: Connection) -> str:
    """`fetches_upsert`'s ON CONFLICT clause as SQLite's compiler writes it, compiled once
    (its few numbers inline, so the rows' parameters are the only ones)."""
    if not _SQLITE_TAIL:
        sql = str(fetches_upsert(conn).compile(dialect=conn.dialect,
                                               compile_kwargs={"literal_binds": True}))
        _SQLITE_TAIL.append(sql[sql.index(" ON CONFLICT "):])
    return _SQLITE_TAIL[0]


def fetches_upsert(conn: Connection) -> Any:
    """fetched_pages' upsert as a SQLAlchemy statement (on SQLite, its ON CONFLICT clause
    goes with state_sqlite.py's multi-row INSERT)."""
    stmt = dialect_insert(conn, fetched_pages)
    new = stmt.excluded
    t = fetched_pages
    return stmt.on_conflict_do_update(
        index_elements=["url"],
        set_={
            "source_id": new.source_id,
            "status": new.status,
            "etag": new.etag,
            "last_modified": new.last_modified,
            "sha256": new.sha256,
            "fetched_at": func.coalesce(new.fetched_at, t.c.fetched_at),
            "checked_at": new.checked_at,
            "source_key": new.source_key,
            "error_reason": new.error_reason,
            "error_message": new.error_message,
            "attempts": case((new.error_reason.is_(None), 0),
                             (t.c.error_reason == new.error_reason, t.c.attempts + 1),
                             else_=1),
            # a new body replaces the archive location; an answer without one keeps it
            "warc_file": case((new.fetched_at.is_(None), t.c.warc_file), else_=new.warc_file),
            "warc_offset": case((new.fetched_at.is_(None), t.c.warc_offset),
                                else_=new.warc_offset),
        },
    )


def confirm_gone(conn: Connection, source_id: int, urls: Sequence[str], gone_after: int,
                 at: datetime) -> int:
    """Mark deleted the records of these pages (just recorded as 404/410) once they answered
    so `gone_after` times in a row; the data stays. A record another of its pages still
    serves is kept. Returns how many records became deleted."""
    t, p = fetched_pages.c, publications.c
    keys: set[str] = set()
    for chunk in _chunks(list(dict.fromkeys(urls)), _URLS_PER_QUERY):
        keys.update(conn.execute(select(t.source_key).where(
            t.url.in_(chunk), t.source_key.is_not(None), t.error_reason == "gone",
            t.attempts >= gone_after)).scalars())
    if not keys:
        return 0
    served = set(conn.execute(select(t.source_key).where(
        t.source_id == source_id, t.source_key.in_(sorted(keys)),
        t.error_reason.is_(None))).scalars())
    dead = sorted(keys - served)
    if not dead:
        return 0
    result = conn.execute(update(publications).where(
        p.source_id == source_id, p.source_key.in_(dead), p.deleted_at.is_(None)
    ).values(deleted_at=at))
    return int(result.rowcount or 0)


def revive(conn: Connection, source_id: int, keys: Sequence[str]) -> None:
    """Records whose page answered again are live again (the loader never touches
    deleted_at, and an unchanged record is not rewritten at all)."""
    p = publications.c
    for chunk in _chunks(sorted(set(keys)), _URLS_PER_QUERY):
        conn.execute(update(publications).where(
            p.source_id == source_id, p.source_key.in_(chunk), p.deleted_at.is_not(None)
        ).values(deleted_at=None))


def start_run(conn: Connection, source_names: Sequence[str], now: datetime) -> int:
    stmt = insert(harvest_runs).returning(harvest_runs.c.id)
    values = {"started_at": now, "status": "running", "sources_json": _dumps(list(source_names))}
    return int(conn.execute(stmt, values).scalar_one())


def finish_run(
    conn: Connection,
    run_id: int,
    status: str,
    stats: Mapping[str, Any],
    now: datetime,
) -> None:
    """Close a run: 'ok', 'partial', 'failed' or 'stopped'; stats maps source -> counters."""
    if status not in RUN_STATUSES[1:]:
        raise ValueError(f"a finished run is ok, partial or failed (or stopped), not {status!r}")
    conn.execute(
        harvest_runs.update()
        .where(harvest_runs.c.id == run_id)
        .values(finished_at=now, status=status, stats_json=_dumps(dict(stats)))
    )


def record_run_source(
    conn: Connection, run_id: int, source_id: int, stats: Mapping[str, Any]
) -> None:
    """Store one source's counters for a run (again: the last call wins)."""
    values: dict[str, Any] = {k: int(stats.get(k) or 0) for k in _COUNTERS}
    values.update(
        run_id=run_id,
        source_id=source_id,
        failures_json=_dumps(stats.get("failures") or {}),
        seconds=float(stats.get("seconds") or 0.0),
    )
    stmt = dialect_insert(conn, harvest_run_sources)
    stmt = stmt.on_conflict_do_update(
        index_elements=["run_id", "source_id"],
        set_={k: stmt.excluded[k] for k in (*_COUNTERS, "failures_json", "seconds")},
    )
    conn.execute(stmt, values)


def recent_runs(conn: Connection, limit: int = 10) -> list[dict[str, Any]]:
    """Newest runs first, each with its parsed stats and per-source rows."""
    r = harvest_runs
    newest = select(r).order_by(r.c.started_at.desc(), r.c.id.desc()).limit(limit)
    runs = [
        {
            "id": row.id,
            "started_at": row.started_at,
            "finished_at": row.finished_at,
            "status": row.status,
            "sources": json.loads(row.sources_json),
            "stats": json.loads(row.stats_json) if row.stats_json else None,
            "per_source": [],
        }
        for row in conn.execute(newest)
    ]
    by_id = {run["id"]: run for run in runs}
    if by_id:
        s, rs = sources, harvest_run_sources
        query = (
            select(rs, s.c.name)
            .join(s, s.c.id == rs.c.source_id)
            .where(rs.c.run_id.in_(list(by_id)))
            .order_by(rs.c.run_id, s.c.name)
        )
        for row in conn.execute(query).mappings():
            entry = {k: row[k] for k in ("name", *_COUNTERS, "seconds")}
            entry["failures"] = json.loads(row["failures_json"])
            by_id[row["run_id"]]["per_source"].append(entry)
    return runs


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_json_default)


def _json_default(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
