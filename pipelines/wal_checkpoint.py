"""SQLite: the write-ahead log is checkpointed by a thread of its own, not by the writer.

In WAL mode SQLite copies the log back into the database file (a checkpoint) at the
first commit after the log passes 1,000 pages, inside that commit: for the loader
about 55 ms a 5,000-record batch, ~11 µs a record, on the thread that would
otherwise be building the next batch. Here every engine on a SQLite file gets a
daemon thread with its own connection that runs `PRAGMA wal_checkpoint(PASSIVE)`
when the log has passed the same size (sqlite3 lets go of the GIL while SQLite
works, so on a second core the copy costs the writer nothing). A passive
checkpoint never waits for the writer or readers: it copies what it can and the
next one goes on. The engine's own connections keep an automatic checkpoint, at
a larger size, in case this thread falls behind or is gone.

The thread looks at the log's size every POLL seconds (a stat), and ends when its
engine is disposed or garbage-collected.

At interpreter exit every such engine still alive is disposed: SQLite copies the
log back and deletes the `-wal` file only when the file's last connection closes,
and a process that ends with its pool's connections open (the CLI freezes its
start-up objects out of the collector's sight, so nothing finalises them) leaves
a `-wal` holding the run's last commits beside the database file, which a user
copying the database would not think to take.
"""

from __future__ import annotations

import atexit
import logging
import sqlite3
import threading
import weakref
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)

PAGE = 4096  # SQLite's default page size, which the harvester's databases keep
THRESHOLD_PAGES = 1000  # SQLite's own automatic checkpoint size
FALLBACK_PAGES = 16 * THRESHOLD_PAGES  # the writers' own wal_autocheckpoint
POLL = 0.02
_BUSY = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


class Checkpointer:
    """One thread checkpointing the WAL of one SQLite file."""

    def __init__(self, database: Path, threshold_bytes: int = THRESHOLD_PAGES * PAGE) -> None:
        self.database = database
        self.wal = database.with_name(database.name + "-wal")
        self.threshold = threshold_bytes
        self.stopped = threading.Event()
        self.checkpoints = 0
        self._conn: sqlite3.Connection | None = None
        self._thread = threading.Thread(target=self._run, name=f"wal-checkpoint {database}",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopped.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(5)

    def _wal_bytes(self) -> int:
        try:
            return self.wal.stat().st_size
        except OSError:
            return 0

    def run_once(self) -> bool:
        """Checkpoint when the log has passed the threshold; True when one ran."""
        if self._wal_bytes() < self.threshold:
            return False
        if self._conn is None:
            # mode=rw: a file moved or deleted meanwhile is not made anew, empty
            self._conn = sqlite3.connect(f"file:{quote(str(self.database))}?mode=rw", uri=True,
                                         timeout=0, check_same_thread=False,
                                         isolation_level=None)
        self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        self.checkpoints += 1
        return True

    def _run(self) -> None:
        try:
            while not self.stopped.wait(POLL):
                try:
                    self.run_once()
                except sqlite3.OperationalError as exc:
                    # another connection's checkpoint holds the lock: try again later
                    if exc.sqlite_errorcode not in _BUSY:
                        raise
        except sqlite3.Error as exc:  # the writers' automatic checkpoint takes over
            log.debug("background checkpoint of %s stopped: %s", self.database, exc)
        finally:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


_LIVE: weakref.WeakSet[Engine] = weakref.WeakSet()


@atexit.register
def _close_at_exit() -> None:
    for engine in list(_LIVE):
        engine.dispose()


def checkpoint_in_background(engine: Engine, database: Path) -> Checkpointer:
    """Start `engine`'s checkpointer; it stops at engine.dispose() or when the engine goes.
    The engine is disposed at interpreter exit if it is still alive then."""
    checkpointer = Checkpointer(database)
    _LIVE.add(engine)
    event.listen(engine, "engine_disposed", lambda _engine: checkpointer.stop())
    weakref.finalize(engine, checkpointer.stopped.set)
    checkpointer.start()
    return checkpointer
