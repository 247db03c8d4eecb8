"""Which workers are alive, so each takes only its fair share of a host's slots.

A worker holds one connection for its whole life whose `application_name` says
"harvester-worker <group> pid=... host=...", where the group is a short hash of
the sources it works on. PostgreSQL lists live sessions in pg_stat_activity, so the
count of a group's workers needs no table and no cleanup: a worker killed with
SIGKILL drops out as soon as the server sees its connection close.

With `live` workers in its group, a worker holds at most ceil(concurrency / live)
slots of a host: one worker alone takes them all, a second one arriving gets
its share as the first hands back its extra slots at its next round.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import socket
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from .lock_holder import SourceBusy
from .lock_pg import PG_NAMESPACE, PgLocks, pg_key

PREFIX = "harvester-worker"
_APP_NAME_MAX = 63  # PostgreSQL keeps NAMEDATALEN - 1 bytes


def group_of(source_names: Sequence[str]) -> str:
    """Workers on the same sources compete for the same slots: one group."""
    return hashlib.sha256("\n".join(sorted(source_names)).encode()).hexdigest()[:8]


@contextmanager
def presence(engine: Engine, group: str, sources: Sequence[str] = ()) -> Iterator[None]:
    """Be counted among the group's live workers while inside, holding a SHARED lock on
    each source: workers run side by side, but not beside a `harvester harvest` of the
    same source (which takes it exclusively, pipelines/lock_pg.py). SourceBusy when
    such a harvest holds one."""
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        # pid= and host= as the harvest's locks say them, so its "busy" message names us
        name = f"{PREFIX} {group} pid={os.getpid()} host={socket.gethostname()}"
        conn.execute(text("SELECT set_config('application_name', :name, false)"),
                     {"name": name[:_APP_NAME_MAX]})
        for source in sorted(sources):
            if not conn.execute(text("SELECT pg_try_advisory_lock_shared(:ns, :key)"),
                                {"ns": PG_NAMESPACE, "key": pg_key(source)}).scalar_one():
                raise SourceBusy(_holder(engine, source) + "; start workers once it ends")
        yield
    finally:
        # said out loud, because a closed session leaves pg_stat_activity (and drops its
        # locks) only once its backend has exited, a moment later
        with contextlib.suppress(SQLAlchemyError):
            conn.execute(text("SELECT pg_advisory_unlock_all(), "
                              "set_config('application_name', '', false)"))
        conn.invalidate()  # never back to the pool
        conn.close()


def _holder(engine: Engine, source: str) -> str:
    locks = PgLocks(engine)
    try:
        return locks.holder(source).describe()
    finally:
        locks.release()


def live_workers(conn: Connection, group: str) -> int:
    """The group's workers with a session open on this database (this one included)."""
    return int(conn.execute(text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND application_name LIKE :pattern"),
        {"pattern": f"{PREFIX} {group} %"}).scalar_one())


def fair_share(concurrency: int, live: int) -> int:
    """Slots of a host one worker may hold: all of them alone, at least one always."""
    return max(1, math.ceil(concurrency / max(1, live)))
