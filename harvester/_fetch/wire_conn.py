"""One HTTP/1.1 client connection as an asyncio protocol: a response's head, then its body.

The run's own GETs go through this (wire.py) rather than through aiohttp, whose
request path cost ~200 µs of CPU a request on loopback where this costs ~45
(bench/transport.py). It does only what a harvester's GET needs: one request at
a time per connection, keep-alive, and the body framing wire_head.py reads off
the head. Body bytes go to the reader as they arrive, undecoded (body.py
decodes gzip under its size cap); reading pauses while more than HIGH_WATER
bytes wait, so a slow reader never holds a whole big body.

Failures are httpx's exception types, which the fetcher already sorts into
retried and final ones: RemoteProtocolError for a malformed answer or a server
that hung up early, ReadTimeout when nothing arrives for `timeout` seconds.
"""

from __future__ import annotations

import asyncio
from collections import deque

import httpx

from .wire_head import (
    CHUNKED,
    LENGTH,
    MAX_HEAD,
    NO_BODY,
    UNTIL_CLOSE,
    Dechunker,
    Head,
    framing,
    next_head,
)

HIGH_WATER = 1 << 20  # body bytes waiting for the reader before reading pauses


class Connection(asyncio.Protocol):
    """One connection; `await answer()` for the head, then `await chunk()` until b""."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.reusable = False  # the last answer left the connection fit for another
        self.idle_since = 0.0
        self._loop = asyncio.get_running_loop()
        self._buf = bytearray()
        self._waiter: asyncio.Future[None] | None = None
        self._error: BaseException | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._active = 0.0  # when bytes last arrived (or the request went out)
        self._head: Head | None = None
        self._framing = NO_BODY
        self._left = 0  # body bytes (or the current chunk's) still to come
        self._chunks = Dechunker()
        self._body: deque[bytes] = deque()
        self._queued = 0
        self._done = True  # the current answer's body has ended
        self._paused = False
        self.started = False  # any byte of the current answer arrived

    # -- asyncio.Protocol -------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.started = True
        self._active = self._loop.time()
        try:
            if self._buf or type(data) is not bytes:
                self._buf += data
                self._advance()
            else:
                # an answer usually comes in one or two reads: its head and body are
                # taken off `data` itself, not through the buffer (two copies there). A
                # read of body alone is still copied, once: `data` sits in the transport's
                # 256 KiB read allocation, shrunk; kept, those pile up at the heap's top,
                # and the next reads get fresh memory to fault in (33 faults a 63 KiB page,
                # more system time than the copies cost)
                rest = self._past_head(data) if self._head is None else bytes(memoryview(data))
                if not self._as_it_came(rest):
                    self._buf += rest
                    self._advance()
        except httpx.RemoteProtocolError as exc:
            self._fail(exc)
            if self.transport is not None:
                self.transport.abort()
            return
        if self._queued > HIGH_WATER and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()

    def eof_received(self) -> bool:
        self.closed = True  # the transport closes itself next: never hand it out again
        self.reusable = False
        self._end_of_stream()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.reusable = False
        self._end_of_stream(exc)
        self._cancel_timer()

    # -- used by wire.py ----------------------------------------------------------
    def send(self, request: bytes) -> None:
        assert self.transport is not None
        self._buf.clear()
        self._head, self._error, self._done = None, None, False
        self._body.clear()
        self._queued, self.started, self.reusable = 0, False, False
        self._active = self._loop.time()
        if self._timer is None:
            # else the last request's timer, still pending, moves itself on when it fires
            self._timer = self._loop.call_later(self.timeout, self._check_timeout)
        self.transport.write(request)

    async def answer(self) -> Head:
        while self._head is None:
            if self._error is not None:
                raise self._error
            await self._wait()
        return self._head

    async def chunk(self) -> bytes:
        """The next piece of the body as sent (de-chunked, not decoded); b"" at its end."""
        while not self._body:
            if self._error is not None:
                raise self._error
            if self._done:
                return b""
            await self._wait()
        data = self._body.popleft()
        self._queued -= len(data)
        if self._paused and self._queued <= HIGH_WATER // 2 and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        return data

    def idle(self) -> bool:
        """The answer was read to its end, whole: another request may follow."""
        return self._done and self._error is None and self._head is not None

    def close(self) -> None:
        self.closed = True
        self.reusable = False
        self._cancel_timer()
        if self.transport is not None:
            self.transport.abort()

    # -- internals ------------------------------------------------------------------
    async def _wait(self) -> None:
        self._waiter = self._loop.create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _fail(self, exc: BaseException) -> None:
        if self._error is None:
            self._error = exc
        self._done = True
        self.reusable = False
        self._cancel_timer()
        self._wake()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _check_timeout(self) -> None:
        # one timer a connection, moved on lazily: data arrivals and requests only note the time
        self._timer = None
        if self._done and self._head is not None:
            return
        idle = self._loop.time() - self._active
        if idle < self.timeout:
            self._timer = self._loop.call_later(self.timeout - idle, self._check_timeout)
            return
        self._fail(httpx.ReadTimeout(f"no data for {self.timeout:g} s"))
        self.close()

    def _end_of_stream(self, exc: BaseException | None = None) -> None:
        if self._done:
            self._wake()
            return
        if self._head is not None and self._framing == UNTIL_CLOSE:
            self._finish()
            return
        if self._head is None:
            error = httpx.RemoteProtocolError(
                "Server disconnected without sending a response.")
        else:
            error = httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body")
        if exc is not None:
            error.__cause__ = exc
        self._fail(error)

    def _finish(self) -> None:
        # the timer stays: a kept-alive connection's next request takes it over (a
        # TimerHandle made and cancelled every request cost more than the request's head
        # parse); fired on an idle connection, it only lets itself go
        self._done = True
        self.idle_since = self._loop.time()
        self._wake()

    def _advance(self) -> None:
        if self._head is None and not self._read_head():
            return
        if self._done:
            if self._buf:  # bytes past the end of the answer: never reuse this connection
                self.reusable = False
                self._buf.clear()
            return
        if self._framing == LENGTH:
            self._take(min(self._left, len(self._buf)))
            if self._left == 0:
                self._end_body()
        elif self._framing == CHUNKED:
            if self._chunks.feed(self._buf, self._take):
                self._end_body()
        else:  # until the server closes
            self._take(len(self._buf))
        self._wake()

    def _past_head(self, data: bytes) -> bytes:
        """What follows the answer's head in `data` once the head is read off it, as
        _read_head reads it off the buffer; all of `data` when it holds no whole head."""
        while (got := next_head(data)) is not None:
            head, end, interim = got
            data = data[end:]
            if not interim:
                self._install(head)
                break
        return data

    def _as_it_came(self, data: bytes) -> bool:
        """Keep `data` itself when it is all Content-Length body: through the buffer it
        was copied twice (in, and out as bytes), ~64 KiB each for a 63 KiB page."""
        if (self._framing != LENGTH or self._head is None or self._done
                or len(data) > self._left or not data):
            return False
        self._body.append(data)
        self._queued += len(data)
        self._left -= len(data)
        if self._left == 0:
            self._finish()
        self._wake()
        return True

    def _read_head(self) -> bool:
        while (got := next_head(self._buf)) is not None:
            head, end, interim = got
            del self._buf[:end]
            if not interim:
                self._install(head)
                return True
        if len(self._buf) > MAX_HEAD:
            raise httpx.RemoteProtocolError("response head too long")
        return False

    def _install(self, head: Head) -> None:
        self._head = head
        self._framing, self._left, self.reusable = framing(head)
        self._chunks = Dechunker()
        if self._framing == NO_BODY:
            self._end_body()

    def _take(self, n: int) -> None:
        if n:
            data = bytes(self._buf[:n]) if n < len(self._buf) else bytes(self._buf)
            del self._buf[:n]
            self._body.append(data)
            self._queued += n
            if self._framing != CHUNKED:
                self._left -= n

    def _end_body(self) -> None:
        if self._buf:
            self.reusable = False
            self._buf.clear()
        self._finish()
