"""One harvest per source at a time: locks that die with the process holding them.

A second `harvester harvest` of a source that is being harvested stops at once
with a message naming the holder (or waits, with `--wait`). The locks are the
operating system's and the database server's own, so a holder killed with
SIGKILL frees them without anyone cleaning up:

- PostgreSQL: a session-level advisory lock per source, taken on a dedicated
  connection held for the run; the server drops it when that session ends.
  The connection's application_name tells others who holds it.
- SQLite: `flock` on one file per source in `<database>.locks/`; the kernel
  drops it when the holding process's file descriptor closes. The file holds
  who holds it, as JSON.

An in-memory SQLite database is private to its process and needs no lock.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import Engine

from .lock_file import FileLocks
from .lock_holder import Holder, Locks, NoLocks, SourceBusy
from .lock_pg import PG_NAMESPACE, PgLocks, pg_key

__all__ = [
    "PG_NAMESPACE",
    "FileLocks",
    "Holder",
    "Locks",
    "NoLocks",
    "PgLocks",
    "SourceBusy",
    "hold_sources",
    "locks_for",
    "pg_key",
]


def locks_for(engine: Engine) -> Locks:
    url = engine.url
    if url.get_backend_name() == "postgresql":
        return PgLocks(engine)
    database = url.database
    if url.get_backend_name() == "sqlite" and database and database != ":memory:" and (
            not database.startswith("file:")):
        path = Path(database).expanduser().resolve()
        return FileLocks(path.with_name(path.name + ".locks"))
    return NoLocks()


@asynccontextmanager
async def hold_sources(
    engine: Engine,
    names: Iterable[str],
    *,
    wait: bool = False,
    on_wait: Callable[[str], None] | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    poll: float = 1.0,
) -> AsyncIterator[Locks]:
    """Lock every named source (in name order, so two waiters cannot deadlock).

    Without `wait`, a source locked elsewhere raises SourceBusy at once; with it,
    `on_wait` hears once per source whom we wait for, and we poll every `poll` s.
    """
    locks = locks_for(engine)
    try:
        for name in sorted(set(names)):
            told = False
            while not locks.try_lock(name):
                holder = locks.holder(name)
                if not wait:
                    raise SourceBusy(f"{holder.describe()}; use --wait to wait")
                if on_wait is not None and not told:
                    on_wait(f"{holder.describe()}; waiting")
                    told = True
                await sleep(poll)
        yield locks
    finally:
        locks.release()
