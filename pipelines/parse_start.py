"""Spawning the parse workers, possibly before the run asks for them.

A spawned worker spends a few tenths of a second importing before it answers; a
run used to start its workers when the first page came back to be parsed, and
parsed pages inline meanwhile (~70 of a 500-page harvest, 2 ms each on the event
loop). `harvester harvest` calls prestart() as soon as its config is read (not for
a re-harvest, pipelines/rerun.py), so the workers import on the other core while the
main process imports, opens the database and reads the sitemap; the run's pool then
takes them (take()) instead of spawning its own.

Workers nobody took are stopped by release(): the CLI calls it when the harvest
ends, however it ends. A worker that has not answered yet holds no task, so it
is terminated rather than waited for.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress

__all__ = ["Spawned", "WorkerProcess", "prestart", "prestarted", "release", "spawn", "stop", "take"]

_SOCKET_BUFFER = 4 << 20  # capped by net.core.wmem_max

Spawned = tuple["WorkerProcess", socket.socket]  # a worker and the parent's end of its socket

_early: list[Spawned] = []


class WorkerProcess:
    """A worker process as the channel uses it (multiprocessing.Process's names)."""

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        self._popen = popen
        self.pid = popen.pid

    @property
    def exitcode(self) -> int | None:
        """None while it runs; minus the signal's number when one ended it."""
        return self._popen.poll()

    def is_alive(self) -> bool:
        return self._popen.poll() is None

    def join(self, timeout: float | None = None) -> None:
        with suppress(subprocess.TimeoutExpired):
            self._popen.wait(timeout)

    def terminate(self) -> None:
        self._popen.terminate()

    def kill(self) -> None:
        self._popen.kill()


def spawn(workers: int) -> list[Spawned]:
    """`workers` new interpreters, each serving the other end of a socket pair; the
    parent's ends are non-blocking, for the event loop.

    Started as `python -c` with this process's flags and sys.path (what
    multiprocessing's spawn does), without its extras: its resource tracker process,
    and re-running the parent's main script (`harvester`'s imports the CLI)."""
    code = (f"import sys; sys.path[:] = {sys.path!r}; "
            "from pipelines.parse_worker import main; main()")
    flags: list[str] = subprocess._args_from_interpreter_flags()  # type: ignore[attr-defined]
    spawned: list[Spawned] = []
    for _ in range(workers):
        mine, theirs = socket.socketpair()
        for end in (mine, theirs):
            # a page or an answer in one piece, not one per wake-up of the other side
            end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, _SOCKET_BUFFER)
        with theirs:
            popen = subprocess.Popen(
                [sys.executable, *flags, "-c", code, str(theirs.fileno()), str(os.getpid())],
                stdin=subprocess.DEVNULL, pass_fds=(theirs.fileno(),))
        mine.setblocking(False)
        spawned.append((WorkerProcess(popen), mine))
    return spawned


def prestart(workers: int) -> None:
    """Spawn `workers` now for a pool made later in this process (none when 0)."""
    release()
    if workers > 0:
        _early.extend(spawn(workers))


@contextmanager
def prestarted(workers: int | None) -> Iterator[None]:
    """prestart() for the block (None: the default count), release() after it."""
    if workers is None:
        from .parse_pool import default_workers  # the parsers' imports: not at module level

        workers = default_workers()
    prestart(workers)
    try:
        yield
    finally:
        release()


def take(workers: int) -> list[Spawned]:
    """The prestarted workers when there are exactly `workers` of them (the pool then
    owns them), else [] (any prestarted ones are stopped: the pool spawns its own)."""
    got = _early[:]
    _early.clear()
    if len(got) == workers:
        return got
    stop(got)
    return []


def release() -> None:
    """Stop the prestarted workers nobody took. Idempotent."""
    got = _early[:]
    _early.clear()
    stop(got)


def stop(spawned: list[Spawned]) -> None:
    for process, sock in spawned:
        sock.close()  # a worker that already answered exits on end of file
        if process.is_alive():
            process.terminate()
        process.join()
