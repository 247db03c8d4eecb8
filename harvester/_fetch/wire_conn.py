"""One HTTP/1.1 client connection as an asyncio protocol: a response's head, then its body.

The run's own GETs go through this (wire.py) rather than through aiohttp, whose
request path cost ~200 µs of CPU a request on loopback where this costs ~45
(bench/transport.py). It does only what a harvester's GET needs: one request
at a time per connection, keep-alive, and RFC 9112 §6.3's body framing
(no body for 1xx/204/304, chunked, Content-Length, else until the server
closes). Body bytes go to the reader as they arrive, undecoded (body.py
decodes gzip under its size cap); reading pauses while more than HIGH_WATER
bytes wait, so a slow reader never holds a whole big body.

Failures are httpx's exception types, which the fetcher already sorts into
retried and final ones: RemoteProtocolError for a malformed answer or a server
that hung up early, ReadTimeout when nothing arrives for `timeout` seconds.
"""

from __future__ import annotations

import asyncio
import re
from collections import deque

import httpx

HIGH_WATER = 1 << 20  # body bytes waiting for the reader before reading pauses
MAX_HEAD = 64 * 1024  # a response head longer than this is refused
_HEAD_END = re.compile(rb"\r?\n\r?\n")
_STATUS = re.compile(r"HTTP/1\.([01]) ([0-9]{3})(?: (.*))?")
_NO_BODY, _LENGTH, _CHUNKED, _UNTIL_CLOSE = range(4)


class Head:
    """A response's status line and headers (lower-case names, repeats joined by ", ")."""

    __slots__ = ("headers", "minor", "raw", "reason", "status")

    def __init__(self, minor: int, status: int, reason: str, raw: list[tuple[str, str]]
                 ) -> None:
        self.minor, self.status, self.reason, self.raw = minor, status, reason, raw
        headers: dict[str, str] = {}
        for name, value in raw:
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        self.headers = headers


def parse_head(block: bytes) -> Head:
    """The head (without its blank line); RemoteProtocolError when it is not HTTP/1.x."""
    # one encoding for the whole head, as httpx chooses: ASCII, else UTF-8, else Latin-1
    try:
        text = block.decode("ascii")
    except UnicodeDecodeError:
        try:
            text = block.decode("utf-8")
        except UnicodeDecodeError:
            text = block.decode("iso-8859-1")
    lines = text.split("\n")
    m = _STATUS.fullmatch(lines[0].rstrip("\r"))
    if m is None:
        raise httpx.RemoteProtocolError(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
    raw: list[tuple[str, str]] = []
    for line in lines[1:]:
        line = line.rstrip("\r")
        if line[:1] in (" ", "\t") and raw:  # obsolete line folding (RFC 9112 §5.2)
            name, value = raw[-1]
            raw[-1] = (name, f"{value} {line.strip()}")
            continue
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise httpx.RemoteProtocolError(f"malformed header line: {line[:80]!r}")
        raw.append((name, value.strip()))
    return Head(int(m[1]), int(m[2]), m[3] or "", raw)


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
        self._framing = _NO_BODY
        self._left = 0  # body bytes (or the current chunk's) still to come
        self._chunk_state = 0  # 0 size line, 1 data, 2 CRLF after data, 3 trailers
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
        self._buf += data
        try:
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
        # one timer a request, moved on lazily: data arrivals only note the time
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
        if self._head is not None and self._framing == _UNTIL_CLOSE:
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
        self._done = True
        self._cancel_timer()
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
        if self._framing == _LENGTH:
            self._take(min(self._left, len(self._buf)))
            if self._left == 0:
                self._end_body()
        elif self._framing == _CHUNKED:
            self._dechunk()
        else:  # until the server closes
            self._take(len(self._buf))
        self._wake()

    def _read_head(self) -> bool:
        while True:
            m = _HEAD_END.search(self._buf)
            if m is None:
                if len(self._buf) > MAX_HEAD:
                    raise httpx.RemoteProtocolError("response head too long")
                return False
            head = parse_head(bytes(self._buf[:m.start()]))
            del self._buf[:m.end()]
            if 100 <= head.status < 200 and head.status != 101:
                continue  # an interim answer (100 Continue, 103 Early Hints): the real one follows
            break
        self._head = head
        headers = head.headers
        connection = headers.get("connection", "").lower()
        keep_alive = ("close" not in connection if head.minor == 1
                      else "keep-alive" in connection)
        coding = headers.get("transfer-encoding")
        length = headers.get("content-length")
        if head.status in (204, 304) or head.status < 200:
            self._framing = _NO_BODY
        elif coding is not None:
            codings = [c.strip().lower() for c in coding.split(",")]
            self._framing = _CHUNKED if codings[-1] == "chunked" else _UNTIL_CLOSE
            self._left, self._chunk_state = 0, 0
        elif length is not None:
            values = {v.strip() for v in length.split(",")}
            if len(values) != 1 or not (value := values.pop()).isdigit():
                raise httpx.RemoteProtocolError(f"bad Content-Length: {length!r}")
            self._left = int(value)
            self._framing = _LENGTH if self._left else _NO_BODY
        else:
            self._framing = _UNTIL_CLOSE
        self.reusable = keep_alive and self._framing != _UNTIL_CLOSE
        if self._framing == _NO_BODY:
            self._end_body()
        return True

    def _take(self, n: int) -> None:
        if n:
            data = bytes(self._buf[:n]) if n < len(self._buf) else bytes(self._buf)
            del self._buf[:n]
            self._body.append(data)
            self._queued += n
            if self._framing != _CHUNKED:
                self._left -= n

    def _end_body(self) -> None:
        if self._buf:
            self.reusable = False
            self._buf.clear()
        self._finish()

    def _dechunk(self) -> None:
        buf = self._buf
        while buf:
            if self._chunk_state == 1:  # data
                n = min(self._left, len(buf))
                self._take(n)
                self._left -= n
                if self._left:
                    return
                self._chunk_state = 2
            if self._chunk_state == 2:  # the CRLF after a chunk's data
                if buf[:2] == b"\r\n" or buf[:1] == b"\n":
                    del buf[:2 if buf[:1] == b"\r" else 1]
                    self._chunk_state = 0
                    continue
                if buf != b"\r":
                    raise httpx.RemoteProtocolError("chunk data not followed by CRLF")
                return
            end = buf.find(b"\n")
            if end < 0:
                if len(buf) > MAX_HEAD:
                    raise httpx.RemoteProtocolError("chunk header too long")
                return
            line = bytes(buf[:end]).rstrip(b"\r")
            del buf[:end + 1]
            if self._chunk_state == 0:  # size line, extensions after ';' ignored
                size = line.split(b";", 1)[0].strip()
                try:
                    self._left = int(size, 16)
                except ValueError:
                    raise httpx.RemoteProtocolError(f"bad chunk size: {size[:20]!r}") from None
                self._chunk_state = 1 if self._left else 3
            elif not line:  # the blank line after the trailers: the body is whole
                self._end_body()
                return
