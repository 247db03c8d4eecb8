"""PostgreSQL: statements sent ahead, so the server works while Python builds the next rows.

Most of a batch is serial: Python builds rows while the backend waits, then the
backend inserts them while Python waits (bench/load.py, 100,000 records: 4.4 s
of client CPU, 5.9 s of backend CPU, 10.4 s of wall time). The statements whose
results the loader never reads (persons and authorships made from the staged
authors) are therefore sent in psycopg's pipeline mode and left running while
the loader goes on with Python work (works assignment computes its match keys
first); they are waited for (`settle`) before the connection is used again:
by any SQLAlchemy statement on it (a `before_cursor_execute` listener), by
pipelines.load_bulk's COPY, and at the end of every batch. So the statements
still run in the order they were issued, in the same transaction, and a
failure among them is raised by the next statement, before anything else is
sent.

Without pipeline support in libpq (older than 14) the statements run at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, suppress
from typing import Any

from sqlalchemy import Connection, event

_KEY = "harvester_load_ahead"  # Connection.info: (pipeline, cursor) while open


def send_ahead(conn: Connection, statements: Sequence[str]) -> None:
    """Send these statements (no parameters, results unread) without waiting for them."""
    import psycopg  # only PostgreSQL gets here

    if _KEY not in conn.info:
        driver: Any = conn.connection.driver_connection
        if not psycopg.Pipeline.is_supported():
            for statement in statements:
                conn.exec_driver_sql(statement)
            return
        if not event.contains(conn, "before_cursor_execute", _before_execute):
            # kept for the Connection's life: removing it while it runs breaks the dispatch
            event.listen(conn, "before_cursor_execute", _before_execute)
        pipeline: AbstractContextManager[Any] = driver.pipeline()
        pipeline.__enter__()
        conn.info[_KEY] = (pipeline, driver.cursor())
    cursor = conn.info[_KEY][1]
    for statement in statements:
        cursor.execute(statement)


def settle(conn: Connection) -> None:
    """Wait for the statements sent ahead; raises the first of their errors, if any."""
    state = conn.info.pop(_KEY, None)
    if state is None:
        return
    pipeline, cursor = state
    try:
        pipeline.__exit__(None, None, None)
    finally:
        cursor.close()


def _before_execute(conn: Connection, *_args: Any) -> None:
    settle(conn)


def then(conn: Connection, statement: str) -> None:
    """Run `statement` after the statements sent ahead: sent ahead too while they are open."""
    if _KEY in conn.info:
        conn.info[_KEY][1].execute(statement)
    else:
        conn.exec_driver_sql(statement)


def abandon(conn: Connection) -> None:
    """Leave pipeline mode after an error elsewhere; the caller's rollback ends the rest."""
    with suppress(Exception):  # the error already on its way out matters more
        settle(conn)
