"""Which workers are alive, so each takes only its fair share of a host's slots.

A worker holds one connection for its whole life whose `application_name` says
"harvester-worker <group> <owner>", where the group is a short hash of the
sources it works on. PostgreSQL lists live sessions in pg_stat_activity, so the
count of a group's workers needs no table and no cleanup: a worker killed with
SIGKILL drops out as soon as the server sees its connection close.

With `live` workers in its group, a worker holds at most ceil(concurrency / live)
slots of a host: one worker alone takes them all, a second one arriving gets
its share as the first hands back its extra slots at its next round.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

PREFIX = "harvester-worker"
_APP_NAME_MAX = 63  # PostgreSQL keeps NAMEDATALEN - 1 bytes


def group_of(source_names: Sequence[str]) -> str:
    """Workers on the same sources compete for the same slots: one group."""
    return hashlib.sha256("\n".join(sorted(source_names)).encode()).hexdigest()[:8]


@contextmanager
def presence(engine: Engine, group: str, owner: str) -> Iterator[None]:
    """Be counted among the group's live workers while inside."""
    conn = engine.connect()
    try:
        conn.execute(text("SELECT set_config('application_name', :name, false)"),
                     {"name": f"{PREFIX} {group} {owner}"[:_APP_NAME_MAX]})
        conn.commit()
        yield
    finally:
        conn.invalidate()  # not back to the pool still wearing the name
        conn.close()


def live_workers(conn: Connection, group: str) -> int:
    """The group's workers with a session open on this database (this one included)."""
    return int(conn.execute(text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND application_name LIKE :pattern"),
        {"pattern": f"{PREFIX} {group} %"}).scalar_one())


def fair_share(concurrency: int, live: int) -> int:
    """Slots of a host one worker may hold: all of them alone, at least one always."""
    return max(1, math.ceil(concurrency / max(1, live)))
