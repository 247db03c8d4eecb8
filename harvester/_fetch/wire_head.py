"""A response head as wire_conn.py reads it: the status line, the headers, and how the
body that follows is framed (RFC 9112 §6.3).

Failures are httpx.RemoteProtocolError, which the fetcher already sorts as a
malformed answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx

_STATUS = re.compile(r"HTTP/1\.([01]) ([0-9]{3})(?: (.*))?")
NO_BODY, LENGTH, CHUNKED, UNTIL_CLOSE = range(4)
MAX_HEAD = 64 * 1024  # a response head (or a chunk's size line) longer than this is refused


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


def head_end(buf: bytes | bytearray) -> tuple[int, int] | None:
    """(start, end) of the blank line that ends a head, the first match of
    `\\r?\\n\\r?\\n` as re.search finds it; None before it arrived. Two bytes.find
    calls: the pattern starts with an optional byte, so sre's search tried it at every
    position of the head (~40k instructions a 304's head)."""
    crlf = buf.find(b"\n\r\n")
    # the earliest first line feed gives the leftmost match (a CR before it belongs to
    # it); a bare blank line only counts before the other, and the body after the head
    # is not searched for one
    bare = buf.find(b"\n\n", 0, crlf + 1) if crlf >= 0 else buf.find(b"\n\n")
    if bare >= 0:
        first, end = bare, bare + 2
    elif crlf >= 0:
        first, end = crlf, crlf + 3
    else:
        return None
    return (first - 1 if first and buf[first - 1] == 13 else first), end


def next_head(data: bytes | bytearray) -> tuple[Head, int, bool] | None:
    """The first head in `data`, where it ends, and whether it is an interim answer
    (1xx but 101: 100 Continue, 103 Early Hints; the real one follows); None before
    its blank line arrived."""
    found = head_end(data)
    if found is None:
        return None
    head = parse_head(bytes(data[:found[0]]))
    return head, found[1], 100 <= head.status < 200 and head.status != 101


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


def framing(head: Head) -> tuple[int, int, bool]:
    """(how the body is framed, its Content-Length or 0, whether the connection may carry
    another request after it); RemoteProtocolError for a Content-Length that is not one
    number."""
    headers = head.headers
    connection = headers.get("connection", "").lower()
    keep_alive = ("close" not in connection if head.minor == 1
                  else "keep-alive" in connection)
    coding = headers.get("transfer-encoding")
    length = headers.get("content-length")
    left = 0
    if head.status in (204, 304) or head.status < 200:
        kind = NO_BODY
    elif coding is not None:
        codings = [c.strip().lower() for c in coding.split(",")]
        kind = CHUNKED if codings[-1] == "chunked" else UNTIL_CLOSE
    elif length is not None:
        values = {v.strip() for v in length.split(",")}
        if len(values) != 1 or not (value := values.pop()).isdigit():
            raise httpx.RemoteProtocolError(f"bad Content-Length: {length!r}")
        left = int(value)
        kind = LENGTH if left else NO_BODY
    else:
        kind = UNTIL_CLOSE
    return kind, left, keep_alive and kind != UNTIL_CLOSE


class Dechunker:
    """The chunked transfer coding (RFC 9112 §7.1) read off a buffer as its bytes arrive."""

    __slots__ = ("left", "state")

    def __init__(self) -> None:
        self.left = 0  # the current chunk's data bytes still to come
        self.state = 0  # 0 size line, 1 data, 2 CRLF after data, 3 trailers

    def feed(self, buf: bytearray, take: Callable[[int], None]) -> bool:
        """Read what `buf` holds; `take(n)` hands on the n data bytes at its front (and
        removes them). True once the body ended; what follows it stays in `buf`."""
        while buf:
            if self.state == 1:  # data
                n = min(self.left, len(buf))
                take(n)
                self.left -= n
                if self.left:
                    return False
                self.state = 2
            if self.state == 2:  # the CRLF after a chunk's data
                if buf[:2] == b"\r\n" or buf[:1] == b"\n":
                    del buf[:2 if buf[:1] == b"\r" else 1]
                    self.state = 0
                    continue
                if buf != b"\r":
                    raise httpx.RemoteProtocolError("chunk data not followed by CRLF")
                return False
            end = buf.find(b"\n")
            if end < 0:
                if len(buf) > MAX_HEAD:
                    raise httpx.RemoteProtocolError("chunk header too long")
                return False
            line = bytes(buf[:end]).rstrip(b"\r")
            del buf[:end + 1]
            if self.state == 0:  # size line, extensions after ';' ignored
                size = line.split(b";", 1)[0].strip()
                try:
                    self.left = int(size, 16)
                except ValueError:
                    raise httpx.RemoteProtocolError(f"bad chunk size: {size[:20]!r}") from None
                self.state = 1 if self.left else 3
            elif not line:  # the blank line after the trailers: the body is whole
                return True
        return False
