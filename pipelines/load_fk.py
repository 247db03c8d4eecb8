"""PostgreSQL: no foreign-key triggers for child rows whose parents this transaction holds.

A foreign key on PostgreSQL is a row trigger that runs `SELECT 1 FROM parent
WHERE id = $1 FOR KEY SHARE` for every inserted child row. For the loader's
child rows that check cannot fail: their publication was inserted by this
very transaction (invisible to everyone else) or updated by it (row-locked
until commit), and their person was found by the join that wrote the row.
Yet the checks cost more than the rest of the child inserts together
(bench/README.md: COPY of 50,000 records' children took 4.7 s with the
triggers, 1.2 s without). The same holds for the publications rows
themselves (their source and venues were just read or made, and harvester
never deletes either) and for work_members (pipelines.works_write).

`session_replication_role = replica` turns row triggers, the foreign-key ones
included, off. It is set with SET LOCAL (so it can never outlive the
transaction, even one that fails) only around those inserts, and put back
right after them. It needs superuser rights or, on PostgreSQL 15 and later,
`GRANT SET ON PARAMETER session_replication_role`; without them the checks run
as usual. The search queue's mark triggers on publications are ENABLE ALWAYS
(revision 0009), so they still fire: a revision adding a trigger on a table
written in this window must do the same or keep it out of the window. SQLite
is left alone: its foreign-key checks are cheap index probes, and
`PRAGMA foreign_keys` cannot change inside a transaction.

One assumption is written down here rather than enforced: sources, venues,
persons and publications are never deleted while a load runs (harvester
deletes none of them; publications get a deleted_at tombstone).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from .load_ahead import then
from .load_bulk import is_postgres

_ALLOWED = "harvester_fk_skip_allowed"  # cached per DBAPI connection in Connection.info
_SUPERUSER = "SELECT current_setting('is_superuser') = 'on'"
_MAY_SET = f"{_SUPERUSER} OR has_parameter_privilege('session_replication_role', 'SET')"


def may_skip_fk_checks(conn: Connection) -> bool:
    """Whether this PostgreSQL role may switch the triggers off (asked once per connection)."""
    if not is_postgres(conn):
        return False
    info = conn.info
    if _ALLOWED not in info:
        version = conn.dialect.server_version_info or (0,)
        # has_parameter_privilege and GRANT SET ON PARAMETER came with PostgreSQL 15
        query = _MAY_SET if version >= (15,) else _SUPERUSER
        info[_ALLOWED] = bool(conn.exec_driver_sql(query).scalar_one())
    return bool(info[_ALLOWED])


@contextmanager
def children_of_own_rows(conn: Connection) -> Iterator[None]:
    """Inserts in this block skip PostgreSQL's row triggers when the role allows it.

    Only for rows whose parents the current transaction inserted or locked. The
    setting in force before is put back after the block; on an error that is left
    to the transaction's rollback, which ends a SET LOCAL.
    """
    if not may_skip_fk_checks(conn):
        yield
        return
    before = conn.exec_driver_sql("SHOW session_replication_role").scalar_one()
    if before not in ("origin", "local"):  # already replica: nothing to switch
        yield
        return
    conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    yield
    # after statements still running ahead (pipelines.load_ahead), which it must cover
    then(conn, f"SET LOCAL session_replication_role = {before}")
