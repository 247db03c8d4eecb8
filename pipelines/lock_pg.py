"""PostgreSQL's source locks: session-level advisory locks on one dedicated connection,
whose application_name tells others who holds them."""

from __future__ import annotations

import hashlib
import os
import socket
from datetime import UTC

from sqlalchemy import Connection, Engine, text

from .lock_holder import Holder

# classid of our advisory locks ("HARV"), so pg_locks shows which ones are ours
PG_NAMESPACE = 0x48415256
_APP_NAME_MAX = 63  # PostgreSQL truncates application_name (NAMEDATALEN - 1)


def pg_key(name: str) -> int:
    """A stable 31-bit key per source name (Python's hash() changes per process)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big") & 0x7FFFFFFF


class PgLocks:
    """Advisory locks on one dedicated session, held until release or process death."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None
        self._held: list[str] = []
        self._run_id: int | None = None

    def _session(self) -> Connection:
        if self._conn is None:
            self._conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self._label()
        return self._conn

    def _label(self) -> None:
        run = f"run={self._run_id} " if self._run_id is not None else ""
        label = f"harvester {run}pid={os.getpid()} host={socket.gethostname()}"
        assert self._conn is not None
        self._conn.execute(text("select set_config('application_name', :v, false)"),
                           {"v": label[:_APP_NAME_MAX]})

    def try_lock(self, name: str) -> bool:
        got = self._session().execute(
            text("select pg_try_advisory_lock(:ns, :key)"),
            {"ns": PG_NAMESPACE, "key": pg_key(name)},
        ).scalar_one()
        if got:
            self._held.append(name)
        return bool(got)

    def holder(self, name: str) -> Holder:
        row = self._session().execute(
            text(
                "select a.application_name, a.backend_start from pg_locks l "
                "join pg_stat_activity a on a.pid = l.pid "
                "where l.locktype = 'advisory' and l.granted and l.objsubid = 2 "
                "and l.classid = :ns and l.objid = :key and l.database = "
                "(select oid from pg_database where datname = current_database())"
            ),
            {"ns": PG_NAMESPACE, "key": pg_key(name)},
        ).first()
        if row is None:
            return Holder(name)
        fields = dict(p.split("=", 1) for p in str(row[0]).split() if "=" in p)
        run, pid = fields.get("run", ""), fields.get("pid", "")
        since = row[1].astimezone(UTC).isoformat(timespec="seconds") if row[1] else None
        return Holder(name, int(run) if run.isdigit() else None,
                      int(pid) if pid.isdigit() else None, fields.get("host"), since)

    def annotate(self, run_id: int) -> None:
        self._run_id = run_id
        if self._conn is not None:
            self._label()

    def release(self) -> None:
        if self._conn is None:
            return
        try:
            self._conn.execute(text("select pg_advisory_unlock_all()"))
        finally:
            # never hand a session that held locks back to the pool
            self._conn.invalidate()
            self._conn.close()
            self._conn = None
            self._held.clear()
