"""SQLite's source locks: one flock()ed file per source, holding who holds it as JSON."""

from __future__ import annotations

import fcntl
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path

from .lock_holder import Holder


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
