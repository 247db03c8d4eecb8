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
import fcntl
import hashlib
import json
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, Engine, text

from harvester.errors import HarvestError

# classid of our advisory locks ("HARV"), so pg_locks shows which ones are ours
PG_NAMESPACE = 0x48415256
_APP_NAME_MAX = 63  # PostgreSQL truncates application_name (NAMEDATALEN - 1)


class SourceBusy(HarvestError):
    """Another process is harvesting the source; the CLI exits 1 with this message."""

    reason = "busy"


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a source's lock, as far as the lock tells (any part may be unknown)."""

    source: str
    run_id: int | None = None
    pid: int | None = None
    host: str | None = None
    since: str | None = None

    def describe(self) -> str:
        who = f"run {self.run_id}" if self.run_id is not None else "another run"
        where = [f"pid {self.pid}"] if self.pid else []
        where += [f"on host {self.host}"] if self.host else []
        out = f"source {self.source} is being harvested by {who}"
        out += f" ({' '.join(where)})" if where else ""
        return out + (f" since {self.since}" if self.since else "")


class _Locks(Protocol):
    def try_lock(self, name: str) -> bool: ...
    def holder(self, name: str) -> Holder: ...
    def annotate(self, run_id: int) -> None: ...
    def release(self) -> None: ...


def _now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class FileLocks:
    """flock()ed files, one per source, in a directory next to the SQLite database."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._fds: dict[str, int] = {}
        self._info: dict[str, dict[str, object]] = {}

    def try_lock(self, name: str) -> bool:
        self.directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.directory / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fds[name] = fd
        self._info[name] = {"pid": os.getpid(), "host": socket.gethostname(),
                            "since": _now_text(), "run_id": None}
        self._write(name)
        return True

    def _write(self, name: str) -> None:
        data = json.dumps(self._info[name]).encode()
        fd = self._fds[name]
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)

    def holder(self, name: str) -> Holder:
        try:
            info = json.loads((self.directory / f"{name}.lock").read_text() or "{}")
        except (OSError, ValueError):
            info = {}  # the holder has not written it yet
        return Holder(name, info.get("run_id"), info.get("pid"), info.get("host"),
                      info.get("since"))

    def annotate(self, run_id: int) -> None:
        for name in self._fds:
            self._info[name]["run_id"] = run_id
            self._write(name)

    def release(self) -> None:
        # The files stay: unlinking a lock file races with a process about to flock it.
        for fd in self._fds.values():
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        self._fds.clear()


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


class NoLocks:
    def try_lock(self, name: str) -> bool:
        return True

    def holder(self, name: str) -> Holder:
        return Holder(name)

    def annotate(self, run_id: int) -> None:
        pass

    def release(self) -> None:
        pass


def locks_for(engine: Engine) -> _Locks:
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
) -> AsyncIterator[_Locks]:
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
