"""The parse worker process: one spawned interpreter serving one socket.

A message either way is a frame: a fixed header (task id, payload length, kind)
then a protocol-5 pickle. A task of kind `OOB` carries its large byte strings
(page bodies, see Shipped) out of band: the payload is their count and lengths,
the pickle, then the buffers themselves, which the parent sends straight from
the pages' bytes: no pickle buffer to grow and copy a chunk of pages into (for
buffers over 128 KiB glibc maps fresh memory each time, and faults it in). The
parent sends `(fn, args, kwargs)`; the worker answers with the same task id and
either the result (`OK`) or the exception (`RAISED`). Task id 0 is the worker's
"ready" frame, sent once its imports and the parser registry are built.

The worker reads and writes blocking: it has nothing else to do. It exits when
the socket reaches end of file (the parent closed it, or died: the kernel closes
a dead process's sockets), and a watch thread covers a parent that died while
this process was still starting.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import signal
import socket
import struct
import threading
import time
import traceback
from operator import attrgetter
from typing import Any

from harvester.types import Page
from harvester.types_parts import positional_new

HEAD = struct.Struct("<QIB")  # task id, payload length, kind
OK, RAISED, OOB = 0, 1, 2
READY = 0  # the task id of the worker's first frame
COUNT = struct.Struct("<I")  # an OOB payload's number of buffers, then their lengths

_FIELDS = tuple(f.name for f in dataclasses.fields(Page))
assert _FIELDS[:2] == ("url", "body"), _FIELDS  # _landed's and Shipped's order
_REST = attrgetter(*_FIELDS[2:])
# Page(...) without __init__ (all fields given, in order): a frozen dataclass's
# object.__setattr__ per field made landing a page 3.4 us, 2.0 us this way
_new_page = positional_new(Page)


class Shipped:
    """A page as it travels to a worker: its body out of band (the parent pickles
    with a buffer_callback), arriving as an equal Page."""

    __slots__ = ("page",)

    def __init__(self, page: Page) -> None:
        self.page = page

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        page = self.page
        return _landed, (page.url, pickle.PickleBuffer(page.body), *_REST(page))


class ShippedBytes:
    """A byte string (a whole OAI page) as it travels to a worker: out of band, as
    Shipped's bodies, arriving as equal bytes. Pickled in band, a 100 KiB page cost the
    parent ~40 µs of copying into a growing pickle buffer before the socket's own copy."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        # bytes(view): a copy, the receive buffer is the next task's
        return bytes, (pickle.PickleBuffer(self.data),)


def _landed(url: str, body: Any, *rest: Any) -> Page:
    # a copy: `body` is a view of the receive buffer, which the next task reuses
    page: Page = _new_page(url, bytes(body), *rest)
    return page


def out_of_band(payload: memoryview) -> tuple[memoryview, list[memoryview]]:
    """An OOB payload's pickle and its buffers (views of `payload`)."""
    (count,) = COUNT.unpack_from(payload)
    lengths = struct.unpack_from(f"<{count}Q", payload, COUNT.size)
    start = COUNT.size + 8 * count
    end = len(payload) - sum(lengths)
    buffers, at = [], end
    for length in lengths:
        buffers.append(payload[at:at + length])
        at += length
    return payload[start:end], buffers


def _worker_start(parent: int) -> None:
    """`parent` comes from the parent itself: one killed while this worker was still
    starting has already left it an orphan, and os.getppid() here would name init."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)  # orphaned: the parent died without closing the pool

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _ready() -> bool:
    # the parser registry is built on first use: build it now, while the run starts up
    from harvester.parsers import PARSERS
    return bool(PARSERS)


class _Inbox:
    """One receive buffer, reused from task to task (a fresh megabyte each time is
    a megabyte of page faults); replaced, never resized, when a task is larger."""

    def __init__(self, size: int) -> None:
        self.buf = bytearray(size)

    def read(self, sock: socket.socket, size: int) -> memoryview | None:
        if size > len(self.buf):
            self.buf = bytearray(size)
        view, got = memoryview(self.buf)[:size], 0
        while got < size:
            n = sock.recv_into(view[got:])
            if n == 0:
                return None
            got += n
        return view


def _send(sock: socket.socket, task: int, kind: int, payload: bytes) -> None:
    head = HEAD.pack(task, len(payload), kind)
    sent = sock.sendmsg([head, payload])
    if sent < len(head):
        sock.sendall(head[sent:])
        sent = len(head)
    if sent - len(head) < len(payload):
        sock.sendall(memoryview(payload)[sent - len(head):])


def _raised(exc: BaseException) -> bytes:
    """The exception as the parent will raise it: itself when it survives a round trip
    through pickle (HarvestError subclasses with keyword-only context do not), else a
    RuntimeError naming it; the worker's traceback travels as a note either way."""
    note = "in a parse worker:\n" + "".join(traceback.format_exception(exc))
    try:
        payload = pickle.dumps(exc, protocol=5)
        pickle.loads(payload)
    except Exception:  # any failure to travel means the stand-in
        exc = RuntimeError(f"{type(exc).__name__}: {exc}")
    exc.add_note(note)
    exc.__traceback__ = None
    return pickle.dumps(exc, protocol=5)


def main() -> None:
    """`python -c` entry (parse_start.spawn): argv holds the socket's descriptor and
    the parent's pid."""
    import sys

    from harvester.heap import tune_process_heap

    # The parent's heap settings (pipelines/cli.py), for the same reason: each page's
    # tree is freed whole, and with glibc's default trim threshold the top of the heap
    # went back to the OS and was faulted in again by the next page (15-19 faults a
    # page in a bench/e2e.py harvest, 2.7 with the setting).
    tune_process_heap()
    fd, parent = (int(arg) for arg in sys.argv[1:3])
    serve(socket.socket(fileno=fd), parent)


def serve(sock: socket.socket, parent: int) -> None:
    """The worker's main function (a spawned process's target)."""
    _worker_start(parent)
    _ready()
    _send(sock, READY, OK, pickle.dumps(True, protocol=5))
    heads, bodies = _Inbox(HEAD.size), _Inbox(1 << 20)
    while True:
        try:
            head = heads.read(sock, HEAD.size)
            if head is None:
                break
            task, length, kind = HEAD.unpack(head)
            body = bodies.read(sock, length)
            if body is None:
                break
        except OSError:
            break
        try:
            if kind == OOB:
                data, buffers = out_of_band(body)
                fn, args, kwargs = pickle.loads(data, buffers=buffers)
            else:
                fn, args, kwargs = pickle.loads(body)
            kind, payload = OK, pickle.dumps(fn(*args, **kwargs), protocol=5)
        except Exception as exc:  # handed to the caller, as a pool does
            kind, payload = RAISED, _raised(exc)
        try:
            _send(sock, task, kind, payload)
        except OSError:
            break
    sock.close()
