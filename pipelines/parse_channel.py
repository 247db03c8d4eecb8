"""The parent's end of the parse workers: one socket per spawned worker, on the event loop.

concurrent.futures.ProcessPoolExecutor costs the parent about 170 µs of CPU a
task (a feeder thread, a result thread, their locks and wake-ups, wrap_future).
Here a task is one pickle and one `sendmsg` on the loop thread, and its answer
one `recv_into` in a reader callback (`loop.add_reader`): no threads. Frames are
pipelines/parse_worker.py's. A send that does not fit the socket buffer keeps
its rest in a queue written by `loop.add_writer`, so a large page never blocks
the loop; each worker has at most MAX_IN_FLIGHT tasks, the rest wait here and go
to the least-loaded worker as answers come back.

A worker whose socket ends (killed, crashed) breaks the channel: every pending
future gets BrokenProcessPool, as a broken ProcessPoolExecutor gives them, and
the other workers are let go. close() gives pending futures PoolClosed (a
BrokenProcessPool): either way the caller parses the page itself.
"""

from __future__ import annotations

import asyncio
import pickle
import socket
import struct
from collections import deque
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any

from .parse_start import spawn, take
from .parse_worker import COUNT, HEAD, OK, OOB, READY

MAX_IN_FLIGHT = 2  # the next task waits in the worker's socket while it runs one
_RECV = 1 << 18
_PARTS = 512
_JOIN_SECONDS = 5.0


def _frame_parts(task: object) -> list[memoryview]:
    """A task's payload: its pickle alone, or (out-of-band buffers, parse_worker.ship)
    their count and lengths, the pickle, and the buffers as they lie in memory."""
    buffers: list[pickle.PickleBuffer] = []
    data = pickle.dumps(task, protocol=5, buffer_callback=buffers.append)
    if not buffers:
        return [memoryview(data)]
    raws = [b.raw() for b in buffers]
    lengths = struct.pack(f"<{len(raws)}Q", *map(len, raws))
    return [memoryview(COUNT.pack(len(raws)) + lengths), memoryview(data), *raws]


class PoolClosed(BrokenProcessPool):
    """The pool was closed while the task waited: the caller does it inline."""


class _Worker:
    __slots__ = ("buf", "filled", "out", "process", "ready", "sock", "tasks", "view")

    def __init__(self, process: Any, sock: socket.socket) -> None:
        self.process, self.sock = process, sock
        self.ready = False
        self.tasks: dict[int, asyncio.Future[Any]] = {}
        self.out: deque[memoryview] = deque()  # what sendmsg has not taken yet
        self.buf = bytearray(_RECV)
        self.view = memoryview(self.buf)
        self.filled = 0


