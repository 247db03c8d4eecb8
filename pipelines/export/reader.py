"""Stream publications out of the database for export, in flat memory.

The selection is made on `v_publications` (the documented view), so `--where`
speaks the same column names as docs/sql.md; the record itself comes from
`publications.record_json`. Rows are fetched in batches through a server-side
cursor on PostgreSQL (`stream_results`), and SQLite steps its cursor lazily,
so memory does not grow with the number of records.

A user filter is plain SQL. It runs in a read-only transaction (SQLite
`PRAGMA query_only`, PostgreSQL `SET TRANSACTION READ ONLY`) so it cannot
change data; it is a guard against mistakes, not a sandbox for strangers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.exc import SQLAlchemyError

from harvester.errors import DatabaseError

from ..models import UTCDateTime
from ._fields import ExportRow

BATCH = 1000


class FilterError(DatabaseError):
    """A --where filter that is refused or that the database cannot run (exit 2)."""


@dataclass(frozen=True, slots=True)
class Selection:
    """Which publications to export; every part is optional."""

    source: str | None = None
    since: datetime | None = None
    """Records whose last_changed is at or after this UTC-aware instant."""
    where: str | None = None
    """An SQL boolean expression on v_publications columns."""
    include_deleted: bool = False
    """Also export records the repository has withdrawn (deleted_at set)."""


def check_filter(where: str) -> str:
    """The filter, stripped; refuses statement separators and empty text."""
    cleaned = where.strip()
    if not cleaned:
        raise FilterError("--where is empty", field="where")
    if ";" in cleaned:
        raise FilterError("--where may not contain ';' (one expression only)", field="where")
    return cleaned


def _query(selection: Selection) -> tuple[str, dict[str, Any]]:
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if not selection.include_deleted:
        clauses.append("v.deleted_at IS NULL")
    if selection.source is not None:
        clauses.append("v.source = :source")
        params["source"] = selection.source
    if selection.since is not None:
        clauses.append("v.last_changed >= :since")
        params["since"] = selection.since
    if selection.where is not None:
        # a sub-select over the view alone keeps unqualified column names unambiguous
        clauses.append(
            f"v.id IN (SELECT id FROM v_publications WHERE ({check_filter(selection.where)}))"
        )
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    sql = (
        "SELECT v.id, v.source, p.record_json FROM v_publications v "
        f"JOIN publications p ON p.id = v.id {where} ORDER BY v.id"
    )
    return sql, params


@contextmanager
def read_only(conn: Connection) -> Iterator[None]:
    """One read-only transaction on `conn` (which must not be in a transaction yet)."""
    sqlite = conn.dialect.name == "sqlite"
    with conn.begin():
        if sqlite:
            conn.exec_driver_sql("PRAGMA query_only = ON")
        else:
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        try:
            yield
        finally:
            if sqlite:  # the pooled connection must not stay read-only
                conn.exec_driver_sql("PRAGMA query_only = OFF")


def read_rows(conn: Connection, selection: Selection, *, batch: int = BATCH) -> Iterator[ExportRow]:
    """Yield the selected publications in id order, `batch` rows per round trip."""
    sql, params = _query(selection)
    stmt = text(sql)
    if "since" in params:  # stored as naive UTC on SQLite: let the column type convert
        stmt = stmt.bindparams(bindparam("since", type_=UTCDateTime))
    with read_only(conn):
        try:
            result = conn.execution_options(stream_results=True, yield_per=batch).execute(
                stmt, params
            )
            for pid, source, blob in result:
                yield ExportRow(int(pid), str(source), json.loads(blob))
        except SQLAlchemyError as exc:
            detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            raise FilterError(f"export query failed: {detail[0] if detail else exc}") from exc
