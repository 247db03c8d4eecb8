"""The cheap page-row write for a re-harvest: a 304 only restamps its row.

A 304 Not Modified carries no body and no new validators, so of its
fetched_pages row only the answer's status, its `checked_at` stamp and the
error columns (cleared) change. One UPDATE per chunk of URLs, with constant
values but the stamp, replaces the general upsert
(`pipelines.state.record_fetches`: fourteen parameters a row, conflict handling
and CASE expressions), which is what re-harvest rows cost most of.

The chunk is stamped with its earliest answer's time, seconds at most before
the others' (a batch is committed every 2 s): an earlier stamp can only make
a sitemap's lastmod spare a page later, never sooner (pipelines/unchanged.py).
The source stays out of the SET list (it would cost a foreign-key check a
row): a row another source holds is not matched, and goes to the upsert. It is
matched as `source_id + 0`, which SQLite cannot look up in an index: on the
bare column it chose the (source_id, source_key) index and walked every page of
the source for each statement, not the URLs' primary key.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, bindparam, update

from .models import fetched_pages
from .state import FetchRow

CHUNK = 1000  # URLs a statement: well under SQLite's and PostgreSQL's parameter limits

_t = fetched_pages
_RESTAMP = (
    update(_t)
    .where(_t.c.url.in_(bindparam("urls", expanding=True)),
           _t.c.source_id + 0 == bindparam("sid"))
    .values(status=304, checked_at=bindparam("at"), error_reason=None, error_message=None,
            attempts=0)
)


def is_recheck(row: FetchRow) -> bool:
    """A 304 without an error: the body (and so the row's hash and archive) is unchanged."""
    return row.status == 304 and row.fetched_at is None and row.error_reason is None


def restamp(conn: Connection, source_id: int, rows: Sequence[FetchRow]) -> list[FetchRow]:
    """Restamp the rows `is_recheck` accepts; returns the rows left for the full upsert:
    the others, and all of them when a URL appears twice (the last answer must win) or
    when some row was not there to update (missing, or another source's: the upsert
    inserts or takes it)."""
    checked = [r for r in rows if is_recheck(r)]
    if not checked or len({r.url for r in rows}) != len(rows):
        return list(rows)
    if not conn.dialect.supports_sane_rowcount:
        return list(rows)
    matched = 0
    for start in range(0, len(checked), CHUNK):
        chunk = checked[start:start + CHUNK]
        result = conn.execute(_RESTAMP, {"urls": [r.url for r in chunk], "sid": source_id,
                                         "at": min(r.checked_at for r in chunk)})
        matched += result.rowcount
    rest = [r for r in rows if not is_recheck(r)]
    if matched != len(checked):
        rest.extend(checked)  # the upsert writes them all again: same values, plus the missing
    return rest
