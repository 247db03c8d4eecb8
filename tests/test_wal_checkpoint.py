"""SQLite's write-ahead log is checkpointed by a thread of the engine's, not by the
writer's commits; the log stops growing once copied back; the thread ends with its
engine."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from pipelines import wal_checkpoint
from pipelines.db import make_engine
from pipelines.wal_checkpoint import FALLBACK_PAGES, Checkpointer

ROW = "x" * 4000


def _writer(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")  # only the checkpointer copies back
    conn.execute("CREATE TABLE IF NOT EXISTS t (v TEXT)")
    return conn


def _write(conn: sqlite3.Connection, rows: int) -> None:
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO t VALUES (?)", [(ROW,)] * rows)
    conn.execute("COMMIT")


def _wal(path: Path) -> int:
    return path.with_name(path.name + "-wal").stat().st_size


def test_a_log_past_the_threshold_is_copied_back_and_then_reused(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    writer = _writer(path)  # open: the last connection to close would checkpoint itself
    checkpointer = Checkpointer(path, threshold_bytes=1 << 20)
    _write(writer, 100)  # ~0.4 MB
    assert not checkpointer.run_once()
    _write(writer, 400)
    grown = _wal(path)
    assert grown > 1 << 20 and path.stat().st_size < 1 << 20  # all of it in the log
    assert checkpointer.run_once() and checkpointer.checkpoints == 1
    assert path.stat().st_size > 1 << 20  # copied back into the database file
    _write(writer, 400)  # the next writes start the log over instead of growing it
    assert _wal(path) <= grown
    writer.close()
    assert sqlite3.connect(path).execute("SELECT count(*) FROM t").fetchone() == (900,)


def _threads(path: Path) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == f"wal-checkpoint {path}"]


def test_engines_on_a_file_checkpoint_in_a_thread_that_ends_with_dispose(tmp_path: Path
                                                                         ) -> None:
    path = tmp_path / "harvest.db"
    engine = make_engine(f"sqlite:///{path}")
    (thread,) = _threads(path)
    with engine.connect() as conn:
        fallback = conn.execute(text("PRAGMA wal_autocheckpoint")).scalar_one()
    assert fallback == FALLBACK_PAGES
    engine.dispose()
    thread.join(5)
    assert not thread.is_alive()


def test_a_memory_database_has_no_checkpointer() -> None:
    before = {t.name for t in threading.enumerate()}
    engine = make_engine("sqlite://")
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert {t.name for t in threading.enumerate()} - before == set()
    engine.dispose()


def _failing(code: int) -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError("database is locked" if code == 5 else "disk I/O error")
    exc.sqlite_errorcode = code
    return exc


def test_a_busy_checkpoint_is_tried_again_and_another_error_ends_the_thread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wal_checkpoint, "POLL", 0)
    for first, calls_expected in ((_failing(sqlite3.SQLITE_BUSY), 2),
                                  (_failing(sqlite3.SQLITE_IOERR), 1)):
        checkpointer = Checkpointer(tmp_path / "h.db")
        calls: list[int] = []

        def run_once(first: Exception = first, checkpointer: Checkpointer = checkpointer,
                     calls: list[int] = calls) -> bool:
            calls.append(1)
            if len(calls) == 1:
                raise first
            checkpointer.stopped.set()
            return True

        monkeypatch.setattr(checkpointer, "run_once", run_once)
        checkpointer._run()  # the thread's body, here
        assert len(calls) == calls_expected


def test_a_process_ending_with_its_engine_open_leaves_no_log_beside_the_file(
        tmp_path: Path) -> None:
    # as the CLI ends: sys.exit with the pool's connections open, its objects frozen
    path = tmp_path / "h.db"
    script = (
        "import gc, sys\n"
        "from sqlalchemy import text\n"
        "from pipelines.db import make_engine\n"
        f"engine = make_engine({f'sqlite:///{path}'!r})\n"
        "with engine.begin() as conn:\n"
        "    conn.execute(text('CREATE TABLE t (v TEXT)'))\n"
        "    conn.execute(text('INSERT INTO t VALUES (:v)'), [{'v': 'x' * 4000}] * 50)\n"
        "gc.freeze()\n"
        "sys.exit(0)\n")
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
    assert not path.with_name("h.db-wal").exists()
    with sqlite3.connect(path) as conn:  # every row is in the database file itself
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (50,)