class Channel:
    """`workers` spawned processes serving tasks submitted on `loop` (its thread only)."""

    def __init__(self, workers: int, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.all_ready: asyncio.Future[bool] = loop.create_future()
        self.broken = self.closed = False
        self._next_task = READY + 1
        self._backlog: deque[tuple[int, list[memoryview], asyncio.Future[Any]]] = deque()
        self._workers: list[_Worker] = []
        # workers the CLI spawned before the run (parse_start.prestart), else new ones
        taken = take(workers)
        # the CLI spawned these before the run: they are nearly ready when pages come
        self.prestarted = bool(taken)
        for process, mine in taken or spawn(workers):
            worker = _Worker(process, mine)
            self._workers.append(worker)
            loop.add_reader(mine.fileno(), self._readable, worker)

    @property
    def ready(self) -> bool:
        """Some worker answers: tasks may be submitted."""
        return not self.broken and not self.closed and any(w.ready for w in self._workers)

    def submit(self, fn: Callable[..., Any], args: tuple[Any, ...],
               kwargs: dict[str, Any]) -> asyncio.Future[Any]:
        """fn(*args, **kwargs) in a worker; the future holds its result or exception."""
        payload = _frame_parts((fn, args, kwargs))
        future: asyncio.Future[Any] = self.loop.create_future()
        if self.closed or self.broken:
            future.set_exception(PoolClosed("the parse pool was closed") if self.closed
                                 else BrokenProcessPool("a parse worker died"))
            return future
        task, self._next_task = self._next_task, self._next_task + 1
        worker = self._least_loaded()
        if worker is None:
            self._backlog.append((task, payload, future))
        else:
            self._send(worker, task, payload, future)
        return future

    def _least_loaded(self) -> _Worker | None:
        best: _Worker | None = None
        for w in self._workers:
            if w.ready and len(w.tasks) < MAX_IN_FLIGHT and (
                    best is None or len(w.tasks) < len(best.tasks)):
                best = w
        return best

    def _pump(self) -> None:
        while self._backlog and not self.broken:
            worker = self._least_loaded()
            if worker is None:
                return
            task, payload, future = self._backlog.popleft()
            if not future.done():  # a cancelled caller's task is dropped unsent
                self._send(worker, task, payload, future)

    def _send(self, w: _Worker, task: int, payload: list[memoryview],
              future: asyncio.Future[Any]) -> None:
        w.tasks[task] = future
        kind = OOB if len(payload) > 1 else OK
        parts = [memoryview(HEAD.pack(task, sum(map(len, payload)), kind)), *payload]
        if w.out:
            w.out.extend(parts)
            return
        w.out.extend(parts)
        self._writable(w)
        if w.out and not self.broken:
            self.loop.add_writer(w.sock.fileno(), self._writable, w)

    def _writable(self, w: _Worker) -> None:
        try:
            # at most _PARTS buffers a call: the kernel takes no more than 1,024
            sent = w.sock.sendmsg(w.out if len(w.out) <= _PARTS else islice(w.out, _PARTS))
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self._break(f"a parse worker's socket failed: {exc}")
            return
        while w.out and sent >= len(w.out[0]):
            sent -= len(w.out.popleft())
        if sent:
            w.out[0] = w.out[0][sent:]
        if not w.out:
            self.loop.remove_writer(w.sock.fileno())

    def _readable(self, w: _Worker) -> None:
        try:
            n = w.sock.recv_into(w.view[w.filled:])
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            n = 0
        if n == 0:
            code = w.process.exitcode
            self._break(f"parse worker {w.process.pid} exited (exit code {code})")
            return
        w.filled += n
        pos, size = 0, HEAD.size
        need = 0
        while w.filled - pos >= size:
            task, length, kind = HEAD.unpack_from(w.buf, pos)
            end = pos + size + length
            if end > w.filled:
                need = size + length
                break
            with w.view[pos + size:end] as message:
                self._answer(w, task, kind, message)
            pos = end
        if pos:
            rest = w.filled - pos
            # a copy first: the source overlaps the target, and the length stays (the
            # buffer is exported to w.view, so it must not resize)
            w.buf[:rest] = bytes(w.view[pos:w.filled])
            w.filled = rest
        if need > len(w.buf):
            w.view.release()
            w.buf = w.buf[:w.filled] + bytearray(need - w.filled)
            w.view = memoryview(w.buf)
        self._pump()

    def _answer(self, w: _Worker, task: int, kind: int, message: memoryview) -> None:
        if task == READY:
            w.ready = True
            if all(x.ready for x in self._workers) and not self.all_ready.done():
                self.all_ready.set_result(True)
            return
        future = w.tasks.pop(task, None)
        if future is None or future.done():
            return
        try:
            value = pickle.loads(message)
        except Exception as exc:  # the caller's, as the worker's own would be
            future.set_exception(RuntimeError(f"a parse worker's answer did not unpickle: {exc!r}"))
            return
        if kind == OK:
            future.set_result(value)
        else:
            future.set_exception(value)

    def _break(self, reason: str) -> None:
        if not self.broken and not self.closed:
            self.broken = True
            self._fail(BrokenProcessPool(reason))

    def _fail(self, exc: BrokenProcessPool) -> None:
        """Every pending future gets `exc`; the sockets close, which ends the workers."""
        pending = [f for w in self._workers for f in w.tasks.values()]
        pending += [f for _, _, f in self._backlog]
        self._backlog.clear()
        for future in pending:
            if not future.done():
                future.set_exception(exc)
        if not self.all_ready.done():
            self.all_ready.set_result(False)
        for w in self._workers:
            w.tasks.clear()
            w.out.clear()
            if not self.loop.is_closed():
                self.loop.remove_reader(w.sock.fileno())
                self.loop.remove_writer(w.sock.fileno())
            w.sock.close()

    def close(self, wait: bool = True) -> None:
        """Give pending futures PoolClosed and end the workers: their sockets close, and
        one that never answered is terminated. `wait`: join() too. Idempotent."""
        if self.closed:
            return
        if not self.broken:
            self._fail(PoolClosed("the parse pool was closed"))
        self.closed = True
        for w in self._workers:
            if not w.ready:  # still importing, holds no task: not worth waiting for
                w.process.terminate()
        if wait:
            self.join()

    def join(self) -> None:
        """Wait for the closed workers to exit, killing one still busy after
        _JOIN_SECONDS."""
        for w in self._workers:
            w.process.join(_JOIN_SECONDS)
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
