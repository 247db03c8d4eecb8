"""The cheap page-row write for a re-harvest: a 304 only restamps its row.

A 304 Not Modified carries no body and no new validators, so of its
fetched_pages row only the answer's status, its `checked_at` stamp, the
source and the error columns (cleared) change. One plain UPDATE per URL
(executemany, four parameters) replaces the general upsert
(`pipelines.state.record_fetches`: fourteen parameters, conflict handling and
CASE expressions), which is what re-harvest rows cost most of.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, bindparam, update

from .models import fetched_pages
from .state import FetchRow


def is_recheck(row: FetchRow) -> bool:
    """A 304 without an error: the body (and so the row's hash and archive) is unchanged."""
    return row.status == 304 and row.fetched_at is None and row.error_reason is None


def restamp(conn: Connection, source_id: int, rows: Sequence[FetchRow]) -> list[FetchRow]:
    """Restamp the rows `is_recheck` accepts; returns the rows left for the full upsert:
    the others, and all of them when a URL appears twice (the last answer must win) or
    when some row was not there to update (it is inserted by the upsert)."""
    checked = [r for r in rows if is_recheck(r)]
    if not checked or len({r.url for r in rows}) != len(rows):
        return list(rows)
    if not conn.dialect.supports_sane_multi_rowcount:
        return list(rows)
    t = fetched_pages
    stmt = update(t).where(t.c.url == bindparam("u")).values(
        source_id=source_id, status=bindparam("s"), checked_at=bindparam("at"),
        error_reason=None, error_message=None, attempts=0)
    result = conn.execute(stmt, [{"u": r.url, "s": r.status, "at": r.checked_at}
                                 for r in checked])
    rest = [r for r in rows if not is_recheck(r)]
    if result.rowcount != len(checked):
        rest.extend(checked)  # the upsert writes them all again: same values, plus the missing
    return rest
